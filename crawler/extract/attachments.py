"""Attachments of government documents: finding their links, and reading their text.

A notice's page often says little more than 详见附件; the substance (the award table, the full
policy text) is in a linked PDF, DOCX or WPS file. This module finds those links on a page and
turns downloaded bytes into text for the topic matcher.

Attachments come from thousands of badly run servers, so reading them is bounded: inputs over a
size limit are refused unread, text is cut at a character limit, and every parser runs in a child
process that is killed when it overruns its time (a PDF parser can loop forever on a crafted file,
and a thread cannot be stopped). Nothing here raises for bad input: failures are reported in
:attr:`AttachmentText.error`.

:func:`extract_attachment_text` blocks for up to ``max_seconds``; call it from a worker thread
(e.g. Twisted's ``deferToThread``) inside the crawler.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath
from subprocess import PIPE
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "zip", "rar")
MAX_LINKS = 20

# Characters of ordinary page text after a 附件 label within which a link still belongs to it:
# enough for list numbering and short captions between the links of one attachment list, too
# little to reach the navigation links below the article.
_LABEL_REACH = 60
# 附件, 附件2, 附件下载, 相关附件 …; inside running text only with a colon (not 见附件).
_LABEL = r"(?:相关)?附\s*件(?:下载|列表)?\s*[0-9０-９一二三四五六七八九十]*\s*"
_LABEL_INLINE = re.compile(_LABEL + r"[:：]")
_LABEL_ALONE = re.compile(r"\s*" + _LABEL)
_LINK_TEXT_LABEL = re.compile(r"\s*附\s*件")
_EXTENSION_PATTERN = "|".join(ATTACHMENT_EXTENSIONS)
# Link text often ends with the file size: "关于….pdf（125KB）".
_TEXT_EXTENSION = re.compile(
    rf"\.({_EXTENSION_PATTERN})\s*(?:[(（][^)）]{{0,20}}[)）])?\s*$", re.IGNORECASE
)
_NAME_EXTENSION = re.compile(r"\.([a-z][a-z0-9]{0,4})\s*$", re.IGNORECASE)
# Under a label, links to these are related pages, not files.
_PAGE_SUFFIXES = (".htm", ".html", ".shtml", ".xhtml", "/")
_TEXTLESS_TAGS = frozenset({"script", "style", "noscript", "template", "title", "head"})

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RAR_MAGIC = b"Rar!\x1a\x07"
_7Z_MAGIC = b"7z\xbc\xaf\x27\x1c"
# Word binary tools, best first, each with the flags for UTF-8 output without line wrapping.
_WORD_TOOLS = (("antiword", ("-m", "UTF-8.txt", "-w", "0")), ("catdoc", ("-d", "utf-8", "-w")))
# An XLSX part is read at most this far, so a zip bomb cannot exhaust memory.
_XML_PART_LIMIT = 64 * 1024 * 1024
_SHARED_STRINGS = "xl/sharedStrings.xml"
_ERROR_LENGTH = 300


@dataclass(frozen=True)
class AttachmentLink:
    """A link to an attachment: absolute ``url``, ``name`` (link text, else file name) and
    ``extension`` (lower case, no dot, ``""`` when neither URL nor text tells)."""

    url: str
    name: str
    extension: str


@dataclass(frozen=True)
class AttachmentText:
    """The text read from one attachment.

    ``kind`` is the format found in the bytes (``"pdf"``, ``"docx"``, ``"doc"``, ``"wps"``,
    ``"xls"``, ``"xlsx"``, ``"ofd"``, ``"zip"``, ``"rar"``, ``"html"`` …), falling back to the
    name's extension. ``error`` says why text is missing or incomplete (None when fully read);
    ``pages`` is known for PDFs only; ``truncated`` is True when ``text`` was cut at the limit.
    """

    name: str
    kind: str
    text: str
    error: str | None
    pages: int | None
    truncated: bool


# --------------------------------------------------------------------------- links


def attachment_links(html: str, base_url: str) -> list[AttachmentLink]:
    """The attachment links of a document page, in page order, deduplicated, at most 20.

    A link is an attachment when its URL path or a query value (``filename=abc.pdf``), its text
    or its title ends in an attachment extension, when its text starts with 附件, or when it
    closely follows a 附件 label (``附件：<a href="download.jsp?id=7">…</a>``).
    """
    root = _parse_html(html)
    if root is None:
        return []
    base = _document_base(root, base_url)
    found: dict[str, AttachmentLink] = {}
    for anchor, labelled in _anchors_in_order(root):
        link = _attachment_link(anchor, base, labelled)
        if link is None:
            continue
        known = found.get(link.url)
        if known is None:
            if len(found) == MAX_LINKS:
                break
            found[link.url] = link
        elif _has_no_text(known) and not _has_no_text(link):
            # An icon link often precedes the titled one; keep the title.
            found[link.url] = replace(known, name=link.name)
    return list(found.values())


def _parse_html(html: str) -> Any | None:
    """The page's root element, or None for an empty or unparseable page."""
    if not html or not html.strip():
        return None
    # Parse UTF-8 bytes with the encoding forced: lxml refuses str input carrying an XML
    # encoding declaration, and a stale <meta charset> must not re-decode decoded text.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.LxmlError, ValueError):
        return None


