"""What every channel type needs: secrets from the environment, one-line text.

Secrets never live in the config file. A key ending in ``_env`` names the environment variable
that holds the secret, and the variable is read at send time, so rotating a secret needs no
config change and a missing one fails the delivery (not the start of the notifier).
"""

from __future__ import annotations

import os
import re
from typing import Annotated

from pydantic import Field

from crawler.alerts.channels.base import DeliveryError

# A POSIX-style variable name. Rejects the likeliest mistake: the secret itself pasted as the
# value of a ``*_env`` key (tokens contain ``-``, ``:``, ``/`` …), which would put it in the file.
EnvVar = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        max_length=128,
        description="name of the environment variable that holds the value",
    ),
]


def secret_from_env(variable: str, *, channel: str, what: str) -> str:
    """The value of ``variable``; a missing or empty one is a non-retryable DeliveryError.

    The message names the variable and what it is for, never a value.
    """
    value = os.environ.get(variable, "")
    if not value:
        raise DeliveryError(
            f"{channel}: environment variable {variable} ({what}) is not set", retryable=False
        )
    return value


def one_line(text: str, limit: int = 200) -> str:
    """``text`` with its whitespace runs collapsed, cut to ``limit`` characters.

    Server replies and response bodies go into DeliveryError messages, which are shown and
    stored as one line.
    """
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
