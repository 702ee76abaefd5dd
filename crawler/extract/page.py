"""Reading one fetched page: what it is, and for documents the fields analysts need.

Order of trust, from the page's own declarations to guesses:
1. government metas (``ArticleTitle``, ``PubDate``, ``ContentSource``, ``SiteName`` …);
2. the 政府信息公开 metadata table (see :mod:`crawler.extract.infotable`);
3. the body containers of the CMS families (TRS, Hanweb, ccgp …) and labelled lines
   (``发布时间：``) in the article header;
4. a generic extractor (trafilatura) for pages of no known family.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from cssselect import GenericTranslator
from lxml import etree

from crawler.extract.chrome import is_chrome_heading, without_chrome
from crawler.extract.doctypes import doc_type_of, looks_like_title
from crawler.extract.encoding import DecodedPage, decode_html
from crawler.extract.infotable import LABEL_AT_START, LABEL_IN_HTML, read_info_table
from crawler.extract.page_kinds import PageKind, binary_verdict, classify_page
from spiders.dates import date_from_url, find_dates, parse_date
from spiders.links import dated_links

# Body containers of the CMS families, most specific first.
BODY_CONTAINERS = (
    "div.TRS_Editor",
    "div.trs_editor_view",
    "div.TRS_UEDITOR",
    "#zoom",
    "#UCAP-CONTENT",
    "div.view-content",
    "div.Article_content",
    "#ivs_content",
    "div.pages_content",
    "div.conlun2_box_text",
    "div.vF_detail_content",
    "div.info-article",
    "div.notice-con",
    "#noticeArea",
    "div.noticeArea",
    "#TDContent",
    "td.infodetail",
    "#mainText",
    "div.article",
    "div.zw",
    "#info_cont",
    "div.listConts",
    "div.colspanColumn",
    "#myPrintArea",
    "div.article-content",
)
_CONTAINER_XPATHS = tuple(
    (css, etree.XPath(GenericTranslator().css_to_xpath(css))) for css in BODY_CONTAINERS
)
_MIN_BODY_CHARS = 30
_GENERIC_MAX_CHARS = 200_000
_HANWEB_BEGIN, _HANWEB_END = "<!--ZJEG_RSS.content.begin-->", "<!--ZJEG_RSS.content.end-->"
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "dd",
    "dt",
    "pre",
}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2002\u2003\u3000]+")
_DATE_LABEL = re.compile(
    r"(?:发布时间|发布日期|发文日期|公告时间|信息时间|日期|时间)\s*[:：]\s*([^\n]{6,40})"
)
_SOURCE_LABEL = re.compile(r"(?:来源|发布机构|信息来源|发布单位)\s*[:：]\s*([^\s|｜]{2,40})")
# A 文号 standing on its own line under the title, as 公文 are laid out (沪府办发〔2024〕12号).
_DOC_NUMBER_LINE = re.compile(
    r"^\s*([\u4e00-\u9fa5A-Za-z]{1,12}\s*[〔［\[【(（]\s*(?:19|20)\d{2}\s*[〕］\]】)）]\s*\d{1,4}\s*号)\s*$",
    re.M,
)
_PROCESSING_INSTRUCTIONS = re.compile(r"<\?[^>]{0,2000}>")  # bounded: never quadratic
# A template that closes </html> after its header and goes on with the article (gov.cn's 国务院
# 公报 pages) makes libxml2 put the article outside the document's root, where no selector looks.
# Parsers close both at the end of the input anyway, so every closing tag of them is dropped.
_CLOSING_ROOT_TAGS = re.compile(r"</(?:html|body)\s*>", re.I)
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--|—|-)\s*")
_META_DATE_KEYS = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "pubtime")
_GENERATION_TIME = re.compile(r"页面生成时间\s*(.+)")
DATE_AFTER_TITLE_CHARS = 120


@dataclass
class Extraction:
    """Everything read from one page. ``kind`` says whether it is a document at all."""

    kind: PageKind
    reason: str
    url: str | None = None
    encoding: str | None = None
    encoding_note: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    doc_number: str | None = None
    publisher: str | None = None
    site_name: str | None = None
    column_name: str | None = None
    doc_type: str | None = None
    body_text: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_document(self) -> bool:
        return self.kind is PageKind.DOCUMENT

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["body_length"] = len(self.body_text)
        return data


def extract_page(
    body: bytes, url: str | None = None, content_type: str | None = None, status: int = 200
) -> Extraction:
    """Read a fetched page (raw bytes, as served) into an :class:`Extraction`."""
    binary = binary_verdict(body)
    if binary is not None:
        return Extraction(kind=binary.kind, reason=binary.reason, url=url)
    return extract_decoded(decode_html(body, content_type), url, status)


def extract_decoded(decoded: DecodedPage, url: str | None = None, status: int = 200) -> Extraction:
    """Read a page already decoded (crawler.extract.encoding) into an :class:`Extraction`."""
    verdict = classify_page(decoded.text, status)
    result = Extraction(
        kind=verdict.kind,
        reason=verdict.reason,
        url=url,
        encoding=decoded.encoding,
        encoding_note=decoded.note,
    )
    if verdict.kind is PageKind.JSON:
        result.items = _json_items(decoded.text, url)
        result.reason = f"JSON data with {len(result.items)} records, not an HTML page"
        return result
    if not verdict.kind.is_content:
        return result
    try:
        tree = lxml.html.document_fromstring(_CLOSING_ROOT_TAGS.sub("", decoded.text))
    except (etree.ParserError, ValueError):
        result.kind, result.reason = PageKind.EMPTY, "page could not be parsed as HTML"
        return result
    _read_document(tree, decoded.text, result)
    return result


def _read_document(tree: lxml.html.HtmlElement, html: str, result: Extraction) -> None:
    metas = _metas(tree)
    title_tag = _clean(tree.findtext(".//title") or "")
    etree.strip_elements(tree, *_DROP_TAGS, with_tail=False)
    etree.strip_tags(tree, etree.Comment)
    info = _info_table(tree) if LABEL_IN_HTML.search(html) else {}
    container, container_name = _body_container(tree, html)
    body = _block_text(container) if container is not None else ""

    if not metas.get("articletitle") and len(body) < 200:
        # A list page is made of dated links; those in a sidebar or 相关文章 box do not count
        # (a one-line notice beside a sidebar of other documents is a document).
        items = _dated_links(without_chrome(tree, lists_of_documents=False), result.url)
        if len(items) >= 5:
            result.kind, result.reason, result.items = (
                PageKind.LISTING,
                f"list page with {len(items)} dated links",
                items,
            )
            result.title = title_tag or None
            return
    if not body:  # no body container of a known family: read the page without its chrome
        body, container_name = _generic_body(tree), "generic"
    result.body_text = body
    result.sources["body"] = container_name

    result.site_name = metas.get("sitename")
    result.column_name = metas.get("columnname")
    header_text = functools.cache(lambda: _header_text(tree, container))
    site = metas.get("sitename")
    _pick(result, "title", [
        ("meta:ArticleTitle", lambda: tidy_title(metas.get("articletitle"), site)),
        ("infotable:标题", lambda: tidy_title(info.get("title"), site)),
        ("heading", lambda: tidy_title(_heading(tree, container, site), site)),
        ("body:first-line", lambda: tidy_title(_first_line_title(body), site)),
        ("<title>", lambda: tidy_title(_title_from_tag(title_tag, body), site)),
    ])  # fmt: skip
    _pick(result, "published_at", [
        ("meta:PubDate", lambda: _meta_pubdate(metas)),
        ("infotable:发布日期", lambda: parse_date(info.get("published_date"))),
        ("label:发布时间", lambda: _labelled_date(header_text())),
        ("url", lambda: date_from_url(result.url or "")),
        ("near-title", lambda: _date_after_title(header_text(), result.title)),
        ("infotable:成文日期", lambda: parse_date(info.get("written_date"))),
    ])  # fmt: skip
    _pick(result, "doc_number", [
        ("infotable:发文字号", lambda: info.get("doc_number")),
        ("body:head", lambda: _doc_number_in(body[:300])),
        ("title", lambda: doc_number_in_title(result.title)),
    ])  # fmt: skip
    _pick(result, "publisher", [
        ("infotable:发文机关", lambda: info.get("publisher")),
        ("meta:ContentSource", lambda: metas.get("contentsource")),
        ("label:来源", lambda: _labelled_source(header_text())),
        ("meta:SiteName", lambda: metas.get("sitename")),
    ])  # fmt: skip
    result.doc_type = doc_type_of(result.title) or doc_type_of(result.column_name)


def _pick(result: Extraction, attr: str, candidates: list[tuple[str, Callable[[], Any]]]) -> None:
    """Set ``attr`` from the first candidate that yields a value, and note where it came from."""
    for source, read in candidates:
        value = read()
        if value:
            setattr(result, attr, value)
            result.sources[attr] = source
            return


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _metas(tree: lxml.html.HtmlElement) -> dict[str, str]:
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        content = _clean(meta.get("content") or "")
        if name and content and name not in metas:
            metas[name] = content
    return metas


def _meta_pubdate(metas: dict[str, str]) -> datetime | None:
    generated = _GENERATION_TIME.search(metas.get("others", ""))
    for key in _META_DATE_KEYS:
        value = parse_date(metas.get(key))
        if value is None:
            continue
        # Some TRS templates fill PubDate with the time the page was generated, not published.
        if generated and parse_date(generated.group(1)) == value:
            return None
        return value
    return None


def _info_table(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Locate the metadata table by its labels, then let BeautifulSoup read the fragment."""
    anchors = []
    for text_node in tree.xpath("//body//text()"):
        if LABEL_AT_START.match(text_node):
            parent = text_node.getparent()
            if parent is not None:
                anchors.append(parent)
        if len(anchors) >= 8:
            break
    if len(anchors) < 2:
        return {}
    # The table is the smallest element holding the most labels: a 发布时间 line elsewhere on
    # the page must not widen it to the whole article.
    counts: dict[lxml.html.HtmlElement, int] = {}
    for anchor in anchors:
        for level, ancestor in enumerate(anchor.iterancestors()):
            if level >= 6:
                break
            counts[ancestor] = counts.get(ancestor, 0) + 1
    candidates = [(n, el) for el, n in counts.items() if n >= 2]
    tables = [(n, el) for n, el in candidates if el.tag in ("table", "tbody", "ul", "ol", "dl")]
    candidates = tables or candidates
    if not candidates:
        return {}
    best = max(n for n, _ in candidates)
    sized = [(len(el.text_content()), el) for n, el in candidates if n == best]
    size, common = min(sized, key=lambda pair: pair[0])
    if size > 3000:
        return {}
    return read_info_table(lxml.html.tostring(common, encoding="unicode"))


