"""Deterministic secrets of the replica's challenges, and the cookie arithmetic they ask for.

A challenge page hands the browser a token and a small script; the script turns the token into
a cookie value with :func:`token_hash`, a 32-bit FNV-1a loop that the replica computes the
same way in Python to check the cookie. Everything derives from (seed, site prefix, epoch), so
the same replica always asks the same questions and a rotated epoch makes old cookies stale.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 16777619
# Enough work that the page has to run its script, little enough to cost nothing (about 50k
# multiplications in the browser; the replica computes each answer once and keeps it).
HASH_ROUNDS = 1000

# The same loop in JavaScript, for the challenge pages (Math.imul keeps it 32-bit exact).
TOKEN_HASH_JS = (
    "function gwHash(t){var h=0x811c9dc5;"
    f"for(var r=0;r<{HASH_ROUNDS};r++){{for(var i=0;i<t.length;i++)"
    "{h=Math.imul(h^t.charCodeAt(i),16777619)>>>0;}}"
    "return ('0000000'+h.toString(16)).slice(-8);}"
)


@lru_cache(maxsize=1024)
def token_hash(token: str) -> str:
    """The cookie value a challenge script derives from ``token``: 8 hex digits."""
    value = FNV_OFFSET
    data = [ord(char) for char in token]
    for _ in range(HASH_ROUNDS):
        for code in data:
            value = ((value ^ code) * FNV_PRIME) & 0xFFFFFFFF
    return f"{value:08x}"


def secret(seed: int, prefix: str, epoch: int, purpose: str, length: int = 32) -> str:
    """A URL-safe string that only (seed, prefix, epoch, purpose) determine."""
    digest = hashlib.blake2b(f"{seed}|{prefix}|{epoch}|{purpose}".encode(), digest_size=48)
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")[:length]


def secret_number(seed: int, prefix: str, epoch: int, purpose: str, modulo: int) -> int:
    digest = hashlib.blake2b(f"{seed}|{prefix}|{epoch}|{purpose}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") % modulo
