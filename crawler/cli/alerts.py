"""``govwatch alerts``: deliveries listed, retried, sent, and a channel tested."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crawler.cli.context import current_settings, err, out
from spiders.errors import UserError

if TYPE_CHECKING:
    from crawler.config import Settings

app = typer.Typer(help="Alert deliveries: list, retry, send, test.", no_args_is_help=True)


def deliver(settings: Settings, *, quiet: bool = False) -> None:
    """Send the alerts that are due; one summary line on stderr."""
    from crawler.alerts.notifier import Notifier, build_channels
    from crawler.fetch.engine import open_store

    store = open_store(settings)
    channels = build_channels(settings.channels, settings.alerts.templates_dir)
    report = Notifier(store, channels, settings.alerts).drain()
    if not quiet or report.failed or report.dead:
        err.print(
            f"alerts: {report.delivered} delivered, {report.failed} failed (will retry), "
            f"{report.dead} dead"
        )


@app.command("list")
def alerts_list(
    status: Annotated[
        str | None, typer.Option(help="pending, sending, delivered, failed or dead.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show alert deliveries: channel, state, attempts, last error, what the alert is about."""
    from rich.table import Table

    from crawler.fetch.engine import open_store
    from crawler.json_output import dumps

    if status is not None and status not in ("pending", "sending", "delivered", "failed", "dead"):
        raise UserError(f"--status {status!r}: use pending, sending, delivered, failed or dead")
    store = open_store(current_settings())
    rows = store.deliveries(status=status, limit=limit)
    if json_output:
        print(
            dumps(
                [
                    {
                        "id": d.id,
                        "channel": d.channel,
                        "status": d.status,
                        "attempts": d.attempts,
                        "due_at": d.due_at,
                        "delivered_at": d.delivered_at,
                        "last_error": d.last_error,
                        "event": a.event,
                        "idempotency_key": a.idempotency_key,
                        "title": (a.payload.get("document") or {}).get("title"),
                        "source": a.source_id,
                    }
                    for d, a in rows
                ]
            )
        )
        return
    table = Table(title=f"{len(rows)} deliveries")
    for column in ("id", "channel", "status", "tries", "event", "about", "last error"):
        table.add_column(column)
    for delivery, alert in rows:
        about = (alert.payload.get("document") or {}).get("title") or alert.source_id
        table.add_row(
            str(delivery.id),
            delivery.channel,
            delivery.status,
            str(delivery.attempts),
            alert.event,
            about,
            delivery.last_error or "",
        )
    out.print(table)


@app.command("retry")
def alerts_retry(
    delivery_id: Annotated[int | None, typer.Argument(help="A delivery's id.")] = None,
    all_failed: Annotated[
        bool, typer.Option("--all-failed", help="Every failed and dead delivery.")
    ] = False,
) -> None:
    """Make failed or dead deliveries due again and send them now."""
    from crawler.fetch.engine import open_store

    if (delivery_id is None) == (not all_failed):
        raise UserError("give a delivery id or --all-failed")
    settings = current_settings()
    store = open_store(settings)
    count = store.requeue_deliveries(ids=[delivery_id] if delivery_id is not None else None)
    if delivery_id is not None and count == 0:
        status = store.delivery_status(delivery_id)
        if status is None:
            raise UserError(f"no delivery {delivery_id} (see `govwatch alerts list`)")
        raise UserError(f"delivery {delivery_id} is {status}, not failed or dead: nothing to retry")
    out.print(f"{count} deliveries queued again")
    deliver(settings)


@app.command("send")
def alerts_send() -> None:
    """Deliver every alert that is due now (digests included), then exit."""
    settings = current_settings()
    if not settings.channels:
        raise UserError("no channels configured: add [[channels]] to govwatch.toml")
    deliver(settings)


@app.command("test")
def alerts_test(
    channel: Annotated[str, typer.Argument(help="A channel's name from the config.")],
    event: Annotated[
        str, typer.Option(help="document.new, document.updated, source.failing …")
    ] = "document.new",
) -> None:
    """Send a sample alert through one channel, now, without touching the outbox."""
    import uuid

    from crawler.alerts.channels.base import DeliveryError
    from crawler.alerts.notifier import build_channels
    from crawler.alerts.payload import sample_payload

    settings = current_settings()
    configs = [c for c in settings.channels if c.name == channel]
    if not configs:
        names = ", ".join(c.name for c in settings.channels) or "none configured"
        raise UserError(f"unknown channel {channel!r} (channels: {names})")
    _, instance = build_channels(configs, settings.alerts.templates_dir)[channel]
    try:
        instance.send([sample_payload(event)], uuid.uuid4().hex)
    except DeliveryError as exc:
        err.print(f"[red]✗[/] {channel}: {exc}")
        raise typer.Exit(1) from None
    out.print(f"sample {event} alert sent through {channel}")
