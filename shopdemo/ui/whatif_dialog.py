"""What-if editing: remove, reorder or insert clicks in a copy of the current session and watch
both models' predictions move, next to SASRec's attention and each click's real influence.

The numbers come from `service.classroom_whatif` (no Qt); this dialog edits the copy, runs the
computation off the GUI thread (like the panel's predictions) and shows the newest answer.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shopdemo.service import MAIN_MODELS, TITLES
from shopdemo.service.classroom_whatif import (
    ModelWhatIf,
    insert_click,
    move_click,
    remove_click,
    what_if,
)
from shopdemo.ui.theme import Theme
from shopdemo.ui.whatif_tables import ChangeModel, EffectModel, make_table, percent, summary_html
from shopdemo.ui.workers import JobRunner

ITEM_ROLE = Qt.ItemDataRole.UserRole  # product id of a click in the list


class WhatIfDialog(QDialog):
    """Edits a copy of the session; `results_ready` whenever new numbers are on screen."""

    results_ready = Signal(object)  # dict[str, ModelWhatIf]

    def __init__(self, window: Any, theme: Theme) -> None:
        super().__init__(window)
        self.setWindowTitle("What if… the session had been different?")
        self.window, self.theme = window, theme
        self.original: tuple[int, ...] = ()
        self.edited: tuple[int, ...] = ()
        self.results: dict[str, ModelWhatIf] = {}
        self._latest = 0
        self._runners: dict[int, JobRunner] = {}

        intro = QLabel(
            "Change a <b>copy</b> of the current session (the shop's log stays as it is): "
            "drag clicks to reorder them, remove one, or insert a product. Both models predict "
            "again; the table below compares where SASRec <i>looks</i> (attention) with what "
            "each click actually <i>does</i> (the top pick's probability without it).",
            self,
        )
        intro.setWordWrap(True)
        self.clicks = QListWidget(self)
        self.clicks.setAccessibleName("Edited session")
        self.clicks.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.clicks.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.clicks.model().rowsMoved.connect(self._dropped)
        self.up_button = QPushButton("Move up", self)
        self.down_button = QPushButton("Move down", self)
        self.remove_button = QPushButton("Remove", self)
        self.product = QLineEdit(self)
        self.product.setPlaceholderText("Product name or id…")
        self.product.setAccessibleName("Product to insert")
        names = [product.name for product in window.catalog.products]
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.product.setCompleter(completer)
        self.insert_button = QPushButton("Insert", self)
        self.insert_button.setToolTip("Insert after the selected click (or at the end)")
        self.reset_button = QPushButton("Undo all edits", self)
        self.take_button = QPushButton("Take the current session", self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("muted")

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.session_title = QLabel(left)
        self.session_title.setWordWrap(True)
        left_layout.addWidget(self.session_title)
        left_layout.addWidget(self.clicks, 1)
        grid = QGridLayout()
        grid.addWidget(self.up_button, 0, 0)
        grid.addWidget(self.down_button, 0, 1)
        grid.addWidget(self.remove_button, 0, 2)
        grid.addWidget(self.product, 1, 0, 1, 2)
        grid.addWidget(self.insert_button, 1, 2)
        grid.addWidget(self.reset_button, 2, 0, 1, 2)
        grid.addWidget(self.take_button, 2, 2)
        left_layout.addLayout(grid)
        left_layout.addWidget(self.status)

        self.change_models: dict[str, ChangeModel] = {}
        self.change_titles: dict[str, QLabel] = {}
        tables = QWidget(self)
        tables_layout = QHBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        for key in MAIN_MODELS:
            box = QVBoxLayout()
            self.change_titles[key] = QLabel(tables)
            self.change_titles[key].setWordWrap(True)  # long product names must not widen us
            self.change_models[key] = ChangeModel(theme, window.describe, parent=self)
            view = make_table(self, self.change_models[key], {3: True}, stretch=0)
            view.setAccessibleName(f"{TITLES[key]} probability changes")
            box.addWidget(self.change_titles[key])
            box.addWidget(view, 1)
            tables_layout.addLayout(box, 1)
        self.effects_title = QLabel("Attention versus what actually moves the prediction", self)
        self.effects = EffectModel(theme, window.describe, self)
        effects_view = make_table(
            self, self.effects, {2: False, 3: True, 4: False, 5: True}, stretch=1
        )
        effects_view.setAccessibleName("Attention versus leave-one-out influence")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.effects_title)
        bottom_layout.addWidget(effects_view, 1)
        bottom_layout.addWidget(self.summary)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(tables)
        right.addWidget(bottom)
        right.setChildrenCollapsible(False)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 7)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)

        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(self.remove_selected)
        self.insert_button.clicked.connect(self._insert_typed)
        self.product.returnPressed.connect(self._insert_typed)
        self.reset_button.clicked.connect(lambda: self.set_edited(self.original))
        self.take_button.clicked.connect(self.take_session)
        window.jobs.models_changed.connect(self.recompute)
        self.set_theme(theme)
        size = window.size()
        width, height = max(1000, int(size.width() * 0.94)), max(640, int(size.height() * 0.9))
        screen = window.screen()
        if screen is not None:  # never larger than the screen (presentation text is large)
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(width, height)

    # -- editing the copy -----------------------------------------------------------------
    def take_session(self) -> None:
        """Start over from the session on screen in the shop."""
        self.original = tuple(self.window.service.clicks)
        self.set_edited(self.original)

    def set_edited(self, clicks: tuple[int, ...], selected: int | None = None) -> None:
        self.edited = tuple(int(item) for item in clicks)
        self.clicks.blockSignals(True)
        self.clicks.clear()
        for position, item in enumerate(self.edited, start=1):
            entry = QListWidgetItem(f"{position}. {self.window.describe(item)[0]}")
            entry.setData(ITEM_ROLE, item)
            self.clicks.addItem(entry)
        self.clicks.blockSignals(False)
        if selected is not None and 0 <= selected < len(self.edited):
            self.clicks.setCurrentRow(selected)
        changed = self.edited != self.original
        self.session_title.setText(
            f"<b>Session copy</b>: {len(self.edited)} clicks"
            + (f" (edited; the real one has {len(self.original)})" if changed else " (unedited)")
        )
        self.recompute()

    def selected_row(self) -> int:
        row = self.clicks.currentRow()
        return row if 0 <= row < len(self.edited) else len(self.edited) - 1

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row >= 0:
            self.set_edited(remove_click(self.edited, row), min(row, len(self.edited) - 2))

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        to = row + step
        if row >= 0 and 0 <= to < len(self.edited):
            self.set_edited(move_click(self.edited, row, to), to)

    def insert_product(self, item: int, at: int | None = None) -> None:
        """Insert a click on `item` at `at` (default: after the selected click)."""
        at = self.selected_row() + 1 if at is None else at
        self.set_edited(insert_click(self.edited, at, item), at)

    def _insert_typed(self) -> None:
        text = self.product.text().strip()
        catalog = self.window.catalog
        product = catalog.find_by_name(text)
        if product is None and text.isdigit():
            try:
                product = catalog.get(int(text))
            except KeyError:
                product = None
        if product is None:
            self.status.setText(f"No product with the exact name or id {text!r}.")
            return
        self.product.clear()
        self.insert_product(int(product.id))

    def _dropped(self, *_: object) -> None:
        order = tuple(
            int(self.clicks.item(row).data(ITEM_ROLE)) for row in range(self.clicks.count())
        )
        self.set_edited(order, self.clicks.currentRow())

    # -- computing ------------------------------------------------------------------------
    def models(self) -> dict[str, Any]:
        slots = self.window.service.slots
        return {key: slots[key].model for key in MAIN_MODELS if key in slots}

    def recompute(self) -> None:
        """Predict the original and the edited copy with every model (newest answer wins)."""
        self._latest += 1
        request = self._latest
        models, k = self.models(), self.window.panel.k
        temperature = float(getattr(self.window, "temperature", 1.0))
        original, edited = self.original, self.edited
        if not any(model is not None for model in models.values()):
            self._show({}, request)
            return
        answer: dict[str, Any] = {}

        def job(should_stop: Any) -> Any:
            answer["results"] = what_if(models, original, edited, k, temperature)
            yield from ()

        if not self.window.predictor.threaded:  # tests and snapshots: synchronous
            list(job(lambda: False))
            self._show(answer["results"], request)
            return
        runner = JobRunner(job, lambda: answer.get("results"), self)
        self._runners[request] = runner

        def finished(results: object) -> None:
            self._runners.pop(request, None)
            runner.deleteLater()
            if isinstance(results, dict):
                self._show(results, request)

        def failed(text: str) -> None:
            self._runners.pop(request, None)
            runner.deleteLater()
            self.status.setText(f"Prediction failed: {text}")

        runner.job_finished.connect(finished)
        runner.job_failed.connect(failed)
        runner.start()

    def _show(self, results: dict[str, ModelWhatIf], request: int) -> None:
        if request != self._latest:
            return  # an older edit's answer
        self.results = results
        k = self.window.panel.k
        for key, model in self.change_models.items():
            result = results.get(key)
            model.set_changes(result.changes if result else [], k)
            title = TITLES[key]
            colour = self.theme.model_colours.get(key, self.theme.text)
            if result is None:
                text = f"<b style='color:{colour}'>{title}</b>: no model"
            else:
                top = html.escape(self.window.describe(result.top_item)[0])
                text = (
                    f"<b style='color:{colour}'>{title}</b>: top {k} after the edit "
                    f"(top pick: {top}, {percent(result.top_prob)})"
                )
            self.change_titles[key].setText(text)
        self.effects.set_results(self.edited, results)
        self.summary.setText(summary_html(results, self.window.describe, self.theme))
        self.status.setText(
            "" if self.edited else "The session is empty: click products in the shop or insert one."
        )
        self.results_ready.emit(results)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.effects_title.setFont(theme.font(1.2, bold=True))
        self.summary.setFont(theme.font(1.1))
        for model in [*self.change_models.values(), self.effects]:
            model.theme = theme
        if self.results or self.edited:
            self._show(self.results, self._latest)

    def shutdown(self) -> None:
        for runner in list(self._runners.values()):
            runner.cancel()
            runner.wait()
        self._runners.clear()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)
