"""`shopdemo evaluate`: full-ranking evaluation of baselines and checkpoints on one test file.

Fits the requested baselines on --train, loads the checkpoints, and hands everything to the one
evaluator (`shopdemo.evaluation`), so a checkpoint and a baseline are measured on the same targets.
Results go to stdout (an aligned table, or DESIGN.md's JSON); the progress bar to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from shopdemo.errors import ShopDemoError

if TYPE_CHECKING:
    from shopdemo.evaluation import EvaluationResult
    from shopdemo.models.base import NextItemModel

log = logging.getLogger(__name__)

NAME = "evaluate"
HELP = "evaluate baselines and checkpoints with full ranking"
FORMATS = ["tsv", "yoochoose", "diginetica", "retailrocket", "sequences"]
# The same names as `shopdemo.baselines.BASELINES` (a test checks): importing that package here
# would load torch (via `shopdemo.models`) for every `shopdemo --help`.
BASELINE_NAMES = ("pop", "spop", "markov", "sr", "cooc", "sknn")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--train", required=True, help="training sessions (baselines, catalogue)")
    parser.add_argument("--test", required=True, help="test sessions")
    parser.add_argument("--format", choices=FORMATS, default="tsv", help="format of both files")
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="CKPT",
        help="a checkpoint to evaluate (repeatable)",
    )
    parser.add_argument(
        "--baselines",
        metavar="a,b,...",
        help=f"comma-separated from {','.join(BASELINE_NAMES)} or 'all' "
        "(default: all without --model, none with it)",
    )
    parser.add_argument(
        "--cutoffs", default="1,5,10,20", help="comma-separated K of the @K metrics"
    )
    parser.add_argument(
        "--protocol",
        choices=["next", "last"],
        help="next: every click after the first; last: leave-one-out "
        "(default: last for --format sequences, else next)",
    )
    parser.add_argument(
        "--ties",
        choices=["conservative", "optimistic", "median"],
        default="conservative",
        help="where equal scores put the target",
    )
    seen = parser.add_mutually_exclusive_group()
    seen.add_argument(
        "--exclude-seen",
        dest="exclude_seen",
        action="store_true",
        default=None,
        help="rank only items not in the input (default for --protocol last)",
    )
    seen.add_argument(
        "--include-seen",
        dest="exclude_seen",
        action="store_false",
        help="keep the input's items in the ranking (default for --protocol next)",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads for checkpoints")
    parser.add_argument("--json", action="store_true", help="print DESIGN.md's JSON object")


def run(args: argparse.Namespace) -> int:
    from shopdemo.baselines import fit_baseline
    from shopdemo.data.readers import read_sessions
    from shopdemo.data.splits import drop_last
    from shopdemo.evaluation import evaluate

    cutoffs = parse_cutoffs(args.cutoffs)
    baselines = parse_baselines(args.baselines, has_models=bool(args.model))
    protocol = args.protocol or ("last" if args.format == "sequences" else "next")
    started = time.perf_counter()
    train = read_sessions(args.train, args.format)
    test = read_sessions(args.test, args.format)
    if protocol == "last" and _same_file(args.train, args.test):
        train = drop_last(train, 1)  # leave-one-out: the baselines never see the test targets
        log.info("--train is --test under 'last': baselines fit on all but each last item")
    models: dict[str, NextItemModel] = {}
    for name in baselines:
        models[name] = fit_baseline(name, train)
    models.update(load_checkpoints(args.model, args.threads))
    result = evaluate(
        models,
        test,
        train=train,
        cutoffs=cutoffs,
        protocol=protocol,
        ties=args.ties,
        exclude_seen=args.exclude_seen,
        progress=True,
    )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(format_table(result, time.perf_counter() - started))
    return 0


def parse_cutoffs(text: str) -> tuple[int, ...]:
    try:
        cutoffs = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ShopDemoError(f"--cutoffs: expected comma-separated integers, got {text!r}") from None
    if not cutoffs or min(cutoffs) < 1:
        raise ShopDemoError(f"--cutoffs: expected positive integers, got {text!r}")
    return cutoffs


def parse_baselines(text: str | None, has_models: bool) -> list[str]:
    if text is None:
        return [] if has_models else list(BASELINE_NAMES)
    names = [part.strip() for part in text.split(",") if part.strip()]
    if names == ["all"]:
        return list(BASELINE_NAMES)
    unknown = [name for name in names if name not in BASELINE_NAMES]
    if unknown:
        raise ShopDemoError(
            f"--baselines: unknown baseline {unknown[0]!r}; "
            f"choose from {','.join(BASELINE_NAMES)} or all"
        )
    return list(dict.fromkeys(names))


def load_checkpoints(paths: list[str], threads: int) -> dict[str, NextItemModel]:
    """Checkpoints by name: the model type, plus `:<file stem>` when two share a type."""
    if not paths:
        return {}
    import torch  # late: a baselines-only run never pays for torch

    from shopdemo.models import load_model

    torch.set_num_threads(max(1, threads))
    loaded = [(Path(path), load_model(path)) for path in paths]
    per_type = Counter(model.name for _, model in loaded)
    models: dict[str, NextItemModel] = {}
    for path, model in loaded:
        name = model.name if per_type[model.name] == 1 else f"{model.name}:{path.stem}"
        if name in models:
            raise ShopDemoError(f"{path}: two checkpoints would both be named {name!r}")
        models[name] = model
    return models


def format_table(result: EvaluationResult, seconds: float) -> str:
    """An aligned table: one row per model, one column per metric and cutoff, then seconds."""
    from shopdemo.evaluation_metrics import METRICS

    columns = [
        f"{metric}@{k}"
        for metric in METRICS
        for k in result.cutoffs
        if any(f"{metric}@{k}" in values for values in result.metrics.values())
    ]
    header = ["model", *columns, "seconds"]
    rows = [
        [
            name,
            *(f"{values.get(c, float('nan')):.4f}" for c in columns),
            f"{result.model_seconds.get(name, 0.0):.2f}",
        ]
        for name, values in result.metrics.items()
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{result.targets} targets, {result.skipped} skipped, protocol {result.protocol}, "
        f"ties {result.ties}, {seconds:.1f} s",
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        ),
    ]
    for row in rows:
        lines.append(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False
