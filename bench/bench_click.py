"""Click -> panel painted: how long a visitor waits, and how much the GUI thread works for it.

Builds its own synthetic catalogue (1k and 10k products over the shipped departments and icons)
and random-weight GRU4Rec and SASRec of the shipped sizes over it, opens the real window
offscreen with the threaded predictor and a temporary SQLite store, and clicks random products
(a new visitor every 20 clicks, so sessions cover every length up to SASRec's window). After
each click it runs the event loop until the click's work is done: both lists and the softmax
plot painted, then 30 ms more in which whatever the click still caused runs too. Prints median
and p95 per catalogue size:

- latency: click handler start -> both prediction lists painted (what the visitor sees);
- gui: the GUI thread's wall time for the click: the click handler (log to the store, open the
  product page, ask the worker) plus every event the click caused (the shop's repaint, the
  worker's answer, the panel update, the lists', explanations', timeline's and plot's paints).
  Time the thread waits for events is not counted. Budget: one 60 Hz frame, ~16 ms;
- gui cpu: the same spans in the GUI thread's CPU time (wall minus time the OS gave the CPU to
  other threads and processes: on a busy shared machine the two differ);
- longest: the longest of those spans without a break (handler, or one pass of the event loop):
  how long input could wait behind the click;
- bound: an upper bound kept from earlier versions: handler + panel update + a forced full
  synchronous repaint of the whole window (far more than a click repaints);
- inference: both models' `predict` on the session plus the service's bookkeeping (ranks,
  top-k, scoreboard, the sorted distribution): the work of the worker thread.

    .venv/bin/python bench/bench_click.py [--sizes 1000,10000] [--clicks 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from shopdemo.catalog import Catalog, Product, load_catalog  # noqa: E402
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender  # noqa: E402
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender  # noqa: E402
from shopdemo.service import ModelSlot, ShopService  # noqa: E402
from shopdemo.store import SessionStore  # noqa: E402
from shopdemo.ui.main_window import MainWindow  # noqa: E402
from shopdemo.ui.theme import LIGHT, apply_theme  # noqa: E402

SESSION_LENGTH = 20  # clicks before a new visitor
SETTLE_S = 0.03  # after the plot is painted, events still run this long as part of the click
POLL_S = 0.0002  # sleep between event-loop passes while nothing is pending


def synthetic_catalog(size: int, seed: int) -> Catalog:
    """`size` products spread over the shipped departments' sub-categories, shipped icons."""
    shipped = load_catalog()
    rng = np.random.default_rng(seed)
    subs = [(d, s) for d in shipped.departments for s in d.subcategories]
    colours = list(shipped.colours)
    icons = {p.subcategory: p.icon for p in shipped.products}
    products = []
    for number in range(1, size + 1):
        department, sub = subs[(number - 1) % len(subs)]
        products.append(
            Product(
                number,
                f"{sub} model {number}",
                department.name,
                sub,
                float(rng.integers(100, 20000)) / 100,
                colours[number % len(colours)],
                icons.get(sub, department.icon),
            )
        )
    departments = [
        type(d)(d.name, d.subcategories, d.icon, sum(1 for p in products if p.department == d.name))
        for d in shipped.departments
    ]
    return Catalog(products, departments, [], dict(shipped.colours))


def random_models(item_ids: np.ndarray, seed: int) -> dict[str, object]:
    """GRU4Rec and SASRec with their default (shipped) sizes and random weights."""
    torch.manual_seed(seed)
    gru = GRU4Rec(GRU4RecConfig(), len(item_ids)).eval()
    sas = SASRec(SASRecConfig(), len(item_ids)).eval()
    return {
        "gru4rec": GRU4RecRecommender(gru, item_ids),
        "sasrec": SASRecRecommender(sas, item_ids),
    }


class PaintWatch(QObject):
    """Remembers which watched widgets received a paint event since `reset`."""

    def __init__(self, widgets: list) -> None:  # noqa: ANN001
        super().__init__()
        self.widgets, self.painted = widgets, set()
        for widget in widgets:
            widget.installEventFilter(self)

    def reset(self) -> None:
        self.painted = set()

    def done(self, widgets: list | None = None) -> bool:  # noqa: ANN001
        return all(id(widget) in self.painted for widget in widgets or self.widgets)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted.add(id(watched))
        return False


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100))


