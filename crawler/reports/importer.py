"""``govwatch import``: documents a user already has, stored as if they had been crawled.

Files are read by what their bytes are, not only by their names: PDF, DOCX, XLSX (and DOC/WPS
with antiword or catdoc) through :func:`crawler.extract.attachments.extract_attachment_text`, HTML
through :func:`crawler.extract.page.extract_page`, plain text in UTF-8 or GB18030 (which covers GBK
and GB2312) through :func:`crawler.extract.encoding.decode_html`, and CSV files as one document per
row. Every document then takes the crawl's road: topic matching with the configured topics,
notice parsing for procurement kinds, and ``DocumentStore.save_many``. Imports never raise
alerts: they are old news the user already holds.

Where a document comes from is settled in this order (first found wins):

- province: ``--province``; a CSV row's ``province``; the file name (``shanghai``, ``上海``,
  ``310000``, ``national``); the document's opening (``上海市人民政府``; ``国务院`` → national);
- year: a CSV row's ``year``; ``--year``; a year in the file name (``2020_shanghai.txt``); the
  year of a date the document states (HTML metadata, a CSV ``published`` cell);
- publication date: a date the document states, else one in its first lines, if it falls in
  that year; else January 1 of the year (reports are filed by year, not by day).

The document key is ``import:{province}:{kind}:{year}:{sha1 of the text}``, the text with all
whitespace removed, so importing the same text again (even re-encoded) is "already known".
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import get_args

from crawler.document_record import build_document_record
from crawler.extract.attachments import detect_kind, extract_attachment_text
from crawler.extract.encoding import decode_html
from crawler.extract.page import extract_page
from crawler.match.matcher import Matcher
from spiders.dates import find_dates, parse_date
from spiders.errors import UserError
from spiders.provinces import (
    NATIONAL,
    Province,
    UnknownProvinceError,
    find_province_in_text,
    resolve_province,
)
from spiders.registry import SourceKind
from storage.diff_engine import SaveOutcome
from storage.repository import DocumentRecord, DocumentStore

IMPORT_SOURCE_ID = "import"
KINDS: tuple[str, ...] = get_args(SourceKind)
IMPORTED, KNOWN, UPDATED, UNREADABLE = "imported", "already known", "updated", "unreadable"

_HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
_FILE_KINDS = {"pdf", "docx", "xlsx", "doc", "wps", "ofd", "zip", "rar", "7z", "xls"}
_HEAD_CHARS = 300  # where a report states who delivers it and when
_TITLE_CHARS = 60
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_BLANKS = re.compile(r"\s+")
_SENTENCE_END = ("。", "！", "？", "；", "，")
# More than this share of control or undecodable characters means the bytes are not text.
_BINARY_SHARE = 0.01
_CSV_COLUMNS = {
    "province": ("province", "省份", "省", "地区"),
    "title": ("title", "标题", "题目"),
    "text": ("text", "body", "正文", "内容", "全文"),
    "year": ("year", "年份", "年度"),
    "url": ("url", "链接", "网址"),
    "published": ("published", "published_at", "date", "发布日期", "日期"),
    "kind": ("kind", "类型"),
}


class Unreadable(Exception):
    """A file (or CSV row) that cannot be imported; the message says why."""


@dataclass(frozen=True)
class ReadDocument:
    """What one file or CSV row says, before its province and year are settled."""

    label: str
    url: str
    body: str
    title: str | None = None
    name_hint: str | None = None  # the file name, for province and year
    encoding: str | None = None
    stated_date: datetime | None = None
    doc_number: str | None = None
    publisher: str | None = None
    doc_type: str | None = None
    site_name: str | None = None
    html: str | None = None
    province: str | None = None  # CSV cells
    year: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """The outcome for one file or CSV row: one line of the import report."""

    label: str
    status: str
    reason: str | None = None
    province: Province | None = None
    province_from: str | None = None
    year: int | None = None
    kind: str | None = None
    title: str | None = None
    mentions: dict[str, int] = field(default_factory=dict)  # topic label → mentions

    @property
    def failed(self) -> bool:
        return self.status == UNREADABLE


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files to import: given files, and every file under given folders (hidden skipped).

    A missing path is a usage error, raised before anything is imported.
    """
    paths = list(paths)
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise UserError(f"{path}: folder holds no files to import")
            files += found
        else:
            files.append(path)
    return list(dict.fromkeys(files))


# -- reading files ----------------------------------------------------------------------------


