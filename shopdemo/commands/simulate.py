"""`shopdemo simulate`: write seeded synthetic shopper sessions as TSV."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "simulate"
HELP = "simulate shoppers and write their sessions as TSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, required=True, help="number of sessions")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument("--out", required=True, help="output TSV file")
    parser.add_argument("--stats", action="store_true", help="print statistics of the sessions")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("the simulator is not built yet (issue #2)")
