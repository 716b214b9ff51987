"""Fuzz the importers for as long as you like: mutated FIT, GPX, TCX, gzip and zip files.

    .venv/bin/python scripts/fuzz_importers.py --inputs 1000000 --out fuzz-run

Inputs are made from the corpus (../shared/data/activities, or RESTRIDE_ACTIVITY_CORPUS) by
tests/importers/fuzzing.py, deterministically from --seed and each input's index, split evenly
over the formats, and imported in worker processes with a time limit and a memory budget each.
The only allowed outcome is an activity or restride's import error naming the file; every
other input is written to OUT/failures/ (keep it as a regression file:
tests/importers/fuzz_regressions/). The run is resumable: OUT/state.json records the inputs
done, and running the same command again carries on from there. Ctrl+C (or SIGTERM) stops
cleanly.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.importers import fuzzing  # noqa: E402
from tests.importers.conftest import corpus_dir  # noqa: E402
from tests.importers.fuzz_pool import FuzzPool, Limits  # noqa: E402

SAVE_EVERY_S = 30.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs in all, all formats")
    parser.add_argument("--formats", default=",".join(fuzzing.FORMATS))
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-run"))
    parser.add_argument("--timeout", type=float, default=10.0, help="CPU seconds per parse")
    parser.add_argument("--memory-mb", type=int, default=1024, help="peak memory budget")
    return parser.parse_args()


def load_state(path: Path, seed: int, formats: list[str]) -> dict[str, Any]:
    if path.exists():
        state: dict[str, Any] = json.loads(path.read_text())
        if state["seed"] != seed:
            sys.exit(f"{path} is a run with seed {state['seed']}: use another --out")
        for fmt in formats:
            state["done"].setdefault(fmt, 0)
            state["outcomes"].setdefault(fmt, {})
        return state
    return {
        "seed": seed,
        "done": dict.fromkeys(formats, 0),
        "outcomes": {fmt: {} for fmt in formats},
        "seconds": 0.0,
    }


def save_state(path: Path, state: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True))
    temporary.replace(path)


def keep_failure(folder: Path, answer: dict[str, Any], corpus: fuzzing.Corpus) -> Path:
    task = answer["task"]
    if "data" in answer:
        data = bytes.fromhex(answer["data"])
    else:  # killed or died before it could answer: make the input again
        try:
            data = fuzzing.make_input(corpus, task["fmt"], task["seed"], task["index"])
        except Exception:  # the harness's own bug: keep what it said
            data = b""
    digest = hashlib.sha256(data).hexdigest()[:12]
    name = f"{task['fmt']}-{answer['outcome']}-{task['index']}-{digest}"
    path = folder / (name + fuzzing.EXTENSIONS[task["fmt"]])
    path.write_bytes(data)
    path.with_suffix(".txt").write_text(answer.get("detail", "") + "\n")
    return path


def _stop(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # saved and stopped like Ctrl+C (a background job ignores SIGINT)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args()
    formats = args.formats.split(",")
    per_format = args.inputs // len(formats)
    folder = corpus_dir().resolve()
    failures = args.out / "failures"
    failures.mkdir(parents=True, exist_ok=True)
    state_path = args.out / "state.json"
    state = load_state(state_path, args.seed, formats)
    corpus = fuzzing.load_corpus(folder)
    # In flight: a task is done only once answered, so resuming re-runs what was cut off.
    answered: dict[str, set[int]] = collections.defaultdict(set)

    def tasks() -> Any:
        starts = {fmt: state["done"][fmt] for fmt in formats}
        for offset in range(per_format):
            for fmt in formats:
                index = starts[fmt] + offset
                if index < per_format:
                    yield {"fmt": fmt, "seed": args.seed, "index": index}

    limits = Limits(timeout_s=args.timeout, peak_rss_bytes=args.memory_mb * 1024**2)
    pool = FuzzPool(folder, args.workers, limits)
    started = time.monotonic()
    last_save = started
    try:
        for answer in pool.run(tasks()):
            fmt, index, outcome = answer["task"]["fmt"], answer["task"]["index"], answer["outcome"]
            answered[fmt].add(index)
            while state["done"][fmt] in answered[fmt]:
                answered[fmt].discard(state["done"][fmt])
                state["done"][fmt] += 1
            counts = state["outcomes"][fmt]
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome != "ok":
                kept = keep_failure(failures, answer, corpus)
                print(f"{outcome}: {kept}: {answer.get('detail', '')[:200]}", flush=True)
            now = time.monotonic()
            if now - last_save > SAVE_EVERY_S:
                state["seconds"] += now - last_save
                last_save = now
                save_state(state_path, state)
                total = sum(state["done"].values())
                print(f"{total} inputs done: {json.dumps(state['done'])}", flush=True)
    except KeyboardInterrupt:
        print("stopped; run the same command again to carry on", file=sys.stderr)
    finally:
        pool.close()
        state["seconds"] += time.monotonic() - last_save
        save_state(state_path, state)
    print(json.dumps({"done": state["done"], "outcomes": state["outcomes"]}, indent=1))


if __name__ == "__main__":
    main()
