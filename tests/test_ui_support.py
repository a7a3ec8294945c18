"""Fakes shared by the window and service tests (this file holds no tests itself).

`FakeModel` is a deterministic `NextItemModel`: after a session it ranks the items right after
the last click highest (last + 1, last + 2, ...), so a test can compute every rank by hand, and
it returns SASRec- or GRU4Rec-shaped extras so the panel's explanations have data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from shopdemo.catalog import load_catalog
from shopdemo.models.base import ItemIndex, Prediction, top_k_prediction
from shopdemo.service import ModelSlot, ShopService
from shopdemo.store import SessionStore


class FakeModel:
    """Scores item j after a session ending in item x as -(distance from x + shift)."""

    def __init__(self, name: str, item_ids: Sequence[int], shift: int = 1) -> None:
        self.name = name
        self.item_ids = np.asarray(item_ids, dtype=np.int64)
        self.index = ItemIndex(self.item_ids)
        self.shift = shift  # the top item is last click + shift
        self.calls = 0

    def scores_after(self, known: np.ndarray) -> np.ndarray:
        if len(known) == 0:  # cold start: the lowest ids first
            return -np.arange(len(self.item_ids), dtype=np.float64)
        target = known[-1] + self.shift
        distance = np.arange(len(self.item_ids)) - target  # (n_items,)
        # Items after the target come before those below it, so all scores differ.
        return -np.where(distance >= 0, 2.0 * distance, -2.0 * distance + 1.0)

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        self.calls += 1
        known, unknown = self.index.encode(session)
        length = len(known)
        extras: dict[str, np.ndarray] = {}
        if self.name == "sasrec":
            attention = np.tril(np.ones((length, length)))  # (L, L) causal
            attention /= np.maximum(attention.sum(axis=1, keepdims=True), 1)
            extras["attention"] = np.stack([np.stack([attention, attention])])  # (1, 2, L, L)
        elif self.name == "gru4rec":
            steps = np.linspace(0.2, 0.8, max(length, 1))[:length]
            extras["update_gate"] = np.repeat(steps[None, :, None], 4, axis=2)  # (1, L, 4)
        return top_k_prediction(
            self.scores_after(known),
            self.item_ids,
            k,
            temperature,
            unknown=unknown,
            cold_start=length == 0,
            extras=extras,
        )

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        return np.stack([self.scores_after(np.asarray(p)) for p in prefixes])


def make_service(
    tmp_path: Path,
    models: Sequence[str] = ("gru4rec", "sasrec"),
    item_ids: Sequence[int] | None = None,
) -> ShopService:
    """The real catalogue and store (a file in tmp_path) with fake models in the given slots."""
    catalog = load_catalog()
    store = SessionStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    titles = {"gru4rec": "GRU4Rec", "sasrec": "SASRec"}
    slots = [ModelSlot(key, titles[key], problem="no checkpoint (test)") for key in titles]
    service = ShopService(catalog, store, slots, models_dir=tmp_path / "models")
    ids = list(item_ids) if item_ids is not None else [p.id for p in catalog.products]
    for key in models:
        shift = 1 if key == "gru4rec" else 2
        service.install(key, FakeModel(key, ids, shift=shift), "fake", "test loss")
    return service


def click_events(service: ShopService) -> list[tuple[int, str, str]]:
    """(item, kind, source) of every event of the current session, from the store."""
    _, events = service.store.load_session(service.session_number)
    return [(e.item_id, e.kind, e.source) for e in events]
