"""The scale preset (replica.preset): a valid registry, served with validators, crawlable."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from replica import ReplicaThread
from replica.preset import STATUS_PATH, ScalePreset
from spiders.registry import load_registry
from tests.replica_crawl import REPO, CliRun, run_govwatch, stored_documents

SMALL = ScalePreset(sources=30, per_host=10, docs=3, schedule="every 1h jitter 0s", seed=5)
ITEM = re.compile(r'<li><a href="(\./\d{6}/t\d{8}_\d+\.html)"')


def fetch(
    base_url: str, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def served_path(url: str) -> str:
    parts = urlsplit(url)
    return f"/{parts.netloc}{parts.path}"


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return SMALL.write_registry(tmp_path_factory.mktemp("preset") / "registry")


@pytest.fixture(scope="module")
def replica(registry_dir: Path) -> Iterator[ReplicaThread]:
    with ReplicaThread(
        seed=SMALL.seed, registry_dir=registry_dir, families=SMALL.families()
    ) as rep:
        yield rep


def test_small_preset_is_a_valid_registry_of_trs_static_sources(registry_dir: Path) -> None:
    sources = load_registry(registry_dir).sources
    assert len(sources) == 30
    assert len({s.id for s in sources}) == 30
    hosts = {urlsplit(s.entry_urls[0]).netloc for s in sources}
    assert hosts == {"www.scale-000.gov.cn", "www.scale-001.gov.cn", "www.scale-002.gov.cn"}
    assert {s.adapter for s in sources} == {"trs_static"}
    assert {s.schedule for s in sources} == {"every 1h jitter 0s"}
    assert all(s.enabled and s.kind == "policy" for s in sources)
    assert len(list(registry_dir.glob("*.toml"))) == 3
    # Written over a larger preset, the directory holds only the new one.
    other = ScalePreset(sources=50, per_host=5).write_registry(registry_dir.parent / "again")
    assert len(list(other.glob("*.toml"))) == 10
    SMALL.write_registry(other)
    assert len(load_registry(other).sources) == 30


def test_preset_rejects_what_would_not_be_one_list_page() -> None:
    with pytest.raises(ValueError):
        ScalePreset(docs=16)
    with pytest.raises(ValueError):
        ScalePreset(per_host=11)


def test_lists_and_documents_carry_validators_and_answer_304(
    replica: ReplicaThread, registry_dir: Path
) -> None:
    assert replica.replica.unserved_sources == []
    source = load_registry(registry_dir).sources[13]
    list_path = served_path(source.entry_urls[0])
    status, headers, body = fetch(replica.base_url, list_path)
    assert status == 200
    assert headers["etag"].startswith('"') and "GMT" in headers["last-modified"]
    links = ITEM.findall(body.decode("utf-8"))
    assert len(links) == SMALL.docs
    assert 'createPageHTML(1, 0, "index", "html")' in body.decode("utf-8")
    # Same bytes again, and 304 to either validator.
    assert fetch(replica.base_url, list_path)[2] == body
    assert fetch(replica.base_url, list_path, {"If-None-Match": headers["etag"]})[0] == 304
    since = {"If-Modified-Since": headers["last-modified"]}
    assert fetch(replica.base_url, list_path, since)[0] == 304
    assert fetch(replica.base_url, list_path, {"If-None-Match": '"other"'})[0] == 200
    detail = list_path.rsplit("/", 1)[0] + links[0].removeprefix(".")
    status, detail_headers, detail_body = fetch(replica.base_url, detail)
    assert status == 200 and "TRS_Editor" in detail_body.decode("utf-8")
    etag = {"If-None-Match": detail_headers["etag"]}
    assert fetch(replica.base_url, detail, etag)[0] == 304
    # A host past the preset's last is not served.
    assert fetch(replica.base_url, "/www.scale-003.gov.cn/zwgk/zcwj/index.html")[0] == 404


def test_preset_server_counts_answers_by_status(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    process = subprocess.Popen(
        [sys.executable, "-m", "replica.preset", "--registry", str(registry), "--sources", "20"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("replica serving on http://127.0.0.1:"), line
        base_url = line.split()[-1]
        assert len(load_registry(registry).sources) == 20
        path = "/www.scale-001.gov.cn/zwgk/tzgg/index.html"
        status, headers, _ = fetch(base_url, path)
        assert status == 200
        assert fetch(base_url, path, {"If-None-Match": headers["etag"]})[0] == 304
        assert fetch(base_url, "/www.scale-001.gov.cn/nothing.html")[0] == 404
        counts = json.loads(fetch(base_url, STATUS_PATH)[2])
        assert counts == {"200": 1, "304": 1, "404": 1}
        requests = json.loads(fetch(base_url, "/_replica/requests")[2])
        assert requests[path] == 2
        assert json.loads(fetch(base_url, STATUS_PATH, method="DELETE")[2]) == counts
        assert json.loads(fetch(base_url, STATUS_PATH)[2]) == {}
        assert json.loads(fetch(base_url, "/_replica/requests")[2]) == {}
    finally:
        process.terminate()
        process.wait(10)
    assert process.returncode == 0


def test_one_off_crawl_of_two_preset_sources_stores_their_documents(
    replica: ReplicaThread, registry_dir: Path, tmp_path: Path
) -> None:
    sources = load_registry(registry_dir).sources
    chosen = [sources[0], sources[25]]  # two hosts
    database_url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    args = ["crawl", *(a for s in chosen for a in ("-s", s.id)), "--json"]
    env = {"GOVWATCH_REGISTRY_DIR": str(registry_dir)}

    def crawl() -> CliRun:
        return run_govwatch(
            args,
            replica_url=replica.base_url,
            database_url=database_url,
            data_dir=tmp_path,
            extra_env=env,
            timeout=120,
        )

    replica.replica.reset_counts()
    done = crawl()
    assert done.returncode == 0, done.stderr[-2000:]
    documents = stored_documents(database_url)
    hosts = {urlsplit(url).netloc for url in documents}
    assert len(documents) == 2 * SMALL.docs
    assert hosts == {"www.scale-000.gov.cn", "www.scale-002.gov.cn"}
    assert all(d.title and d.body_text for d in documents.values())
    counts = replica.replica.request_counts()
    assert sum(counts.values()) == 2 * (1 + SMALL.docs)  # a list page and its documents each
    # Nothing changed: the second crawl asks each list conditionally and stops at its 304.
    replica.replica.reset_counts()
    again = crawl()
    assert again.returncode == 0, again.stderr[-2000:]
    assert replica.replica.request_counts() == {served_path(s.entry_urls[0]): 1 for s in chosen}
    runs = {run["source_id"]: run for run in again.json["sources"]}
    assert set(runs) == {s.id for s in chosen}
    for run in runs.values():
        assert run["status"] == "ok", run
        assert run["stats"]["lists_not_modified"] == 1, run
    assert len(stored_documents(database_url)) == 2 * SMALL.docs
