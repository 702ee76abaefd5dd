"""The replica's content: every site's documents, path lookup, rendering cache, publish/edit.

All public methods take one lock, so tests may publish or edit from their own thread while the
event loop serves pages; the critical sections are short (a dict lookup or one page render).
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from replica import pages
from replica.documents import BEIJING, Document, beijing_to_utc
from replica.generate import build_site, related_links
from replica.rendered import RenderedPage, Reply
from replica.sites import SITES, ColumnSpec, DocumentKind, SiteSpec, site_for_host

PAGE_SIZE = 20
# Article pages rendered at large scale would not all fit comfortably in memory; rendering is
# deterministic, so evicted pages come back byte-identical.
ARTICLE_CACHE_SIZE = 8192
_LIST_FILE = re.compile(r"(?:index(?:_([1-9][0-9]*))?\.html)?")
PUBLISHED_TOPIC = "综合政务/其他"


class StaticWeb:
    """Documents of all sites and the pages a TRS static CMS would have generated from them."""

    def __init__(self, seed: int, scale: int) -> None:
        self._lock = threading.RLock()
        self._columns: dict[tuple[str, str], list[Document]] = {}  # newest first
        self._column_dirs: dict[str, tuple[SiteSpec, ColumnSpec]] = {}  # served dir -> column
        self._by_path: dict[str, Document] = {}
        self._visits: dict[str, int] = {}
        self._articles: OrderedDict[str, RenderedPage] = OrderedDict()
        self._lists: dict[tuple[str, str, int], RenderedPage] = {}  # (host, column, page)
        self._fixed: dict[str, RenderedPage] = {}  # home pages and the portal index
        self._id_rngs: dict[str, random.Random] = {}
        self._max_ids: dict[str, int] = {}
        self._published_count = 0
        self._source_ids: dict[tuple[str, str], str] = {}  # (host, column path) -> registry id
        for site in SITES:
            columns = build_site(site, seed, scale)
            for column in site.columns:
                docs = columns[column.path]
                self._columns[(site.host, column.path)] = docs
                self._column_dirs[site.prefix + column.directory] = (site, column)
                self._by_path.update((doc.url_path, doc) for doc in docs)
            self._max_ids[site.host] = max(d.trs_id for docs in columns.values() for d in docs)
            # Ids of published documents continue the site's sequence, deterministically.
            self._id_rngs[site.host] = random.Random(f"{seed}/{site.host}/published-ids")

    def claim(self, host: str, path: str, source_id: str) -> bool:
        """Whether a registry source's entry is one of these columns; if so, remember its id."""
        try:
            column = site_for_host(host).column(path)
        except KeyError:
            return False
        self._source_ids.setdefault((host, column.path), source_id)
        return True

    def column_of(self, source_id: str) -> tuple[str, str] | None:
        """(host, column path) of the column a registry source was mapped to, if any."""
        for key, claimed in self._source_ids.items():
            if claimed == source_id:
                return key
        return None

    def _truth(self, doc: Document) -> dict[str, Any]:
        # Hand-built documents are policies and reports, never procurement notices.
        source_id = self._source_ids.get((doc.site.host, doc.column.path))
        return {**doc.ground_truth(), "source_id": source_id, "notice": None}

    # -- serving -------------------------------------------------------------------------------

    def lookup(self, path: str) -> Reply | None:
        """The reply for a served path, or None when the replica has no such page."""
        with self._lock:
            doc = self._by_path.get(path)
            if doc is not None:
                visits = self._visits.get(path, 0) + 1
                self._visits[path] = visits
                return self._article(doc).reply(doc.visits_base + visits)
            page = self._list_or_fixed_page(path)
            return page.reply() if page is not None else None

    def _article(self, doc: Document) -> RenderedPage:
        page = self._articles.get(doc.url_path)
        if page is not None:
            self._articles.move_to_end(doc.url_path)
            return page
        page = RenderedPage.encode(
            pages.article_page(doc),
            encoding=doc.site.encoding,
            # The lying page keeps its GBK bytes and gb2312 meta but the header claims UTF-8.
            charset="utf-8" if doc.lying_charset else doc.site.charset_label,
            last_modified=doc.last_modified,
        )
        self._articles[doc.url_path] = page
        if len(self._articles) > ARTICLE_CACHE_SIZE:
            self._articles.popitem(last=False)
        return page

    def _list_or_fixed_page(self, path: str) -> RenderedPage | None:
        if path == "/":
            return self._fixed_page(path, None)
        directory, _, file_name = path.rpartition("/")
        column_entry = self._column_dirs.get(directory + "/")
        if column_entry is not None:
            match = _LIST_FILE.fullmatch(file_name)
            if match is None:
                return None
            return self._list_page(*column_entry, int(match.group(1) or 0))
        host = path[1:].partition("/")[0]
        if path in (f"/{host}/", f"/{host}/index.html"):
            try:
                return self._fixed_page(host, site_for_host(host))
            except KeyError:
                return None
        return None

    def _fixed_page(self, key: str, site: SiteSpec | None) -> RenderedPage:
        page = self._fixed.get(key)
        if page is None:
            if site is None:
                page = RenderedPage.encode(
                    pages.portal_index(SITES), encoding="utf-8", charset="utf-8"
                )
            else:
                page = RenderedPage.encode(
                    pages.home_page(site), encoding=site.encoding, charset=site.charset_label
                )
            self._fixed[key] = page
        return page

    def _list_page(self, site: SiteSpec, column: ColumnSpec, index: int) -> RenderedPage | None:
        page = self._lists.get((site.host, column.path, index))
        if page is not None:
            return page
        docs = self._columns[(site.host, column.path)]
        total = max(1, math.ceil(len(docs) / PAGE_SIZE))
        if index >= total:
            return None
        chunk = docs[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        page = RenderedPage.encode(
            pages.list_page(site, column, chunk, total, index),
            encoding=site.encoding,
            charset=site.charset_label,
            last_modified=max(doc.last_modified for doc in docs),
        )
        self._lists[(site.host, column.path, index)] = page
        return page

    # -- ground truth ------------------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """Ground truth of every document: sites and columns in spec order, newest first."""
        with self._lock:
            return [self._truth(doc) for docs in self._columns.values() for doc in docs]

    # -- changes -------------------------------------------------------------------------------

    def publish(
        self,
        host: str,
        column_path: str,
        title: str,
        body_paragraphs: Iterable[str],
        published: date | datetime | None = None,
        doc_number: str | None = None,
    ) -> dict[str, Any]:
        """Add a document on top of a column, as an editor publishing it now would.

        Returns the new document's ground truth.
        """
        site = site_for_host(host)
        column = site.column(column_path)
        when = publication_moment(published)
        paragraphs = tuple(body_paragraphs)
        with self._lock:
            docs = self._columns[(site.host, column.path)]
            self._max_ids[site.host] += self._id_rngs[site.host].randint(1, 40)
            self._published_count += 1
            is_policy = column.kind is DocumentKind.POLICY
            doc = Document(
                site=site,
                column=column,
                trs_id=self._max_ids[site.host],
                title=title,
                published=when,
                paragraphs=paragraphs,
                publisher=site.policy_publisher if is_policy else column.report_publisher,
                visits_base=0,
                last_modified=later_than(beijing_to_utc(when)),
                doc_number=doc_number,
                written=when.date() if is_policy else None,
                index_number=(
                    f"{site.org_code}/{when.year}-9{self._published_count:04d}"
                    if is_policy
                    else None
                ),
                topic=PUBLISHED_TOPIC if is_policy else None,
            )
            docs.insert(0, doc)
            doc.related = related_links(docs, 0)
            self._by_path[doc.url_path] = doc
            self._forget_lists(site, column)
            return self._truth(doc)

    def edit(
        self,
        url_path: str,
        title: str | None = None,
        body_paragraphs: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Change a document in place; its page gets a new ETag and Last-Modified.

        Returns the document's new ground truth; KeyError if no document is served there.
        """
        with self._lock:
            doc = self._by_path.get(url_path)
            if doc is None:
                raise KeyError(f"no document is served at {url_path!r}")
            if title is not None:
                doc.title = title
            if body_paragraphs is not None:
                doc.paragraphs = tuple(body_paragraphs)
            doc.last_modified = later_than(doc.last_modified + timedelta(seconds=1))
            self._articles.pop(url_path, None)
            self._forget_lists(doc.site, doc.column)  # list entries show the title
            return self._truth(doc)

    def _forget_lists(self, site: SiteSpec, column: ColumnSpec) -> None:
        for key in [key for key in self._lists if key[:2] == (site.host, column.path)]:
            del self._lists[key]


def publication_moment(published: date | datetime | None) -> datetime:
    """Naive Beijing time of a published document: now by default, 10:00 for a bare date."""
    if published is None:
        return datetime.now(BEIJING).replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(published, datetime):
        if published.tzinfo is not None:
            published = published.astimezone(BEIJING).replace(tzinfo=None)
        return published.replace(second=0, microsecond=0)
    return datetime.combine(published, time(10, 0))


def later_than(moment: datetime) -> datetime:
    """Now, or `moment` if that is later; HTTP dates have one-second resolution."""
    now = datetime.now(UTC).replace(microsecond=0)
    return max(now, moment.replace(microsecond=0))
