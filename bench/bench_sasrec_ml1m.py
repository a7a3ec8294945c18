"""SASRec on MovieLens-1M, the paper's benchmark: full-ranking HR@10/NDCG@10 beside sampled ones.

Leave-one-out (DESIGN.md `last` protocol): trains on all but each user's last two movies, stops
early on the second-to-last, and tests on the last, ranked against every movie with the user's
seen movies excluded. The sampled figures (target among 100 random unseen movies, as in the
paper) are printed only for comparison with published numbers: they inflate and can reorder.
Minutes, not seconds, so a benchmark rather than a test. Run from the repository root:
    .venv/bin/python bench/bench_sasrec_ml1m.py [--data ../shared/data] [--minutes 45] [--out F.pt]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import torch

from shopdemo.commands.train import load_config
from shopdemo.data.readers import read_sessions
from shopdemo.data.splits import drop_last
from shopdemo.evaluation import evaluate
from shopdemo.models.checkpoint import save_checkpoint
from shopdemo.models.sasrec import SASRecConfig, SASRecRecommender, build_task
from shopdemo.paths import assets_dir
from shopdemo.training import run_training, seed_everything

DEFAULT_DATA = Path(
    os.environ.get(
        "SHOPDEMO_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
)
SAMPLED_NEGATIVES = 100


def sampled_metrics(model: SASRecRecommender, users, seed: int) -> dict[str, float]:  # noqa: ANN001
    """HR@10 and NDCG@10 of each user's last movie among 100 unseen ones drawn uniformly."""
    rng = np.random.default_rng(seed)
    n_items = len(model.item_ids)
    prefixes, targets, negatives = [], [], []
    for _, items in users.sessions():
        known, _ = model.index.encode(items)
        if len(items) < 2 or items[-1] not in model.index:
            continue
        seen = set(known.tolist())
        drawn: list[int] = []
        while len(drawn) < SAMPLED_NEGATIVES:
            candidate = int(rng.integers(n_items))
            if candidate not in seen:
                drawn.append(candidate)
        prefixes.append(known[:-1])
        targets.append(known[-1])
        negatives.append(drawn)
    scores = model.score_next(prefixes)  # (users, n_items)
    rows = np.arange(len(targets))
    target_scores = scores[rows, targets]  # (users,)
    negative_scores = scores[rows[:, None], np.asarray(negatives)]  # (users, 100)
    ranks = (negative_scores >= target_scores[:, None]).sum(axis=1)  # 0 = first; ties count against
    hit = ranks < 10
    return {
        "HR@10": float(hit.mean()),
        "NDCG@10": float(np.where(hit, 1 / np.log2(ranks + 2), 0).mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--config", type=Path, default=assets_dir() / "configs" / "sasrec-ml1m.toml"
    )
    parser.add_argument("--minutes", type=float, default=45.0, help="training time budget")
    parser.add_argument("--epochs", type=int, help="override the config's epochs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also save the trained checkpoint here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    users = read_sessions(args.data / "ml-1m" / "ml-1m-approx.txt", "sequences")
    config = load_config(SASRecConfig, str(args.config), {"epochs": args.epochs})
    train, valid = drop_last(users, 2), drop_last(users, 1)
    generator = seed_everything(args.seed)  # before the model: it seeds the initial weights
    task = build_task(config, train)
    print(
        f"ml-1m: {users.n_sessions} users, {len(users)} events, {len(task.item_ids)} movies in "
        f"training; {config}; {torch.get_num_threads()} thread(s), budget {args.minutes} min",
        flush=True,
    )
    started = time.perf_counter()
    deadline = started + args.minutes * 60
    for report in run_training(
        task,
        epochs=config.epochs,
        generator=generator,
        valid=valid,
        train_log=train,
        patience=config.patience,
        protocol="last",
        should_stop=lambda: time.perf_counter() > deadline,
    ):
        elapsed = (time.perf_counter() - started) / 60
        print(
            f"epoch {report.epoch}: loss {report.loss:.4f}, {report.seconds:.0f} s, valid "
            f"R@20 {report.valid.get('Recall@20', float('nan')):.4f} "
            f"MRR@20 {report.valid.get('MRR@20', float('nan')):.4f}"
            f"{' best' if report.is_best else ''}{' (cancelled: time budget)' if report.cancelled else ''}"
            f", {elapsed:.1f} min so far",
            flush=True,
        )
    minutes = (time.perf_counter() - started) / 60
    model = task.recommender()  # the best epoch's weights, restored by the loop
    if args.out is not None:
        save_checkpoint(
            args.out,
            model="sasrec",
            config=dataclasses.asdict(config),
            state_dict=task.module.state_dict(),
            item_ids=task.item_ids,
            meta={
                "loss": config.loss,
                "seed": args.seed,
                "protocol": "last",
                "train": "ml-1m-approx.txt, all but each user's last two",
            },
        )

    result = evaluate(
        {"sasrec": model}, users, train=drop_last(users, 1), cutoffs=(10, 20), protocol="last"
    )
    full = result.metrics["sasrec"]
    sampled = sampled_metrics(model, users, args.seed)
    print(f"trained {minutes:.1f} min; test: {result.targets} users ({result.skipped} skipped)")
    print(
        f"  full ranking, seen excluded: HR@10 {full['Recall@10']:.5f}  NDCG@10 {full['NDCG@10']:.5f}"
        f"  (HR@20 {full['Recall@20']:.4f}, NDCG@20 {full['NDCG@20']:.4f})"
    )
    print(
        f"  {SAMPLED_NEGATIVES} sampled negatives:        HR@10 {sampled['HR@10']:.4f}  "
        f"NDCG@10 {sampled['NDCG@10']:.4f}"
    )


if __name__ == "__main__":
    main()