def _document_base(root: Any, base_url: str) -> str:
    """The URL relative links resolve against: the page's ``<base href>`` if it has one."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(base_url, href)
    return base_url


def _anchors_in_order(root: Any) -> Iterator[tuple[Any, bool]]:
    """Each ``<a href>`` in page order, with whether a 附件 label shortly precedes it."""
    reach = 0
    link_depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if tag == "a":
                if link_depth == 0 and element.get("href"):
                    yield element, reach > 0
                link_depth += 1
            elif link_depth == 0 and tag and tag not in _TEXTLESS_TAGS:
                reach = _reach_after(element.text, reach)
            continue
        if tag == "a":
            link_depth -= 1
        if link_depth == 0:
            reach = _reach_after(element.tail, reach)


def _reach_after(text: str | None, reach: int) -> int:
    """How much further a 附件 label reaches after this run of ordinary page text."""
    if not text or not text.strip():
        return reach
    labels = list(_LABEL_INLINE.finditer(text))
    if labels:
        return max(_LABEL_REACH - _visible_length(text[labels[-1].end() :]), 0)
    if _LABEL_ALONE.fullmatch(text):
        return _LABEL_REACH
    return max(reach - _visible_length(text), 0)


def _visible_length(text: str) -> int:
    return len("".join(text.split()))


def _attachment_link(anchor: Any, base: str, labelled: bool) -> AttachmentLink | None:
    """The anchor as an attachment link, or None when it is not one."""
    url = _absolute_url(anchor.get("href") or "", base)
    if url is None or url == urldefrag(base).url:
        return None
    text = _clean(anchor.text_content())
    title = _clean(anchor.get("title") or "")
    extension = _url_extension(url) or _text_extension(text) or _text_extension(title)
    if not extension:
        by_label = labelled or bool(_LINK_TEXT_LABEL.match(text))
        if not by_label or urlsplit(url).path.lower().endswith(_PAGE_SUFFIXES):
            return None
    return AttachmentLink(url=url, name=text or title or _file_name(url), extension=extension)


def _has_no_text(link: AttachmentLink) -> bool:
    return link.name == _file_name(link.url)


def _absolute_url(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` without its fragment; None unless http(s)."""
    # Browsers drop tabs and newlines inside URLs; CMS templates leave them in.
    href = re.sub(r"[\t\r\n]", "", href).strip()
    if not href:
        return None
    url = urldefrag(urljoin(base, href)).url
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def _url_extension(url: str) -> str:
    """The attachment extension of the URL's path, else of a query value such as a file name."""
    parts = urlsplit(url)
    candidates = [parts.path, *(value for _, value in parse_qsl(parts.query))]
    return next(filter(None, map(_path_extension, candidates)), "")


def _path_extension(path: str) -> str:
    suffix = PurePosixPath(unquote(path).strip()).suffix.lower().lstrip(".")
    return suffix if suffix in ATTACHMENT_EXTENSIONS else ""


def _text_extension(text: str) -> str:
    match = _TEXT_EXTENSION.search(text)
    return match.group(1).lower() if match else ""


def _file_name(url: str) -> str:
    """The file name a URL names: a query value with an extension, else the path's last part."""
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query):
        if _path_extension(value):
            return PurePosixPath(unquote(value)).name
    return unquote(PurePosixPath(parts.path).name) or parts.netloc


