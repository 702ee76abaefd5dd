"""The year's brief (`govwatch report --brief`, the dashboard's 年度对照): the figures of the
analyst's table and the bids, in sentences, the same numbers as `govwatch report`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO
from tests.web_fixtures import fill


def govwatch(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=REPO,
        env={**clean, "GOVWATCH_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_brief_says_the_tables_figures_in_sentences(database_url: str) -> None:
    fill(database_url)
    done = govwatch(database_url, "report", "--year", "2024", "--brief")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line]
    assert lines[0] == "## 2024 年政府工作报告中的「区块链」：简报"
    # 上海 2023 and 2024; 广东 and 四川 new in 2024; 甘肃's report does not mention it.
    assert lines[1] == (
        "2024 年，31 个省份中有 **3 个**在政府工作报告中提及「区块链」（2023 年 **1 个**）；"
        "新提及的有 **广东**、**四川**；共 3 处提及。"
    )
    assert lines[2].startswith("其中 **2 个**省份把「区块链」与其他新技术并提：")
    assert "人工智能（1 个省份）" in lines[2] and "5G（1 个省份）" in lines[2]
    assert lines[3].startswith("应用场景按提及的省份数排列：") and "农产品溯源 1 个" in lines[3]
    assert lines[4] == (
        "2024 年提及「区块链」的采购公告 **1 条**，其中中标/成交 **1 条**，"
        "成交金额合计 **1,280,000.00 元**（候选人公示不计入）。"
    )
    # The same numbers as the analyst's table.
    table = govwatch(
        database_url, "report", "--year", "2024", "--compare", "2023", "--format", "json"
    )
    assert table.returncode == 0, table.stderr
    provinces = json.loads(table.stdout)["provinces"]
    mentioned = [p["province"] for p in provinces if p["mentioned"]]
    before = [p["province"] for p in provinces if p["compare"]["mentioned"]]
    new = [p["province"] for p in provinces if p["mentioned"] and not p["compare"]["mentioned"]]
    assert (len(mentioned), len(before), new) == (3, 1, ["广东", "四川"])
    assert sum(p["mentions"] for p in provinces) == 3


def test_a_brief_of_a_year_without_documents_says_so(database_url: str) -> None:
    fill(database_url)
    done = govwatch(database_url, "report", "--year", "2019", "--brief")
    assert done.returncode == 0, done.stderr
    assert "2019 年尚无各省政府工作报告入库" in done.stdout
    assert "2019 年没有提及「区块链」的采购公告入库" in done.stdout
