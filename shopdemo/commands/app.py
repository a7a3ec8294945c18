"""`shopdemo [app]`: open the store window."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "app"
HELP = "open the store window (the default command)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the session store")
    parser.add_argument("--models", metavar="DIR", help="directory of model checkpoints")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("the store window is not built yet (issue #7)")
