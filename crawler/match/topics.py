"""Topics as data: the keywords, exclusions, technologies and scenarios a user watches for.

The default (blockchain, 区块链) ships in ``crawler/topics/blockchain.toml``; a user points
``topics_file`` at a copy to watch something else.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from spiders.errors import UserError

DEFAULT_TOPICS_FILE = Path(__file__).parent / "topics" / "blockchain.toml"


class NearRule(BaseModel):
    """A keyword that counts only with one of ``words`` within ``window`` characters."""

    model_config = ConfigDict(extra="forbid")
    words: list[str] = Field(min_length=1)
    window: int = Field(default=6, ge=1, le=200)


class Topic(BaseModel):
    """One watched topic."""

    model_config = ConfigDict(extra="forbid")
    name: str
    label: str
    keywords: list[str] = Field(min_length=1)
    exclusions: list[str] = []
    technologies: list[str] = []
    near: dict[str, NearRule] = {}
    scenarios: dict[str, list[str]] = {}

    @field_validator("keywords", "exclusions", "technologies")
    @classmethod
    def _no_blank_terms(cls, terms: list[str]) -> list[str]:
        if any(not t.strip() for t in terms):
            raise ValueError("terms must not be blank")
        return terms


class TopicsFileError(UserError):
    """A topics file that cannot be read or does not validate; the message names file and key."""


def load_topics(path: Path | None = None) -> list[Topic]:
    """Read and validate a topics file (the packaged blockchain topic by default)."""
    path = path or DEFAULT_TOPICS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TopicsFileError(f"{path}: topics file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TopicsFileError(f"{path}: not valid TOML: {exc}") from None
    tables = raw.get("topics")
    if not isinstance(tables, dict) or not tables:
        raise TopicsFileError(f"{path}: no [topics.<name>] table")
    topics = []
    for name, table in tables.items():
        try:
            topics.append(Topic.model_validate({"name": name, **table}))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise TopicsFileError(f"{path}: topics.{name}.{key}: {err['msg']}") from None
    return topics
