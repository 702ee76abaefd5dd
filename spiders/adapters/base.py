"""What every adapter does: turn a list page into candidate documents and further list pages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, TypeVar

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
class ListItem:
    """A document as a list page announces it."""

    url: str
    title: str | None
    date: date | None
    site_doc_id: str | None = None


@dataclass
class ListPage:
    """A parsed list page: its items and what the pager says."""

    items: list[ListItem] = field(default_factory=list)
    page_index: int = 0
    total_pages: int | None = None


class ListAdapter(ABC):
    """Knows one CMS family's list pages. Pure parsing: no I/O, so tests need no network."""

    name: ClassVar[str]

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or {}

    @abstractmethod
    def parse_list(self, url: str, html: str) -> ListPage:
        """Items and paging of the list page at ``url``."""

    @abstractmethod
    def page_url(self, first_page_url: str, page_index: int) -> str:
        """The URL of list page ``page_index`` (0-based) of the list starting at the given URL."""
