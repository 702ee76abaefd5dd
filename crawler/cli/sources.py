"""``govwatch sources``: the registry listed, and each source checked."""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.cli.context import current_settings, out
from spiders.errors import UserError
from spiders.registry import KINDS

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
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the sources of the registry."""
    from rich.table import Table

    from crawler.json_output import dumps
    from spiders.provinces import by_code_unchecked, resolve_province
    from spiders.registry import load_registry

    settings = current_settings()
    sources = load_registry(settings.registry_dir).sources
    if province:
        code = resolve_province(province).code
        sources = [s for s in sources if s.province_code == code]
    if kind:
        if kind not in KINDS:
            raise UserError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        sources = [s for s in sources if s.kind == kind]
    if json_output:
        print(dumps([s.model_dump() for s in sources]))
        return
    table = Table()
    for column in (
        "id",
        "province",
        "kind",
        "adapter",
        "entry URL",
        "schedule",
        "render",
        "verified",
    ):
        table.add_column(column)
    for s in sources:
        table.add_row(
            s.id,
            by_code_unchecked(s.province_code).short_name,
            s.kind,
            s.adapter,
            s.entry_urls[0],
            s.schedule,
            s.render,
            "yes" if s.verified else "no",
        )
    out.print(table)


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
