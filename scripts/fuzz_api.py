"""schemathesis over the JSON API with many cases, as each persona, on SQLite and PostgreSQL.

    .venv/bin/python scripts/fuzz_api.py [EXAMPLES]

Runs tests/web/test_api_fuzz.py with EXAMPLES cases per operation, strategy and persona
(default 500; the test suite runs 15) and prints the number of cases by persona and status.
Deterministic: the same EXAMPLES give the same cases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    examples = sys.argv[1] if len(sys.argv) > 1 else "500"
    env = {**os.environ, "RESTRIDE_API_FUZZ_EXAMPLES": examples}
    test = "tests/web/test_api_fuzz.py"
    done = subprocess.run(  # noqa: S603 - this interpreter, running pytest
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:warnings", test],
        cwd=REPO,
        env=env,
        check=False,
    )
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
