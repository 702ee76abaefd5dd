"""Challenges a replica site can put in front of its pages: who gets the content, and how.

``protect(prefix, kind)`` puts every path under ``prefix`` behind one of:

- ``ruishu``: HTTP 412 and a token page until the request carries the server cookie and the
  cookie the page's script computes (瑞数-style);
- ``jsl``: HTTP 521 and a cookie script until the request carries ``__jsl_clearance_s``
  (加速乐-style);
- ``captcha``: a 验证码 form, whatever the request carries;
- ``js_list`` / ``js_api``: list pages served with an empty list that a script fills from
  inline JSON / from a JSON endpoint (only requests ``lists`` accepts, all by default).

Cookies are scoped to the site's path prefix (``/{host}/``), as a real site's are to its host.
``rotate`` starts a new epoch: cookies earned before stop working, as real ones expire;
``max_uses`` does it by itself after that many pages served to the cookies of one epoch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit

from replica.challenges import js_list, pages
from replica.challenges.tokens import secret, secret_number, token_hash
from replica.families.call import Call
from replica.rendered import Reply

ListFilter = Callable[[Call], bool]


class ChallengeKind(StrEnum):
    RUISHU = "ruishu"
    JSL = "jsl"
    CAPTCHA = "captcha"
    JS_LIST = "js_list"
    JS_API = "js_api"

    @property
    def gates(self) -> bool:
        """Whether the kind answers in place of the page (rather than rewriting the page)."""
        return self in (ChallengeKind.RUISHU, ChallengeKind.JSL, ChallengeKind.CAPTCHA)


@dataclass(frozen=True)
class Protection:
    prefix: str
    kind: ChallengeKind
    epoch: int = 0
    lists: ListFilter | None = None  # js kinds: which requests are list pages (None: all)
    max_uses: int | None = None  # cookie kinds: pages an epoch's cookies get, then a new epoch
    uses: int = 0

    @property
    def site_prefix(self) -> str:
        """``/{host}``: the part of the path that stands for the real site."""
        return "/" + self.prefix[1:].partition("/")[0]

    @property
    def cookie_path(self) -> str:
        return self.site_prefix + "/"


@dataclass(frozen=True)
class GateAnswer:
    """What a gate answers instead of the page, with the cookies it sets (name, value, httponly)."""

    reply: Reply
    cookies: tuple[tuple[str, str, bool], ...]
    cookie_path: str


class ChallengeTable:
    """Protections by path prefix (longest prefix wins); thread-safe, deterministic per seed."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._protections: dict[str, Protection] = {}

    def protect(
        self,
        prefix: str,
        kind: ChallengeKind | str,
        *,
        lists: ListFilter | None = None,
        max_uses: int | None = None,
    ) -> Protection:
        """Put every path under ``prefix`` (``/{host}/…``) behind ``kind``, replacing any."""
        if not prefix.startswith("/") or len(prefix) < 2:
            raise ValueError(f"challenge prefix must be a path like '/host/': {prefix!r}")
        if max_uses is not None and max_uses < 1:
            raise ValueError(f"max_uses must be at least 1 or None: {max_uses}")
        protection = Protection(prefix, ChallengeKind(kind), lists=lists, max_uses=max_uses)
        with self._lock:
            self._protections[prefix] = protection
        return protection

    def rotate(self, prefix: str | None = None) -> None:
        """New tokens for ``prefix`` (all when None): every cookie earned so far goes stale."""
        with self._lock:
            for key, protection in self._protections.items():
                if prefix is None or key == prefix:
                    self._protections[key] = _next_epoch(protection)

    def clear(self) -> None:
        with self._lock:
            self._protections.clear()

    def protections(self) -> list[Protection]:
        with self._lock:
            return list(self._protections.values())

    def find(self, path: str) -> Protection | None:
        with self._lock:
            if not self._protections:
                return None
            matches = [p for key, p in self._protections.items() if path.startswith(key)]
        return max(matches, key=lambda p: len(p.prefix)) if matches else None

    # -- gates ------------------------------------------------------------------------------

    def gate(self, path: str, cookies: Mapping[str, str]) -> GateAnswer | None:
        """The challenge answered instead of ``path``'s page, or None to serve the page."""
        protection = self.find(path)
        if protection is None or not protection.kind.gates:
            return None
        if protection.kind is ChallengeKind.CAPTCHA:
            body = pages.captcha_page(protection.site_prefix + "/verify")
            return GateAnswer(_html(200, body), (), protection.cookie_path)
        if protection.kind is ChallengeKind.RUISHU:
            answer = self._ruishu(protection, cookies)
        else:
            answer = self._jsl(protection, cookies)
        if answer is None and protection.max_uses is not None:
            self._count_use(protection)
        return answer

    def _count_use(self, protection: Protection) -> None:
        """One more page served to this epoch's cookies; the last allowed one ends the epoch."""
        with self._lock:
            current = self._protections.get(protection.prefix)
            if current is None or current.epoch != protection.epoch:
                return
            used = replace(current, uses=current.uses + 1)
            if current.max_uses is not None and used.uses >= current.max_uses:
                used = _next_epoch(current)
            self._protections[current.prefix] = used

    def _secret(self, protection: Protection, purpose: str, length: int = 32) -> str:
        return secret(self.seed, protection.site_prefix, protection.epoch, purpose, length)

    def _ruishu(self, protection: Protection, cookies: Mapping[str, str]) -> GateAnswer | None:
        server = self._secret(protection, "ruishu-S", 22)
        token = self._secret(protection, "ruishu-token", 54)
        if cookies.get(pages.RUISHU_SERVER_COOKIE) == server and cookies.get(
            pages.RUISHU_CLIENT_COOKIE
        ) == token_hash(token):
            return None
        nsd = secret_number(self.seed, protection.site_prefix, protection.epoch, "nsd", 90000)
        body = pages.ruishu_page(
            token, 10000 + nsd, self._secret(protection, "ruishu-cd", 60), protection.cookie_path
        )
        return GateAnswer(
            _html(412, body), ((pages.RUISHU_SERVER_COOKIE, server, True),), protection.cookie_path
        )

    def _jsl(self, protection: Protection, cookies: Mapping[str, str]) -> GateAnswer | None:
        uid = self._secret(protection, "jsl-uid", 24)
        token = self._secret(protection, "jsl-token", 16)
        stamp = 1_700_000_000 + secret_number(
            self.seed, protection.site_prefix, protection.epoch, "jsl-ts", 10**7
        )
        parts = (f"{stamp}.{stamp % 1000:03d}|0|", token, "%3D")
        clearance = parts[0] + token_hash(token) + parts[2]
        if (
            cookies.get(pages.JSL_SERVER_COOKIE) == uid
            and cookies.get(pages.JSL_CLIENT_COOKIE) == clearance
        ):
            return None
        body = pages.jsl_page(parts, protection.cookie_path)
        return GateAnswer(
            _html(521, body), ((pages.JSL_SERVER_COOKIE, uid, True),), protection.cookie_path
        )

    # -- pages whose lists scripts build ----------------------------------------------------

    def data_request(self, call: Call) -> Call | None:
        """For a request of a ``js_api`` site's data endpoint, the list page it asks about."""
        site, _, rest = call.path[1:].partition("/")
        if "/" + rest != js_list.DATA_PATH or "of" not in call.query:
            return None
        target = urlsplit(call.query["of"])
        protection = self.find(target.path)
        if (
            protection is None
            or protection.kind is not ChallengeKind.JS_API
            or not target.path.startswith(f"/{site}/")
        ):
            return None
        return Call("GET", target.path, dict(parse_qsl(target.query)), b"", "")

    def rewrite(self, call: Call, reply: Reply) -> Reply:
        """The page as a ``js_list``/``js_api`` site serves it (unchanged for other sites)."""
        protection = self.find(call.path)
        if protection is None or protection.kind not in (
            ChallengeKind.JS_LIST,
            ChallengeKind.JS_API,
        ):
            return reply
        if call.method not in ("GET", "HEAD") or (
            protection.lists is not None and not protection.lists(call)
        ):
            return reply
        page_path = call.path + (f"?{urlencode(call.query)}" if call.query else "")
        return js_list.scripted(
            reply,
            protection.site_prefix,
            page_path,
            fetch=protection.kind is ChallengeKind.JS_API,
        )


def _next_epoch(protection: Protection) -> Protection:
    return replace(protection, epoch=protection.epoch + 1, uses=0)


def _html(status: int, body: str) -> Reply:
    return Reply(status, body.encode("utf-8"), "utf-8")


__all__ = ["ChallengeKind", "ChallengeTable", "GateAnswer", "Protection"]
