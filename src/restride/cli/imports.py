"""`restride import` and `restride insights`: training history (commands registered on `app`)."""

from __future__ import annotations
