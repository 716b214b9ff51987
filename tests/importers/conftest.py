"""The real-file corpus: found next to the checkout, or where RESTRIDE_ACTIVITY_CORPUS says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOT_ACTIVITY_FILES = {"README.md", "LIBRARIES.md", "MANIFEST.tsv"}


def corpus_dir() -> Path:
    configured = os.environ.get("RESTRIDE_ACTIVITY_CORPUS")
    if configured:
        return Path(configured)
    # /work/main/tests/importers -> /work/shared/data/activities
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "activities"


def require_corpus() -> Path:
    """The corpus folder; without it a clear skip, or a failure in CI (which always has it)."""
    folder = corpus_dir().resolve()
    if not (folder / "MANIFEST.tsv").is_file():
        message = (
            f"activity corpus not found at {folder}; set RESTRIDE_ACTIVITY_CORPUS to the folder"
            " holding MANIFEST.tsv"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI always has it)")
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def corpus() -> Path:
    return require_corpus()


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_ACTIVITY_FILES)


def manifest(folder: Path) -> dict[str, dict[str, str]]:
    """MANIFEST.tsv rows by file path, with `derived_facts` split into its key=value parts."""
    lines = (folder / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows: dict[str, dict[str, str]] = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=False))
        for part in row.get("derived_facts", "").split("; "):
            key, _, value = part.partition("=")
            row[key.strip()] = value.strip()
        rows[row["file"]] = row
    return rows


def fuzz_found_dir() -> Path:
    """Mutated files that once broke the importer (shared data, beside the corpus)."""
    configured = os.environ.get("RESTRIDE_FUZZ_FOUND")
    if configured:
        return Path(configured)
    return corpus_dir().resolve().parent / "fuzz-found"


def fuzz_found_files() -> list[Path]:
    """Every file in fuzz-found (required in CI, like the corpus)."""
    folder = fuzz_found_dir()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() != ".md")
    if not files:
        message = f"no fuzz-found files at {folder}; set RESTRIDE_FUZZ_FOUND"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI always has them)")
        pytest.skip(message)
    return files