class ClickTimer:
    """Wall and CPU time the GUI thread spends on one click, summed over the handler and every
    non-blocking pass of the event loop until the click's work is done."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.wall = self.cpu = self.longest = 0.0

    def span(self, work) -> None:  # noqa: ANN001 - a callable
        wall, cpu = time.perf_counter(), time.thread_time()
        work()
        spent = time.perf_counter() - wall
        self.wall += spent
        self.cpu += time.thread_time() - cpu
        self.longest = max(self.longest, spent)

    def run_until(self, finished, settle_s: float = SETTLE_S) -> float:  # noqa: ANN001
        """Process events until `finished()`, then `settle_s` more; returns when finished."""
        done_at = None
        while done_at is None or time.perf_counter() - done_at < settle_s:
            self.span(self.app.processEvents)
            if done_at is None and finished():
                done_at = time.perf_counter()
            time.sleep(POLL_S)  # nothing pending: the thread would be blocked, not working
        return done_at


def run(size: int, clicks: int, seed: int, app: QApplication) -> dict[str, list[float]]:
    catalog = synthetic_catalog(size, seed)
    ids = np.array([p.id for p in catalog.products])
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        slots = [ModelSlot("gru4rec", "GRU4Rec"), ModelSlot("sasrec", "SASRec")]
        service = ShopService(catalog, store, slots)
        for key, model in random_models(ids, seed).items():
            service.install(key, model, "random weights", "none")
        window = MainWindow(service, LIGHT, threaded=True)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        lists = [window.panel.columns[key].list.viewport() for key in ("gru4rec", "sasrec")]
        plot = window.panel.distribution.plot
        watch = PaintWatch([*lists, plot])
        shown: list = []
        window.panel_updated.connect(lambda state: shown.append(time.perf_counter()))
        rng = np.random.default_rng(seed)
        times: dict[str, list[float]] = {
            key: [] for key in ("latency", "gui", "gui_cpu", "longest", "bound", "inference")
        }
        handler_times = []
        for number in range(clicks):  # 1. what the visitor waits for, and what it costs
            if number and number % SESSION_LENGTH == 0:
                shown.clear()
                watch.reset()
                window.new_visitor()
                ClickTimer(app).run_until(lambda: shown and watch.done())
            shown.clear()
            watch.reset()
            painted: list[float] = []
            timer = ClickTimer(app)
            started = time.perf_counter()
            timer.span(lambda: window.click_product(int(rng.integers(1, size + 1)), "browse"))
            handler_times.append(timer.wall)

            def lists_painted(painted: list[float] = painted) -> bool:
                if not painted and shown and watch.done(lists):
                    painted.append(time.perf_counter())
                return bool(painted) and (watch.done() or not plot.isVisible())

            timer.run_until(lists_painted)
            times["latency"].append((painted[0] - started) * 1000)
            times["gui"].append(timer.wall * 1000)
            times["gui_cpu"].append(timer.cpu * 1000)
            times["longest"].append(timer.longest * 1000)
        for number in range(clicks):  # 2. the worker's share, and the full-repaint bound
            window.new_visitor() if number % SESSION_LENGTH == 0 else None
            session = tuple(
                int(item) for item in rng.integers(1, size + 1, number % SESSION_LENGTH + 1)
            )
            service.predict(session[:-1], 10)  # the earlier clicks are cached, as in the app
            started = time.perf_counter()
            state = service.predict(session, 10)  # one new model call per model + bookkeeping
            times["inference"].append((time.perf_counter() - started) * 1000)
            window.storefront.show_product(session[-1])  # the page a click opens (timed in 1.)
            started = time.perf_counter()
            window.panel.show_state(state)
            window.repaint()  # a full synchronous repaint of the window
            update = time.perf_counter() - started
            times["bound"].append((handler_times[number] + update) * 1000)
        window.close()
        service.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="catalogue sizes")
    parser.add_argument("--clicks", type=int, default=200, help="clicks per size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, LIGHT)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'items':>6} {'what':<10} {'median ms':>10} {'p95 ms':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        times = run(size, args.clicks, args.seed, app)
        for what in ("latency", "gui", "gui_cpu", "longest", "bound", "inference"):
            values = times[what][5:]  # the first clicks warm caches up
            print(
                f"{size:>6} {what:<10} {statistics.median(values):>10.1f} "
                f"{percentile(values, 0.95):>8.1f}",
                flush=True,
            )
        print(f"load average after {size:,} items: {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
