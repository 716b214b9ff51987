"""Request bodies are capped while they are read, before sign-in, CSRF or any form parsing.

A plain ASGI middleware: a declared Content-Length past the cap is refused before a byte is
read, and a body without one (chunked) is counted as it arrives and refused the moment it
passes the cap, so nothing larger is ever buffered or spooled to disk. The cap depends on who
may be asking, judged only from the request itself: without a session cookie, a body is a
sign-in, sign-up or reset form (small); with one, a form or JSON; the upload route alone
takes activity files. (Starlette's RequestBodyLimitMiddleware, and FastAPI's `max_body_size`,
give one limit per app or route whoever asks; an anonymous sign-in needs a smaller one.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request

if TYPE_CHECKING:
    from collections.abc import Collection

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A sign-in or sign-up form is well under a kilobyte.
ANONYMOUS_BYTES = 64 * 1024
# A check-in with its notes, a clinician's note, a shoe: far under this.
SIGNED_IN_BYTES = 1024 * 1024


class BodyTooLargeError(HTTPException):
    """The request body passed its cap; `limit` is the cap in bytes.

    An HTTPException, so that FastAPI's body parsing passes it on as it is (it turns other
    exceptions met while reading a form into a 400) and errors.py answers it with 413.
    """

    def __init__(self, limit: int, upload: bool) -> None:
        self.limit = limit
        self.upload = upload
        super().__init__(413, too_large_message(limit, upload))


def too_large_message(limit: int, upload: bool) -> str:
    if upload:
        return (
            f"That upload is too large: the limit is {limit / 1024 / 1024:.0f} MB for all files"
            " together. Upload the files in smaller batches, or a smaller zip."
        )
    return f"That request is too large: at most {max(1, limit // 1024)} KB is accepted here."


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        session_cookie: str,
        upload_paths: Collection[str],
        upload_bytes: int,
        anonymous_bytes: int = ANONYMOUS_BYTES,
        signed_in_bytes: int = SIGNED_IN_BYTES,
    ) -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.upload_paths = frozenset(upload_paths)
        self.upload_bytes = upload_bytes
        self.anonymous_bytes = anonymous_bytes
        self.signed_in_bytes = signed_in_bytes

    def limit_for(self, request: Request) -> tuple[int, bool]:
        """The cap for this request, and whether it is an upload."""
        if not request.cookies.get(self.session_cookie):
            return self.anonymous_bytes, False
        if request.method == "POST" and request.url.path in self.upload_paths:
            return max(self.upload_bytes, self.signed_in_bytes), True
        return self.signed_in_bytes, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limit, upload = self.limit_for(request)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await refuse(request, BodyTooLargeError(limit, upload), send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit, upload)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLargeError as exc:
            # The app's own handler answers it (errors.py); this is for a read outside it.
            if started:
                raise
            await refuse(request, exc, send)


async def refuse(request: Request, exc: BodyTooLargeError, send: Send) -> None:
    # Imported here: errors renders pages, which import the app's dependencies.
    from restride.web.errors import error_response

    response = error_response(request, 413, exc.detail)
    response.headers["Connection"] = "close"  # the rest of the body is not read

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(request.scope, nothing, send)
