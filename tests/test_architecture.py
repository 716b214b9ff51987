"""The architecture stays visible: today's decision has one home.

The engine (`restride.domain.decide`, `restride.domain.engine`) is called by the composer of the
athlete's day (services/day.py, and the nightly refresh that batches it) and by the pure tools
that replay cases by design: `restride evaluate`, the simulation and the demos, and the report's
adherence table (past days only). A page, route, command or export that imported the engine
would be rebuilding the decision from raw history on its own, and the screens would disagree.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "restride"
ENGINE = {"restride.domain.decide", "restride.domain.engine"}
ALLOWED = {
    "services/day.py",  # the composer
    "services/refresh.py",  # the composer, many athletes at a time
    "simulation.py",
    "demos.py",
    "cli/evaluate.py",  # `restride evaluate CASE.json`: a case file, not stored history
}
PAST_DAYS_ONLY = {"exports/report.py": {"as_of", "decide_each_day"}}


def engine_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ENGINE:
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name in ENGINE}
    return names


def test_only_the_composer_and_the_pure_tools_call_the_engine() -> None:
    offenders = {}
    for path in SRC.rglob("*.py"):
        where = path.relative_to(SRC).as_posix()
        if where.startswith("domain/") or where in ALLOWED:
            continue
        used = engine_imports(path)
        allowed = PAST_DAYS_ONLY.get(where, set())
        if used - allowed:
            offenders[where] = sorted(used - allowed)
    assert offenders == {}


def test_the_domain_does_no_io() -> None:
    forbidden = {"sqlalchemy", "fastapi", "starlette", "httpx", "typer", "rich", "open"}
    for path in (SRC / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert (module or "").split(".")[0] not in forbidden, f"{path.name}: {module}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                raise AssertionError(f"{path.name} opens a file")
