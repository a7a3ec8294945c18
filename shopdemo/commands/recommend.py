"""`shopdemo recommend`: top-k next items for a session, from a checkpoint."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "recommend"
HELP = "print a checkpoint's top-k next items for a session"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="CKPT")
    parser.add_argument("items", nargs="+", type=int, metavar="ITEM", help="session, oldest first")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("recommend is not built yet (issue #5)")
