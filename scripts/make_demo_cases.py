"""Regenerate the demo cases under src/restride/data/demo from the simulated seed runner.

Run: .venv/bin/python scripts/make_demo_cases.py   (tests/domain/test_demo_cases.py checks them)
"""

from __future__ import annotations

import sys
from pathlib import Path

from restride.demos import DEMO_BUILDERS, render_case

DEMO_DIR = Path(__file__).resolve().parent.parent / "src" / "restride" / "data" / "demo"


def main() -> int:
    for name, build in DEMO_BUILDERS.items():
        path = DEMO_DIR / f"{name}.json"
        path.write_text(render_case(build()), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
