"""Configuration: ``govwatch.toml`` overlaid by ``GOVWATCH_*`` environment variables.

No configuration at all is a valid, complete setup (the embedded default): SQLite under the
data directory, the packaged topics and source registry, polite crawling. Nested keys are set
from the environment with a double underscore: ``GOVWATCH_CRAWL__DOWNLOAD_DELAY=5``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from crawler.errors import UserError

CONFIG_ENV = "GOVWATCH_CONFIG"
DEFAULT_CONFIG_FILE = Path("govwatch.toml")
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


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
        env_name = "GOVWATCH_" + key.upper().replace(".", "__")
        raise UserError(f"{origin}: {key} (or {env_name}): {message}") from None
