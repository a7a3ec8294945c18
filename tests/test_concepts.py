"""Concept cards: every card renders with and without live values, in the Qt rich-text subset,
and the live numbers are the hand-computed ones (padded tensor, gate means, softmax, MRR)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from shopdemo.catalog import load_catalog
from shopdemo.concepts import LiveValues, concepts, live_values, render_concept
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import top_k_prediction
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender

KEYS = {
    "session_vs_profile",
    "cold_start",
    "padding",
    "softmax",
    "update_gate",
    "self_attention",
    "causal_mask",
    "recall_mrr",
}
ALLOWED_TAGS = {"p", "b", "i", "tt", "table", "tr", "td", "th"}
HINT = "Click a product to see live values"


def tags(text: str) -> set[str]:
    return {name.lower() for name in re.findall(r"</?([a-zA-Z0-9]+)", text)}


def three_clicks_attention() -> np.ndarray:
    """(1 layer, 2 heads, 3, 3): causal rows summing to 1, last rows chosen by hand."""
    attention = np.zeros((1, 2, 3, 3))
    attention[0, :, 0, 0] = 1.0
    attention[0, :, 1, :2] = [0.5, 0.5]
    attention[0, 0, 2] = [0.1, 0.2, 0.7]
    attention[0, 1, 2] = [0.3, 0.4, 0.3]
    return attention


def test_the_eight_cards_exist_and_ask_for_clicks_without_live_values() -> None:
    assert set(concepts()) == KEYS
    for key, concept in concepts().items():
        text = render_concept(key)
        assert text.startswith(f"<p><b>{concept.title}</b></p>")
        assert HINT in text and "{live}" not in text
        assert tags(text) <= ALLOWED_TAGS, key


def test_unknown_card_is_a_one_line_error() -> None:
    with pytest.raises(ShopDemoError, match="unknown concept 'dropout'"):
        render_concept("dropout")


def test_padding_prints_this_sessions_padded_tensor() -> None:
    live = LiveValues(
        model="sasrec",
        read_items=["drill", "bits", "glasses"],
        padded_input=np.array([0, 0, 0, 0, 17, 42, 99]),
    )
    text = render_concept("padding", live)
    assert "<tt>[0 0 0 0 17 42 99]</tt>" in text
    assert "<tt>max_len</tt> = 7: 4 positions of padding (0, no click) and 3 clicks" in text
    assert "<td>17</td><td>drill</td>" in text and "<td>99</td><td>glasses</td>" in text
    assert "no longer fit" not in text


def test_padding_says_which_clicks_fell_out_of_the_window() -> None:
    live = LiveValues(read_items=list("abcde"), padded_input=np.array([3, 4, 5]))
    text = render_concept("padding", live)
    assert "0 positions of padding" in text and "The oldest 2 clicks no longer fit" in text


def test_padding_from_the_gru_column_explains_there_is_none() -> None:
    live = LiveValues(model="gru4rec", update_gate=np.zeros((1, 2, 4)))
    assert "GRU4Rec needs no padding. It has read 2 clicks" in render_concept("padding", live)


def test_update_gate_shows_mean_z_per_click_and_direct_shares() -> None:
    gate = np.array([[[1.0, 1.0, 1.0, 0.0], [0.2, 0.2, 0.2, 1.0]]])  # (layers, L, hidden)
    live = LiveValues(model="gru4rec", read_items=["drill", "bodysuit"], update_gate=gate)
    text = render_concept("update_gate", live)
    # last click: mean z = (0.2 * 3 + 1) / 4 = 0.40, one unit above 0.5
    assert "The latest click (<b>bodysuit</b>): mean z = 0.40; 1 of 4 units" in text
    # direct shares: bodysuit = mean z = 40%; drill = mean(z1 * (1 - z2)) = 2.4 / 4 = 60%
    assert "<td>1</td><td>drill</td><td>0.75</td><td>60.0%</td>" in text
    assert "<td>2</td><td>bodysuit</td><td>0.40</td><td>40.0%</td>" in text
    assert "overwrote most: drill (mean z 0.75)" in text


def test_update_gate_with_no_clicks_or_from_sasrec() -> None:
    empty = render_concept("update_gate", LiveValues(update_gate=np.zeros((1, 0, 4))))
    assert "No clicks yet" in empty and "<tt>h_0 = 0</tt>" in empty
    assert "SASRec has no update gate" in render_concept("update_gate", LiveValues(model="sasrec"))


def test_softmax_shows_probabilities_at_the_temperature_and_the_tail_mass() -> None:
    live = LiveValues(scores=np.array([2.0, 1.0, 0.0]), item_labels=["a", "b", "c"], k=2)
    text = render_concept("softmax", live)
    # e^2, e^1, e^0 over their sum 11.107: 0.665, 0.245, 0.090
    assert "<td>1</td><td>a</td><td>2.00</td><td>66.5%</td>" in text
    assert "<td>2</td><td>b</td><td>1.00</td><td>24.5%</td>" in text
    assert "<td>c</td>" not in text
    assert "the remaining <b>9.0%</b> is spread over the other 1 product." in text
    assert "each product 33.3%" in text and "At T = 1" not in text
    sharp = render_concept(
        "softmax", LiveValues(scores=np.array([2.0, 1.0, 0.0]), k=2, temperature=0.5)
    )
    # scores / 0.5 = 4, 2, 0: e^4 / (e^4 + e^2 + 1) = 0.867, 0.117, remaining 0.016
    assert "<td>item #0</td><td>2.00</td><td>86.7%</td>" in sharp
    assert "the remaining <b>1.6%</b> is spread" in sharp
    assert "At T = 1 the top product would get 66.5% instead of 86.7%" in sharp


def test_recall_and_mrr_are_the_sessions_scoreboard() -> None:
    live = LiveValues(session_items=["a", "b", "c", "d", "e"], click_ranks=[1, 2, None, 12], k=10)
    text = render_concept("recall_mrr", live)
    assert "<td>4</td><td>d</td><td>unknown</td><td>no</td><td>0</td>" in text
    assert "<td>5</td><td>e</td><td>12</td><td>no</td><td>0</td>" in text
    assert "<b>Recall@10</b> = 2/4 = 0.500" in text
    assert "<b>MRR@10</b> = (1 + 0.5 + 0 + 0) / 4 = 0.375" in text
    first = render_concept("recall_mrr", LiveValues(click_ranks=[]))
    assert "scoring starts with the second click" in first


def test_self_attention_reads_the_last_row() -> None:
    live = LiveValues(read_items=["drill", "bits", "bodysuit"], attention=three_clicks_attention())
    text = render_concept("self_attention", live)
    # mean over heads of the last row: (0.1+0.3)/2, (0.2+0.4)/2, (0.7+0.3)/2 = 0.2, 0.3, 0.5
    assert "it sums to 1.00" in text
    rows = re.findall(r"<tr><td>(\w+)</td><td>([\d.]+%)</td></tr>", text)
    assert rows == [("bodysuit", "50.0%"), ("bits", "30.0%"), ("drill", "20.0%")]
    assert "head 1 looks most at bodysuit (70.0%); head 2 looks most at bits (40.0%)" in text
    assert "GRU4Rec has no attention" in render_concept(
        "self_attention", LiveValues(model="gru4rec")
    )


def test_causal_mask_reports_what_sits_above_the_diagonal() -> None:
    live = LiveValues(read_items=["drill", "bits", "bodysuit"], attention=three_clicks_attention())
    text = render_concept("causal_mask", live)
    assert "3 x 3: 3 cells above the diagonal are masked" in text
    assert "is 0.000. The first click's row puts 1.00 on itself" in text
    assert "<tr><td>1 drill</td><td>1.00</td><td>\u2013</td><td>\u2013</td></tr>" in text
    leaky = three_clicks_attention()
    leaky[0, 1, 0, 2] = 0.25  # a broken mask would show up in the card
    assert "is 0.250." in render_concept("causal_mask", LiveValues(attention=leaky))


def test_cold_start_and_session_cards_follow_the_click_count() -> None:
    empty = LiveValues(session_items=[], scores=np.array([0.0, 3.0]), item_labels=["x", "pop"])
    text = render_concept("cold_start", empty)
    assert "<b>Zero clicks</b>" in text and "<td>1</td><td>pop</td>" in text
    later = LiveValues(session_items=["a", "b"], session_departments=["Tools", "Baby"])
    assert "This session has 2 clicks, so it is past cold start" in render_concept(
        "cold_start", later
    )
    session = render_concept(
        "session_vs_profile",
        LiveValues(
            session_items=["drill", "bits", "bib"],
            session_departments=["Power Tools", "Power Tools", "Baby Clothing"],
        ),
    )
    assert "3 clicks; the latest: drill &rarr; bits &rarr; bib" in session
    assert "Power Tools 2, Baby Clothing 1. The latest click is in <b>Baby Clothing</b>" in session


def test_names_are_escaped_for_rich_text() -> None:
    live = LiveValues(read_items=["Hats & <Mittens>"], padded_input=np.array([0, 5]))
    text = render_concept("padding", live)
    assert "Hats &amp; &lt;Mittens&gt;" in text and "<Mittens>" not in text


def test_live_values_from_a_prediction_skip_unknown_clicks() -> None:
    catalog = load_catalog()
    ids = np.arange(1, 6)
    extras = {"padded_input": np.array([0, 0, 1, 2])}
    prediction = top_k_prediction(np.arange(5.0), ids, 3, unknown=[99999], extras=extras)
    live = live_values(
        catalog, [1, 99999, 2], prediction, ids, model="sasrec", k=3, click_ranks=[None, 4]
    )
    assert live.session_items == [catalog.get(1).name, "item 99999", catalog.get(2).name]
    assert live.read_items == [catalog.get(1).name, catalog.get(2).name]
    assert live.session_departments == ["Power Tools", "unknown", "Power Tools"]
    assert live.item_labels == [catalog.get(i).name for i in range(1, 6)]
    assert live.update_gate is None and live.padded_input is extras["padded_input"]
    assert all(
        HINT not in render_concept(key, live) for key in ("padding", "softmax", "recall_mrr")
    )


def test_cards_read_real_model_extras() -> None:
    """The extras of untrained SASRec/GRU4Rec models fit the cards (shapes per DESIGN.md)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        check_real_model_extras()
    finally:
        torch.set_num_threads(previous)


