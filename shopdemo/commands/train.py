"""`shopdemo train`: train GRU4Rec or SASRec on a session file and write a checkpoint.

Generic over the model kind: each model module exposes `Config`, `build_task` and
`from_checkpoint`, and `shopdemo.training.run_training` is the one loop. Hyper-parameters come
from the dataclass defaults, then `--config` (TOML), then flags. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from shopdemo.errors import ShopDemoError
from shopdemo.models.checkpoint import save_checkpoint
from shopdemo.training import EpochReport, run_training, seed_everything

NAME = "train"
HELP = "train a model on a session file and write a checkpoint"
FORMATS = ["tsv", "yoochoose", "diginetica", "retailrocket", "sequences"]
MODELS = ["gru4rec", "sasrec"]

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--train", required=True, help="training sessions")
    parser.add_argument("--format", choices=FORMATS, default="tsv")
    parser.add_argument(
        "--valid",
        help="validation sessions (early stopping; not for sequences, "
        "which validate on each user's second-to-last item)",
    )
    parser.add_argument("--out", required=True, help="checkpoint file to write")
    parser.add_argument("--config", help="TOML file of hyper-parameters (flags override it)")
    parser.add_argument("--epochs", type=int, help="number of epochs")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")


def load_config(config_class: type, path: str | None, overrides: dict[str, Any]) -> Any:
    """Defaults <- TOML file <- non-None overrides; an unknown key or bad value is one line."""
    values: dict[str, Any] = {}
    where = path or "command line"
    if path is not None:
        try:
            with open(path, "rb") as handle:
                values = tomllib.load(handle)
        except FileNotFoundError:
            raise ShopDemoError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ShopDemoError(f"{path}: not valid TOML ({exc})") from None
    values.update({key: value for key, value in overrides.items() if value is not None})
    defaults = {field.name: _default(field) for field in dataclasses.fields(config_class)}
    for key, value in values.items():
        if key not in defaults:
            raise ShopDemoError(
                f"{where}: unknown setting {key!r} for {config_class.__name__} "
                f"(known: {', '.join(defaults)})"
            )
        values[key] = _coerce(key, value, defaults[key], where)
    try:
        return config_class(**values)
    except (TypeError, ValueError) as exc:
        raise ShopDemoError(f"{where}: {exc}") from None


def _default(field: dataclasses.Field) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    """Accept an int where the default is a float; refuse any other change of type."""
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if default is None or type(value) is type(default):
        return value
    raise ShopDemoError(f"{where}: {key} should be {type(default).__name__}, got {value!r}")


def _read_data(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(train log, validation log or None, evaluation protocol)."""
    from shopdemo.data.readers import read_sessions

    sessions = read_sessions(args.train, args.format)
    if args.format == "sequences":
        from shopdemo.data.splits import drop_last

        if args.valid:
            raise ShopDemoError(
                "--valid does not apply to --format sequences: the second-to-last "
                "item of each user validates (leave-one-out)"
            )
        return drop_last(sessions, 2), drop_last(sessions, 1), "last"
    valid = read_sessions(args.valid, args.format) if args.valid else None
    return sessions, valid, "next"


def run(args: argparse.Namespace) -> int:
    kind = importlib.import_module(f"shopdemo.models.{args.model}")
    config = load_config(kind.Config, args.config, {"epochs": args.epochs})
    if args.threads < 1:
        raise ShopDemoError(f"--threads must be at least 1, got {args.threads}")
    torch.set_num_threads(args.threads)
    train, valid, protocol = _read_data(args)
    if len(train) == 0:
        raise ShopDemoError(f"{args.train}: no training events")
    generator = seed_everything(args.seed)
    task = kind.build_task(config, train)
    started = time.perf_counter()
    history: list[EpochReport] = []
    with tqdm(
        total=config.epochs,
        desc=f"train {args.model}",
        unit="epoch",
        file=sys.stderr,
        disable=False,
    ) as bar:
        for report in run_training(
            task,
            epochs=config.epochs,
            generator=generator,
            valid=valid,
            train_log=train,
            patience=config.patience,
            protocol=protocol,
        ):
            history.append(report)
            bar.set_postfix(_postfix(report), refresh=False)
            bar.update()
            log.info(
                "epoch %d: loss %.4f, %.1f s, valid %s",
                report.epoch,
                report.loss,
                report.seconds,
                report.valid,
            )
    best = [report for report in history if report.is_best]
    meta = {
        "loss": getattr(config, "loss", ""),
        "epochs": len(history),  # epochs run (early stopping may end sooner)
        "best_epoch": best[-1].epoch if best else 0,
        "seed": args.seed,
        "threads": args.threads,
        "train_file": str(Path(args.train).resolve()),
        "format": args.format,
        "valid_file": str(Path(args.valid).resolve()) if args.valid else "",
        "protocol": protocol,
        "metrics": dict(best[-1].valid) if best else {},
        "train_loss": history[-1].loss if history else float("nan"),
        "seconds": time.perf_counter() - started,
        "history": [dataclasses.asdict(report) for report in history],
    }
    save_checkpoint(
        args.out,
        model=args.model,
        config=dataclasses.asdict(config),
        state_dict=task.module.state_dict(),
        item_ids=task.item_ids,
        meta=meta,
    )
    print(_summary(args, history, meta, len(task.item_ids)))
    return 0


def _postfix(report: EpochReport) -> dict[str, str]:
    postfix = {"loss": f"{report.loss:.4f}", "s/epoch": f"{report.seconds:.1f}"}
    for name in ("Recall@20", "MRR@20"):
        if name in report.valid:
            postfix[name] = f"{report.valid[name]:.4f}"
    return postfix


def _summary(args: argparse.Namespace, history: list[EpochReport], meta: dict, n_items: int) -> str:
    seconds = [report.seconds for report in history]
    line = (
        f"wrote {args.out}: {args.model}, {n_items} items, {len(history)} epochs "
        f"({sum(seconds):.1f} s training, {sum(seconds) / max(len(seconds), 1):.2f} s/epoch), "
        f"final loss {meta['train_loss']:.4f}"
    )
    if meta["metrics"]:
        metrics = ", ".join(f"{name} {value:.4f}" for name, value in meta["metrics"].items())
        line += f"; best epoch {meta['best_epoch']}: {metrics}"
    if history and history[-1].cancelled:
        line += " (cancelled)"
    return line
