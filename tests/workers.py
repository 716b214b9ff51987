"""A real `restride worker` process for the tests that run background jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A worker on `env`'s database until the block ends (stopped as Ctrl+C would)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "restride.cli", "worker"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
