"""The analyst's tables the dashboard has built, kept while their documents stay the same.

A year's table reads every work report of the year sentence by sentence (tens of milliseconds
a year, more with long real reports), and the 年度对照 page needs two years; the documents
behind a table change a few times a year. So a built table is kept under what its documents
are now — each document's id, province, publication time, status, version and content hash
(:func:`storage.queries.year_state`) — and built again as soon as any of that differs: a
document added, changed, gone, re-dated or moved to another province. The topic is part of the
key, so editing a topic's words (a new service) never reads an old table.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from crawler.match.topics import Topic
from crawler.reports.analyst_table import YearReport, build_year_report
from storage.database import Database
from storage.queries import year_state

KEPT = 64  # tables kept (topics × kinds × years); the least recently read goes first


class YearReports:
    """:func:`build_year_report`, answered from memory while the year's documents are as they
    were. Safe to share between the server's threads."""

    def __init__(self, database: Database, kept: int = KEPT) -> None:
        self.database = database
        self.kept = kept
        self._tables: OrderedDict[tuple[str, str, int], tuple[int, YearReport]] = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0  # tables built (not answered from memory), for tests and the bench

    def get(self, topic: Topic, *, kind: str, year: int) -> YearReport:
        """The table for ``year``; :class:`NoDocumentsError` as :func:`build_year_report`."""
        key = (topic.model_dump_json(), kind, year)  # the whole topic: its words too
        state = year_state(self.database, kind=kind, year=year)
        with self._lock:
            kept = self._tables.get(key)
            if kept is not None and kept[0] == state:
                self._tables.move_to_end(key)
                return kept[1]
        report = build_year_report(self.database, topic, kind=kind, year=year)
        with self._lock:
            self.built += 1
            self._tables[key] = (state, report)
            self._tables.move_to_end(key)
            while len(self._tables) > self.kept:
                self._tables.popitem(last=False)
        return report
