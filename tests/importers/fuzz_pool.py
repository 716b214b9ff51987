"""Worker processes for fuzzing: hand out tasks, collect outcomes, kill what hangs.

Each worker (fuzz_worker.py) takes one task at a time. A worker that does not answer within
its deadline is killed and the task counts as a hang; one that exits (memory budget, crash of
the interpreter) is replaced. Used by test_fuzz.py and scripts/fuzz_importers.py.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

WORKER = Path(__file__).with_name("fuzz_worker.py")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0  # CPU seconds for one parse, timed inside the worker
    address_space_bytes: int = 4 * 1024**3  # RLIMIT_AS of a worker
    peak_rss_bytes: int = 1024**3  # past this, the input counts as a memory failure
    max_base_bytes: int | None = None  # only corpus files up to this size are mutated


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    task: dict[str, Any] | None = None
    deadline: float = 0.0
    buffer: list[str] = field(default_factory=list)


class FuzzPool:
    def __init__(self, corpus: Path, workers: int, limits: Limits) -> None:
        self.config = json.dumps(
            {
                "corpus": str(corpus),
                "timeout_s": limits.timeout_s,
                "address_space_bytes": limits.address_space_bytes,
                "peak_rss_bytes": limits.peak_rss_bytes,
                "max_base_bytes": limits.max_base_bytes,
            }
        )
        self.limits = limits
        self.workers = [self._start() for _ in range(workers)]

    def _start(self) -> _Worker:
        process = subprocess.Popen(
            [sys.executable, str(WORKER), self.config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        return _Worker(process)

    def _give(self, worker: _Worker, task: dict[str, Any]) -> None:
        assert worker.process.stdin is not None
        worker.task = task
        # Wall-clock, only for a hang the CPU timer cannot stop (inside C code): generous, as
        # a fresh worker loads the corpus and NumPy, and at nice 19 gets little of the CPU.
        worker.deadline = time.monotonic() + self.limits.timeout_s * 20 + 120
        worker.process.stdin.write(json.dumps(task) + "\n")
        worker.process.stdin.flush()

    def _replace(self, worker: _Worker) -> _Worker:
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()
        return self._start()

    def run(self, tasks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Outcomes of `tasks`, in the order they finish."""
        pending = iter(tasks)
        exhausted = False
        while True:
            for worker in self.workers:
                if worker.task is None and not exhausted:
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                    else:
                        self._give(worker, task)
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return
            streams = {w.process.stdout: w for w in busy if w.process.stdout is not None}
            ready, _, _ = select.select(list(streams), [], [], 1.0)
            now = time.monotonic()
            for stream in ready:
                worker = streams[stream]
                line = stream.readline()
                task = worker.task
                assert task is not None
                worker.task = None
                index = self.workers.index(worker)
                if not line:  # the worker died without answering
                    code = worker.process.wait()
                    self.workers[index] = self._replace(worker)
                    yield {"task": task, "outcome": "crash", "detail": f"worker exit {code}"}
                    continue
                answer: dict[str, Any] = json.loads(line)
                if answer.get("exiting"):
                    self.workers[index] = self._replace(worker)
                yield answer
            for i, worker in enumerate(self.workers):
                if worker.task is not None and now > worker.deadline:
                    task = worker.task
                    self.workers[i] = self._replace(worker)
                    yield {"task": task, "outcome": "hang", "detail": "killed past its deadline"}

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in self.workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
