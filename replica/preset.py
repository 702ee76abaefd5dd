"""The scale preset: thousands of TRS static columns on hundreds of synthetic hosts.

    python -m replica.preset --sources 3000 --registry /tmp/scale-registry --port 0

writes a source registry (one ``*.toml`` per host, in the format of spiders/sources) and serves
the replica for it until SIGTERM. Host ``www.scale-NNN.gov.cn`` carries ten columns (a
department's 政策文件, 通知公告 …), each a TRS WCM static column: one list page of a few
documents, linked as ``./YYYYMM/tYYYYMMDD_ID.html`` and answered with ``ETag`` and
``Last-Modified`` (and 304 to a conditional request) like every other family of the replica.

The columns are replica.families' TrsStatic with a fixed small number of documents, so nothing
is generated before a host is first asked for, and nothing is rendered that nobody fetched.
A running preset replica also counts its answers by status: ``GET /_preset/statuses``;
``DELETE`` answers the same and starts new counts, of statuses and of requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from aiohttp import web

from replica import admin
from replica.families.base import Column
from replica.families.naming import department, region_for
from replica.families.trs_static import TrsStatic
from replica.server import Replica, serve_until_stopped
from spiders.provinces import PROVINCES

STATUS_PATH = "/_preset/statuses"
HOST_PATTERN = "www.scale-{:03d}.gov.cn"
# A department's columns, as TRS portals name their directories.
COLUMNS = (
    ("zcwj", "政策文件"),
    ("tzgg", "通知公告"),
    ("bmwj", "部门文件"),
    ("gfxwj", "规范性文件"),
    ("zcjd", "政策解读"),
    ("gzdt", "工作动态"),
    ("gsgg", "公示公告"),
    ("ghjh", "规划计划"),
    ("czzj", "财政资金"),
    ("rsxx", "人事信息"),
)


@dataclass(frozen=True)
class PresetSource:
    id: str
    host: str
    province: str  # pinyin, as a registry file names it
    name: str
    entry_url: str


@dataclass(frozen=True)
class ScalePreset:
    """`sources` columns, `per_host` to a host, `docs` documents each (one list page)."""

    sources: int = 3000
    per_host: int = 10
    docs: int = 4
    schedule: str = "every 10m jitter 0s"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.sources < 1:
            raise ValueError(f"sources must be at least 1: {self.sources}")
        if not 1 <= self.per_host <= len(COLUMNS):
            raise ValueError(f"per_host must be 1 to {len(COLUMNS)}: {self.per_host}")
        if not 1 <= self.docs <= ScaleColumn.default_page_size:
            # More would page, and the preset is meant as one list page per source.
            raise ValueError(f"docs must be 1 to {ScaleColumn.default_page_size}: {self.docs}")

    @property
    def hosts(self) -> int:
        return -(-self.sources // self.per_host)

    def host(self, index: int) -> str:
        return HOST_PATTERN.format(index)

    def iter_sources(self) -> Iterator[PresetSource]:
        """Every source, host by host."""
        for number in range(self.sources):
            index, slot = divmod(number, self.per_host)
            host = self.host(index)
            province = PROVINCES[index % len(PROVINCES)]
            site = department(random.Random(f"{self.seed}/scale/{host}"), region_for(province.code))
            directory, column = COLUMNS[slot]
            yield PresetSource(
                id=f"scale-{index:03d}-{directory}",
                host=host,
                province=province.pinyin,
                name=f"{site} {column}",
                entry_url=f"http://{host}/zwgk/{directory}/index.html",
            )

    def write_registry(self, directory: Path) -> Path:
        """Write the registry, one file per host (``scale-NNN.toml``); returns `directory`.

        Files of an earlier, larger preset in the same directory are removed.
        """
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("scale-*.toml"):
            old.unlink()
        by_host: dict[str, list[PresetSource]] = {}
        for source in self.iter_sources():
            by_host.setdefault(source.host, []).append(source)
        for host, sources in by_host.items():
            lines = [
                f"# Scale preset (replica.preset): {host}, synthetic, served by the replica only.",
                f"province = {_toml(sources[0].province)}",
            ]
            for source in sources:
                lines += [
                    "",
                    "[[source]]",
                    f"id = {_toml(source.id)}",
                    f"name = {_toml(source.name)}",
                    'kind = "policy"',
                    'adapter = "trs_static"',
                    f"entry_urls = [{_toml(source.entry_url)}]",
                    f"schedule = {_toml(self.schedule)}",
                ]
            name = host.removeprefix("www.").removesuffix(".gov.cn")
            (directory / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return directory

    def families(self) -> dict[str, type[Column]]:
        """The column classes a Replica serves the preset's sources with."""

        class Sized(ScaleColumn):
            doc_count = self.docs

        return {ScaleColumn.family: Sized}

    def replica(self, registry_dir: Path) -> PresetReplica:
        """A replica for the registry written by write_registry (not yet serving)."""
        return PresetReplica(self, registry_dir)


class ScaleColumn(TrsStatic):
    """A TRS static column of the preset: a handful of policy documents, one list page."""

    doc_count: ClassVar[int] = 4

    def document_count(self, rng: random.Random) -> int:
        return self.doc_count


class PresetReplica(Replica):
    """A Replica of a preset's registry that also counts its answers by HTTP status."""

    def __init__(self, preset: ScalePreset, registry_dir: Path) -> None:
        super().__init__(seed=preset.seed, registry_dir=registry_dir, families=preset.families())
        self.preset = preset
        self._status_lock = threading.Lock()
        self._statuses: Counter[int] = Counter()

    def status_counts(self) -> dict[int, int]:
        """Answers by status since start or the last reset_counts (admin requests aside)."""
        with self._status_lock:
            return dict(self._statuses)

    def reset_counts(self) -> None:
        super().reset_counts()
        with self._status_lock:
            self._statuses.clear()

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.path == STATUS_PATH:
            # DELETE answers the counts so far, then starts new ones (request counts too).
            counts = {str(status): n for status, n in sorted(self.status_counts().items())}
            if request.method == "DELETE":
                self.reset_counts()
            return web.json_response(counts)
        response = await super()._handle(request)
        if not request.path.startswith(admin.PREFIX):
            with self._status_lock:
                self._statuses[response.status] += 1
        return response


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


# -- python -m replica.preset ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m replica.preset",
        description="Write the scale preset's registry and serve its replica until SIGTERM.",
    )
    parser.add_argument("--registry", type=Path, required=True, help="directory to write")
    parser.add_argument("--sources", type=int, default=ScalePreset.sources)
    parser.add_argument("--per-host", type=int, default=ScalePreset.per_host)
    parser.add_argument("--docs", type=int, default=ScalePreset.docs, help="per source")
    parser.add_argument("--schedule", default=ScalePreset.schedule)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    return parser.parse_args(argv)


async def serve(preset: ScalePreset, registry_dir: Path, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT; the first line printed names the base URL."""
    await serve_until_stopped(preset.replica(preset.write_registry(registry_dir)), host, port)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        preset = ScalePreset(args.sources, args.per_host, args.docs, args.schedule, args.seed)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    asyncio.run(serve(preset, args.registry, args.host, args.port))


if __name__ == "__main__":
    main()
