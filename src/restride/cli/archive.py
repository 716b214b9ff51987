"""`restride export` and `restride restore`: the whole record as one versioned JSON archive."""

from __future__ import annotations
