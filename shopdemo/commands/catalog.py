"""`shopdemo catalog`: list the shop's products and departments."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "catalog"
HELP = "print the catalogue (a summary, or --json)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print products and departments as JSON")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("the catalogue is not built yet (issue #2)")
