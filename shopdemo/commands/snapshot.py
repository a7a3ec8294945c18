"""`shopdemo snapshot`: render the window headless after replaying clicks."""

from __future__ import annotations

import argparse

NAME = "snapshot"
HELP = "render the store window to a PNG after replaying clicks (headless)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument(
        "--clicks",
        default="",
        help="comma-separated product ids (or exact names) to replay, oldest first",
    )
    parser.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="store to replay into (default: a temporary one, never your own log)",
    )
    parser.add_argument("--models", metavar="DIR", help="directory of model checkpoints")
    parser.add_argument(
        "--baseline",
        default="",
        choices=["", "pop", "spop", "markov", "sr", "cooc", "sknn"],
        help="also show this baseline as a third column",
    )


def run(args: argparse.Namespace) -> int:
    from shopdemo.ui.app import parse_size, render_snapshot  # Qt only when rendering

    size = parse_size(args.size)
    out = render_snapshot(
        args.out, args.clicks.split(","), size, args.db, args.models, args.baseline
    )
    print(out)
    return 0
