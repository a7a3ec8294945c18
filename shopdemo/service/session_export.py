"""The session on screen to a file a class can open in a spreadsheet or a notebook.

CSV holds the session's events (one row per click or add-to-cart, with product names); JSON holds
the same events plus what every model predicted after the last click, at the temperature on
screen. No Qt and no SQL here: events come from the store's API, files from the atomic writers.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np

from shopdemo.data.writers import atomic_write, write_csv
from shopdemo.errors import ShopDemoError
from shopdemo.service.panel import PanelState
from shopdemo.service.shop import ShopService

EVENT_COLUMNS = (
    "session_number",
    "position",  # 0-based, all event kinds counted
    "item_id",
    "product",
    "department",
    "subcategory",
    "time",  # unix seconds
    "timestamp",  # the same instant, ISO 8601 UTC
    "kind",  # click / add_to_cart / ...
    "source",  # browse / search / rec_<model> / replay
)
FORMATS = ("csv", "json")


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.asarray(scores, dtype=np.float64) / temperature  # (n_items,)
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()


def session_events(service: ShopService) -> list[tuple[Any, ...]]:
    """The current session's events as rows of `EVENT_COLUMNS`, oldest first."""
    _, events = service.store.load_session(service.session_number)
    products = {int(product.id): product for product in service.catalog.products}
    rows = []
    for event in events:
        product = products.get(int(event.item_id))
        moment = event.timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
        seconds = event.time
        rows.append(
            (
                event.session_number,
                event.position,
                event.item_id,
                product.name if product is not None else "",
                product.department if product is not None else "",
                getattr(product, "subcategory", "") if product is not None else "",
                int(seconds) if float(seconds).is_integer() else seconds,
                moment,
                event.kind,
                event.source,
            )
        )
    return rows


def predictions_of(
    service: ShopService, state: PanelState, temperature: float
) -> dict[str, dict[str, Any]]:
    """Every model's top-k after the last click, probabilities at `temperature`."""
    products = {int(product.id): product.name for product in service.catalog.products}
    result: dict[str, dict[str, Any]] = {}
    titles = {slot.key: slot.title for slot in service.columns()}
    for key, view in state.views.items():
        prediction = view.prediction
        scores = np.asarray(prediction.scores, dtype=np.float64)  # (n_items,)
        ranked = -np.sort(-scores)  # (n_items,) the top-k items' scores come first
        probs = _softmax(ranked, temperature)
        result[key] = {
            "title": titles.get(key, key),
            "cold_start": bool(prediction.cold_start),
            "unknown_clicks": [int(item) for item in prediction.unknown],
            "hits": view.score.hits,
            "scored_clicks": view.score.targets,
            "mrr": round(view.score.mrr, 6),
            "items": [
                {
                    "rank": rank,
                    "item_id": int(item),
                    "product": products.get(int(item), ""),
                    "score": round(float(ranked[rank - 1]), 6),
                    "probability": float(probs[rank - 1]),
                }
                for rank, item in enumerate(prediction.items, start=1)
            ],
        }
    return result


def export_session(
    service: ShopService,
    path: str | Path,
    state: PanelState | None = None,
    temperature: float = 1.0,
) -> Path:
    """Write the current session as CSV (events) or JSON (events and predictions)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ShopDemoError(f"{path}: a session exports as .csv or .json, not {path.suffix!r}")
    if temperature <= 0:
        raise ShopDemoError(f"temperature must be positive, got {temperature}")
    rows = session_events(service)
    if kind == "csv":
        write_csv(path, EVENT_COLUMNS, rows)
        return path
    info, _ = service.store.load_session(service.session_number)
    document = {
        "session": {
            "number": info.number,
            "origin": info.origin,
            "started_at": info.started_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "clicks": [int(item) for item in service.clicks],
        },
        "events": [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows],
        "predictions": {},
    }
    if state is not None and state.session == service.clicks:
        document["predictions"] = {
            "k": state.k,
            "temperature": temperature,
            "models": predictions_of(service, state, temperature),
        }
    with atomic_write(path) as stream:
        json.dump(document, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    return path
