"""What-if editing: change a copy of the session and measure how each model's prediction moves.

Attention weights say where SASRec *looks*; they do not say which click *matters*. Next to them
this module puts the leave-one-out influence of every click (how much the top item's probability
drops when that click is removed), so the class can compare the two. Everything works on a copy of
the clicks: the store's log is never rewritten. No Qt here; the what-if dialog only draws it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from shopdemo.service.panel import rank_of

if TYPE_CHECKING:
    from shopdemo.models.base import NextItemModel, Prediction


# -- editing a copy of the session ---------------------------------------------------------
def remove_click(session: Sequence[int], index: int) -> tuple[int, ...]:
    """The session without the click at `index` (0-based)."""
    clicks = list(session)
    if not 0 <= index < len(clicks):
        raise IndexError(f"no click {index} in a session of {len(clicks)}")
    del clicks[index]
    return tuple(clicks)


def move_click(session: Sequence[int], index: int, to: int) -> tuple[int, ...]:
    """The session with the click at `index` moved to position `to` (both 0-based)."""
    clicks = list(session)
    if not 0 <= index < len(clicks) or not 0 <= to < len(clicks):
        raise IndexError(f"cannot move click {index} to {to} in a session of {len(clicks)}")
    clicks.insert(to, clicks.pop(index))
    return tuple(clicks)


def insert_click(session: Sequence[int], index: int, item: int) -> tuple[int, ...]:
    """The session with `item` clicked at position `index` (len(session): at the end)."""
    clicks = list(session)
    if not 0 <= index <= len(clicks):
        raise IndexError(f"cannot insert at {index} in a session of {len(clicks)}")
    clicks.insert(index, int(item))
    return tuple(clicks)


# -- what the dialog shows ------------------------------------------------------------------
@dataclass(frozen=True)
class ItemChange:
    """One product's probability before and after the edit."""

    item: int  # external product id
    before: float  # probability after the original session
    after: float  # probability after the edited session
    rank_before: int  # 1-based rank over the whole catalogue (conservative ties)
    rank_after: int

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class ClickEffect:
    """One click of the edited session: what the model says about it, and what it does."""

    position: int  # 0-based position in the edited session
    item: int  # the clicked product
    attention: float | None  # SASRec: last-row weight, mean over layers and heads (None: not read)
    gate: float | None  # GRU4Rec: mean update gate z of this click (None: not read)
    without: float  # the top item's probability when this click is removed
    influence: float  # top probability with the click minus without it (> 0: it supports the top)
    new_top: int  # the top item when this click is removed

    @property
    def removal(self) -> float:
        """What removing the click does to the top item's probability (< 0: it drops)."""
        return -self.influence


@dataclass(frozen=True)
class ModelWhatIf:
    """One model's answer to the edit."""

    key: str  # slot key: gru4rec, sasrec, ...
    changes: list[ItemChange]  # top-k after the edit, then items that left the top-k
    top_item: int  # the edited session's top item (whose probability the influence tracks)
    top_prob: float
    effects: list[ClickEffect]  # one per click of the edited session


def probabilities(prediction: Prediction, temperature: float) -> np.ndarray:
    """(n_items,) softmax over the whole catalogue, from the prediction's raw scores."""
    from shopdemo.models.base import softmax

    return softmax(np.asarray(prediction.scores), temperature)


def compare(
    before: np.ndarray, after: np.ndarray, item_ids: np.ndarray, k: int
) -> list[ItemChange]:
    """Probability change of the top-k after the edit, then of those that left the top-k.

    `before` and `after` are full probability vectors aligned with `item_ids`."""
    k = max(1, min(int(k), len(item_ids)))
    top_after = [int(i) for i in np.argsort(-after, kind="stable")[:k]]
    top_before = [int(i) for i in np.argsort(-before, kind="stable")[:k]]
    left = sorted(set(top_before) - set(top_after), key=lambda i: (-before[i], i))
    return [
        ItemChange(
            int(item_ids[index]),
            float(before[index]),
            float(after[index]),
            rank_of(before, index),
            rank_of(after, index),
        )
        for index in top_after + left
    ]


