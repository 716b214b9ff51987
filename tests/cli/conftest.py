"""What every CLI test shares: a fixed, wide terminal.

The tests read the CLI's text. Rich wraps it at the terminal's width (80 columns when output
is not a terminal), so a long path in a message would split wherever the column falls and a
test could pass or fail by where the corpus or the temporary folder happens to live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from restride.cli.app import err, out

if TYPE_CHECKING:
    from collections.abc import Iterator

WIDE = 10_000


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COLUMNS", str(WIDE))  # the CLI run as a subprocess
    before = (out.width, err.width)
    out.width = err.width = WIDE
    yield
    out.width, err.width = before
