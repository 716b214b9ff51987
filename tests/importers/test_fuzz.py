"""Fuzzing: mutated FIT, GPX, TCX, gzip and zip files give an activity or restride's import
error naming the file, within a time and memory budget, and never stop the rest of an import.

A short, deterministic run (fixed seed, a bounded count, small base files) runs here; the long
run is `scripts/fuzz_importers.py` (docs/reliability.md has its figures). Every input that ever
failed is kept, ours in fuzz_regressions/ and the shared ones in ../shared/data/fuzz-found/,
and imported again here. Each input is parsed in a worker process with a time limit and a
memory budget (tests/importers/fuzz_pool.py).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from restride.importers import ImportProblem, iter_parse
from tests.importers import fuzzing
from tests.importers.conftest import fuzz_found_files
from tests.importers.fuzz_pool import FuzzPool, Limits

if TYPE_CHECKING:
    from collections.abc import Iterator

REGRESSIONS = Path(__file__).with_name("fuzz_regressions")
SEED = 12
INPUTS_PER_FORMAT = 40
# Generous: on a loaded two-core machine a parse that takes 0.2 s alone can take seconds.
LIMITS = Limits(timeout_s=60.0, peak_rss_bytes=1024**3, max_base_bytes=64 * 1024)


@pytest.fixture(scope="module")
def pool(corpus: Path) -> Iterator[FuzzPool]:
    running = FuzzPool(corpus, workers=2, limits=LIMITS)
    yield running
    running.close()


@pytest.fixture(scope="module")
def full_pool(corpus: Path) -> Iterator[FuzzPool]:
    """Workers that mutate every corpus file, as the long run does (inputs.tsv needs them)."""
    running = FuzzPool(corpus, workers=1, limits=dataclasses.replace(LIMITS, max_base_bytes=None))
    yield running
    running.close()


def failures(answers: list[dict[str, Any]]) -> list[str]:
    return [
        f"{a['task']}: {a['outcome']}: {a.get('detail', '')[-300:]}"
        for a in answers
        if a["outcome"] != "ok"
    ]


INPUTS = REGRESSIONS / "inputs.tsv"


def regression_files() -> list[Path]:
    return sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p != INPUTS)


def regression_inputs() -> list[dict[str, Any]]:
    """Failures too big to keep as files, kept as the format, seed and index that make them."""
    tasks = []
    for line in INPUTS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            fmt, seed, index, _why = line.split("\t", 3)
            tasks.append({"fmt": fmt, "seed": int(seed), "index": int(index)})
    return tasks


def test_a_short_fuzz_run_gives_only_activities_and_named_import_errors(
    pool: FuzzPool,
) -> None:
    tasks = [
        {"fmt": fmt, "seed": SEED, "index": index}
        for fmt in fuzzing.FORMATS
        for index in range(INPUTS_PER_FORMAT)
    ]
    answers = list(pool.run(tasks))

    assert len(answers) == len(tasks)
    assert failures(answers) == []
    # The mutations reach past the first bytes: some inputs still give activities, some fail.
    by_format = Counter(a["task"]["fmt"] for a in answers if a["activities"])
    assert all(by_format[fmt] > 0 for fmt in fuzzing.FORMATS), by_format


def test_inputs_are_made_the_same_way_every_time(corpus: Path) -> None:
    loaded = fuzzing.load_corpus(corpus, 64 * 1024)
    for fmt in fuzzing.FORMATS:
        first = [fuzzing.make_input(loaded, fmt, SEED, i) for i in range(5)]
        again = [fuzzing.make_input(loaded, fmt, SEED, i) for i in range(5)]
        assert first == again
        assert len(set(first)) == 5  # and each index is another input


def test_every_input_that_ever_broke_the_importer_now_imports_or_fails_named(
    full_pool: FuzzPool,
) -> None:
    files = regression_files() + fuzz_found_files()
    tasks = [{"file": str(path)} for path in files] + regression_inputs()
    answers = list(full_pool.run(tasks))

    assert len(answers) == len(tasks)
    assert failures(answers) == []


@pytest.mark.parametrize(
    "path", [p for p in regression_files() if p.suffix == ".fit"], ids=lambda p: p.name
)
def test_a_regression_file_gives_a_parsers_own_reason(path: Path) -> None:
    (result,) = iter_parse(path)

    if result.problem is not None:
        assert isinstance(result.problem, ImportProblem)
        assert str(result.problem).startswith(str(path))
        assert "could not be read (" not in str(result.problem)  # a parser's reason, not the net
    else:
        warnings = " ".join(w for a in result.activities for w in a.warnings)
        assert "stopped at byte" in warnings, warnings  # where fitdecode met the damage


def test_a_mutation_that_leaves_one_byte_still_makes_an_input(corpus: Path) -> None:
    """Input 30268 of FIT (seed 12) once stopped the long run: a cut to one byte, then another
    cut of nothing. The harness must make every index, whatever its mutations did before."""
    loaded = fuzzing.load_corpus(corpus)

    data = fuzzing.make_input(loaded, "fit", SEED, 30268)

    assert len(data) >= 1
