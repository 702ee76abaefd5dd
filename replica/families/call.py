"""One request as the family columns see it: method, served path, query and body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Call:
    """One request as the families see it: served path, query, body."""

    method: str
    path: str  # host prefix included, no query
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""  # the request's Content-Type header, as sent

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def form(self) -> dict[str, str]:
        """Form fields of a urlencoded POST body (empty for any other body)."""
        if self.media_type not in ("application/x-www-form-urlencoded", ""):
            return {}
        text = self.body.decode("utf-8", errors="replace")
        fields: dict[str, str] = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            fields.setdefault(name, value)
        return fields

    def json_object(self) -> dict[str, Any] | None:
        """The body as a JSON object, or None if it is not one."""
        try:
            payload = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return payload if isinstance(payload, dict) else None

    def params(self) -> dict[str, str]:
        """Query and form fields together; form fields win, as in servlet containers."""
        return {**self.query, **self.form()}
