"""The README keeps up with the code: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

from restride.cli import app
from restride.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"RESTRIDE_{name.upper()}" in README, name


def test_every_command_is_documented_in_the_readme() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name or "" for g in app.registered_groups]
    for name in names:
        assert f"restride {name}" in README, name
