"""The shopper simulator: seeded and byte-identical, with the structure the models should learn."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from shopdemo.catalog import load_catalog
from shopdemo.cli import main
from shopdemo.data.events import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.simulator import SimulatorConfig, session_stats, simulate

CONFIG = SimulatorConfig()


@pytest.fixture(scope="module")
def log() -> SessionLog:
    return simulate(load_catalog(), 20_000, seed=7)


def subcategories(log: SessionLog) -> list[list[str]]:
    catalog = load_catalog()
    return [[catalog.get(int(i)).subcategory for i in items] for items in log.item_sequences()]


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    paths = {}
    for name, seed in [("a", 3), ("b", 3), ("c", 4)]:
        paths[name] = tmp_path / f"{name}.tsv"
        assert (
            main(["simulate", "--sessions", "1500", "--seed", str(seed), "--out", str(paths[name])])
            == 0
        )
    assert paths["a"].read_bytes() == paths["b"].read_bytes()
    assert paths["a"].read_bytes() != paths["c"].read_bytes()


def test_cli_writes_n_sessions_and_stats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.tsv"
    assert main(["simulate", "--sessions", "300", "--seed", "1", "--out", str(out), "--stats"]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "SessionId\tItemId\tTime"
    sessions = [int(row.split("\t")[0]) for row in rows[1:]]
    assert sorted(set(sessions)) == list(range(1, 301))
    printed = capsys.readouterr().out
    assert "wrote 300 sessions" in printed and "switch rate" in printed
    assert "Power Tools" in printed and "21+ clicks" in printed


def test_log_is_well_formed(log: SessionLog) -> None:
    catalog = load_catalog()
    assert log.n_sessions == 20_000
    assert np.array_equal(np.unique(log.session_ids), np.arange(1, 20_001))
    assert set(np.unique(log.item_ids).tolist()) <= {p.id for p in catalog.products}
    same = log.session_ids[1:] == log.session_ids[:-1]
    assert (np.diff(log.times)[same] >= 1).all()  # at least a second between clicks
    assert not (same & (log.item_ids[1:] == log.item_ids[:-1])).any()  # no repeated click
    assert log.times[0] >= CONFIG.start_epoch and (log.times == np.round(log.times)).all()


def test_statistics_inside_configured_ranges(log: SessionLog) -> None:
    stats = session_stats(log, load_catalog(), CONFIG)
    low, high = CONFIG.switch_share_range
    assert low <= stats.switch_share <= high
    low, high = CONFIG.funnel_share_range
    assert low <= stats.funnel_share <= high
    short = sum(stats.length_histogram[k] for k in ("2", "3", "4")) / stats.sessions
    assert short >= 0.5 and stats.length_histogram["21+"] >= 0.005 * stats.sessions
    assert stats.gift_share >= 0.25 * stats.switch_share  # the story is a prominent switch
    assert stats.repeats == 0
    assert set(stats.department_mix) == {d.name for d in load_catalog().departments}


def test_stats_hand_computed() -> None:
    catalog = load_catalog()

    def first(subcategory: str) -> int:
        return next(p.id for p in catalog.products if p.subcategory == subcategory)

    drill, bits, bodysuit, bib = (first(s) for s in ("Drills", "Drill Bits", "Bodysuits", "Bibs"))
    tiny = SessionLog(
        np.array([1, 1, 1, 2, 2, 3, 3]),
        np.array([drill, bits, bodysuit, bodysuit, bib, bib, bib]),
        np.arange(7, dtype=np.float64),
    )
    stats = session_stats(tiny, catalog, CONFIG)
    # pairs: drill->bits (funnel), bits->bodysuit (switch), bodysuit->bib (funnel), bib->bib
    assert stats.funnel_share == pytest.approx(2 / 4)
    assert stats.switch_share == pytest.approx(1 / 3)
    assert stats.gift_share == pytest.approx(1 / 3)
    assert stats.repeats == 1
    assert stats.length_histogram == {
        "2": 2,
        "3": 1,
        "4": 0,
        "5": 0,
        "6-10": 0,
        "11-20": 0,
        "21+": 0,
    }
    assert stats.department_mix == {
        "Baby Clothing": 5 / 7,
        "Power Tools": 2 / 7,
        **{d.name: 0.0 for d in catalog.departments[2:]},
    }


def test_a_switch_to_baby_clothing_stays_there(log: SessionLog) -> None:
    catalog = load_catalog()
    gift_sessions = 0
    for items in log.item_sequences():
        departments = [catalog.get(int(i)).department for i in items]
        if departments[0] == "Power Tools" and "Baby Clothing" in departments:
            gift_sessions += 1
            switch = departments.index("Baby Clothing")
            assert set(departments[switch:]) == {"Baby Clothing"}
            assert set(departments[:switch]) == {"Power Tools"}
    assert gift_sessions >= 0.04 * log.n_sessions


def test_funnels_run_forwards(log: SessionLog) -> None:
    pairs = Counter(
        pair for subs in subcategories(log) for pair in zip(subs, subs[1:], strict=False)
    )
    for before, after in [
        ("Drills", "Drill Bits"),
        ("Drill Bits", "Safety Glasses"),
        ("Phones", "Phone Cases"),
        ("Bodysuits", "Bibs"),
    ]:
        assert pairs[(before, after)] > 5 * max(pairs[(after, before)], 1)


def test_popularity_has_a_long_tail(log: SessionLog) -> None:
    drills = [p.id for p in load_catalog().in_department("Power Tools", "Drills")]
    clicks = sorted((int((log.item_ids == i).sum()) for i in drills), reverse=True)
    assert clicks[0] > 3 * clicks[len(clicks) // 2] and clicks[-1] > 0


def test_bad_settings_are_refused() -> None:
    catalog = load_catalog()
    with pytest.raises(ShopDemoError, match="at least 1"):
        simulate(catalog, 0, seed=1)
    with pytest.raises(ShopDemoError, match="unknown department 'Hardware'"):
        simulate(catalog, 5, seed=1, config=SimulatorConfig(department_mix=(("Hardware", 1.0),)))
