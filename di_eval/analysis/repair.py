"""The cheapest repair of a release that fails the audit: a set-cover programme over LP cuts.

For every count the audit finds too narrow, two linear programmes (its smallest and largest
value over everything the reader knows) say, through their reduced costs, which published
bounds hold its range where it is. At least one of those must be widened, or the range stays
as it is: that is one **cut**. One mixed-integer programme then chooses the cheapest set of
widenings meeting every cut so far (costs in ``cost_of``: a small count's upper limit costs
almost nothing, rounding an exact region count little, hiding a rounded count much, a
headline figure or the region's cumulative most). The caller audits again and adds the cuts of
what still fails, until nothing does (Benders-style, as τ-ARGUS' Modular and sdcTable's
``SIMPLEHEURISTIC``/``OPT`` approach secondary suppression through the attacker's programmes).

A widening is one step: "<t" -> "x" (only the upper limit goes), rounded -> "x", exact ->
rounded (``method="rounding"``) or "x" (``"suppression"``); a headline figure rounded goes first
to the coarser rounding (``coarse_base``, shown as its range), then to "x". A zero, a count an earlier release or
a public figure already fixes, and a count not published are never widened.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from di_eval.analysis import audit as au
from di_eval.analysis.disclosure import COARSE, PRIMARY, PUBLISHED, ROUNDED, SECONDARY
from di_eval.errors import DiEvalError

_TOL = 1e-7


def widened(status: str, value: float, method: str, threshold: int, headline: bool = False) -> str | None:
    """The next wider status of a count, or None when it cannot be widened."""
    if status == ROUNDED and headline:
        return COARSE  # a headline figure keeps a (wider) number rather than "x"
    if status in (PRIMARY, ROUNDED, COARSE):
        return SECONDARY
    if status == PUBLISHED and value >= threshold:
        return ROUNDED if method == "rounding" else SECONDARY
    return None


def cost_of(status: str, new: str, value: float, headline: bool, region: bool, region_total: bool) -> float:
    """What a widening costs the reports: what stops being readable, weighted by importance."""
    if status == PRIMARY:
        cost = 0.01  # still hidden; only "at most t-1" goes
    elif new == ROUNDED:
        cost = 50.0 if region_total else 0.5
    elif new == COARSE:
        cost = 100.0  # a headline figure stays a number, in a range twice as wide
    elif region_total:
        cost = 5000.0
    elif headline:
        cost = 1000.0
    elif region:
        cost = 20.0
    else:
        cost = 10.0
    return cost + value / 1000.0


class Cuts:
    """The cuts found so far: for each, the cells (of the new release) one of which must widen,
    and their statuses when it was found (a cut is met once one of them has changed)."""

    def __init__(self):
        self.sets: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, cells: np.ndarray, status: np.ndarray) -> None:
        cells = np.unique(cells)
        self.sets.append((cells, status[cells].copy()))

    def choose(self, costs: np.ndarray, status: np.ndarray) -> np.ndarray:
        """The cheapest cells (finite ``costs``) meeting every cut not met yet."""
        sets = [cells for cells, then in self.sets if (status[cells] == then).all()]
        sets = [s[np.isfinite(costs[s])] for s in sets]
        sets = [s for s in sets if len(s)]
        if not sets:
            return np.zeros(0, np.int64)
        cells = np.unique(np.concatenate(sets))
        local = {c: i for i, c in enumerate(cells)}
        rows = np.concatenate([np.full(len(s), k) for k, s in enumerate(sets)])
        cols = np.array([local[c] for s in sets for c in s])
        matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(cells)))
        result = milp(
            costs[cells],
            constraints=LinearConstraint(matrix, lb=np.ones(len(sets)), ub=np.inf),
            integrality=np.ones(len(cells)),
            bounds=Bounds(0, 1),
            options={"time_limit": 20.0},
        )
        if result.x is None:  # no solution in time: meet every cut with its cheapest cell
            return np.unique([s[np.argmin(costs[s])] for s in sets])
        return cells[result.x > 0.5]


def cuts_for(
    model, failing: np.ndarray, widen_low: np.ndarray, widen_high: np.ndarray, cell_of: np.ndarray, threshold: int
):
    """For each failing universe id, the new release's cells whose widening may free it.

    ``widen_low``/``widen_high``: per universe id, whether widening its cell of the new release
    lowers its lower / raises its upper limit; ``cell_of``: universe id -> cell (-1 if none).
    Returns a list of (failing uid, cells), the cells possibly empty (nothing can free it).

    The programmes are local: the relations within two steps of the count, then three, four,
    and at last its whole linked component, until they hold it as narrow as the audit found (a
    local programme knows less than the reader, so what holds it there holds it for the reader).
    """
    low, high = model.low, model.high
    # A whole-model limit above every count (a local programme must not cut the truth off).
    cap = 10.0 * float(np.concatenate([low, high[np.isfinite(high)]]).max(initial=0.0)) * max(1, len(low)) + 100.0
    widenable = widen_low | widen_high
    fixed = (low >= high - _TOL) & ~widenable
    # Relations as rows of (cell, coefficient); fixed cells are constants.
    order = np.argsort(model.row, kind="stable")
    row_start = np.searchsorted(model.row[order], np.arange(model.rows + 1))
    by_cell = np.argsort(model.uid, kind="stable")
    cell_start = np.searchsorted(model.uid[by_cell], np.arange(len(low) + 1))
    out = []
    for f in failing:
        f = int(f)
        if fixed[f]:
            out.append((f, np.zeros(0, np.int64)))
            continue
        chosen: set[int] = set()
        cells = np.array([f])
        rows = np.zeros(0, np.int64)
        for step in range(12):
            new_rows = np.unique(model.row[np.concatenate([by_cell[cell_start[c] : cell_start[c + 1]] for c in cells])])
            grown = np.union1d(rows, new_rows)
            if len(grown) == len(rows) and step:
                break  # the whole linked component
            rows = grown
            entries = np.concatenate([order[row_start[r] : row_start[r + 1]] for r in rows])
            cells = np.unique(model.uid[entries])
            cells = cells[~fixed[cells]]
            if step < 1:
                continue
            held = _local_cut(model, f, rows, entries, fixed, widen_low, widen_high, cell_of, threshold, cap)
            if held is not None:
                chosen = held
                break
        out.append((f, np.array(sorted(chosen), np.int64)))
    return out


def _local_cut(model, f, rows, entries, fixed, widen_low, widen_high, cell_of, threshold, cap):
    """The cut of ``f`` from the programmes over ``rows``, or None if they do not hold it narrow."""
    uids = np.unique(model.uid[entries])
    uids = uids[~fixed[uids]]
    keep = ~fixed[model.uid[entries]]
    constants = np.where(keep, 0.0, model.coef[entries] * model.low[model.uid[entries]])
    row_index = np.searchsorted(rows, model.row[entries])  # ``rows`` is sorted (``np.union1d``)
    rhs = -np.bincount(row_index, weights=constants, minlength=len(rows))
    matrix = sparse.csr_matrix(
        (model.coef[entries][keep], (row_index[keep], np.searchsorted(uids, model.uid[entries][keep]))),
        shape=(len(rows), len(uids)),
    )
    component = au._Component(matrix, rhs, model.equal[rows], model.low[uids], model.high[uids], cap)
    stats: dict = {}
    j = int(np.searchsorted(uids, f))
    chosen: set[int] = set()
    ends = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(uids))
        objective[j] = sign
        try:
            x = component._run(component.highs, objective, stats)
        except DiEvalError:
            return None  # no solution of this part alone (a revised count): look wider
        ends.append(x[j])
        if sign < 0 and x[j] >= component.cap - 0.5:
            continue  # no upper limit here: that side holds nothing
        # A minimum: a bound holds the optimum where its reduced cost points into it.
        reduced = np.asarray(component.highs.getSolution().col_dual)
        at_low = (np.abs(x - component.low) < 1e-6) & (reduced > _TOL)
        at_high = (np.abs(x - component.upper) < 1e-6) & (reduced < -_TOL)
        free = (at_low & widen_low[uids]) | (at_high & widen_high[uids])
        chosen.update(int(cell_of[u]) for u in uids[free] if cell_of[u] >= 0)
    lowest, highest = np.ceil(ends[0] - 1e-6), np.floor(ends[1] + 1e-6)
    need = 2 if lowest <= threshold - 1 else 1
    if highest >= component.cap - 0.5 or highest - lowest >= need:
        return None
    return chosen
