"""Fit and evaluate the six baselines on rsc15-100k and print them next to the README reference.

Timings are printed, never asserted (they depend on the machine). Run from the repository root:
    .venv/bin/python bench/bench_baselines.py [--data ../shared/data] [--ties conservative]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from shopdemo.baselines import BASELINES, fit_baseline
from shopdemo.data.readers import read_sessions
from shopdemo.evaluation import evaluate

# Recall@20, MRR@20 from ../shared/data/README.md (conservative ties).
REFERENCE = {
    "pop": (0.0717, 0.0170),
    "spop": (0.1690, 0.0781),
    "markov": (0.4936, 0.2522),
    "sr": (0.5360, 0.2571),
    "cooc": (0.5666, 0.2569),
    "sknn": (0.5478, 0.1693),
}
DEFAULT_DATA = Path(
    os.environ.get(
        "SHOPDEMO_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--ties", default="conservative")
    args = parser.parse_args()
    train = read_sessions(args.data / "rsc15-100k" / "train.tsv")
    test = read_sessions(args.data / "rsc15-100k" / "test.tsv")
    started = time.perf_counter()
    print(
        f"{'model':7s} {'fit s':>6s} {'eval s':>6s} {'R@20':>7s} {'ref':>7s} {'diff':>7s}"
        f" {'MRR@20':>7s} {'ref':>7s} {'diff':>7s}"
    )
    for name in BASELINES:
        fit_started = time.perf_counter()
        model = fit_baseline(name, train)
        fit_seconds = time.perf_counter() - fit_started
        result = evaluate({name: model}, test, train=train, cutoffs=(20,), ties=args.ties)
        recall, mrr = result.metrics[name]["Recall@20"], result.metrics[name]["MRR@20"]
        ref_recall, ref_mrr = REFERENCE[name]
        print(
            f"{name:7s} {fit_seconds:6.2f} {result.seconds:6.2f} {recall:7.4f} {ref_recall:7.4f}"
            f" {recall - ref_recall:+7.4f} {mrr:7.4f} {ref_mrr:7.4f} {mrr - ref_mrr:+7.4f}"
        )
    print(
        f"targets {result.targets}, skipped {result.skipped}, ties {args.ties}; "
        f"all six fitted and evaluated in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
