"""The domain core stays pure: no I/O, no clock, no web or database, nothing outside itself."""

from __future__ import annotations

import ast
from pathlib import Path

import restride.domain

DOMAIN = Path(restride.domain.__file__).parent
ALLOWED_ROOTS = {"__future__", "collections", "dataclasses", "datetime", "enum", "typing"}
ALLOWED_ROOTS |= {"functools", "itertools", "math", "numpy", "pydantic", "restride"}
FORBIDDEN_CALLS = {"open", "print", "input"}
CLOCK = {"today", "now", "utcnow", "time", "perf_counter"}


def imports_of(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_the_domain_imports_only_the_standard_library_pydantic_numpy_and_itself() -> None:
    for path in sorted(DOMAIN.glob("*.py")):
        for name in imports_of(ast.parse(path.read_text(encoding="utf-8"))):
            root = name.split(".")[0]
            assert root in ALLOWED_ROOTS, f"{path.name} imports {name}"
            if root == "restride":
                assert name.startswith("restride.domain"), f"{path.name} imports {name}"


def test_the_domain_never_reads_the_clock_or_touches_files() -> None:
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}"
                assert name not in CLOCK, f"{path.name}:{node.lineno} reads the clock ({name})"
