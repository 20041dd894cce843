"""The audit's component solver against an independent integer solver (scipy's ``milp``) on a
component wide enough that bounds are proven by relaxations around a cell (``_certified``)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from di_eval.analysis.programme import _Component


def _chain(seed: int, n: int = 160, window: int = 3):
    """Counts on a chain as a reader knows them: every ``window`` neighbours' sum published rounded
    (its value ±2: ``sums`` between ``lower`` and ``upper``), each count "<5" (0..4), rounded to
    base 5 (its value ±2) or, one in four, hidden (0..30)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 14, n)
    rows = n - window + 1
    r = np.repeat(np.arange(rows), window)
    c = (np.arange(rows)[:, None] + np.arange(window)).ravel()
    sums = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(rows, n))
    total = sums @ truth
    small = truth <= 4
    rounded = 5 * np.round(truth / 5)
    low = np.where(small, 0, np.maximum(rounded - 2, 5)).astype(float)
    high = np.where(small, 4, rounded + 2).astype(float)
    hidden = rng.random(n) < 0.25
    low[hidden], high[hidden] = 0, 30
    return sums, total - 2.0, total + 2.0, low, high


def _component(sums, lower, upper, low, high) -> _Component:
    """The same as the audit's programme takes it: ``sums <= upper`` and ``-sums <= -lower``."""
    matrix = sparse.vstack([sums, -sums]).tocsr()
    rhs = np.concatenate([upper, -lower])
    return _Component(matrix, rhs, np.zeros(len(rhs), bool), low, high)


def _exact_range(sums, lower, upper, low, high, j):
    n = sums.shape[1]
    out = []
    for sign in (1.0, -1.0):
        objective = np.zeros(n)
        objective[j] = sign
        result = milp(
            objective,
            constraints=LinearConstraint(sums, lower, upper),
            bounds=Bounds(low, high),
            integrality=np.ones(n),
        )
        assert result.success
        out.append(round(result.x[j]))
    return out


@pytest.mark.parametrize("tight", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bounds_proven_by_relaxations_agree_with_an_integer_solver(seed, tight):
    chain = _chain(seed)
    n = chain[0].shape[1]
    component = _component(*chain)
    stats: dict = {}
    target = np.ones(n, bool)
    got_low, got_high, exact = component.solve(target, stats, threshold=5, tight=tight)
    if tight:
        assert stats.get("relaxations", 0) > 0, "no bound was proven by a relaxation: the test misses its aim"
    for j in range(n):
        true_low, true_high = _exact_range(*chain, j)
        # Never wider than a reader can reach (a safe verdict); exact where it says so.
        assert true_low <= got_low[j] <= got_high[j] <= true_high, (j, got_low[j], got_high[j], true_low, true_high)
        if exact[j]:
            assert (got_low[j], got_high[j]) == (true_low, true_high), (j, true_low, true_high)
    if tight:
        assert exact.all()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_relaxation_proves_only_bounds_a_reader_cannot_pass(seed):
    """``_certified`` says a value is a cell's bound: never for a value a reader can go past,
    and for most true bounds (else the proof is of no use)."""
    chain = _chain(seed)
    n = chain[0].shape[1]
    component = _component(*chain)
    proven = asked = 0
    for j in range(0, n, 4):
        true_low, true_high = _exact_range(*chain, j)
        for sign, bound, inside in ((1.0, true_low, true_low + 1), (-1.0, true_high, true_high - 1)):
            if true_low < true_high:
                assert not component._certified(j, sign, inside, {}), (j, sign, inside, true_low, true_high)
            asked += 1
            proven += component._certified(j, sign, bound, {})
    assert proven >= asked // 2, (proven, asked)
