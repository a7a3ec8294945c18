"""Soak: many simulated clicks through the service's real click path, then check nothing was lost.

A lesson runs the app for an hour or more. This replays `shopdemo.simulator` sessions through
`ShopService` exactly as the window does per click (log the click, both models' panel state,
log the impressions shown), with no Qt. The service runs on a SQLite file store and
random-weight GRU4Rec and SASRec of the default sizes of their Config() classes. The models
skip every `--unknown-every`-th product, so their unknown-item path runs too. It prints the
throughput, the latency percentiles per click, and the RSS (/proc/self/statm) at intervals.
At the end it exports the store to TSV and checks that the export equals what was sent: the
same sessions, items and order. Exit status 1 if any check fails.

    .venv/bin/python bench/bench_soak.py [--clicks 100000] [--seed 1] [--unknown-every 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from shopdemo.catalog import Catalog, load_catalog
from shopdemo.data.readers import read_sessions
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender
from shopdemo.service import MAIN_MODELS, TITLES, ModelSlot, ShopService
from shopdemo.simulator import simulate
from shopdemo.store import SessionStore, export_events

K = 10  # list length the panel shows by default
RSS_SAMPLES = 10  # RSS is read after every tenth of the clicks (and before the first)


def rss_mb() -> float:
    """Resident set size of this process in MiB, from /proc/self/statm (Linux)."""
    with open("/proc/self/statm") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def random_models(item_ids: np.ndarray, seed: int) -> dict[str, object]:
    """GRU4Rec and SASRec at their Config() sizes with random weights over `item_ids`."""
    torch.manual_seed(seed)
    gru = GRU4Rec(GRU4RecConfig(), len(item_ids)).eval()
    sas = SASRec(SASRecConfig(), len(item_ids)).eval()
    return {
        "gru4rec": GRU4RecRecommender(gru, item_ids),
        "sasrec": SASRecRecommender(sas, item_ids),
    }


def simulated_sessions(catalog: Catalog, clicks: int, seed: int) -> list[list[int]]:
    """Simulated sessions holding exactly `clicks` clicks (the last one cut short if needed)."""
    sessions: list[list[int]] = []
    estimate = max(1, clicks // 3)
    while sum(len(session) for session in sessions) < clicks:
        sessions = [list(map(int, s)) for s in simulate(catalog, estimate, seed).item_sequences()]
        estimate *= 2
    kept, total = [], 0
    for session in sessions:
        take = session[: clicks - total]
        kept.append(take)
        total += len(take)
        if total == clicks:
            break
    return kept


@dataclass
class SoakResult:
    """What one soak run measured and checked."""

    clicks: int  # clicks sent through the service
    sessions: int  # visitors (one simulated session each)
    seconds: float  # wall time of the replay (every click and new visitor, no export)
    latencies_ms: np.ndarray  # (clicks,) log + both models' panel state + impressions, per click
    rss: list[tuple[int, float]] = field(default_factory=list)  # (clicks done, RSS MiB)
    export_equal: bool = False  # the exported TSV holds exactly the sessions sent, in order
    exported_clicks: int = 0  # clicks in the exported TSV
    impressions: int = 0  # impression lists in the store (2 per click expected)
    unknown_clicks: int = 0  # clicks on products the models do not know
    unknown_reported: bool = True  # pred.unknown named exactly those clicks, every time
    integrity: str = ""  # SQLite's integrity_check at the end

    @property
    def clicks_per_second(self) -> float:
        return self.clicks / self.seconds

    def percentile(self, share: float) -> float:
        return float(np.percentile(self.latencies_ms, share * 100))

    def rss_at(self, share: float) -> float:
        """RSS at the first sample taken once `share` of the clicks were done."""
        return next(mb for done, mb in self.rss if done >= share * self.clicks)

    @property
    def ok(self) -> bool:
        return (
            self.export_equal
            and self.impressions == len(MAIN_MODELS) * self.clicks
            and self.unknown_reported
            and self.integrity == "ok"
        )


def run_soak(
    clicks: int,
    seed: int,
    folder: Path,
    unknown_every: int = 50,
    progress: Callable[[int], None] | None = None,
) -> SoakResult:
    """Replay `clicks` simulated clicks through a fresh store in `folder`; see the module doc."""
    torch.set_num_threads(1)  # DESIGN.md: inference runs on one torch thread
    catalog = load_catalog()
    product_ids = np.array([product.id for product in catalog.products], dtype=np.int64)
    known = product_ids[np.arange(len(product_ids)) % unknown_every != unknown_every - 1]
    sessions = simulated_sessions(catalog, clicks, seed)
    store = SessionStore(f"sqlite:///{folder / 'soak.sqlite3'}")
    service = ShopService(catalog, store, [ModelSlot(key, TITLES[key]) for key in MAIN_MODELS])
    for key, model in random_models(known, seed).items():
        service.install(key, model, "random weights", "none")
    known_set = {int(item) for item in known}
    latencies = np.empty(clicks, dtype=np.float64)
    result = SoakResult(clicks, len(sessions), 0.0, latencies, rss=[(0, rss_mb())])
    numbers, done = [], 0
    sample_every = max(1, clicks // RSS_SAMPLES)
    started = time.perf_counter()
    for session in sessions:
        numbers.append(service.new_visitor())
        shown: dict[str, list[int]] = {}
        for item in session:
            source = next((f"rec_{key}" for key, items in shown.items() if item in items), "browse")
            tick = time.perf_counter()
            service.record_click(item, source)
            state = service.predict(
                service.clicks, K, 1.0, service.session_number, service.events_logged
            )
            service.log_shown(state)
            latencies[done] = (time.perf_counter() - tick) * 1000
            unknown = [click for click in service.clicks if click not in known_set]
            result.unknown_clicks += item not in known_set
            for view in state.views.values():
                result.unknown_reported &= view.prediction.unknown == unknown
            shown = {key: view.prediction.items for key, view in state.views.items()}
            done += 1
            if done % sample_every == 0 or done == clicks:
                result.rss.append((done, rss_mb()))
            if progress is not None and done % 1000 == 0:
                progress(1000)
    result.seconds = time.perf_counter() - started
    result.integrity = store.integrity_check()
    result.impressions = sum(len(store.impressions(number)) for number in numbers)
    out = folder / "soak-export.tsv"
    export_events(store, out, "tsv")
    exported = read_sessions(out, "tsv")
    result.exported_clicks = len(exported)
    exported_numbers = [int(number) for number, _ in exported.sessions()]
    result.export_equal = exported_numbers == numbers and [
        [int(item) for item in items] for items in exported.item_sequences()
    ] == [list(session) for session in sessions]
    service.close()
    return result


def report(result: SoakResult) -> str:
    growth = result.rss_at(1.0) - result.rss_at(0.2)
    yes = {True: "yes", False: "NO"}
    rss = ", ".join(
        f"{100 * done // result.clicks}%: {mb:.0f}" for done, mb in result.rss if done > 0
    )
    return "\n".join(
        [
            f"clicks: {result.clicks:,} in {result.sessions:,} sessions, "
            f"{result.seconds:.1f} s -> {result.clicks_per_second:.0f} clicks/s",
            f"latency per click (log + both models + impressions), ms: "
            f"p50 {result.percentile(0.5):.2f}, p95 {result.percentile(0.95):.2f}, "
            f"p99 {result.percentile(0.99):.2f}, max {result.latencies_ms.max():.1f}",
            f"RSS MiB: before {result.rss[0][1]:.0f}; {rss}",
            f"RSS growth from 20% to 100% of the clicks: {growth:+.1f} MiB",
            f"export: {result.exported_clicks:,} clicks, equal to what was sent "
            f"(sessions, items, order): {yes[result.export_equal]}",
            f"impressions: {result.impressions:,} "
            f"(2 per click: {yes[result.impressions == 2 * result.clicks]})",
            f"clicks on products the models do not know: {result.unknown_clicks:,}, "
            f"reported in pred.unknown every time: {yes[result.unknown_reported]}",
            f"integrity_check: {result.integrity}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--unknown-every", type=int, default=50, metavar="N")
    args = parser.parse_args()
    from tqdm import tqdm

    with (
        tempfile.TemporaryDirectory() as folder,
        tqdm(total=args.clicks, unit="click", file=sys.stderr) as bar,
    ):
        result = run_soak(args.clicks, args.seed, Path(folder), args.unknown_every, bar.update)
    print(report(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
