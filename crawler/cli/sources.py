"""``govwatch sources``: the registry listed, and each source checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crawler.cli.context import current_settings, out
from spiders.errors import UserError
from spiders.registry import KINDS

if TYPE_CHECKING:
    from crawler.config import Settings
    from crawler.fetch.source_check import SourceCheck
    from spiders.registry import Source
    from storage.repository import CheckView

app = typer.Typer(help="The source registry.", no_args_is_help=True)


@app.command("list")
def sources_list(
    province: Annotated[
        str | None,
        typer.Option("--province", "-p", help="Only this province: gansu, 甘肃 or 620000."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help=f"Only this kind: {', '.join(KINDS)}.")
    ] = None,
    confidence: Annotated[
        str | None,
        typer.Option(
            "--confidence",
            "-c",
            help="Only sources whose public evidence is: confirmed (seen 2024 or later), "
            "older (only earlier evidence) or guess (none).",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the sources of the registry: family, entry URL, how well public evidence confirms
    them, and when `govwatch sources check` last read items from each (Beijing time)."""
    from rich.table import Table

    from crawler.json_output import dumps
    from spiders.provinces import by_code_unchecked, resolve_province
    from spiders.registry import CONFIDENCES, load_registry

    settings = current_settings()
    sources = load_registry(settings.registry_dir).sources
    if province:
        code = resolve_province(province).code
        sources = [s for s in sources if s.province_code == code]
    if kind:
        if kind not in KINDS:
            raise UserError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        sources = [s for s in sources if s.kind == kind]
    if confidence:
        if confidence not in CONFIDENCES:
            raise UserError(f"--confidence {confidence!r}: use one of {', '.join(CONFIDENCES)}")
        sources = [s for s in sources if s.confidence == confidence]
    checks = _live_checks(settings)
    if json_output:
        print(dumps([_source_json(s, checks.get(s.id)) for s in sources]))
        return
    table = Table()
    for column in ("id", "province", "kind", "adapter", "entry URL", "evidence", "last read ok"):
        table.add_column(column)
    for s in sources:
        check = checks.get(s.id)
        table.add_row(
            s.id,
            by_code_unchecked(s.province_code).short_name,
            s.kind,
            s.adapter,
            s.entry_urls[0],
            _evidence_cell(s),
            _last_ok_cell(check),
        )
    out.print(table)
    counts = {name: sum(s.confidence == name for s in sources) for name in CONFIDENCES}
    out.print(
        f"{len(sources)} sources: "
        + ", ".join(f"{n} {name}" for name, n in counts.items())
        + "; times are Beijing time"
    )


def _live_checks(settings: Settings) -> dict[str, CheckView]:
    """The stored live checks; none when no database has been made yet (nothing was checked)."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.cli.faults import describe_fault
    from crawler.fetch.engine import open_store

    try:
        store = open_store(settings)
        try:
            return store.live_checks()
        finally:
            store.db.dispose()
    except (SQLAlchemyError, OSError) as exc:  # the registry is still worth listing
        reason = describe_fault(exc, settings.effective_database_url) or str(exc).splitlines()[0]
        out.print(f"[yellow]live checks not shown: {reason}[/]", markup=True)
        return {}


def _evidence_cell(source: Source) -> str:
    if source.needs:
        return f"guess: needs {source.needs.split(':', 1)[0]}"
    dated = [item.seen for item in source.evidence if item.confirms and item.seen != "undated"]
    cell = f"{source.confidence} ({max(dated)})" if dated else source.confidence
    return cell + (", captcha" if source.captcha else "")


def _last_ok_cell(check: CheckView | None) -> str:
    from storage.times import beijing_iso

    if check is None:
        return "never checked"
    last = beijing_iso(check.last_ok_at)[:16].replace("T", " ") if check.last_ok_at else "never"
    return last if check.status == "ok" else f"{last} (last check: {check.status})"


def _source_json(source: Source, check: CheckView | None) -> dict[str, Any]:
    from storage.times import beijing_iso

    data = source.model_dump()
    data["confidence"] = source.confidence
    data["live_check"] = (
        None
        if check is None
        else {
            "checked_at": beijing_iso(check.checked_at),
            "status": check.status,
            "detail": check.detail,
            "items": check.items,
            "last_ok_at": beijing_iso(check.last_ok_at) if check.last_ok_at else None,
            "last_ok_items": check.last_ok_items,
        }
    )
    return data


@app.command("check")
def sources_check(
    province: Annotated[
        str | None,
        typer.Option("--province", "-p", help="Only this province: gansu, 甘肃 or 620000."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="One source by id.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Validate the registry and try each source's first list page.

    Prints per source: ok (with the number of items), blocked (by what), unreachable, or
    parse_failed (0 items). Exits 1 when any source is not ok.
    """
    from rich.table import Table

    from crawler.fetch.source_check import OK, check_sources
    from crawler.json_output import dumps
    from spiders.provinces import resolve_province
    from spiders.registry import load_registry

    settings = current_settings()
    registry = load_registry(settings.registry_dir)
    sources = registry.enabled()
    if source:
        sources = [registry.get(source)]
    elif province:
        sources = registry.for_province(resolve_province(province))
    results = check_sources(sources, settings)
    _record_checks(settings, results)
    if json_output:
        print(dumps([r.to_dict() for r in results]))
    else:
        table = Table(title=f"{len(results)} sources")
        for column in ("source", "status", "detail"):
            table.add_column(column)
        styles = {OK: "green", "blocked": "yellow"}
        for result in results:
            style = styles.get(result.status, "red")
            table.add_row(result.source_id, f"[{style}]{result.status}[/]", result.detail)
        out.print(table)
        good = sum(r.status == OK for r in results)
        out.print(f"{good} of {len(results)} sources ok")
    if any(r.status != OK for r in results):
        raise typer.Exit(1)


