"""The `shopdemo` command line: one sub-command per module in `shopdemo/commands/`.

Results go to stdout, progress bars and errors to stderr. A `ShopDemoError` becomes one line
(`shopdemo: error: ...`) and exit status 1; a command that is not built yet exits 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from shopdemo import __version__
from shopdemo.commands import COMMANDS
from shopdemo.errors import NotReadyError, ShopDemoError
from shopdemo.logging_setup import configure_logging

log = logging.getLogger(__name__)


class _VersionAction(argparse.Action):
    """`--version` also says where the database and the log file live."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print version and file locations")

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        from shopdemo.paths import default_db_url, log_file

        print(f"shopdemo {__version__}")
        print(f"database: {default_db_url()}")
        print(f"log file: {log_file()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopdemo",
        description="A demo shop with live next-click predictions (GRU4Rec vs SASRec). "
        "Without a command it opens the store.",
    )
    parser.add_argument("--version", action=_VersionAction)
    # Own dests: a sub-command's --db default (None) must not overwrite `shopdemo --db URL cmd`.
    parser.add_argument("--db", dest="root_db", metavar="URL",
                        help="SQLAlchemy URL of the session store")
    parser.add_argument("--models", dest="root_models", metavar="DIR",
                        help="directory of model checkpoints (app)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command_parser = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; `shopdemo --db URL CMD` and `shopdemo CMD --db URL` agree."""
    args = build_parser().parse_args(argv)
    for option in ("db", "models"):
        if getattr(args, option, None) is None:
            setattr(args, option, getattr(args, f"root_{option}"))
    if args.command is None:
        from shopdemo.commands import app

        args.run = app.run
    return args


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = parse_arguments(argv)
    log.info("command: %s", args.command or "app")
    try:
        return int(args.run(args) or 0)
    except NotReadyError as exc:
        print(f"shopdemo: {exc}", file=sys.stderr)
        return 2
    except ShopDemoError as exc:
        log.error("%s", exc)
        print(f"shopdemo: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shopdemo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `shopdemo catalog --json | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
