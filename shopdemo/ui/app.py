"""Starting the window: the interactive app, and the headless snapshot the README images use.

The app shows the window before the models are loaded (importing torch takes seconds); the
checkpoints arrive from a worker and the panel fills in. The snapshot replays clicks into a
temporary store (never the user's log) and predicts synchronously, so the PNG is deterministic.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from shopdemo.errors import ShopDemoError


def _application() -> object:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("ShopDemo")
        app.setOrganizationName("ShopDemo")
    return app


def run_app(db_url: str | None = None, models_dir: str | None = None) -> int:
    """Open the store window and run until it is closed; returns the exit status."""
    from shopdemo.service import ShopService
    from shopdemo.ui.main_window import MainWindow
    from shopdemo.ui.settings import open_settings
    from shopdemo.ui.theme import LIGHT, apply_theme

    app = _application()
    apply_theme(app, LIGHT)
    service = ShopService.open(db_url, models_dir, load_models=False)
    service.resume()
    window = MainWindow(service, LIGHT, settings=open_settings())  # theme, text size: saved
    screen = app.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        window.resize(min(1600, available.width()), min(960, available.height()))
    window.show()
    window.jobs.load_checkpoints()
    try:
        return int(app.exec())
    finally:
        service.close()


def resolve_clicks(catalog: object, clicks: Sequence[str]) -> list[int]:
    """Item ids, or exact product names, to product ids; anything else is a one-line error."""
    resolved = []
    for text in clicks:
        text = text.strip()
        if not text:
            continue
        product = None
        if text.isdigit():
            try:
                product = catalog.get(int(text))
            except KeyError:
                product = None
        else:
            product = catalog.find_by_name(text)
        if product is None:
            raise ShopDemoError(f"--clicks: no product with id or exact name {text!r}")
        resolved.append(int(product.id))
    return resolved


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ShopDemoError(
            f"--size: expected WIDTHxHEIGHT such as 1280x800, got {text!r}"
        ) from None
    if width < 200 or height < 200 or width > 8000 or height > 8000:
        raise ShopDemoError(f"--size: {text!r} is outside 200x200 .. 8000x8000")
    return width, height


def render_snapshot(
    out: Path,
    clicks: Sequence[str],
    size: tuple[int, int],
    db_url: str | None = None,
    models_dir: str | None = None,
    baseline: str = "",
) -> Path:
    """Replay `clicks` in a fresh window of `size` and save it as a PNG; returns `out`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from shopdemo.service import ShopService
    from shopdemo.ui.main_window import MainWindow
    from shopdemo.ui.theme import LIGHT, apply_theme

    app = _application()
    apply_theme(app, LIGHT)
    with tempfile.TemporaryDirectory(prefix="shopdemo-snapshot-") as folder:
        url = db_url or f"sqlite:///{Path(folder) / 'snapshot.sqlite3'}"
        service = ShopService.open(url, models_dir, origin="replay", fresh_session=True)
        try:
            items = resolve_clicks(service.catalog, clicks)
            window = MainWindow(service, LIGHT, threaded=False)
            if baseline:
                window.panel.baseline_box.setCurrentIndex(
                    window.panel.baseline_box.findData(baseline)
                )
                window.jobs.wait_all()
            window.resize(*size)
            window.show()
            for item in items:
                window.click_product(item, "replay")
            app.processEvents()
            pixmap = window.grab()
            if (pixmap.width(), pixmap.height()) != tuple(size):
                raise ShopDemoError(
                    f"--size: the window cannot be {size[0]}x{size[1]}; its "
                    f"smallest size is {pixmap.width()}x{pixmap.height()}"
                )
            out = Path(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            if not pixmap.save(str(out), "PNG"):
                raise ShopDemoError(f"{out}: could not write the PNG")
            window.close()
        finally:
            service.close()
    return out
