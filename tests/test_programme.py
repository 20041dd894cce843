"""The audit's component solver against an independent integer solver (scipy's ``milp``) on a
component wide enough that bounds are proven by relaxations around a cell (``_certified``)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from di_eval.analysis import programme
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
    low, high = _published(truth, rng, 0.25)
    return sums, total - 2.0, total + 2.0, low, high


def _published(truth, rng, hidden_share):
    """Each count's bounds as published: "<5" (0..4), rounded to base 5 (its value ±2) or, a
    share of them, hidden (0..30)."""
    small = truth <= 4
    rounded = 5 * np.round(truth / 5)
    low = np.where(small, 0, np.maximum(rounded - 2, 5)).astype(float)
    high = np.where(small, 4, rounded + 2).astype(float)
    hidden = rng.random(len(truth)) < hidden_share
    low[hidden], high[hidden] = 0, 30
    return low, high


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


def _grouped(seed: int, groups: int = 12, measures: int = 24):
    """Municipalities tied only through totals, as at national scale: each group's counts tied
    in pairs that close odd cycles (so that some bounds are fractional) and, for each measure,
    the groups' counts
    adding up to a total published exactly. Returns (sums, lower, upper, low, high) as
    ``_chain`` does, the truth and each cell's group."""
    rng = np.random.default_rng(seed)
    n = groups * measures
    truth = rng.integers(0, 14, n)
    group = np.repeat(np.arange(groups), measures)
    rows, cols = [], []
    for g in range(groups):  # in a group, pairs of neighbours and of every other count: their sum rounded (±2)
        for k in range(measures - 2):
            for pair in ((0, 1), (0, 2)):
                rows.append(np.full(2, len(rows)))
                cols.append(g * measures + k + np.array(pair))
    inner = len(rows)
    for k in range(measures):  # each measure's total over the groups, exact
        rows.append(np.full(groups, len(rows)))
        cols.append(np.arange(groups) * measures + k)
    r, c = np.concatenate(rows), np.concatenate(cols)
    sums = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n))
    total = sums @ truth
    low, high = _published(truth, rng, 0.3)
    slack = np.where(np.arange(len(rows)) < inner, 2.0, 0.0)
    return (sums, total - slack, total + slack, low, high), truth, group


def _grouped_component(sums, lower, upper, low, high) -> _Component:
    """``lower <= sums <= upper`` as the audit writes it: an equality where the two are one."""
    same = lower == upper
    matrix = sparse.vstack([sums[same], sums[~same], -sums[~same]]).tocsr()
    rhs = np.concatenate([upper[same], upper[~same], -lower[~same]])
    equal = np.concatenate([np.ones(same.sum(), bool), np.zeros(2 * (~same).sum(), bool)])
    return _Component(matrix, rhs, equal, low, high)


def test_a_large_component_is_split_into_the_groups_its_totals_tie(monkeypatch):
    monkeypatch.setattr(programme, "_GROUPED", 100)
    chain, _, group = _grouped(1)
    label, ties = _grouped_component(*chain)._groups()
    # The same partition (labels up to renaming), and only the totals tie groups.
    assert len(np.unique(label)) == len(np.unique(group))
    assert all(len(np.unique(label[group == g])) == 1 for g in np.unique(group))
    assert ties.sum() == 24


def test_a_cell_is_pushed_over_its_group_and_then_over_more_groups_each_whole(monkeypatch):
    monkeypatch.setattr(programme, "_GROUPED", 100)
    chain, _, group = _grouped(1)
    component = _grouped_component(*chain)
    j = 30
    near = [component._near(j, steps) for steps in (1, 2, 3)]
    found = list(component._neighbourhoods(j))
    assert all(np.array_equal(a, b) for a, b in zip(found, near))
    grouped = found[3:]
    assert grouped, "no neighbourhood of whole groups"
    assert np.array_equal(grouped[0], np.flatnonzero(group == group[j]))  # its own group first
    for cols in grouped:
        assert j in cols and len(cols) < component.n // 2
        assert np.isin(np.flatnonzero(np.isin(group, group[cols])), cols).all()  # whole groups only
    assert len({len(c) for c in grouped}) > 2  # growing: 1, 2, 3, 5 ... groups


