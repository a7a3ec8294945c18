"""`shopdemo import`: load a session file into the store, all or nothing."""

from __future__ import annotations

import argparse

from shopdemo.data.readers import FORMATS

NAME = "import"
HELP = "import a session file into the store (one transaction per file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="file to import")
    parser.add_argument("--format", choices=FORMATS, default="tsv", help="file format")
    # SUPPRESS: no default here, or it would overwrite `shopdemo --db URL import ...`'s value.
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="SQLAlchemy URL of the session store"
    )


def run(args: argparse.Namespace) -> int:
    from shopdemo.store import SessionStore, import_file

    with SessionStore(getattr(args, "db", None)) as store:
        summary = import_file(store, args.path, args.format, progress=True)
        total = store.event_count()
    numbers = (
        f" as sessions {summary.first_session}-{summary.last_session}" if summary.sessions else ""
    )
    print(
        f"imported {summary.events} events in {summary.sessions} sessions from {args.path}"
        f"{numbers}; the store now holds {total} events"
    )
    return 0
