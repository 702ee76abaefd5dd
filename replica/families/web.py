"""The registry-driven part of the replica: every source's column, routing, publish and edit.

Construction only builds the routing tables from the sources' entry URLs and options; a
source's documents are generated the first time anything on one of its hosts is requested
(or when the ground truth is asked for). All public methods take one lock, as StaticWeb's do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from replica.documents import beijing_to_utc
from replica.families import FAMILIES
from replica.families.base import GET, METHOD_NOT_ALLOWED, Column, Context
from replica.families.call import Call
from replica.families.markup import paragraphs
from replica.families.model import NOTICE_TYPES, Doc
from replica.families.notices import notice_from_dict
from replica.families.ratelimit import SlidingWindowLimit
from replica.rendered import RenderedPage, Reply
from replica.static_web import later_than, publication_moment

if TYPE_CHECKING:
    from spiders.registry import Source

DETAIL_CACHE_SIZE = 8192


class FamilyWeb:
    """Generated columns for registry sources, served in their families' markup."""

    def __init__(
        self,
        sources: Iterable[Source],
        seed: int,
        scale: int,
        search_rate_limit: tuple[int, float],
        families: Mapping[str, type[Column]] | None = None,
    ) -> None:
        """`families` maps adapter names to column classes (default: FAMILIES); presets
        (replica.preset) pass their own."""
        self._lock = threading.RLock()
        self.search_limit = SlidingWindowLimit(search_rate_limit)
        self.unserved: list[str] = []  # ids of sources whose adapter the replica cannot imitate
        self._columns: dict[str, Column] = {}
        self._by_family: dict[str, list[Column]] = {}
        self._by_host: dict[str, list[Column]] = {}  # every host a column serves pages on
        self._routes: dict[str, list[Column]] = {}
        self._dir_routes: dict[str, list[Column]] = {}
        self._pages: dict[str, tuple[Column, Doc]] = {}  # document pages by served path
        self._documents: dict[str, tuple[Column, Doc]] = {}  # by ground-truth url_path
        self._rendered: OrderedDict[str, RenderedPage] = OrderedDict()
        blocks: dict[str, int] = {}
        for source in sources:
            family = (FAMILIES if families is None else families).get(source.adapter)
            if family is None:
                self.unserved.append(source.id)
                continue
            column = family(source, Context(seed, scale, 0, self))
            # Sources whose documents share a host get disjoint id ranges, hence paths.
            hosts = column.document_hosts()
            block = max(blocks.get(host, 0) for host in hosts)
            column.context = replace(column.context, block=block)
            blocks.update((host, block + 1) for host in hosts)
            self._add(column)

    def _add(self, column: Column) -> None:
        self._columns[column.source.id] = column
        self._by_family.setdefault(column.family, []).append(column)
        for host in column.document_hosts():
            self._by_host.setdefault(host, []).append(column)
        for path in column.routes():
            self._routes.setdefault(path, []).append(column)
        for directory in column.dir_routes():
            self._dir_routes.setdefault(directory, []).append(column)

    # -- what columns may ask ------------------------------------------------------------

    def columns_of(self, family: str) -> Sequence[Column]:
        return self._by_family.get(family, ())

    def search_allowed(self) -> bool:
        return self.search_limit.allow()

    @property
    def source_ids(self) -> list[str]:
        return list(self._columns)

    def column(self, source_id: str) -> Column:
        try:
            return self._columns[source_id]
        except KeyError:
            raise KeyError(f"the replica serves no generated source {source_id!r}") from None

    def find_column(self, host: str, column_path: str) -> Column | None:
        """The column whose entry URL is on `host` at `column_path`."""
        for column in self._columns.values():
            if column.host == host and column.entry_path == column_path:
                return column
        return None

    # -- serving -------------------------------------------------------------------------

    def lookup(self, call: Call) -> Reply | None:
        """The reply for a request, or None when no generated source serves its path."""
        host = call.path[1:].partition("/")[0]
        with self._lock:
            self._materialize(self._by_host.get(host, ()))
            page = self._pages.get(call.path)
            if page is not None:
                if call.method not in GET:
                    return METHOD_NOT_ALLOWED
                return self._rendered_page(call.path, *page).reply()
            columns = self._routes.get(call.path)
            if columns is None:
                columns = self._dir_routes.get(call.path.rsplit("/", 1)[0] + "/")
            if not columns:
                return None
            early = columns[0].check(call)
            if early is not None:
                return early
            # Several sources can share one list script and differ only in its parameters
            # (?type=4 and ?type=4&catId=…): the column naming the most of them is the one meant.
            matching = [column for column in columns if column.matches(call)]
            if matching:
                best = max(matching, key=lambda column: len(column.entry_query))
                return best.answer(call)
            return columns[0].miss(call)

    def _materialize(self, columns: Iterable[Column]) -> None:
        for column in columns:
            if not column.materialized:
                for doc in column.docs:
                    self._register(column, doc)

    def _register(self, column: Column, doc: Doc) -> None:
        for path in doc.paths:
            self._pages[path] = (column, doc)
        self._documents[doc.url_path] = (column, doc)

    def _rendered_page(self, path: str, column: Column, doc: Doc) -> RenderedPage:
        page = self._rendered.get(path)
        if page is not None:
            self._rendered.move_to_end(path)
            return page
        page = self._rendered[path] = column.render(doc, path)
        if len(self._rendered) > DETAIL_CACHE_SIZE:
            self._rendered.popitem(last=False)
        return page

    # -- ground truth and changes ----------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """Ground truth of every generated document: registry order, newest first."""
        with self._lock:
            self._materialize(self._columns.values())
            return [
                column.ground_truth(doc) for column in self._columns.values() for doc in column.docs
            ]

    def publish(
        self,
        source_id: str,
        title: str,
        body_paragraphs: Iterable[str],
        published: date | datetime | None = None,
        notice: dict[str, Any] | None = None,
        doc_number: str | None = None,
    ) -> dict[str, Any]:
        """Add a document on top of a source's list and return its ground truth."""
        column = self.column(source_id)
        when = publication_moment(published)
        parsed = None
        if notice is not None:
            if notice.get("notice_type", "tender") not in NOTICE_TYPES:
                raise ValueError(f"notice_type must be one of {', '.join(NOTICE_TYPES)}")
            parsed = notice_from_dict(notice, when)
        body = tuple(body_paragraphs)
        with self._lock:
            self._materialize(self._by_host.get(column.host, ()))
            self._materialize([column])
            doc = column.publish(
                title,
                body,
                when,
                later_than(beijing_to_utc(when)),
                notice=parsed,
                doc_number=doc_number,
            )
            self._register(column, doc)
            return column.ground_truth(doc)

    def edit(
        self, url_path: str, title: str | None = None, body_paragraphs: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """Change a generated document in place; KeyError if none is served at url_path."""
        host = url_path[1:].partition("/")[0]
        with self._lock:
            self._materialize(self._by_host.get(host, ()))
            found = self._documents.get(url_path)
            if found is None:
                raise KeyError(f"no document is served at {url_path!r}")
            column, doc = found
            if title is not None:
                doc.title = title
            if body_paragraphs is not None:
                doc.set_body(paragraphs(body_paragraphs))
            previous = doc.last_modified or beijing_to_utc(doc.published)
            doc.last_modified = later_than(previous + timedelta(seconds=1))
            for path in doc.paths:
                self._rendered.pop(path, None)
            for peer in self._by_host.get(column.host, ()):
                peer.touched()  # lists show titles, and searches run over bodies
            column.touched()
            return column.ground_truth(doc)
