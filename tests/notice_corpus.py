"""The real-notice corpus: read each notice as the crawl does and score it against its label.

``tests/fixtures/notices/labels.jsonl`` has one labelled notice per line (labelled by reading
it, see ``tests/fixtures/notices/README.md``); the files beside it are the notices as published.
A page goes through the crawl's own path: ``extract_page`` → ``read_notice`` with the page's
title (the list's title, the label's, where the page has none). A text notice (from a JSON
API) goes straight to ``read_notice``.

``python -m tests.notice_corpus`` prints the scores and every miss.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from crawler.extract.encoding import decode_html
from crawler.extract.page import extract_page
from crawler.procurement.amounts import narrow
from crawler.procurement.records import read_notice
from storage.repository import NoticeRecord

CORPUS = Path(__file__).parent / "fixtures" / "notices"


def comparable(name: str | None) -> str | None:
    """A name as compared: ASCII punctuation, no spaces (（北京）有限公司 == (北京)有限公司)."""
    if name is None:
        return None
    squashed = re.sub(r"\s+", "", narrow(name))
    return squashed or None


def _yuan(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@dataclass
class Scored:
    """One notice: its label, what govwatch read, and each check's outcome."""

    label: dict[str, Any]
    read: NoticeRecord | None
    misses: list[str] = field(default_factory=list)
    buyer_ok: bool | None = None  # None: the notice names no buyer
    lots_total: int = 0
    lots_ok: int = 0
    type_ok: bool = False


def read_corpus_notice(label: dict[str, Any]) -> NoticeRecord | None:
    path = CORPUS / label["file"]
    if path.suffix == ".txt":
        return read_notice(label.get("title"), path.read_text(encoding="utf-8"), None, None)
    raw = path.read_bytes()
    extraction = extract_page(raw, label.get("source_url"))
    title = extraction.title or label.get("title")
    return read_notice(title, extraction.body_text, decode_html(raw).text, extraction.published_at)


def _lot_matches(expected: dict[str, Any], read: NoticeRecord) -> bool:
    want = comparable(expected["supplier"])
    for lot in read.lots:
        if comparable(lot.supplier) != want:
            continue
        amount, rate = _yuan(expected.get("amount_yuan")), _yuan(expected.get("rate"))
        if amount is not None and lot.amount_yuan != amount:
            continue
        if rate is not None and (lot.rate is None or lot.rate != rate):
            continue
        return True
    return False


def score(label: dict[str, Any]) -> Scored:
    read = read_corpus_notice(label)
    result = Scored(label, read)
    expected_type = label["notice_type"]
    got_type = read.notice_type if read else None
    result.type_ok = got_type == expected_type or (
        expected_type in ("other", "contract") and got_type in (None, "other")
    )
    if not result.type_ok:
        result.misses.append(f"type: want {expected_type}, read {got_type}")
    if label.get("buyer"):
        got = read.buyer if read else None
        result.buyer_ok = comparable(got) == comparable(label["buyer"])
        if not result.buyer_ok:
            result.misses.append(f"buyer: want {label['buyer']!r}, read {got!r}")
    winners = [lot for lot in label.get("lots", []) if lot.get("supplier")]
    result.lots_total = len(winners)
    for lot in winners:
        if read is not None and _lot_matches(lot, read):
            result.lots_ok += 1
        else:
            found = [(x.supplier, x.amount_yuan, x.rate) for x in read.lots] if read else None
            result.misses.append(
                f"lot {lot.get('lot') or '-'}: want {lot['supplier']!r} "
                f"{lot.get('amount_yuan') or lot.get('rate')}, read {found}"
            )
    if expected_type == "candidates" and read is not None:
        winners_read = [x.supplier for x in read.lots if x.supplier]
        if winners_read:
            result.misses.append(f"candidates read as winners: {winners_read}")
    return result


def labels() -> list[dict[str, Any]]:
    lines = (CORPUS / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Totals:
    notices: int
    types_ok: int
    buyers: int
    buyers_ok: int
    lots: int
    lots_ok: int
    candidates_as_winners: int

    @property
    def buyer_rate(self) -> float:
        return self.buyers_ok / self.buyers

    @property
    def lot_rate(self) -> float:
        return self.lots_ok / self.lots


def totals(results: list[Scored]) -> Totals:
    return Totals(
        notices=len(results),
        types_ok=sum(r.type_ok for r in results),
        buyers=sum(r.buyer_ok is not None for r in results),
        buyers_ok=sum(bool(r.buyer_ok) for r in results),
        lots=sum(r.lots_total for r in results),
        lots_ok=sum(r.lots_ok for r in results),
        candidates_as_winners=sum(
            any(m.startswith("candidates read") for m in r.misses) for r in results
        ),
    )


def provenance_markdown() -> str:
    """PROVENANCE.md of the corpus: where each notice was published and where it was found."""
    rows = [
        "# Real procurement notices: where each one comes from",
        "",
        "Each file is kept as the repository holds it (a saved page, or a record's text). The",
        "labels in labels.jsonl were written by reading the notices, never by running govwatch.",
        "Regenerate this table with `python -m tests.notice_corpus --provenance`.",
        "",
        "| file | province | year | type | repository | path | commit | published at |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in labels():
        url = label.get("source_url") or ""
        rows.append(
            f"| {label['file']} | {label['province']} | {label['year']} | {label['notice_type']} "
            f"| {label['repo']} | {label['path']} | {label['commit'][:12]} | {url} |"
        )
    return "\n".join(rows) + "\n"


def main() -> None:
    if "--provenance" in sys.argv:
        (CORPUS / "PROVENANCE.md").write_text(provenance_markdown(), encoding="utf-8")
        return
    results = [score(label) for label in labels()]
    for result in results:
        if result.misses:
            print(f"{result.label['id']}  ({result.label['file']})")
            for miss in result.misses:
                print(f"    {miss}")
    t = totals(results)
    provinces = Counter(label["province"] for label in labels())
    years = sorted({label["year"] for label in labels()})
    kinds = Counter(label["notice_type"] for label in labels())
    print(
        f"\n{t.notices} notices, {len(provinces)} provinces, years {years[0]}–{years[-1]}; "
        f"types {dict(kinds)}\n"
        f"type right {t.types_ok}/{t.notices}; buyer right {t.buyers_ok}/{t.buyers} "
        f"({t.buyer_rate:.1%}); supplier with amount {t.lots_ok}/{t.lots} ({t.lot_rate:.1%}); "
        f"candidates' notices read as awards: {t.candidates_as_winners}"
    )


if __name__ == "__main__":
    sys.exit(main())
