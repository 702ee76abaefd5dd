"""The one builder of what storage keeps of a document, for the crawl and for ``import`` alike.

A document read (by the extractor from a fetched page, or by ``import`` from a user's file)
is matched against the topics, read as a procurement notice where its source publishes
notices, and turned into a :class:`~storage.repository.DocumentRecord`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crawler.match.matcher import Matcher, TopicHits
from crawler.procurement.records import NOTICE_KINDS, read_notice
from storage.repository import AttachmentRecord, DocumentRecord


class DocumentFields(Protocol):
    """The fields a reader found beside title, date and body (an Extraction, an imported file)."""

    @property
    def doc_number(self) -> str | None: ...
    @property
    def publisher(self) -> str | None: ...
    @property
    def doc_type(self) -> str | None: ...
    @property
    def site_name(self) -> str | None: ...
    @property
    def encoding(self) -> str | None: ...


def matched_text(title: str | None, body: str, attached: str = "") -> str:
    """What the matcher reads: the title once (body lines that only repeat it are left out,
    so one title is not three hits), the body, then the attachments' text."""
    if title and title.strip():
        wanted = "".join(title.split())
        lines = [line for line in body.split("\n") if "".join(line.split()) != wanted]
        text = "\n".join([title.strip(), *lines])
    else:
        text = body
    return f"{text}\n{attached}" if attached else text


def build_document_record(
    *,
    doc_key: str,
    source_id: str,
    province_code: str,
    kind: str,
    url: str,
    title: str | None,
    published_at: datetime | None,
    body_text: str,
    html: str | None,
    fields: DocumentFields,
    matcher: Matcher,
    attachments: Sequence[AttachmentRecord] = (),
    listing_fingerprint: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> tuple[DocumentRecord, list[TopicHits]]:
    """The record to store, and the topic hits it carries."""
    attached = "\n".join(a.text for a in attachments if a.text)
    hits = matcher.match(matched_text(title, body_text, attached))
    notice = None
    if kind in NOTICE_KINDS:
        notice = read_notice(title, body_text, html, published_at)
    record = DocumentRecord(
        doc_key=doc_key,
        source_id=source_id,
        province_code=province_code,
        kind=kind,
        url=url,
        title=title,
        published_at=published_at,
        body_text=body_text,
        doc_number=fields.doc_number,
        publisher=fields.publisher,
        doc_type=fields.doc_type,
        site_name=fields.site_name,
        encoding=fields.encoding,
        listing_fingerprint=listing_fingerprint,
        etag=etag,
        last_modified=last_modified,
        # The label is the topic file's business, not the stored hit's.
        hits=[{k: v for k, v in h.to_dict().items() if k != "label"} for h in hits],
        attachments=list(attachments),
        notice=notice,
    )
    return record, hits
