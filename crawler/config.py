"""Configuration: ``govwatch.toml`` overlaid by ``GOVWATCH_*`` environment variables.

No configuration at all is a valid, complete setup (the embedded default): SQLite under the
data directory, the packaged topics and source registry, polite crawling. Nested keys are set
from the environment with a double underscore: ``GOVWATCH_CRAWL__DOWNLOAD_DELAY=5``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from crawler.browser.pool import BrowserSettings
from crawler.fetch.identity import BROWSER_USER_AGENT
from spiders.errors import UserError

CONFIG_ENV = "GOVWATCH_CONFIG"
DEFAULT_CONFIG_FILE = Path("govwatch.toml")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "govwatch"


class CrawlSettings(BaseModel):
    """How hard govwatch may press on a site. The defaults are polite to real government sites."""

    model_config = ConfigDict(extra="forbid")
    polite: bool = Field(
        True, description="false turns delays and per-domain limits off (replica, benchmarks)"
    )
    download_delay: float = Field(2.0, ge=0, description="seconds between requests to one host")
    concurrent_per_domain: int = Field(1, ge=1, le=16)
    concurrent_total: int = Field(16, ge=1, le=256)
    timeout: float = Field(30.0, gt=0, description="seconds before a request is given up")
    retries: int = Field(3, ge=0, le=10)
    max_pages: int = Field(5, ge=1, description="list pages per source and run at most")
    max_download_mb: int = Field(20, ge=1)
    user_agent: str = BROWSER_USER_AGENT
    obey_robots_txt: bool = False
    attachments: bool = Field(True, description="read PDF/DOCX/… files linked from documents")
    max_attachments: int = Field(5, ge=0, le=20, description="attachments read per document")
    max_attachment_mb: int = Field(20, ge=1)
    recheck_days: int = Field(
        30, ge=0, description="re-read known documents published within this many days (0: off)"
    )
    recheck_every_hours: float = Field(
        24, gt=0, description="how often each such document's page is fetched again"
    )
    recheck_per_run: int = Field(20, ge=0, le=1000, description="re-checks per crawl at most")


class Route(BaseModel):
    """Which alerts a channel takes; an absent key means all."""

    model_config = ConfigDict(extra="forbid")
    topics: list[str] | None = None
    provinces: list[str] | None = Field(None, description="pinyin, Chinese name or code")
    kinds: list[str] | None = Field(None, description="work_report, policy, procurement …")
    events: list[Literal["document.new", "document.updated", "health"]] | None = None

    @field_validator("provinces")
    @classmethod
    def _known_provinces(cls, names: list[str] | None) -> list[str] | None:
        from spiders.provinces import resolve_province

        try:
            return [resolve_province(n).code for n in names] if names is not None else None
        except UserError as exc:  # reported with the file and key by load_settings
            raise ValueError(str(exc)) from None

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str] | None) -> list[str] | None:
        from spiders.registry import KINDS

        for kind in kinds or ():
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        return kinds


class ChannelConfig(BaseModel):
    """One ``[[channels]]`` table: common keys here, the type's own keys checked by its model."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: str
    mode: Literal["instant", "hourly", "daily"] = "instant"
    daily_at: str = Field("08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    route: Route = Field(default_factory=lambda: Route())  # type: ignore[call-arg]

    @model_validator(mode="after")
    def _type_settings(self) -> ChannelConfig:
        from crawler.alerts.channels import CHANNEL_TYPES

        if self.type not in CHANNEL_TYPES:
            known = ", ".join(sorted(CHANNEL_TYPES))
            raise ValueError(f"unknown channel type {self.type!r} (known: {known})")
        CHANNEL_TYPES[self.type].Settings.model_validate(self.model_extra or {})
        return self

    def type_settings(self) -> BaseModel:
        from crawler.alerts.channels import CHANNEL_TYPES

        return CHANNEL_TYPES[self.type].Settings.model_validate(self.model_extra or {})


class AlertSettings(BaseModel):
    """How alerts are decided and delivered."""

    model_config = ConfigDict(extra="forbid")
    backfill_days: int = Field(7, ge=0, description="a source's first crawl alerts only newer")
    max_attempts: int = Field(50, ge=1)
    max_age_hours: float = Field(48, gt=0, description="after this, a delivery is dead")
    backoff_base_seconds: float = Field(30, gt=0)
    backoff_cap_seconds: float = Field(900, gt=0)
    lease_seconds: float = Field(300, gt=0, description="a send not confirmed by then is retried")
    templates_dir: Path | None = None
    failures_in_a_row: int = Field(3, ge=1, description="failed runs before source.failing")
    empty_after_items: int = Field(5, ge=1, description="items a source listed before empty alerts")
    health_group_seconds: float = Field(
        60, ge=0, description="the service sends health events this close together as one alert"
    )


class ServiceSettings(BaseModel):
    """The long-lived service (``govwatch run`` / ``govwatch worker``)."""

    model_config = ConfigDict(extra="forbid")
    workers: int = Field(
        1, ge=0, le=32, description="crawl workers (each a long-lived crawl-engine process)"
    )
    crawls_per_worker: int = Field(
        16, ge=1, le=256, description="crawls one worker's engine runs at once"
    )
    http_host: str = "127.0.0.1"
    token_env: str = Field(
        "GOVWATCH_SERVICE_TOKEN",
        description="environment variable holding the token POST /jobs needs (required "
        "when http_host is not a loopback address)",
    )
    http_port: int = Field(8420, ge=0, le=65535, description="health, metrics, queued crawls")
    crawl_timeout: float = Field(1800, gt=0, description="a crawl running longer is ended")
    visibility_timeout: float = Field(3600, gt=0, description="a dead worker's job is retaken")
    worker_max_jobs: int | None = Field(
        10000, ge=1, description="start a fresh engine process after this many crawls"
    )
    worker_max_memory_mb: int | None = Field(
        800, ge=100, description="start a fresh engine process above this resident memory"
    )
    notify_every: float = Field(10, gt=0, description="seconds between delivery rounds")
    registry_reload: float = Field(60, gt=0, description="seconds between registry checks")
    leader_ttl: float = Field(15, gt=1, description="seconds a dead scheduler keeps the lead")
    first_run_within: float = Field(
        300, ge=0, description="new and overdue sources start within this after a start"
    )


class WebSettings(BaseModel):
    """The dashboard: served by ``govwatch run`` on ``service.http_port`` and by
    ``govwatch serve`` on ``web.host``/``web.port``. The password never stands in this file:
    it is read from the environment variable ``password_env`` or from ``password_file``."""

    model_config = ConfigDict(extra="forbid")
    host: str = Field("127.0.0.1", description="address `govwatch serve` listens on")
    port: int = Field(8421, ge=0, le=65535, description="port of `govwatch serve` (0: any)")
    password_env: str = Field(
        "GOVWATCH_WEB_PASSWORD",
        description="environment variable holding the dashboard's password (required when "
        "it listens on an address other than loopback); also the API's bearer token",
    )
    password_file: Path | None = Field(
        None, description="a file holding the password (its first line), instead of the env"
    )
    public_read: bool = Field(
        False, description="with a password: reading needs no login, only actions do"
    )
    session_hours: float = Field(12, gt=0, description="a login lasts this long")


class Settings(BaseSettings):
    """Everything configurable. Paths left unset take the embedded defaults."""

    model_config = SettingsConfigDict(
        env_prefix="GOVWATCH_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; SQLite in data_dir if unset"
    )
    redis_url: str | None = None
    topics_file: Path | None = None
    registry_dir: Path | None = None
    replica_url: str | None = Field(
        None, description="serve every source from this replica of the government web"
    )
    log_level: str = Field("WARNING", pattern="^(TRACE|DEBUG|INFO|SUCCESS|WARNING|ERROR)$")
    log_json: bool = False
    crawl: CrawlSettings = Field(default_factory=lambda: CrawlSettings())  # type: ignore[call-arg]
    alerts: AlertSettings = Field(default_factory=lambda: AlertSettings())  # type: ignore[call-arg]
    channels: list[ChannelConfig] = []
    service: ServiceSettings = Field(default_factory=lambda: ServiceSettings())  # type: ignore[call-arg]
    browser: BrowserSettings = Field(default_factory=lambda: BrowserSettings())  # type: ignore[call-arg]
    web: WebSettings = Field(default_factory=lambda: WebSettings())  # type: ignore[call-arg]

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str | None) -> str | None:
        if url is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ValueError(
                "not a database URL (sqlite:///path/to/file.sqlite3 or "
                "postgresql+psycopg://user@host/database)"
            ) from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"{backend} is not supported: use SQLite or PostgreSQL")
        return url

    @field_validator("channels")
    @classmethod
    def _unique_channel_names(cls, channels: list[ChannelConfig]) -> list[ChannelConfig]:
        names = [c.name for c in channels]
        if len(names) != len(set(names)):
            raise ValueError("channel names must be unique")
        return channels

    _config_file: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file_path()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def service_token(self) -> str | None:
        """The token state-changing requests to the service need (from ``service.token_env``)."""
        return os.environ.get(self.service.token_env) or None

    @property
    def web_password(self) -> str | None:
        """The dashboard's password: from ``web.password_env``, else ``web.password_file``."""
        from_env = os.environ.get(self.web.password_env)
        if from_env:
            return from_env
        path = self.web.password_file
        if path is None:
            return None
        try:
            first = path.expanduser().read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"web.password_file: {path}: {exc.strerror or exc}") from None
        if not first or not first[0].strip():
            raise UserError(f"web.password_file: {path} is empty")
        return first[0].strip()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'govwatch.sqlite3'}"

    @property
    def is_embedded_database(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def config_file_path() -> Path | None:
    """The config file in use: ``$GOVWATCH_CONFIG`` (must exist) or ``./govwatch.toml`` if any."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UserError(f"{path}: config file not found (named by {CONFIG_ENV})")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Load and validate the configuration, turning any mistake into one :class:`UserError`."""
    import tomllib

    path = config_file_path()
    origin = str(path) if path else "environment"
    try:
        return Settings(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{origin}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"])
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        message = message.removeprefix("Value error, ")
        env_name = "GOVWATCH_" + key.upper().replace(".", "__")
        raise UserError(f"{origin}: {key} (or {env_name}): {message}") from None
