""" "Crawl now" under ``govwatch serve``: a one-off ``govwatch crawl`` in a child process.

Scrapy's reactor runs once per process, so the dashboard's process never crawls itself; each
button press starts ``govwatch crawl --source ID`` handed everything it needs explicitly: this
process's environment, the config file in use (as ``$GOVWATCH_CONFIG``, absolute), its working
directory, and ``overrides`` such as the demo's database. The child's output goes to
``<log_dir>/crawl-<source>.log``, and a crawl that failed says so at the next press. A source
already being crawled is not started twice. Alerts the crawl writes are delivered by it, as
from the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from crawler.config import CONFIG_ENV, config_file_path


class OneOffCrawls:
    def __init__(self, log_dir: Path, overrides: dict[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.env = dict(os.environ)
        config = config_file_path()
        if config is not None:
            self.env[CONFIG_ENV] = str(config.resolve())
        self.env.update(overrides or {})
        self.cwd = Path.cwd()
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def log_of(self, source_id: str) -> Path:
        return self.log_dir / f"crawl-{source_id}.log"

    def __call__(self, source_ids: list[str]) -> str:
        started, busy, failed = [], [], []
        with self._lock:
            for source_id in source_ids:
                running = self._running.get(source_id)
                if running is not None and running.poll() is None:
                    busy.append(source_id)
                    continue
                if running is not None and running.returncode != 0:
                    failed.append(f"{source_id} 上次抓取失败（退出码 {running.returncode}）")
                self.log_dir.mkdir(parents=True, exist_ok=True)
                with self.log_of(source_id).open("wb") as log:
                    self._running[source_id] = subprocess.Popen(
                        [sys.executable, "-m", "crawler", "crawl", "--source", source_id],
                        env=self.env,
                        cwd=self.cwd,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                started.append(source_id)
        said = []
        if failed:
            said.append("；".join(failed) + f"，输出见 {self.log_dir}")
        if busy:
            said.append(f"{'、'.join(busy)} 正在抓取中")
        if started:
            said.append(f"已开始抓取 {'、'.join(started)}（完成后刷新页面）")
        return "；".join(said)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the crawls started (tests, and a clean exit)."""
        for process in list(self._running.values()):
            process.wait(timeout)
