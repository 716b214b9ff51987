"""Exports for the runner's calendar, watch and therapist (commands registered on `app`)."""

from __future__ import annotations
