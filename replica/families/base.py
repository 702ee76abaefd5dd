"""What every generated column does: own a source's documents and answer its family's requests.

A Column serves one registry source. It knows the paths its family answers at (list pages,
APIs), whether a request's parameters address it (several sources may share one API path),
and how to render its documents. Documents are generated on first use, from (seed, source id)
only, so constructing a replica over a large registry stays cheap and every source is
independent of the others.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol
from urllib.parse import parse_qsl, urlsplit

from replica import pages
from replica.documents import beijing_to_utc
from replica.families import notices, policies
from replica.families.call import Call
from replica.families.markup import (
    article_metas,
    attr,
    gov_head,
    html_page,
    paragraphs,
    plain_head,
    text,
)
from replica.families.model import Doc, Notice
from replica.families.naming import Region, region_for, site_code
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

GET = frozenset({"GET", "HEAD"})
POST = frozenset({"POST"})
GET_POST = GET | POST
PROCUREMENT_KINDS = frozenset({"procurement", "trading"})
MIN_DOCS, MAX_DOCS = 12, 40
LIST_CACHE_LIMIT = 256  # rendered list answers kept per column; parameters are unbounded
METHOD_NOT_ALLOWED = Reply(
    405, pages.error_page(405, "Method Not Allowed").encode("utf-8"), "utf-8"
)
# How a list or API spells a document's link: its root-relative path, the path relative to the
# column's directory ("./202401/t20240105_123.html"), or the whole URL.
Link = Literal["path", "relative", "url"]


class Peers(Protocol):
    """What a column may ask of the web it belongs to."""

    def columns_of(self, family: str) -> Sequence[Column]: ...

    def search_allowed(self) -> bool: ...


@dataclass(frozen=True)
class Context:
    seed: int
    scale: int
    block: int  # position among the generated sources that share this one's document host
    peers: Peers


class Column(ABC):
    """A registry source served in its family's markup."""

    family: ClassVar[str]
    # Items per list page as the family's adapter sees them: fixed, or a registry option's
    # with the default as fallback; report columns (one document a year) may page sooner.
    default_page_size: ClassVar[int] = 15
    page_size_option: ClassVar[str] = ""
    report_page_size: ClassVar[int | None] = None

    def __init__(self, source: Source, context: Context) -> None:
        self.source = source
        self.context = context
        entry = urlsplit(source.entry_urls[0])
        self.scheme = entry.scheme
        self.host = entry.netloc.lower()
        self.prefix = f"/{self.host}"
        self.entry_path = entry.path or "/"
        path = self.entry_path
        self.directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        self.entry_query = dict(parse_qsl(entry.query, keep_blank_values=True))
        self.region: Region = region_for(source.province_code)
        words = source.name.split()
        self.site_name = words[0] if words else source.name
        self.column_name = " ".join(words[1:]) or source.name
        self.site_code = site_code(self.host, self.region)
        self.version = 0  # bumped on publish and edit, so cached list answers are dropped
        self._docs: list[Doc] | None = None
        self._last_id = 0
        self._id_rng = random.Random(f"{context.seed}/source/{source.id}/ids")
        self._cache: dict[Hashable, RenderedPage] = {}

    # -- options -------------------------------------------------------------------------

    def option(self, name: str, default: str = "") -> str:
        """A registry option as text; the entry URL's own query is the fallback."""
        value = self.source.options.get(name)
        if value is None:
            return self.entry_query.get(name, default)
        return str(value)

    def int_option(self, name: str, default: int) -> int:
        return as_int(self.option(name), default)

    @property
    def is_procurement(self) -> bool:
        return self.source.kind in PROCUREMENT_KINDS

    @property
    def is_report(self) -> bool:
        return self.source.kind == "work_report"

    @property
    def page_size(self) -> int:
        if self.page_size_option:
            return self.int_option(self.page_size_option, self.default_page_size)
        if self.is_report and self.report_page_size is not None:
            return self.report_page_size
        return self.default_page_size

    # -- documents -----------------------------------------------------------------------

    @property
    def materialized(self) -> bool:
        return self._docs is not None

    @property
    def docs(self) -> list[Doc]:
        """The source's documents, newest first, generated on first use."""
        if self._docs is None:
            self._docs = self._generate()
        return self._docs

    def _generate(self) -> list[Doc]:
        rng = random.Random(f"{self.context.seed}/source/{self.source.id}")
        if self.is_report:
            docs = policies.report_docs(rng, self.region)
        elif self.is_procurement:
            count = self.document_count(rng)
            docs = notices.notice_docs(
                rng, self.region, count, self.notice_mix(), self.search_keyword()
            )
        else:
            publisher, prefix = policies.issuer(self.site_name, self.region, self.source.kind)
            docs = policies.policy_docs(
                rng, self.region, publisher, prefix, self.document_count(rng)
            )
        # Ids grow with publication date, as a CMS hands them out.
        self._last_id = self.first_id(self._id_rng)
        step = max(1, 40 // self.context.scale)
        for doc in docs:
            self._last_id += self._id_rng.randint(1, step)
            self.place(doc, self._last_id)
            doc.last_modified = beijing_to_utc(doc.published)
        return newest_first(docs)

    def document_count(self, rng: random.Random) -> int:
        """12–40 documents per unit of scale, and always more than one list page.

        The number depends on the source alone, not on the seed: like the hand-built sites,
        every seed gives a web of the same shape with different content.
        """
        rng = random.Random(f"count/{self.source.id}")
        count = rng.randint(MIN_DOCS, MAX_DOCS) * self.context.scale
        size = self.page_size
        if count <= size:
            count = size + rng.randint(1, max(2, size // 2))
        return count

    def first_id(self, rng: random.Random) -> int:
        """Start of this source's id range; blocks keep sources on one host apart."""
        return 10_000_000 + self.context.block * 2_000_000 + rng.randrange(500_000)

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        """Which notice types the list carries (a 中标 channel only results, say)."""
        return notices.DEFAULT_MIX

    def search_keyword(self) -> str:
        """The keyword every document must contain (sources that are search results)."""
        return ""

    @abstractmethod
    def place(self, doc: Doc, number: int) -> None:
        """Give a document its site id, served paths, href and real URL."""

    def put(
        self,
        doc: Doc,
        site_id: str,
        path: str,
        link: Link = "path",
        *,
        scheme: str | None = None,
        host: str | None = None,
    ) -> None:
        """Serve a document at `path` on its host, linked from the list as `link` says.

        `scheme` and `host` default to the entry URL's; a family whose articles live on
        another host, or only on http://, names them.
        """
        host = host or self.host
        doc.site_id = site_id
        doc.real_url = f"{scheme or self.scheme}://{host}{path}"
        doc.url_path = f"/{host}{path}"
        doc.paths = (doc.url_path,)
        if link == "url":
            doc.href = doc.real_url
        elif link == "relative":
            doc.href = "./" + path.removeprefix(self.directory)
        else:
            doc.href = path

    def publish(
        self,
        title: str,
        body: Iterable[str],
        published: datetime,
        last_modified: datetime,
        notice: Notice | None = None,
        doc_number: str | None = None,
    ) -> Doc:
        """Put a new document on top of the list, with the next id in the source's range."""
        docs = self.docs
        self._last_id += self._id_rng.randint(1, 40)
        if notice is not None:
            publisher = notice.buyer.name
        else:
            publisher = docs[-1].publisher if docs and not self.is_procurement else self.site_name
        doc = Doc(
            title=title,
            published=published,
            publisher=publisher,
            body_html=paragraphs(body),
            doc_number=doc_number,
            notice=notice,
            region=(notice.region if notice is not None else "") or self.region.full_name,
        )
        self.place(doc, self._last_id)
        doc.last_modified = last_modified
        docs.insert(0, doc)
        self.touched()
        return doc

    def touched(self) -> None:
        """Forget rendered list answers after a change."""
        self.version += 1
        self._cache.clear()

    def ground_truth(self, doc: Doc) -> dict[str, Any]:
        return doc.ground_truth(self.source.id, self.source.kind, self.entry_path)

    # -- serving -------------------------------------------------------------------------

    def routes(self) -> Mapping[str, frozenset[str]]:
        """Served paths (host prefix included) this source answers at, with their methods."""
        return {self.prefix + self.entry_path: GET}

    def dir_routes(self) -> tuple[str, ...]:
        """Served directories whose numbered list pages this source answers (GET only)."""
        return ()

    def document_hosts(self) -> tuple[str, ...]:
        """Hosts this source's document pages are served on."""
        return (self.host,)

    def check(self, call: Call) -> Reply | None:
        """An early answer for a request no source on this path could serve (wrong method …)."""
        methods = self.routes().get(call.path, GET)
        return None if call.method in methods else METHOD_NOT_ALLOWED

    def matches(self, call: Call) -> bool:
        """Whether the request's parameters address this source."""
        return True

    @abstractmethod
    def answer(self, call: Call) -> Reply | None:
        """The list page or API answer for a request that matches; None for 404."""

    def miss(self, call: Call) -> Reply | None:
        """What the path answers when no source matches its parameters; None for 404."""
        return None

    @abstractmethod
    def render(self, doc: Doc, path: str) -> RenderedPage:
        """The page served at one of the document's paths."""

    def article_page(
        self, doc: Doc, layout: str, *, metas: bool = True, **parts: str
    ) -> RenderedPage:
        """A document page in the family's markup.

        `layout` is everything between <body> and </body>, a format string over {site},
        {title}, {publisher} (escaped), {published} (a datetime, formatted by the layout),
        {body} and the family's own `parts` (HTML, inserted as given). The head carries the
        national government metas, or, with `metas` False, only a charset and the title.
        """
        if metas:
            tags = article_metas(
                self.site_name,
                self.host,
                self.site_code,
                self.column_name,
                doc.title,
                doc.published,
                doc.publisher,
            )
            head = gov_head(f"{doc.title}_{self.site_name}", tags)
        else:
            head = plain_head(doc.title)
        page = layout.format(
            site=text(self.site_name),
            title=text(doc.title),
            publisher=text(doc.publisher),
            published=doc.published,
            body=doc.body_html,
            **parts,
        )
        return html_page(head + page + "</body></html>\n", doc.last_modified)

    def listing(self, layout: str, *, head: str | None = None, **parts: str) -> RenderedPage:
        """A list page in the family's markup, dated by its newest document.

        `layout` is everything between <body> and </body>, a format string over {site} and
        {column} (escaped) and the family's own `parts` (HTML, inserted as given); the head is
        list_head()'s unless the family's differs.
        """
        page = layout.format(site=text(self.site_name), column=text(self.column_name), **parts)
        html = (self.list_head() if head is None else head) + page + "</body></html>\n"
        return html_page(html, self.newest_modified())

    def list_head(self, *, site_name: str | None = None, column_meta: bool = True) -> str:
        """The <head> of a list page: title 栏目_站点, SiteName and (mostly) ColumnName metas."""
        site = site_name or self.site_name
        metas = (("SiteName", site),) + ((("ColumnName", self.column_name),) if column_meta else ())
        return gov_head(f"{self.column_name}_{site}", metas)

    def list_answer(
        self, index: int | None, size: int, build: Callable[[int, int], RenderedPage]
    ) -> Reply | None:
        """Numbered list page `index` (from 0) as `build(index, page count)` makes it, cached;
        None (404) for no page or one past the last."""
        total = page_count(len(self.docs), size)
        if index is None or index >= total:
            return None
        return self.cached(index, lambda: build(index, total)).reply()

    def host_search(
        self, keyword: str, page: int, build: Callable[[Sequence[Column], str, int], RenderedPage]
    ) -> Reply:
        """A site-wide search: `build(pool, keyword, page)` over this family's columns on this
        host, cached until any of them changes."""
        pool = [p for p in self.context.peers.columns_of(self.family) if p.host == self.host]
        key = (keyword, page, tuple(peer.version for peer in pool))
        return self.cached(key, lambda: build(pool, keyword, page)).reply()

    def cached(self, key: Hashable, build: Callable[[], RenderedPage]) -> RenderedPage:
        page = self._cache.get(key)
        if page is None:
            if len(self._cache) >= LIST_CACHE_LIMIT:
                self._cache.clear()
            page = self._cache[key] = build()
        return page

    def newest_modified(self) -> datetime | None:
        mods = [doc.last_modified for doc in self.docs if doc.last_modified is not None]
        return max(mods) if mods else None


class StaticPages(Column):
    """A column of static list pages in its entry's directory: index.html, index_1.html ….

    The directory answers as the first page too. Which names are list pages is the family's
    (stem and extension, see page_names); so is the markup, rendered by list_page.
    """

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.stem, self.ext = self.page_names()
        self._page_file = re.compile(rf"{re.escape(self.stem)}(?:_([1-9][0-9]*))?\.{self.ext}")

    @abstractmethod
    def page_names(self) -> tuple[str, str]:
        """(stem, extension) of the list pages' file names."""

    @abstractmethod
    def list_page(self, index: int, total: int) -> RenderedPage:
        """List page `index` (from 0) of `total`."""

    def dir_routes(self) -> tuple[str, ...]:
        return (self.prefix + self.directory,)

    def page_index(self, path: str) -> int | None:
        if path in (self.prefix + self.entry_path, self.prefix + self.directory):
            return 0
        match = self._page_file.fullmatch(path.rsplit("/", 1)[1])
        return None if match is None else int(match.group(1) or 0)

    def matches(self, call: Call) -> bool:
        return self.page_index(call.path) is not None

    def answer(self, call: Call) -> Reply | None:
        return self.list_answer(self.page_index(call.path), self.page_size, self.list_page)


def as_int(value: object, default: int, low: int = 1, high: int = 10**9) -> int:
    """A request or option number, clamped; anything unparsable means the default."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return default
    return min(max(number, low), high)


def page_slice(docs: Sequence[Doc], index: int, size: int) -> Sequence[Doc]:
    return docs[index * size : (index + 1) * size]


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def newest_first(docs: Iterable[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda doc: (doc.published, doc.site_id), reverse=True)


def link_item(doc: Doc, item: str) -> str:
    """A list entry in a family's markup: `item` is a format string over {href} and
    {title_attr} (attribute-escaped), {title} and {region} (text-escaped), {buyer} (a notice's
    buyer, else the publisher; escaped) and {published} (a datetime)."""
    return item.format(
        href=attr(doc.href),
        title_attr=attr(doc.title),
        title=text(doc.title),
        region=text(doc.region),
        buyer=text(doc.buyer),
        published=doc.published,
    )


def link_items(docs: Iterable[Doc], item: str) -> str:
    return "".join(link_item(doc, item) for doc in docs)
