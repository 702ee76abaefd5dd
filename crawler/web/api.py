"""The JSON API under ``/api/``: the dashboard's data for programs, described at /openapi.json.

Reading is GET; the two actions (crawl a source now, retry a delivery) are POST with a JSON
body, which a page of another site cannot send here without the browser asking first. With a
password set, every call sends it (``Authorization: Bearer …``) unless ``web.public_read``
opens reading. Times are ISO 8601 in Beijing time (``+08:00``); publication dates are dates;
amounts are exact decimal strings, as in ``govwatch report --format json``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from crawler.match.topics import Topic
from crawler.reports.analyst_table import NoDocumentsError, report_to_dict
from crawler.reports.bids import bids_to_dict
from crawler.reports.brief import brief_markdown, brief_to_dict
from crawler.web.access import access_of
from crawler.web.dashboard import DELIVERY_STATES, Dashboard, dashboard_of, json_ready
from spiders.errors import UserError
from spiders.provinces import NATIONAL, PROVINCES, by_code_unchecked
from spiders.registry import KINDS
from storage.browse import DeliveryView, DocumentFilter, DocumentSummary
from storage.times import beijing_iso

router = APIRouter(prefix="/api", tags=["api"])
Kind = Literal["work_report", "policy", "procurement", "trading", "industry_dept", "national"]
assert set(KINDS) == set(Kind.__args__)  # type: ignore[attr-defined]
PROVINCE_CODES = [NATIONAL.code, *(p.code for p in PROVINCES)]


def _known_province(code: str) -> str:
    if code not in PROVINCE_CODES:
        raise ValueError("not a province's GB/T 2260 code (000000: national)")
    return code


# Any other six digits would find nothing, and a feed could not name them.
ProvinceCode = Annotated[
    str,
    AfterValidator(_known_province),
    Query(
        description="GB/T 2260 code, 000000: national", json_schema_extra={"enum": PROVINCE_CODES}
    ),
]
Year = Annotated[int, Query(ge=1949, le=2100)]


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``, as the OpenAPI document says (``format: date``): pydantic alone
    would also read ``0`` or ``1700000000`` as seconds since 1970."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
DeliveryState = Literal["pending", "sending", "delivered", "failed", "dead"]
assert set(DELIVERY_STATES) == set(DeliveryState.__args__)  # type: ignore[attr-defined]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a value the dashboard cannot use (unknown topic, …)"},
    401: {"description": "login required: the password as a bearer token"},
}


def name_topics(document: dict[str, Any], topics: list[str]) -> dict[str, Any]:
    """The OpenAPI document with the topics this dashboard knows (its topics file's names and
    labels) as the values of every ``topic`` parameter; ``/api/documents`` also takes
    ``all``. A name it does not know is answered 400."""
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") != "topic":
                    continue
                known = [*topics, "all"] if path == "/api/documents" else list(topics)
                schema = parameter.get("schema", {})
                choices = {"type": "string", "enum": list(dict.fromkeys(known))}
                if "anyOf" in schema:  # optional: the topic or nothing
                    schema["anyOf"] = [choices, {"type": "null"}]
                else:
                    schema.update(choices)
                    schema.pop("maxLength", None)
    return document


class Hit(BaseModel):
    topic: str
    count: int
    keywords: dict[str, int]
    snippets: list[str]
    technologies: list[str]
    scenarios: list[str]


class DocumentOut(BaseModel):
    id: int
    doc_key: str
    title: str | None
    url: str
    source_id: str
    province_code: str
    province: str
    kind: str
    doc_type: str | None
    published_on: date | None
    first_seen_at: str
    last_changed_at: str
    version: int
    status: str
    hits: list[Hit]


class DocumentList(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    documents: list[DocumentOut]


class Sentence(BaseModel):
    topic: str
    sentences: list[str]
    keywords: dict[str, int]
    technologies: list[str]
    scenarios: list[str]


class DeliveryOut(BaseModel):
    id: int
    alert_id: int
    channel: str
    status: str
    attempts: int
    due_at: str
    delivered_at: str | None
    last_error: str | None
    event: str
    topic: str | None
    source_id: str
    document_id: int | None
    title: str | None


class DocumentDetailOut(DocumentOut):
    doc_number: str | None
    publisher: str | None
    body_text: str
    readings: list[Sentence]
    notice: dict[str, Any] | None
    attachments: list[dict[str, Any]]
    versions: list[dict[str, Any]]
    deliveries: list[DeliveryOut]


class SourceOut(BaseModel):
    id: str
    name: str
    province_code: str
    kind: str
    adapter: str
    entry_url: str
    schedule: str
    enabled: bool
    confidence: str
    captcha: bool
    state: str | None = Field(description="ok, failing, blocked, empty; null: never crawled")
    failures_in_a_row: int
    last_ok_items: int
    detail: str | None
    last_run_at: str | None
    last_run_status: str | None
    last_success_at: str | None
    documents: int
    live_check: dict[str, Any] | None


class ActionOut(BaseModel):
    message: str


class Action(BaseModel):
    """An action's body: empty (``{}``); JSON so that no other site's page can send it."""

    model_config = ConfigDict(extra="forbid")


def _topic(dashboard: Dashboard, name: str | None) -> Topic:
    """The topic named (by name or label), the first when none is given; unlike a page's
    form, the API takes no empty name."""
    if name == "":
        raise UserError("topic: empty (leave the parameter out for the first topic)")
    return dashboard.topic(name)


def _when(value: Any) -> str | None:
    return beijing_iso(value) if value is not None else None


def _document(summary: DocumentSummary) -> DocumentOut:
    return DocumentOut(
        id=summary.id,
        doc_key=summary.doc_key,
        title=summary.title,
        url=summary.url,
        source_id=summary.source_id,
        province_code=summary.province_code,
        province=by_code_unchecked(summary.province_code).short_name,
        kind=summary.kind,
        doc_type=summary.doc_type,
        published_on=summary.published_at.date() if summary.published_at else None,
        first_seen_at=beijing_iso(summary.first_seen_at),
        last_changed_at=beijing_iso(summary.last_changed_at),
        version=summary.version,
        status=summary.status,
        hits=[Hit(**vars(h)) for h in summary.hits],
    )


def _delivery(view: DeliveryView) -> DeliveryOut:
    return DeliveryOut(
        id=view.id,
        alert_id=view.alert_id,
        channel=view.channel,
        status=view.status,
        attempts=view.attempts,
        due_at=beijing_iso(view.due_at),
        delivered_at=_when(view.delivered_at),
        last_error=view.last_error,
        event=view.event,
        topic=view.topic,
        source_id=view.source_id,
        document_id=view.document_id,
        title=view.title,
    )


def _bad(exc: Exception) -> HTTPException:
    return HTTPException(status_code=400, detail=" ".join(str(exc).split()))


@router.get("/documents", response_model=DocumentList, responses=_ERRORS)
def documents(
    request: Request,
    topic: Annotated[str | None, Query(max_length=64, description="name; 'all': any")] = None,
    province: ProvinceCode | None = None,
    kind: Kind | None = None,
    source: Annotated[str | None, Query(max_length=120)] = None,
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    q: Annotated[str | None, Query(max_length=100, description="full-text search")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DocumentList:
    """Documents newest first (undated last), filtered; ``topic`` defaults to the first."""
    dashboard = dashboard_of(request)
    try:
        topic_name = None if topic == "all" else _topic(dashboard, topic).name
    except UserError as exc:
        raise _bad(exc) from None
    found = dashboard.documents(
        DocumentFilter(topic_name, province, kind, source, since, until, q, page, per_page)
    )
    return DocumentList(
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
        documents=[_document(s) for s in found.items],
    )


@router.get(
    "/documents/{document_id}",
    response_model=DocumentDetailOut,
    responses={404: {"description": "no such document"}, 401: _ERRORS[401]},
)
def document(
    request: Request, document_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> DocumentDetailOut:
    """One document whole: fields, hit sentences, notice and lots, attachments, versions,
    and the deliveries of the alerts it caused."""
    dashboard = dashboard_of(request)
    detail = dashboard.document(document_id)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no document {document_id}")
    base = _document(detail.summary)
    return DocumentDetailOut(
        **base.model_dump(),
        doc_number=detail.doc_number,
        publisher=detail.publisher,
        body_text=detail.body_text,
        readings=[
            Sentence(
                topic=r.topic.name,
                sentences=r.reading.sentences,
                keywords=r.reading.keywords,
                technologies=r.reading.technologies,
                scenarios=r.reading.scenarios,
            )
            for r in dashboard.readings(detail)
        ],
        notice=json_ready(detail.notice) if detail.notice else None,
        attachments=[{k: v for k, v in vars(a).items() if k != "text"} for a in detail.attachments],
        versions=[
            {
                "version": v.version,
                "recorded_at": beijing_iso(v.recorded_at),
                "title": v.title,
                "chars": len(v.body_text),
                "hits": v.hit_summary,
            }
            for v in detail.versions
        ],
        deliveries=[_delivery(d) for d in detail.deliveries],
    )


@router.get("/report", responses={**_ERRORS, 404: {"description": "no documents that year"}})
def report(
    request: Request,
    year: Year,
    compare: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    kind: Kind = "work_report",
    topic: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The analyst's table, exactly as ``govwatch report --year Y [--compare Y2] --format
    json``."""
    dashboard = dashboard_of(request)
    try:
        chosen = _topic(dashboard, topic)
        current, comparison = dashboard.year_report(
            chosen, kind=kind, year=year, compare_year=compare
        )
    except NoDocumentsError as exc:
        raise HTTPException(status_code=404, detail=" ".join(str(exc).split())) from None
    except UserError as exc:
        raise _bad(exc) from None
    return json_ready(report_to_dict(current, comparison))


