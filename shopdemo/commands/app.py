"""`shopdemo [app]`: open the store window."""

from __future__ import annotations

import argparse

NAME = "app"
HELP = "open the store window (the default command)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the session store")
    parser.add_argument("--models", metavar="DIR", help="directory of model checkpoints")


def run(args: argparse.Namespace) -> int:
    from shopdemo.ui.app import run_app  # Qt is imported only when the window opens

    return run_app(getattr(args, "db", None), getattr(args, "models", None))
