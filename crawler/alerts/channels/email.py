"""Alerts by email: one multipart/alternative message (text and HTML) over SMTP.

All recipients get the message in one SMTP transaction. Failures are sorted by whether a retry
can help: a server that is down, slow, or answers 4xx (greylisting, "try again later") is
retryable; a 5xx answer (recipient unknown, message rejected), refused credentials, a missing
password variable, or a TLS setup that cannot work (wrong port for the chosen security, an
untrusted certificate) are not.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from typing import Literal

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawler.alerts.channels.base import Channel, DeliveryError, channel_type
from crawler.alerts.channels.support import (
    EnvVar,
    one_line,
    secret_from_env,
)
from crawler.alerts.channels.templates import (
    TemplateRenderError,
    Templates,
    alert_context,
)
from crawler.alerts.payload import AlertPayload

# The usual port of each security mode, for configs that give none.
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _address(value: str) -> str:
    """``value`` if it is one mail address, with or without a display name; else ValueError."""
    _name, addr = parseaddr(value)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", addr):
        raise ValueError(f"not a mail address: {value!r}")
    return value.strip()


class EmailSettings(BaseModel):
    """The keys of an ``type = "email"`` channel table."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="SMTP server")
    port: int | None = Field(
        None, ge=1, le=65535, description="default: 587 for starttls, 465 for ssl, 25 for none"
    )
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = Field(None, min_length=1, description="SMTP login, if required")
    password_env: EnvVar | None = Field(None, description="variable holding the SMTP password")
    sender: str = Field(description="From: address, e.g. 'govwatch <alerts@example.org>'")
    to: list[str] = Field(min_length=1, description="recipient addresses")
    timeout: float = Field(30.0, gt=0, description="seconds per network operation")

    @field_validator("sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _check_recipients(cls, value: list[str]) -> list[str]:
        return [_address(v) for v in value]

    @model_validator(mode="after")
    def _login_is_complete(self) -> EmailSettings:
        # Half a login is a config mistake: found at load time rather than at the first alert.
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together: give both or neither")
        return self

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]