def read_file(path: Path) -> list[ReadDocument | ImportResult]:
    """The documents a file holds (one, or one per CSV row); unreadable rows as results.

    Raises :class:`Unreadable` when the file as a whole cannot be read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    if not data.strip():
        raise Unreadable("empty file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return list(_read_csv(path, data, "\t" if suffix == ".tsv" else ","))
    kind = detect_kind(data, path.name)
    if kind in _FILE_KINDS:
        return [_read_office(path, data)]
    if kind == "html" or suffix in _HTML_SUFFIXES:
        return [_read_html(path, data)]
    return [_read_text(path, data)]


def _read_text(path: Path, data: bytes) -> ReadDocument:
    decoded = decode_html(data)
    text = _normalise_newlines(decoded.text)
    # Any suffix is welcome (.txt, .md, none …) as long as the bytes are text.
    _refuse_binary(text)
    return ReadDocument(
        label=str(path),
        url=path.resolve().as_uri(),
        body=text.strip(),
        title=_first_line_title(text),
        name_hint=path.name,
        encoding=decoded.encoding,
    )


def _read_html(path: Path, data: bytes) -> ReadDocument:
    url = path.resolve().as_uri()
    extraction = extract_page(data, url)
    if not extraction.is_document:
        raise Unreadable(f"not a document page ({extraction.kind.value}: {extraction.reason})")
    if not extraction.body_text.strip():
        raise Unreadable("the page has no body text")
    return ReadDocument(
        label=str(path),
        url=url,
        body=extraction.body_text,
        title=extraction.title,
        name_hint=path.name,
        encoding=extraction.encoding,
        stated_date=extraction.published_at,
        doc_number=extraction.doc_number,
        publisher=extraction.publisher,
        doc_type=extraction.doc_type,
        site_name=extraction.site_name,
        html=decode_html(data).text,
    )


def _read_office(path: Path, data: bytes) -> ReadDocument:
    read = extract_attachment_text(data, path.name)
    text = _normalise_newlines(read.text).strip()
    if not text:
        reason = read.error or "no text in the file (a scanned PDF needs OCR first)"
        raise Unreadable(f"{read.kind}: {reason}")
    return ReadDocument(
        label=str(path),
        url=path.resolve().as_uri(),
        body=text,
        title=_first_line_title(text),
        name_hint=path.name,
        encoding=read.kind,
    )


def _read_csv(path: Path, data: bytes, delimiter: str) -> Iterator[ReadDocument | ImportResult]:
    text = decode_html(data).text
    _refuse_binary(text)
    # Whole reports sit in one cell; the default limit (128 KiB) is far too small.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise Unreadable(f"not a CSV file with a header row: {exc}") from None
    columns = _csv_columns(header)
    if "text" not in columns:
        names = ", ".join(h.strip() for h in header) or "none"
        raise Unreadable(f"CSV lacks a 'text' column (columns: {names})")
    base_url = path.resolve().as_uri()
    row_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Unreadable(f"row {row_number + 1}: broken CSV: {exc}") from None
        row_number += 1
        if not any(cell.strip() for cell in row):
            continue
        label = f"{path} row {row_number}"

        def cell(name: str, row: list[str] = row) -> str | None:
            index = columns.get(name)
            value = row[index].strip() if index is not None and index < len(row) else ""
            return value or None

        body = _normalise_newlines(cell("text") or "").strip()
        if not body:
            yield ImportResult(label, UNREADABLE, "the text cell is empty")
            continue
        published = cell("published")
        stated = parse_date(published)
        if published and stated is None:
            yield ImportResult(label, UNREADABLE, f"published {published!r} is not a date")
            continue
        yield ReadDocument(
            label=label,
            url=cell("url") or f"{base_url}#row={row_number}",
            body=body,
            title=cell("title") or _first_line_title(body),
            stated_date=stated,
            province=cell("province"),
            year=cell("year"),
            kind=cell("kind"),
        )


def _csv_columns(header: list[str]) -> dict[str, int]:
    """Column name → index, accepting the Chinese names analysts use (省份, 标题, 正文 …)."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        cleaned = name.strip().lstrip("\ufeff").lower()
        for column, aliases in _CSV_COLUMNS.items():
            if cleaned in aliases and column not in found:
                found[column] = index
    return found


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_binary(text: str) -> None:
    """Raise :class:`Unreadable` when decoded bytes are evidently not text."""
    if "\x00" in text:
        raise Unreadable("binary data, not text (it holds NUL bytes)")
    bad = sum(
        1
        for char in text
        if char == "\ufffd"
        or (unicodedata.category(char) in ("Cc", "Co") and char not in "\n\r\t\f\v")
    )
    if bad > max(3, len(text) * _BINARY_SHARE):
        raise Unreadable(
            f"binary data, not text ({bad} of {len(text)} characters are control characters "
            "or undecodable in UTF-8 and GB18030)"
        )


