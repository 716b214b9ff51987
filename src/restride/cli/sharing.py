"""Sharing with a therapist, clinician events and closing an episode (commands on `app`)."""

from __future__ import annotations
