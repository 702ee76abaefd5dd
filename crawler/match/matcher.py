"""Topic matching: which watched keywords a text mentions, where, and next to what.

One Aho-Corasick automaton per topic finds keywords, exclusions, technologies and scenario
words in a single pass. A keyword occurrence is dropped when it overlaps an exclusion it does
not contain (``产业链上链主`` is not ``上链``), when an ASCII keyword is part of a longer word, or
when its ``near`` rule finds no context word. Mentions are counted on merged spans, so
``区块链服务网络`` is one mention although two keywords match it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick

from crawler.match.sentences import Sentences
from crawler.match.topics import Topic

_KEYWORD, _EXCLUSION, _TECH, _SCENARIO = "k", "x", "t", "s"
MAX_SNIPPETS = 10
SNIPPET_CHARS = 160
MARK_OPEN, MARK_CLOSE = "【", "】"
# Technologies and scenarios count as co-mentioned within this many characters of a mention
# in the same sentence: long report sentences list unrelated achievements after a comma.
CO_MENTION_CHARS = 30


@dataclass
class TopicHits:
    """What one topic found in one text."""

    topic: str
    label: str
    count: int = 0
    keywords: dict[str, int] = field(default_factory=dict)
    snippets: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    # Start and end of every sentence holding a counted mention, in text order (the snippets
    # are the first MAX_SNIPPETS of them); not stored.
    sentence_spans: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "label": self.label,
            "count": self.count,
            "keywords": self.keywords,
            "snippets": self.snippets,
            "technologies": self.technologies,
            "scenarios": self.scenarios,
        }


def _is_ascii_word(term: str) -> bool:
    return term.isascii()


def _ascii_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


class TopicMatcher:
    """Matches one topic against texts; build once, reuse for every document."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        # Two automata: keywords and exclusions over the whole text; technologies and scenario
        # words only inside the sentences that hold a mention (all a co-mention can be), so a
        # long report full of 大数据 and 政务服务 costs little when it never names the topic.
        self._mentions = _automaton(
            [(term, _KEYWORD, term) for term in topic.keywords]
            + [(term, _EXCLUSION, term) for term in topic.exclusions]
        )
        context = [(term, _TECH, term) for term in topic.technologies] + [
            (word, _SCENARIO, scenario)
            for scenario, words in topic.scenarios.items()
            for word in words
        ]
        self._context = _automaton(context)
        self._longest_context = max((len(term) for term, _, _ in context), default=0)

    def match(self, text: str) -> TopicHits:
        """Find this topic's mentions in ``text``."""
        hits = TopicHits(self.topic.name, self.topic.label)
        if not text:
            return hits
        lowered = text.lower()
        keywords: list[tuple[int, int, str]] = []
        exclusions: list[tuple[int, int]] = []
        for start, end, kind, name in _found(self._mentions, lowered, 0, len(lowered)):
            if kind == _KEYWORD:
                keywords.append((start, end, name))
            else:
                exclusions.append((start, end))

        kept = [k for k in keywords if self._counts(k, exclusions, lowered)]
        if not kept:
            return hits
        hits.keywords = dict(Counter(name for _, _, name in kept))
        hits.count = len(_merged_spans(kept))

        sentences = Sentences(text)
        hit_sentences: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for start, end in _merged_spans(kept):
            hit_sentences.setdefault(sentences.span_at(start), []).append((start, end))
        techs: Counter[str] = Counter()
        scenarios: Counter[str] = Counter()
        for s_start, s_end in hit_sentences:  # in text order
            # Words that start in the sentence (and may run on past its end).
            scan_end = min(len(lowered), s_end + self._longest_context)
            for start, _, kind, name in _found(self._context, lowered, s_start, scan_end):
                if start < s_end and self._co_mentioned(start, hit_sentences):
                    (techs if kind == _TECH else scenarios)[name] += 1
        hits.technologies = [name for name, _ in techs.most_common()]
        hits.scenarios = [name for name, _ in scenarios.most_common()]
        hits.sentence_spans = list(hit_sentences)
        for span, marks in list(hit_sentences.items())[:MAX_SNIPPETS]:
            hits.snippets.append(_snippet(text, span, marks))
        return hits

    @staticmethod
    def _co_mentioned(
        offset: int, hit_sentences: dict[tuple[int, int], list[tuple[int, int]]]
    ) -> bool:
        for (s_start, s_end), marks in hit_sentences.items():
            if s_start <= offset < s_end:
                return any(
                    m_start - CO_MENTION_CHARS <= offset < m_end + CO_MENTION_CHARS
                    for m_start, m_end in marks
                )
        return False

    def _counts(
        self, keyword: tuple[int, int, str], exclusions: list[tuple[int, int]], lowered: str
    ) -> bool:
        start, end, name = keyword
        for x_start, x_end in exclusions:
            overlaps = x_start < end and start < x_end
            contained = start <= x_start and x_end <= end
            if overlaps and not contained:
                return False
        rule = self.topic.near.get(name)
        if rule is None:
            return True
        window = lowered[max(0, start - rule.window) : end + rule.window]
        return any(word.lower() in window for word in rule.words)


def _automaton(terms: list[tuple[str, str, str]]) -> ahocorasick.Automaton:
    """An automaton over ``(term, kind, name)``; a term found stands for every entry of it."""
    entries: dict[str, list[tuple[str, str]]] = {}
    for term, kind, name in terms:
        entries.setdefault(term.lower(), []).append((kind, name))
    automaton = ahocorasick.Automaton()
    for key, payload in entries.items():
        automaton.add_word(key, (len(key), payload))
    if entries:
        automaton.make_automaton()
    return automaton


def _found(
    automaton: ahocorasick.Automaton, lowered: str, start: int, end: int
) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, kind, name)`` of each term in ``lowered[start:end]``, in the order their
    ends come; ASCII terms only as whole words."""
    if not len(automaton):
        return
    for end_index, (length, payload) in automaton.iter(lowered, start, end):
        found_start, found_end = end_index - length + 1, end_index + 1
        for kind, name in payload:
            if _is_ascii_word(name) and not _ascii_bounded(lowered, found_start, found_end):
                continue
            yield found_start, found_end, kind, name


def _merged_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Overlapping keyword occurrences joined into one mention each."""
    merged: list[tuple[int, int]] = []
    for start, end, _ in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _snippet(text: str, span: tuple[int, int], marks: list[tuple[int, int]]) -> str:
    """The hit's sentence with each keyword marked 【…】, cut around the first hit if long."""
    start, end = span
    if end - start > SNIPPET_CHARS:
        first = marks[0][0]
        start = max(start, first - SNIPPET_CHARS // 2)
        end = min(end, start + SNIPPET_CHARS)
    pieces, cursor = [], start
    for m_start, m_end in marks:
        if m_start < cursor or m_end > end:
            continue
        pieces += [text[cursor:m_start], MARK_OPEN, text[m_start:m_end], MARK_CLOSE]
        cursor = m_end
    pieces.append(text[cursor:end])
    snippet = "".join(pieces).replace("\n", " ")
    prefix = "…" if start > span[0] else ""
    suffix = "…" if end < span[1] else ""
    return f"{prefix}{snippet}{suffix}"


class Matcher:
    """All configured topics together."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self._matchers = [TopicMatcher(t) for t in topics]

    def match(self, text: str) -> list[TopicHits]:
        """Hits of every topic that is mentioned in ``text`` (topics with no hit left out)."""
        return [h for h in (m.match(text) for m in self._matchers) if h.count]
