"""Alerts to chat and push services through Apprise: DingTalk, WeCom, Feishu/Lark, Telegram, ….

One Apprise URL per channel. Those URLs carry tokens and signing secrets
(``dingtalk://{secret}@{token}/``, ``wecombot://{key}``), so they normally come from an
environment variable (``url_env``); ``url`` is for URLs without secrets. Neither the URL nor
any part of it beyond its scheme appears in errors.

The title and a markdown body are rendered from the templates ``apprise_title.txt`` and
``apprise_body.md``; Apprise converts the markdown for services that do not take it.
"""

from __future__ import annotations

import re
from typing import Literal

import apprise
from pydantic import BaseModel, ConfigDict, Field, model_validator

from crawler.alerts.channels.base import Channel, DeliveryError, channel_type
from crawler.alerts.channels.support import EnvVar, one_line, secret_from_env
from crawler.alerts.channels.templates import (
    TemplateRenderError,
    Templates,
    alert_context,
)
from crawler.alerts.payload import AlertPayload

_FORMATS = {
    "markdown": apprise.NotifyFormat.MARKDOWN,
    "text": apprise.NotifyFormat.TEXT,
    "html": apprise.NotifyFormat.HTML,
}


class AppriseSettings(BaseModel):
    """The keys of a ``type = "apprise"`` channel table."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, min_length=4, description="Apprise URL without secrets")
    url_env: EnvVar | None = Field(None, description="variable holding the Apprise URL")
    title_template: str = Field("apprise_title.txt", description="template file for the title")
    body_template: str = Field("apprise_body.md", description="template file for the body")
    body_format: Literal["markdown", "text", "html"] = Field(
        "markdown", description="what the body template produces"
    )
    timeout: float = Field(30.0, gt=0, description="seconds for the whole notification")

    @model_validator(mode="after")
    def _one_url(self) -> AppriseSettings:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self


@channel_type("apprise")
class AppriseChannel(Channel):
    """Sends each batch of alerts as one Apprise notification (title + markdown body)."""

    Settings = AppriseSettings
    settings: AppriseSettings
    templates: Templates

    def render(self, alerts: list[AlertPayload], delivery_id: str) -> tuple[str, str]:
        """The notification's title (one line) and body for ``alerts``."""
        context = alert_context(alerts, channel=self.name, delivery_id=delivery_id)
        title = self.templates.render(self.settings.title_template, **context)
        body = self.templates.render(self.settings.body_template, **context)
        return " ".join(title.split()), body.strip() + "\n"

    def send(self, alerts: list[AlertPayload], delivery_id: str) -> None:
        """Notify the configured service; an empty list sends nothing."""
        if not alerts:
            return
        settings = self.settings
        if settings.url_env:
            url = secret_from_env(settings.url_env, channel=self.label, what="Apprise URL").strip()
            origin = f" (from {settings.url_env})"
        else:
            url, origin = settings.url or "", ""  # the settings require one of url and url_env
        try:
            title, body = self.render(alerts, delivery_id)
        except TemplateRenderError as error:
            raise DeliveryError(f"{self.label}: {error}", retryable=False) from error

        notifier = apprise.Apprise(asset=apprise.AppriseAsset(app_id="govwatch"))
        if not notifier.add(url):
            raise DeliveryError(
                f"{self.label}: not a valid Apprise URL{origin}: {redacted(url)}",
                retryable=False,
            )
        result = notifier.notify(
            body=body,
            title=title,
            body_format=_FORMATS[settings.body_format],
            timeout=settings.timeout,
        )
        if not result:
            # Apprise does not say whether a failure is permanent (a revoked token) or not
            # (a 502), so every failure is retried; its log lines say which service and why.
            reason = _scrub(_reason(result), url)
            raise DeliveryError(f"{self.label}: {redacted(url)} not notified: {reason}")


def redacted(url: str) -> str:
    """``dingtalk://…``: the scheme only, since everything after it may be a secret."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return f"{scheme}://…" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else "…"


def _reason(result: apprise.AppriseResult) -> str:
    """The first warnings and errors Apprise recorded for this call, else its status."""
    lines = [
        entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")
    ]
    if lines:
        return one_line(" / ".join(lines[:2]))
    return f"status {result.status.name}"


def _scrub(text: str, url: str) -> str:
    # Apprise's own messages use privacy-masked URLs; this is a second guard in case a plugin
    # echoes part of the URL (a token in a response body, say).
    for part in re.split(r"[/:@?&=#]+", url.split("://", 1)[-1]):
        if len(part) >= 6:
            text = text.replace(part, "…")
    return text
