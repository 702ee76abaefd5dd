"""How alerts become text: Jinja2 templates, overridable by file name, with Chinese filters.

The packaged defaults live in ``crawler/alerts/channels/templates/``. A user template directory,
when configured, is searched first, so a file there named like a default replaces it.

Every template gets the same context (see :func:`alert_context`)::

    alerts        list[dict]   the alert payloads (crawler/alerts/payload.py), at least one
    alert         dict         alerts[0], for templates that handle the single case
    digest        bool         more than one alert in this message
    count         int          len(alerts)
    topic_labels  list[str]    the distinct topic labels of the alerts (区块链, …), in order
    channel       str          the channel's name from the config
    delivery_id   str          this delivery attempt

Health alerts (``source.*``) about several sources at once carry ``alert.health.sources``
(test it with ``alert.health.sources is defined``); ``service.*`` alerts are about the
service itself (``alert.source.kind == "service"``); see crawler/alerts/payload.py.

Filters: ``cn_date`` (2026年11月25日), ``cn_datetime`` (2026年11月25日 16:20), ``yuan``
(``"1280000.00"`` → ``1,280,000.00 元``: exact to the fen, as notices state awards, rather than
rounded to 万元), ``shorten(n)`` (cut to n characters with …), ``mark_html`` / ``mark_md``
(snippet keywords arrive as 【区块链】; HTML gets ``<mark>``, markdown ``**``; plain text keeps
the brackets), and the Chinese labels ``event_label``, ``change_label``, ``notice_label``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from copy import deepcopy
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markupsafe import Markup, escape

from crawler.alerts.payload import AlertPayload, sample_grouped_payload, sample_payload
from spiders.errors import UserError
from storage.times import BEIJING

DEFAULT_DIR = Path(__file__).with_name("templates")
# Every template a channel renders; ``Templates.check`` renders each against sample alerts.
TEMPLATE_NAMES = (
    "email_subject.txt",
    "email.txt",
    "email.html",
    "apprise_title.txt",
    "apprise_body.md",
)

EVENT_LABELS = {
    "document.new": "新文件",
    "document.updated": "文件更新",
    "source.failing": "来源抓取失败",
    "source.blocked": "来源被拦截",
    "source.empty": "来源列表为空",
    "source.recovered": "来源已恢复",
    "service.degraded": "服务异常",
    "service.recovered": "服务已恢复",
}
CHANGE_LABELS = {
    "hits": "命中变化",
    "title": "标题变化",
    "published_at": "日期变化",
    "attachments": "附件变化",
}
NOTICE_LABELS = {
    "tender": "采购/招标公告",
    "award": "中标（成交）结果公告",
    "change": "更正公告",
    "termination": "终止公告",
    "intention": "采购意向公开",
    "other": "其他采购公告",
}

# The matcher (crawler/matcher.py) marks each keyword mention in a snippet with these.
MARK_OPEN, MARK_CLOSE = "【", "】"
_MARKED = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}]+){MARK_CLOSE}")


def _as_datetime(value: Any) -> datetime | None:
    """A date or time as Beijing time: aware values are converted, naive ones are (pages' own
    times are Beijing local)."""
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(BEIJING) if value.tzinfo is not None else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def cn_date(value: Any) -> str:
    """``2026-11-25T16:20:00`` → ``2026年11月25日``; empty for None; other text unchanged."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def cn_datetime(value: Any) -> str:
    """``2026-11-25T16:20:00`` → ``2026年11月25日 16:20（北京时间）``; empty for None."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{cn_date(moment)} {moment:%H:%M}（北京时间）"


def yuan(value: Any) -> str:
    """A decimal yuan string → ``1,280,000.00 元``; empty for None; unreadable text unchanged."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f} 元"


def shorten(value: Any, length: int = 60) -> str:
    """``value`` cut to ``length`` characters, the last being ``…`` when anything was cut.

    Jinja's own ``truncate`` cuts at spaces, and Chinese titles have none.
    """
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def _mark(snippet: str, keywords: Iterable[str] | None, opening: str, closing: str) -> str:
    # Documents use 【】 themselves (【项目概况】); with the hit's keywords at hand, only a
    # bracketed span containing one of them is a mark. Merged mentions (区块链服务网络) may be
    # longer than any one keyword, hence "contains" rather than "equals".
    wanted = [k for k in keywords or () if k]

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if wanted and not any(k in inner for k in wanted):
            return match.group(0)
        return f"{opening}{inner}{closing}"

    return _MARKED.sub(replace, snippet)


def mark_html(snippet: Any, keywords: Iterable[str] | None = None) -> Markup:
    """Escape the snippet, then turn its 【keyword】 marks into ``<mark>keyword</mark>``."""
    escaped = str(escape("" if snippet is None else str(snippet)))
    return Markup(_mark(escaped, keywords, "<mark>", "</mark>"))


def mark_md(snippet: Any, keywords: Iterable[str] | None = None) -> str:
    """Turn the snippet's 【keyword】 marks into markdown bold ``**keyword**``."""
    return _mark("" if snippet is None else str(snippet), keywords, "**", "**")


