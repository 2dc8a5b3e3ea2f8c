"""One validated settings object, read from ``DEVSPEND_*`` environment variables.

Nothing reads the environment at import time: callers build a :class:`Settings`
with :func:`load_settings` and pass it down explicitly, so tests can run many
differently configured instances side by side.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from devspend.errors import ConfigError

# comma-separated in the environment ("a.example, b.example"), a tuple in Python
CommaList = Annotated[tuple[str, ...], NoDecode]


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("devspend", appauthor=False))


class Settings(BaseSettings):
    """Everything devspend can be configured with; see the README's table."""

    model_config = SettingsConfigDict(env_prefix="DEVSPEND_", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    secret_key: SecretStr | None = None

    cursor_base_url: str = "https://api.cursor.com"
    cursor_rpm: float = Field(default=20.0, gt=0)
    cursor_events_rpm: float = Field(default=60.0, gt=0)
    cursor_timeout_seconds: float = Field(default=30.0, gt=0)

    backfill_days: int = Field(default=365, ge=1, le=365)
    sync_lookback_hours: int = Field(default=48, ge=0)
    sync_interval_minutes: float = Field(default=60, gt=0)

    host: str = "127.0.0.1"
    port: int = 8000
    trusted_auth_header: str | None = None
    trusted_auth_domains: CommaList = ()
    session_max_age_seconds: int = 14 * 24 * 3600
    allowed_hosts: CommaList = ()
    trusted_proxies: CommaList = ()
    max_upload_mb: int = Field(default=256, ge=1)

    invoice_issuer_name: str = "Anysphere, Inc."
    owner_tag_key: str = "owner"
    focus_max_uncompressed_mb: int = Field(default=16384, ge=1)
    focus_max_compression_ratio: int = Field(default=100, ge=2)
    metrics: Literal["off", "token", "open"] = "off"
    log_format: Literal["text", "json"] = "text"

    public_url: str | None = None
    alert_anomaly_min_dollars: int = Field(default=25, ge=0)
    digest_channels: str | None = None
    digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_hour: int = Field(default=8, ge=0, le=23)

    @field_validator("cursor_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("allowed_hosts", "trusted_proxies", "trusted_auth_domains", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("allowed_hosts", "trusted_auth_domains")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(item.strip().lower() for item in value)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return value

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'devspend.db'}"

    @property
    def effective_public_url(self) -> str:
        """The dashboard's address as alerts link to it (``DEVSPEND_PUBLIC_URL``)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secret_key_file(self) -> Path:
        """Where a generated encryption key lives when ``DEVSPEND_SECRET_KEY`` is unset."""
        return self.data_dir / "secret.key"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides winning.

    A bad value becomes a :class:`ConfigError` naming the variable, so every face
    reports it in one plain line instead of a validation traceback.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"DEVSPEND_{'_'.join(str(p) for p in err['loc']).upper()}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid setting: {problems}") from None