def _clean(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class _Outcome:
    """What a parser found; crosses the process boundary, so plain data only."""

    text: str = ""
    pages: int | None = None
    error: str | None = None
    truncated: bool = False


_Parser = Callable[[bytes, int], _Outcome]


def extract_attachment_text(
    data: bytes,
    name: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    max_seconds: float = 20.0,
    max_chars: int = 2_000_000,
) -> AttachmentText:
    """Read the text of one downloaded attachment; never raises for bad input.

    The format is taken from the bytes first and the ``name``'s extension second, because
    servers mislabel files. PDF, DOCX and (strings only) XLSX are read in a child Python process
    killed after ``max_seconds`` (which include the child's start, about 0.2 s); DOC/WPS through
    ``antiword`` or ``catdoc`` when installed, under the same time limit.
    """
    kind = "unknown"
    try:
        if len(data) > max_bytes:
            # Only the header is looked at: the point of the limit is not to touch the rest.
            kind = detect_kind(data[:1024], name)
            size, limit = _megabytes(len(data)), _megabytes(max_bytes)
            return _failed(name, kind, f"too large ({size} MB > {limit} MB)")
        kind = detect_kind(data, name)
        return _extract(bytes(data), name, kind, max_seconds, max_chars)
    except Exception as exc:  # the last line of "never raises": report, don't crash the crawl
        return _failed(name, kind, _describe(exc))


def detect_kind(data: bytes, name: str) -> str:
    """The file format of ``data``: from magic bytes, else the extension of ``name``."""
    declared = _declared_extension(name)
    head = data[:1024]
    if head.startswith(_PDF_MAGIC):
        return "pdf"
    if head.startswith(_ZIP_MAGICS):
        return _zip_kind(data, declared)
    if head.startswith(_OLE2_MAGIC):
        return _ole2_kind(data, declared)
    if head.startswith(_RAR_MAGIC):
        return "rar"
    if head.startswith(_7Z_MAGIC):
        return "7z"
    if _PDF_MAGIC in head:  # readers accept junk before the header, and so do some servers
        return "pdf"
    if _looks_like_html(head):
        return "html"
    return declared or "unknown"


def _extract(
    data: bytes, name: str, kind: str, max_seconds: float, max_chars: int
) -> AttachmentText:
    if not data:
        return _failed(name, kind, "empty file")
    if kind == "html":
        return _failed(name, kind, "not a document: the server sent an HTML page")
    if kind in ("doc", "wps"):
        return _word_binary_text(data, name, kind, max_seconds, max_chars)
    parser = _parser_for(kind)
    if parser is None:
        return _failed(name, kind, f"unsupported format: {kind}")
    if kind in ("docx", "xlsx") and (bomb := _zip_bomb(data)) is not None:
        return _failed(name, kind, bomb)
    outcome = _run_isolated(parser, data, max_chars, max_seconds)
    return AttachmentText(name, kind, outcome.text, outcome.error, outcome.pages, outcome.truncated)


# A DOCX or XLSX unpacks to a few times its size; one that claims far more is a ZIP bomb.
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200
# The parser child's address space: enough for pdfminer on a large PDF, not for a bomb.
CHILD_MEMORY_BYTES = 1536 * 1024 * 1024


def _zip_bomb(data: bytes) -> str | None:
    """Why this archive must not be unpacked (its directory says so), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # unreadable: the parser says what is wrong with it
    if unpacked > ZIP_MAX_UNPACKED or unpacked > ZIP_MAX_RATIO * max(len(data), 1):
        return (
            f"refused: unpacks to {_megabytes(unpacked)} MB from {_megabytes(len(data))} MB "
            "(a ZIP bomb, or not a document)"
        )
    return None


def _parser_for(kind: str) -> _Parser | None:
    # Looked up at call time, not in a module-level table, so tests can replace a parser.
    parsers: dict[str, _Parser] = {"pdf": _pdf_text, "docx": _docx_text, "xlsx": _xlsx_text}
    return parsers.get(kind)


def _failed(name: str, kind: str, error: str) -> AttachmentText:
    return AttachmentText(name=name, kind=kind, text="", error=error, pages=None, truncated=False)


def _declared_extension(name: str) -> str:
    match = _NAME_EXTENSION.search(re.split(r"[?#]", name, maxsplit=1)[0])
    return match.group(1).lower() if match else ""


def _zip_kind(data: bytes, declared: str) -> str:
    """Which ZIP-based format: DOCX, XLSX, PPTX, OFD, or a plain archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A truncated download has no central directory; the local headers still name parts.
        names = {part for part in ("word/document.xml", "xl/workbook.xml") if part.encode() in data}
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if any(part.lower() == "ofd.xml" for part in names):
        return "ofd"
    if "[Content_Types].xml" in names and declared in ("docx", "xlsx", "pptx"):
        return declared
    return "zip"


def _ole2_kind(data: bytes, declared: str) -> str:
    """Which OLE2 format, from the stream names in the compound file's directory (UTF-16LE)."""
    if "WordDocument".encode("utf-16-le") in data:
        return "wps" if declared == "wps" else "doc"
    if any(stream.encode("utf-16-le") in data for stream in ("Workbook", "Book")):
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "ppt"
    return declared if declared in ("doc", "wps", "xls", "et", "ppt") else "ole2"


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(
        marker in start for marker in (b"<html", b"<!doctype html", b"<head", b"<body")
    )


def _megabytes(size: int) -> str:
    """Megabytes with as few digits as show the size (the small limits are tests' limits)."""
    value = size / (1024 * 1024)
    digits = 2 if value >= 0.01 else 6
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _describe(exc: BaseException) -> str:
    """One line naming the exception and its message, short enough for a log or a table."""
    message = " ".join(str(exc).split())
    line = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return line if len(line) <= _ERROR_LENGTH else line[: _ERROR_LENGTH - 1] + "…"


def _cut(text: str, max_chars: int) -> tuple[str, bool]:
    return (text[:max_chars], True) if len(text) > max_chars else (text, False)


# --------------------------------------------------------------------------- isolation


def _run_isolated(parser: _Parser, data: bytes, max_chars: int, max_seconds: float) -> _Outcome:
    """Run ``parser`` in a fresh Python process; kill it if it has not answered in time.

    A plain subprocess rather than :mod:`multiprocessing`: spawn and forkserver children
    re-import the parent's ``__main__`` (``python -m crawler`` would rerun the CLI in every
    child), and forking the threaded crawler is unsafe.
    """
    job = pickle.dumps(sys.path) + pickle.dumps((parser, data, max_chars))
    command = [sys.executable, "-I", "-c", _CHILD_CODE]
    try:
        child = subprocess.Popen(command, stdin=PIPE, stdout=PIPE, stderr=PIPE)
    except OSError as exc:
        return _Outcome(error=f"could not start parser process: {_describe(exc)}")
    try:
        reply, complaints = child.communicate(job, timeout=max_seconds)
    except subprocess.TimeoutExpired:
        return _Outcome(error=f"timed out after {max_seconds:g}s")
    finally:
        if child.poll() is None:  # overran, or the parent was interrupted: kill, don't abandon
            child.kill()
            child.communicate()
    return _read_reply(reply, complaints, child.returncode)


# The child's whole program: the parent's import path, then one pickled job, from stdin. -I keeps
# the working directory and PYTHON* variables from changing what gets imported.
_CHILD_CODE = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    f"from {__name__} import _serve; _serve()"
)


