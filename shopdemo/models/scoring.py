"""Scoring a module the trainer may still be training: eval mode, no gradients, mode restored.

Shared by GRU4Rec and SASRec: validation scores the very module the loop trains, so a scoring
call must switch dropout off for itself and hand the module back in the mode it found it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def scoring(module: nn.Module) -> Iterator[None]:
    """Eval mode without gradients for one scoring call; the module's mode is restored after."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(was_training)
