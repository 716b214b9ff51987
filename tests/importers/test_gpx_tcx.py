"""GPX and TCX importers on small documents written in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from restride.importers import ImportFileError, NotAnActivity
from restride.importers.gpx import parse_gpx
from restride.importers.tcx import parse_tcx

START = dt.datetime(2023, 3, 1, 6, 0, tzinfo=dt.UTC)


def gpx_points(n: int, *, hr: str = "gpxtpx:hr", cad: str = "gpxtpx:cad", zone: str = "Z") -> str:
    points = []
    for i in range(n):
        when = (START + dt.timedelta(seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%S") + zone
        points.append(
            f'<trkpt lat="{46.0 + i * 0.0003:.6f}" lon="14.5"><ele>{300 + i}</ele>'
            f"<time>{when}</time><extensions><gpxtpx:TrackPointExtension>"
            f"<{hr}>{140 + i % 5}</{hr}><{cad}>86</{cad}>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    return "".join(points)


def gpx(body: str, *, version: str = "1.1", kind: str = "running") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<gpx version="{version}" creator="Test Watch" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning Run</name><type>{kind}</type><trkseg>{body}</trkseg></trk></gpx>"
    ).encode()


def test_a_gpx_track_with_garmin_extensions_gives_heart_rate_and_steps() -> None:
    (run,) = parse_gpx(gpx(gpx_points(31)), "run.gpx")

    assert run.start == START
    assert run.sport == "running"
    assert run.name == "Morning Run"
    assert run.device == "Test Watch"
    assert run.duration_s == 300.0
    assert run.distance_m == pytest.approx(1000.7, abs=1.0)  # 30 steps of 0.0003 degrees
    assert run.avg_hr == pytest.approx(141.9, abs=0.1)
    assert run.avg_cadence_spm == 172.0  # 86 strides/min
    assert run.elevation_gain_m == 30.0
    assert run.moving_s == 300.0
    assert run.samples is not None and len(run.samples) == 31


def test_gpx_1_0_with_an_undeclared_extension_prefix_still_gives_heart_rate() -> None:
    # gpxpy drops these; a recovering parser reads them (two real Strava files do this)
    body = gpx_points(5, hr="gpxdata:hr", cad="gpxdata:cadence")
    data = gpx(body, version="1.0").replace(b"gpxtpx:TrackPointExtension", b"ext")

    (run,) = parse_gpx(data, "strava.gpx")

    assert run.avg_hr == pytest.approx(142.0)
    assert any("repaired" in w for w in run.warnings)


def test_strava_type_numbers_name_the_sport() -> None:
    (ride,) = parse_gpx(gpx(gpx_points(3), kind="1"), "ride.gpx")

    assert ride.sport == "cycling"


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"  \r\n\t", b"\n\xef\xbb\xbf  "])
def test_a_byte_order_mark_or_white_space_before_the_declaration_is_fine(prefix: bytes) -> None:
    (run,) = parse_gpx(prefix + gpx(gpx_points(3)), "bom.gpx")

    assert run.start == START


def test_a_cut_off_gpx_keeps_the_points_before_the_break_and_is_partial() -> None:
    data = gpx(gpx_points(40))
    cut = data[: len(data) * 2 // 3]

    (run,) = parse_gpx(cut, "cut.gpx")

    assert run.partial
    assert run.samples is not None and 20 < len(run.samples) < 30
    assert any("cut short" in w for w in run.warnings)


def test_times_without_a_zone_are_read_as_utc_and_said_so() -> None:
    (run,) = parse_gpx(gpx(gpx_points(3, zone="")), "local.gpx")

    assert run.start == START
    assert "times without a time zone, read as UTC" in run.warnings


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('<trkpt lat="1" lon="2"/><trkpt lat="1.1" lon="2"/>', "no times"),
        ("", "no track points"),
    ],
)
def test_gpx_without_a_recording_is_not_an_activity(body: str, reason: str) -> None:
    with pytest.raises(NotAnActivity, match=reason):
        parse_gpx(gpx(body), "route.gpx")


def test_a_planned_gpx_route_is_not_an_activity() -> None:
    data = b'<gpx version="1.1"><rte><rtept lat="1" lon="2"/><rtept lat="1" lon="3"/></rte></gpx>'

    with pytest.raises(NotAnActivity, match="planned route"):
        parse_gpx(data, "route.gpx")


def test_a_clock_from_1901_is_an_error_not_an_activity() -> None:
    body = '<trkpt lat="1" lon="2"><time>1901-12-13T20:45:52Z</time></trkpt>'

    with pytest.raises(ImportFileError, match="before 1985"):
        parse_gpx(gpx(body), "old.gpx")


def tcx_points(n: int, start: dt.datetime, *, run_cadence: int = 88) -> str:
    out = []
    for i in range(n):
        when = (start + dt.timedelta(seconds=5 * i)).isoformat().replace("+00:00", "Z")
        out.append(
            f"<Trackpoint><Time>{when}</Time><Position><LatitudeDegrees>{46 + i * 1e-4}"
            "</LatitudeDegrees><LongitudeDegrees>14.5</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{200 + i % 3}</AltitudeMeters><DistanceMeters>{i * 12.5}"
            f"</DistanceMeters><HeartRateBpm><Value>{150 + i % 3}</Value></HeartRateBpm>"
            f"<Extensions><ns3:TPX><ns3:Speed>2.5</ns3:Speed><ns3:RunCadence>{run_cadence}"
            "</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>"
        )
    return "".join(out)


def tcx_activity(start: dt.datetime, n: int = 21, sport: str = "Running", laps: int = 1) -> str:
    stamp = start.isoformat().replace("+00:00", "Z")
    lap_seconds = 5 * (n - 1) / laps
    lap_metres = 12.5 * (n - 1) / laps
    lap_xml = "".join(
        f'<Lap StartTime="{stamp}"><TotalTimeSeconds>{lap_seconds}</TotalTimeSeconds>'
        f"<DistanceMeters>{lap_metres}</DistanceMeters>"
        "<MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>"
        f"<Track>{tcx_points(n // laps, start + dt.timedelta(seconds=k * lap_seconds))}</Track>"
        "</Lap>"
        for k in range(laps)
    )
    return (
        f'<Activity Sport="{sport}"><Id>{stamp}</Id>{lap_xml}'
        '<Creator xsi:type="Device_t"><Name>Forerunner 945</Name></Creator></Activity>'
    )


def tcx(*activities: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase'
        ' xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
        ' xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<Activities>{''.join(activities)}</Activities></TrainingCenterDatabase>"
    ).encode()


def test_a_tcx_run_uses_its_lap_totals_and_track_points() -> None:
    (run,) = parse_tcx(tcx(tcx_activity(START)), "run.tcx")

    assert run.start == START
    assert run.sport == "running"
    assert run.device == "Forerunner 945"
    assert run.duration_s == 100.0
    assert run.moving_s == 100.0
    assert run.distance_m == 250.0
    assert run.max_hr == 170.0  # the lap's maximum, above any track point
    assert run.avg_cadence_spm == 176.0
    assert run.samples is not None and list(run.samples.speed_m_s)[:1] == [2.5]


def test_a_tcx_with_several_activities_gives_each_as_a_part() -> None:
    later = START + dt.timedelta(days=1)
    data = tcx(tcx_activity(START), tcx_activity(later, sport="Biking"))

    run, ride = parse_tcx(data, "two.tcx")

    assert (run.part, run.sport, ride.part, ride.sport) == (0, "running", 1, "cycling")
    assert ride.start == later
    assert ride.avg_cadence_spm is None


def test_running_cadence_already_in_steps_is_not_doubled_again() -> None:
    data = tcx(tcx_activity(START).replace("<ns3:RunCadence>88", "<ns3:RunCadence>176"))

    (run,) = parse_tcx(data, "treadmill.tcx")

    assert run.avg_cadence_spm == 176.0


def test_lap_totals_that_disagree_with_the_track_are_not_used() -> None:
    data = tcx(tcx_activity(START)).replace(b"<TotalTimeSeconds>100.0", b"<TotalTimeSeconds>9999")

    (run,) = parse_tcx(data, "trimmed.tcx")

    assert run.moving_s is not None and run.moving_s <= 100.0
    assert any("exceed the track" in w for w in run.warnings)


def test_white_space_before_the_declaration_of_a_tcx_is_fine() -> None:
    (run,) = parse_tcx(b"        " + tcx(tcx_activity(START)), "garmin-connect.tcx")

    assert run.distance_m == 250.0


def test_a_cut_off_tcx_is_partial() -> None:
    data = tcx(tcx_activity(START, n=60))

    (run,) = parse_tcx(data[: len(data) // 2], "cut.tcx")

    assert run.partial
    assert run.samples is not None and 10 < len(run.samples) < 40


def test_a_tcx_course_is_not_an_activity() -> None:
    data = (
        b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        b"<Courses><Course><Name>Loop</Name><Track><Trackpoint><Position><LatitudeDegrees>1"
        b"</LatitudeDegrees><LongitudeDegrees>2</LongitudeDegrees></Position></Trackpoint>"
        b"</Track></Course></Courses></TrainingCenterDatabase>"
    )

    with pytest.raises(NotAnActivity, match="course"):
        parse_tcx(data, "course.tcx")


def test_a_gap_between_track_segments_adds_no_distance() -> None:
    later = gpx_points(5).replace('lat="46.0', 'lat="47.0')  # 111 km away: a pause, a drive
    data = gpx(gpx_points(5)).replace(
        b"</trkseg>", b"</trkseg><trkseg>" + later.encode() + b"</trkseg>", 1
    )

    (run,) = parse_gpx(data, "two-segments.gpx")

    assert run.distance_m == pytest.approx(2 * 133.4, abs=0.5)
