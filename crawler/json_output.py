"""The one JSON encoder for govwatch's own types, wherever JSON leaves the program.

Chinese stays readable (no ``\\u`` escapes); dates and times are ISO 8601; amounts
(:class:`~decimal.Decimal`) are exact strings, never floats; enums are their values; paths are
strings; dataclasses are their fields; sets are sorted lists.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any


def json_default(value: Any) -> Any:
    """How ``json.dumps`` writes the values it does not know (its ``default=``)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # A string keeps the exact yuan amount; a float would not.
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    """JSON for people and programs to read: indented, Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default)


def canonical_json(data: Any) -> bytes:
    """The bytes that are sent and signed: sorted keys, no whitespace, UTF-8, not \\u-escaped."""
    return json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=json_default
    ).encode()
