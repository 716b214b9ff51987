"""Browser tests: `restride serve --demo` in a subprocess on a free port (SQLite in a temp
folder), driven by Playwright with Debian's Chromium. Without /usr/bin/chromium they skip,
saying so; in CI (CI=true) they fail instead, because there they must run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser

CHROMIUM = Path(os.environ.get("RESTRIDE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TODAY = "2026-03-02"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium against `restride serve`")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running_server(folder: Path, today: str, port: int | None = None) -> Iterator[str]:
    """`restride serve --demo` on the SQLite file in `folder`, with `today` as its day; on
    `port` when given (a browser that stays open across days keeps one address)."""
    port = port or free_port()
    env = {
        **os.environ,
        "RESTRIDE_DATA_DIR": str(folder),
        "RESTRIDE_DATABASE_URL": database_url(folder),
        "RESTRIDE_TODAY": today,
    }
    command = [sys.executable, "-c", "from restride.cli import main; main()"]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--demo"], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/signin", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"restride serve did not start:\n{(folder / 'server.log').read_text()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()
    printed = (folder / "server.log").read_text()
    assert f"restride is running at {base}/" in printed


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'restride.db'}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("serve"), TODAY) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI the browser tests must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
