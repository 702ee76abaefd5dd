"""Page chrome: what a portal wraps around every document and what is never the document.

Sidebars, 相关文章 lists, navigation, breadcrumbs, headers, footers, share bars: they hold titles
of *other* documents (often on the watched topic), so text taken from them would raise hits
the document never makes. :func:`without_chrome` removes them from a copy of a page's tree
before a generic extractor reads it; the CMS body containers (crawler.extract.page) never
include them in the first place.

Recognised by what they are, not by site: HTML5 landmarks (``nav``, ``header``, ``footer``,
``aside``), class and id words that portals use for chrome (``sidebar``, ``xgwz`` 相关文章,
``footer``, ``crumb`` …), a heading such as 相关文章 / 相关链接 / 推荐阅读 with the list under it,
and any list whose items are mostly dated links (a list of other documents).
"""

from __future__ import annotations

import copy
import re

import lxml.html

from spiders.dates import find_dates

_LANDMARK_TAGS = ("nav", "header", "footer", "aside")
# Class/id words of chrome, matched as whole words or word prefixes of the attribute's parts.
_CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(?:side(?:bar)?|aside|related|relate|xgwz|xgxx|xglj|xgwj|recommend|tuijian|"
    r"hot(?:news)?|rank|nav(?:bar)?|menu|crumbs?|breadcrumbs?|position|location|"
    r"header|top(?:bar|nav)|footer|foot|bottom|copyright|share|friend(?:link)?s?|"
    r"yqlj|links?)(?=$|[\s_\-\d])",
    re.I,
)
_CHROME_HEADINGS = re.compile(
    r"^\s*(?:相关(?:文章|链接|阅读|新闻|文件|政策|信息|稿件|解读)|推荐阅读|延伸阅读|热点(?:新闻|文章)?|"
    r"热门(?:文章|新闻)|最新(?:文章|动态|发布)|猜你喜欢|友情链接|上一篇|下一篇)\s*[:：]?\s*$"
)
_LIST_TAGS = ("ul", "ol", "dl")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "dt"}
_MIN_LIST_ITEMS = 3


def without_chrome(
    tree: lxml.html.HtmlElement, *, lists_of_documents: bool = True
) -> lxml.html.HtmlElement:
    """A copy of ``tree`` with the page chrome taken out (``tree`` is left as it was).

    ``lists_of_documents=False`` keeps plain lists of dated links (what a list page is made
    of) and removes only the chrome named as such (sidebars, 相关文章, navigation …)."""
    page = copy.deepcopy(tree)
    body = page.find("body")
    root = body if body is not None else page
    total_text = len(root.text_content())
    doomed: list[lxml.html.HtmlElement] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        if _is_chrome(element, total_text, lists_of_documents):
            doomed.append(element)
        elif _is_chrome_heading(element):
            doomed.append(element)
            following = element.getnext()
            if following is not None and len(following.findall(".//a")) >= 2:
                doomed.append(following)  # the list under 相关文章
    for element in doomed:
        parent = element.getparent()
        if parent is None:  # dropped already
            continue
        try:
            element.drop_tree()  # its tail (the text after it) stays
        except ValueError:  # a tail with control characters lxml will not re-set (fuzzing)
            parent.remove(element)
    return page


def _is_chrome(element: lxml.html.HtmlElement, total_text: int, lists: bool) -> bool:
    tag = element.tag.lower()
    if tag in _LANDMARK_TAGS:
        return True
    words = f"{element.get('class') or ''} {element.get('id') or ''}"
    if words.strip() and _CHROME_WORDS.search(words):
        # ... unless it is a wrapper named like chrome that holds most of the page's text
        return len(element.text_content()) <= 0.6 * total_text
    return lists and tag in _LIST_TAGS and _is_list_of_documents(element)


def is_chrome_heading(text: str) -> bool:
    """Whether ``text`` is the heading of a box of other documents (相关文章, 相关稿件 …): never
    a document's own title."""
    return len(text) <= 12 and bool(_CHROME_HEADINGS.match(text))


def _is_chrome_heading(element: lxml.html.HtmlElement) -> bool:
    """A short heading such as 相关文章 (only small elements are read: no quadratic walk)."""
    if element.tag.lower() not in _HEADING_TAGS or len(element) > 2:
        return False
    return is_chrome_heading(element.text_content())


def _is_list_of_documents(element: lxml.html.HtmlElement) -> bool:
    """A list whose items are mostly links to other documents, each with its date."""
    items = [child for child in element if isinstance(child.tag, str)]
    if len(items) < _MIN_LIST_ITEMS:
        return False
    dated_links = sum(
        1 for item in items if item.find(".//a") is not None and find_dates(item.text_content())
    )
    return dated_links >= max(_MIN_LIST_ITEMS, 0.6 * len(items))
