"""Reading activity files for an import on every core, results handed back in the order given.

Workers parse; the process that started them writes (see `imports.py`). A worker sends each
result as soon as it has it, so an archive's activities arrive one by one and a big export is
written, and can be resumed, while it is still being read. Samples stay behind in the worker:
nothing stores them, and they are most of a result's size. A file whose bytes hash to an
activity already stored is not parsed at all, so running an interrupted import again is quick.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import queue
from collections import defaultdict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from restride.importers import (
    ImportFileError,
    ImportProblem,
    ImportResult,
    iter_parse,
    parse_bytes,
    sniff,
)
from restride.importers.registry import read_file

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_DONE = "done"


@dataclass(frozen=True)
class Parsed:
    """One file's result without samples, and how many samples it had."""

    result: ImportResult
    records: int = 0
    stored_hash: str | None = None  # set when the file was recognised as stored, unparsed


def slim(result: ImportResult) -> Parsed:
    activities = tuple(dataclasses.replace(a, samples=None) for a in result.activities)
    return Parsed(dataclasses.replace(result, activities=activities), result.records)


def read_path(path: str, stored: frozenset[str] = frozenset()) -> Iterator[Parsed]:
    """Every result in `path`; a plain activity file whose hash is in `stored` is not parsed."""
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError:
        head = b""
    if sniff(head) not in ("fit", "gpx", "tcx"):  # archives, gzip, and what cannot be read
        for result in iter_parse(path):
            yield slim(result)
        return
    try:
        data = read_file(path)
    except ImportFileError as problem:
        yield Parsed(ImportResult(path, "", 0, problem=problem))
        return
    if stored:  # nothing stored, nothing to recognise: the parser hashes the bytes anyway
        digest = hashlib.sha256(data).hexdigest()
        if digest in stored:
            yield Parsed(ImportResult(path, sniff(data), len(data)), stored_hash=digest)
            return
    try:
        yield slim(parse_bytes(data, path))
    except ImportProblem as problem:
        yield Parsed(ImportResult(path, sniff(data), len(data), problem=problem))


# --- The worker side ------------------------------------------------------------------------------

_results: Any = None  # where a worker sends what it reads
_stored: frozenset[str] = frozenset()


def _start_worker(results: Any, stored: frozenset[str]) -> None:
    global _results, _stored
    _results, _stored = results, stored


def _read(index: int, path: str) -> None:
    """In a worker: send each result of `path` as soon as it is read, then _DONE."""
    try:
        for parsed in read_path(path, _stored):
            _results.put((index, parsed))
    except Exception as exc:  # a reader's bug must not cost the other files
        problem = ImportFileError(path, f"could not be read ({exc.__class__.__name__}: {exc})")
        _results.put((index, Parsed(ImportResult(path, "", 0, problem=problem))))
    _results.put((index, _DONE))


# --- The side that writes -------------------------------------------------------------------------


def read_all(
    paths: Sequence[str], workers: int | None = None, stored: frozenset[str] = frozenset()
) -> Iterator[tuple[int, Parsed]]:
    """Every result of every path, path by path in the order given, each as soon as it is read.

    The reading runs on `workers` processes (default: every core); with one, in this process.
    """
    workers = min(workers or os.cpu_count() or 1, len(paths))
    if workers <= 1:
        for index, path in enumerate(paths):
            for parsed in read_path(path, stored):
                yield index, parsed
        return
    context = multiprocessing.get_context()
    results = context.Queue()
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(results, stored)
    )
    try:
        futures = [pool.submit(_read, i, p) for i, p in enumerate(paths)]
        waiting: dict[int, deque[Parsed]] = defaultdict(deque)
        done: set[int] = set()
        current = 0
        while current < len(paths):
            while waiting[current]:
                yield current, waiting[current].popleft()
            if current in done:
                del waiting[current]
                current += 1
                continue
            try:
                index, item = results.get(timeout=0.5)
            except queue.Empty:
                _fail_the_lost(futures, paths, done, waiting)
                continue
            if isinstance(item, Parsed):
                waiting[index].append(item)
            else:
                done.add(index)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _fail_the_lost(
    futures: list[Future[None]],
    paths: Sequence[str],
    done: set[int],
    waiting: dict[int, deque[Parsed]],
) -> None:
    """A worker that died (killed, out of memory) never sends _DONE: fail its file instead."""
    for index, future in enumerate(futures):
        if index not in done and future.done() and future.exception() is not None:
            problem = ImportFileError(paths[index], "the process reading it stopped unexpectedly")
            waiting[index].append(Parsed(ImportResult(paths[index], "", 0, problem=problem)))
            done.add(index)
