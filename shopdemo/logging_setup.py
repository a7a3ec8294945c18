"""Logging to a rotating file in the user log dir, so a classroom crash leaves a trace."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from shopdemo.paths import log_file


def configure_logging(level: int = logging.INFO) -> None:
    """Attach one rotating file handler to the `shopdemo` logger (idempotent)."""
    logger = logging.getLogger("shopdemo")
    if any(isinstance(h, RotatingFileHandler) for h in logger.handlers):
        return
    try:
        handler = RotatingFileHandler(log_file(), maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:  # a read-only home must not stop the program
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
