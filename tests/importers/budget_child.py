"""Import one file and report how much memory it took: run by test_hostile_files.py in a
process of its own, so that its peak memory is this file's alone."""

from __future__ import annotations

import json
import resource
import sys

import restride.importers.garmin
import restride.importers.strava  # noqa: F401 - loaded before the baseline is taken
from restride.importers import iter_parse


def main() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = [
        {
            "source": r.source,
            "problem": None if r.problem is None else str(r.problem),
            "activities": len(r.activities),
            "partial": any(a.partial for a in r.activities),
            "warnings": [w for a in r.activities for w in a.warnings],
            "records": r.records,
        }
        for r in iter_parse(sys.argv[1])
    ]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"growth_kb": after - before, "results": results}))


if __name__ == "__main__":
    main()
