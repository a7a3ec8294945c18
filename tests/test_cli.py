"""The command line: every command of DESIGN.md has --help; --version names the files."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopdemo.cli import main

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
