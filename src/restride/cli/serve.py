"""`restride serve`: the local web app (command registered on `app`)."""

from __future__ import annotations
