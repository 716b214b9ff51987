"""restride's settings: every one an environment variable with a default and a line of help.

Bad values stop start-up with a message naming the variable (pydantic-settings validates them).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


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
    job_stale_after_s: int = Field(
        default=120,
        ge=1,
        description="A running job with no sign of life for this many seconds is taken up "
        "again by another worker: its own died.",
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
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks (CIDR) of the reverse proxies in front of"
            " restride, whose X-Forwarded-For (and X-Forwarded-Proto) are believed; empty: none"
            " are, and the connection's own address is the client's."
        ),
    )
    today: dt.date | None = Field(
        default=None,
        description="Pretend today is this date (YYYY-MM-DD): for demos and tests.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in split_list(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    f"{part!r} is not an address or network (e.g. 10.0.0.0/8)"
                ) from None
        return value

    def proxy_networks(self) -> list[IPNetwork]:
        return [
            ipaddress.ip_network(part, strict=False) for part in split_list(self.trusted_proxies)
        ]

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
