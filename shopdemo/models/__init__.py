"""Next-item models (GRU4Rec, SASRec) behind the `predict` contract of DESIGN.md.

Only torch and numpy here: no Qt, no SQLAlchemy. `load_model` turns a checkpoint file into a
ready `NextItemModel`, whatever its kind: each model module exposes `from_checkpoint(ckpt)`.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import os
from typing import Any

import numpy as np

from shopdemo.errors import ShopDemoError
from shopdemo.models.base import NextItemModel, Prediction
from shopdemo.models.checkpoint import load_checkpoint

__all__ = ["NextItemModel", "Prediction", "check_vocabulary", "config_problem", "load_model"]


def load_model(path: str | os.PathLike[str]) -> NextItemModel:
    """Load a checkpoint written by `shopdemo train` (any model kind) for inference."""
    ckpt = load_checkpoint(path)
    module = importlib.import_module(f"shopdemo.models.{ckpt['model']}")  # a known kind only
    problem = config_problem(ckpt["config"], module.Config)
    if problem:
        raise ShopDemoError(f"{path}: checkpoint does not fit a {ckpt['model']} model ({problem})")
    try:
        return module.from_checkpoint(ckpt)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ShopDemoError(
            f"{path}: checkpoint does not fit a {ckpt['model']} model ({reason[:160]})"
        ) from None


def config_problem(config: dict[str, Any], config_class: type) -> str:
    """What is wrong with a checkpoint's config ("" if nothing): an unknown setting, or a value
    whose type differs from the dataclass default's (an int is fine for a float; floats must be
    finite).

    The same rule as `shopdemo train --config`, so every checkpoint it writes passes; a foreign
    or edited file fails here with the setting's name instead of deep inside the model."""
    defaults = {
        field.name: field.default_factory()
        if field.default_factory is not dataclasses.MISSING
        else field.default
        for field in dataclasses.fields(config_class)
    }
    for key, value in config.items():
        if key not in defaults:
            return f"unknown setting {key!r}"[:160]
        default = defaults[key]
        values, expected = [value], default
        if isinstance(default, list) and isinstance(value, list) and default:
            values, expected = value, default[0]  # e.g. layers: every size an int
        elif isinstance(default, list) and isinstance(value, list):
            continue
        for item in values:
            if not _same_kind(item, expected):
                return f"{key} should be {type(expected).__name__}, got {item!r}"[:160]
    return ""


def _same_kind(value: Any, default: Any) -> bool:
    if default is None or dataclasses.MISSING is default:
        return True
    if (
        isinstance(default, float)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return math.isfinite(value)
    return type(value) is type(default)


def check_vocabulary(
    model: NextItemModel, expected_item_ids: np.ndarray, *, where: str = ""
) -> None:
    """Fail with one line when a model does not know exactly the expected items (same order)."""
    have = np.asarray(model.item_ids, dtype=np.int64)
    want = np.asarray(expected_item_ids, dtype=np.int64)
    if have.shape == want.shape and np.array_equal(have, want):
        return
    prefix = f"{where}: " if where else ""
    only_model = np.setdiff1d(have, want)
    only_expected = np.setdiff1d(want, have)
    if len(only_model) == 0 and len(only_expected) == 0:
        problem = "same items in a different order"
    else:
        parts = [f"model has {len(have)} items, expected {len(want)}"]
        if len(only_expected):
            parts.append(f"missing e.g. item {int(only_expected[0])}")
        if len(only_model):
            parts.append(f"unexpected e.g. item {int(only_model[0])}")
        problem = "; ".join(parts)
    raise ShopDemoError(f"{prefix}item vocabulary mismatch: {problem}")