@channel_type("email")
class EmailChannel(Channel):
    """Sends each batch of alerts as one email to every configured recipient."""

    Settings = EmailSettings
    settings: EmailSettings
    templates: Templates

    def build_message(self, alerts: list[AlertPayload], delivery_id: str) -> EmailMessage:
        """The message for ``alerts``: rendered subject, text and HTML parts, tracing headers."""
        context = alert_context(alerts, channel=self.name, delivery_id=delivery_id)
        subject = " ".join(self.templates.render("email_subject.txt", **context).split())
        text = self.templates.render("email.txt", **context)
        html = self.templates.render("email.html", **context)

        settings = self.settings
        # policy=SMTP: CRLF line ends and RFC 2047 encoded words for the Chinese subject and
        # display names, so the headers on the wire are ASCII.
        message = EmailMessage(policy=SMTP)
        message["Subject"] = subject
        message["From"] = settings.sender
        message["To"] = ", ".join(settings.to)
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = _message_id(alerts[0], delivery_id, settings.sender)
        keys = ", ".join(str(a["idempotency_key"]) for a in alerts)
        message["X-Govwatch-Idempotency-Key"] = keys
        message["X-Govwatch-Delivery-Id"] = delivery_id
        # RFC 3834: tells vacation responders and ticket systems not to answer.
        message["Auto-Submitted"] = "auto-generated"
        # base64 keeps every line short and ASCII whatever the server's 8BITMIME support.
        message.set_content(text, subtype="plain", charset="utf-8", cte="base64")
        message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
        return message

    def send(self, alerts: list[AlertPayload], delivery_id: str) -> None:
        """Deliver ``alerts`` as one email; an empty list sends nothing."""
        if not alerts:
            return
        settings = self.settings
        password = None
        if settings.password_env:
            password = secret_from_env(
                settings.password_env, channel=self.label, what="SMTP password"
            )
        try:
            message = self.build_message(alerts, delivery_id)
        except TemplateRenderError as error:
            # Every retry would fail the same way until someone edits the template.
            raise DeliveryError(f"{self.label}: {error}", retryable=False) from error
        envelope_from = parseaddr(settings.sender)[1]
        envelope_to = [parseaddr(address)[1] for address in settings.to]
        where = f"{settings.host}:{settings.effective_port}"
        try:
            smtp = self._connect()
            try:
                if settings.username and password is not None:
                    smtp.login(settings.username, password)
                refused = smtp.send_message(message, envelope_from, envelope_to)
            finally:
                _quit_quietly(smtp)
        except Exception as error:  # each kind is sorted into retryable or not below
            raise self._classify(error, where) from error
        if refused:
            self._partly_refused(refused, where)

    def _connect(self) -> smtplib.SMTP:
        """An SMTP session to the server, TLS set up as configured, not yet logged in."""
        settings = self.settings
        port = settings.effective_port
        context = ssl.create_default_context()
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(settings.host, port, timeout=settings.timeout, context=context)
        smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout)
        if settings.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _partly_refused(self, refused: dict[str, tuple[int, bytes]], where: str) -> None:
        """Some recipients refused, the others accepted.

        A temporary refusal (4xx, e.g. greylisting) is retried, although the recipients who
        accepted get the message twice: for alerts a duplicate beats a loss. Permanent
        refusals cannot be helped by a retry, so the batch counts as delivered, with a warning.
        """
        listed = "; ".join(
            f"{rcpt} ({_reply(code, text)})" for rcpt, (code, text) in refused.items()
        )
        if any(400 <= code < 500 for code, _ in refused.values()):
            raise DeliveryError(f"{self.label}: {where} deferred recipients: {listed}")
        logger.warning("{}: {} refused some recipients: {}", self.label, where, listed)

    def _classify(self, error: BaseException, where: str) -> DeliveryError:
        """The DeliveryError for an exception raised while talking to the server."""
        prefix = f"{self.label}: {where}"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in error.recipients.values()]
            listed = "; ".join(
                f"{rcpt} ({_reply(code, text)})" for rcpt, (code, text) in error.recipients.items()
            )
            temporary = any(400 <= code < 500 for code in codes)
            return DeliveryError(f"{prefix} refused all recipients: {listed}", retryable=temporary)
        if isinstance(error, smtplib.SMTPAuthenticationError):
            temporary = 400 <= error.smtp_code < 500  # 454: temporary authentication failure
            return DeliveryError(
                f"{prefix} refused the login as {self.settings.username!r}: "
                f"{_reply(error.smtp_code, error.smtp_error)}",
                retryable=temporary,
            )
        if isinstance(error, smtplib.SMTPResponseException):
            # Sender refused, data rejected, bad greeting: the reply code says what kind.
            code = error.smtp_code
            return DeliveryError(
                f"{prefix} answered {_reply(code, error.smtp_error)}",
                retryable=not 500 <= code < 600,
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            # STARTTLS or AUTH not offered: the security or login settings do not fit the server.
            return DeliveryError(f"{prefix}: {error}", retryable=False)
        if isinstance(error, smtplib.SMTPServerDisconnected):
            # smtplib reports a read timeout as a disconnect; say which it was.
            if isinstance(error.__context__, TimeoutError):
                error = error.__context__
            else:
                return DeliveryError(f"{prefix} closed the connection: {error}")
        if isinstance(error, ssl.SSLCertVerificationError):
            return DeliveryError(
                f"{prefix}: TLS certificate not trusted: {error.verify_message}", retryable=False
            )
        if isinstance(error, ssl.SSLError):
            # Typically security = "ssl" against a STARTTLS or plain port (or the reverse).
            return DeliveryError(
                f"{prefix}: TLS failed ({error.reason or error}); "
                f"check that security = {self.settings.security!r} is what this port speaks",
                retryable=False,
            )
        if isinstance(error, TimeoutError):
            return DeliveryError(f"{prefix} did not answer within {self.settings.timeout:g} s")
        if isinstance(error, OSError):
            # Connection refused or reset, host unreachable, name not resolved: often transient.
            return DeliveryError(f"{prefix}: cannot connect: {error}")
        if isinstance(error, smtplib.SMTPException):
            # E.g. "No suitable authentication method found": a setup problem.
            return DeliveryError(f"{prefix}: {error}", retryable=False)
        return DeliveryError(f"{prefix}: {type(error).__name__}: {error}")


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as one short line: ``550 5.1.1 no such user``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}")


def _message_id(first: AlertPayload, delivery_id: str, sender: str) -> str:
    """A Message-ID unique per delivery: the first alert's key, the delivery id, our domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "govwatch"
    # Only atext characters may appear in a msg-id's left part.
    left = re.sub(
        r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", "-", f"{first['idempotency_key']}.{delivery_id}"
    )
    return f"<{left}@{domain}>"


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """End the session; once the message is accepted, a failing QUIT must not undo that."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
