"""The benchmark's child processes (bench/run.py) still run: `make bench` is not part of `make
test`, so a rename that breaks one would otherwise show only when someone measures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from replica import ReplicaThread
from tests.conftest import REPO

pytestmark = pytest.mark.timeout(120)


def test_the_bare_scrapy_yardstick_fetches_every_url_it_is_given(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from run import all_urls  # bench/run.py: the URLs the pipeline is compared on
    finally:
        sys.path.remove(str(REPO / "bench"))
    with ReplicaThread(seed=1, scale=1) as replica:
        assert replica.base_url is not None
        urls = all_urls(replica.base_url)[:40]
        url_file = tmp_path / "urls.tsv"
        url_file.write_text("\n".join("\t".join(u) for u in urls), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(REPO / "bench" / "bare_child.py"), str(url_file)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["pages"] == len(urls) == 40
    assert result["seconds"] > 0
