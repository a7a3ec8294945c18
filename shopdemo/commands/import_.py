"""`shopdemo import`: load a session file into the store, all or nothing."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "import"
HELP = "import a session file into the store (one transaction per file)"
FORMATS = ["tsv", "yoochoose", "diginetica", "retailrocket", "sequences"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="file to import")
    parser.add_argument("--format", choices=FORMATS, default="tsv", help="file format")
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the session store")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("import is not built yet (issue #3)")
