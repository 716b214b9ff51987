"""Request bodies are capped while they are read, on every route, before sign-in and CSRF:
a real `restride serve` answers 413 to a body that passes its cap, with or without a
Content-Length, without waiting for (or storing) the rest of it."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from restride.web.body_limit import ANONYMOUS_BYTES, SIGNED_IN_BYTES
from tests.browser.conftest import TODAY, running_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.web.conftest import People

REPLY_TIMEOUT_S = 60  # a reply that never comes fails the test instead of hanging it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with running_server(tmp_path_factory.mktemp("limit"), TODAY) as base:
        parts = urlsplit(base)
        yield parts.hostname or "127.0.0.1", parts.port or 80


def status_of(sock: socket.socket) -> int:
    sock.settimeout(REPLY_TIMEOUT_S)
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])


def request_head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_4_gib_anonymous_post_is_refused_before_its_body_is_sent(
    server: tuple[str, int],
) -> None:
    with socket.create_connection(server) as sock:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(4 * 1024**3),
        }
        sock.sendall(request_head("/signin", headers))  # and not one byte of the body

        assert status_of(sock) == 413


@pytest.mark.parametrize("path", ["/signin", "/signup", "/reset", "/api/checkins"])
def test_an_anonymous_body_without_content_length_is_cut_off_at_its_cap(
    server: tuple[str, int], path: str
) -> None:
    with socket.create_connection(server) as sock:
        form = "application/x-www-form-urlencoded"  # read by the CSRF check, so by the limit
        headers = {"Content-Type": form, "Transfer-Encoding": "chunked"}
        sock.sendall(request_head(path, headers))
        chunk = b"x" * 16 * 1024
        for _ in range(ANONYMOUS_BYTES // len(chunk) + 1):  # just past the cap, and no end
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")

        assert status_of(sock) == 413  # answered although the body never ended


def test_a_signed_in_json_body_past_its_cap_is_refused_with_json(people: People) -> None:
    big = b'{"notes": "' + b"x" * SIGNED_IN_BYTES + b'"}'

    declared = people.alice.client.post(
        "/api/checkins",
        content=big,
        headers={"X-CSRF-Token": people.alice.csrf, "Content-Type": "application/json"},
    )
    streamed = people.alice.client.post(
        "/api/checkins",
        content=iter([big[:SIGNED_IN_BYTES], big[SIGNED_IN_BYTES:]]),  # chunked: no length
        headers={"X-CSRF-Token": people.alice.csrf, "Content-Type": "application/json"},
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert "too large" in response.json()["error"]


def test_a_form_past_its_cap_gets_the_page_that_says_so(people: People) -> None:
    response = people.anonymous().post(
        "/signin", data={"email": "a@example.org", "password": "x" * ANONYMOUS_BYTES}
    )

    assert response.status_code == 413
    assert "too large" in response.text and "KB" in response.text


def test_bodies_under_the_caps_still_work(people: People, tmp_path: Path) -> None:
    response = people.alice.client.post(
        "/api/checkins",
        json={"pain_walking": 1, "notes": "n" * 1000},
        headers={"X-CSRF-Token": people.alice.csrf},
    )

    assert response.status_code == 201, response.text


def test_check_in_notes_are_capped_with_a_message_naming_the_field(people: People) -> None:
    response = people.alice.client.post(
        "/api/checkins",
        json={"pain_walking": 1, "notes": "n" * 2001},
        headers={"X-CSRF-Token": people.alice.csrf},
    )

    assert response.status_code == 422
    assert response.json()["error"] == "notes: at most 2000 characters (got 2001)"


def test_a_clinicians_reason_is_capped_with_a_message_naming_the_field(people: People) -> None:
    """The timeline's form cuts a reason to 2000 characters; every other way in is refused."""
    import pytest

    from restride.domain.case import ClinicianEvent
    from restride.services import sharing
    from restride.services.errors import InvalidInputError
    from tests.web.conftest import TODAY

    event = ClinicianEvent(date=TODAY, kind="note", reason="r" * 2001)
    with pytest.raises(InvalidInputError, match=r"reason: at most 2000 characters \(got 2001\)"):
        sharing.record_clinician_event(
            people.db, people.alice.id, event, today=TODAY, clinician_id=people.bob.id
        )
