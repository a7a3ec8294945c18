"""The shared predict helpers: top-k order with ties, softmax with temperature."""

from __future__ import annotations

import numpy as np
import pytest

from shopdemo.models.base import ItemIndex, softmax, top_k_indices, top_k_prediction


def test_top_k_breaks_ties_by_index_like_a_stable_sort() -> None:
    scores = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 0.5])
    assert top_k_indices(scores, 3).tolist() == [1, 3, 2]
    assert top_k_indices(scores, 10).tolist() == [1, 3, 2, 4, 0, 5]
    assert top_k_indices(scores, 0).tolist() == []


@pytest.mark.parametrize("n_items", [7, 1000, 20000])
def test_top_k_equals_a_full_stable_sort(n_items: int) -> None:
    rng = np.random.default_rng(n_items)
    scores = rng.integers(0, 5, n_items).astype(np.float32)  # many ties
    for k in (1, 5, 10, n_items):
        expected = np.argsort(-scores, kind="stable")[:k]
        assert top_k_indices(scores, k).tolist() == expected.tolist()


def test_softmax_with_temperature_by_hand() -> None:
    # exp(2)/(exp(2)+exp(0)) = 0.880797; at T=2: exp(1)/(exp(1)+1) = 0.731059
    assert softmax(np.array([2.0, 0.0]))[0] == pytest.approx(0.880797, abs=1e-6)
    assert softmax(np.array([2.0, 0.0]), temperature=2.0)[0] == pytest.approx(0.731059, abs=1e-6)
    with pytest.raises(ValueError):
        softmax(np.array([1.0]), temperature=0.0)


def test_prediction_reports_probabilities_over_all_items_and_unknown_ids() -> None:
    index = ItemIndex(np.array([10, 20, 30]))
    known, unknown = index.encode([20, 99, 10])
    assert known.tolist() == [1, 0] and unknown == [99]
    pred = top_k_prediction(np.log(np.array([0.2, 0.5, 0.3])), index.item_ids, k=2,
                            unknown=unknown)
    assert pred.items == [20, 30]
    assert pred.probs == pytest.approx([0.5, 0.3])
    assert pred.unknown == [99]
