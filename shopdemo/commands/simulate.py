"""`shopdemo simulate`: write seeded synthetic shopper sessions as TSV (see shopdemo.simulator)."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from shopdemo.catalog import load_catalog
from shopdemo.data.writers import write_tsv
from shopdemo.simulator import SimulatorConfig, format_stats, session_stats, simulate

NAME = "simulate"
HELP = "simulate shoppers and write their sessions as TSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, required=True, help="number of sessions")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument("--out", required=True, help="output TSV file")
    parser.add_argument("--stats", action="store_true", help="print statistics of the sessions")


def run(args: argparse.Namespace) -> int:
    catalog, config = load_catalog(), SimulatorConfig()
    with tqdm(
        total=args.sessions, unit="session", file=sys.stderr, disable=args.sessions < 1000
    ) as bar:
        log = simulate(
            catalog,
            args.sessions,
            args.seed,
            config,
            progress=lambda done: bar.update(done - bar.n),
        )
    write_tsv(log, args.out)
    print(f"wrote {log.n_sessions} sessions ({len(log)} clicks, {log.n_items} items) to {args.out}")
    if args.stats:
        print(format_stats(session_stats(log, catalog, config), config))
    return 0
