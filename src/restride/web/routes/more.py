"""The "More" page: everything the four tabs at the bottom of a phone leave out."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from fastapi import APIRouter, Request
from fastapi.responses import Response

from restride.web.deps import SignedInUser
from restride.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/more")
def more_page(request: Request, me: SignedInUser) -> Response:
    return render(request, "more.html")
