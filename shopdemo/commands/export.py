"""`shopdemo export`: write the store's events as TSV, CSV or JSON Lines."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "export"
HELP = "export the store's events (TSV trains the models directly)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="output file")
    parser.add_argument("--format", choices=["tsv", "csv", "jsonl"], default="tsv")
    parser.add_argument("--kinds", help="event kinds to export, comma-separated (tsv default: click)")
    parser.add_argument("--anonymize", action="store_true", help="re-key visitor ids")
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the session store")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("export is not built yet (issue #3)")
