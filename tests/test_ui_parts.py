"""The panel's small parts: attention selection and masking, rank-change text, colour images,
the navigation chips and the snapshot's argument parsing; hand-computed values throughout."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from shopdemo.catalog import load_catalog
from shopdemo.errors import ShopDemoError
from shopdemo.ui.app import parse_size, resolve_clicks
from shopdemo.ui.attention_view import select_attention, with_causal_mask
from shopdemo.ui.colormap import array_to_image, lookup_table
from shopdemo.ui.gate_view import GateView
from shopdemo.ui.nav_bar import NavBar
from shopdemo.ui.prediction_list import PredictionRow, percent
from shopdemo.ui.theme import LIGHT


def test_select_attention_takes_one_layer_head_or_their_mean() -> None:
    attention = np.zeros((2, 2, 2, 2))  # (layers, heads, L, L)
    attention[0, 0] = [[1, 0], [0.2, 0.8]]
    attention[0, 1] = [[1, 0], [0.6, 0.4]]
    attention[1, 0] = [[1, 0], [1.0, 0.0]]
    attention[1, 1] = [[1, 0], [0.0, 1.0]]
    assert select_attention(attention, 0, 1)[1].tolist() == [0.6, 0.4]
    assert select_attention(attention, 0, -1)[1] == pytest.approx([0.4, 0.6])
    assert select_attention(attention, -1, 0)[1] == pytest.approx([0.6, 0.4])
    assert select_attention(attention, -1, -1)[1] == pytest.approx([0.45, 0.55])


def test_the_causal_mask_hides_later_clicks() -> None:
    masked = with_causal_mask(np.full((3, 3), 0.5))
    assert np.isnan(masked[0, 1]) and np.isnan(masked[0, 2]) and np.isnan(masked[1, 2])
    assert masked[2, 0] == 0.5 and masked[1, 1] == 0.5


@pytest.mark.parametrize(
    ("previous", "rank", "text"),
    [(None, 1, ""), (15, 3, "new"), (3, 1, "▲2"), (1, 4, "▼3"), (5, 5, "=")],
)
def test_rank_change_text(previous: int | None, rank: int, text: str) -> None:
    row = PredictionRow(rank, 7, "x", None, None, 0.1, previous, False)
    assert row.change_text(10) == text


def test_percent_keeps_small_probabilities_readable() -> None:
    assert [percent(p) for p in (0.4312, 0.0473, 0.00049)] == ["43%", "4.7%", "<0.1%"]


def test_array_to_image_maps_the_ends_of_the_colour_map_and_greys_nan(qapp) -> None:  # noqa: ANN001
    image = array_to_image(np.array([[0.0, 1.0], [np.nan, 0.5]]), vmax=1.0)
    low, high = lookup_table()[0], lookup_table()[255]
    assert image.pixelColor(0, 0) == QColor(*map(int, low))
    assert image.pixelColor(1, 0) == QColor(*map(int, high))
    assert image.pixelColor(0, 1) == QColor(200, 200, 200)


def test_gate_view_shows_the_last_layer_first(qtbot) -> None:  # noqa: ANN001
    view = GateView(LIGHT)
    qtbot.addWidget(view)
    gates = np.stack([np.zeros((2, 3)), np.ones((2, 3))])  # (layers, L, hidden)
    view.set_gates(gates, ["drill", "bib"], [1, 2])
    assert view.strip.values.tolist() == [[1, 1, 1], [1, 1, 1]]
    assert view.strip.row_labels == ["1. drill", "2. bib"]
    view.layer.setCurrentIndex(0)
    assert view.strip.values.sum() == 0


def test_nav_chips_escape_ampersands_and_request_their_department(qtbot) -> None:  # noqa: ANN001
    bar = NavBar(LIGHT)
    qtbot.addWidget(bar)
    bar.show_path(["Baby Clothing"], ["Bodysuits", "Hats & Mittens"], "")
    assert bar.chip_names() == ["All", "Bodysuits", "Hats & Mittens"]
    with qtbot.waitSignal(bar.department_requested) as request:
        bar.group.buttons()[2].click()
    assert request.args == ["Baby Clothing", "Hats & Mittens"]


def test_snapshot_arguments() -> None:
    catalog = load_catalog()
    first = catalog.products[0]
    assert resolve_clicks(catalog, [str(first.id), first.name, " "]) == [first.id, first.id]
    with pytest.raises(ShopDemoError, match="no product"):
        resolve_clicks(catalog, ["Unobtainium"])
    assert parse_size("1920x1080") == (1920, 1080)
    with pytest.raises(ShopDemoError, match="outside"):
        parse_size("100x100")
