"""Alerts as a signed JSON POST to a URL the user runs (the contract is in WEBHOOK.md).

The body is canonical JSON (sorted keys, no spaces, UTF-8), signed with HMAC-SHA256 over the
exact bytes sent. 2xx means delivered; 408, 429, 5xx and network failures are retryable; any
other answer (400, 401, 404, a redirect, …) needs a person and is not.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import re
import ssl
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawler.alerts.channels.base import Channel, DeliveryError, channel_type
from crawler.alerts.channels.support import EnvVar, one_line, secret_from_env
from crawler.alerts.payload import AlertPayload
from crawler.json_output import canonical_json

BODY_SCHEMA = "govwatch.alert.v1"
USER_AGENT = "govwatch/0.1"
CONTENT_TYPE = "application/json; charset=utf-8"
# Headers the channel sets itself; a config must not replace them.
_RESERVED = re.compile(r"^(x-govwatch-.*|content-type|content-length|host)$", re.IGNORECASE)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110 token)


def signature(secret: str, body: bytes) -> str:
    """The ``X-Govwatch-Signature`` value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


class WebhookSettings(BaseModel):
    """The keys of a ``type = "webhook"`` channel table."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, description="http(s) URL that receives the POST")
    url_env: EnvVar | None = Field(
        None, description="variable holding the URL, when the URL itself carries a token"
    )
    secret_env: EnvVar | None = Field(
        None, description="variable holding the HMAC secret (recommended)"
    )
    timeout: float = Field(10.0, gt=0, description="seconds per network operation")
    headers: dict[str, str] = Field(default_factory=dict, description="extra request headers")
    headers_env: dict[str, EnvVar] = Field(
        default_factory=dict,
        description="extra headers whose values are secrets: header name → variable name",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @field_validator("headers", "headers_env")
    @classmethod
    def _own_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, content in value.items():
            if not _TOKEN.match(name):
                raise ValueError(f"not a valid header name: {name!r}")
            if _RESERVED.match(name):
                raise ValueError(f"header {name} is set by govwatch and cannot be configured")
            if "\r" in content or "\n" in content:
                raise ValueError(f"header {name}: line breaks are not allowed in a value")
        return value

    @model_validator(mode="after")
    def _one_url(self) -> WebhookSettings:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Report redirects instead of following them.

    urllib turns a redirected POST into a GET without the body, which a receiver would answer
    with 2xx for something it never got. A moved endpoint must be fixed in the config.
    """

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No ProxyHandler override: HTTP(S)_PROXY and NO_PROXY from the environment are honoured.
_OPENER = urllib.request.build_opener(_NoRedirects())


@channel_type("webhook")
class WebhookChannel(Channel):
    """POSTs each batch of alerts as one signed JSON document."""

    Settings = WebhookSettings
    settings: WebhookSettings

    def body(
        self, alerts: list[AlertPayload], delivery_id: str, sent_at: datetime | None = None
    ) -> dict[str, Any]:
        """The JSON document for ``alerts`` (schema: webhook.schema.json)."""
        moment = (sent_at or datetime.now(UTC)).astimezone(UTC)
        return {
            "schema": BODY_SCHEMA,
            "delivery_id": delivery_id,
            "sent_at": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "channel": self.name,
            "alerts": alerts,
        }

    def send(self, alerts: list[AlertPayload], delivery_id: str) -> None:
        """POST ``alerts`` as one document; an empty list sends nothing."""
        if not alerts:
            return
        settings = self.settings
        url = self._url()
        now = datetime.now(UTC)
        try:
            raw = canonical_json(self.body(alerts, delivery_id, now))
        except (TypeError, ValueError) as error:
            raise DeliveryError(
                f"{self.label}: alert is not JSON: {error}", retryable=False
            ) from None

        headers = dict(settings.headers)
        for header, variable in settings.headers_env.items():
            headers[header] = secret_from_env(variable, channel=self.label, what=f"{header} header")
        headers.update(
            {
                "Content-Type": CONTENT_TYPE,
                "User-Agent": USER_AGENT,
                "X-Govwatch-Delivery-Id": delivery_id,
                "X-Govwatch-Idempotency-Key": str(alerts[0]["idempotency_key"]),
                # Informative only, not signed: receivers check the signed body's sent_at.
                "X-Govwatch-Timestamp": str(int(now.timestamp())),
            }
        )
        if settings.secret_env:
            secret = secret_from_env(settings.secret_env, channel=self.label, what="signing secret")
            headers["X-Govwatch-Signature"] = signature(secret, raw)

        self._post(url, raw, headers)

    def _url(self) -> str:
        """The configured URL, or the one in ``url_env`` (checked now, as it is read now)."""
        variable = self.settings.url_env
        if variable is None:
            return self.settings.url or ""  # the settings require one of url and url_env
        value = secret_from_env(variable, channel=self.label, what="webhook URL").strip()
        try:
            return _check_url(value)
        except ValueError:
            raise DeliveryError(
                f"{self.label}: {variable} does not hold an http(s) URL", retryable=False
            ) from None

    def _post(self, url: str, raw: bytes, headers: dict[str, str]) -> None:
        # Only scheme, host and port in messages: the path or query may carry a token.
        where = _origin(url)
        request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=self.settings.timeout) as response:
                response.read(65536)  # drain a little so the server sees a clean close
        except urllib.error.HTTPError as error:
            raise _status_error(self.label, where, error) from None
        except urllib.error.URLError as error:
            raise self._network_error(where, error.reason) from None
        except (OSError, http.client.HTTPException) as error:
            raise self._network_error(where, error) from None

    def _network_error(self, where: str, reason: object) -> DeliveryError:
        if isinstance(reason, ssl.SSLCertVerificationError):
            return DeliveryError(
                f"{self.label}: {where}: TLS certificate not trusted: {reason.verify_message}",
                retryable=False,
            )
        if isinstance(reason, TimeoutError):
            return DeliveryError(
                f"{self.label}: {where} did not answer within {self.settings.timeout:g} s"
            )
        return DeliveryError(f"{self.label}: {where}: cannot deliver: {reason}")


def _status_error(label: str, where: str, error: urllib.error.HTTPError) -> DeliveryError:
    """The DeliveryError for a non-2xx answer, with the start of the response body."""
    status = error.code
    try:
        detail = error.read(300).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        detail = ""
    retryable = status in (408, 429) or 500 <= status < 600
    message = f"{label}: {where} answered HTTP {status} {error.reason}"
    if 300 <= status < 400:
        target = _origin(urljoin(error.filename or "", error.headers.get("Location") or ""))
        message += f" (redirect to {target}; configure the final URL)"
    elif detail.strip():
        message += f": {one_line(detail)}"
    return DeliveryError(message, retryable=retryable)


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, without path, query or credentials."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}"
