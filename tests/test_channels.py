"""Notification channels against real servers on loopback: SMTP (aiosmtpd), HTTP (aiohttp).

Nothing here leaves 127.0.0.1. Chat services reached through Apprise (DingTalk, WeCom,
Feishu/Lark, Telegram) cannot be reached from this machine; for them only the URL shapes are
checked, and real delivery is proven with Apprise's generic json:// and form:// services.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import apprise
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from crawler.alerts.channels import CHANNEL_TYPES, DeliveryError
from crawler.alerts.channels.apprise_channel import AppriseChannel, AppriseSettings
from crawler.alerts.channels.email import EmailChannel, EmailSettings
from crawler.alerts.channels.templates import (
    TemplateRenderError,
    Templates,
    cn_date,
    cn_datetime,
    mark_html,
    mark_md,
    sample_alerts,
    shorten,
    yuan,
)
from crawler.alerts.channels.webhook import WebhookChannel, WebhookSettings, canonical_json
from spiders.errors import UserError

# aiosmtpd warns that AUTH without TLS is unsafe; the login tests use loopback on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

CHANNELS_DIR = Path(__file__).resolve().parents[1] / "crawler" / "alerts" / "channels"
SECRET = "s3cret-shared-with-the-receiver"
TITLE = "甘肃省数据局区块链电子证照共享平台建设项目中标（成交）结果公告"


def digest_alerts() -> list[dict[str, Any]]:
    """Three alerts with distinct keys: a new document, its update, a failing source."""
    return sample_alerts()


def one_alert() -> list[dict[str, Any]]:
    return [deepcopy(sample_alerts()[0])]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- TLS material ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, generated for this run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govwatch test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


# --- SMTP -----------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: keeps every accepted envelope; some recipients are refused."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"
        if address.startswith("greylisted@"):
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def accept_alerts_user(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd authenticator: only alerts / right-password may log in."""
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"alerts", b"right-password")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def email_channel(port: int, **overrides: Any) -> EmailChannel:
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "govwatch 提醒 <alerts@example.org>",
        "to": ["ops@example.org", "张三 <zhang.san@example.org>"],
        "timeout": 5,
        **overrides,
    }
    return EmailChannel("ops-mail", EmailSettings(**settings), Templates())


def received(mailbox: Mailbox) -> tuple[Any, email.message.EmailMessage, bytes]:
    (envelope,) = mailbox.envelopes
    raw = envelope.original_content
    return envelope, email.message_from_bytes(raw, policy=email.policy.default), raw