def _first_line_title(text: str) -> str | None:
    """The first line when it reads like a title (short, not a sentence), else None."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        short = len(line) <= _TITLE_CHARS and not line.endswith(_SENTENCE_END)
        return line if short else None
    return None


# -- settling and storing ---------------------------------------------------------------------


class Importer:
    """Imports files into a store with the given defaults (``None``: infer per document)."""

    def __init__(
        self,
        store: DocumentStore,
        matcher: Matcher,
        *,
        kind: str = "work_report",
        year: int | None = None,
        province: Province | None = None,
    ) -> None:
        if kind not in KINDS:
            raise UserError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
        self.store = store
        self.matcher = matcher
        self.kind = kind
        self.year = year
        self.province = province

    def import_file(self, path: Path) -> list[ImportResult]:
        """Read, match and store one file's documents in one transaction."""
        try:
            read = read_file(path)
        except Unreadable as exc:
            return [ImportResult(str(path), UNREADABLE, str(exc))]
        results: list[ImportResult] = []
        pending: list[tuple[DocumentRecord, ImportResult]] = []
        for item in read:
            if isinstance(item, ImportResult):
                results.append(item)
                continue
            try:
                pending.append(self._record(item))
            except Unreadable as exc:
                results.append(ImportResult(item.label, UNREADABLE, str(exc)))
        if pending:
            outcomes = self.store.save_many([record for record, _ in pending])
            status = {SaveOutcome.NEW: IMPORTED, SaveOutcome.UNCHANGED: KNOWN}
            for (_, result), outcome in zip(pending, outcomes, strict=True):
                results.append(replace(result, status=status.get(outcome, UPDATED)))
        # Rows in file order, whichever way they were decided.
        order = {item.label: index for index, item in enumerate(read)}
        return sorted(results, key=lambda r: order.get(r.label, 0))

    def _record(self, document: ReadDocument) -> tuple[DocumentRecord, ImportResult]:
        province, origin = self._province(document)
        year = self._year(document)
        kind = document.kind or self.kind
        if kind not in KINDS:
            raise Unreadable(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        title = document.title or (Path(document.name_hint).stem if document.name_hint else None)
        body = document.body
        published = _publication_date(document, year)
        fingerprint = hashlib.sha1(_BLANKS.sub("", body).encode("utf-8")).hexdigest()[:16]
        record, hits = build_document_record(
            doc_key=f"import:{province.code}:{kind}:{year}:{fingerprint}",
            source_id=IMPORT_SOURCE_ID,
            province_code=province.code,
            kind=kind,
            url=document.url,
            title=title,
            published_at=published,
            body_text=body,
            html=document.html,
            fields=document,
            matcher=self.matcher,
        )
        result = ImportResult(
            label=document.label,
            status=IMPORTED,
            province=province,
            province_from=origin,
            year=year,
            kind=kind,
            title=title,
            mentions={h.label: h.count for h in hits},
        )
        return record, result

    def _province(self, document: ReadDocument) -> tuple[Province, str]:
        if self.province is not None:
            return self.province, "--province"
        if document.province:
            try:
                return resolve_province(document.province), "province column"
            except UnknownProvinceError:
                raise Unreadable(f"unknown province {document.province!r}") from None
        if document.name_hint:
            named = province_from_name(document.name_hint)
            if named is not None:
                return named, "file name"
        head = " ".join(
            part
            for part in (document.title, document.site_name, document.publisher, document.body)
            if part
        )[:_HEAD_CHARS]
        found = province_from_text(head)
        if found is not None:
            return found, "content"
        raise Unreadable(
            "province unknown: name it in the file name (e.g. 2020_shanghai.txt) or give --province"
        )

    def _year(self, document: ReadDocument) -> int:
        if document.year:
            if not document.year.isdigit() or not 1949 <= int(document.year) <= 2100:
                raise Unreadable(f"year {document.year!r} is not a year")
            return int(document.year)
        if self.year is not None:
            return self.year
        if document.name_hint:
            match = _YEAR_IN_NAME.search(document.name_hint)
            if match:
                return int(match.group(1))
        if document.stated_date is not None:
            return document.stated_date.year
        raise Unreadable("year unknown: give --year or put the year in the file name")


def province_from_name(name: str) -> Province | None:
    """The province a file name names: pinyin or code tokens, or a Chinese name in it."""
    for token in re.split(r"[^0-9a-z]+", name.lower()):
        if not token or (token.isdigit() and len(token) != 6):
            continue  # years and counters are not GB/T 2260 codes
        try:
            return resolve_province(token)
        except UnknownProvinceError:
            continue
    found = find_province_in_text(name)
    if found is None and any(word in name for word in ("全国", "国务院", "中央")):
        return NATIONAL
    return found


def province_from_text(text: str) -> Province | None:
    """The first province named in a document's opening; national when it speaks for 国务院.

    Only 国务院 marks a national document: 全国 and 党中央 open provincial reports too.
    """
    found = find_province_in_text(text)
    if found is None and "国务院" in text:
        return NATIONAL
    return found


def _publication_date(document: ReadDocument, year: int) -> datetime:
    """A date the document states in ``year``, else one in its opening, else January 1."""
    if document.stated_date is not None and document.stated_date.year == year:
        return document.stated_date
    for _, found in find_dates(document.body[:_HEAD_CHARS]):
        if found.year == year:
            return found
    return datetime(year, 1, 1)