def check_real_model_extras() -> None:
    torch.manual_seed(0)
    catalog = load_catalog()
    ids = np.arange(1, 31)  # token = index + 1 = product id here
    sasrec = SASRecRecommender(
        SASRec(SASRecConfig(max_len=5, hidden=8, heads=2, layers=1), 30), ids
    )
    live = live_values(catalog, [3, 5, 7], sasrec.predict([3, 5, 7]), ids, model="sasrec")
    assert "<tt>[0 0 3 5 7]</tt>" in render_concept("padding", live)
    assert (
        "3 x 3: 3 cells above the diagonal are masked, and the largest weight there, over "
        "all layers and heads, is 0.000" in render_concept("causal_mask", live)
    )
    assert "it sums to 1.00" in render_concept("self_attention", live)
    config = GRU4RecConfig(layers=[6], constrained_embedding=False, embedding=4)
    gru = GRU4RecRecommender(GRU4Rec(config, 30).eval(), ids)
    prediction = gru.predict([3, 5, 7])
    live = live_values(catalog, [3, 5, 7], prediction, ids, model="gru4rec")
    last_mean = prediction.extras["update_gate"][0, -1].mean()
    assert f"mean z = {last_mean:.2f}; " in render_concept("update_gate", live)
    for key in KEYS:
        assert tags(render_concept(key, live)) <= ALLOWED_TAGS
