"""The soak benchmark's small variant: a thousand clicks through the service, and nothing lost.

`bench/bench_soak.py` replays simulated clicks through `ShopService` (a SQLite store and
random-weight GRU4Rec and SASRec of the default sizes) as the window does per click. Here it
runs 1,000 clicks. The exported TSV must equal what was sent, every list shown must be logged
once, and the resident memory must stay flat. Timings are printed by the bench, never asserted.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from test_ui_support import make_service

from shopdemo.service import ShopService, shop


@functools.cache
def load_bench():  # noqa: ANN201 - the bench module
    spec = importlib.util.spec_from_file_location(
        "bench_soak", REPO_ROOT / "bench" / "bench_soak.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_soak"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_thousand_clicks_through_the_service_lose_nothing(tmp_path: Path) -> None:
    bench = load_bench()
    result = bench.run_soak(1_000, seed=3, folder=tmp_path, unknown_every=25)
    assert result.clicks == 1_000 and len(result.latencies_ms) == 1_000
    assert result.export_equal and result.exported_clicks == 1_000
    assert result.impressions == 2 * 1_000  # both models' lists, each logged once per click
    assert result.unknown_clicks > 0 and result.unknown_reported  # the unknown-item path ran
    assert result.integrity == "ok" and result.ok
    assert [done for done, _ in result.rss] == [0, *range(100, 1_001, 100)]
    assert result.rss_at(1.0) - result.rss_at(0.2) < 50  # MiB: generous, a leak shows far more
    assert "equal to what was sent (sessions, items, order): yes" in bench.report(result)


def test_the_export_check_catches_a_lost_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The soak's equality check can fail: a service that loses one click is caught."""
    bench = load_bench()
    real_record_click = ShopService.record_click
    calls = []

    def lose_the_30th_click(service: ShopService, item_id: int, source: str = "browse") -> tuple:
        calls.append(item_id)
        if len(calls) != 30:
            return real_record_click(service, item_id, source)
        service._clicks.append(int(item_id))  # acknowledged, never logged
        service._events += 1
        return service.clicks

    monkeypatch.setattr(ShopService, "record_click", lose_the_30th_click)
    result = bench.run_soak(60, seed=3, folder=tmp_path)
    assert result.exported_clicks == 59 and not result.export_equal and not result.ok


def test_logged_impressions_are_remembered_for_recent_sessions_only(tmp_path: Path) -> None:
    """Each list is logged once, and a long lesson does not pile up one marker per click."""
    service = make_service(tmp_path)
    numbers = []
    for visitor in range(3 * shop.SHOWN_SESSIONS):
        numbers.append(service.new_visitor())
        for item in (100 + visitor, 200 + visitor):
            service.record_click(item)
            state = service.predict(
                service.clicks, 5, 1.0, service.session_number, service.events_logged
            )
            service.log_shown(state)
            service.log_shown(state)  # shown again (a repaint): not logged twice
        assert len(service._shown) <= shop.SHOWN_SESSIONS
    assert all(len(service.store.impressions(number)) == 2 * 2 for number in numbers)
    service.close()
