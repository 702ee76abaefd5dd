"""The dashboard's pages (server-rendered, zh-CN): 最新文件, a document, 年度对照 with the
year's brief, 中标, 数据源, 告警, and the login.

Form fields arrive as text (an empty select is ""), so pages read them leniently and say what
was wrong on the page; the API (crawler.web.api) takes typed parameters instead.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crawler.match.topics import Topic
from crawler.reports.analyst_table import (
    Comparison,
    NoDocumentsError,
    YearReport,
    report_columns,
    report_rows,
)
from crawler.reports.bids import LINE_COLUMNS, TOTAL_COLUMNS, line_rows, total_rows
from crawler.reports.charts import KIND_LABELS
from crawler.web.access import SESSION_COOKIE, access_of
from crawler.web.dashboard import DELIVERY_STATES, Dashboard, dashboard_of, report_years
from crawler.web.present import beijing_now
from crawler.web.version_diff import version_changes
from spiders.errors import UserError
from spiders.provinces import NATIONAL, PROVINCES, resolve_province
from storage.browse import DocumentFilter

router = APIRouter(include_in_schema=False)
ALL = "all"
BIDS_PER_PAGE = 100  # notices (each with its lots) on a page of 中标


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    dashboard, access = dashboard_of(request), access_of(request)
    base = {
        "request": request,
        "dashboard": dashboard,
        "topics": dashboard.topics,
        "provinces": [NATIONAL, *PROVINCES],
        "kinds": KIND_LABELS,
        "csrf": access.csrf_token(request),
        "login_required": access.login_required,
        "logged_in": access.login_required and access.is_authenticated(request),
        "now": beijing_now(),
        "notice": request.query_params.get("notice"),
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def _date(value: str | None, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name}：{value!r} 不是日期（例如 2024-01-31）")
        return None


def _int(value: str | None, name: str, problems: list[str], default: int | None) -> int | None:
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        problems.append(f"{name}：{value!r} 不是数字")
        return default


def _province(value: str | None, problems: list[str]) -> str | None:
    if not value:
        return None
    try:
        return resolve_province(value).code
    except UserError as exc:
        problems.append(str(exc))
        return None


# -- 最新文件 ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def documents_page(request: Request) -> HTMLResponse:
    params = request.query_params
    dashboard = dashboard_of(request)
    problems: list[str] = []
    topic_name = params.get("topic") or dashboard.topics[0].name
    try:
        topic = None if topic_name == ALL else dashboard.topic(topic_name).name
    except UserError as exc:
        problems.append(str(exc))
        topic = dashboard.topics[0].name
    kind = params.get("kind") or None
    if kind is not None and kind not in KIND_LABELS:
        problems.append(f"类别 {kind!r} 不存在")
        kind = None
    wanted = DocumentFilter(
        topic=topic,
        province_code=_province(params.get("province"), problems),
        kind=kind,
        source_id=params.get("source") or None,
        since=_date(params.get("since"), "起始日期", problems),
        until=_date(params.get("until"), "截止日期", problems),
        query=(params.get("q") or "").strip() or None,
        page=max(1, min(_int(params.get("page"), "页码", problems, 1) or 1, 10_000)),
        per_page=20,
    )
    page = dashboard.documents(wanted)
    chosen = {k: v for k, v in params.items() if k != "page" and v}
    feed_query = urlencode(
        {k: v for k, v in (("province", wanted.province_code), ("kind", kind)) if v}
    )
    return render(
        request,
        "documents.html",
        status_code=400 if problems else 200,
        page=page,
        wanted=wanted,
        topic_name=topic_name,
        problems=problems,
        query_without_page=urlencode(chosen),
        feed_url=f"/feeds/{topic or dashboard.topics[0].name}.atom"
        + (f"?{feed_query}" if feed_query else ""),
        sources=sorted(s.id for s in dashboard.registry.sources),
    )


# -- a document -------------------------------------------------------------------------------


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: int) -> HTMLResponse:
    dashboard = dashboard_of(request)
    detail = dashboard.document(document_id)
    if detail is None:
        return render(request, "missing.html", 404, what=f"文件 {document_id}")
    return render(
        request,
        "document.html",
        detail=detail,
        readings=dashboard.readings(detail),
        changes=version_changes(detail.versions),
    )


# -- 年度对照 ---------------------------------------------------------------------------------


def _topic(dashboard: Dashboard, name: str | None, problems: list[str]) -> Topic:
    """The topic named on the form; the first one (and a problem said) when unknown."""
    try:
        return dashboard.topic(name)
    except UserError as exc:
        problems.append(str(exc))
        return dashboard.topics[0]


def _report_choice(request: Request) -> dict[str, Any]:
    """Topic, kind, year and compared year from the query, defaults filled in."""
    dashboard = dashboard_of(request)
    params = request.query_params
    problems: list[str] = []
    topic = _topic(dashboard, params.get("topic"), problems)
    kind = params.get("kind") or "work_report"
    if kind not in KIND_LABELS:
        problems.append(f"类别 {kind!r} 不存在")
        kind = "work_report"
    years = report_years(dashboard, kind)
    year = _int(params.get("year"), "年份", problems, years[-1] if years else None)
    compare_year = _int(params.get("compare"), "对照年份", problems, None)
    if year is not None and not 1949 <= year <= 2100:
        problems.append(f"年份 {year} 超出范围")
        year = years[-1] if years else None
    return {
        "topic": topic,
        "kind": kind,
        "years": years,
        "year": year,
        "compare_year": compare_year,
        "problems": problems,
    }


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    dashboard = dashboard_of(request)
    choice = _report_choice(request)
    context: dict[str, Any] = {**choice, "report": None, "comparison": None, "brief": None}
    if choice["year"] is not None:
        try:
            report, comparison = dashboard.year_report(
                choice["topic"],
                kind=choice["kind"],
                year=choice["year"],
                compare_year=choice["compare_year"],
            )
        except NoDocumentsError as exc:
            context["problems"] = [*choice["problems"], str(exc)]
        else:
            context.update(
                report=report,
                comparison=comparison,
                columns=[
                    c for c in report_columns(report, comparison) if c.key not in ("sentences",)
                ],
                rows=report_rows(report, comparison),
            )
        context["brief"] = dashboard.brief(
            choice["topic"],
            kind=choice["kind"],
            year=choice["year"],
            compare_year=choice["compare_year"],
        )
    query = {
        k: v
        for k, v in (
            ("topic", choice["topic"].name),
            ("kind", choice["kind"]),
            ("year", choice["year"]),
            ("compare", choice["compare_year"]),
        )
        if v is not None
    }
    context["query"] = urlencode(query)
    return render(request, "report.html", 400 if context["problems"] else 200, **context)


def _chosen_report(request: Request) -> tuple[YearReport, Comparison | None] | Response:
    """The table the query chooses, for the chart and the downloads; else the plain-text
    answer saying why there is none (400: a bad choice, 404: no documents)."""
    choice = _report_choice(request)
    if choice["problems"] or choice["year"] is None:
        problem = "; ".join(choice["problems"]) or "no documents of this kind"
        return Response(problem, status_code=400, media_type="text/plain")
    try:
        return dashboard_of(request).year_report(
            choice["topic"],
            kind=choice["kind"],
            year=choice["year"],
            compare_year=choice["compare_year"],
        )
    except NoDocumentsError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")


@router.get("/report/chart.png")
def report_chart(request: Request) -> Response:
    from crawler.reports.charts import render_chart

    built = _chosen_report(request)
    if isinstance(built, Response):
        return built
    report, comparison = built
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chart.png"
        render_chart(report, comparison.previous if comparison else None, path)
        return Response(path.read_bytes(), media_type="image/png")


@router.get("/report/download.{extension}")
def report_download(request: Request, extension: str) -> Response:
    """The table as ``govwatch report --format csv|json`` writes it, or as XLSX."""
    import io

    from crawler.reports.analyst_table import report_to_dict
    from crawler.reports.export import to_json, write_csv, write_xlsx

    if extension not in ("csv", "json", "xlsx"):
        return Response("use .csv, .json or .xlsx", status_code=404, media_type="text/plain")
    built = _chosen_report(request)
    if isinstance(built, Response):
        return built
    report, comparison = built
    name = f"govwatch-{report.topic.name}-{report.kind}-{report.year}"
    if comparison is not None:
        name += f"-vs-{comparison.previous.year}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{extension}"'}
    columns, rows = report_columns(report, comparison), report_rows(report, comparison)
    if extension == "json":
        body = to_json(report_to_dict(report, comparison))
        return Response(body, media_type="application/json", headers=disposition)
    if extension == "csv":
        stream = io.StringIO()
        write_csv(rows, columns, stream)
        return Response(stream.getvalue(), media_type="text/csv", headers=disposition)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(rows, columns, path, sheet=str(report.year))
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(path.read_bytes(), media_type=media, headers=disposition)


# -- 中标 -------------------------------------------------------------------------------------


@router.get("/bids", response_class=HTMLResponse)
def bids_page(request: Request) -> HTMLResponse:
    dashboard = dashboard_of(request)
    params = request.query_params
    problems: list[str] = []
    topic = _topic(dashboard, params.get("topic"), problems)
    year = _int(params.get("year"), "年份", problems, None)
    province = _province(params.get("province"), problems)
    since = _date(params.get("since"), "起始日期", problems)
    report = dashboard.bids(topic, year=year, since=since, province_code=province)
    # The totals count every notice; the lines are shown a page of notices at a time.
    pages = max(1, -(-len(report.notices) // BIDS_PER_PAGE))
    page = max(1, min(_int(params.get("page"), "页码", problems, 1) or 1, pages))
    shown = replace(report, notices=report.notices[(page - 1) * BIDS_PER_PAGE :][:BIDS_PER_PAGE])
    chosen = {k: v for k, v in params.items() if k != "page" and v}
    return render(
        request,
        "bids.html",
        400 if problems else 200,
        topic=topic,
        year=year,
        province=province,
        since=since,
        problems=problems,
        report=report,
        lines=line_rows(shown),
        line_columns=[c for c in LINE_COLUMNS if c.key != "url"],
        totals=total_rows(report),
        total_columns=TOTAL_COLUMNS,
        page=page,
        pages=pages,
        per_page=BIDS_PER_PAGE,
        query_without_page=urlencode(chosen),
    )


# -- 数据源 -----------------------------------------------------------------------------------


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    dashboard = dashboard_of(request)
    views = dashboard.sources()
    state = request.query_params.get("state") or None
    if state:
        views = [v for v in views if (v.runs.state if v.runs else "never") == state]
    return render(
        request,
        "sources.html",
        views=views,
        state=state,
        can_crawl=dashboard.host.crawl_now is not None,
    )


def _refuse_form(request: Request, csrf: str | None) -> Response | None:
    """A form's action needs the login (when set) and this browser's token."""
    access = access_of(request)
    if not access.is_authenticated(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not access.csrf_matches(request, csrf):
        return render(request, "missing.html", 403, what="请求（跨站令牌不符，请刷新页面后重试）")
    return None


def _back(to: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{to}?{urlencode({'notice': message})}", status_code=303)


@router.post("/sources/{source_id}/crawl")
def crawl_source(request: Request, source_id: str, csrf: str = Form("")) -> Response:
    refused = _refuse_form(request, csrf)
    if refused is not None:
        return refused
    try:
        message = dashboard_of(request).crawl_now(source_id)
    except UserError as exc:
        return _back("/sources", str(exc))
    return _back("/sources", message)


# -- 告警 -------------------------------------------------------------------------------------


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> HTMLResponse:
    dashboard = dashboard_of(request)
    status = request.query_params.get("status") or None
    problems = []
    if status is not None and status not in DELIVERY_STATES:
        problems.append(f"状态 {status!r} 不存在")
        status = None
    deliveries = dashboard.deliveries(status)
    return render(
        request,
        "alerts.html",
        400 if problems else 200,
        deliveries=deliveries,
        status=status,
        states=DELIVERY_STATES,
        problems=problems,
    )


@router.post("/alerts/{delivery_id}/retry")
def retry_delivery(request: Request, delivery_id: int, csrf: str = Form("")) -> Response:
    refused = _refuse_form(request, csrf)
    if refused is not None:
        return refused
    try:
        message = dashboard_of(request).retry(delivery_id)
    except (UserError, LookupError) as exc:
        return _back("/alerts", str(exc).strip("'\""))
    return _back("/alerts", message)


# -- login ------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", next=_next(request.query_params.get("next")), failed=False)


def _next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


@router.post("/login")
def login(
    request: Request, password: str = Form(""), csrf: str = Form(""), next: str = Form("/")
) -> Response:
    access = access_of(request)
    if not access.csrf_matches(request, csrf):
        return render(request, "missing.html", 403, what="请求（跨站令牌不符，请刷新页面后重试）")
    if not access.login_required:
        return RedirectResponse(_next(next), status_code=303)
    if not access.password_matches(password):
        return render(request, "login.html", 401, next=_next(next), failed=True)
    answer = RedirectResponse(_next(next), status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        access.new_session(),
        max_age=access.session_seconds,
        httponly=True,
        samesite="strict",
        path="/",
    )
    return answer


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    if not access_of(request).csrf_matches(request, csrf):
        return render(request, "missing.html", 403, what="请求（跨站令牌不符）")
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer
