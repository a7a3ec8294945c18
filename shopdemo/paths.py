"""Where ShopDemo keeps things: user data (the SQLite store), logs, and the bundled assets.

The user directories come from platformdirs (no Qt needed), so the CLI and the app agree.
`SHOPDEMO_HOME` overrides both (tests and classroom machines with a shared drive use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "shopdemo"


def data_dir() -> Path:
    """Directory of the default database; created on first use."""
    home = os.environ.get("SHOPDEMO_HOME")
    path = Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """Directory of the rotating log file; created on first use."""
    home = os.environ.get("SHOPDEMO_HOME")
    path = Path(home) / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """SQLAlchemy URL of the embedded default store."""
    return f"sqlite:///{data_dir() / 'shopdemo.sqlite3'}"


def log_file() -> Path:
    return log_dir() / "shopdemo.log"


def assets_dir() -> Path:
    """The bundled assets: inside the package in a wheel, beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets", here.parent / "assets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ShopDemo assets not found beside {here}")
