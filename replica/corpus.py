"""Real report texts, split into the paragraphs the replica serves.

The bundled files come in two layouts (see content/SOURCES.md): Wikisource exports with blank
lines between paragraphs, and one-line newspaper texts with a space before each paragraph.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

CONTENT_DIR = Path(__file__).with_name("content")

# Wikisource appends its licence notice after the report; it is not part of the document.
_WIKISOURCE_LICENCE = "本作品是中华人民共和国的"
_BLANK_LINES = re.compile(r"\n\s*\n")
# A paragraph break in the newspaper layout is an ASCII space, optionally followed by the
# indentation (U+3000/U+2003). Spaces after Latin letters or digits ("PM 2.5") are prose.
_NEWSPAPER_BREAK = re.compile(r"(?<![A-Za-z0-9]) +[\u3000\u2003]*")
# Wikisource sprinkles zero-width spaces around links; GBK cannot encode them either.
_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")


@functools.cache
def report_paragraphs(fixture: str) -> tuple[str, ...]:
    """Paragraphs of one bundled report file, in reading order."""
    text = (CONTENT_DIR / fixture).read_text(encoding="utf-8")
    if "\n" in text.strip():
        return _wikisource_paragraphs(text)
    return _newspaper_paragraphs(text)


def _wikisource_paragraphs(text: str) -> tuple[str, ...]:
    text = text.split(_WIKISOURCE_LICENCE, 1)[0]
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        # Single line breaks inside a block are where Wikisource had links: join without space.
        # A line holding only a zero-width space sits inside a paragraph, so they are removed
        # after splitting on blank lines, not before.
        joined = "".join(line.strip() for line in block.translate(_INVISIBLE).splitlines())
        if joined:
            paragraphs.append(joined)
    return tuple(paragraphs)


def _newspaper_paragraphs(text: str) -> tuple[str, ...]:
    text = text.translate(_INVISIBLE)
    parts = (part.strip(" \u3000\u2003") for part in _NEWSPAPER_BREAK.split(text))
    return tuple(part for part in parts if part)


@functools.cache
def prose_runs(fixtures: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Per report, the paragraphs that read as policy prose (no headings, greetings, bylines).

    Generated documents borrow consecutive paragraphs from one run, so their text stays coherent.
    """
    runs = []
    for fixture in fixtures:
        prose = tuple(
            p for p in report_paragraphs(fixture) if len(p) >= 60 and p.endswith(("。", "！"))
        )
        runs.append(prose)
    return tuple(runs)
