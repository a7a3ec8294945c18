"""Next-item models (GRU4Rec, SASRec) behind the `predict` contract of DESIGN.md.

Only torch and numpy here: no Qt, no SQLAlchemy.
"""

from shopdemo.models.base import NextItemModel, Prediction

__all__ = ["NextItemModel", "Prediction"]
