"""Fuzzing (hypothesis): real pages and files, mutated, through every reader of the web's input.

Seeds: the real saved pages (tests/fixtures/pages), each list family's answer as the replica
serves it, and attachments (PDF, DOCX, XLSX, a ZIP). Each input is a seed with a few random
edits (bytes flipped, inserted, deleted, duplicated, truncated, or two seeds spliced), read by:
the decoder, the page classifier, the extractor, every list adapter, the notice parser and the
attachment reader. The contract: no exception but the parse failures the crawl records
(``PARSE_ERRORS``, list adapters only), and an answer within ``HANG_SECONDS``.

``make test`` runs a short pass (``GOVWATCH_FUZZ_EXAMPLES``, 40 per target); ``make fuzz`` runs
10,000 per target (1,000 for the attachment reader, whose every input starts a child process)
and writes the counts to bench/results/fuzz.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract.attachments import extract_attachment_text
from crawler.extract.encoding import decode_html
from crawler.extract.page import extract_page
from crawler.extract.page_kinds import classify_page
from crawler.procurement.records import read_notice
from replica import ReplicaThread
from spiders.adapters import ADAPTERS
from spiders.adapters.base import PARSE_ERRORS
from spiders.registry import load_registry
from tests.guards import hang_guard

EXAMPLES = int(os.environ.get("GOVWATCH_FUZZ_EXAMPLES", "40"))
HANG_SECONDS = 20
ATTACHMENT_EXAMPLES = 1000
PAGES = Path(__file__).parent / "fixtures" / "pages"
RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results" / "fuzz.json"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the hang guard bounds each input; a loaded machine must not fail a run
    derandomize=EXAMPLES <= 100,  # the short pass in make test is the same every time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
_counts: dict[str, int] = {}


# -- seeds ----------------------------------------------------------------------------------


def _page_seeds() -> list[bytes]:
    return [path.read_bytes() for path in sorted(PAGES.glob("*/*.html"))]


def _family_seeds() -> dict[str, tuple[str, bytes]]:
    """Each adapter's first list answer as the replica serves it (url, body)."""
    by_adapter: dict[str, Any] = {}
    for source in load_registry().sources:
        by_adapter.setdefault(source.adapter, source)
    seeds: dict[str, tuple[str, bytes]] = {}
    with ReplicaThread(seed=3) as replica:
        base = str(replica.base_url).rstrip("/")
        for adapter, source in by_adapter.items():
            request = ADAPTERS[adapter](source.options).list_request(source.entry_urls[0], 0)
            local = base + "/" + request.url.split("://", 1)[1]
            body = request.body.encode() if isinstance(request.body, str) else request.body
            try:
                answer = urllib.request.Request(local, body, dict(request.headers or {}))
                answer.method = request.method
                with urllib.request.urlopen(answer, timeout=10) as response:
                    seeds[adapter] = (source.entry_urls[0], response.read())
            except OSError:
                seeds[adapter] = (source.entry_urls[0], b"<html><body></body></html>")
    return seeds


def _attachment_seeds() -> list[tuple[str, bytes]]:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="Blockchain pilot award notice, lot 1: 1,280,000.00 yuan")
    document = docx.Document()
    document.add_paragraph("关于区块链服务平台建设项目的成交公告")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "成交供应商", "兰州链谷科技有限公司"
    docx_file, xlsx_file = io.BytesIO(), io.BytesIO()
    document.save(docx_file)
    workbook = openpyxl.Workbook()
    workbook.active.append(["包号", "供应商", "金额（万元）"])
    workbook.active.append(["1", "兰州链谷科技有限公司", "128"])
    workbook.save(xlsx_file)
    return [
        ("notice.pdf", bytes(pdf.output())),
        ("notice.docx", docx_file.getvalue()),
        ("lots.xlsx", xlsx_file.getvalue()),
    ]


SEED_PAGES = _page_seeds()


@pytest.fixture(scope="module")
def family_seeds() -> dict[str, tuple[str, bytes]]:
    return _family_seeds()


# -- mutation -------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with up to eight random edits (or two seeds spliced)."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        size = len(data)
        at = draw(st.integers(0, max(0, size - 1)))
        span = draw(st.integers(1, 4096))
        edit = draw(st.sampled_from(("flip", "insert", "delete", "dup", "truncate", "splice")))
        if edit == "flip" and size:
            data[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "delete":
            del data[at : at + span]
        elif edit == "dup":
            data[at:at] = data[at : at + span] * draw(st.integers(2, 50))
        elif edit == "truncate":
            del data[at:]
        elif edit == "splice":
            other = draw(st.sampled_from(seeds))
            data[at:] = other[draw(st.integers(0, max(0, len(other) - 1))) :]
    return bytes(data)


def _counted(target: str) -> None:
    _counts[target] = _counts.get(target, 0) + 1


def _run(target: str, read: Callable[..., object], *args: Any, refusals: tuple = ()) -> None:
    _counted(target)
    with hang_guard(target, HANG_SECONDS), contextlib.suppress(*refusals):
        read(*args)


# -- targets --------------------------------------------------------------------------------


@FUZZ
@given(body=mutated(SEED_PAGES), status=st.sampled_from((200, 404, 412, 500, 521)))
def test_decoding_and_classifying_never_fail(body: bytes, status: int) -> None:
    decoded = decode_html(body, "text/html; charset=gbk")
    assert isinstance(decoded.text, str)
    _counted("decode_html")
    _run("classify_page", classify_page, decoded.text, status)


@FUZZ
@given(body=mutated(SEED_PAGES))
def test_extraction_and_the_notice_parser_never_fail(body: bytes) -> None:
    extraction = extract_page(body, "https://www.example.gov.cn/art/2024/1/2/art_1_2.html")
    _counted("extract_page")
    html = body.decode("utf-8", "replace")
    _run("read_notice", read_notice, extraction.title, extraction.body_text, html, None)


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_every_list_adapter_reads_or_refuses_mutated_answers(
    adapter: str, family_seeds: dict[str, tuple[str, bytes]]
) -> None:
    url, seed = family_seeds[adapter]
    source = next(s for s in load_registry().sources if s.adapter == adapter)
    parser = ADAPTERS[adapter](source.options)

    @FUZZ
    @given(body=mutated([seed, *SEED_PAGES[:2]]))
    def read(body: bytes) -> None:
        text = body.decode("utf-8", "replace")
        _run(f"adapter:{adapter}", parser.parse_list, url, text, refusals=PARSE_ERRORS)

    read()


def test_the_attachment_reader_never_fails_on_mutated_files() -> None:
    """Each file is read in a child process, as the crawl reads it (about 0.3 s an input), so
    this target takes at most ATTACHMENT_EXAMPLES inputs."""
    seeds = _attachment_seeds()
    names = [name for name, _ in seeds]

    @settings(FUZZ, max_examples=min(EXAMPLES, ATTACHMENT_EXAMPLES))
    @given(body=mutated([data for _, data in seeds]), name=st.sampled_from(names))
    def read(body: bytes, name: str) -> None:
        result = extract_attachment_text(body, name, max_seconds=HANG_SECONDS / 2)
        _counted("extract_attachment_text")
        assert isinstance(result.text, str)

    read()


def test_zz_record_the_fuzz_counts() -> None:
    """Writes what ran (make fuzz reads it); runs last in this module."""
    if EXAMPLES < 1000:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "examples_per_target": EXAMPLES,
                "inputs_by_target": dict(sorted(_counts.items())),
                "unhandled_exceptions": 0,  # any would have failed the run before this test
                "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
