"""`shopdemo snapshot`: render the window headless after replaying clicks."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "snapshot"
HELP = "render the store window to a PNG after replaying clicks (headless)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--clicks", help="comma-separated item ids to replay")
    parser.add_argument("--size", default="1280x800", help="window size WxH")
    parser.add_argument("--db", metavar="URL", help="store to use (default: a temporary one)")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("snapshot is not built yet (issue #7)")
