"""``govwatch sources probe``: a list page's family, what adapters read, a ready entry."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from crawler.cli.main import app
from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.registry import Source, load_registry
from tests.conftest import PAGES

GANSU_LIST = PAGES / "scjg.gansu.gov.cn" / "200_search_list_after_cookie.html"


def entry_source(entry: str) -> Source:
    """The printed entry, pasted into a registry file, loads as a source."""
    [raw] = tomllib.loads(entry)["source"]
    return Source(province_code="620000", **raw)


def test_a_saved_real_list_page_gives_its_items_and_an_entry_that_loads() -> None:
    run = CliRunner().invoke(
        app,
        ["sources", "probe", str(GANSU_LIST), "--url", "http://scjg.gansu.gov.cn/list", "--json"],
    )

    assert run.exit_code == 0, run.output
    probe = json.loads(run.stdout)
    [reading] = [r for r in probe["readings"] if r["adapter"] == "generic_list"]
    assert len(reading["items"]) >= 5
    assert all(
        i["url"].startswith("http://scjg.gansu.gov.cn/") and i["date"] for i in reading["items"]
    )
    assert probe["script_built"]  # its list is also filled by a script: render = "always" helps
    assert entry_source(probe["entry"]).adapter == "generic_list"


def test_a_challenge_page_is_named_and_gives_no_entry() -> None:
    probe = probe_page(
        (PAGES / "scjg.gansu.gov.cn" / "412_ruishu_challenge_home.html").read_bytes(),
        "http://scjg.gansu.gov.cn/",
        412,
    )

    assert probe.kind == "challenge" and "瑞数" in probe.reason
    assert probe.entry is None and probe.readings == []


def test_a_list_on_the_replica_is_named_by_its_family_and_read_by_its_adapter(
    tmp_path: Path,
) -> None:
    source = next(s for s in load_registry().enabled() if s.adapter == "trs_static")
    with ReplicaThread(seed=3) as replica:
        url = replica.base_url + "/" + source.entry_urls[0].split("://", 1)[1]
        run = CliRunner().invoke(app, ["sources", "probe", url, "--json"])

    assert run.exit_code == 0, run.output
    probe = json.loads(run.stdout)
    assert "trs_static" in [f["family"] for f in probe["families"]]
    assert entry_source(probe["entry"]).adapter == "trs_static"


def test_a_target_that_is_neither_url_nor_file_is_one_line() -> None:
    run = CliRunner().invoke(app, ["sources", "probe", "no-such-page.html"])

    assert run.exit_code != 0
    assert "no-such-page.html: neither an http(s) URL nor a file" in str(
        run.exception or run.output
    )


def test_a_failing_check_says_what_it_saw_and_what_to_try(tmp_path: Path) -> None:
    from tests.replica_crawl import run_govwatch

    url = load_registry().get("anhui-trading").entry_urls[0]  # a generic list on the replica
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "anhui.toml").write_text(
        'province = "anhui"\n'
        f'[[source]]\nid = "wrong-family"\nname = "n"\nkind = "trading"\nadapter = "trs_static"\n'
        f'entry_urls = ["{url}"]\nrender = "never"\n'
        f'[[source]]\nid = "behind-captcha"\nname = "n"\nkind = "trading"\nadapter = "trs_static"\n'
        f'entry_urls = ["{url}"]\nrender = "never"\ncaptcha = true\n',
        encoding="utf-8",
    )
    with ReplicaThread(seed=3) as replica:
        result = run_govwatch(
            ["sources", "check", "--json"],
            replica_url=replica.base_url,
            database_url=f"sqlite:///{tmp_path}/db.sqlite3",
            data_dir=tmp_path,
            extra_env={"GOVWATCH_REGISTRY_DIR": str(registry)},
        )

    checks = {c["source_id"]: c for c in result.json}
    assert checks["wrong-family"]["status"] == "parse_failed"
    assert 'adapter = "generic_list" reads' in checks["wrong-family"]["detail"]
    assert checks["behind-captcha"]["status"] == "blocked"
    assert "captcha" in checks["behind-captcha"]["detail"]


def test_discover_finds_a_replica_portals_columns_and_probes_each() -> None:
    with ReplicaThread(seed=3) as replica:
        run = CliRunner().invoke(
            app,
            ["sources", "discover", f"{replica.base_url}/www.shanghai.gov.cn/index.html", "--json"],
        )

    assert run.exit_code == 0, run.output
    found = json.loads(run.stdout)
    assert found["site"] == "上海市人民政府"
    kinds = {c["kind"]: c for c in found["columns"]}
    assert set(kinds) == {"work_report", "policy"}
    assert all(c["adapter"] and c["items"] > 0 for c in found["columns"])
    assert entry_source(kinds["work_report"]["entry"]).kind == "work_report"


def test_discover_reads_the_navigation_of_real_saved_pages() -> None:
    gansu = PAGES / "scjg.gansu.gov.cn" / "200_detail_after_cookie.html"
    zhuji = PAGES / "www.zhuji.gov.cn" / "zhaobiao_detail_hanweb_wrapped.html"
    runs = [
        CliRunner().invoke(app, ["sources", "discover", str(page), "--url", url, "--json"])
        for page, url in ((gansu, "http://scjg.gansu.gov.cn/"), (zhuji, "http://www.zhuji.gov.cn/"))
    ]

    [notices] = json.loads(runs[0].stdout)["columns"]
    [tenders] = json.loads(runs[1].stdout)["columns"]
    assert (notices["kind"], notices["url"]) == (
        "policy",
        "http://scjg.gansu.gov.cn/scjg/c110131/list2.shtml",
    )
    assert (tenders["kind"], tenders["url"]) == (
        "procurement",
        "http://www.zhuji.gov.cn/col/col1388402/index.html",
    )
    assert entry_source(tenders["entry"]).entry_urls == [tenders["url"]]