def raw_header(raw: bytes, name: str) -> str:
    """A header as it travelled, unfolded but not decoded."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    (line,) = [h for h in unfolded.split("\r\n") if h.lower().startswith(name.lower() + ":")]
    return line.split(":", 1)[1].strip()


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_an_alert_email_is_multipart_alternative_with_an_encoded_chinese_subject(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    email_channel(port).send(one_alert(), "dlv-0001")

    envelope, message, raw = received(mailbox)
    assert envelope.mail_from == "alerts@example.org"
    assert envelope.rcpt_tos == ["ops@example.org", "zhang.san@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())

    subject = raw_header(raw, "Subject")
    assert subject.isascii() and "=?utf-8?" in subject.lower()
    assert message["Subject"] == f"[govwatch] 区块链 · 甘肃省 · 中标公告：{TITLE}"
    assert "govwatch 提醒" in str(message["From"])

    key = one_alert()[0]["idempotency_key"]
    assert message["X-Govwatch-Idempotency-Key"] == key
    assert message["X-Govwatch-Delivery-Id"] == "dlv-0001"
    assert message["Message-ID"] == f"<{key}.dlv-0001@example.org>"
    assert message["Date"]

    text, html = parts(message)
    url = "http://www.ccgp-gansu.gov.cn/web/article/142/0/1234567.html"
    assert url in text and f'href="{url}"' in html
    assert "依托【区块链】技术" in text
    assert "依托<mark>区块链</mark>技术" in html
    for body in (text, html):
        assert "采购人" in body and "甘肃省数据局" in body
        assert "兰州链谷科技有限公司" in body and "1,280,000.00 元" in body
        assert "580,000.00 元" in body and "1,860,000.00 元" in body
        assert "2026年11月25日" in body and "政务服务" in body and "大数据" in body


def test_a_digest_email_lists_every_alert_once_to_both_recipients(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    alerts = digest_alerts()
    email_channel(port).send(alerts, "dlv-0002")

    envelope, message, _ = received(mailbox)
    assert envelope.rcpt_tos == ["ops@example.org", "zhang.san@example.org"]
    assert message["Subject"] == "[govwatch] 3 条新提醒（区块链）"
    keys = [a["idempotency_key"] for a in alerts]
    assert message["X-Govwatch-Idempotency-Key"] == ", ".join(keys)
    text, html = parts(message)
    for body in (text, html):
        assert "文件更新" in body and "命中变化、标题变化、附件变化" in body
        assert "来源抓取失败" in body and "连续 3 次抓取失败：HTTP 503" in body
    assert text.count("【新文件】") == 1 and text.count("【文件更新】") == 1


def test_an_unreachable_smtp_server_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        email_channel(free_port()).send(one_alert(), "dlv")
    assert caught.value.retryable
    assert "cannot connect" in str(caught.value)


def test_an_smtp_server_that_never_greets_is_retryable_after_the_timeout() -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never speaks
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            email_channel(port, timeout=0.5).send(one_alert(), "dlv")
    assert time.monotonic() - started < 3
    assert caught.value.retryable and "did not answer within 0.5 s" in str(caught.value)


def test_a_recipient_refused_with_550_is_not_retryable(smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_server
    with pytest.raises(DeliveryError) as caught:
        email_channel(port, to=["nobody@example.org"]).send(one_alert(), "dlv")
    assert not caught.value.retryable
    assert "550 5.1.1" in str(caught.value) and mailbox.envelopes == []


def test_a_greylisted_recipient_is_retryable(smtp_server: tuple[Mailbox, int]) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError) as caught:
        email_channel(port, to=["greylisted@example.org"]).send(one_alert(), "dlv")
    assert caught.value.retryable and "451" in str(caught.value)


def test_one_permanently_refused_recipient_does_not_hold_back_the_others(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    email_channel(port, to=["ops@example.org", "nobody@example.org"]).send(one_alert(), "dlv")
    envelope, _, _ = received(mailbox)
    assert envelope.rcpt_tos == ["ops@example.org"]


def test_a_missing_password_variable_is_not_retryable_and_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GOVWATCH_TEST_SMTP_PASSWORD", raising=False)
    channel = email_channel(
        free_port(), username="alerts", password_env="GOVWATCH_TEST_SMTP_PASSWORD"
    )
    with pytest.raises(DeliveryError) as caught:
        channel.send(one_alert(), "dlv")
    assert not caught.value.retryable
    assert "GOVWATCH_TEST_SMTP_PASSWORD" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.fixture
def auth_smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=accept_alerts_user,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def test_smtp_login_uses_the_password_from_the_environment(
    auth_smtp_server: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, port = auth_smtp_server
    monkeypatch.setenv("GOVWATCH_TEST_SMTP_PASSWORD", "right-password")
    email_channel(port, username="alerts", password_env="GOVWATCH_TEST_SMTP_PASSWORD").send(
        one_alert(), "dlv"
    )
    assert len(mailbox.envelopes) == 1


def test_a_refused_smtp_login_is_not_retryable_and_does_not_show_the_password(
    auth_smtp_server: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = auth_smtp_server
    monkeypatch.setenv("GOVWATCH_TEST_SMTP_PASSWORD", "wrong-password")
    channel = email_channel(port, username="alerts", password_env="GOVWATCH_TEST_SMTP_PASSWORD")
    with pytest.raises(DeliveryError) as caught:
        channel.send(one_alert(), "dlv")
    assert not caught.value.retryable
    assert "535" in str(caught.value) and "wrong-password" not in str(caught.value)


def test_a_server_requiring_login_refuses_an_anonymous_sender_permanently(
    auth_smtp_server: tuple[Mailbox, int],
) -> None:
    _, port = auth_smtp_server
    with pytest.raises(DeliveryError) as caught:
        email_channel(port).send(one_alert(), "dlv")
    assert not caught.value.retryable and "530" in str(caught.value)


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls(certificate),
        require_starttls=True,
    )
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def test_starttls_delivers_when_the_servers_certificate_is_trusted(
    starttls_server: tuple[Mailbox, int],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, port = starttls_server
    # The channel uses ssl.create_default_context(), which reads OpenSSL's SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    email_channel(port, security="starttls").send(one_alert(), "dlv")
    assert len(mailbox.envelopes) == 1


def test_starttls_with_an_untrusted_certificate_is_not_retryable(
    starttls_server: tuple[Mailbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = starttls_server
    empty_store = tmp_path / "no-ca.pem"
    empty_store.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty_store))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(DeliveryError) as caught:
        email_channel(port, security="starttls").send(one_alert(), "dlv")
    assert not caught.value.retryable and "certificate" in str(caught.value)


def test_starttls_against_a_server_without_it_is_not_retryable(
    smtp_server: tuple[Mailbox, int],
) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError) as caught:
        email_channel(port, security="starttls").send(one_alert(), "dlv")
    assert not caught.value.retryable and "STARTTLS" in str(caught.value)


def test_implicit_tls_delivers_to_an_ssl_port(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_tls(certificate)
    )
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        email_channel(controller.port, security="ssl").send(one_alert(), "dlv")
    finally:
        controller.stop()
    assert len(mailbox.envelopes) == 1


def test_implicit_tls_against_a_plain_port_is_not_retryable(
    smtp_server: tuple[Mailbox, int],
) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError) as caught:
        email_channel(port, security="ssl").send(one_alert(), "dlv")
    assert not caught.value.retryable and "security = 'ssl'" in str(caught.value)


def test_email_settings_reject_unknown_keys_no_recipients_and_half_a_login() -> None:
    base: dict[str, Any] = {
        "host": "smtp.example.org",
        "sender": "a@example.org",
        "to": ["b@example.org"],
    }
    assert EmailSettings(**base).port is None
    assert EmailSettings(**base).effective_port == 587
    assert EmailSettings(**base, security="ssl").effective_port == 465
    for bad in (
        {**base, "password": "inline secret"},
        {**base, "to": []},
        {**base, "to": ["not an address"]},
        {**base, "username": "alerts"},
        {**base, "username": "alerts", "password_env": "hunter2/secret:value"},
    ):
        with pytest.raises(ValidationError):
            EmailSettings.model_validate(bad)


# --- HTTP receiver (webhook and Apprise) ----------------------------------------------------


def documented_verify() -> Any:
    """The ``verify`` function from WEBHOOK.md, so the documented snippet is what is tested."""
    text = (CHANNELS_DIR / "WEBHOOK.md").read_text(encoding="utf-8")
    section = text.split("## Verifying the signature", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace["verify"]


class Receiver:
    """An aiohttp server on its own loop in a background thread, recording what it gets."""

    def __init__(self) -> None:
        self.verify = documented_verify()
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.rejected: list[dict[str, str]] = []
        self.per_alert: Counter[str] = Counter()
        self.apprise: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        self.release = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.hook)
        app.router.add_post("/status/{code}", self.status)
        app.router.add_post("/hang", self.hang)
        app.router.add_post("/moved", self.moved)
        app.router.add_post("/apprise/json", self.apprise_json)
        app.router.add_post("/apprise/form", self.apprise_form)
        return app

    async def hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = self.verify(SECRET, raw, request.headers.get("X-Govwatch-Signature"))
        except ValueError as error:
            self.rejected.append(dict(request.headers))
            return web.Response(status=401, text=str(error))
        self.deliveries.append((dict(request.headers), raw))
        self.per_alert.update(alert["idempotency_key"] for alert in body["alerts"])
        return web.Response(status=204)

    async def status(self, request: web.Request) -> web.Response:
        await request.read()
        code = int(request.match_info["code"])
        return web.Response(status=code, text=f"answer {code}: refused")

    async def hang(self, request: web.Request) -> web.Response:
        await request.read()
        with contextlib.suppress(TimeoutError):  # released at teardown, or after 10 s
            await asyncio.wait_for(self.release.wait(), 10)
        return web.Response(status=200)

    async def moved(self, request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/hook")

    async def apprise_json(self, request: web.Request) -> web.Response:
        self.apprise.append({"headers": dict(request.headers), "json": await request.json()})
        return web.Response(status=200)

    async def apprise_form(self, request: web.Request) -> web.Response:
        self.apprise.append({"headers": dict(request.headers), "form": dict(await request.post())})
        return web.Response(status=200)

    def start(self) -> None:
        self.thread.start()
        self.runner = web.AppRunner(self.app(), shutdown_timeout=0.5)
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.release.set)
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GOVWATCH_TEST_HOOK_SECRET", SECRET)
    return "GOVWATCH_TEST_HOOK_SECRET"


def webhook(url: str, **overrides: Any) -> WebhookChannel:
    return WebhookChannel("ops-hook", WebhookSettings(url=url, **overrides), Templates())


def test_webhook_deliveries_are_signed_and_deduplicable_per_alert(
    receiver: Receiver, secret: str
) -> None:
    receiver.per_alert.clear()
    channel = webhook(receiver.url("/hook"), secret_env=secret, headers={"X-Team": "policy"})
    alerts = digest_alerts()
    channel.send(alerts[:1], "dlv-1")
    channel.send(alerts, "dlv-2")  # a digest repeating the first alert, as after a lost 2xx

    first, second = alerts[0]["idempotency_key"], alerts[1]["idempotency_key"]
    assert receiver.per_alert[first] == 2 and receiver.per_alert[second] == 1
    headers, raw = receiver.deliveries[-1]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"] == "govwatch/0.1"
    assert headers["X-Govwatch-Delivery-Id"] == "dlv-2"
    assert headers["X-Govwatch-Idempotency-Key"] == first
    assert headers["X-Team"] == "policy"
    assert abs(int(headers["X-Govwatch-Timestamp"]) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Govwatch-Signature"] == f"sha256={expected}"
    # Canonical bytes: what was signed re-serialises to itself, Chinese unescaped.
    body = json.loads(raw)
    assert canonical_json(body) == raw and "区块链".encode() in raw
    assert body["schema"] == "govwatch.alert.v1" and body["channel"] == "ops-hook"
    assert body["delivery_id"] == "dlv-2" and body["alerts"] == alerts


def test_a_receiver_with_another_secret_rejects_the_signature_and_that_is_not_retryable(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_TEST_HOOK_SECRET", "not-the-shared-secret")
    channel = webhook(receiver.url("/hook"), secret_env="GOVWATCH_TEST_HOOK_SECRET")
    with pytest.raises(DeliveryError) as caught:
        channel.send(one_alert(), "dlv")
    assert not caught.value.retryable
    assert "HTTP 401" in str(caught.value) and "bad signature" in str(caught.value)


def test_without_a_secret_no_signature_header_is_sent(receiver: Receiver) -> None:
    # The receiver insists on a signature, so the unsigned request is refused with 401.
    with pytest.raises(DeliveryError, match="HTTP 401 Unauthorized: bad signature"):
        webhook(receiver.url("/hook")).send(one_alert(), "dlv-unsigned")
    headers = receiver.rejected[-1]
    assert headers["X-Govwatch-Delivery-Id"] == "dlv-unsigned"
    assert "X-Govwatch-Signature" not in headers


def test_a_missing_signing_secret_variable_is_not_retryable_and_named(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVWATCH_TEST_HOOK_SECRET", raising=False)
    with pytest.raises(DeliveryError) as caught:
        webhook(receiver.url("/hook"), secret_env="GOVWATCH_TEST_HOOK_SECRET").send(
            one_alert(), "dlv"
        )
    assert not caught.value.retryable and "GOVWATCH_TEST_HOOK_SECRET" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (503, True), (429, True), (408, True), (400, False), (404, False)],
)
def test_webhook_answers_sort_into_retryable_or_not(
    receiver: Receiver, status: int, retryable: bool
) -> None:
    with pytest.raises(DeliveryError) as caught:
        webhook(receiver.url(f"/status/{status}")).send(one_alert(), "dlv")
    assert caught.value.retryable is retryable
    message = str(caught.value)
    assert f"HTTP {status}" in message and f"answer {status}" in message
    assert "/status/" not in message  # the path may hold a token; only the origin is shown


def test_a_redirect_is_not_followed_and_not_retryable(receiver: Receiver, secret: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        webhook(receiver.url("/moved"), secret_env=secret).send(one_alert(), "dlv")
    assert not caught.value.retryable and "HTTP 307" in str(caught.value)
    assert f"redirect to http://127.0.0.1:{receiver.port};" in str(caught.value)


def test_a_hanging_receiver_is_retryable_within_the_timeout(receiver: Receiver) -> None:
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        webhook(receiver.url("/hang"), timeout=0.5).send(one_alert(), "dlv")
    assert time.monotonic() - started < 2
    assert caught.value.retryable and "did not answer within 0.5 s" in str(caught.value)


def test_a_receiver_that_is_down_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        webhook(f"http://127.0.0.1:{free_port()}/hook").send(one_alert(), "dlv")
    assert caught.value.retryable and "Connection refused" in str(caught.value)


def test_a_webhook_url_from_the_environment_is_used_and_never_shown(
    receiver: Receiver, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_TEST_HOOK_URL", receiver.url("/status/500?token=abc123"))
    channel = WebhookChannel(
        "ops-hook", {"url_env": "GOVWATCH_TEST_HOOK_URL", "secret_env": secret}, None
    )
    with pytest.raises(DeliveryError) as caught:
        channel.send(one_alert(), "dlv")
    assert caught.value.retryable and "HTTP 500" in str(caught.value)
    assert "abc123" not in str(caught.value) and "/status/" not in str(caught.value)


def test_webhook_settings_forbid_overriding_govwatch_headers_and_need_one_url() -> None:
    for bad in (
        {"url": "https://h.example.org/x", "headers": {"X-Govwatch-Signature": "forged"}},
        {"url": "https://h.example.org/x", "headers": {"Content-Type": "text/plain"}},
        {"url": "https://h.example.org/x", "headers": {"X-A": "a\r\nX-B: b"}},
        {"url": "ftp://h.example.org/x"},
        {"url": "https://h.example.org/x", "url_env": "HOOK_URL"},
        {},
        {"url": "https://h.example.org/x", "unknown": 1},
    ):
        with pytest.raises(ValidationError):
            WebhookSettings.model_validate(bad)


# --- the documented body schema -------------------------------------------------------------

_ANNOTATIONS = {"$schema", "$id", "title", "description", "format", "$defs"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def validate(instance: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> None:
    """A JSON Schema 2020-12 validator for exactly the keywords webhook.schema.json uses.

    An unknown keyword fails, so the schema cannot grow beyond what this checks.
    """
    unknown = set(schema) - _ANNOTATIONS - {
        "type", "const", "enum", "required", "properties", "additionalProperties", "items",
        "minItems", "minLength", "minimum", "pattern", "$ref", "anyOf",
    }  # fmt: skip
    assert not unknown, f"validator does not implement {unknown}"
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        validate(instance, target, root, at)
    if "anyOf" in schema:
        failures = []
        for option in schema["anyOf"]:
            try:
                validate(instance, option, root, at)
                break
            except AssertionError as error:
                failures.append(str(error))
        else:
            raise AssertionError(f"{at}: matches no anyOf option: {failures}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(_TYPES[t](instance) for t in types), f"{at}: {instance!r} is not {types}"
    if "const" in schema:
        assert instance == schema["const"], f"{at}: {instance!r} != {schema['const']!r}"
    if "enum" in schema:
        assert instance in schema["enum"], f"{at}: {instance!r} not in {schema['enum']}"
    if isinstance(instance, str):
        assert len(instance) >= schema.get("minLength", 0), f"{at}: too short"
        if "pattern" in schema:
            assert re.search(schema["pattern"], instance), f"{at}: {instance!r} !~ pattern"
    if isinstance(instance, int | float) and "minimum" in schema:
        assert instance >= schema["minimum"], f"{at}: below minimum"
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            assert name in instance, f"{at}: missing {name}"
        properties = schema.get("properties", {})
        for name, value in instance.items():
            if name in properties:
                validate(value, properties[name], root, f"{at}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(value, schema["additionalProperties"], root, f"{at}.{name}")
    if isinstance(instance, list):
        assert len(instance) >= schema.get("minItems", 0), f"{at}: too few items"
        for index, item in enumerate(instance):
            if "items" in schema:
                validate(item, schema["items"], root, f"{at}[{index}]")


def test_webhook_bodies_validate_against_the_published_json_schema() -> None:
    schema = json.loads((CHANNELS_DIR / "webhook.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    channel = webhook("https://h.example.org/hook")
    for alerts in (one_alert(), digest_alerts()):
        body = json.loads(canonical_json(channel.body(alerts, "dlv-7")))
        validate(body, schema, schema)
        assert dt.datetime.fromisoformat(body["sent_at"]).tzinfo == dt.UTC

    broken = json.loads(canonical_json(channel.body(one_alert(), "dlv-8")))
    broken["alerts"][0]["notice"]["lots"][0]["amount_yuan"] = 1280000.0  # a float, not a string
    with pytest.raises(AssertionError, match="amount_yuan"):
        validate(broken, schema, schema)
    with pytest.raises(AssertionError, match="alerts"):
        validate({**body, "alerts": []}, schema, schema)


# --- templates ------------------------------------------------------------------------------


def test_a_user_template_overrides_the_default_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "email_subject.txt").write_text(
        "政务提醒：{{ alert.document.title | shorten(10) }}（{{ count }}）\n", encoding="utf-8"
    )
    channel = EmailChannel(
        "ops-mail",
        {"host": "h", "sender": "a@example.org", "to": ["b@example.org"]},
        Templates(tmp_path),
    )
    message = channel.build_message(one_alert(), "dlv")
    assert message["Subject"] == "政务提醒：甘肃省数据局区块链…（1）"
    text = message.get_body(("plain",))
    assert text is not None and "【新文件】" in text.get_content()  # others stay default


def test_a_missing_user_template_directory_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-templates"
    with pytest.raises(UserError) as caught:
        Templates(missing)
    assert str(missing) in str(caught.value) and "\n" not in str(caught.value)


def test_a_typo_in_a_template_is_caught_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "email.txt").write_text("第一行\n{{ alert.document.titel }}\n", encoding="utf-8")
    templates = Templates(tmp_path)
    with pytest.raises(TemplateRenderError) as caught:
        templates.check()
    assert f"{tmp_path / 'email.txt'}, line 2" in str(caught.value)
    assert "titel" in str(caught.value)

    channel = EmailChannel(
        "ops-mail", {"host": "h", "sender": "a@example.org", "to": ["b@example.org"]}, templates
    )
    with pytest.raises(DeliveryError) as failed:
        channel.send(one_alert(), "dlv")
    assert not failed.value.retryable and "titel" in str(failed.value)


def test_the_default_templates_render_every_event_alone_and_in_a_digest() -> None:
    Templates().check()


def test_html_templates_are_autoescaped_and_text_templates_are_not() -> None:
    alert = one_alert()[0]
    alert["document"]["title"] = "A&B <script>alert(1)</script> 区块链"
    alert["hits"][0]["snippets"] = ["<b>依托</b>【区块链】&【项目概况】"]
    channel = EmailChannel(
        "m", {"host": "h", "sender": "a@example.org", "to": ["b@example.org"]}, Templates()
    )
    message = channel.build_message([alert], "dlv")
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None and html_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert "A&amp;B &lt;script&gt;" in html and "<script>" not in html
    assert "&lt;b&gt;依托&lt;/b&gt;<mark>区块链</mark>&amp;【项目概况】" in html
    assert "A&B <script>alert(1)</script> 区块链" in text


def test_filters_format_dates_amounts_and_keyword_marks() -> None:
    assert cn_date("2026-11-25T16:20:00") == "2026年11月25日"
    assert cn_date("2026-01-05") == "2026年1月5日" and cn_date(None) == ""
    assert cn_datetime("2026-11-26T06:00:00") == "2026年11月26日 06:00（北京时间）"
    assert cn_datetime("2026-11-26T06:00:00+08:00") == "2026年11月26日 06:00（北京时间）"
    assert cn_datetime("2026-11-25T22:20:00+00:00") == "2026年11月26日 06:20（北京时间）"
    assert cn_date("2026-11-25T22:20:00+00:00") == "2026年11月26日"
    assert yuan("1280000.00") == "1,280,000.00 元" and yuan("580000") == "580,000.00 元"
    assert yuan(None) == "" and yuan("详见附件") == "详见附件"
    assert shorten("一二三四五", 4) == "一二三…" and shorten("一二三", 4) == "一二三"
    snippet = "依托【区块链】技术，【项目概况】见附件"
    assert mark_md(snippet, {"区块链": 1}) == "依托**区块链**技术，【项目概况】见附件"
    assert (
        str(mark_html("a<b【区块链服务网络】", ["区块链"])) == "a&lt;b<mark>区块链服务网络</mark>"
    )


# --- Apprise --------------------------------------------------------------------------------


def apprise_channel(settings: dict[str, Any]) -> AppriseChannel:
    return AppriseChannel("ops-chat", AppriseSettings(**settings), Templates())


def test_apprise_delivers_the_rendered_title_and_markdown_body_over_json(
    receiver: Receiver,
) -> None:
    receiver.apprise.clear()
    url = receiver.url("/apprise/json").replace("http://", "json://")
    apprise_channel({"url": url}).send(one_alert(), "dlv")

    (got,) = receiver.apprise
    assert got["headers"]["User-Agent"] == "govwatch"
    assert got["json"]["title"] == f"区块链 · 甘肃省 · 中标公告：{TITLE}"
    message = got["json"]["message"]
    assert "依托**区块链**技术" in message
    assert f"[{TITLE}](http://www.ccgp-gansu.gov.cn/web/article/142/0/1234567.html)" in message
    assert "兰州链谷科技有限公司：1,280,000.00 元" in message


def test_apprise_delivers_a_digest_over_form_with_the_url_from_the_environment(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.apprise.clear()
    monkeypatch.setenv(
        "GOVWATCH_TEST_APPRISE_URL", receiver.url("/apprise/form").replace("http", "form", 1)
    )
    apprise_channel({"url_env": "GOVWATCH_TEST_APPRISE_URL"}).send(digest_alerts(), "dlv")

    (got,) = receiver.apprise
    assert got["form"]["title"] == "govwatch：3 条新提醒（区块链）"
    assert "来源抓取失败" in got["form"]["message"] and "文件更新" in got["form"]["message"]


def test_apprise_failure_to_notify_is_retryable(receiver: Receiver) -> None:
    url = receiver.url("/status/502").replace("http://", "json://")
    with pytest.raises(DeliveryError) as caught:
        apprise_channel({"url": url}).send(one_alert(), "dlv")
    assert caught.value.retryable and "json://…" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "dingtalk://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/",
        "dingtalk://SEC0123456789abcdef0123456789abcdef@0123456789abcdef0123456789abcdef/",
        "wecombot://a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
        "feishu://a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
        "lark://a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321",
    ],
)
def test_apprise_accepts_the_url_shapes_of_chinese_chat_services_and_telegram(url: str) -> None:
    """Only the URL shape is checked (no network): DingTalk, WeCom, Feishu, Lark and Telegram
    cannot be reached from this machine, so real delivery to them is not tested here."""
    assert apprise.Apprise().add(url)


def test_an_invalid_apprise_url_is_not_retryable_and_does_not_leak_the_secret(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GOVWATCH_TEST_APPRISE_URL", "dingtalk://SECRET-TOKEN-0042@/")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as caught:
        apprise_channel({"url_env": "GOVWATCH_TEST_APPRISE_URL"}).send(one_alert(), "dlv")
    message = str(caught.value)
    assert not caught.value.retryable
    assert "not a valid Apprise URL" in message and "dingtalk://…" in message
    assert "GOVWATCH_TEST_APPRISE_URL" in message
    assert "SECRET-TOKEN-0042" not in message and "SECRET-TOKEN-0042" not in caplog.text


def test_apprise_settings_need_exactly_one_of_url_and_url_env() -> None:
    for bad in ({}, {"url": "json://h/x", "url_env": "X"}, {"url": "json://h", "extra": 1}):
        with pytest.raises(ValidationError):
            AppriseSettings.model_validate(bad)


# --- registry -------------------------------------------------------------------------------


def test_every_channel_type_is_registered_by_name_with_its_settings_model() -> None:
    assert CHANNEL_TYPES["email"] is EmailChannel and EmailChannel.Settings is EmailSettings
    assert CHANNEL_TYPES["webhook"] is WebhookChannel
    assert WebhookChannel.Settings is WebhookSettings
    assert CHANNEL_TYPES["apprise"] is AppriseChannel
    assert AppriseChannel.Settings is AppriseSettings


def test_an_empty_batch_sends_nothing(smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_server
    email_channel(port).send([], "dlv")
    webhook(f"http://127.0.0.1:{free_port()}/hook").send([], "dlv")
    assert mailbox.envelopes == []
