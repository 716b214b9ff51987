"""The FIT importer on files built byte by byte: each test one corner of the format."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest

from restride.domain.activity import Activity
from restride.importers import ImportFileError, NotAnActivity
from restride.importers.fit import parse_fit, read_fit
from restride.importers.fit_scan import fit_crc
from tests.importers import fitbuild as fb
from tests.importers.fitbuild import FitWriter

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
T0 = fb.fit_time(START)


def only(activities: tuple[Activity, ...]) -> Activity:
    assert len(activities) == 1
    return activities[0]


def test_a_running_session_becomes_one_activity_with_its_summary() -> None:
    data = fb.activity(start=START, seconds=60, dynamics=True).to_bytes()

    (run,) = parse_fit(data, "run.fit")

    assert run.start == START
    assert run.sport == "running"
    assert run.duration_s == 60.0
    assert run.moving_s == 60.0
    assert run.distance_m == pytest.approx(180.0)
    assert (run.avg_hr, run.max_hr) == (140.0, 160.0)
    assert run.avg_cadence_spm == 170.0  # 85 strides/min stored, 170 steps/min
    assert run.device == "garmin fr945"
    assert (run.gct_ms_avg, run.stance_balance_left_pct_avg) == (250.0, 49.5)
    assert run.vertical_oscillation_mm_avg == 80.0
    assert not run.partial
    assert run.warnings == ()
    assert run.samples is not None and len(run.samples) == 61
    assert list(run.samples.cadence_spm)[:2] == [170.0, 170.0]
    assert list(run.samples.elapsed_s)[-1] == 60.0


def test_cycling_cadence_is_not_reported_as_steps() -> None:
    data = fb.activity(start=START, sport=fb.CYCLING, cadence=90).to_bytes()

    ride = only(parse_fit(data, "ride.fit"))

    assert ride.sport == "cycling"
    assert ride.avg_cadence_spm is None
    assert ride.samples is not None and len(ride.samples.cadence_spm) == 0


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected"),
    [
        (fb.RUNNING, 1, "treadmill_running"),
        (fb.RUNNING, 3, "trail_running"),
        (11, 0, "walking"),
        (17, 0, "hiking"),
        (4, 15, "elliptical"),  # fitness_equipment / elliptical
        (10, 20, "strength"),  # training / strength_training
        (fb.SWIMMING, 17, "swimming"),
        (37, 0, "other"),  # stand-up paddleboarding
    ],
)
def test_fit_sports_map_to_restride_sports(sport: int, sub_sport: int, expected: str) -> None:
    data = fb.activity(start=START, sport=sport, sub_sport=sub_sport).to_bytes()

    assert only(parse_fit(data, "x.fit")).sport == expected


def test_invalid_values_are_missing_not_zero() -> None:
    data = fb.activity(start=START, heart_rate=None, cadence=None).to_bytes()

    run = only(parse_fit(data, "x.fit"))

    assert run.avg_hr is None and run.max_hr is None and run.avg_cadence_spm is None
    assert run.samples is not None and len(run.samples.heart_rate_bpm) == 0


def test_compressed_timestamp_headers_roll_over_the_5_bit_offset() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum"), (1, "uint16"), (2, "uint16")])
    w.message(0, fb.FILE_ACTIVITY, fb.GARMIN, fb.FR945)
    w.define(1, fb.EVENT, [(253, "uint32"), (0, "enum")])
    w.message(1, T0, 0)  # a full timestamp for the offsets to build on
    w.define(2, fb.RECORD, [(3, "uint8")])
    expected = [T0 + s for s in (1, 2, 20, 31, 33, 40, 70, 71, 72, 73, 74, 75)]
    for i, t in enumerate(expected):
        w.message(2, 100 + i, time_offset=t & 0x1F)

    contents = read_fit(w.to_bytes(), "compressed.fit")

    times = contents.segments[0].records["timestamp"] - fb.FIT_EPOCH.timestamp()
    assert times.tolist() == expected


def test_big_endian_definitions_read_like_little_endian_ones() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum"), (1, "uint16"), (2, "uint16")], big=True)
    w.message(0, fb.FILE_ACTIVITY, fb.GARMIN, fb.FR945)
    w.define(1, fb.RECORD, [(253, "uint32"), (5, "uint32"), (3, "uint8")], big=True)
    for i in range(10):
        w.message(1, T0 + i, i * 250, 120 + i)

    run = only(parse_fit(w.to_bytes(), "big.fit"))

    assert run.device == "garmin fr945"
    assert run.samples is not None
    assert list(run.samples.heart_rate_bpm) == [120.0 + i for i in range(10)]
    assert run.distance_m == pytest.approx(22.5)


def test_developer_fields_are_skipped_by_their_size() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, fb.FILE_ACTIVITY)
    w.define(1, fb.RECORD, [(253, "uint32"), (3, "uint8")], dev_sizes=(4, 1))
    for i in range(8):
        w.message(1, T0 + i, 150, dev=b"\x01\x02\x03\x04\x05")

    run = only(parse_fit(w.to_bytes(), "dev.fit"))

    assert run.samples is not None and list(run.samples.heart_rate_bpm) == [150.0] * 8


def test_a_field_whose_size_does_not_fit_its_type_is_ignored_with_a_warning() -> None:
    # COROS writes some uint32 fields one byte wide; such a value is no usable number.
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, fb.FILE_ACTIVITY)
    w.define(1, fb.RECORD, [(253, "uint32"), (5, "uint32", 1), (3, "uint8")])
    for i in range(5):
        w.message(1, T0 + i, b"\x07", 130)

    run = only(parse_fit(w.to_bytes(), "coros.fit"))

    assert run.samples is not None and list(run.samples.heart_rate_bpm) == [130.0] * 5
    assert run.distance_m is None
    assert any("size does not fit" in w for w in run.warnings)


def test_interleaved_message_types_decode_like_one_by_one() -> None:
    # Long runs of records, records taking turns with hrv, and odd ones out: the fast paths
    # that skip whole runs must find exactly the messages fitdecode finds.
    rng = random.Random(7)
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, fb.FILE_ACTIVITY)
    w.define(1, fb.RECORD, [(253, "uint32"), (5, "uint32"), (3, "uint8"), (4, "uint8")])
    w.define(2, fb.HRV, [(0, "uint16", 10)])
    w.define(3, fb.EVENT, [(253, "uint32"), (0, "enum")])
    t = T0
    for block in range(40):
        pattern = block % 4
        for _ in range(rng.randint(1, 30)):
            t += 1
            w.message(1, t, (t - T0) * 300, rng.randint(90, 180), rng.randint(70, 95))
            if pattern == 1:
                w.message(2, rng.randint(300, 900))
            elif pattern == 2 and rng.random() < 0.3:
                w.message(3, t, 0)
    data = w.to_bytes()

    fast = read_fit(data, "mix.fit").segments[0].records
    reference = read_fit(data, "mix.fit", decoder="fitdecode").segments[0].records

    assert fast["timestamp"].size == reference["timestamp"].size > 0
    for name in ("timestamp", "distance", "heart_rate", "cadence"):
        np.testing.assert_array_equal(fast[name], reference[name], err_msg=name)


def test_compressed_speed_and_distance_accumulate_across_the_12_bit_wrap() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, fb.FILE_ACTIVITY)
    w.define(1, fb.RECORD, [(253, "uint32"), (8, "byte", 3)])
    distance_16ths = 0
    expected = []
    for i in range(300):
        distance_16ths += 50  # 3.125 m a record, wrapping 4096 every 82 records
        packed = 250 | (distance_16ths % 4096) << 12  # 2.5 m/s
        w.message(1, T0 + i, packed.to_bytes(3, "little"))
        expected.append(distance_16ths / 16)

    records = read_fit(w.to_bytes(), "fr70.fit").segments[0].records

    assert records["distance"].tolist() == expected
    assert set(records["speed"].tolist()) == {2.5}


def test_several_sessions_become_several_activities_and_transitions_are_left_out() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum"), (1, "uint16"), (2, "uint16")])
    w.message(0, fb.FILE_ACTIVITY, fb.GARMIN, fb.FR945)
    w.define(1, fb.RECORD, [(253, "uint32"), (3, "uint8")])
    for i in range(300):
        w.message(1, T0 + i, 100 + i // 100)
    fb.add_session(w, T0, 99, 30_000, sport=fb.CYCLING, local=2)
    fb.add_session(w, T0 + 100, 49, 1_000, sport=fb.TRANSITION, local=3)
    fb.add_session(w, T0 + 150, 149, 50_000, sport=fb.RUNNING, local=4)

    ride, run = parse_fit(w.to_bytes(), "brick.fit")

    assert (ride.sport, ride.part, ride.distance_m) == ("cycling", 0, 300.0)
    assert (run.sport, run.part, run.start) == ("running", 1, START + dt.timedelta(seconds=150))
    assert run.samples is not None and len(run.samples) == 150
    assert "1 transition sessions left out" in run.warnings


def test_a_chained_settings_file_is_skipped_and_said_so() -> None:
    settings = FitWriter()
    settings.define(0, fb.FILE_ID, [(0, "enum")])
    settings.message(0, fb.FILE_SETTINGS)
    data = fb.activity(start=START).to_bytes() + settings.to_bytes(header_size=12)

    run = only(parse_fit(data, "chained.fit"))

    assert run.sport == "running"
    assert "also held device settings, skipped" in run.warnings


def test_chained_activities_become_parts_and_strap_heart_rate_is_mentioned() -> None:
    strap = FitWriter()  # what a swim watch appends: stored HR, no file_id
    strap.define(0, fb.HR, [(253, "uint32"), (6, "uint8")])
    for i in range(3):
        strap.message(0, T0 + i, 120)
    second = fb.activity(start=START + dt.timedelta(hours=2), sport=fb.SWIMMING)
    data = fb.activity(start=START).to_bytes() + strap.to_bytes() + second.to_bytes()

    first, swim = parse_fit(data, "chained.fit")

    assert (first.part, swim.part, swim.sport) == (0, 1, "swimming")
    assert any("3 'hr' messages" in w for w in first.warnings)


@pytest.mark.parametrize(
    ("file_type", "reason"),
    [
        (fb.FILE_SETTINGS, "device settings"),
        (fb.FILE_WORKOUT, "a workout plan"),
        (fb.FILE_MONITORING, "all-day monitoring data"),
        (9, "weight-scale data"),
        (6, "a course"),
    ],
)
def test_files_that_are_not_activities_say_what_they_are(file_type: int, reason: str) -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, file_type)

    with pytest.raises(NotAnActivity, match=reason) as caught:
        parse_fit(w.to_bytes(), "thing.fit")
    assert caught.value.file == "thing.fit"


def test_a_truncated_file_keeps_its_records_up_to_the_break_and_is_partial() -> None:
    whole = fb.activity(start=START, seconds=600, with_session=False).to_bytes()
    cut = whole[: len(whole) // 2]

    run = only(parse_fit(cut, "cut.fit"))

    assert run.partial
    assert run.samples is not None and 250 < len(run.samples) < 300
    assert run.distance_m is not None and run.distance_m > 0
    assert any("cut short" in w for w in run.warnings)
    assert any("no session summary" in w for w in run.warnings)


def test_a_message_for_an_undefined_type_stops_reading_there() -> None:
    w = fb.activity(start=START, seconds=20, with_session=False)
    w.body += bytes([0x07]) + b"\0" * 40  # local type 7 was never defined
    data = w.to_bytes()

    run = only(parse_fit(data, "corrupt.fit"))

    assert run.partial
    assert run.samples is not None and len(run.samples) == 21
    assert any("undefined local type 7" in w for w in run.warnings)


def test_a_damaged_byte_is_reported_by_the_checksum() -> None:
    data = bytearray(fb.activity(start=START).to_bytes())
    data[200] ^= 0x01  # inside a record's payload

    run = only(parse_fit(bytes(data), "flipped.fit"))

    assert any("CRC" in w for w in run.warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "too short"),
        (b"not a fit file at all", "no FIT header"),
        (fb.activity(start=START).to_bytes()[:14], "no activity data"),
    ],
)
def test_unreadable_files_raise_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(ImportFileError, match=reason) as caught:
        parse_fit(data, "broken.fit")
    assert str(caught.value).startswith("broken.fit: ")


def test_times_relative_to_power_on_cannot_date_the_activity() -> None:
    w = FitWriter()
    w.define(0, fb.FILE_ID, [(0, "enum")])
    w.message(0, fb.FILE_ACTIVITY)
    w.define(1, fb.RECORD, [(253, "uint32"), (3, "uint8")])
    for i in range(5):
        w.message(1, 16_000_000 + i, 120)

    with pytest.raises(ImportFileError, match="clock was never set"):
        parse_fit(w.to_bytes(), "fr70.fit")


def test_an_unusual_architecture_byte_goes_to_fitdecode_and_says_so() -> None:
    w = fb.activity(start=START, seconds=5)
    edited = bytearray(w.to_bytes())
    # the record definition's architecture byte: 2 is not a value the spec defines
    record_def = edited.index(bytes([0x41, 0, 0, fb.RECORD, 0]))
    edited[record_def + 2] = 2
    body = bytes(edited[:-2])

    contents = read_fit(body + fb.crc16(body).to_bytes(2, "little"), "odd.fit")

    assert contents.decoder == "fitdecode"
    assert any("decoded with fitdecode" in w for w in contents.warnings)


def test_the_fit_checksum_matches_the_spec_on_any_length() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 13, 2047, 2048, 2049, 4096, 65_537, 300_001):
        data = rng.integers(0, 256, n, dtype=np.uint8)
        assert fit_crc(data) == fb.crc16(data.tobytes()), n


def test_a_file_written_by_another_encoder_reads_the_same() -> None:
    fit_file_builder = pytest.importorskip("fit_tool.fit_file_builder")
    from fit_tool.profile.messages.file_id_message import FileIdMessage  # type: ignore[import-untyped]
    from fit_tool.profile.messages.record_message import RecordMessage  # type: ignore[import-untyped]
    from fit_tool.profile.messages.session_message import SessionMessage  # type: ignore[import-untyped]
    from fit_tool.profile.profile_type import (  # type: ignore[import-untyped]
        FileType,
        Sport,
    )

    builder = fit_file_builder.FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = fb.GARMIN
    file_id.product = fb.FR945
    builder.add(file_id)
    start_ms = int(START.timestamp() * 1000)
    for i in range(30):
        record = RecordMessage()
        record.timestamp = start_ms + i * 1000
        record.heart_rate = 150
        record.distance = i * 3.0
        builder.add(record)
    session = SessionMessage()
    session.start_time = start_ms
    session.sport = Sport.RUNNING
    session.total_elapsed_time = 29.0
    session.total_distance = 87.0
    builder.add(session)

    run = only(parse_fit(builder.build().to_bytes(), "fit_tool.fit"))

    assert (run.start, run.sport, run.distance_m, run.avg_hr) == (START, "running", 87.0, 150.0)
    assert run.device == "garmin fr945"


def test_a_record_without_a_time_is_left_out_of_the_samples() -> None:
    w = fb.activity(start=START, seconds=10)
    w.message(1, None, 10_000, 3000, 150, 85)

    run = only(parse_fit(w.to_bytes(), "x.fit"))

    assert run.samples is not None and len(run.samples) == 11
    assert any("without a usable time" in w for w in run.warnings)
    assert not math.isnan(run.distance_m or math.nan)
