"""The web app as uvicorn's worker processes build it (`restride serve --workers N`): each
process opens the database from the settings and keeps nothing another worker needs."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from restride.settings import load_settings
from restride.storage.database import Database
from restride.web.app import DemoSignIn, create_app

if TYPE_CHECKING:
    from fastapi import FastAPI

# `restride serve --demo` hands its demo sign-ins (public demo accounts) to its workers here.
DEMO_SIGN_INS = "RESTRIDE_SERVE_DEMO_SIGN_INS"


def app() -> FastAPI:
    settings = load_settings()
    demos = [DemoSignIn(**entry) for entry in json.loads(os.environ.get(DEMO_SIGN_INS, "[]"))]
    return create_app(Database(settings.resolved_database_url()), demo_sign_ins=demos)
