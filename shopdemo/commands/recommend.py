"""`shopdemo recommend`: top-k next items for a session, from a checkpoint.

The same `predict` call the store's panel makes, on one torch thread: ids the model does not
know are skipped and reported, and an empty (all unknown) session is marked as cold start.
"""

from __future__ import annotations

import argparse
import json
import sys

import torch

from shopdemo.errors import ShopDemoError
from shopdemo.models import load_model

NAME = "recommend"
HELP = "print a checkpoint's top-k next items for a session"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="CKPT")
    parser.add_argument("items", nargs="+", type=int, metavar="ITEM", help="session, oldest first")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise ShopDemoError(f"--k must be at least 1, got {args.k}")
    torch.set_num_threads(1)
    model = load_model(args.model)
    prediction = model.predict(args.items, k=args.k)
    loss = getattr(model, "meta", {}).get("loss", "")
    if args.json:
        print(
            json.dumps(
                {
                    "model": model.name,
                    "loss": loss,
                    "session": args.items,
                    "items": prediction.items,
                    "probs": prediction.probs,
                    "unknown": prediction.unknown,
                    "cold_start": prediction.cold_start,
                }
            )
        )
        return 0
    if prediction.unknown:
        unknown = " ".join(str(item) for item in prediction.unknown)
        print(f"unknown items (skipped): {unknown}", file=sys.stderr)
    header = f"{model.name} ({loss} loss)" if loss else model.name
    if prediction.cold_start:
        header += ", cold start: no known clicks"
    print(header)
    print(f"{'rank':>4}  {'item':>10}  {'prob':>8}")
    for rank, (item, prob) in enumerate(zip(prediction.items, prediction.probs, strict=True), 1):
        print(f"{rank:>4}  {item:>10}  {prob:8.2%}")
    return 0
