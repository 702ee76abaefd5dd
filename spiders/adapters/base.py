"""What every adapter does: say which requests fetch a source's list pages, and read them.

Adapters are pure: no I/O, so they are tested on saved or generated pages without a network.
Every URL an adapter takes or returns is a real site URL; pointing a crawl at the replica is
the crawler's business (crawler.fetch.mirror), not the adapter's.
"""

from __future__ import annotations

import html as html_lib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from lxml.etree import LxmlError

ADAPTERS: dict[str, type[ListAdapter]] = {}
A = TypeVar("A", bound="type[ListAdapter]")


def register(name: str) -> Callable[[A], A]:
    """Class decorator: make an adapter available to the registry under ``name``."""

    def decorate(cls: A) -> A:
        cls.name = name
        ADAPTERS[name] = cls
        return cls

    return decorate


@dataclass(frozen=True)
class PageRequest:
    """One HTTP request for a page or an API answer."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def form(url: str, fields: dict[str, Any]) -> PageRequest:
        from urllib.parse import urlencode

        return PageRequest(
            url,
            "POST",
            urlencode({k: str(v) for k, v in fields.items()}),
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "X-Requested-With": "XMLHttpRequest",
            },
        )

    @staticmethod
    def json_post(url: str, payload: dict[str, Any]) -> PageRequest:
        return PageRequest(
            url,
            "POST",
            json.dumps(payload, ensure_ascii=False),
            {
                "Content-Type": "application/json;charset=UTF-8",
                "X-Requested-With": "XMLHttpRequest",
            },
        )


@dataclass(frozen=True)
class ListItem:
    """A document as a list page announces it.

    ``url`` is the address a person opens and the document's identity. ``detail`` says where
    its content is fetched when that differs (an API, a content frame); ``inline_html`` holds
    the whole document when the list itself carries it, and then nothing is fetched.
    """

    url: str
    title: str | None
    date: date | None
    site_doc_id: str | None = None
    detail: PageRequest | None = None
    inline_html: str | None = None


@dataclass
class ListPage:
    """A parsed list page: its items, what the pager says, and whether the site refused."""

    items: list[ListItem] = field(default_factory=list)
    page_index: int = 0
    total_pages: int | None = None
    next_request: PageRequest | None = None
    refused: tuple[str, str] | None = None  # (page kind, reason), e.g. ("rate_limited", "…")
    # What the adapter counted on this page for the crawl's stats, e.g. a result cap it could
    # not page around ({"windows_at_result_cap": 1}): said, never a silent miss.
    counts: dict[str, int] = field(default_factory=dict)


# What reading an answer that is not as the family's raises: the crawl records these as
# ``parse_failed`` (the site answered something else), not as a bug of ours. JSON of another
# shape (a number where a record was: AttributeError), markup libxml2 cannot read at all, and
# nesting deeper than the parsers recurse are the site's doing too.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
    LxmlError,
)


# Options every source may set, whatever its adapter: further hosts its links may lead to.
COMMON_OPTIONS = ("hosts",)


class AdapterOptionsError(ValueError):
    """A source's options do not suit its adapter."""


class ListAdapter(ABC):
    """Knows one CMS family's list pages."""

    name: ClassVar[str]
    REQUIRED_OPTIONS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL_OPTIONS: ClassVar[tuple[str, ...]] = ()
    PAGE_CAP: ClassVar[int | None] = None  # a family's own limit on list pages per run
    # Whether a stored document can be re-read from its own URL alone (the re-check rotation);
    # not for families whose content comes from an API the list names.
    RECHECK_BY_URL: ClassVar[bool] = True
    # A family whose list API takes ``pageSize`` (1 to 100): its default. The option is then
    # known, checked, and read as :attr:`page_size`.
    DEFAULT_PAGE_SIZE: ClassVar[int | None] = None

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or {}
        self.check_options(self.options)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        """Raise :class:`AdapterOptionsError` naming the first missing required option, or an
        option the adapter does not know (a typo would otherwise be ignored in silence)."""
        for name in cls.REQUIRED_OPTIONS:
            if options.get(name) in (None, ""):
                raise AdapterOptionsError(f"adapter {cls.name!r} needs options.{name}")
        known = (*cls.REQUIRED_OPTIONS, *cls.OPTIONAL_OPTIONS, *COMMON_OPTIONS)
        if cls.DEFAULT_PAGE_SIZE is not None and "pageSize" not in known:
            known = (*known, "pageSize")
        for name in options:
            if name not in known:
                choices = ", ".join(known) if known else "none"
                raise AdapterOptionsError(
                    f"adapter {cls.name!r} has no option {name!r} (its options: {choices})"
                )

        if options.get("since") not in (None, ""):
            try:
                date.fromisoformat(str(options["since"]))
            except ValueError:
                raise AdapterOptionsError(
                    f"adapter {cls.name!r} options.since must be a date YYYY-MM-DD, "
                    f"not {options['since']!r}"
                ) from None

        if cls.DEFAULT_PAGE_SIZE is not None:
            size = options.get("pageSize", cls.DEFAULT_PAGE_SIZE)
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100:
                raise AdapterOptionsError(
                    f"adapter {cls.name!r} options.pageSize must be 1 to 100, not {size!r}"
                )

    @property
    def page_size(self) -> int:
        """``options.pageSize`` of a family with :attr:`DEFAULT_PAGE_SIZE`, else its default."""
        if self.DEFAULT_PAGE_SIZE is None:
            raise TypeError(f"adapter {self.name!r} takes no pageSize")
        return int(self.options.get("pageSize", self.DEFAULT_PAGE_SIZE))

    def since_option(self, today: date) -> str:
        """``options.since`` (YYYY-MM-DD) of a family that lists by date, else a year ago."""
        return str(self.options.get("since") or (today - timedelta(days=365)).isoformat())

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        """Raise :class:`AdapterOptionsError` when an entry URL lacks what the family needs
        in it; by default every http(s) URL will do."""
        return None

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        """The request for list page ``page_index`` (0-based) of the list at ``entry_url``."""
        return PageRequest(self.page_url(entry_url, page_index))

    def page_url(self, entry_url: str, page_index: int) -> str:
        """URL of list page ``page_index`` for families whose pages are plain GETs."""
        raise NotImplementedError

    @abstractmethod
    def parse_list(self, url: str, text: str) -> ListPage:
        """Items and paging of the list page fetched from the real URL ``url``."""

    def detail_html(self, item: ListItem, text: str) -> str | None:
        """The document page for an item whose detail answer is not HTML (e.g. JSON), else None."""
        return None


def synthesized_page(
    *,
    title: str | None,
    published: datetime | date | None,
    body_html: str,
    metas: dict[str, str | None] | None = None,
) -> str:
    """A minimal HTML document with government metas, for content that arrived as data.

    The extractor then reads it like any government page, so there is one extraction path.
    """
    all_metas = {"ArticleTitle": title, "PubDate": _stamp(published), **(metas or {})}
    head = "".join(
        f'<meta name="{name}" content="{html_lib.escape(value, quote=True)}">'
        for name, value in all_metas.items()
        if value
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}'
        f"<title>{html_lib.escape(title or '')}</title></head>"
        f'<body><div class="article-content">{body_html}</div></body></html>'
    )


def _stamp(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def epoch_to_datetime(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch, as Beijing local time (naive)."""
    from datetime import timedelta, timezone

    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    beijing = timezone(timedelta(hours=8))
    try:
        return datetime.fromtimestamp(number, beijing).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):  # no date (found by tests/test_fuzz.py)
        return None