def test_a_small_component_is_not_split():
    chain, _, _ = _grouped(1)
    assert _grouped_component(*chain)._groups() is None  # below _GROUPED cells: one programme


@pytest.mark.parametrize("tight", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_grouped_component_from_the_true_counts_agrees_with_an_integer_solver(monkeypatch, seed, tight):
    """Started from the true counts (``known``, as a protection does), the searches over groups
    give ranges no wider than a reader reaches, exact where they say so, and need no integer
    programme over the whole component (whole points around each cell reach its bounds)."""
    monkeypatch.setattr(programme, "_GROUPED", 100)
    whole = []
    integer_bound = _Component._integer_bound
    monkeypatch.setattr(_Component, "_integer_bound", lambda self, *a: whole.append(a[1]) or integer_bound(self, *a))
    chain, truth, _ = _grouped(seed)
    n = len(truth)
    component = _grouped_component(*chain)
    stats: dict = {}
    got_low, got_high, exact = component.solve(np.ones(n, bool), stats, threshold=5, tight=tight, known=truth)
    if tight:
        assert stats.get("integer_programs", 0) > 0, "no whole-number bound was asked about: the test misses its aim"
    for j in range(n):
        sums, lower, upper, low, high = chain
        true_low, true_high = _exact_range(sums, lower, upper, low, high, j)
        assert true_low <= got_low[j] <= got_high[j] <= true_high, (j, got_low[j], got_high[j], true_low, true_high)
        if exact[j]:
            assert (got_low[j], got_high[j]) == (true_low, true_high), (j, true_low, true_high)
    assert not whole, f"integer programmes over the whole component for cells {whole}"


def test_a_known_point_is_completed_where_it_has_gaps_and_refused_where_it_breaks_a_relation():
    chain, truth, _ = _grouped(3)
    component = _grouped_component(*chain)
    gaps = truth.astype(float)
    gaps[::7] = np.nan
    filled = component._completed(gaps, {})
    assert filled is not None and component._feasible(filled)
    assert np.array_equal(filled[~np.isnan(gaps)], truth[~np.isnan(gaps)])
    broken = truth.astype(float)
    broken[0] += 1  # its measure's exact total no longer adds up
    assert component._completed(broken, {}) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_the_point_nearest_the_true_counts_reaching_a_bound_changes_few_cells_and_gives_a_whole_point(
    monkeypatch, seed
):
    """``_nearest``: a point of the programme with the cell at its bound that changes few of the
    true counts (a chain through the totals, not most of the component, as a vertex does); the
    integer programme over those cells (``_reached_nearest``) finds a whole point there."""
    monkeypatch.setattr(programme, "_GROUPED", 100)  # the large component's solves (interior point)
    chain, truth, _ = _grouped(seed)
    sums, lower, upper, low, high = chain
    component = _grouped_component(*chain)
    background = truth.astype(float)
    asked = reached = 0
    for j in range(0, component.n, 5):
        true_low, true_high = _exact_range(sums, lower, upper, low, high, j)
        for sign, bound in ((1.0, true_low), (-1.0, true_high)):
            if bound == truth[j]:
                assert component._nearest(j, sign, bound, background, {}) is None  # no change needed
                continue
            changed = component._nearest(j, sign, bound, background, {})
            assert changed is not None and j in changed and len(changed) < component.n // 4, (j, sign)
            points = []
            found = component._reached_nearest(j, sign, bound, background, {}, points.append)
            assert all(component._feasible(p) for p in points if (np.abs(p - np.round(p)) < 1e-6).all())
            if found:
                assert any(abs(p[j] - bound) < 1e-6 and component._feasible(p) for p in points)
            asked += 1
            reached += found
    assert asked and reached >= 0.8 * asked, (reached, asked)


def _two_odd_cycles(padding: int = 20):
    """A total ``s`` of two triangles of counts, each pair of a triangle at most 1 (so at most 1 of
    each triangle in whole numbers, 1.5 in the programmes), and a chain of other counts tied to
    the first one (so that a relaxation around ``s`` is smaller than the component)."""
    n = 7 + padding
    rows, rhs, equal = [], [], []

    def relation(coefficients, value, is_equal=False):
        row = np.zeros(n)
        for k, c in coefficients.items():
            row[k] = c
        rows.append(row)
        rhs.append(value)
        equal.append(is_equal)

    for a, b, c in ((1, 2, 3), (4, 5, 6)):
        for p, q in ((a, b), (b, c), (a, c)):
            relation({p: 1, q: 1}, 1)
    relation({0: 1, **{k: -1 for k in range(1, 7)}}, 0, True)  # s = the six counts' sum
    relation({1: 1, 7: 1}, 5)
    for k in range(7, n - 1):
        relation({k: 1, k + 1: 1}, 5)
    low, high = np.zeros(n), np.r_[10.0, np.ones(6), np.full(padding, 5.0)]
    return sparse.csr_matrix(np.array(rows)), np.array(rhs, float), np.array(equal), low, high


def test_an_integer_programme_over_a_relaxation_proves_a_bound_inside_the_programmes_one():
    matrix, rhs, equal, low, high = _two_odd_cycles()
    component = _Component(matrix, rhs, equal, low, high)
    lp_high = component._run(component.highs, programme._unit(component.n, 0, -1.0), {})[0]
    assert lp_high == pytest.approx(3.0)  # 1.5 for each triangle
    # An independent integer solver: at most 1 of each triangle, so s is at most 2.
    equal_rows = LinearConstraint(matrix[equal], rhs[equal], rhs[equal])
    other_rows = LinearConstraint(matrix[~equal], -np.inf, rhs[~equal])
    best = milp(
        programme._unit(component.n, 0, -1.0),
        constraints=[equal_rows, other_rows],
        bounds=Bounds(low, high),
        integrality=np.ones(component.n),
    )
    assert round(best.x[0]) == 2
    stats: dict = {}
    assert component._whole_bound(0, -1.0, 3.0, -np.inf, stats) == 2.0
    assert stats["integer_relaxations"] >= 1
    # It goes no further than a value a whole point takes, and never past the programmes' bound.
    assert component._whole_bound(0, -1.0, 3.0, 3.0, {}) == 3.0
    assert component._whole_bound(0, 1.0, 0.0, -np.inf, {}) == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_vertex_is_made_a_whole_point_and_a_reader_without_the_true_counts_gets_the_same_ranges(monkeypatch, seed):
    """A reader's audit knows no true counts: the first vertex, its fractional cells made whole
    (``_rounded``), is the whole point the group searches hold the other cells at; the ranges
    agree with an integer solver as they do from the true counts."""
    monkeypatch.setattr(programme, "_GROUPED", 100)
    chain, truth, _ = _grouped(seed)
    sums, lower, upper, low, high = chain
    n = len(truth)
    component = _grouped_component(*chain)
    vertex = component._run(
        component.highs, programme._direction(np.ones(n, bool), np.ones(n, bool), np.random.default_rng(seed)), {}
    )
    point = component._rounded(vertex, {})
    assert point is not None and component._feasible(point)
    whole = np.abs(vertex - np.round(vertex)) <= 1e-6
    assert (point[whole] == np.round(vertex[whole])).mean() > 0.5  # near the vertex, not anywhere
    got_low, got_high, exact = _grouped_component(*chain).solve(np.ones(n, bool), {}, threshold=5, tight=False)
    for j in range(n):
        true_low, true_high = _exact_range(sums, lower, upper, low, high, j)
        assert true_low <= got_low[j] <= got_high[j] <= true_high, (j, got_low[j], got_high[j], true_low, true_high)
        if exact[j]:
            assert (got_low[j], got_high[j]) == (true_low, true_high), (j, true_low, true_high)
