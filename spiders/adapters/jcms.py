"""浙江 JCMS ``api-gateway``: column lists rendered server-side and returned inside JSON."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlencode, urlsplit

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, PageRequest, register
from spiders.links import dated_links

_PAGINATION = re.compile(r"""count=['"]?(\d+)['"]?[^>]*?rows=['"]?(\d+)""")
_ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_(\d+)\.html")
API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"


@register("jcms")
class JcmsAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("webId", "pageId")
    OPTIONAL_OPTIONS = ("tagId", "tplSetId", "rows")

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        parts = urlsplit(entry_url)
        query = {
            "webId": self.options["webId"],
            "pageId": self.options["pageId"],
            "parseType": "bulidstatic",
            "pageType": "column",
            "tagId": self.options.get("tagId", "当前栏目_list"),
            "tplSetId": self.options.get("tplSetId", ""),
            "rows": self.options.get("rows", 15),
            "pageNo": page_index + 1,
        }
        return PageRequest(f"{parts.scheme}://{parts.netloc}{API_PATH}?{urlencode(query)}")

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not data.get("success", False):
            return ListPage(refused=("error", f"api-gateway answered: {str(data)[:160]}"))
        html = str((data.get("data") or {}).get("html") or "")
        page = ListPage()
        if not html.strip():
            return page
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        for link in dated_links(fragment, url):
            article = _ARTICLE.search(link.url)
            page.items.append(
                ListItem(link.url, link.title, link.date, article.group(1) if article else None)
            )
        if found := _PAGINATION.search(html):
            page.total_pages = math.ceil(int(found.group(1)) / max(1, int(found.group(2))))
        return page
