"""restride's command line: Typer commands that parse input, call the core or a service, print.

Each module registers its commands on the one `app`.
"""

from __future__ import annotations

from restride.cli import (
    archive,
    daily,
    evaluate,
    exports,
    imports,
    maintenance,
    protocols,
    serve,
    sharing,
)
from restride.cli.app import app

__all__ = [
    "app",
    "archive",
    "daily",
    "evaluate",
    "exports",
    "imports",
    "main",
    "maintenance",
    "protocols",
    "serve",
    "sharing",
]


def main() -> None:
    app()
