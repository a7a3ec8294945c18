"""SASRec speed: seconds per training epoch on rsc15-100k and ML-1M, and one live click's latency.

Timings are printed, never asserted (they depend on the machine and its load). The click latency
uses random weights and the store's default config: one `predict` (the whole session through the
Transformer, scores over the catalogue, softmax, top 10, attention extras) per click.
Run from the repository root:
    .venv/bin/python bench/bench_sasrec.py [--data ../shared/data] [--threads 1] [--skip-ml1m]
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
from shopdemo.data.splits import drop_last
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender, build_task
from shopdemo.paths import assets_dir
from shopdemo.training import run_training, seed_everything

DEFAULT_DATA = Path(
    os.environ.get(
        "SHOPDEMO_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
)


def shipped_config(name: str) -> SASRecConfig:
    return load_config(SASRecConfig, str(assets_dir() / "configs" / name), {})


def epoch_seconds(label: str, train, config: SASRecConfig, epochs: int) -> None:  # noqa: ANN001
    generator = seed_everything(1)  # before the model: it seeds the initial weights
    task = build_task(config, train)
    reports = list(run_training(task, epochs=epochs, generator=generator))
    seconds = [report.seconds for report in reports]
    rates = [report.targets_per_second for report in reports]
    print(
        f"{label}, {torch.get_num_threads()} thread(s), {len(task.windows.first):,} windows "
        f"of max_len {config.max_len}, {len(task.item_ids):,} items:"
    )
    print(
        f"  seconds per epoch: median {statistics.median(seconds):.2f} "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}) over {epochs} epoch(s)"
    )
    print(f"  targets per second: median {statistics.median(rates):,.0f}")


def click_latency(n_items: int, config: SASRecConfig, clicks: int) -> tuple[float, float]:
    """(median, p95) milliseconds of one live click with random weights."""
    torch.manual_seed(0)
    model = SASRecRecommender(SASRec(config, n_items).eval(), np.arange(1, n_items + 1))
    rng = np.random.default_rng(0)
    session: list[int] = []
    times = []
    for click in range(clicks + 20):
        session.append(int(rng.integers(1, n_items + 1)))
        started = time.perf_counter()
        model.predict(session, k=10)
        if click >= 20:  # warm-up clicks are not timed
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1, help="epochs timed on each dataset")
    parser.add_argument("--clicks", type=int, default=200, help="timed clicks per catalogue size")
    parser.add_argument("--skip-ml1m", action="store_true", help="time rsc15 only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rsc15 = read_sessions(args.data / "rsc15-100k" / "train.tsv")
    epoch_seconds(
        "rsc15-100k train.tsv, sasrec-rsc15.toml",
        rsc15,
        shipped_config("sasrec-rsc15.toml"),
        args.epochs,
    )
    if not args.skip_ml1m:
        users = read_sessions(args.data / "ml-1m" / "ml-1m-approx.txt", "sequences")
        epoch_seconds(
            "ml-1m-approx.txt (all but each user's last 2), sasrec-ml1m.toml",
            drop_last(users, 2),
            shipped_config("sasrec-ml1m.toml"),
            args.epochs,
        )

    config = SASRecConfig()
    print(
        f"single-click latency, random weights, default config (max_len {config.max_len}, "
        f"hidden {config.hidden}, {config.layers} layers, {config.heads} heads), "
        f"{args.clicks} clicks after 20 warm-up, sessions growing to {args.clicks + 20} clicks:"
    )
    for n_items in (1_000, 10_000, 50_000):
        median, p95 = click_latency(n_items, config, args.clicks)
        print(f"  {n_items:>6,} items: median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
