"""`shopdemo export`: write the store's events as TSV, CSV or JSON Lines."""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "export the store's events (TSV trains the models directly)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="output file")
    parser.add_argument("--format", choices=["tsv", "csv", "jsonl"], default="tsv")
    parser.add_argument(
        "--kinds", help="event kinds to export, comma-separated (default: click for tsv, all else)"
    )
    parser.add_argument(
        "--anonymize", action="store_true", help="re-key visitor and session ids (csv/jsonl)"
    )
    # SUPPRESS: no default here, or it would overwrite `shopdemo --db URL import ...`'s value.
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="SQLAlchemy URL of the session store"
    )


def run(args: argparse.Namespace) -> int:
    from shopdemo.store import SessionStore, export_events
    from shopdemo.store.transfer import parse_kinds

    with SessionStore(getattr(args, "db", None)) as store:
        summary = export_events(
            store,
            args.out,
            args.format,
            kinds=parse_kinds(args.kinds),
            anonymize=args.anonymize,
            progress=True,
        )
    kinds = ",".join(summary.kinds) if summary.kinds else "all"
    print(
        f"exported {summary.events} events in {summary.sessions} sessions to {summary.path} "
        f"({summary.fmt}, kinds: {kinds})"
    )
    return 0
