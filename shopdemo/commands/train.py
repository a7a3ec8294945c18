"""`shopdemo train`: train GRU4Rec or SASRec on a session file and write a checkpoint."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "train"
HELP = "train a model on a session file and write a checkpoint"
FORMATS = ["tsv", "yoochoose", "diginetica", "retailrocket", "sequences"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=["gru4rec", "sasrec"], required=True)
    parser.add_argument("--train", required=True, help="training sessions")
    parser.add_argument("--format", choices=FORMATS, default="tsv")
    parser.add_argument("--valid", help="validation sessions (early stopping)")
    parser.add_argument("--out", required=True, help="checkpoint file to write")
    parser.add_argument("--config", help="TOML file of hyper-parameters (flags override it)")
    parser.add_argument("--epochs", type=int, help="number of epochs")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("training is not built yet (issues #5 and #6)")
