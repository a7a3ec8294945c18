"""Latency of logging one click and one shown list (the app's hot paths), and import speed.

Prints measured numbers; it asserts nothing. Run: `.venv/bin/python bench/bench_store.py`
(optionally `--clicks N` and `--import FILE --format F`). Uses a temporary SQLite file in WAL
mode, as the app does.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from shopdemo.store import SessionStore, import_file


def bench_clicks(store: SessionStore, clicks: int) -> list[float]:
    """Seconds per `log_event` call, one click per call, as the GUI logs them."""
    session = store.current_session()
    for item in range(50):  # warm up the connection pool and statement caches
        store.log_event(session.number, item)
    timings = []
    for item in range(clicks):
        start = time.perf_counter()
        store.log_event(session.number, item % 1000, source="rec_gru4rec")
        timings.append(time.perf_counter() - start)
    return timings


def bench_impressions(store: SessionStore, lists: int) -> list[float]:
    """Seconds per `log_impressions` call: one model's top-10 list, as the predictor logs it."""
    session = store.current_session()
    items, probs = list(range(10)), [0.1] * 10
    for position in range(50):  # warm up
        store.log_impressions(session.number, position, "gru4rec", items, probs)
    timings = []
    for position in range(lists):
        start = time.perf_counter()
        store.log_impressions(session.number, position, "sasrec", items, probs)
        timings.append(time.perf_counter() - start)
    return timings


def describe(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return (
        f"median {statistics.median(timings) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms, "
        f"max {timings[-1] * 1e3:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks", type=int, default=2000, help="clicks to time")
    parser.add_argument("--import", dest="import_path", help="also time importing this file")
    parser.add_argument("--format", default="tsv", help="format of the imported file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        with SessionStore(url) as store:
            print(f"log_event: {args.clicks} clicks, {describe(bench_clicks(store, args.clicks))}")
            lists = bench_impressions(store, args.clicks)
            print(f"log_impressions: {args.clicks} top-10 lists, {describe(lists)}")
            if args.import_path:
                start = time.perf_counter()
                summary = import_file(store, args.import_path, args.format)
                seconds = time.perf_counter() - start
                print(
                    f"import {args.import_path}: {summary.events} events, {summary.sessions} "
                    f"sessions in {seconds:.2f} s ({summary.events / seconds:,.0f} events/s)"
                )
                start = time.perf_counter()
                log = store.training_log(origins=["imported"])
                print(f"training_log: {len(log)} events in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
