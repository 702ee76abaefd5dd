"""Decoding of page bytes the way Chinese government sites actually need it.

GB2312 and GBK are subsets of GB18030, and pages declared as GB2312 routinely contain GBK-only
characters, so every GB-family declaration is decoded as ``gb18030``. Headers sometimes lie
either way (a GBK page served as ``charset=utf-8``, a UTF-8 page as ``charset=gbk``). Bytes that
are valid UTF-8 are UTF-8: GBK text almost never is, while GB18030 accepts nearly any bytes, so
UTF-8 validity is tested before any GB declaration is believed. The note says when the body
disagreed with its declaration.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"}
# Declarations so often wrong on Chinese pages that they are tried only when nothing else works.
_WEAK = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([a-zA-Z0-9_\-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class DecodedPage:
    """Text of a page with the encoding actually used and, when relevant, why."""

    text: str
    encoding: str
    declared: str | None
    note: str | None = None


def normalise_charset(name: str | None) -> str | None:
    """Map a declared charset to the codec we decode with (GB family → gb18030)."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its own ``<meta>`` within the first 4 KiB."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def decode_html(body: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode ``body``: a BOM, else valid UTF-8, else the header's, the meta's, GB18030."""
    if body.startswith(codecs.BOM_UTF8):
        return DecodedPage(body[3:].decode("utf-8", "replace"), "utf-8", "bom")

    from_header = header_charset(content_type)
    from_meta = meta_charset(body)
    declared = from_header or from_meta
    candidates: list[str] = []
    weak: list[str] = []
    for name in ("utf-8", from_header, from_meta, "gb18030"):
        codec = normalise_charset(name)
        if codec is None:
            continue
        target = weak if (name or "").lower() in _WEAK else candidates
        if codec not in candidates and codec not in weak:
            target.append(codec)

    for codec in candidates + weak:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        return DecodedPage(text, codec, declared, _disagreement(from_header, from_meta, codec))

    # Nothing decodes cleanly: keep the reading that loses the fewest characters.
    best_codec = min(("utf-8", "gb18030"), key=lambda c: body.decode(c, "replace").count("\ufffd"))
    text = body.decode(best_codec, "replace")
    return DecodedPage(
        text,
        best_codec,
        declared,
        f"no charset decodes the body cleanly; decoded as {best_codec} with "
        f"{text.count(chr(0xFFFD))} replacement characters",
    )


def _disagreement(from_header: str | None, from_meta: str | None, used: str) -> str | None:
    parts = []
    if from_header and normalise_charset(from_header) != used:
        parts.append(f"header said {from_header}")
    if from_meta and normalise_charset(from_meta) != used:
        parts.append(f"meta said {from_meta}")
    if not parts:
        return None
    return f"{' and '.join(parts)}; body decodes as {used}"
