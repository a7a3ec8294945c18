"""The built wheel carries the assets: install it in a fresh venv and run `shopdemo catalog`.

The fresh venv gets the repo venv's site-packages through a .pth file for the third-party
dependencies (torch, numpy ...), so nothing is downloaded; shopdemo itself comes from the wheel.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from shopdemo.catalog import load_catalog

REPO_ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), "."],
        REPO_ROOT,
    )
    (wheel,) = wheels.glob("shopdemo-*.whl")

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    run([*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)], tmp_path)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run([str(python), "-c", purelib], tmp_path).strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_repo_dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    catalog = load_catalog()
    out = run([str(venv / "bin" / "shopdemo"), "catalog"], outside)
    assert f"{len(catalog.products)} products in {len(catalog.departments)} departments" in out
    where = run([str(python), "-c", "import shopdemo.paths as p; print(p.assets_dir())"], outside)
    where = where.strip()
    assert Path(where).is_relative_to(venv) and (Path(where) / "icons" / "drill.svg").is_file()
