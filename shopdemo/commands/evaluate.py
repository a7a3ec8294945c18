"""`shopdemo evaluate`: full-ranking evaluation of baselines and checkpoints."""

from __future__ import annotations

import argparse

from shopdemo.errors import NotReadyError

NAME = "evaluate"
HELP = "evaluate baselines and checkpoints with full ranking"
FORMATS = ["tsv", "yoochoose", "diginetica", "retailrocket", "sequences"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--format", choices=FORMATS, default="tsv")
    parser.add_argument("--model", action="append", default=[], metavar="CKPT")
    parser.add_argument("--baselines", help="comma-separated: pop,spop,markov,sr,cooc,sknn")
    parser.add_argument("--cutoffs", default="1,5,10,20")
    parser.add_argument("--protocol", choices=["next", "last"])
    parser.add_argument("--ties", choices=["conservative", "optimistic", "median"],
                        default="conservative")
    seen = parser.add_mutually_exclusive_group()
    seen.add_argument("--exclude-seen", dest="exclude_seen", action="store_true", default=None)
    seen.add_argument("--include-seen", dest="exclude_seen", action="store_false")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise NotReadyError("evaluation is not built yet (issue #4)")