def _serve() -> None:
    """Child process entry: run the job on stdin, write its outcome as JSON on stdout."""
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever a parser prints goes to stderr, not into the reply
    # Parsers of broken files warn a lot; the outcome carries what matters.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    with contextlib.suppress(ValueError, OSError):  # not Linux: the time limit still holds
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    parser, data, max_chars = pickle.load(sys.stdin.buffer)
    with reply:
        json.dump(asdict(_outcome_of(parser, data, max_chars)), reply, ensure_ascii=False)


def _outcome_of(parser: _Parser, data: bytes, max_chars: int) -> _Outcome:
    try:
        outcome = parser(data, max_chars)
        text, cut = _cut(_tidy(outcome.text), max_chars)
        return replace(outcome, text=text, truncated=outcome.truncated or cut)
    except Exception as exc:
        return _Outcome(error=_describe(exc))


def _read_reply(reply: bytes, complaints: bytes, returncode: int) -> _Outcome:
    if returncode != 0 or not reply:
        lines = complaints.decode("utf-8", "replace").strip().splitlines()
        died = f"parser process died (exit code {returncode})"
        return _Outcome(error=f"{died}: {lines[-1][:_ERROR_LENGTH]}" if lines else died)
    try:
        return _Outcome(**json.loads(reply))
    except (ValueError, TypeError) as exc:
        return _Outcome(error=f"malformed parser reply: {_describe(exc)}")


def _tidy(text: str) -> str:
    """Text safe to store: no NULs (PostgreSQL refuses them), no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


# --------------------------------------------------------------------------- parsers


def _pdf_text(data: bytes, max_chars: int) -> _Outcome:
    """All pages' text joined with newlines; stops reading pages once past ``max_chars``."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        return _Outcome(error="encrypted (password required)")
    page_count = len(reader.pages)
    texts: list[str] = []
    failures: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages, start=1):
        if size > max_chars:
            break
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one broken page must not lose the others
            failures.append(f"page {number}: {_describe(exc)}")
            continue
        texts.append(text)
        size += len(text) + 1
    text = "\n".join(texts)
    if not text.strip():
        text = ""
    return _Outcome(text=text, pages=page_count, error=_pdf_error(text, failures, page_count))


