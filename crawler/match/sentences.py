"""Sentence boundaries in Chinese government prose (。！？； and line breaks)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

_END = re.compile(r"[。！？；!?;]+[”’」』）)]*|\n+")


class Sentences:
    """Splits a text once and answers "which sentence holds this offset" quickly."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] = [m.end() for m in _END.finditer(text)]
        if not self._ends or self._ends[-1] != len(text):
            self._ends.append(len(text))

    def span_at(self, offset: int) -> tuple[int, int]:
        """Start and end of the sentence containing ``offset``, surrounding blanks trimmed."""
        index = bisect.bisect_right(self._ends, offset)
        start = self._ends[index - 1] if index > 0 else 0
        end = self._ends[min(index, len(self._ends) - 1)]
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end

    def __iter__(self) -> Iterator[str]:
        start = 0
        for end in self._ends:
            piece = self.text[start:end].strip()
            if piece:
                yield piece
            start = end
