"""restride's settings: every one an environment variable with a default and a line of help.

Bad values stop start-up with a message naming the variable (pydantic-settings validates them).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A RESTRIDE_* variable has a value restride cannot use."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESTRIDE_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("restride", appauthor=False)),
        description="Folder for restride's own files (the SQLite database by default).",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database; default: SQLite at DATA_DIR/restride.db. "
            "PostgreSQL: postgresql+psycopg://user@host/dbname"
        ),
    )
    busy_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description=(
            "Seconds a write waits for another writer's lock before answering busy"
            " (web: 503 with Retry-After; CLI: exit code 75)."
        ),
    )
    today: dt.date | None = Field(
        default=None,
        description="Pretend today is this date (YYYY-MM-DD): for demos and tests.",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'restride.db'}"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RESTRIDE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise SettingsError(problems) from None
