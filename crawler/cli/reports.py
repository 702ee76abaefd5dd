"""The analyst's commands: ``import``, ``report`` (and ``report bids``) and ``export``.

:func:`register` adds them to the main ``govwatch`` app. Mistakes raise
:class:`~spiders.errors.UserError`, which ``crawler.cli.main.main`` prints as one line (exit 2).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from crawler.cli.context import current_settings
from spiders.errors import UserError

if TYPE_CHECKING:
    from crawler.config import Settings
    from crawler.match.topics import Topic
    from crawler.reports.analyst_table import Comparison, YearReport
    from crawler.reports.importer import ImportResult
    from storage.repository import DocumentStore

# No help= here: the callback's docstring is the group's help, so `report --help` explains
# the table and its duplicate rule.
report_app = typer.Typer(rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    """Add ``import``, ``report`` (with ``bids``) and ``export`` to ``app``."""
    app.command("import")(import_documents)
    app.add_typer(report_app, name="report")
    app.command("export")(export_documents)


def _console(*, stderr: bool = False) -> Console:
    # Built per call so output goes to the sys.stdout of the moment (tests swap it); piped
    # output gets wide tables rather than rich's 80-column default.
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else 200)


def _open_store(settings: Settings) -> DocumentStore:
    from crawler.fetch.engine import open_store

    return open_store(settings)


def _topic(settings: Settings, name: str | None) -> Topic:
    """The topic named (by name or label), else the first one of the topics file."""
    from crawler.match.topics import load_topics

    topics = load_topics(settings.topics_file)
    if name is None:
        return topics[0]
    for topic in topics:
        if name in (topic.name, topic.label):
            return topic
    known = ", ".join(f"{t.name} ({t.label})" for t in topics)
    raise UserError(f"--topic {name!r}: not in the topics file (topics: {known})")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: use a date like 2024-01-31") from None


def _check_format(value: str, allowed: tuple[str, ...], option: str = "--format") -> str:
    if value not in allowed:
        raise UserError(f"{option} {value!r}: use {', '.join(allowed)}")
    return value


def _check_kind(kind: str) -> str:
    from crawler.reports.importer import KINDS

    if kind not in KINDS:
        raise UserError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    return kind


# -- govwatch import --------------------------------------------------------------------------


def import_documents(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (folders are walked).", metavar="PATH"),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "-y",
            help="Year of the documents (default: a year in the file name, e.g. 2020_shanghai).",
            min=1949,
            max=2100,
        ),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            "-k",
            help="work_report, policy, procurement, trading, industry_dept or national.",
        ),
    ] = "work_report",
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            "-p",
            help="shanghai, 上海, 310000 or national (default: from file name or content).",
        ),
    ] = None,
) -> None:
    """Import documents you already have: TXT (UTF-8 or GBK), HTML, PDF, DOCX, XLSX, CSV.

    A CSV holds one document per row, with a header naming its columns: text (required),
    province, title, year, url, published, kind (or 省份, 标题, 正文, 年份, 链接, 发布日期).
    Each document is matched against the topics and stored like a crawled one, so `report`
    counts it. Imports never send alerts. Prints one line per file (per row for CSV):
    imported, already known, updated or unreadable with the reason. Exit code 1 when any
    file or row could not be imported.
    """
    from crawler.match.matcher import Matcher
    from crawler.match.topics import load_topics
    from crawler.reports.importer import UNREADABLE, Importer, collect_files
    from spiders.provinces import resolve_province

    _check_kind(kind)
    chosen = resolve_province(province) if province is not None else None
    files = collect_files(paths)  # missing paths fail here, before anything is stored
    settings = current_settings()
    store = _open_store(settings)
    importer = Importer(
        store, Matcher(load_topics(settings.topics_file)), kind=kind, year=year, province=chosen
    )
    out = _console()
    counts: dict[str, int] = {}
    try:
        for file in files:
            for result in importer.import_file(file):
                counts[result.status] = counts.get(result.status, 0) + 1
                # soft_wrap: one line per file, however long, for people and for grep.
                out.print(_import_line(result), markup=False, soft_wrap=True)
    finally:
        store.db.dispose()
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    noun = "file" if len(files) == 1 else "files"
    out.print(f"{len(files)} {noun}: {summary}", markup=False, soft_wrap=True)
    if counts.get(UNREADABLE):
        raise typer.Exit(1)


def _import_line(result: ImportResult) -> str:
    if result.failed:
        return f"unreadable     {result.label}: {result.reason}"
    assert result.province is not None
    mentions = ", ".join(f"{label} ×{n}" for label, n in result.mentions.items())
    return (
        f"{result.status:<14} {result.label}: {result.province.short_name} "
        f"(from {result.province_from}), {result.year}, {result.kind}, "
        f"{mentions or 'no topic mentioned'}"
    )


# -- govwatch report --------------------------------------------------------------------------


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="The year of the documents (required).")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Topic name or label (default: first).")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", help="Document kind.")] = "work_report",
    compare: Annotated[
        int | None, typer.Option("--compare", "-c", help="Compare with this year.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or md.")
    ] = "table",
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also draw provinces by mentions to FILE.png or FILE.svg."),
    ] = None,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="Print the year's brief as Markdown instead: the figures in sentences "
            "(compared with --compare, default the year before), the dashboard's text.",
        ),
    ] = False,
) -> None:
    """The analyst's tables: the 31 provinces in a year (--year Y), procurement (bids).

    With --year: one row per province (all 31, also those with no document or no mention):
    mentioned or not, how often, the whole sentences, the technologies named beside the topic
    and the scenarios, with totals; --compare Y2 adds newly / no longer mentioning and the
    change in count. A document counts for the year it was published in. Copies of one
    document (a crawled and an imported one) count once: each distinct sentence counts once
    per province, year and kind. See `govwatch report bids --help` for procurement notices.
    """
    if ctx.invoked_subcommand is not None:
        return
    from crawler.reports.analyst_table import build_year_report
    from crawler.reports.analyst_table import compare as compare_years
    from crawler.reports.charts import check_chart_path, render_chart

    if year is None:
        raise UserError("report: give --year Y (or use `govwatch report bids`)")
    if compare == year:
        raise UserError(f"--compare {compare}: compare with a different year than --year")
    _check_format(output_format, ("table", "json", "csv", "md"))
    _check_kind(kind)
    if chart is not None:
        check_chart_path(chart)
    settings = current_settings()
    chosen = _topic(settings, topic)
    store = _open_store(settings)
    if brief:
        from crawler.reports.brief import brief_markdown, build_brief

        try:
            made = build_brief(store.db, chosen, kind=kind, year=year, compare_year=compare)
        finally:
            store.db.dispose()
        print(brief_markdown(made), end="")
        return
    try:
        current = build_year_report(store.db, chosen, kind=kind, year=year)
        previous = (
            build_year_report(store.db, chosen, kind=kind, year=compare)
            if compare is not None
            else None
        )
    finally:
        store.db.dispose()
    comparison = compare_years(current, previous) if previous is not None else None
    if chart is not None:
        # Drawn before printing, so a reader closing the pipe early (| head) keeps the chart.
        render_chart(current, previous, chart)
        _console(stderr=True).print(f"chart written to {chart}", markup=False)
    _print_year_report(current, comparison, output_format)


def _print_year_report(
    current: YearReport, comparison: Comparison | None, output_format: str
) -> None:
    from crawler.reports.analyst_table import (
        report_columns,
        report_rows,
        report_to_dict,
        totals_lines,
    )
    from crawler.reports.export import markdown_table, rich_table, to_json, write_csv

    if output_format == "json":
        print(to_json(report_to_dict(current, comparison)))
        return
    columns = report_columns(current, comparison)
    rows = report_rows(current, comparison)
    if output_format == "csv":
        write_csv(rows, columns, sys.stdout)
        return
    totals = totals_lines(current, comparison)
    title = f"{current.topic.label} in {current.kind} documents of {current.year}"
    if comparison is not None:
        title += f", compared with {comparison.previous.year}"
    # Sentences are prose: listed under the table, where they can be read whole.
    shown = [c for c in columns if c.key not in ("code", "sentences")]
    mentioning = [row for row in current.rows if row.sentences]
    if output_format == "md":
        print(f"## {title}\n")
        print(markdown_table(rows, shown))
        print("\n" + "\n".join(f"- {line}" for line in totals))
        for row in mentioning:
            print(f"\n### {row.province.short_name} {current.year}\n")
            print("\n".join(f"- {sentence}" for sentence in row.sentences))
        return
    out = _console()
    out.print(rich_table(rows, shown, title=title, caption="\n".join(totals)))
    for row in mentioning:
        out.print(f"\n{row.province.short_name} {current.year}:", markup=False)
        for sentence in row.sentences:
            out.print(f"  · {sentence}", markup=False, soft_wrap=True)


@report_app.command("bids")
def report_bids(
    since: Annotated[
        str | None, typer.Option("--since", "-s", help="Notices dated on or after YYYY-MM-DD.")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Only notices dated in this year.")
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", "-p", help="shanghai, 上海, 310000, national.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Topic name or label (default: first).")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or md.")
    ] = "table",
) -> None:
    """Procurement notices that mention the topic, by province and year: date, type, project,
    buyer, agency, and per lot the supplier and amount (yuan); then totals per province and
    year (notices, awards, awarded yuan) and in all. Candidates (候选人公示) are not winners:
    listed, never summed.
    """
    from crawler.reports.bids import (
        CSV_COLUMNS,
        LINE_COLUMNS,
        TOTAL_COLUMNS,
        bids_to_dict,
        build_bids_report,
        line_rows,
        total_rows,
    )
    from crawler.reports.export import markdown_table, rich_table, to_json, write_csv
    from spiders.provinces import resolve_province

    _check_format(output_format, ("table", "json", "csv", "md"))
    start = _date(since, "--since")
    codes = [resolve_province(province).code] if province is not None else None
    settings = current_settings()
    chosen = _topic(settings, topic)
    store = _open_store(settings)
    try:
        report = build_bids_report(
            store.db,
            topic=chosen.name,
            label=chosen.label,
            since=start,
            year=year,
            province_codes=codes,
        )
    finally:
        store.db.dispose()
    if output_format == "json":
        print(to_json(bids_to_dict(report)))
        return
    lines, totals = line_rows(report), total_rows(report)
    scope = (f" since {start.isoformat()}" if start else "") + (f" in {year}" if year else "")
    if not lines and output_format == "table":
        _console().print(f"no procurement notice mentions {chosen.label}{scope}")
        return
    if output_format == "csv":
        # Lines only, one table per CSV file: totals are sums of it (or see --format json).
        write_csv(lines, CSV_COLUMNS, sys.stdout)
        return
    title = f"procurement notices that mention {chosen.label}{scope}"
    table_columns = [c for c in LINE_COLUMNS if c.key != "url"]
    if output_format == "md":
        print(f"## {title}\n\n{markdown_table(lines, table_columns)}\n")
        print(f"### totals per province and year\n\n{markdown_table(totals, TOTAL_COLUMNS)}")
        return
    out = _console()
    out.print(rich_table(lines, table_columns, title=f"{title}: {len(report.notices)} notices"))
    out.print(rich_table(totals, TOTAL_COLUMNS, title="totals per province and year"))


# -- govwatch export --------------------------------------------------------------------------


def export_documents(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="csv, xlsx or json.")
    ] = "csv",
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="Only documents that mention this topic."),
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", "-p", help="shanghai, 上海, 310000, national.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Document kind.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", "-s", help="Published on or after YYYY-MM-DD.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (required for xlsx)."),
    ] = None,
) -> None:
    """Export stored documents and their topic hits, newest first.

    CSV and XLSX have one row per document and topic hit (a document without hits: one row);
    JSON has one object per document with its hits. Default output is stdout.
    """
    from crawler.reports.export import (
        EXPORT_COLUMNS,
        EXPORT_FORMATS,
        document_rows,
        documents_json,
        write_csv,
        write_xlsx,
    )
    from spiders.provinces import resolve_province
    from storage.queries import documents_for_export

    _check_format(output_format, EXPORT_FORMATS)
    if output_format == "xlsx" and output is None:
        raise UserError("--format xlsx: give --output FILE.xlsx")
    if output is not None and not output.parent.is_dir():
        raise UserError(f"--output {output}: folder {output.parent} does not exist")
    if kind is not None:
        _check_kind(kind)
    codes = [resolve_province(province).code] if province is not None else None
    start = _date(since, "--since")
    settings = current_settings()
    topic_name = _topic(settings, topic).name if topic is not None else None
    store = _open_store(settings)
    try:
        documents = documents_for_export(
            store.db, topic=topic_name, province_codes=codes, kind=kind, since=start
        )
    finally:
        store.db.dispose()
    if output_format == "xlsx":
        assert output is not None
        write_xlsx(document_rows(documents), EXPORT_COLUMNS, output, sheet="documents")
    elif output_format == "json":
        _write_text(documents_json(documents) + "\n", output)
    else:
        if output is None:
            write_csv(document_rows(documents), EXPORT_COLUMNS, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                write_csv(document_rows(documents), EXPORT_COLUMNS, stream)
    if output is not None:
        _console(stderr=True).print(f"{len(documents)} documents written to {output}", markup=False)


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
