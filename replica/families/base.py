"""What every generated column does: own a source's documents and answer its family's requests.

A Column serves one registry source. It knows the paths its family answers at (list pages,
APIs), whether a request's parameters address it (several sources may share one API path),
and how to render its documents. Documents are generated on first use, from (seed, source id)
only, so constructing a replica over a large registry stays cheap and every source is
independent of the others.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlsplit

from replica import pages
from replica.documents import beijing_to_utc
from replica.families import notices, policies
from replica.families.call import Call
from replica.families.markup import paragraphs
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

    def __init__(self, source: Source, context: Context) -> None:
        self.source = source
        self.context = context
        entry = urlsplit(source.entry_urls[0])
        self.scheme = entry.scheme
        self.host = entry.netloc.lower()
        self.prefix = f"/{self.host}"
        self.entry_path = entry.path or "/"
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
        docs.sort(key=lambda doc: (doc.published, doc.site_id), reverse=True)
        return docs

    def document_count(self, rng: random.Random) -> int:
        """12–40 documents per unit of scale, and always more than one list page.

        The number depends on the source alone, not on the seed: like the hand-built sites,
        every seed gives a web of the same shape with different content.
        """
        rng = random.Random(f"count/{self.source.id}")
        count = rng.randint(MIN_DOCS, MAX_DOCS) * self.context.scale
        size = self.page_size_hint()
        if count <= size:
            count = size + rng.randint(1, max(2, size // 2))
        return count

    def first_id(self, rng: random.Random) -> int:
        """Start of this source's id range; blocks keep sources on one host apart."""
        return 10_000_000 + self.context.block * 2_000_000 + rng.randrange(500_000)

    def page_size_hint(self) -> int:
        """Items per list page as the family's adapter will see them."""
        return 15

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        """Which notice types the list carries (a 中标 channel only results, say)."""
        return notices.DEFAULT_MIX

    def search_keyword(self) -> str:
        """The keyword every document must contain (sources that are search results)."""
        return ""

    @abstractmethod
    def place(self, doc: Doc, number: int) -> None:
        """Give a document its site id, served paths, href and real URL."""

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

    @abstractmethod
    def routes(self) -> Mapping[str, frozenset[str]]:
        """Served paths (host prefix included) this source answers at, with their methods."""

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