def _body_container(
    tree: lxml.html.HtmlElement, html: str
) -> tuple[lxml.html.HtmlElement | None, str]:
    hanweb = _between(html, _HANWEB_BEGIN, _HANWEB_END)
    if hanweb is not None:
        # Word-pasted bodies carry <?xml:namespace …/> instructions that lxml keeps as text.
        inner = _PROCESSING_INSTRUCTIONS.sub("", hanweb)
        fragment = lxml.html.fragment_fromstring(inner, create_parent="div")
        etree.strip_elements(fragment, *_DROP_TAGS, with_tail=False)
        return fragment, "hanweb:ZJEG_RSS.content"
    short: tuple[lxml.html.HtmlElement | None, str] = (None, "")
    for css, xpath in _CONTAINER_XPATHS:
        for element in xpath(tree):
            length = len(element.text_content().strip())
            if length >= _MIN_BODY_CHARS:
                if short[0] is not None and element in short[0].iterancestors():
                    return short  # a wrapper around the short body: the page, not the body
                return element, css
            if length and short[0] is None:
                short = (element, css)
    # A short body (a one-line notice) stays the body: the page around it is not the document.
    return short


def _between(text: str, begin: str, end: str) -> str | None:
    """The text between the first ``begin`` and the ``end`` after it, if both are there."""
    start = text.find(begin)
    if start < 0:
        return None
    stop = text.find(end, start + len(begin))
    return text[start + len(begin) : stop] if stop >= 0 else None


