"""The command line: every command of DESIGN.md has --help; --version names the files."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopdemo.cli import main, parse_arguments

COMMANDS = ["app", "catalog", "simulate", "import", "export", "train", "evaluate", "recommend",
            "snapshot"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: shopdemo " + command in capsys.readouterr().out


def test_version_names_database_and_log(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    out = capsys.readouterr().out
    assert out.startswith("shopdemo 0.")
    assert "database: sqlite:///" in out and "log file:" in out


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "shopdemo", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    assert all(command in result.stdout for command in COMMANDS)


@pytest.mark.parametrize(
    "argv",
    [["--db", "sqlite:///x.db", "export", "--out", "y.tsv"],
     ["export", "--out", "y.tsv", "--db", "sqlite:///x.db"]],
)
def test_db_option_reaches_the_command_wherever_it_is_written(argv: list[str]) -> None:
    assert parse_arguments(argv).db == "sqlite:///x.db"


def test_no_command_opens_the_app_with_the_global_options() -> None:
    from shopdemo.commands import app

    args = parse_arguments(["--db", "sqlite:///x.db"])
    assert args.run is app.run and args.db == "sqlite:///x.db"
