"""Hostile answers: what a broken or malicious site could send, read in bounded time.

Every list adapter, the page extractor and the notice parser get answers built to hurt
parsers: openers never closed (the lazy-regex trap: quadratic time), an XML entity bomb in a
Hanweb datastore, nesting thousands deep (HTML and JSON), megabytes of one tag, absurd totals.
Each must end within a few seconds and either read something or refuse the way the crawl
records as a parse failure (spiders.adapters.base.PARSE_ERRORS) — never hang, never another
exception. (Time limits here guard against hangs; speed is measured in ``make bench``.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from crawler.extract.page import extract_page
from crawler.procurement.records import read_notice
from spiders.adapters import ADAPTERS
from spiders.adapters.base import PARSE_ERRORS
from spiders.registry import load_registry
from tests.guards import hang_guard

HANG_SECONDS = 10

ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]><datastore><totalrecord>99999999999999</totalrecord><record><![CDATA["
    '<li><a href="/art/2024/1/2/art_1_2.html">&lol9;</a><span>2024-01-02</span></li>'
    "]]></record></datastore>"
)


def hostile_answers() -> dict[str, str]:
    """Name → text of an answer a site could send instead of its list."""
    openers = (
        "<record><![CDATA[",
        "<li><a href=",
        '{"data":',
        "<tr><td>",
        "<!--",
        "<script>",
        "<style>",
        "<title>",
        "<meta name=",
        "发布时间：",
        "<?xml ",
        "2024年",
        '<a href="',
    )
    answers = {f"unclosed {o!r}": o * 40_000 for o in openers}
    answers["entity bomb"] = ENTITY_BOMB
    answers["nested divs"] = "<div>" * 100_000 + "区块链" + "</div>" * 100_000
    answers["nested json"] = "[" * 100_000 + "]" * 100_000
    answers["deep json object"] = '{"a":' * 50_000 + "1" + "}" * 50_000
    answers["huge number"] = '{"total": 1' + "0" * 100_000 + ', "data": []}'
    answers["one huge tag"] = "<a " + 'x="1" ' * 400_000 + ">"
    answers["nul bytes"] = "\x00" * 1_000_000
    return answers


def read_safely(what: str, read: Callable[..., object], *args: Any) -> None:
    """``read(*args)`` ends within HANG_SECONDS, reading or refusing as the crawl records."""
    with hang_guard(what, HANG_SECONDS), contextlib.suppress(*PARSE_ERRORS):
        read(*args)


def _sources_by_adapter() -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for source in load_registry().sources:
        chosen.setdefault(source.adapter, source)
    return chosen


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_every_list_adapter_reads_hostile_answers_in_bounded_time(adapter: str) -> None:
    source = _sources_by_adapter()[adapter]
    parser = ADAPTERS[adapter](source.options)
    for name, text in hostile_answers().items():
        read_safely(f"{adapter} on {name}", parser.parse_list, source.entry_urls[0], text)


def test_the_page_extractor_and_the_notice_parser_read_hostile_pages_in_bounded_time() -> None:
    for name, text in hostile_answers().items():
        read_safely(f"extract_page on {name}", extract_page, text.encode(), "https://x.gov.cn/a")
        read_safely(f"read_notice on {name}", read_notice, "采购公告", text, text, None)


def test_an_entity_bomb_in_a_hanweb_datastore_is_never_expanded() -> None:
    source = _sources_by_adapter()["hanweb_jpage"]
    page = ADAPTERS["hanweb_jpage"](source.options).parse_list(source.entry_urls[0], ENTITY_BOMB)
    [item] = page.items
    assert len(item.title) < 100  # the entity stays a name, not a billion laughs
