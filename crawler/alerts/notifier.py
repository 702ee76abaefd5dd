"""The notifier: works off the outbox (table ``deliveries``) through the configured channels.

Each round leases due deliveries (instant channels one alert per message, digest channels all
that are due in one message), sends, then records the result. Failures are retried with
exponential backoff with full jitter up to a cap; after ``max_attempts`` or ``max_age_hours``,
or on an error retrying cannot fix, a delivery is dead (``govwatch alerts retry`` revives it).
A crash between sending and recording leaves the lease to expire and the send to happen again:
the receiver drops the duplicate by the alert's idempotency key, and the delivery is still
marked delivered only once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from loguru import logger

from crawler.alerts.channels.base import Channel, DeliveryError
from crawler.alerts.payload import AlertPayload
from crawler.config import AlertSettings, ChannelConfig
from storage.repository import DocumentStore, utcnow

BATCH_LIMIT = 500


@dataclass
class DrainReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int, policy: AlertSettings, rng: random.Random | None = None) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 2ⁿ growth, capped, jittered."""
    ceiling = min(policy.backoff_cap_seconds, policy.backoff_base_seconds * 2 ** (attempts - 1))
    # Full jitter keeps many failed deliveries from retrying in lockstep.
    return (rng or random).uniform(ceiling / 2, ceiling)


class Notifier:
    def __init__(
        self,
        store: DocumentStore,
        channels: dict[str, tuple[ChannelConfig, Channel]],
        policy: AlertSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.channels = channels
        self.policy = policy
        self.clock = clock

    def drain(self) -> DrainReport:
        """Send everything that is due now, once round each; returns what happened."""
        report = DrainReport()
        for name in self.store.channels_with_due(self.clock()):
            if name not in self.channels:
                continue  # a channel removed from the config: its deliveries wait, untouched
            config, channel = self.channels[name]
            while True:
                sent = self._send_one_batch(name, config, channel, report)
                if not sent or config.mode != "instant":
                    break
        return report

    def _send_one_batch(
        self, name: str, config: ChannelConfig, channel: Channel, report: DrainReport
    ) -> bool:
        now = self.clock()
        limit = 1 if config.mode == "instant" else BATCH_LIMIT
        lease = now + timedelta(seconds=self.policy.lease_seconds)
        delivery_id, claimed = self.store.claim_deliveries(name, now, lease, limit)
        if not claimed:
            return False
        ids = [row_id for row_id, _, _, _ in claimed]
        try:
            # Payloads were composed as AlertPayload (crawler.alerts.compose) and stored as JSON.
            payloads = cast(list[AlertPayload], [payload for _, payload, _, _ in claimed])
            channel.send(payloads, delivery_id)
        except Exception as exc:  # any failure of a send is recorded, never raised
            retryable = exc.retryable if isinstance(exc, DeliveryError) else True
            error = f"{type(exc).__name__}: {exc}"[:500]
            attempts = max(attempts for _, _, attempts, _ in claimed) + 1
            oldest = min(created for _, _, _, created in claimed)
            expired = attempts >= self.policy.max_attempts or now - oldest >= timedelta(
                hours=self.policy.max_age_hours
            )
            retry_at = None
            if retryable and not expired:
                retry_at = now + timedelta(seconds=backoff(attempts, self.policy))
            self.store.finish_deliveries(
                ids, delivery_id, delivered=False, error=error, retry_at=retry_at, now=now
            )
            logger.warning("{}: delivery of {} alert(s) failed: {}", name, len(ids), error)
            if retry_at is None:
                report.dead += len(ids)
            else:
                report.failed += len(ids)
            report.errors.append(f"{name}: {error}")
            return False
        self.store.finish_deliveries(ids, delivery_id, delivered=True, now=now)
        report.delivered += len(ids)
        return True


def build_channels(
    configs: list[ChannelConfig], templates_dir: Path | None = None
) -> dict[str, tuple[ChannelConfig, Channel]]:
    """Instantiate the configured channels with the (possibly user-overridden) templates."""
    from crawler.alerts.channels import CHANNEL_TYPES
    from crawler.alerts.channels.templates import Templates

    templates = Templates(templates_dir)
    templates.check()  # a broken user template fails here, not when an alert is due
    return {
        config.name: (
            config,
            CHANNEL_TYPES[config.type](config.name, config.type_settings(), templates),
        )
        for config in configs
    }
