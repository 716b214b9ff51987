"""Parse the files named on stdin, one JSON line out per file; run by test_corpus.py.

A separate process, so that a hang can be timed out and killed, a crash cannot take pytest
down, and memory can be watched. `pass` lines mark the end of a pass over the files.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback

from restride.importers import ImportProblem, iter_parse


def outcome(path: str) -> dict[str, object]:
    results = []
    try:
        for result in iter_parse(path):
            results.append(
                {
                    "source": result.source,
                    "format": result.format,
                    "problem": None if result.problem is None else type(result.problem).__name__,
                    "reason": None if result.problem is None else str(result.problem),
                    "activities": [
                        {
                            "sport": a.sport,
                            "start": a.start.isoformat(),
                            "partial": a.partial,
                            "warnings": list(a.warnings),
                            "records": 0 if a.samples is None else len(a.samples),
                        }
                        for a in result.activities
                    ],
                }
            )
    except ImportProblem as exc:  # iter_parse should have turned it into a result
        return {"file": path, "crash": f"ImportProblem escaped iter_parse: {exc}"}
    except Exception:
        return {"file": path, "crash": traceback.format_exc()}
    return {"file": path, "results": results}


def main() -> None:
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path == "pass":
            rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(json.dumps({"pass": True, "max_rss_kb": rss_kb}), flush=True)
            continue
        print(json.dumps(outcome(path)), flush=True)


if __name__ == "__main__":
    main()
