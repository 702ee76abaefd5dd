"""BeautifulSoup over lxml, for the messy markup selectors alone read wrong (信息公开 tables,
procurement notices): one place that builds it, quietly for pages that open like XML."""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning


def read_markup(markup: str) -> BeautifulSoup:
    """The markup as BeautifulSoup reads HTML (a page that opens with ``<?xml …?>`` is still
    the HTML it is; bs4 would warn about it on every such page)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(markup, "lxml")