def _pdf_error(text: str, failures: list[str], page_count: int) -> str | None:
    if failures and text:
        return f"{len(failures)} of {page_count} pages unreadable; first {failures[0]}"
    if failures:
        return failures[0]
    if not text:
        return "no text layer (scanned?)" if page_count else "no pages"
    return None


def _docx_text(data: bytes, max_chars: int) -> _Outcome:
    """Paragraphs and table rows (cells tab-separated) in document order."""
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    size = 0
    for line in _docx_lines(document):
        if not line.strip():
            continue
        lines.append(line)
        size += len(line) + 1
        if size > max_chars:
            break
    return _Outcome(text="\n".join(lines))


def _docx_lines(container: DocxDocument | _Cell) -> Iterator[str]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield block.text


def _table_lines(table: Table) -> Iterator[str]:
    """One line per row; a merged cell, which python-docx repeats per grid column, once."""
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(line.strip() for line in _docx_lines(cell) if line.strip()))
        yield "\t".join(cells).rstrip("\t")


def _xlsx_text(data: bytes, max_chars: int) -> _Outcome:
    """The workbook's strings (shared, then inline per sheet); numbers and dates are skipped.

    Shared strings are stored roughly in order of first use, not cell by cell: enough for topic
    matching, not a rendering of the sheets.
    """
    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [
            part
            for part in archive.namelist()
            if part == _SHARED_STRINGS or re.fullmatch(r"xl/worksheets/[^/]+\.xml", part)
        ]
        # Shared strings first, then sheet2 before sheet10, whatever the archive's order.
        for part in sorted(parts, key=lambda part: (part != _SHARED_STRINGS, len(part), part)):
            with archive.open(part) as stream:
                lines.extend(_xlsx_strings(stream.read(_XML_PART_LIMIT)))
            if sum(len(line) + 1 for line in lines) > max_chars:
                break
    return _Outcome(text="\n".join(line for line in lines if line.strip()))


def _xlsx_strings(xml: bytes) -> Iterator[str]:
    """The text of each string item (``<si>`` shared, ``<is>`` inline), phonetic runs left out."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(xml, parser=parser)
    if root is None:
        return
    for item in root.iter("{*}si", "{*}is"):
        yield "".join(
            node.text or ""
            for node in item.iter("{*}t")
            if etree.QName(node.getparent()).localname != "rPh"
        )


# --------------------------------------------------------------------------- Word binary


def _word_binary_text(
    data: bytes, name: str, kind: str, max_seconds: float, max_chars: int
) -> AttachmentText:
    """DOC/WPS through antiword, then catdoc: no maintained pure-Python reader exists."""
    tools = [(found, flags) for tool, flags in _WORD_TOOLS if (found := shutil.which(tool))]
    if not tools:
        return _failed(name, kind, f"unsupported format: {kind} (install antiword or catdoc)")
    deadline = time.monotonic() + max_seconds
    error = ""
    with tempfile.TemporaryDirectory(prefix="govwatch-attachment-") as folder:
        path = Path(folder) / f"attachment.{kind}"
        path.write_bytes(data)
        for tool, flags in tools:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise subprocess.TimeoutExpired(tool, max_seconds)
                # The tool is a separate process, so its own timeout kills it when it overruns.
                done = subprocess.run(
                    [tool, *flags, str(path)],
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    timeout=remaining,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return _failed(name, kind, f"timed out after {max_seconds:g}s")
            except OSError as exc:
                error = f"{Path(tool).name}: {_describe(exc)}"
                continue
            text = done.stdout.decode("utf-8", "replace").strip()
            if done.returncode == 0 and text:
                text, cut = _cut(_tidy(text), max_chars)
                return AttachmentText(name, kind, text, None, None, cut)
            error = _tool_error(Path(tool).name, done)
    return _failed(name, kind, error)


def _tool_error(tool: str, done: subprocess.CompletedProcess[bytes]) -> str:
    if done.returncode == 0:
        return f"{tool}: no text"
    failure = f"{tool} failed (exit code {done.returncode})"
    message = " ".join(done.stderr.decode("utf-8", "replace").split())[:_ERROR_LENGTH]
    return f"{failure}: {message}" if message else failure
