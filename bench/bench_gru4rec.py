"""GRU4Rec speed: seconds per training epoch on rsc15-100k, and the latency of one live click.

Timings are printed, never asserted (they depend on the machine and its load). The click latency
uses random weights: one `advance` (a GRU step from the kept hidden state) plus `prediction`
(scores over the whole catalogue, softmax, top 10), as the store's panel does per click.
Run from the repository root:
    .venv/bin/python bench/bench_gru4rec.py [--data ../shared/data] [--epochs 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from shopdemo.commands.train import load_config
from shopdemo.data.readers import read_sessions
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender, build_task
from shopdemo.paths import assets_dir
from shopdemo.training import run_training, seed_everything

DEFAULT_DATA = Path(
    os.environ.get(
        "SHOPDEMO_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
)
REFERENCE_SECONDS_PER_EPOCH = 6.8  # the reference implementation, one CPU thread (data README)


def rsc15_config() -> GRU4RecConfig:
    return load_config(GRU4RecConfig, str(assets_dir() / "configs" / "gru4rec-rsc15.toml"), {})


def epoch_seconds(data: Path, epochs: int) -> None:
    """Wall and CPU seconds per epoch: on a shared machine the wall time also counts the time
    other processes held the core, the process's CPU time does not."""
    train = read_sessions(data / "rsc15-100k" / "train.tsv")
    config = rsc15_config()
    task = build_task(config, train)
    wall, cpu, rates = [], [], []
    started = time.process_time()
    for report in run_training(task, epochs=epochs, generator=seed_everything(1)):
        cpu.append(time.process_time() - started)
        wall.append(report.seconds)
        rates.append(report.targets_per_second)
        started = time.process_time()
    print(
        f"rsc15-100k train.tsv, rsc15 config, {torch.get_num_threads()} thread(s), "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores:"
    )
    print(
        f"  wall seconds per epoch: median {statistics.median(wall):.2f} "
        f"(min {min(wall):.2f}, max {max(wall):.2f}) over {epochs} epochs; "
        f"reference implementation {REFERENCE_SECONDS_PER_EPOCH} s"
    )
    print(
        f"  CPU seconds per epoch: median {statistics.median(cpu):.2f} "
        f"(min {min(cpu):.2f}, max {max(cpu):.2f})"
    )
    print(f"  targets per second (wall): median {statistics.median(rates):,.0f}")


def click_latency(n_items: int, config: GRU4RecConfig, clicks: int) -> tuple[float, float]:
    """(median, p95) milliseconds of one live click with random weights."""
    torch.manual_seed(0)
    model = GRU4RecRecommender(GRU4Rec(config, n_items).eval(), np.arange(1, n_items + 1))
    rng = np.random.default_rng(0)
    times = []
    state = model.start_session()
    for click in range(clicks + 20):
        if click % 10 == 0:
            state = model.start_session()  # sessions of ten clicks
        item = int(rng.integers(1, n_items + 1))
        started = time.perf_counter()
        state = model.advance(state, item)
        model.prediction(state, k=10)
        if click >= 20:  # warm-up clicks are not counted
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clicks", type=int, default=300)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.skip_training:
        epoch_seconds(args.data, args.epochs)
    torch.set_num_threads(1)  # inference runs on one thread (DESIGN.md)
    for name, config in (
        ("store (100 units)", GRU4RecConfig()),
        ("rsc15 (224 units)", rsc15_config()),
    ):
        print(f"single-click latency, {name}, 1 thread, random weights:")
        for n_items in (1_000, 10_000, 50_000):
            median, p95 = click_latency(n_items, config, args.clicks)
            print(f"  {n_items:>6,} items: median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
