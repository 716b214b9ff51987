"""The daily workflow: init, checkin, today, plan, log, history (commands registered on `app`)."""

from __future__ import annotations