def _block_text(element: lxml.html.HtmlElement) -> str:
    """Text of ``element`` with one line per block (paragraph, row, list item)."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")
        elif tag.lower() in ("td", "th"):
            parts.append(" ")

    walk(element)
    lines = (_clean(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _generic_body(tree: lxml.html.HtmlElement) -> str:
    """The body of a page of no known family: trafilatura's reading of the page without its
    chrome (crawler.extract.chrome), so sidebars and related lists never become the body."""
    import trafilatura  # imported lazily: it is slow to import and rarely needed

    page = without_chrome(tree)
    body = page.find("body")
    if body is not None and len(body.text_content()) > _GENERIC_MAX_CHARS:
        # trafilatura and its fallbacks (jusText) grow worse than linearly with the paragraphs
        # (minutes for a 5 MB page); a page that long is mostly its text once its chrome is out.
        return _block_text(body)
    text = trafilatura.extract(page, include_tables=True, include_comments=False)
    return "\n".join(_clean(line) for line in (text or "").splitlines() if line.strip())


# What a page's title is not: a field's label, the site's name, a bare section word.
_LABEL_TITLE = re.compile(
    r"^(?:采购项目名称|项目名称|标的基本信息|公告标题|文章标题|标题|公告信息|基本信息|项目概况|公告概要"
    r"|详细信息|信息详情|正文|详情|内容|公告内容|首页|当前位置|信息来源|附件)[:：]?$"
    # A notice's type alone (中标候选人公示, 招标公告): the list's title says which notice.
    r"|^(?:中标|成交|招标|采购|结果|更正|变更|终止|废标|流标|中选)?(?:候选人)?(?:结果)?(?:公告|公示)$"
)
_SITE_TITLE = re.compile(
    r"(?:政府采购网|公共资源交易(?:中心|网|平台|服务平台)|人民政府(?:门户)?网站?|政府网|门户网站?"
    r"|采购网|交易网|信息网|官网|网站)$"
)
# A tag before the title naming who published it: (市交易中心)某某项目招标公告.
_LEADING_TAG = re.compile(
    r"^\s*[(（\[【〔]\s*([^()（）\[\]【】〔〕]{2,14}?(?:中心|局|厅|委|办|市|县|区|省|网|站|分中心|平台))"
    r"\s*[)）\]】〕]\s*"
)
# An identifier after the title, not part of it: …中标公告_8a7f3c21e9, …公告 20240312001.
_TRAILING_ID = re.compile(r"[\s_]+(?=[A-Za-z0-9-]{8,}$)(?=[^\s_]*\d)[A-Za-z0-9-]+$")
_MARKUP = re.compile(r"<[^<>]{0,500}>")
# A 文号 anywhere in a title: …公开表（浙金罚决字〔2024〕52号）.
_DOC_NUMBER_IN_TITLE = re.compile(
    r"[\u4e00-\u9fa5A-Za-z]{1,12}\s*[〔［\[【(（]\s*(?:19|20)\d{2}\s*[〕］\]】)）]\s*\d{1,5}\s*号"
)


def tidy_title(value: str | None, site_name: str | None = None) -> str | None:
    """A title candidate as a title: markup a meta carried taken out (``<font …>``), a leading
    publisher tag and a trailing identifier cut off; None for a field label, a site's name or a
    text ending in a colon."""
    if not value:
        return None
    text = _clean(html_lib.unescape(_MARKUP.sub("", value)))
    tag = _LEADING_TAG.match(text)
    if tag and len(text) - tag.end() >= 6:
        text = text[tag.end() :]
    text = _TRAILING_ID.sub("", text).strip()
    if len(text) < 4 or text.endswith((":", "：")) or _LABEL_TITLE.match(text):
        return None
    if is_chrome_heading(text):  # 相关稿件, 相关文章: the heading of a box of other documents
        return None
    if (site_name and text == site_name.strip()) or (len(text) <= 20 and _SITE_TITLE.search(text)):
        return None
    return text


def doc_number_in_title(title: str | None) -> str | None:
    """The 文号 a title states, in its brackets or not (…公开表（浙金罚决字〔2024〕52号）)."""
    match = _DOC_NUMBER_IN_TITLE.search(title or "")
    return re.sub(r"\s+", "", match.group()).lstrip("(（") if match else None


def _heading(
    tree: lxml.html.HtmlElement,
    container: lxml.html.HtmlElement | None,
    site_name: str | None = None,
) -> str | None:
    # A table cell styled 'title' is a field's label (<td class="title">招标人:</td>), no heading.
    titled = "//*[contains(@class,'title')][not(self::title or self::td or self::th)]"
    for xpath in ("//h1", titled, "//h2"):
        for element in tree.xpath(xpath):
            text = _clean(element.text_content())
            if tidy_title(text, site_name) is None:
                continue  # a label, the site's name
            if 4 <= len(text) <= 120 and (container is None or element not in container.iter()):
                return text
    return None


# A field line (招标代码：0024…, 招标编号：…) standing above a notice's title.
_FIELD_LINE = re.compile(r"^[\u4e00-\u9fa5]{2,8}\s*[:：]")


def _first_line_title(body: str) -> str | None:
    """The title a body opens with: its first line, or the first lines a Word-made notice breaks
    its title over (``某某工程`` / ``竞争性磋商成交结果公告``), or a bare notice type put above
    the project's name (``招标公告`` / ``某某工程监理``), which names that project's notice."""
    lines = [line.strip() for line in body.split("\n", 5)[:5]]
    if lines and _FIELD_LINE.match(lines[0]):
        lines = lines[1:]  # 招标代码：… above the title
    if not lines:
        return None
    if _LABEL_TITLE.match(lines[0]):
        if len(lines) >= 2 and _is_name_line(lines[1]) and looks_like_title(lines[1] + lines[0]):
            return lines[1] + lines[0]
        return None
    if looks_like_title(lines[0]):
        return lines[0]
    if not _is_name_line(lines[0]):
        return None
    for end in (2, 3):
        tail = lines[1:end]
        if len(tail) < end - 1 or not all(len(line) <= 40 and _is_name_line(line) for line in tail):
            return None
        joined = "".join(lines[:end])
        if looks_like_title(joined):
            return joined
    return None


def _is_name_line(line: str) -> bool:
    """A line that can be part of a title: no field label, no sentence."""
    return 2 <= len(line) <= 80 and not re.search(r"[:：。；;]", line)


def _title_from_tag(title_tag: str, body: str) -> str | None:
    """The segment of ``<title>`` that names the document, not the site or column."""
    segments = [s for s in _TITLE_SPLIT.split(title_tag) if len(s) >= 4]
    if not segments:
        return None
    in_body = [s for s in segments if s in body[:2000]]
    return max(in_body or segments, key=len)


def _header_text(tree: lxml.html.HtmlElement, container: lxml.html.HtmlElement | None) -> str:
    """Visible text before the body container (where 发布时间 and 来源 lines stand)."""
    body_el = tree.find("body")
    if body_el is None:
        return ""
    text = _block_text(body_el)
    if container is not None:
        start = _block_text(container)[:40]
        cut = text.find(start) if start else -1
        if cut > 0:
            return text[max(0, cut - 2000) : cut]
    return text[:3000]


def _labelled_date(text: str) -> datetime | None:
    for match in _DATE_LABEL.finditer(text):
        found = find_dates(match.group(1))
        if found:
            return found[0][1]
    return None


def _date_after_title(text: str, title: str | None) -> datetime | None:
    """A bare date printed under the title (``2025-12-12 18:35　来源…``), not one further away.

    Only the lines right after the title are read: sidebars and footers carry other dates.
    """
    if not title:
        return None
    at = text.find(title[:30])
    if at < 0:
        return None
    following = text[at + min(len(title), 30) :][:DATE_AFTER_TITLE_CHARS]
    found = find_dates(following)
    return found[0][1] if found else None


def _labelled_source(text: str) -> str | None:
    match = _SOURCE_LABEL.search(text)
    return match.group(1) if match else None


def _doc_number_in(text: str) -> str | None:
    match = _DOC_NUMBER_LINE.search(text)
    return re.sub(r"\s+", "", match.group(1)) if match else None


def _dated_links(tree: lxml.html.HtmlElement, base_url: str | None) -> list[dict[str, Any]]:
    links = dated_links(tree, base_url or "")
    return [{"title": link.title, "url": link.url, "date": link.date} for link in links]


def _json_items(text: str, base_url: str | None) -> list[dict[str, Any]]:
    """Records of a JSON list answer, with their url, title and date fields recognised."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    records = data
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        records = lists[0] if lists else []
    items = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        lowered = {str(k).lower(): v for k, v in record.items()}
        url = next((lowered[k] for k in ("url", "link", "href") if lowered.get(k)), None)
        title = next(
            (lowered[k] for k in ("title", "filename", "name", "articletitle") if lowered.get(k)),
            None,
        )
        date = next(
            (
                parse_date(str(lowered[k]))
                for k in ("pubdate", "publishtime", "date", "time")
                if lowered.get(k)
            ),
            None,
        )
        if url or title:
            items.append(
                {
                    "title": title,
                    "url": urljoin(base_url or "", str(url)) if url else None,
                    "date": date.date() if date else None,
                }
            )
    return items
