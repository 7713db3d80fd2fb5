"""The one place that reads the environment: typed settings with the ``ADUAN_`` prefix."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "apply_prefect_defaults", "get_settings"]


class Settings(BaseSettings):
    """Every setting of aduan. Each field is documented in README.md (a test checks)."""

    model_config = SettingsConfigDict(
        env_prefix="ADUAN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("var"),
        description="Directory for the SQLite file, Prefect's local state and logs.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is a SQLite file in data_dir.",
    )
    x_bearer_token: SecretStr | None = Field(
        default=None, description="X API v2 bearer token; without it the X source is disabled."
    )
    x_api_base_url: str | None = Field(
        default=None,
        description="Replacement for https://api.twitter.com (tests replay recorded responses).",
    )
    x_max_pages: int = Field(
        default=5, ge=1, le=100, description="Pages of 100 posts per X query and run."
    )
    x_requests_per_minute: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="X API requests per minute over all flow runs (a Prefect rate limit); "
        "4 = the 60 per 15 minutes of X's Basic tier for recent search.",
    )
    x_wait_on_rate_limit: bool = Field(
        default=False,
        description="On X's 429, sleep until the reset instead of ending the run.",
    )
    feeds_file: Path | None = Field(
        default=None,
        description="YAML list of feeds; default is the bundled sample feeds.",
    )
    landmarks_file: Path | None = Field(
        default=None,
        description="YAML of more landmarks (as classifier/data/landmarks.yaml), added to those.",
    )
    model_dir: Path | None = Field(
        default=None, description="Directory of classifier models; default data_dir/models."
    )
    timezone: str = Field(default="Asia/Makassar", description="Time zone shown to admins (WITA).")
    follow_up_days: int = Field(
        default=3, ge=1, le=60, description="Working days an SKPD has to follow up a complaint."
    )
    http_timeout: float = Field(
        default=20.0, gt=0, le=300, description="Seconds before an HTTP request gives up."
    )
    http_deadline: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Seconds one fetch (a feed, a page, robots.txt) may take in all, however "
        "slowly the server sends; then it fails as that source's error.",
    )
    fetch_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Article pages fetched at once by one run, over all sites.",
    )
    fetch_per_host: int = Field(
        default=4,
        ge=1,
        le=16,
        description="Article pages fetched at once from one site (1 when its robots.txt sets "
        "a Crawl-delay).",
    )
    fetch_host_delay: float = Field(
        default=0.0,
        ge=0,
        le=60,
        description="Minimum seconds between two requests to one site; a robots.txt "
        "Crawl-delay (up to 30 s) wins when larger.",
    )
    fetch_processes: int = Field(
        default=1,
        ge=0,
        le=16,
        description="Worker processes that fetch, extract and store article pages beside the "
        "clustering and tagging of the run (0: in the run's own process). The politeness "
        "limits are shared out among them.",
    )
    prefect_startup_timeout: float = Field(
        default=120.0,
        gt=0,
        le=900,
        description="Seconds to wait for the local Prefect server that `aduan ingest` starts "
        "when PREFECT_API_URL is not set.",
    )
    user_agent: str = Field(
        default="aduan/0.1 (+https://lapor.go.id; Diskominfo Kalsel)",
        description="User-Agent sent by the collectors.",
    )

    holidays_file: Path | None = Field(
        default=None,
        description="YAML of public holidays for follow-up deadlines; default is the bundled "
        "Indonesian list.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Secret for the public form's anti-forgery tokens; default is a random "
        "key kept in data_dir/secret_key.",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send cookies only over HTTPS; default is on when the request came over "
        "HTTPS (set true behind a TLS proxy).",
    )
    session_hours: int = Field(
        default=12, ge=1, le=720, description="Hours a web login stays valid without activity."
    )
    public_url: str | None = Field(
        default=None,
        description="Public address of the web app (for the QR code), e.g. "
        "https://aduan.kalselprov.go.id; default is the address of the request.",
    )
    trusted_proxies: str | None = Field(
        default=None,
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (e.g. 127.0.0.1 when nginx runs on the same host); "
        "default none: the client address is the TCP peer.",
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for overdue reminders; without it reminders are only listed "
        "in the overdue flow run's artifact and log.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS (port 587)."
    )
    smtp_from: str = Field(
        default="LAPOR PAMAN <noreply@localhost>",
        description="Sender address of reminder e-mails.",
    )
    serve_limit: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Flow runs `aduan serve` executes at the same time (all deployments).",
    )
    intake_per_hour: int = Field(
        default=5, ge=1, le=1000, description="Public form submissions allowed per IP and hour."
    )
    attachment_max_mb: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Largest photo or PDF (MB) an officer may attach to a follow-up note.",
    )
    relevance_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Collected items scoring below this relevance wait in the separate "
        "queue view 'kemungkinan bukan aduan' (public-form and imported items never do).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"zona waktu tidak dikenal: {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'aduan.db'}"

    @property
    def resolved_model_dir(self) -> Path:
        return (self.model_dir or self.resolved_data_dir / "models").expanduser().resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()


def apply_prefect_defaults(settings: Settings) -> None:
    """Point Prefect's local mode at our data directory, before Prefect is imported.

    Values already set by the operator (for example ``PREFECT_API_URL`` for a real
    server) are kept.
    """
    defaults = {
        "PREFECT_HOME": str(settings.resolved_data_dir / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
