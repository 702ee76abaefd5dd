"""The source registry: ``spiders/sources/*.toml``, one file per province plus ``national.toml``.

Sources are data, not code: each names its adapter (a CMS family) by name, and everything
site-specific (URLs, paging limits, adapter options) stands in its file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from spiders.errors import UserError
from spiders.provinces import Province, resolve_province

PACKAGED_REGISTRY = Path(__file__).parent / "sources"
SourceKind = Literal["work_report", "policy", "procurement", "trading", "industry_dept", "national"]
KINDS: tuple[str, ...] = get_args(SourceKind)


# Evidence dated this month or later confirms a source; older evidence leaves it "older".
CONFIRMED_SINCE = "2024-01"
Confidence = Literal["confirmed", "older", "guess"]
CONFIDENCES: tuple[str, ...] = get_args(Confidence)


class Evidence(BaseModel):
    """Where a source's URL, API or family is seen in public: code, a saved page, a document."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ref: str = Field(min_length=3)  # "owner/repo path@commit" or a page's address
    # The evidence's own date (a commit's, or one written inside it), or "undated".
    seen: str = Field(pattern=r"^(?:(19|20)\d{2}-(0[1-9]|1[0-2])|undated)$")
    shows: str = Field(min_length=3)  # what it shows: URL, method, parameters, selectors
    # False: it shows the site (its host alive, another column), not this source's entry.
    confirms: bool = True


class Source(BaseModel):
    """One list of documents on one site that govwatch crawls.

    ``evidence`` says where the entry URL, API and family are seen in public, with the date of
    what was seen; :attr:`confidence` follows from it. Whether a source really answers is what
    ``govwatch sources check`` finds on the live web, recorded per source in storage.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)
    name: str
    province_code: str
    kind: SourceKind
    adapter: str
    entry_urls: list[str] = Field(min_length=1)
    schedule: str = "every 6h"
    render: Literal["never", "auto", "always"] = "auto"
    max_pages: int | None = Field(None, ge=1)
    enabled: bool = True
    notes: str = ""
    options: dict[str, Any] = {}
    evidence: list[Evidence] = []
    # The site asks for a captcha or a login before it lists anything: a check says "blocked".
    captcha: bool = False
    # What the evidence calls for that govwatch lacks yet (a family such as epoint): the source
    # then reads its old entry, which the evidence does not confirm.
    needs: str | None = None

    @property
    def confidence(self) -> Confidence:
        """How far public evidence confirms the entry as configured: confirmed (seen 2024 or
        later), older (only earlier or undated evidence), guess (none, or the evidence shows
        an entry of a family govwatch cannot read yet: see ``needs``)."""
        confirming = [item.seen for item in self.evidence if item.confirms]
        dated = [seen for seen in confirming if seen != "undated"]
        if not confirming or self.needs:
            return "guess"
        return "confirmed" if dated and max(dated) >= CONFIRMED_SINCE else "older"

    @field_validator("entry_urls")
    @classmethod
    def _absolute_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an absolute http(s) URL")
        return urls

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, text: str) -> str:
        from spiders.schedules import parse_schedule

        try:
            parse_schedule(text)
        except UserError as exc:
            raise ValueError(str(exc)) from None
        return text

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, name: str) -> str:
        from spiders.adapters import ADAPTERS

        if name not in ADAPTERS:
            raise ValueError(f"unknown adapter {name!r} (known: {', '.join(sorted(ADAPTERS))})")
        return name

    @model_validator(mode="after")
    def _options_suit_adapter(self) -> Source:
        from spiders.adapters import ADAPTERS

        ADAPTERS[self.adapter].check_options(self.options)
        for url in self.entry_urls:
            ADAPTERS[self.adapter].check_entry_url(url)
        return self


class Registry:
    """All sources, looked up by id or province."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.sources = list(sources)
        self._by_id = {s.id: s for s in self.sources}

    def get(self, source_id: str) -> Source:
        try:
            return self._by_id[source_id]
        except KeyError:
            raise UserError(f"unknown source {source_id!r} (see `govwatch sources list`)") from None

    def for_province(self, province: Province) -> list[Source]:
        return [s for s in self.sources if s.province_code == province.code and s.enabled]

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]


def _load_file(path: Path) -> list[Source]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    province_name = raw.pop("province", None)
    entries = raw.pop("source", [])
    if raw:
        raise UserError(f"{path}: {sorted(raw)[0]}: unknown key (expected province, [[source]])")
    if not isinstance(province_name, str):
        raise UserError(f"{path}: province: missing (pinyin, Chinese name or code)")
    try:
        province = resolve_province(province_name)
    except UserError as exc:
        raise UserError(f"{path}: province: {exc}") from None
    sources = []
    for index, entry in enumerate(entries):
        try:
            sources.append(Source.model_validate({"province_code": province.code, **entry}))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            ident = entry.get("id", index) if isinstance(entry, dict) else index
            raise UserError(f"{path}: source[{ident}].{key}: {message}") from None
    return sources


def load_registry(directory: Path | None = None) -> Registry:
    """Load every ``*.toml`` in ``directory`` (the packaged registry by default)."""
    directory = directory or PACKAGED_REGISTRY
    if not directory.is_dir():
        raise UserError(f"{directory}: registry directory not found")
    sources: list[Source] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        for source in _load_file(path):
            if source.id in seen:
                raise UserError(
                    f"{path}: source[{source.id}].id: also defined in {seen[source.id]}"
                )
            seen[source.id] = path
            sources.append(source)
    return Registry(sources)
