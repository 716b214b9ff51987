"""One fuzzing worker: makes inputs (or reads files) and imports each, within limits.

Run as a process by test_fuzz.py and scripts/fuzz_importers.py. It reads JSON lines on stdin,
either {"fmt", "seed", "index"} (an input made by `fuzzing.make_input`) or {"file": PATH}, and
answers one JSON line each: the outcome, and the input's bytes when it failed (hex), so the
caller can keep it. Its address space is capped (RLIMIT_AS) and each parse has a timer; peak
memory past the budget ends the worker after it answers, so the next input starts fresh.

Outcomes: "ok" (every result an activity or restride's import error naming the file), and the
failures "harness" (the mutation itself failed: a bug of the fuzzer, not of restride), "crash"
(another exception escaped), "unnamed" (an import error that does not name the file), "net"
(the parsers' last-resort guard caught an exception they did not expect: the import goes on,
but the message cannot say where), "hang" (past the time limit), "memory" (past the memory
budget).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script: `tests` must be importable
    sys.path.insert(0, str(REPO))

from restride.importers import ImportProblem, iter_parse  # noqa: E402
from tests.importers import fuzzing  # noqa: E402

NET_PHRASE = "could not be read ("
MEMORY_PHRASE = "memory budget"


class ParseTimeout(BaseException):
    """Raised by the timer; a BaseException, so no parser's `except Exception` can keep it.

    The timer counts this process's CPU time (ITIMER_PROF), not the wall clock: a parse is
    "too slow" for what it costs, not for how busy the machine is (the long run shares two
    cores with test suites at nice 19)."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise ParseTimeout


def classify(path: Path) -> tuple[str, str, int]:
    """The outcome of importing `path`, a detail, and how many activities it gave."""
    activities = 0
    for result in iter_parse(path):
        activities += len(result.activities)
        problem = result.problem
        if problem is None:
            continue
        message = str(problem)
        if not isinstance(problem, ImportProblem):
            return "crash", f"not an ImportProblem: {problem!r}", activities
        if not message.startswith(str(path)):
            return "unnamed", message, activities
        if NET_PHRASE in message:
            return "net", message, activities
        if MEMORY_PHRASE in message:
            return "memory", message, activities
    return "ok", "", activities


def run_one(data: bytes, suffix: str, timeout_s: float, folder: str) -> dict[str, Any]:
    path = Path(folder) / f"input{suffix}"
    path.write_bytes(data)
    signal.setitimer(signal.ITIMER_PROF, timeout_s)
    try:
        outcome, detail, activities = classify(path)
    except ParseTimeout:
        outcome, detail, activities = "hang", f"no outcome within {timeout_s:g} s of CPU", 0
    except Exception:
        outcome, detail, activities = "crash", traceback.format_exc(limit=8), 0
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        path.unlink(missing_ok=True)
    return {"outcome": outcome, "detail": detail[-2000:], "activities": activities}


def main() -> None:
    config = json.loads(sys.argv[1])
    corpus = fuzzing.load_corpus(Path(config["corpus"]), config.get("max_base_bytes"))
    limit = int(config["address_space_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    budget_kb = int(config["peak_rss_bytes"]) // 1024
    signal.signal(signal.SIGPROF, _alarm)
    with tempfile.TemporaryDirectory(prefix="restride-fuzz-") as folder:
        for line in sys.stdin:
            task = json.loads(line)
            if "file" in task:
                data = Path(task["file"]).read_bytes()
                suffix = "".join(Path(task["file"]).suffixes[-2:]) or ".bin"
            else:
                try:
                    data = fuzzing.make_input(corpus, task["fmt"], task["seed"], task["index"])
                except Exception:  # the harness's own bug: say so, and go on with the next
                    answer = {"outcome": "harness", "detail": traceback.format_exc(limit=4)}
                    print(json.dumps(answer | {"task": task, "exiting": False}), flush=True)
                    continue
                suffix = fuzzing.EXTENSIONS[task["fmt"]]
            answer = run_one(data, suffix, float(config["timeout_s"]), folder)
            peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            over = peak_kb > budget_kb
            if over and answer["outcome"] == "ok":
                answer["outcome"] = "memory"
                answer["detail"] = f"peak memory {peak_kb // 1024} MB, budget {budget_kb // 1024}"
            answer |= {"task": task, "size": len(data), "peak_rss_kb": peak_kb, "exiting": over}
            if answer["outcome"] != "ok":
                answer["data"] = data.hex()
            print(json.dumps(answer), flush=True)
            if over:
                break  # the next worker starts with a fresh peak
    os._exit(0)


if __name__ == "__main__":
    main()
