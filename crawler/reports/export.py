"""Output formats shared by the reports (table, JSON, CSV, Markdown, XLSX), and ``export``.

Rows are dicts of typed values (str, int, Decimal, date, None); each writer formats them its
own way: CSV keeps exact machine values (``1280000.00``, ISO dates), tables and Markdown group
thousands for people, XLSX stores numbers and dates as such so spreadsheets can sum and sort.
Text is UTF-8 without a byte order mark (use XLSX for Excel, which guesses CSV encodings).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from rich.table import Table
from rich.text import Text

from crawler.json_output import dumps
from spiders.provinces import by_code_unchecked
from storage.queries import StoredDocument, StoredNotice

FORMATS = ("table", "json", "csv", "md")
EXPORT_FORMATS = ("csv", "xlsx", "json")
# Excel refuses longer cells; a cut cell says so rather than failing the whole export.
_XLSX_CELL_LIMIT = 32_000


@dataclass(frozen=True)
class Column:
    """One output column: the row key and the header people read."""

    key: str
    header: str
    numeric: bool = False


def to_json(data: Any) -> str:
    """JSON with Chinese kept readable, dates in ISO form and amounts as exact strings."""
    return dumps(data)


def plain(value: Any) -> str:
    """A value as CSV writes it: exact, ISO dates, empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def human(value: Any) -> str:
    """A value as people read it in a table: amounts with thousands separators."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return plain(value)


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column], stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([plain(row.get(c.key)) for c in columns])


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """A GitHub-flavoured Markdown table; line breaks inside cells become ``<br>``."""

    def cell(value: Any) -> str:
        return human(value).replace("|", r"\|").replace("\n", "<br>")

    lines = [
        "| " + " | ".join(c.header for c in columns) + " |",
        "| " + " | ".join("---:" if c.numeric else "---" for c in columns) + " |",
    ]
    lines += ["| " + " | ".join(cell(row.get(c.key)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def rich_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    caption: str | None = None,
    wide: Sequence[str] = (),
) -> Table:
    """A rich table; ``wide`` names the columns that take the spare width (long text)."""
    table = Table(title=title, caption=caption, show_lines=bool(wide), caption_justify="left")
    for column in columns:
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            ratio=3 if column.key in wide else None,
            no_wrap=column.key not in wide and column.numeric,
            # Chinese has no spaces to wrap at: long text folds instead of being cut.
            overflow="fold",
        )
    for row in rows:
        # Text objects: document text may hold "[", which rich would read as markup.
        table.add_row(*(Text(human(row.get(c.key))) for c in columns))
    return table


def write_xlsx(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], path: Path, *, sheet: str
) -> None:
    """One sheet with a bold, frozen header row and sensible column widths."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            return value if len(value) <= _XLSX_CELL_LIMIT else value[:_XLSX_CELL_LIMIT] + "…"
        return value

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # a new workbook always has its first sheet
    worksheet.title = sheet
    worksheet.append([c.key for c in columns])
    for header in worksheet[1]:
        header.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    for row in rows:
        worksheet.append([cell(row.get(c.key)) for c in columns])
    for index, column in enumerate(columns, start=1):
        longest = max([len(column.key), *(len(plain(r.get(column.key))) for r in rows[:200])])
        letter = worksheet.cell(row=1, column=index).column_letter
        worksheet.column_dimensions[letter].width = min(60, max(8, longest * 1.3))
    workbook.save(path)


# -- govwatch export --------------------------------------------------------------------------