def _label(labels: dict[str, str]) -> Callable[[Any], str]:
    """A filter giving the Chinese label of a code, or the code itself when it has none."""

    def label(value: Any) -> str:
        return labels.get(str(value), "" if value is None else str(value))

    return label


FILTERS: dict[str, Any] = {
    "cn_date": cn_date,
    "cn_datetime": cn_datetime,
    "yuan": yuan,
    "shorten": shorten,
    "mark_html": mark_html,
    "mark_md": mark_md,
    "event_label": _label(EVENT_LABELS),
    "change_label": _label(CHANGE_LABELS),
    "notice_label": _label(NOTICE_LABELS),
}


def alert_context(alerts: list[AlertPayload], *, channel: str, delivery_id: str) -> dict[str, Any]:
    """The variables every template gets (listed in this module's docstring)."""
    if not alerts:
        raise ValueError("no alerts to render")
    labels: list[str] = []
    for payload in alerts:
        label = payload.get("topic_label")
        if label and label not in labels:
            labels.append(label)
    return {
        "alerts": alerts,
        "alert": alerts[0],
        "digest": len(alerts) > 1,
        "count": len(alerts),
        "topic_labels": labels,
        "channel": channel,
        "delivery_id": delivery_id,
    }


class Templates:
    """The templates channels render: the user's directory first, then the packaged defaults.

    ``autoescape`` is on for ``.html`` templates only (text and markdown must not get
    ``&amp;``), and undefined variables raise, so a typo in a template is an error rather
    than a silently empty field.
    """

    def __init__(self, user_dir: str | Path | None = None) -> None:
        loaders: list[BaseLoader] = []
        if user_dir is not None:
            path = Path(user_dir).expanduser()
            if not path.is_dir():
                problem = "is not a directory" if path.exists() else "does not exist"
                raise UserError(f"template directory {path} {problem}")
            loaders.append(FileSystemLoader(path))
        self.user_dir = None if user_dir is None else Path(user_dir).expanduser()
        loaders.append(FileSystemLoader(DEFAULT_DIR))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(
                enabled_extensions=("html", "htm"),
                disabled_extensions=(),
                default_for_string=False,
                default=False,
            ),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(FILTERS)

    def render(self, name: str, **context: Any) -> str:
        """Render the template ``name`` (a file name such as ``email.html``) with ``context``.

        Raises TemplateRenderError naming the file (and line) for a missing template, a syntax
        error or an undefined variable.
        """
        try:
            template = self.env.get_template(name)
        except TemplateError as error:
            where = getattr(error, "filename", None) or name
            line = getattr(error, "lineno", None)
            raise TemplateRenderError(_where(where, line), error) from error
        try:
            return template.render(**context)
        except TemplateError as error:
            where = template.filename or name
            raise TemplateRenderError(_where(where, _line_in(error, where)), error) from error

    def check(self, names: Iterable[str] = TEMPLATE_NAMES) -> None:
        """Render each template for single alerts and for a digest of every event kind.

        Raises UserError naming the template and the problem, so a broken user template is
        found when the config is loaded rather than when the first alert is lost to it.
        """
        samples = sample_alerts()
        singles = [[alert] for alert in (samples[0], *health_samples())]
        for name in names:
            for alerts in (*singles, samples + health_samples()):
                self.render(name, **alert_context(alerts, channel="check", delivery_id="check"))


class TemplateRenderError(UserError):
    """A template could not be loaded or rendered. The message names its file and line."""

    def __init__(self, where: str, error: TemplateError) -> None:
        super().__init__(f"template {where}: {type(error).__name__}: {error.message or error}")


def _where(filename: str, line: int | None) -> str:
    return f"{filename}, line {line}" if line else filename


def _line_in(error: BaseException, filename: str) -> int | None:
    """The template line being rendered when ``error`` was raised.

    Jinja rewrites tracebacks so that template frames carry the template's file and line.
    """
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@cache
def default_templates() -> Templates:
    """The packaged templates alone, for channels constructed without a Templates object."""
    return Templates()


def sample_alerts() -> list[AlertPayload]:
    """One alert of each shape a template must handle: new document, updated, source health."""
    new = sample_payload("document.new")
    updated = deepcopy(new)
    updated["event"] = "document.updated"
    updated["idempotency_key"] = "0" * 24 + "5a4d91e3"
    updated["changes"] = ["hits", "title", "attachments"]
    failing = sample_payload("source.failing")
    failing["idempotency_key"] = "0" * 24 + "5a4d91e4"
    failing["topic"] = failing["topic_label"] = None
    failing["document"] = failing["notice"] = None
    failing["hits"] = []
    failing["health"] = {
        "state": "failing",
        "detail": "连续 3 次抓取失败：HTTP 503",
        "failures_in_a_row": 3,
        "since": "2026-11-26T06:00:00",
    }
    return [new, updated, failing]


def health_samples() -> list[AlertPayload]:
    """The other shapes a template must handle: a grouped health alert, a service event."""
    grouped = sample_grouped_payload("source.failing")
    degraded = sample_payload("service.degraded")
    degraded["idempotency_key"] = "0" * 24 + "5a4d91e5"
    return [grouped, degraded]