@router.get("/brief", responses=_ERRORS)
def brief(
    request: Request,
    year: Year,
    compare: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    kind: Kind = "work_report",
    topic: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The year's brief: its sentences, each figure with the dashboard path of its rows, and
    the same text as Markdown (``govwatch report --brief``)."""
    dashboard = dashboard_of(request)
    try:
        made = dashboard.brief(_topic(dashboard, topic), kind=kind, year=year, compare_year=compare)
    except UserError as exc:
        raise _bad(exc) from None
    return json_ready({**brief_to_dict(made), "markdown": brief_markdown(made)})


@router.get("/bids", responses=_ERRORS)
def bids(
    request: Request,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    since: IsoDate | None = None,
    province: ProvinceCode | None = None,
    topic: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Procurement notices that mention the topic, their lots and the totals per province,
    exactly as ``govwatch report bids --format json``."""
    dashboard = dashboard_of(request)
    try:
        chosen = _topic(dashboard, topic)
    except UserError as exc:
        raise _bad(exc) from None
    found = dashboard.bids(chosen, year=year, since=since, province_code=province)
    return json_ready(bids_to_dict(found))


@router.get("/sources", response_model=list[SourceOut], responses={401: _ERRORS[401]})
def sources(request: Request) -> list[SourceOut]:
    """Every source of the registry with its health, last run, last success and live check."""
    found = []
    for view in dashboard_of(request).sources():
        source, runs, check = view.source, view.runs, view.check
        found.append(
            SourceOut(
                id=source.id,
                name=source.name,
                province_code=source.province_code,
                kind=source.kind,
                adapter=source.adapter,
                entry_url=source.entry_urls[0],
                schedule=source.schedule,
                enabled=source.enabled,
                confidence=source.confidence,
                captcha=source.captcha,
                state=runs.state if runs else None,
                failures_in_a_row=runs.failures_in_a_row if runs else 0,
                last_ok_items=runs.last_ok_items if runs else 0,
                detail=runs.detail if runs else None,
                last_run_at=_when(runs.last_run_at) if runs else None,
                last_run_status=runs.last_run_status if runs else None,
                last_success_at=_when(runs.last_success_at) if runs else None,
                documents=runs.documents if runs else 0,
                live_check=None
                if check is None
                else {
                    "checked_at": beijing_iso(check.checked_at),
                    "status": check.status,
                    "items": check.items,
                    "last_ok_at": _when(check.last_ok_at),
                },
            )
        )
    return found


@router.get("/alerts", response_model=list[DeliveryOut], responses={401: _ERRORS[401]})
def alerts(
    request: Request,
    status: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryOut]:
    """Alert deliveries, newest first: channel, state, tries, last error, what it is about."""
    return [_delivery(d) for d in dashboard_of(request).deliveries(status, limit)]


def _may_act(request: Request) -> None:
    """An action needs the login (when a password is set) and a JSON body: a page of another
    site can send neither (a body without a type would pass as a simple request, so the type
    is required, not guessed). A dependency of the actions, so that it answers before the
    body is read as their model (a form's body would otherwise be a 422)."""
    access = access_of(request)
    if not access.is_authenticated(request):
        raise HTTPException(status_code=401, detail="login required")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(status_code=415, detail="send application/json")


_ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not JSON"},
    401: _ERRORS[401],
    404: {"description": "no such source or delivery"},
    415: {"description": "the body is not application/json"},
    409: {"description": "not possible now (e.g. the delivery is not failed)"},
}


@router.post(
    "/sources/{source_id}/crawl",
    response_model=ActionOut,
    status_code=202,
    responses=_ACTION_ERRORS,
    dependencies=[Depends(_may_act)],
)
def crawl(
    request: Request,
    source_id: Annotated[str, Path(max_length=120)],
    body: Annotated[Action, Body()],
) -> ActionOut:
    """Crawl one source now (the service queues it; ``govwatch serve`` starts a crawl)."""
    dashboard = dashboard_of(request)
    if source_id not in {s.id for s in dashboard.registry.sources}:
        raise HTTPException(status_code=404, detail=f"no source {source_id!r}")
    try:
        return ActionOut(message=dashboard.crawl_now(source_id))
    except UserError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.post(
    "/alerts/{delivery_id}/retry",
    response_model=ActionOut,
    responses=_ACTION_ERRORS,
    dependencies=[Depends(_may_act)],
)
def retry(
    request: Request,
    delivery_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Annotated[Action, Body()],
) -> ActionOut:
    """Make a failed or dead delivery due again now (``govwatch alerts retry ID``)."""
    try:
        return ActionOut(message=dashboard_of(request).retry(delivery_id))
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc).strip("'\"")) from None
    except UserError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
