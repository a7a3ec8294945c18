"""Concept cards with live values, chart export (PNG/SVG from the same paint code), the session
to CSV/JSON and "copy panel" (issue #8, points 3 and 8), over the fake models of test_ui_support.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QToolButton
from test_ui_support import FakeModel, make_service

from shopdemo.concepts import concepts
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import Prediction
from shopdemo.service.session_export import EVENT_COLUMNS, export_session
from shopdemo.ui.chart_export import chart_image, export_chart
from shopdemo.ui.concept_card import CONCEPT_TITLES
from shopdemo.ui.main_window import MainWindow
from shopdemo.ui.settings import open_settings

MAX_LEN = 5  # the padded fake's window


class PaddedFake(FakeModel):
    """FakeModel plus SASRec's padded input: item index + 1, left-padded with 0 to MAX_LEN."""

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        prediction = super().predict(session, k, temperature)
        known, _ = self.index.encode(session)
        tokens = [int(index) + 1 for index in known][-MAX_LEN:]
        padded = np.array([0] * (MAX_LEN - len(tokens)) + tokens)  # (MAX_LEN,)
        prediction.extras["padded_input"] = padded
        return prediction


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path: Path, qapp):  # noqa: ANN001, ANN201
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    font, palette, sheet = QApplication.font(), QApplication.palette(), qapp.styleSheet()
    yield
    qapp.setStyleSheet(sheet)
    QApplication.setPalette(palette)
    QApplication.setFont(font)


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    service = make_service(tmp_path)
    ids = [p.id for p in service.catalog.products]
    service.install("sasrec", PaddedFake("sasrec", ids, shift=2), "fake", "test loss")
    window = MainWindow(service, threaded=False, settings=open_settings(tmp_path / "ui.ini"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.close()
    service.close()


def card_text(window: MainWindow) -> str:
    return window.card.text.toPlainText()


# -- concept cards -------------------------------------------------------------------------
def test_the_card_titles_match_the_shipped_cards() -> None:
    assert CONCEPT_TITLES == {key: card.title for key, card in concepts().items()}


def test_padding_card_shows_this_sessions_padded_tensor_and_follows_clicks(
    qtbot, window: MainWindow
) -> None:  # noqa: ANN001
    window.click_product(500)
    window.click_product(600)
    index = window.service.slots["sasrec"].model.index
    first, second = (index.index_of(item) + 1 for item in (500, 600))
    window.panel.columns["sasrec"].padding_help.click()
    assert window.card.isVisible() and window.card.key == "padding"
    assert window.card.model == "sasrec"
    assert f"[0 0 0 {first} {second}]" in card_text(window)
    window.click_product(700)  # the open card follows the session
    third = index.index_of(700) + 1
    qtbot.waitUntil(lambda: f"[0 0 {first} {second} {third}]" in card_text(window), timeout=2000)


def test_update_gate_card_shows_the_gate_values_of_this_click(window: MainWindow) -> None:
    for item in (500, 600, 700):
        window.click_product(item)
    window.panel.columns["gru4rec"].explanation.help.click()
    text = card_text(window)
    # the fake's gates: 0.2, 0.5, 0.8 for the three clicks, on all 4 units
    assert "mean z = 0.80" in text and "4 of 4 units have z > 0.5" in text
    assert window.card.model == "gru4rec"


def test_softmax_card_uses_the_slider_temperature(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.click_product(500)
    window.panel.softmax.help.click()
    assert "T = 1," in card_text(window)
    window.panel.softmax.set_temperature(0.5)
    qtbot.waitUntil(lambda: "T = 0.5," in card_text(window), timeout=2000)
    window.card.source.setCurrentIndex(window.card.source.findData("gru4rec"))
    assert window.card.model == "gru4rec"
    assert "97.9%" in card_text(window)  # GRU4Rec's top at T = 0.5: 0.979257


def test_every_question_mark_opens_its_own_card(window: MainWindow) -> None:
    window.click_product(500)
    buttons = [b for b in window.findChildren(QToolButton) if b.property("concept")]
    opened = set()
    for button in buttons:
        button.click()
        assert window.card.key == button.property("concept")
        assert button.accessibleName().startswith("Explain: ")
        opened.add(window.card.key)
    window.new_visitor()  # a cold start: the banner links to its card
    window.panel.columns["gru4rec"].banner.text.linkActivated.emit("concept:cold_start")
    opened.add(window.card.key)
    assert opened == set(CONCEPT_TITLES)


# -- charts --------------------------------------------------------------------------------
def charts_after_clicks(window: MainWindow) -> dict:
    for item in (500, 600, 700):
        window.click_product(item)
    QApplication.processEvents()
    return window.charts()


def test_every_chart_exports_to_png_and_svg(tmp_path: Path, window: MainWindow) -> None:
    charts = charts_after_clicks(window)
    assert set(charts) == {
        "gru4rec-list",
        "sasrec-list",
        "attention",
        "update-gate",
        "distribution",
    }
    for name, (chart, title) in charts.items():
        png = export_chart(chart, tmp_path / f"{name}.png", title())
        image = QImage(str(png))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert image.width() == 2 * chart.width() or name.endswith("-list")
        sampled = {
            image.pixel(x, y)
            for x in range(0, image.width(), 5)
            for y in range(0, image.height(), 5)
        }
        assert len(sampled) > 10, name  # drawn, not a blank page
        svg = export_chart(chart, tmp_path / f"{name}.svg", title())
        root = ElementTree.parse(svg).getroot()
        assert root.tag.endswith("svg")
        texts = " ".join(node.text or "" for node in root.iter() if node.tag.endswith("text"))
        assert title().split(" ")[0] in texts  # the title line is real text, not pixels
    with pytest.raises(ShopDemoError, match="png or .svg"):
        export_chart(charts["attention"][0], tmp_path / "heatmap.jpg")


def test_the_export_menu_lists_every_chart_on_screen(window: MainWindow) -> None:
    charts_after_clicks(window)
    window.menus.charts.aboutToShow.emit()
    titles = [action.text() for action in window.menus.charts.actions()]
    assert len(titles) == 5 and any(title.startswith("SASRec self-attention") for title in titles)
    sub = window.menus.charts.actions()[0].menu()
    assert [action.text() for action in sub.actions()] == [
        "Save as PNG…",
        "Save as SVG…",
        "Copy image",
    ]


def test_help_lists_the_keys(window: MainWindow) -> None:
    window.show_keys()
    assert window.card.isVisible() and "F11" in card_text(window) and window.card.key == ""


def test_export_paints_exactly_what_the_screen_shows(window: MainWindow) -> None:
    heatmap = charts_after_clicks(window)["attention"][0]
    screen = heatmap.grab().toImage()
    exported = chart_image(heatmap, title="", scale=1.0)
    area = heatmap.matrix_rect()
    cells = [  # the centre of every cell of the 3 x 3 heatmap, masked ones included
        QPoint(
            int(area.left() + (col + 0.5) * area.width() / 3),
            int(area.top() + (row + 0.5) * area.height() / 3),
        )
        for row in range(3)
        for col in range(3)
    ]
    for point in cells:
        assert exported.pixelColor(point) == screen.pixelColor(point)


def test_list_export_holds_every_row_even_when_scrolled(window: MainWindow) -> None:
    chart = charts_after_clicks(window)["gru4rec-list"][0]
    assert chart.chart_size().height() == chart.row_height() * 10


def test_copy_panel_puts_the_panel_on_the_clipboard(window: MainWindow) -> None:
    window.click_product(500)
    window.menus.copy_panel.trigger()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull()
    assert (image.width(), image.height()) == (window.panel.width(), window.panel.height())


# -- the session to files ------------------------------------------------------------------
def test_session_exports_to_csv_with_names_and_sources(tmp_path: Path, window: MainWindow) -> None:
    window.click_product(500, "browse")
    window.click_product(502, "rec_sasrec")
    window.storefront.detail.add_button.click()
    path = window.export_session_to(tmp_path / "session.csv")
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(EVENT_COLUMNS)
    assert [(r["item_id"], r["kind"], r["source"]) for r in rows] == [
        ("500", "click", "browse"),
        ("502", "click", "rec_sasrec"),
        ("502", "add_to_cart", "rec_sasrec"),
    ]
    assert rows[0]["product"] == window.catalog.get(500).name
    assert [r["position"] for r in rows] == ["0", "1", "2"]


def test_session_exports_to_json_with_predictions_at_the_temperature(
    tmp_path: Path, window: MainWindow
) -> None:
    window.click_product(500)
    window.panel.softmax.set_temperature(2.0)
    path = window.export_session_to(tmp_path / "session.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["session"]["clicks"] == [500]
    assert document["predictions"]["temperature"] == 2.0
    gru = document["predictions"]["models"]["gru4rec"]["items"]
    assert [item["item_id"] for item in gru[:3]] == [501, 502, 500]
    assert gru[0]["probability"] == pytest.approx(0.516806, abs=1e-6)  # see test_ui_classroom_a
    assert [item["score"] for item in gru[:3]] == [0.0, -2.0, -3.0]
    with pytest.raises(ShopDemoError, match=".csv or .json"):
        export_session(window.service, tmp_path / "session.xlsx")
