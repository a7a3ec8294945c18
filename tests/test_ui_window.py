"""The main window driven like a visitor would (pytest-qt, offscreen) over fake models.

With the fakes, clicking product x makes GRU4Rec recommend x + 1 first and SASRec x + 2 first
(see test_ui_support), so every expectation below is computed by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from test_ui_support import click_events, make_service

from shopdemo.ui.main_window import MainWindow
from shopdemo.ui.prediction_list import ROW_ROLE
from shopdemo.ui.product_model import TILE_ROLE


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.close()
    service.close()


def click_row(qtbot, view, row: int) -> None:  # noqa: ANN001
    """A real mouse click on a list/grid row (so the view's own click handling runs)."""
    view.scrollTo(view.model().index(row, 0))
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))


def shown_items(window: MainWindow, key: str) -> list[int]:
    return [row.item_id for row in window.panel.columns[key].list.rows.rows]


def test_start_is_a_cold_start_with_both_models_output(window: MainWindow) -> None:
    for key in ("gru4rec", "sasrec"):
        assert shown_items(window, key) == list(range(1, 11))  # the fakes' empty-session output
        banner = window.panel.columns[key].banner
        assert banner.isVisible() and "Cold start" in banner.text.text()
    assert window.timeline.strip.chips == []


def test_clicking_a_tile_logs_it_and_updates_both_panels(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.storefront.show_department("Power Tools", "Drill Bits")
    grid = window.storefront.grid
    first = grid.tiles.index(0, 0).data(TILE_ROLE)
    with qtbot.waitSignal(window.panel_updated, timeout=2000):
        click_row(qtbot, grid, 0)
    assert click_events(window.service) == [(first.key, "click", "browse")]
    assert window.storefront.mode == "product" and window.storefront.detail.product_id == first.key
    assert shown_items(window, "gru4rec")[0] == first.key + 1
    assert shown_items(window, "sasrec")[0] == first.key + 2
    assert not window.panel.columns["gru4rec"].banner.isVisible()  # no longer a cold start
    assert [chip.item_id for chip in window.timeline.strip.chips] == [first.key]


def test_clicking_a_recommendation_navigates_and_logs_its_source(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.click_product(500, "browse")
    sasrec_list = window.panel.columns["sasrec"].list
    assert sasrec_list.rows.rows[0].item_id == 502
    with qtbot.waitSignal(window.click_logged, timeout=2000) as clicked:
        click_row(qtbot, sasrec_list, 0)
    assert clicked.args == [502, "rec_sasrec"]
    assert click_events(window.service)[-1] == (502, "click", "rec_sasrec")
    assert window.storefront.detail.product_id == 502
    assert shown_items(window, "gru4rec")[0] == 503
    chips = window.timeline.strip.chips
    assert [(c.item_id, c.source) for c in chips] == [(500, "browse"), (502, "rec_sasrec")]


def test_rank_changes_both_mark_and_scoreboard(window: MainWindow) -> None:
    window.click_product(500)
    window.click_product(501)
    rows = window.panel.columns["gru4rec"].list.rows.rows
    # After 501 GRU4Rec shows 502, 503, 501, 504, ...; one click earlier (after 500) 502 was
    # 2nd and 503 was 4th; SASRec (503, 504, 502, 505, 501, ...) shares 502..505.
    assert [(r.item_id, r.previous_rank, r.change_text(10)) for r in rows[:2]] == [
        (502, 2, "▲1"),
        (503, 4, "▲2"),
    ]
    assert rows[0].shared and rows[1].shared
    labels = window.scoreboard.labels["gru4rec"]
    assert labels[1].text() == "1/1 @10"  # 501 was GRU4Rec's first pick after 500
    assert labels[2].text() == "1.00"
    assert "#3" in window.scoreboard.labels["sasrec"][3].text()


def test_new_visitor_clears_the_session_and_the_panel(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.click_product(500)
    old = window.service.session_number
    assert window.header.new_visitor.shortcut().toString() == "Ctrl+N"
    with qtbot.waitSignal(window.visitor_changed, timeout=2000):
        window.header.new_visitor.click()
    assert window.service.session_number != old and window.service.clicks == ()
    assert window.timeline.strip.chips == []
    assert shown_items(window, "sasrec") == list(range(1, 11))
    assert "Cold start" in window.panel.columns["sasrec"].banner.text.text()
    assert window.storefront.mode == "home"
    assert window.scoreboard.labels["gru4rec"][1].text() == "0/0 @10"


def test_k_changes_the_list_length(window: MainWindow) -> None:
    window.click_product(500)
    window.panel.k_box.setValue(3)
    assert shown_items(window, "gru4rec") == [501, 502, 500]


def test_search_results_log_search_as_the_source(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.header.search.setText("bodysuit")
    window.header.search.returnPressed.emit()
    grid = window.storefront.grid
    titles = [grid.tiles.tile(row).title for row in range(grid.tiles.rowCount())]
    assert titles and all("bodysuit" in title.lower() for title in titles)
    click_row(qtbot, grid, 0)
    assert click_events(window.service)[-1][2] == "search"


def test_add_to_cart_logs_with_the_opening_click_source(window: MainWindow) -> None:
    window.click_product(502, "rec_gru4rec")
    window.storefront.detail.add_button.click()
    assert click_events(window.service)[-1] == (502, "add_to_cart", "rec_gru4rec")
    assert window.header.cart.text() == "Cart: 1"


def test_attention_reaches_the_timeline_and_gates_the_strip(window: MainWindow) -> None:
    for item in (500, 600, 700):
        window.click_product(item)
    # The fake attention is uniform over the clicks so far: the newest row reads 1/3 each.
    assert window.timeline.strip.weights == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    heatmap = window.panel.columns["sasrec"].explanation.heatmap
    assert heatmap.values.shape == (3, 3) and heatmap.row_labels[0].startswith("1. ")
    strip = window.panel.columns["gru4rec"].explanation.strip
    assert strip.values.shape == (3, 4)
    assert strip.values[:, 0] == pytest.approx([0.2, 0.5, 0.8])


def test_a_missing_model_says_so_and_offers_training(tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    service = make_service(tmp_path, models=("sasrec",))
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    window.show()
    column = window.panel.columns["gru4rec"]
    assert column.banner.isVisible() and column.banner.train_button.isVisible()
    assert "No GRU4Rec model" in column.banner.text.text()
    assert not column.explanation.isVisible()  # no gate strip without a model
    assert window.panel.columns["sasrec"].explanation.isVisible()
    window.click_product(500)  # the other model still works
    assert shown_items(window, "sasrec")[0] == 502 and shown_items(window, "gru4rec") == []
    assert window.scoreboard.labels["gru4rec"][1].text() == "–"
    window.close()
    service.close()


def test_threaded_predictions_arrive_on_the_gui_thread(tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(
        window.panel_updated,
        timeout=5000,
        check_params_cb=lambda state: state.session == (500, 501),
    ):
        window.click_product(500)
        window.click_product(501)
    assert shown_items(window, "gru4rec")[0] == 502
    window.close()  # stops the worker, which writes the impressions it deferred
    impressions = service.store.impressions(service.session_number)
    assert {i.model for i in impressions if i.position == 2} == {"gru4rec", "sasrec"}
    service.close()


def test_grid_and_prediction_models_pass_the_model_tester(
    qtmodeltester, window: MainWindow
) -> None:  # noqa: ANN001
    window.storefront.show_department("Baby Clothing")
    qtmodeltester.check(window.storefront.grid.tiles)
    window.click_product(500)
    model = window.panel.columns["sasrec"].list.rows
    qtmodeltester.check(model)
    assert model.index(0, 0).data(ROW_ROLE).item_id == 502