def read_positions(prediction: Prediction, session: Sequence[int], width: int) -> list[int]:
    """0-based positions of the clicks a model read: known items, the last `width` of them."""
    unknown = set(prediction.unknown)
    known = [position for position, item in enumerate(session) if item not in unknown]
    return known[max(0, len(known) - width) :] if width else []


def attention_per_click(prediction: Prediction, session: Sequence[int]) -> list[float | None]:
    """SASRec's last attention row (mean over layers and heads) spread onto the clicks."""
    attention = np.asarray(prediction.extras.get("attention", np.zeros((0, 0, 0, 0))))
    weights: list[float | None] = [None] * len(session)
    if attention.ndim != 4 or attention.shape[-1] == 0:
        return weights
    last_row = attention.mean(axis=(0, 1))[-1]  # (L,) what the prediction reads
    for position, weight in zip(
        read_positions(prediction, session, len(last_row)), last_row, strict=True
    ):
        weights[position] = float(weight)
    return weights


def gate_per_click(prediction: Prediction, session: Sequence[int]) -> list[float | None]:
    """GRU4Rec's mean update gate z per click (z = 1 overwrites the memory)."""
    gates = np.asarray(prediction.extras.get("update_gate", np.zeros((0, 0, 0))))
    values: list[float | None] = [None] * len(session)
    if gates.ndim != 3 or gates.shape[1] == 0:
        return values
    means = gates.mean(axis=(0, 2))  # (L,)
    for position, mean in zip(read_positions(prediction, session, len(means)), means, strict=True):
        values[position] = float(mean)
    return values


def what_if_model(
    key: str,
    model: NextItemModel,
    original: Sequence[int],
    edited: Sequence[int],
    k: int = 10,
    temperature: float = 1.0,
) -> ModelWhatIf:
    """Before/after probabilities and the leave-one-out influence of every edited click.

    Costs len(edited) + 2 model calls."""
    original, edited = [int(i) for i in original], [int(i) for i in edited]
    before_prediction = model.predict(original, k=1)
    after_prediction = model.predict(edited, k=1)
    before = probabilities(before_prediction, temperature)
    after = probabilities(after_prediction, temperature)
    top = int(np.argmax(after))
    attention = attention_per_click(after_prediction, edited)
    gates = gate_per_click(after_prediction, edited)
    effects = []
    for position, item in enumerate(edited):
        reduced = probabilities(model.predict(remove_click(edited, position), k=1), temperature)
        effects.append(
            ClickEffect(
                position,
                item,
                attention[position],
                gates[position],
                float(reduced[top]),
                float(after[top] - reduced[top]),
                int(model.item_ids[int(np.argmax(reduced))]),
            )
        )
    return ModelWhatIf(
        key,
        compare(before, after, np.asarray(model.item_ids), k),
        int(model.item_ids[top]),
        float(after[top]),
        effects,
    )


def what_if(
    models: Mapping[str, NextItemModel],
    original: Sequence[int],
    edited: Sequence[int],
    k: int = 10,
    temperature: float = 1.0,
) -> dict[str, ModelWhatIf]:
    """`what_if_model` for every available model, in the given order."""
    return {
        key: what_if_model(key, model, original, edited, k, temperature)
        for key, model in models.items()
        if model is not None
    }


def strongest(effects: Sequence[ClickEffect], field: str) -> ClickEffect | None:
    """The click with the largest `field` (attention, gate or influence by magnitude)."""
    scored = [
        (abs(value) if field == "influence" else value, effect)
        for effect in effects
        if (value := getattr(effect, field)) is not None
    ]
    if not scored:
        return None
    return max(scored, key=lambda pair: pair[0])[1]
