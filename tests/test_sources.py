"""Seed metadata: status, adding a seed, refusing copies, mirrors and script twins."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from duikou.errors import IngestError
from duikou.ingest.sources import add_seed, han_shingles, load_sources, overlap, to_simplified
from tests.helpers import raises_code

ARTICLE = ("厦门市思明区向临夏市捐赠帮扶资金300万元，用于支持当地学校建设和医疗设备更新。"
           "思明区还选派12名教师和8名医生赴临夏开展为期一年的帮扶工作，"
           "双方签订了东西部协作框架协议，计划三年内共建产业园区两个。")


def _add(seeds: Path, text: str, **kw: object) -> dict:
    meta = {"url": "https://example.org/a", "query": "思明 临夏", "retrieved": "2026-11-25",
            "script": "simplified", **kw}
    return add_seed(seeds, text.encode("utf-8"), source_name="new.txt", **meta)


def test_added_seed_is_a_byte_copy_listed_as_pending(seeds_copy: Path) -> None:
    before = len(load_sources(seeds_copy))
    entry = _add(seeds_copy, ARTICLE)
    assert entry["status"] == "pending" and entry["url"] == "https://example.org/a"
    raw = (seeds_copy / entry["file"]).read_bytes()
    assert raw == ARTICLE.encode("utf-8")
    assert entry["id"].endswith(hashlib.sha256(raw).hexdigest()[:16])
    docs = load_sources(seeds_copy)
    assert len(docs) == before + 1
    assert next(d for d in docs if d.id == entry["id"]).status == "pending"


def test_a_traditional_twin_of_a_seed_is_refused(seeds_copy: Path) -> None:
    _add(seeds_copy, ARTICLE)
    twin = ("廈門市思明區向臨夏市捐贈幫扶資金300萬元，用於支持當地學校建設和醫療設備更新。"
            "思明區還選派12名教師和8名醫生赴臨夏開展為期一年的幫扶工作，"
            "雙方簽訂了東西部協作框架協議，計劃三年內共建產業園區兩個。")
    with raises_code(IngestError, "DK-INGEST-014"):
        _add(seeds_copy, twin, script="traditional")


def test_a_mirror_with_other_furniture_is_refused(seeds_copy: Path) -> None:
    _add(seeds_copy, ARTICLE)
    with raises_code(IngestError, "DK-INGEST-011"):  # furniture removed: the same text
        _add(seeds_copy, "首页 > 新闻 > 正文\n" + ARTICLE + "\n相关新闻\n")
    with raises_code(IngestError, "DK-INGEST-014"):  # a line more: still the same article
        _add(seeds_copy, ARTICLE + "\n当地干部群众对这次帮扶工作表示衷心感谢。\n")


def test_overlap_of_unrelated_texts_is_low() -> None:
    a = han_shingles(ARTICLE)
    b = han_shingles("北京市对口支援玉树地震灾后重建项目今年全部开工，援建指挥部组织五千名建设者。")
    assert overlap(a, b) < 0.1
    assert overlap(a, a) == 1.0
    assert to_simplified("對口支援") == "对口支援"


def _edit_entry(seeds: Path, **changes: object) -> None:
    meta = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    meta["documents"][0].update(changes)
    (seeds / "sources.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True),
                                        encoding="utf-8")


def test_a_file_entry_outside_seeds_is_refused(seeds_copy: Path) -> None:
    _edit_entry(seeds_copy, file="../LICENSE-DATA")
    with raises_code(IngestError, "DK-INGEST-013"):
        load_sources(seeds_copy)


def test_an_unknown_status_is_refused(seeds_copy: Path) -> None:
    _edit_entry(seeds_copy, status="maybe")
    with raises_code(IngestError, "DK-INGEST-012"):
        load_sources(seeds_copy)


def test_corpus_add_command_lists_the_page_as_pending(seeds_copy: Path, tmp_path: Path,
                                                        monkeypatch, capsys) -> None:
    from duikou.app.cli import main

    monkeypatch.setenv("DUIKOU_ROOT", str(seeds_copy.parent))
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE + "\n", encoding="utf-8")
    assert main(["corpus", "add", str(page), "--url", "https://example.org/p", "--retrieved",
                 "2026-11-25", "--script", "simplified", "--pairing-group", "福建→甘肃"]) == 0
    assert "status pending" in capsys.readouterr().out
    added = [d for d in load_sources(seeds_copy) if d.url == "https://example.org/p"]
    assert len(added) == 1 and added[0].pairing_group == "福建→甘肃"
    assert main(["corpus", "add", str(page), "--url", "https://example.org/q", "--retrieved",
                 "2026-11-25", "--script", "simplified"]) == 2  # the same page again
