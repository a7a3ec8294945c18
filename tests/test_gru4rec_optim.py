"""Adagrad with momentum: hand-computed steps, and row-sparse updates that touch only used rows."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional

from shopdemo.models.optim import AdagradMomentum


def test_dense_steps_by_hand() -> None:
    param = torch.nn.Parameter(torch.tensor([1.0]))
    optimizer = AdagradMomentum([param], lr=0.1, momentum=0.5, eps=1e-6)
    param.grad = torch.tensor([0.5])
    optimizer.step()
    first = 0.1 * 0.5 / math.sqrt(0.25 + 1e-6)  # accumulator 0.25, step ~0.1
    velocity = first
    expected = 1.0 - (0.5 * velocity + first)  # Nesterov: look one momentum step ahead
    assert param.item() == pytest.approx(expected, rel=1e-6)
    param.grad = torch.tensor([0.5])
    optimizer.step()
    second = 0.1 * 0.5 / math.sqrt(0.5 + 1e-6)  # accumulator 0.5
    velocity = 0.5 * velocity + second
    expected -= 0.5 * velocity + second
    assert param.item() == pytest.approx(expected, rel=1e-6)


def test_without_momentum_it_is_plain_adagrad() -> None:
    ours = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    mine = AdagradMomentum([ours], lr=0.3, momentum=0.0, eps=1e-10)
    reference = torch.optim.Adagrad([theirs], lr=0.3, eps=1e-10**0.5)  # torch: sqrt(acc) + eps
    for grad in ([0.5, -1.0], [0.2, 3.0], [-1.0, 0.1]):
        ours.grad, theirs.grad = torch.tensor(grad), torch.tensor(grad)
        mine.step()
        reference.step()
    assert torch.allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("momentum", [0.0, 0.4])
def test_sparse_rows_match_dense_and_untouched_rows_stay(momentum: float) -> None:
    torch.manual_seed(0)
    start = torch.randn(6, 3)
    sparse = torch.nn.Parameter(start.clone())
    dense = torch.nn.Parameter(start.clone())
    sparse_optimizer = AdagradMomentum([sparse], lr=0.1, momentum=momentum)
    dense_optimizer = AdagradMomentum([dense], lr=0.1, momentum=momentum)
    for rows in (torch.tensor([0, 2, 2]), torch.tensor([2, 4])):  # row 2 twice: summed
        weight = torch.randn(len(rows), 3)
        for param, optimizer, is_sparse in (
            (sparse, sparse_optimizer, True),
            (dense, dense_optimizer, False),
        ):
            optimizer.zero_grad()
            (functional.embedding(rows, param, sparse=is_sparse) * weight).sum().backward()
            optimizer.step()
    assert sparse.grad.is_sparse and not dense.grad.is_sparse
    assert torch.equal(sparse.detach()[[1, 3, 5]], start[[1, 3, 5]])  # never used: unchanged
    if momentum == 0:
        assert torch.allclose(sparse[[0, 2, 4]], dense[[0, 2, 4]], atol=1e-6)
    else:  # row 0 is unused in step 2: dense momentum keeps it coasting, the sparse update not
        assert not torch.allclose(sparse[0], dense[0])
        assert torch.allclose(sparse[[2, 4]], dense[[2, 4]], atol=1e-6)


def test_rejects_bad_settings() -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError):
        AdagradMomentum([param], lr=0.0)
    with pytest.raises(ValueError):
        AdagradMomentum([param], lr=0.1, momentum=1.0)
