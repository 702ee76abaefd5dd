"""Naming provinces, loading configuration and the source registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import load_settings
from spiders.adapters import ADAPTERS, TrsStaticAdapter
from spiders.errors import UserError
from spiders.provinces import PROVINCES, find_province_in_text, resolve_province
from spiders.registry import PACKAGED_REGISTRY, Source, load_registry


def test_there_are_31_provinces_with_unique_codes_and_names() -> None:
    assert len(PROVINCES) == 31
    assert len({p.code for p in PROVINCES}) == 31
    assert len({p.pinyin for p in PROVINCES}) == 31


@pytest.mark.parametrize("name", ["gansu", "Gansu", "甘肃", "甘肃省", "620000", " gansu "])
def test_a_province_is_named_by_pinyin_chinese_or_code(name: str) -> None:
    assert resolve_province(name).code == "620000"


def test_every_province_resolves_by_each_of_its_names() -> None:
    for province in PROVINCES:
        for name in (province.pinyin, province.short_name, province.full_name, province.code):
            assert resolve_province(name) is province


def test_shanxi_and_shaanxi_are_different_provinces() -> None:
    assert resolve_province("shanxi").short_name == "山西"
    assert resolve_province("shaanxi").short_name == "陕西"


def test_an_unknown_province_is_a_user_error_that_says_how_to_name_one() -> None:
    with pytest.raises(UserError, match=r"unknown province 'narnia'.*620000"):
        resolve_province("narnia")


def test_a_province_is_found_in_a_site_name() -> None:
    found = find_province_in_text("湖北省市场监督管理局")
    assert found is not None and found.pinyin == "hubei"


def test_no_config_at_all_is_the_embedded_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("GOVWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = load_settings()
    assert (
        settings.effective_database_url == f"sqlite:///{tmp_path / 'govwatch' / 'govwatch.sqlite3'}"
    )
    assert settings.crawl.polite and settings.crawl.concurrent_per_domain == 1


def test_the_environment_overrides_the_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "govwatch.toml"
    config.write_text('replica_url = "http://127.0.0.1:1"\n[crawl]\ndownload_delay = 5\n')
    monkeypatch.setenv("GOVWATCH_CONFIG", str(config))
    monkeypatch.setenv("GOVWATCH_CRAWL__DOWNLOAD_DELAY", "7")
    settings = load_settings()
    assert settings.replica_url == "http://127.0.0.1:1"
    assert settings.crawl.download_delay == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bogus = 1\n", "bogus (or GOVWATCH_BOGUS): unknown key"),
        (
            "[crawl]\ndownload_delay = -1\n",
            "crawl.download_delay (or GOVWATCH_CRAWL__DOWNLOAD_DELAY)",
        ),
        ("[crawl\n", "not valid TOML"),
    ],
)
def test_a_broken_config_key_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "govwatch.toml"
    config.write_text(content)
    monkeypatch.setenv("GOVWATCH_CONFIG", str(config))
    with pytest.raises(UserError) as error:
        load_settings()
    assert message in str(error.value) and str(config) in str(error.value)


def test_the_packaged_registry_loads_and_names_only_known_adapters() -> None:
    registry = load_registry()
    assert {s.province_code for s in registry.sources} >= {"310000", "500000", "620000", "000000"}
    assert all(s.adapter in ADAPTERS for s in registry.sources)


def test_confidence_follows_the_date_of_the_newest_evidence() -> None:
    base = {
        "id": "x",
        "name": "n",
        "province_code": "620000",
        "kind": "policy",
        "adapter": "trs_static",
        "entry_urls": ["https://www.gansu.gov.cn/"],
    }
    old = {"ref": "someone/crawler spider.py@0123456789ab", "seen": "2021-12", "shows": "list"}
    new = {**old, "seen": "2024-01"}

    assert Source(**base).confidence == "guess"
    assert Source(**base, evidence=[old]).confidence == "older"
    assert Source(**base, evidence=[old, new]).confidence == "confirmed"
    with pytest.raises(ValueError, match="seen"):
        Source(**base, evidence=[{**old, "seen": "2024-13"}])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('province = "atlantis"\n', "province: unknown province 'atlantis'"),
        ('province = "gansu"\n[[source]]\nid = "x"\n', "source[x].name: Field required"),
        (
            'province = "gansu"\n[[source]]\nid = "x"\nname = "n"\nkind = "policy"\nadapter = "nope"\n'
            'entry_urls = ["http://a/"]\n',
            "source[x].adapter: Value error, unknown adapter 'nope'",
        ),
        (
            'province = "gansu"\n[[source]]\nid = "x"\nname = "n"\nkind = "policy"\nadapter = "trs_static"\n'
            'entry_urls = ["ftp://a/"]\n',
            "source[x].entry_urls",
        ),
        ('province = "gansu"\nsources = []\n', "sources: unknown key"),
    ],
)
def test_a_broken_registry_file_is_named_with_its_key(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "gansu.toml").write_text(content)
    with pytest.raises(UserError) as error:
        load_registry(tmp_path)
    assert str(tmp_path / "gansu.toml") in str(error.value)
    assert message in str(error.value)


def test_a_source_id_defined_twice_is_refused(tmp_path: Path) -> None:
    text = (PACKAGED_REGISTRY / "gansu.toml").read_text()
    (tmp_path / "a.toml").write_text(text)
    (tmp_path / "b.toml").write_text(text)
    with pytest.raises(UserError, match="also defined in"):
        load_registry(tmp_path)


TRS_LIST = """<html><body><ul class="list">
<li><a href="./202401/t20240125_1234567.html" title="关于区块链的通知">关于区块链…</a><span>2024-01-25</span></li>
<li><a href="./202312/t20231201_1234000.html">另一份文件</a><span>2023年12月1日</span></li>
<li><a href="/other/index.html">栏目</a></li>
</ul><script>createPageHTML(7, 2, "index", "html");</script></body></html>"""


def test_trs_list_reads_items_titles_dates_ids_and_pager() -> None:
    page = TrsStaticAdapter().parse_list("http://x.gov.cn/col/index_2.html", TRS_LIST)
    assert (page.total_pages, page.page_index) == (7, 2)
    assert [i.url for i in page.items] == [
        "http://x.gov.cn/col/202401/t20240125_1234567.html",
        "http://x.gov.cn/col/202312/t20231201_1234000.html",
    ]
    assert page.items[0].title == "关于区块链的通知"  # the full title attribute, not the cut text
    assert str(page.items[1].date) == "2023-12-01"
    assert page.items[0].site_doc_id == "1234567"


def test_trs_chongqing_pager_variant_and_page_urls() -> None:
    page = TrsStaticAdapter().parse_list("http://x/", 'createPage(34, 0, "index", "html");')
    assert page.total_pages == 34
    adapter = TrsStaticAdapter()
    assert adapter.page_url("http://x/a/index.html", 0) == "http://x/a/index.html"
    assert adapter.page_url("http://x/a/index.html", 3) == "http://x/a/index_3.html"
    assert adapter.page_url("http://x/a/", 1) == "http://x/a/index_1.html"


def test_the_example_config_in_deploy_is_valid_and_says_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    from crawler.browser.pool import BrowserSettings
    from crawler.config import AlertSettings, CrawlSettings, ServiceSettings
    from tests.service_helpers import use_only_env

    example = Path(__file__).parents[1] / "deploy" / "govwatch.example.toml"
    use_only_env(monkeypatch, {"GOVWATCH_CONFIG": str(example)})
    settings = load_settings()
    assert settings.crawl == CrawlSettings()
    assert settings.alerts == AlertSettings()
    assert settings.service == ServiceSettings()
    assert settings.browser == BrowserSettings()
    text = example.read_text(encoding="utf-8")
    for model in (CrawlSettings, AlertSettings, ServiceSettings, BrowserSettings):
        for name in model.model_fields:  # every key is shown, set or commented out
            assert re.search(rf"^#? ?{name} = ", text, re.MULTILINE), (model.__name__, name)


def test_an_option_an_adapter_does_not_know_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="adapter 'generic_list' has no option 'item_selector'"):
        Source(
            id="x",
            name="n",
            province_code="620000",
            kind="policy",
            adapter="generic_list",
            entry_urls=["https://www.gansu.gov.cn/"],
            options={"item_selector": "li"},
        )


def test_every_source_carries_its_evidence_and_the_registry_says_what_is_missing() -> None:
    sources = load_registry().sources
    assert all(s.evidence or s.confidence == "guess" for s in sources)
    # Evidence that shows an entry of a family govwatch lacks leaves the source a guess.
    assert all(s.confidence == "guess" for s in sources if s.needs)
    confirmed = [s for s in sources if s.confidence == "confirmed"]
    assert len(confirmed) >= len(sources) // 2, "most sources are confirmed by 2024+ evidence"
