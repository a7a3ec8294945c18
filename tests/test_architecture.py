"""DESIGN.md's dependency rules, enforced by scanning every import in `shopdemo/`.

1. Only `shopdemo/ui/` imports Qt (PySide6/shiboken6), apart from the one function that opens
   the window (`shopdemo/commands/app.py` and `snapshot.py`, which import `shopdemo.ui` lazily).
2. Only `shopdemo/store/` imports SQLAlchemy.
3. The model/data side (`models/`, `baselines/`, `data/`, `training`, `evaluation`, `catalog`,
   `simulator`) imports neither, nor the store, the service or the UI.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "shopdemo"
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
MODEL_SIDE = ("models/", "baselines/", "data/", "training.py", "evaluation.py", "catalog.py",
              "simulator.py")
WINDOW_OPENERS = ("commands/app.py", "commands/snapshot.py")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def all_modules() -> dict[str, set[str]]:
    return {p.relative_to(PACKAGE).as_posix(): imports_of(p) for p in PACKAGE.rglob("*.py")}


def starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_only_ui_imports_qt() -> None:
    offenders = {
        module: sorted(n for n in names if starts(n, QT))
        for module, names in all_modules().items()
        if not module.startswith("ui/")
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_only_store_imports_sqlalchemy() -> None:
    offenders = {
        module: sorted(n for n in names if starts(n, ("sqlalchemy",)))
        for module, names in all_modules().items()
        if not module.startswith("store/")
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_model_side_is_free_of_qt_store_service_and_ui() -> None:
    forbidden = QT + ("sqlalchemy", "shopdemo.store", "shopdemo.service", "shopdemo.ui")
    offenders = {
        module: sorted(n for n in names if starts(n, forbidden))
        for module, names in all_modules().items()
        if module.startswith(MODEL_SIDE)
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_only_window_openers_import_the_ui() -> None:
    offenders = {
        module: sorted(n for n in names if starts(n, ("shopdemo.ui",)))
        for module, names in all_modules().items()
        if not module.startswith("ui/") and module not in WINDOW_OPENERS
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_the_scanner_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import PySide6.QtWidgets\nfrom sqlalchemy import select\nfrom . import x\n")
    assert imports_of(sample) == {"PySide6.QtWidgets", "sqlalchemy"}
