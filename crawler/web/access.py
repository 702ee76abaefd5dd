"""Who may read the dashboard and who may act through it, and protection against other sites.

- On a loopback address the dashboard is open by default. On any other address it refuses to
  start without a password (:func:`check_exposure`).
- With a password, a person logs in once (a signed, HTTP-only session cookie); programs and
  feed readers send it as ``Authorization: Bearer …`` or as HTTP Basic's password. Reading needs
  it too unless ``web.public_read``; actions (crawl now, retry) always do.
- Cross-site requests: every form that changes something carries a token that must match the
  ``gw_csrf`` cookie (SameSite=Strict, so another site can neither read nor send it); the API's
  actions take only ``application/json``, which no page of another site can send here without
  the browser asking first (CORS, which this server never grants).

The session key is made when the process starts: a restart logs everyone out, and no secret
is ever written anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time

from fastapi import Request

from spiders.errors import UserError

SESSION_COOKIE = "gw_session"
CSRF_COOKIE = "gw_csrf"
CSRF_FIELD = "csrf"


def access_of(request: Request) -> Access:
    """The access rules the app (crawler.web.app) was made with."""
    access: Access = request.app.state.access
    return access


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address to listen on) is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, password: str | None, *, key: str, env: str) -> None:
    """Refuse (one line) to serve the dashboard off loopback without a password."""
    if password is None and not is_loopback(host):
        raise UserError(
            f"{key}: {host} is not a loopback address, so the dashboard would be open to the "
            f"network: set a password in ${env} (web.password_env) or web.password_file, "
            "or listen on 127.0.0.1"
        )


def _utf8(header_value: str) -> str:
    """A header's text as its sender meant it: headers arrive as bytes read as Latin-1, and
    a password with other characters (密码) is sent as UTF-8."""
    try:
        return header_value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header_value


class Access:
    """The dashboard's password (if any), its sessions and its cross-site tokens."""

    def __init__(
        self, password: str | None, *, public_read: bool = False, session_hours: float = 12
    ) -> None:
        self.password = password
        self.public_read = public_read
        self.session_seconds = int(session_hours * 3600)
        self._key = secrets.token_bytes(32)

    @property
    def login_required(self) -> bool:
        return self.password is not None

    def password_matches(self, given: str) -> bool:
        if self.password is None:
            return True
        return hmac.compare_digest(given.encode(), self.password.encode())

    # -- sessions -------------------------------------------------------------------------

    def new_session(self) -> str:
        expires = int(time.time()) + self.session_seconds
        return f"{expires}.{self._sign(f'session:{expires}')}"

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def _session_valid(self, cookie: str | None) -> bool:
        if not cookie or "." not in cookie:
            return False
        expires, signature = cookie.split(".", 1)
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(signature, self._sign(f"session:{expires}"))

    def _credential_valid(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self.password_matches(_utf8(value.strip()))
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return False
            return self.password_matches(decoded.partition(":")[2])
        return False

    def is_authenticated(self, request: Request) -> bool:
        """Logged in (session cookie) or a valid credential sent; always so without password."""
        if self.password is None:
            return True
        if self._session_valid(request.cookies.get(SESSION_COOKIE)):
            return True
        header = request.headers.get("authorization")
        return bool(header) and self._credential_valid(header or "")

    def may_read(self, request: Request) -> bool:
        return self.public_read or self.is_authenticated(request)

    # -- cross-site tokens ----------------------------------------------------------------

    @staticmethod
    def csrf_token(request: Request) -> str:
        """This browser's token (its cookie's value), made on its first visit."""
        token = request.cookies.get(CSRF_COOKIE)
        if token and len(token) == 43:
            return token
        existing = getattr(request.state, "new_csrf", None)
        if existing:
            return str(existing)
        made = secrets.token_urlsafe(32)
        request.state.new_csrf = made
        return made

    @staticmethod
    def csrf_matches(request: Request, given: str | None) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        return bool(cookie and given) and hmac.compare_digest(str(cookie), str(given))
