"""What changed between two versions of a document, readable by people: sentence by sentence.

Government pages change by a sentence or a figure, rarely by a line break, so versions are
compared as sequences of sentences (:class:`~crawler.match.sentences.Sentences`): a changed
sentence shows as removed and added, unchanged ones are counted, not repeated.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass

from crawler.match.sentences import Sentences
from storage.browse import VersionView

MAX_SENTENCES = 5000  # a longer text is compared on its first sentences only


@dataclass(frozen=True)
class Change:
    kind: str  # "removed" | "added" | "same"
    text: str  # the sentence, or for "same" how many unchanged sentences stand there


@dataclass(frozen=True)
class VersionChange:
    version: int
    before: int
    title_before: str | None
    title_after: str | None
    changes: list[Change]

    @property
    def title_changed(self) -> bool:
        return self.title_before != self.title_after


def _sentences(text: str) -> list[str]:
    return list(Sentences(text))[:MAX_SENTENCES]


def diff_versions(before: VersionView, after: VersionView) -> VersionChange:
    old, new = _sentences(before.body_text), _sentences(after.body_text)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.append(Change("same", f"{i2 - i1} 句未变"))
            continue
        changes += [Change("removed", s) for s in old[i1:i2]]
        changes += [Change("added", s) for s in new[j1:j2]]
    return VersionChange(after.version, before.version, before.title, after.title, changes)


def version_changes(versions: tuple[VersionView, ...]) -> list[VersionChange]:
    """Each version against the one before it, newest first."""
    pairs = itertools.pairwise(versions)
    return [diff_versions(a, b) for a, b in pairs][::-1]