def _record_checks(settings: Settings, results: list[SourceCheck]) -> None:
    """Keep what the check found, per source: `sources list` shows when each last read ok."""
    from crawler.fetch.engine import open_store
    from crawler.fetch.source_check import OK
    from storage.repository import CheckRecord

    store = open_store(settings)
    try:
        store.record_checks(
            CheckRecord(r.source_id, r.status, r.detail, r.items, r.status == OK) for r in results
        )
    finally:
        store.db.dispose()


@app.command("probe")
def sources_probe(
    target: Annotated[str, typer.Argument(help="A list page: its URL, or a saved .html file.")],
    url: Annotated[
        str | None,
        typer.Option("--url", help="A saved page's address (to resolve its links)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Name a list page's CMS family by its fingerprints, show what each adapter reads from it
    (title, link, date), and print a registry entry for the adapter that read the most."""
    from pathlib import Path

    from crawler.fetch.probe import probe_page
    from crawler.json_output import dumps

    path = Path(target)
    if target.startswith(("http://", "https://")):
        body, status = _fetch_for_probe(target)
        address = target
    elif path.is_file():
        body, status, address = path.read_bytes(), 200, url or path.resolve().as_uri()
    else:
        raise UserError(f"{target}: neither an http(s) URL nor a file")
    probe = probe_page(body, address, status)
    if json_output:
        print(dumps(probe.to_dict()))
        return
    out.print(f"[bold]{probe.url}[/]: {probe.kind} — {probe.reason}", markup=True)
    if probe.title:
        out.print(f"  title    {probe.title}", markup=False)
    for family in probe.families:
        needs = f" (needs {family['needs']})" if family["needs"] else ""
        out.print(f"  family   {family['family']}{needs}", markup=False)
    if not probe.families:
        out.print("  family   no known fingerprint")
    if probe.script_built:
        out.print(f'  script   {probe.script_built}: try render = "always"', markup=False)
    for reading in probe.readings:
        out.print(f"  {reading.adapter}: {len(reading.items)} items", markup=False)
        for item in reading.items[:5]:
            out.print(f"    · {item['date']} {item['title']}  {item['url']}", markup=False)
        if reading.error:
            out.print(f"    could not read: {reading.error}", markup=False)
    if probe.entry:
        out.print("\n" + probe.entry, markup=False)
    elif probe.kind in ("challenge", "captcha"):
        out.print(
            f'the site answers with a {probe.kind}: with render = "auto" the crawl passes '
            "challenges in the browser; a captcha needs captcha = true and a person"
        )
    else:
        out.print("no adapter read items from this page as served")


def _fetch_for_probe(url: str) -> tuple[bytes, int]:
    """One GET as a browser would send it; an HTTP error page is probed too (challenges)."""
    import urllib.error
    import urllib.request

    from crawler.fetch.identity import ACCEPT_LANGUAGE, BROWSER_USER_AGENT

    headers = {"User-Agent": BROWSER_USER_AGENT, "Accept-Language": ACCEPT_LANGUAGE}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(8 * 1024 * 1024), response.status
    except urllib.error.HTTPError as exc:
        return exc.read(8 * 1024 * 1024), exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise UserError(f"{url}: {getattr(exc, 'reason', exc)}") from None


@app.command("discover")
def sources_discover(
    portal: Annotated[str, typer.Argument(help="A portal's home page: its URL, or a saved file.")],
    url: Annotated[
        str | None, typer.Option("--url", help="A saved page's address (to resolve its links).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find a portal's columns for 政策文件, 通知公告, 政府工作报告 and 采购公告 and propose
    registry entries. From a URL, each column is fetched and probed for its adapter."""
    from pathlib import Path

    from crawler.fetch.discover import portal_columns, probe_columns
    from crawler.json_output import dumps

    path = Path(portal)
    fetched = portal.startswith(("http://", "https://"))
    if fetched:
        body, _ = _fetch_for_probe(portal)
        address = portal
    elif path.is_file():
        body, address = path.read_bytes(), url or path.resolve().as_uri()
    else:
        raise UserError(f"{portal}: neither an http(s) URL nor a file")
    site, columns = portal_columns(body, address)
    if columns and fetched:  # a saved page's columns are proposed as read, not fetched
        probe_columns(columns, _fetch_for_probe)
    if json_output:
        print(dumps({"site": site, "columns": [c.to_dict(site) for c in columns]}))
        return
    if not columns:
        out.print(f"{address}: no column for 政策文件, 通知公告, 政府工作报告 or 采购公告 found")
        return
    out.print(f"[bold]{site}[/]: {len(columns)} columns", markup=True)
    for column in columns:
        read = f"{column.adapter} reads {column.items} items" if column.adapter else column.note
        read = read or "not fetched: probe it with `govwatch sources probe`"
        out.print(f"  {column.kind:<12} {column.text}  {column.url}  {read}", markup=False)
    for column in columns:
        out.print("\n" + column.entry(site), markup=False)
