"""The audit's programmes: linked cells as one linear programme (HiGHS), kept warm between
objectives, and the searches that settle each cell's whole-number range (``_Component.solve``).
``di_eval.analysis.audit`` builds the model and splits it into components; this module solves one."""

from __future__ import annotations

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from di_eval.errors import DiEvalError

_TOL = 1e-6
_CONTRADICTION = (
    "disclosure audit: the published values contradict each other or the relations "
    "(an earlier release of data since revised?)"
)
# A range of this many whole numbers or fewer is checked with an integer programme.
_NARROW = 3
# An integer programme over a whole component stops after this many branch-and-bound nodes (see
# ``_Component._integer_bound``): a limit of work, so the same data give the same release.
_INTEGER_NODES = 2000
# A relaxation grows outwards through relations of at most this many cells.
_FEW = 40
# A component of at least this many cells is searched in groups (``_Component._groups``).
_GROUPED = 2000
# A large component's solve towards an objective over more than this many cells starts afresh by
# the interior-point method (``_Component._run``); over fewer, the simplex from the last basis.
_DENSE = 1000


def highs_lp(matrix, rhs, equal, low, upper):
    """A HiGHS model of ``matrix @ x (== where ``equal``, else <=) rhs`` with ``low <= x <= upper``
    and no objective yet; returns it and the matrix by columns."""
    n = matrix.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.asarray(low, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.where(equal, rhs, -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(rhs, dtype=float)
    columns = sparse.csc_matrix(matrix)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = matrix.shape[0]
    lp.a_matrix_.start_ = columns.indptr
    lp.a_matrix_.index_ = columns.indices
    lp.a_matrix_.value_ = columns.data
    return lp, columns


class _Component:
    """Linked cells as one linear programme, kept warm between objectives."""

    def __init__(self, matrix, rhs, equal, low, high, cap=None):
        self.n = matrix.shape[1]
        self.low, self.high = np.asarray(low, float), np.asarray(high, float)
        finite = np.concatenate([self.low, self.high[np.isfinite(self.high)], np.abs(rhs)])
        # No count can be above this (``cap``: for a part of a component, the whole one's).
        self.cap = 10.0 * float(finite.max(initial=0.0)) + 100.0 if cap is None else float(cap)
        upper = np.where(np.isfinite(self.high), self.high, self.cap)
        lp, columns = highs_lp(matrix, rhs, equal, self.low, upper)
        self.lp = lp
        self.rhs, self.equal = np.asarray(rhs, float), np.asarray(equal, bool)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # re-solves after a change of objective start from the last basis
        if self.n >= _GROUPED:
            # Only the objective changes between solves: the last basis stays feasible, so the
            # primal simplex goes on from it (at national scale tens of iterations and 0.02-0.06 s,
            # where the dual one needs thousands and 5-7 s; on smaller components the dual is faster).
            self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.passModel(lp)
        self.integer = False  # an integer programme (``_restricted(..., integer=True)``)
        self.warm = False  # whether the programme has a basis to start from (a solve done)
        # Whether re-solves change bounds, not the objective (``_nearest``): the dual simplex then
        # goes on from the last basis (False until the first solve is done).
        self.bounds_move = False
        self.indices = np.arange(self.n, dtype=np.int32)
        self.upper = upper
        self.columns = columns  # which relations each cell is in (``_apart``)

    def _apart(self, open_low, open_high, rng):
        """Open cells no two of which share a relation, each with its direction (+1: lower)."""
        used = np.zeros(self.columns.shape[0], bool)
        chosen = []
        for j in rng.permutation(np.flatnonzero(open_low | open_high)):
            rows = self.columns.indices[self.columns.indptr[j] : self.columns.indptr[j + 1]]
            if used[rows].any():
                continue
            used[rows] = True
            chosen.append((int(j), 1.0 if open_low[j] else -1.0))
        return chosen

    def _rows(self):
        """The relations as rows (each relation's cells)."""
        if not hasattr(self, "_by_row"):
            self._by_row = self.columns.tocsr()
        return self._by_row

    def _near(self, j, steps, most=None):
        """The cells within ``steps`` relations of cell ``j`` (or of the cells ``j``; ``most``:
        going out only through relations of at most that many cells)."""
        by_row = self._rows()
        cols = np.unique(np.atleast_1d(j))
        for _ in range(steps):
            rows = np.unique(self.columns[:, cols].indices)
            if most is not None:
                rows = rows[np.diff(by_row.indptr)[rows] <= most]
            cols = np.union1d(cols, by_row[rows].indices)
        return cols

    def _restricted(self, cols, background, integer=False):
        """The programme over the cells ``cols`` with every other cell held where ``background``
        (a point of the whole programme) has it: each of its points is one of the whole."""
        inside = np.zeros(self.n, bool)
        inside[cols] = True
        rows = np.unique(self.columns[:, cols].indices)
        block = self._rows()[rows]
        rhs = self.rhs[rows] - block[:, ~inside] @ background[~inside]
        part = _Component(block[:, cols], rhs, self.equal[rows], self.low[cols], self.high[cols], self.cap)
        if integer:
            part.make_integer()
        return part

    def make_integer(self):
        """Make the programme an integer one (every cell a whole number)."""
        self.lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        self.highs.passModel(self.lp)
        self.integer = True

    def _local(self, j, sign, background, cols, stats, integer=False):
        """Cell ``j`` pushed one way over the cells ``cols`` (around it), every other cell held
        where ``background`` has it: a point of the whole programme, or None."""
        if len(cols) >= self.n // 2:
            return None
        part = self._restricted(cols, background, integer)
        objective = np.zeros(len(cols))
        objective[np.searchsorted(cols, j)] = sign
        try:
            x = part._run(part.highs, objective, stats, "integer_programs" if integer else "linear_programs")
        except DiEvalError:
            return None
        point = background.copy()
        point[cols] = x
        return point

    def _completed(self, known, stats):
        """``known`` with its NaN cells filled in by an integer programme (the others held), if the
        result is a point of the programme in whole numbers; else None."""
        x = known.copy()
        missing = np.flatnonzero(np.isnan(x))
        if len(missing):
            if len(missing) >= self.n // 2:
                return None
            part = self._restricted(missing, np.nan_to_num(x), integer=True)
            try:
                x[missing] = part._run(part.highs, np.zeros(part.n), stats, "integer_programs")
            except DiEvalError:
                return None
        if not self._feasible(x):
            return None
        return np.round(x)

    def _rounded(self, x, stats):
        """A whole point near ``x`` (a point of the programme): its whole cells kept and the others,
        then also the cells 1 and 2 relations around them, filled in by an integer programme
        (``_completed``); None where none is found so."""
        fractional = np.flatnonzero(~_whole(x))
        for steps in (0, 1, 2):
            known = np.round(x)
            if len(fractional):
                known[self._near(fractional, steps, _FEW)] = np.nan
            point = self._completed(known, stats)
            if point is not None or not len(fractional):
                return point
        return None

    def _feasible(self, x) -> bool:
        """Whether ``x`` is a point of the programme in whole numbers."""
        if not np.isfinite(x).all() or not _whole(x).all():
            return False
        if (x < self.low - _TOL).any() or (x > self.upper + _TOL).any():
            return False
        excess = self._rows() @ np.round(x) - self.rhs
        return bool((np.abs(excess[self.equal]) <= _TOL).all() and (excess[~self.equal] <= _TOL).all())

    def _groups(self):
        """For a large component, its cells in groups that only relations of many cells tie
        together (at national scale the municipalities of 2021, tied through the totals), as
        (label per cell, whether each relation ties groups); None where there are none: the groups
        of the relations of at most ``most`` cells, for the largest ``most`` that leaves no group
        with more than a quarter of the cells."""
        if not hasattr(self, "_grouped"):
            self._grouped = None
            by_row = self._rows()
            sizes = np.diff(by_row.indptr)
            if self.n >= _GROUPED:
                for most in np.unique(sizes)[::-1][1:]:
                    keep = np.repeat(sizes <= most, sizes)
                    rows = np.repeat(np.arange(by_row.shape[0]), sizes)[keep]
                    size = self.n + by_row.shape[0]
                    graph = sparse.csr_matrix(
                        (np.ones(len(rows)), (by_row.indices[keep], self.n + rows)), shape=(size, size)
                    )
                    label = connected_components(graph, directed=False)[1][: self.n]
                    if np.bincount(label).max() <= self.n // 4:
                        self._grouped = (np.unique(label, return_inverse=True)[1], sizes > most)
                        break
        return self._grouped

    def _neighbourhoods(self, j):
        """Cells around cell ``j`` to push it over, smallest first: those within 1, 2 and 3
        relations of it, then (a large component, ``_groups``) its group with 1, 2, 4 and 8
        others: first those tied to it by the most relations, then twice in an order drawn at
        random (fixed by ``j``)."""
        seen = []
        for steps in (1, 2, 3):
            seen.append(self._near(j, steps))
            yield seen[-1]
        grouped = self._groups()
        if grouped is None:
            return
        label, ties = grouped
        by_row = self._rows()
        mine = label[j]
        shared = np.zeros(label.max() + 1)
        for r in np.flatnonzero(ties):
            groups = np.unique(label[by_row.indices[by_row.indptr[r] : by_row.indptr[r + 1]]])
            if mine in groups:
                shared[groups] += 1
        rng = np.random.default_rng(j)
        orders = [np.lexsort((rng.permutation(len(shared)), -shared)), rng.permutation(len(shared))]
        orders.append(rng.permutation(len(shared)))
        for order in orders:
            order = order[order != mine]
            for k in (0, 1, 2, 4, 8):
                cols = np.flatnonzero(np.isin(label, np.concatenate([[mine], order[:k]])))
                if len(cols) >= self.n // 2:
                    break
                if not any(len(c) == len(cols) and (c == cols).all() for c in seen):
                    seen.append(cols)
                    yield cols

    def _relaxed(self, j, sign, steps, stats, integer=False):
        """The smallest (``sign`` 1) or largest value of cell ``j`` over a relaxation: only the
        relations of the cells within ``steps`` relations of it, each of their cells free within
        its bounds (``integer``: in whole numbers). Every point of the whole programme is one of
        the relaxation, so its range is at least as wide: a bound it proves holds for the whole.
        None where it proves none."""
        # Outwards only through relations of few cells: a sum over every municipality would bring
        # in most of the component at the first step.
        rows = np.unique(self.columns[:, self._near(j, steps - 1, _FEW)].indices)
        block = self._rows()[rows]
        cols = np.unique(block.indices)
        if len(cols) >= self.n // 2:
            return None
        part = _Component(block[:, cols], self.rhs[rows], self.equal[rows], self.low[cols], self.high[cols], self.cap)
        if integer:
            part.make_integer()
            part.highs.setOptionValue("mip_max_nodes", _INTEGER_NODES)  # stopped there: no proof
        try:
            key = "integer_relaxations" if integer else "relaxations"
            x = part._run(part.highs, _unit(part.n, int(np.searchsorted(cols, j)), sign), stats, key)
        except DiEvalError:
            return None
        if integer:
            # The integer programme's proven bound, not its best point (which may lie within the
            # solver's gap of it).
            return sign * float(part.highs.getInfo().mip_dual_bound)
        return float(x[np.searchsorted(cols, j)])

    def _certified(self, j, sign, reached, stats) -> bool:
        """Whether ``reached`` (a value of cell ``j`` a point found takes, rounded inwards) is its
        bound (``sign`` 1: the smallest) in whole numbers of the programme's bounds: a relaxation
        around the cell (``_relaxed``, 2 to 4 relations wide) can go no further."""
        for steps in (2, 3, 4):
            r = self._relaxed(j, sign, steps, stats)
            if r is None:
                return False
            if (np.ceil(r - _TOL) >= reached - _TOL) if sign > 0 else (np.floor(r + _TOL) <= reached + _TOL):
                return True
        return False

    def _whole_bound(self, j, sign, bound, witnessed, stats) -> float:
        """A bound of cell ``j`` in whole numbers (``sign`` 1: a lower one) at least as tight as
        ``bound`` (the programmes' one rounded inwards): the tightest that integer programmes over
        relaxations around the cell (``_relaxed``, 2 to 4 relations wide) prove, going no further
        than ``witnessed`` (a value a whole point takes). A bound in whole numbers can lie inside
        the programmes' one (a few small counts and their sum); a whole point found there proves
        it without an integer programme over the whole component."""
        for steps in (2, 3, 4):
            if sign * witnessed <= sign * bound + _TOL:
                break
            r = self._relaxed(j, sign, steps, stats, integer=True)
            if r is None:
                break
            r = float(np.ceil(r - _TOL)) if sign > 0 else float(np.floor(r + _TOL))
            bound = max(bound, r) if sign > 0 else min(bound, r)
        return bound

    def _integer_bound(self, milp, j, sign, witnessed, stats) -> tuple[float, bool]:
        """The smallest (``sign`` 1) or largest value of cell ``j`` in whole numbers over the
        whole component. An integer programme stopped at its limit (``_INTEGER_NODES``: a count of
        branch-and-bound nodes, not seconds, so the result does not depend on the machine's load)
        gives the best whole point it found, or the one witnessed before: a value the cell can take, so
        its range is shown narrower than it may be, never wider (a verdict on it is safe). Returns
        the value and whether it is proven the bound."""
        stats["integer_programs"] = stats.get("integer_programs", 0) + 1
        milp.changeColsCost(self.n, self.indices, _unit(self.n, j, sign))
        milp.run()
        status = milp.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(round(milp.getSolution().col_value[j])), True
        if status == highspy.HighsModelStatus.kInfeasible:
            raise DiEvalError(_CONTRADICTION)
        found = milp.getInfo().primal_solution_status == 2  # a feasible whole point
        value = float(round(milp.getSolution().col_value[j])) if found else witnessed
        if not np.isfinite(value):
            raise DiEvalError(f"disclosure audit: an integer programme found no solution within its limit ({status})")
        stats["integer_programs_stopped"] = stats.get("integer_programs_stopped", 0) + 1
        return (min(value, witnessed) if sign > 0 else max(value, witnessed)), False

    def _reached(self, j, sign, bound, background, stats, record) -> bool:
        """Whether a whole point with cell ``j`` at ``bound`` is found by integer programmes over
        the cells around it (``_neighbourhoods``), the others held at ``background`` or at the
        whole point found so far that takes cell ``j`` nearest the bound (a local search)."""
        current = background
        for cols in self._neighbourhoods(j):
            point = self._local(j, sign, current, cols, stats, integer=True)
            if point is None:
                continue
            record(point)
            if not _whole(point).all():
                continue
            if abs(point[j] - bound) <= _TOL:
                return True
            if sign * point[j] < sign * current[j] - _TOL:
                current = np.round(point)
        return False

    def _nearest(self, j, sign, bound, background, stats):
        """The cells a point of the programme with cell ``j`` at ``bound`` (``sign`` 1: as low)
        changes from ``background`` (a point of it), the point chosen nearest ``background``
        (the least sum of changes, a linear programme over the changes up and down); None where
        there is none. A bound of the programmes' is often reached only through a chain of cells
        across many groups (a total over the municipalities): these are that chain's cells."""
        need = sign * (background[j] - bound)  # how far cell j must go
        if need <= _TOL:
            return None
        by_row = self._rows()
        # x = background + up - down, with up, down >= 0 within the cells' bounds.
        lower = np.zeros(2 * self.n)
        upper = np.concatenate([self.upper - background, background - self.low])
        if sign > 0:
            lower[self.n + j], upper[j] = need, 0.0
        else:
            lower[j], upper[self.n + j] = need, 0.0
        rhs = self.rhs - by_row @ background
        change = getattr(self, "_change", None)
        if change is None:
            # One programme of the changes, kept: the next search changes only its bounds (the
            # background, the cell and its side), so the dual simplex goes on from the last basis.
            change = self._change = _Component(
                sparse.hstack([by_row, -by_row]).tocsr(), rhs, self.equal, lower, upper, self.cap
            )
        elif not change.bounds_move:
            change.bounds_move = True
            change.highs.setOptionValue("solver", "simplex")
            change.highs.setOptionValue("simplex_strategy", 1)  # dual: the costs stay, bounds move
        if change.bounds_move:
            change.highs.changeColsBounds(2 * self.n, np.arange(2 * self.n, dtype=np.int32), lower, upper)
            rows = np.arange(len(rhs), dtype=np.int32)
            change.highs.changeRowsBounds(len(rhs), rows, np.where(self.equal, rhs, -highspy.kHighsInf), rhs)
        try:
            x = change._run(change.highs, np.ones(2 * self.n), stats)
        except DiEvalError:
            return None
        return np.flatnonzero((x[: self.n] > _TOL) | (x[self.n :] > _TOL))

    def _reached_nearest(self, j, sign, bound, background, stats, record) -> bool:
        """Whether a whole point with cell ``j`` at ``bound`` is found by an integer programme over
        the cells the nearest such point of the programme changes (``_nearest``), then those and
        the cells 1 and 2 relations around them, the others held at ``background``."""
        changed = self._nearest(j, sign, bound, background, stats)
        if changed is None:
            return False
        for steps in (0, 1, 2):
            cols = self._near(np.append(changed, j), steps, _FEW)
            point = self._local(j, sign, background, cols, stats, integer=True)
            if point is None:
                continue
            record(point)
            if _whole(point).all() and abs(point[j] - bound) <= _TOL:
                return True
        return False

    def _run(self, highs, objective, stats, key="linear_programs"):
        stats[key] = stats.get(key, 0) + 1
        objective = np.asarray(objective, dtype=float)
        highs.changeColsCost(self.n, self.indices, objective)
        if self.n >= _GROUPED and not self.integer and not self.bounds_move:
            # A large linear programme from no basis, or towards a new objective over many cells
            # (a random direction), by the interior-point method and a crossover to a vertex: at
            # national scale about 1 s where the simplex needs 5-20 s. The vertex's basis is then
            # where the simplex starts the next solve, whose objective differs in a few cells.
            cold = not self.warm or np.count_nonzero(objective) > _DENSE
            highs.setOptionValue("solver", "ipm" if cold else "simplex")
        highs.run()
        self.warm = True
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise DiEvalError(_CONTRADICTION)
        if status != highspy.HighsModelStatus.kOptimal:
            raise DiEvalError(f"disclosure audit: a linear programme failed ({status})")
        return np.asarray(highs.getSolution().col_value)

    def solve(self, target, stats, threshold: int, tight: bool, start=None, known=None):
        """Whole-number bounds of the target cells, and which of them are exact.

        ``tight=False``: a cell shown by whole-number solutions (witnesses) to take values far
        enough apart to pass is given the range of its witnesses (it can be wider); only the
        others get exact bounds. ``tight=True``: every target gets exact bounds. ``start``: the
        witnessed ranges (whole points low, high; every point low, high) of feasible points known
        before (a relaxation of an earlier model); ``self.witness`` holds them after. ``known``: a
        point the caller knows in whole numbers (a protection: the true counts), NaN where it
        does not; completed by an integer programme over those cells, and where it is a point of
        the programme, it is the first witness.
        """
        seen_low, seen_high = np.full(self.n, np.inf), np.full(self.n, -np.inf)
        # The same from every point, a cell at a fractional value v taken as ceil(v) low and floor(v)
        # high (rounded inwards, as the programmes' ranges are everywhere in the audit).
        near_low, near_high = seen_low.copy(), seen_high.copy()
        if start is not None:
            seen_low, seen_high, near_low, near_high = (np.array(a, float) for a in start)
        self.witness = np.array([seen_low, seen_high, near_low, near_high])
        seen_low, seen_high, near_low, near_high = self.witness  # views: record() updates them
        open_low, open_high = target.copy(), target.copy()
        rng = np.random.default_rng(0)

        background = None

        def record(x):
            nonlocal background
            whole = _whole(x)
            if whole.all() and background is None:
                background = np.round(x)
            np.fmin(near_low, np.where(whole, np.round(x), np.ceil(x - _TOL)), out=near_low)  # fmin: NaN is no point
            np.fmax(near_high, np.where(whole, np.round(x), np.floor(x + _TOL)), out=near_high)
            if whole.all():  # a whole-number point: a witness
                np.minimum(seen_low, x, out=seen_low)
                np.maximum(seen_high, x, out=seen_high)
            open_low[near_low <= self.low + _TOL] = False
            open_high[near_high >= self.upper - _TOL] = False
            if not tight:
                width = seen_high - seen_low
                passed = (width >= 2 - _TOL) | ((width >= 1 - _TOL) & (seen_low >= threshold - _TOL))
                # From fractional points, only a range wide enough that no integer programme would
                # be asked about it (``_NARROW``: at least 4 whole numbers) passes.
                passed |= near_high - near_low >= _NARROW - _TOL
                open_low[passed] = False
                open_high[passed] = False

        if start is not None:
            record(np.full(self.n, np.nan))  # what the known points settle already (NaN: no new point)
        if known is not None:
            point = self._completed(np.asarray(known, float), stats)
            if point is not None:
                record(point)
        if background is None and self._groups() is not None:
            # No true counts (a reader's audit): a whole point from the first vertex, its
            # fractional cells made whole by an integer programme over them, so that the searches
            # below can hold the other cells at it.
            x = self._run(self.highs, _direction(open_low, open_high, rng), stats)
            record(x)
            if background is None:
                point = self._rounded(x, stats)
                if point is not None:
                    record(point)
        # Cheap first: random directions push many cells to their limits at once; in a large
        # component first over each group and one other, the rest held at a whole point.
        if background is not None and self._groups() is not None:
            label = self._groups()[0]
            stalled = 0
            while stalled < 2 and open_low.sum() + open_high.sum() >= 8:
                before = open_low.sum() + open_high.sum()
                partner = rng.permutation(label.max() + 1)
                for g, other in enumerate(partner):
                    cols = np.flatnonzero((label == g) | (label == other))
                    if (open_low[cols] | open_high[cols]).sum() < 8:
                        continue
                    part = self._restricted(cols, background)
                    try:
                        x = part._run(part.highs, _direction(open_low[cols], open_high[cols], rng), stats)
                    except DiEvalError:
                        continue
                    point = background.copy()
                    point[cols] = x
                    record(point)
                gained = before - (open_low.sum() + open_high.sum())
                stalled = stalled + 1 if gained < max(2, before // 40) else 0
        stalled = 0
        while stalled < 3 and open_low.sum() + open_high.sum() >= 8:
            before = open_low.sum() + open_high.sum()
            record(self._run(self.highs, _direction(open_low, open_high, rng), stats))
            gained = before - (open_low.sum() + open_high.sum())
            stalled = stalled + 1 if gained < max(2, before // 40) else 0
        # Then each cell left, pushed over the cells near it (1, 2, then 3 relations away) with
        # every other cell held where a whole point found has it: a programme of tens or hundreds
        # of cells instead of thousands, whose solutions are points of the whole one.
        if background is not None and not tight:
            for j in np.flatnonzero(open_low | open_high):
                for steps in (1, 2, 3):
                    cols = self._near(j, steps)
                    for sign, still in ((1.0, open_low), (-1.0, open_high)):
                        if still[j]:
                            point = self._local(j, sign, background, cols, stats)
                            if point is not None:
                                record(point)
                    if not (open_low[j] or open_high[j]):
                        break
        # Then cells in no common relation, each pushed its own way at once: they do not compete,
        # so one programme settles many (the counts a lean release leaves out come in such sets).
        while open_low.sum() + open_high.sum() >= 8:
            before = open_low.sum() + open_high.sum()
            objective = np.zeros(self.n)
            for j, sign in self._apart(open_low, open_high, rng):
                objective[j] = sign
            record(self._run(self.highs, objective, stats))
            if open_low.sum() + open_high.sum() >= before:
                break
        low, high = np.minimum(seen_low, near_low), np.maximum(seen_high, near_high)
        exact = target & ~open_low & ~open_high
        exact &= (near_low <= self.low + _TOL) & (near_high >= self.upper - _TOL)
        low[exact], high[exact] = self.low[exact], self.upper[exact]
        # A bound an LP reaches at a fractional point may be tighter in whole numbers.
        fractional = np.zeros(self.n, bool)
        for j in np.flatnonzero(open_low | open_high):
            for sign, is_low in ((1.0, True), (-1.0, False)):
                if is_low and near_low[j] <= self.low[j] + _TOL:
                    low[j] = self.low[j]
                    continue
                if not is_low and near_high[j] >= self.upper[j] - _TOL:
                    high[j] = self.upper[j]
                    continue
                # A relaxation around the cell that goes no further than a point found proves
                # the bound without a programme over the whole component (thousands of cells).
                reached = near_low[j] if is_low else near_high[j]
                if self._certified(j, sign, reached, stats):
                    whole = seen_low[j] if is_low else seen_high[j]
                    fractional[j] |= abs(whole - reached) > _TOL  # no whole point there: maybe narrower
                    if is_low:
                        low[j] = reached
                    else:
                        high[j] = reached
                    continue
                x = self._run(self.highs, _unit(self.n, j, sign), stats)
                fractional[j] |= not _whole(x).all()
                if is_low:
                    low[j] = x[j]
                else:
                    high[j] = x[j]
                record(x)
            exact[j] = True
        low = np.ceil(low - _TOL)
        high = np.floor(high + _TOL)
        # Whole numbers can only narrow a range: one that fails on the programmes' bounds fails
        # anyway (its interval is then shown as they give it, which is wider, never narrower).
        failing = (high - low < 1 - _TOL) | ((low <= threshold - 1 + _TOL) & (high - low < 2 - _TOL))
        narrow = np.flatnonzero(target & exact & fractional & (high - low < _NARROW) & ~failing)
        milp = None
        for j in narrow:
            for sign, bound in ((1.0, low), (-1.0, high)):
                witnessed = seen_low[j] if sign > 0 else seen_high[j]
                bound[j] = self._whole_bound(j, sign, bound[j], witnessed, stats)
                # A whole point at the bound (the programmes' one rounded inwards, or a tighter one
                # ``_whole_bound`` proves): the bound is exact.
                if sign * witnessed <= sign * bound[j] + _TOL:
                    continue
                if background is not None and (
                    self._reached_nearest(j, sign, bound[j], background, stats, record)
                    or self._reached(j, sign, bound[j], background, stats, record)
                ):
                    continue
                if milp is None:
                    milp = highspy.Highs()
                    milp.setOptionValue("output_flag", False)
                    milp.setOptionValue("mip_max_nodes", _INTEGER_NODES)
                    lp = self.lp
                    lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
                    milp.passModel(lp)
                witnessed = seen_low[j] if sign > 0 else seen_high[j]
                bound[j], proven = self._integer_bound(milp, j, sign, witnessed, stats)
                exact[j] &= proven
        high = np.where(high >= self.cap - 0.5, np.inf, high)
        return low, high, exact


def _whole(x) -> np.ndarray:
    """Per cell, whether its value is a whole number (within the tolerance; NaN is not)."""
    return np.abs(x - np.round(x)) <= _TOL


def _unit(n, j, sign):
    objective = np.zeros(n)
    objective[j] = sign
    return objective


def _direction(open_low, open_high, rng):
    """A random objective pushing each open cell its open way (down: weight above 0)."""
    objective = np.zeros(len(open_low))
    objective[open_low] = rng.uniform(0.5, 1.5, open_low.sum())
    objective[open_high] -= rng.uniform(0.5, 1.5, open_high.sum())
    both = open_low & open_high
    objective[both] = rng.choice([-1.0, 1.0], both.sum())
    return objective
