"""The blockchain matcher on real government work reports (see PROVENANCE.md)."""

from __future__ import annotations

import pytest

from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from tests.conftest import REPORTS, report_text


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_topics())


def blockchain(matcher: Matcher, text: str):  # type: ignore[no-untyped-def]
    hits = matcher.match(text)
    return hits[0] if hits else None


@pytest.mark.parametrize(
    ("report", "occurrences"),
    [
        ("2020_shanghai.txt", 1),
        ("2021_shanghai.txt", 0),
        ("2022_shanghai.txt", 1),
        ("2023_shanghai.txt", 0),
        # PROVENANCE.md says 2024 mentions it; the text holds the word three times.
        ("2024_shanghai.txt", 3),
    ],
)
def test_shanghai_reports_count_exactly_the_occurrences_of_qukuailian(
    matcher: Matcher, report: str, occurrences: int
) -> None:
    hit = blockchain(matcher, report_text(report))
    assert (hit.keywords.get("区块链", 0) if hit else 0) == occurrences


def test_national_reports_have_no_blockchain_hit_although_they_say_chanyelian_many_times(
    matcher: Matcher,
) -> None:
    national = sorted(p.name for p in REPORTS.glob("*_national*.txt"))
    assert len(national) == 10
    texts = {name: report_text(name) for name in national}
    assert sum(t.count("产业链") + t.count("供应链") for t in texts.values()) > 40
    for name, text in texts.items():
        assert matcher.match(text) == [], name


def test_the_2020_shanghai_hit_is_the_whole_sentence_with_its_technologies(
    matcher: Matcher,
) -> None:
    hit = blockchain(matcher, report_text("2020_shanghai.txt"))
    assert hit is not None
    assert hit.snippets == [
        "加快物联网、大数据、人工智能、【区块链】等信息技术推广应用，实施智慧城市场景开放计划。"
    ]
    assert hit.technologies == ["物联网", "大数据", "人工智能"]


def test_the_2024_shanghai_report_counts_shuju_shanglian_as_a_blockchain_mention(
    matcher: Matcher,
) -> None:
    hit = blockchain(matcher, report_text("2024_shanghai.txt"))
    assert hit is not None
    assert hit.keywords == {"区块链": 3, "上链": 1}
    assert hit.count == 4
    assert (
        "数据【上链】和政务【区块链】、“图网码”、一体化办公等攻坚行动取得积极成果。" in hit.snippets
    )
    assert "政务服务" in hit.scenarios


def test_supply_chain_and_industrial_chain_words_are_never_hits(matcher: Matcher) -> None:
    text = "完善产业链供应链协同机制，推行链长制。强化创新链产业链资金链人才链深度融合，提升价值链。发展冷链物流。"
    assert matcher.match(text) == []


def test_shanglian_counts_only_beside_data_not_in_other_words(matcher: Matcher) -> None:
    assert matcher.match("推动产业链上链主企业发展，打造线上链接平台。") == []
    hit = blockchain(matcher, "推进电子证照数据上链存证。")
    assert hit is not None and hit.keywords == {"上链": 1}


def test_overlapping_keywords_are_one_mention_and_marked_whole(matcher: Matcher) -> None:
    hit = blockchain(matcher, "依托区块链服务网络（BSN）建设平台。")
    assert hit is not None
    assert hit.count == 2  # 区块链服务网络 and BSN
    assert hit.snippets == ["依托【区块链服务网络】（【BSN】）建设平台。"]


def test_ascii_keywords_match_whole_words_only(matcher: Matcher) -> None:
    assert matcher.match("BSNX and blockchains-free text") == []
    hit = blockchain(matcher, "A Blockchain pilot.")
    assert hit is not None and hit.keywords == {"blockchain": 1}


def test_scenarios_are_reported_when_they_share_the_sentence(matcher: Matcher) -> None:
    hit = blockchain(
        matcher, "推动区块链技术在政务服务、农产品质量安全追溯、供应链金融等领域的应用。"
    )
    assert hit is not None
    assert set(hit.scenarios) == {"政务服务", "农产品溯源", "供应链金融"}


def test_the_gbk_transcript_decodes_and_has_no_hit(matcher: Matcher) -> None:
    text = report_text("2020_national_transcript.gbk.txt")
    assert "政府工作报告" in text
    assert matcher.match(text) == []


def test_the_replicas_bundled_reports_are_verbatim_copies_of_the_fixtures() -> None:
    from pathlib import Path

    bundled = sorted((Path(__file__).parents[1] / "replica" / "content").glob("*.txt"))
    assert len(bundled) == 14
    for path in bundled:
        assert path.read_bytes() == (REPORTS / path.name).read_bytes(), path.name


def test_the_test_fixtures_are_verbatim_copies_of_the_shared_ones_where_those_exist() -> None:
    from tests.conftest import FIXTURES, SHARED_FIXTURES

    if not SHARED_FIXTURES.is_dir():
        return  # a clone without the team's shared folder: the copies are all there is
    shared = sorted(
        p.relative_to(SHARED_FIXTURES) for p in SHARED_FIXTURES.rglob("*") if p.is_file()
    )
    ours = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*") if p.is_file())
    # Beside the copies: material gathered here (the real-notice corpus, real detail pages, real
    # answers of the CMS families), each with its provenance.
    gathered = {"notices", "detail_pages", "families"}
    assert [p for p in ours if p.parts[0] not in gathered] == shared
    for relative in shared:
        assert (FIXTURES / relative).read_bytes() == (SHARED_FIXTURES / relative).read_bytes()