EXPORT_COLUMNS = (
    Column("doc_key", "doc_key"),
    Column("province_code", "province_code"),
    Column("province", "province"),
    Column("kind", "kind"),
    Column("source_id", "source_id"),
    Column("doc_type", "doc_type"),
    Column("title", "title"),
    Column("published_at", "published_at"),
    Column("url", "url"),
    Column("doc_number", "doc_number"),
    Column("publisher", "publisher"),
    Column("body_length", "body_length", numeric=True),
    Column("topic", "topic"),
    Column("mentions", "mentions", numeric=True),
    Column("keywords", "keywords"),
    Column("snippets", "snippets"),
    Column("technologies", "technologies"),
    Column("scenarios", "scenarios"),
    # What a procurement notice states (empty for other documents).
    Column("notice_type", "notice_type"),
    Column("project_number", "project_number"),
    Column("announced_on", "announced_on"),
    Column("buyer", "buyer"),
    Column("agency", "agency"),
    Column("suppliers", "suppliers"),
    Column("awarded_yuan", "awarded_yuan", numeric=True),
    Column("budget_yuan", "budget_yuan", numeric=True),
)


def _notice_fields(notice: StoredNotice | None) -> dict[str, Any]:
    """A notice's fields for one spreadsheet row: suppliers with their lots' amounts."""
    if notice is None:
        return {}
    suppliers = []
    for lot in notice.lots:
        if lot.supplier is None:
            continue
        amount = f" {lot.amount_yuan}" if lot.amount_yuan is not None else ""
        suppliers.append(f"{lot.lot + ': ' if lot.lot else ''}{lot.supplier}{amount}")
    return {
        "notice_type": notice.notice_type,
        "project_number": notice.project_number,
        "announced_on": notice.announced_on,
        "buyer": notice.buyer,
        "agency": notice.agency,
        "suppliers": "; ".join(suppliers) or None,
        "awarded_yuan": notice.awarded_yuan,
        "budget_yuan": notice.budget_yuan,
    }


def _notice_json(notice: StoredNotice | None) -> dict[str, Any] | None:
    if notice is None:
        return None
    return {
        "notice_type": notice.notice_type,
        "project_number": notice.project_number,
        "project_name": notice.project_name,
        "announced_on": notice.announced_on,
        "buyer": notice.buyer,
        "agency": notice.agency,
        "region": notice.region,
        "budget_yuan": notice.budget_yuan,
        "awarded_yuan": notice.awarded_yuan,
        "lots": [asdict(lot) for lot in notice.lots],
    }


def document_rows(documents: Sequence[StoredDocument]) -> list[dict[str, Any]]:
    """One row per document and topic hit; a document without hits gets one row of its own.

    Lists are joined for spreadsheets: snippets one per line, technologies and scenarios with
    ``、``; keywords stay JSON (``{"区块链": 3}``) so counts survive the round trip.
    """
    rows = []
    for document in documents:
        base = {
            "doc_key": document.doc_key,
            "province_code": document.province_code,
            "province": by_code_unchecked(document.province_code).short_name,
            "kind": document.kind,
            "source_id": document.source_id,
            "doc_type": document.doc_type,
            "title": document.title,
            "published_at": document.published_at,
            "url": document.url,
            "doc_number": document.doc_number,
            "publisher": document.publisher,
            "body_length": document.body_length,
            **_notice_fields(document.notice),
        }
        if not document.hits:
            rows.append({**base, "mentions": 0})
        for hit in document.hits:
            rows.append(
                {
                    **base,
                    "topic": hit.topic,
                    "mentions": hit.count,
                    "keywords": json.dumps(hit.keywords, ensure_ascii=False),
                    "snippets": "\n".join(hit.snippets),
                    "technologies": "、".join(hit.technologies),
                    "scenarios": "、".join(hit.scenarios),
                }
            )
    return rows


def documents_json(documents: Sequence[StoredDocument]) -> str:
    """Documents as a JSON list, each with its hits as objects (lists kept as lists)."""
    return to_json(
        [
            {
                "doc_key": d.doc_key,
                "province_code": d.province_code,
                "province": by_code_unchecked(d.province_code).short_name,
                "kind": d.kind,
                "source_id": d.source_id,
                "doc_type": d.doc_type,
                "title": d.title,
                "published_at": d.published_at,
                "url": d.url,
                "doc_number": d.doc_number,
                "publisher": d.publisher,
                "body_length": d.body_length,
                "hits": [asdict(hit) for hit in d.hits],
                "notice": _notice_json(d.notice),
            }
            for d in documents
        ]
    )
