"""The domain activity: timezone-aware, a known sport, samples that do not clutter reprs."""

from __future__ import annotations

import datetime as dt
from array import array

import pytest

from restride.domain.activity import SPORTS, Activity, Samples

START = dt.datetime(2024, 1, 2, 7, 0, tzinfo=dt.UTC)


def make_activity(**overrides: object) -> Activity:
    fields: dict[str, object] = {
        "start": START,
        "sport": "running",
        "source": "run.fit",
        "content_sha256": "0" * 64,
        "duration_s": 1800.0,
    }
    fields.update(overrides)
    return Activity(**fields)  # type: ignore[arg-type]


def test_an_activity_needs_a_timezone_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_activity(start=dt.datetime(2024, 1, 2, 7, 0))  # noqa: DTZ001


def test_an_activity_needs_a_known_sport() -> None:
    with pytest.raises(ValueError, match="unknown sport 'parkour'"):
        make_activity(sport="parkour")


def test_end_and_is_run_follow_from_the_fields() -> None:
    run = make_activity()

    assert run.end == START + dt.timedelta(minutes=30)
    assert run.is_run
    assert not make_activity(sport="cycling").is_run
    assert make_activity(duration_s=None).end is None
    assert len(SPORTS) == 10


def test_samples_stay_out_of_the_repr_and_of_equality() -> None:
    samples = Samples(elapsed_s=array("d", [0.0, 1.0]), heart_rate_bpm=array("d", [120, 121]))

    with_samples = make_activity(samples=samples)

    assert "121" not in repr(with_samples)
    assert with_samples == make_activity()
    assert len(samples) == 2
