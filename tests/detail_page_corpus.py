"""The real detail-page corpus: read each saved page as the crawl does, score it against its label.

``tests/fixtures/detail_pages/labels.jsonl`` has one page per line, labelled by reading the page
(title, published date, 文号, publisher); the files beside it are the pages byte for byte as the
repository named in the label holds them (``blob`` is their git blob id, so a test can prove it).
A page goes through ``extract_page`` with its URL where the label knows it, exactly as
``govwatch extract`` and the crawl call it.

The procurement notices of ``tests/fixtures/notices/`` (their own labels, see
``tests/notice_corpus.py``) are measured here too, read in place, never copied: every saved HTML
notice whose labelled title the page itself states counts for the title (those labels give no
day of publication, so no date is scored for them).

``python -m tests.detail_page_corpus`` prints every miss and the scores;
``--provenance`` rewrites PROVENANCE.md from the labels.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.extract.encoding import decode_html
from crawler.extract.page import Extraction, extract_page

CORPUS = Path(__file__).parent / "fixtures" / "detail_pages"
NOTICES = Path(__file__).parent / "fixtures" / "notices"


def comparable(text: str | None) -> str:
    """Text as compared: NFKC (full-width brackets as ASCII), no spaces at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def blob_id(data: bytes) -> str:
    """The git blob id of ``data``: what the repository's tree names the file by."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Scored:
    """One page: its label, what govwatch read, and each field's outcome (None: not labelled)."""

    label: dict[str, Any]
    read: Extraction
    title_ok: bool = False
    date_ok: bool = False
    doc_number_ok: bool | None = None
    publisher_ok: bool | None = None
    misses: list[str] = field(default_factory=list)


def labels() -> list[dict[str, Any]]:
    lines = (CORPUS / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def notice_pages() -> list[dict[str, Any]]:
    """The saved HTML notices of the notice corpus whose labelled title the page states."""
    lines = (NOTICES / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    pages = []
    for label in (json.loads(line) for line in lines if line.strip()):
        if not label["file"].endswith(".html") or not label.get("title"):
            continue
        page = (NOTICES / label["file"]).read_bytes()
        text = extract_page(page).body_text + decode_html(page).text
        if comparable(label["title"]) in comparable(re.sub(r"<[^>]*>", "", text)):
            pages.append({**label, "url": label.get("source_url")})
    return pages


def score_notice(label: dict[str, Any]) -> Scored:
    """A notice page: only its title is scored (its label gives the year, not the day)."""
    read = extract_page((NOTICES / label["file"]).read_bytes(), label.get("url"))
    result = Scored(label, read, date_ok=True)
    result.title_ok = comparable(read.title) == comparable(label["title"])
    if not result.title_ok:
        result.misses.append(f"title: want {label['title']!r}, read {read.title!r}")
    return result


def score(label: dict[str, Any]) -> Scored:
    read = extract_page((CORPUS / label["file"]).read_bytes(), label.get("url"))
    result = Scored(label, read)
    result.title_ok = comparable(read.title) == comparable(label["title"])
    if not result.title_ok:
        result.misses.append(f"title: want {label['title']!r}, read {read.title!r}")
    got_date = read.published_at.date().isoformat() if read.published_at else None
    result.date_ok = got_date == label["published"]
    if not result.date_ok:
        result.misses.append(f"date: want {label['published']}, read {got_date}")
    if label.get("doc_number"):
        result.doc_number_ok = comparable(read.doc_number) == comparable(label["doc_number"])
    elif read.doc_number:
        result.doc_number_ok = False  # a 文号 the page never states
    if result.doc_number_ok is False:
        result.misses.append(f"文号: want {label.get('doc_number')!r}, read {read.doc_number!r}")
    if label.get("publisher"):
        result.publisher_ok = comparable(read.publisher) == comparable(label["publisher"])
        if not result.publisher_ok:
            result.misses.append(f"publisher: want {label['publisher']!r}, read {read.publisher!r}")
    return result


@dataclass
class Totals:
    pages: int
    titles_ok: int
    dates_ok: int
    doc_numbers: int
    doc_numbers_ok: int
    publishers: int
    publishers_ok: int


def totals(results: list[Scored]) -> Totals:
    return Totals(
        pages=len(results),
        titles_ok=sum(r.title_ok for r in results),
        dates_ok=sum(r.date_ok for r in results),
        doc_numbers=sum(r.doc_number_ok is not None for r in results),
        doc_numbers_ok=sum(bool(r.doc_number_ok) for r in results),
        publishers=sum(r.publisher_ok is not None for r in results),
        publishers_ok=sum(bool(r.publisher_ok) for r in results),
    )


def provenance_markdown() -> str:
    """PROVENANCE.md of the corpus: where each page was found, at which commit."""
    rows = [
        "# Real saved detail pages: where each one comes from",
        "",
        "Each file is kept byte for byte as the repository holds it (`blob` in labels.jsonl is",
        "its git blob id). The labels were written by reading the pages, never by running",
        "govwatch. Regenerate this table with `python -m tests.detail_page_corpus --provenance`.",
        "",
        "| file | kind | published | repository | path | commit | commit date |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in labels():
        rows.append(
            f"| {label['file']} | {label['kind']} | {label['published']} | {label['repo']} "
            f"| {label['path']} | {label['commit'][:12]} | {label['commit_date']} |"
        )
    return "\n".join(rows) + "\n"


def _share(right: int, total: int) -> str:
    return f"{right}/{total} ({right / total:.0%})" if total else "0/0"


def main() -> None:
    if "--provenance" in sys.argv:
        (CORPUS / "PROVENANCE.md").write_text(provenance_markdown(), encoding="utf-8")
        return
    results = [score(label) for label in labels()]
    notices = [score_notice(label) for label in notice_pages()]
    for result in results + notices:
        if result.misses:
            print(f"{result.label['id']}  ({result.label['file']})")
            for miss in result.misses:
                print(f"    {miss}")
    t = totals(results)
    n = totals(notices)
    every = labels()
    hosts = {label["file"].split("/", 1)[0] for label in every}
    kinds = Counter(label["kind"] for label in every)
    years = sorted({label["published"][:4] for label in every})
    print(
        f"\n{t.pages} pages, {len(hosts)} hosts, years {years[0]}–{years[-1]}; kinds {dict(kinds)}\n"
        f"title {_share(t.titles_ok, t.pages)}; date {_share(t.dates_ok, t.pages)}; "
        f"文号 {_share(t.doc_numbers_ok, t.doc_numbers)}; "
        f"publisher {_share(t.publishers_ok, t.publishers)}\n"
        f"notice pages (tests/fixtures/notices, title only): title {_share(n.titles_ok, n.pages)}"
    )


if __name__ == "__main__":
    main()
