"""Disclosure control: counts about persons are published so that no small count can be learnt.

A *cube* is every person count a run publishes (every scope of both municipal structures and
the region, every year and the cumulative) together with the relations a reader can use on
it: equalities (a total is the sum of its parts) and inequalities (unique persons across
services are at least those of any one service, new persons are at most those served, ...).

``protect`` hides counts of 1..threshold-1 as "<threshold" (primary suppression; 0 stays 0),
then hides further cells as "x" (secondary suppression) until ``audit`` finds no hidden count
that a reader could pin down. An "x" says only that the count is not 0: it may be any size,
so a small count may also be shown as "x" when "<threshold" would let a reader work it out
(four municipalities with "<5" adding up to a region total of "<5" must each be 1).

``audit`` plays the reader: it knows every published value, every relation, that a "<5" cell
lies in 1..4 and an "x" cell is at least 1, and solves linear programmes for the smallest and
largest value each hidden cell could take. The guarantee holds for one cube, i.e. one run for
one ``as_of``; comparing runs for different dates is outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from di_eval.analysis.programme import highs_lp
from di_eval.analysis.rounding import round_to
from di_eval.errors import ChoiceError, DiEvalError

PUBLISHED, PRIMARY, SECONDARY, NOT_REPORTED = "published", "primary", "secondary", "not_reported"
ROUNDED = "rounded"  # published rounded to ``rounding_base`` (the rounding method)
# A headline figure published rounded to ``coarse_base`` (shown as the range it lies in) where
# rounding to ``rounding_base`` would give a count away and hiding it would say nothing.
COARSE = "rounded_coarse"
OMITTED = "omitted"  # not published at this detail (``detail="lean"``): only the region's are
METHODS = ("heuristic", "suppression", "rounding")
# "lean": a municipality's counts are published at the detail its page shows (persons of all
# services by year, each service's cumulative, transitions' cumulatives, needs by year); each
# service by year and transitions by year only for the region. "full": every count of the cube.
DETAILS = ("lean", "full")

# A value closer than this to another counts as equal to it (round-off of the LP solver).
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class DisclosureRule:
    """The rule. Counts 1..threshold-1 are shown as "<threshold"; 0 is shown.

    ``method="rounding"`` (the default): counts of threshold or more are rounded to the nearest
    multiple of ``rounding_base`` (halves up), except in ``exact_scopes`` (the region); then the
    cheapest widenings (a headline figure first to ``coarse_base``, shown as its range) (``di_eval.analysis.repair``) until the full audit of this and every
    earlier release passes. ``method="suppression"``: other counts exact, hidden as
    ``secondary_marker`` ("x": not 0, size not told) until the full audit passes.
    ``method="heuristic"``: the suppression of ``protect``, checked against the sums of one
    release only (the full audit may pin some; kept for comparison).

    ``detail="lean"`` (the default) publishes a municipality's counts at the detail its page
    shows (``OMITTED`` the rest: each service by year, transitions by year); ``"full"`` every
    count of the cube.
    """

    threshold: int = 5
    secondary_marker: str = "x"
    method: str = "rounding"
    rounding_base: int = 5
    coarse_base: int | None = None  # None: twice ``rounding_base``
    exact_scopes: tuple = ("region",)
    detail: str = "lean"

    def __post_init__(self):
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, np.integer)) or self.threshold < 1:
            raise ChoiceError("disclosure threshold", self.threshold, hint="a whole number of at least 1")
        if self.method not in METHODS:
            raise ChoiceError("disclosure method", self.method, list(METHODS))
        if self.detail not in DETAILS:
            raise ChoiceError("disclosure detail", self.detail, list(DETAILS))
        base = self.rounding_base
        if isinstance(base, bool) or not isinstance(base, (int, np.integer)) or base < 2:
            raise ChoiceError("rounding base", base, hint="a whole number of at least 2")
        if self.coarse_base is None:
            object.__setattr__(self, "coarse_base", 2 * int(base))
        coarse = self.coarse_base
        if isinstance(coarse, bool) or not isinstance(coarse, (int, np.integer)) or coarse <= base:
            raise ChoiceError("coarse rounding base", coarse, hint=f"a whole number above the rounding base {base}")
        object.__setattr__(self, "exact_scopes", tuple(self.exact_scopes))

    @property
    def primary_marker(self) -> str:
        return f"<{self.threshold}"

    def text(self, lang: str = "lv") -> str:
        """The rule and its guarantee in words, for the method section of a report."""
        from di_eval.analysis.rule_text import rule_text

        return rule_text(self, lang)


def as_rule(rule: DisclosureRule | int | None) -> DisclosureRule:
    if rule is None:
        return DisclosureRule()
    return rule if isinstance(rule, DisclosureRule) else DisclosureRule(rule)


@dataclass(frozen=True)
class Cube:
    """Person counts and the relations between them.

    ``cells``: one row per count, any key columns plus ``value`` (whole number; NA = not
    reported) and ``preference`` (lower = hidden first when another cell must be hidden).
    ``equalities``: columns ``relation``, ``cell`` (row position in ``cells``), ``role``
    ("total" or "part"), meaning total = sum of parts.
    ``inequalities``: columns ``relation``, ``cell``, ``side`` ("low" or "high"), meaning
    sum of the low side <= sum of the high side.
    """

    cells: pd.DataFrame
    equalities: pd.DataFrame
    inequalities: pd.DataFrame

    def __post_init__(self):
        for name in ("value", "preference"):
            if name not in self.cells.columns:
                raise DiEvalError(f"a disclosure cube needs a '{name}' column")


@dataclass(frozen=True)
class ProtectedCube:
    """A cube after disclosure control: each cell's status and the value a reader sees."""

    cube: Cube
    rule: DisclosureRule
    status: np.ndarray  # per cell: published | rounded | rounded_coarse | primary | secondary | not_reported | omitted

    @property
    def cells(self) -> pd.DataFrame:
        """The cells with ``status`` and ``published`` (int, a marker string, or None)."""
        published = pd.Series(published_values(self), index=self.cube.cells.index, dtype=object)
        return self.cube.cells.assign(status=self.status, published=published)

    @property
    def hidden(self) -> np.ndarray:
        return np.isin(self.status, (PRIMARY, SECONDARY))


def published_values(protected: ProtectedCube) -> list:
    """What a reader sees for each cell: the count (rounded where its status is "rounded"),
    the marker, or None when not reported."""
    markers = {PRIMARY: protected.rule.primary_marker, SECONDARY: protected.rule.secondary_marker}
    values = protected.cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    rounded = round_to(np.nan_to_num(values), protected.rule.rounding_base)
    coarse = round_to(np.nan_to_num(values), protected.rule.coarse_base)
    out = []
    for status, value, near, far in zip(protected.status, values, rounded, coarse):
        if status == PUBLISHED:
            out.append(int(value))
        elif status == ROUNDED:
            out.append(int(near))
        elif status == COARSE:
            out.append(int(far))
        elif status in (NOT_REPORTED, OMITTED):
            out.append(None)
        else:
            out.append(markers[status])
    return out


def as_number(values) -> pd.Series:
    """Published values as floats for charts: NaN where hidden or not reported."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    return pd.to_numeric(series.map(lambda v: v if isinstance(v, (int, float, np.number)) else None), errors="coerce")


# --- the relations as arrays ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Constraints:
    """Every relation as rows of a sparse system: sum(coef * x) == 0 (equal) or <= 0."""

    row: np.ndarray
    cell: np.ndarray
    coef: np.ndarray
    equal: np.ndarray  # per row: True for an equality
    total_part: np.ndarray  # per entry: True where the cell is the total of an equality

    @property
    def rows(self) -> int:
        return len(self.equal)

    def __post_init__(self):
        # Where each row's and each cell's entries are, for lookups without scanning them all.
        object.__setattr__(self, "_by_row", _grouping(self.row, self.rows))
        object.__setattr__(self, "_by_cell", _grouping(self.cell, int(self.cell.max()) + 1 if len(self.cell) else 0))

    def entries_of_rows(self, rows) -> np.ndarray:
        order, start = self._by_row
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return np.zeros(0, np.int64)
        return np.concatenate([order[start[r] : start[r + 1]] for r in rows])

    def cells_of_rows(self, rows) -> np.ndarray:
        return np.unique(self.cell[self.entries_of_rows(rows)])

    def rows_of_cells(self, cells) -> np.ndarray:
        order, start = self._by_cell
        cells = [int(x) for x in np.atleast_1d(cells) if 0 <= x < len(start) - 1]
        if not cells:
            return np.zeros(0, np.int64)
        return np.unique(self.row[np.concatenate([order[start[x] : start[x + 1]] for x in cells])])


def _grouping(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions sorted by key, and where each key's run starts (length size + 1)."""
    order = np.argsort(keys, kind="stable")
    start = np.searchsorted(keys[order], np.arange(size + 1))
    return order, start


def _constraints(cube: Cube, reported: np.ndarray) -> _Constraints:
    """The relations a reader can use; cells not reported drop out of them, and a relation the
    true counts do not satisfy (a reader could not rely on it either) is left out."""
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    return _holding(_all_constraints(cube, reported), np.nan_to_num(values))


def _holding(c: _Constraints, values: np.ndarray) -> _Constraints:
    lhs = np.bincount(c.row, weights=c.coef * values[c.cell], minlength=c.rows)
    holds = np.where(c.equal, np.abs(lhs) <= _TOLERANCE, lhs <= _TOLERANCE)
    return c if holds.all() else _only(c, holds)


def _only(c: _Constraints, keep_rows: np.ndarray) -> _Constraints:
    """The relations of ``keep_rows``, renumbered."""
    renumber = np.cumsum(keep_rows) - 1
    keep = keep_rows[c.row]
    return _Constraints(renumber[c.row[keep]], c.cell[keep], c.coef[keep], c.equal[keep_rows], c.total_part[keep])


def _all_constraints(cube: Cube, reported: np.ndarray) -> _Constraints:
    eq = cube.equalities
    eq = eq[reported[eq["cell"].to_numpy()]] if len(eq) else eq
    eq_rel = pd.factorize(eq["relation"])[0] if len(eq) else np.zeros(0, int)
    is_total = (eq["role"] == "total").to_numpy() if len(eq) else np.zeros(0, bool)
    n_eq = int(eq_rel.max()) + 1 if len(eq_rel) else 0

    ineq = cube.inequalities
    if len(ineq):
        # A high-side term not reported makes the inequality unusable; a low one can be dropped
        # (counts are >= 0, so the rest still holds).
        high_missing = ineq[(ineq["side"] == "high") & ~reported[ineq["cell"].to_numpy()]]["relation"].unique()
        ineq = ineq[~ineq["relation"].isin(high_missing) & reported[ineq["cell"].to_numpy()]]
        sides = ineq.groupby("relation")["side"].nunique()
        ineq = ineq[ineq["relation"].isin(sides.index[sides == 2])]
    ub_rel = pd.factorize(ineq["relation"])[0] if len(ineq) else np.zeros(0, int)
    n_ub = int(ub_rel.max()) + 1 if len(ub_rel) else 0

    row = np.concatenate([eq_rel, ub_rel + n_eq]).astype(np.int64)
    cell = np.concatenate([eq["cell"].to_numpy(np.int64), ineq["cell"].to_numpy(np.int64)])
    coef = np.concatenate([np.where(is_total, 1.0, -1.0), np.where((ineq["side"] == "low").to_numpy(), 1.0, -1.0)])
    equal = np.concatenate([np.ones(n_eq, bool), np.zeros(n_ub, bool)])
    total_part = np.concatenate([is_total, np.zeros(len(ub_rel), bool)])
    return _Constraints(row, cell, coef, equal, total_part)


# --- protection ------------------------------------------------------------------------------------


@dataclass
class _State:
    """Which cells are hidden while protecting; ``small`` hidden cells are shown as "<t"."""

    values: np.ndarray
    preference: np.ndarray
    eligible: np.ndarray  # reported and not 0: may be hidden
    hidden: np.ndarray
    small: np.ndarray  # hidden and shown as "<threshold" (the others hidden are shown as "x")


def protect(cube: Cube, rule: DisclosureRule | int | None = None, *, joint: bool = False) -> ProtectedCube:
    """Hide small counts, and enough others that the audit finds nothing recoverable.

    Primary: every reported count from 1 to threshold-1, shown as "<threshold". Secondary: for
    each equality with exactly one hidden cell, hide the smallest non-zero other cell (parts
    before totals, municipalities before the region), to a fixed point; then, while the audit
    pins a hidden cell down, either show a "<threshold" cell whose upper limit pins it as "x"
    or hide one more cell of a relation that pins it. Zeros are never hidden.

    The result withstands both readers of ``audit``; with ``joint=True`` also the stricter one
    that solves the unique-person inequalities jointly (``audit(..., joint=True)``), which
    hides more and takes much longer on large cubes.
    """
    rule = as_rule(rule)
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    reported = ~np.isnan(values)
    primary = reported & (values >= 1) & (values <= rule.threshold - 1)
    state = _State(
        values,
        cube.cells["preference"].to_numpy(dtype=float),
        reported & (values > 0),
        primary.copy(),
        primary.copy(),
    )
    constraints = _constraints(cube, reported)
    _secondary_on_equalities(constraints, state)
    _until_nothing_recoverable(
        constraints, constraints if joint else _only(constraints, constraints.equal), state, rule
    )
    status = np.full(len(values), PUBLISHED, dtype=object)
    status[~reported] = NOT_REPORTED
    status[state.hidden & state.small] = PRIMARY
    status[state.hidden & ~state.small] = SECONDARY
    return ProtectedCube(cube, rule, status)


def _until_nothing_recoverable(constraints: _Constraints, sums: _Constraints, state: _State, rule) -> None:
    """Repair what the readers of ``audit`` pin down, round after round, until they pin nothing."""
    values = state.values
    free = np.zeros(len(values), bool)  # cells shown free stay free: hiding only widens
    # Every round hides a cell or turns a "<t" into "x", so there are at most two per cell.
    for _ in range(2 * len(values) + 1):
        # The quick reader first (bounds carried along every relation, one at a time), then the
        # thorough one (linear programmes over all the sums at once) when the quick one is done.
        relations = constraints
        findings = _propagation_findings(constraints, values, state.hidden, state.small, rule, roots_only=True)
        if not findings:
            relations = sums
            findings = _findings(sums, values, state.hidden, state.small, rule, want_binding=True, free=free)
        if not findings:
            return
        changed: set[int] = set()
        for finding in findings:
            # A repair may already free the next finding: leave it to the next round.
            if changed.isdisjoint(finding.binding_cells):
                changed |= _repair(finding, relations, state)
        if not changed:
            raise DiEvalError(f"disclosure control cannot protect cell {findings[0].cell}: nothing left to hide")
    raise DiEvalError("disclosure control did not converge")  # pragma: no cover - see the bound above


def _secondary_on_equalities(c: _Constraints, state: _State) -> None:
    """For every total = sum of parts with exactly one hidden cell, hide one more; repeat."""
    eq = c.equal[c.row]
    row, cell, is_total = c.row[eq], c.cell[eq], c.total_part[eq]
    if not len(row):
        return
    n_rows = int(row.max()) + 1
    hidden, values, preference = state.hidden, state.values, state.preference
    while True:
        hidden_count = np.bincount(row, weights=hidden[cell].astype(float), minlength=n_rows)
        candidate = (hidden_count == 1)[row] & ~hidden[cell] & state.eligible[cell]
        if not candidate.any():
            return
        c_row, c_cell = row[candidate], cell[candidate]
        order = np.lexsort((values[c_cell], preference[c_cell], is_total[candidate], c_row))
        first = np.r_[True, c_row[order][1:] != c_row[order][:-1]]
        hidden[c_cell[order][first]] = True


def _repair(finding: Finding, c: _Constraints, state: _State) -> set[int]:
    """Free a pinned cell, the cheapest way first: show a "<t" cell whose upper limit pins it
    as "x"; else hide a visible cell of a relation that pins it; else widen a "<t" cell of
    such a relation; else hide a cell linked to it further away."""
    small_binding = np.array([k for k in finding.binding_upper if state.small[k]], dtype=np.int64)
    if len(small_binding):
        best = int(small_binding[np.lexsort((-state.values[small_binding], -state.preference[small_binding]))[0]])
        state.small[best] = False
        return {best}
    rows = np.asarray(finding.binding_rows, dtype=np.int64)
    own_rows = c.rows_of_cells(finding.cell)
    for scope in (rows, own_rows):
        cells = c.cells_of_rows(scope)
        visible = cells[~state.hidden[cells] & state.eligible[cells]]
        if len(visible):
            best = int(visible[np.lexsort((state.values[visible], state.preference[visible]))[0]])
            state.hidden[best] = True
            return {best}
    cells = c.cells_of_rows(_rows_of_component(c, finding.cell, state.hidden))
    visible = cells[~state.hidden[cells] & state.eligible[cells]]
    if len(visible):
        best = int(visible[np.lexsort((state.values[visible], state.preference[visible]))[0]])
        state.hidden[best] = True
        return {best}
    small = cells[state.small[cells]]
    if len(small):
        best = int(small[np.lexsort((-state.values[small], -state.preference[small]))[0]])
        state.small[best] = False
        return {best}
    return set()


def _propagation_findings(c: _Constraints, values, hidden, small, rule, roots_only: bool = False) -> list[Finding]:
    """Hidden cells pinned by carrying whole-number bounds along single relations."""
    low, high, why_low, why_high, when = _propagate(c, values, hidden, small, rule.threshold)
    pinned = np.flatnonzero(hidden & (high - low < 1 - _TOLERANCE))
    if roots_only and len(pinned):
        # Pins spread along relations: free the first ones pinned, the rest often follow.
        pinned = pinned[when[pinned] == when[pinned].min()]
    findings = []
    for j in pinned:
        rows, upper = [], []
        if why_high[j] < 0:
            upper.append(int(j))  # its own "<t" limit holds it down
        else:
            r = int(why_high[j])
            rows.append(r)
            entries = c.entries_of_rows([r])
            own = c.coef[entries[c.cell[entries] == j]][0]
            # In a relation, the upper limit of a cell comes from the upper limits of the cells
            # on the other side: widening one of those frees it.
            upper += [int(k) for k in c.cell[entries[c.coef[entries] != own]] if small[k]]
        if why_low[j] >= 0:
            rows.append(int(why_low[j]))
        cells = tuple(int(x) for x in c.cells_of_rows(rows))
        findings.append(
            Finding(int(j), {}, "", float(low[j]), float(high[j]), "bounds", tuple(rows), cells, tuple(upper))
        )
    return findings


def _propagate(c: _Constraints, values, hidden, small, threshold: int, max_rounds: int = 100):
    """Bounds of every cell a reader gets by applying each relation to the others' bounds,
    repeated until nothing changes; with the relation that last set each bound (-1: none) and
    the round it was set in."""
    low = np.where(hidden, 1.0, np.nan_to_num(values))
    high = np.where(hidden, np.where(small, float(threshold - 1), np.inf), np.nan_to_num(values))
    why_low = np.full(len(values), -1)
    why_high = np.full(len(values), -1)
    when = np.zeros(len(values), dtype=np.int64)
    # Only relations with a hidden cell can tell a reader anything.
    useful = np.bincount(c.row, weights=hidden[c.cell].astype(float), minlength=c.rows) > 0
    keep = useful[c.row]
    a, row, cell = c.coef[keep], c.row[keep], c.cell[keep]
    equal = c.equal[row]
    active = useful.copy()
    for step in range(1, max_rounds + 1):
        on = active[row]
        a_on, row_on, cell_on, equal_on = a[on], row[on], cell[on], equal[on]
        # Every relation reads sum(a * x) <= 0 (or == 0), with a = +1 or -1.
        least = np.where(a_on > 0, low[cell_on], -high[cell_on])
        most = np.where(a_on > 0, high[cell_on], -low[cell_on])
        rest_least = _sum_of_others(row_on, least, c.rows)
        rest_most = _sum_of_others(row_on, most, c.rows)
        # a x <= -rest_least, and for an equality also a x >= -rest_most.
        new_high = np.where(a_on > 0, -rest_least, np.where(equal_on, rest_most, np.inf))
        new_low = np.where(a_on > 0, np.where(equal_on, -rest_most, -np.inf), rest_least)
        movable = hidden[cell_on]
        moved = _tighten(high, why_high, cell_on, row_on, np.floor(new_high + _TOLERANCE), movable, lower=False)
        moved |= _tighten(low, why_low, cell_on, row_on, np.ceil(new_low - _TOLERANCE), movable, lower=True)
        if not moved.any():
            break
        when[moved] = step
        active = np.zeros(c.rows, bool)
        active[row[moved[cell]]] = True
    if (low > high + _TOLERANCE).any():  # pragma: no cover - the true values satisfy every relation
        raise DiEvalError("disclosure control: the relations contradict the data")
    return low, high, why_low, why_high, when


def _sum_of_others(row, term, n_rows):
    """For each entry, the sum of the other entries of its row (-inf/inf where one is infinite)."""
    finite = np.isfinite(term)
    own = np.where(finite, term, 0.0)
    total = np.bincount(row, weights=own, minlength=n_rows)
    neg_inf = np.bincount(row, weights=(term == -np.inf), minlength=n_rows)
    pos_inf = np.bincount(row, weights=(term == np.inf), minlength=n_rows)
    rest = total[row] - own
    rest = np.where(neg_inf[row] - (term == -np.inf) > 0, -np.inf, rest)
    return np.where(pos_inf[row] - (term == np.inf) > 0, np.inf, rest)


def _tighten(bound, why, cell, row, proposed, movable, lower: bool) -> np.ndarray:
    """Apply the tightest proposed bound per cell, recording the relation it came from;
    return which cells moved."""
    ok = movable & np.isfinite(proposed)
    cells, rows, proposed = cell[ok], row[ok], proposed[ok]
    tightest = bound.copy()
    (np.maximum if lower else np.minimum).at(tightest, cells, proposed)
    moved = tightest > bound if lower else tightest < bound
    setting = moved[cells] & (proposed == tightest[cells])
    why[cells[setting]] = rows[setting]
    bound[moved] = tightest[moved]
    return moved


def _rows_of_component(c: _Constraints, cell: int, hidden: np.ndarray) -> np.ndarray:
    """Every relation connected to ``cell`` through hidden cells."""
    rows: set[int] = set()
    seen = {cell}
    frontier = [cell]
    while frontier:
        new_rows = np.setdiff1d(c.rows_of_cells(frontier), np.fromiter(rows, np.int64, len(rows)))
        rows |= set(new_rows.tolist())
        linked = c.cells_of_rows(new_rows)
        linked = set(linked[hidden[linked]].tolist()) - seen
        seen |= linked
        frontier = list(linked)
    return np.array(sorted(rows), dtype=np.int64)


# --- the audit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A hidden cell a reader could pin down, with the range of values left for it."""

    cell: int
    key: dict
    status: str
    low: float
    high: float
    kind: str  # linear: the equalities alone fix it; bounds: fixed once "<t" and "not 0" are used; shown
    binding_rows: tuple = ()
    binding_cells: tuple = ()
    binding_upper: tuple = ()

    def __str__(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{where}: {self.status} cell recoverable ({self.kind}), range {self.low:g}..{self.high:g}"


@dataclass(frozen=True)
class AuditResult:
    """What the audit tried and what it found; ``ok`` when no hidden cell can be pinned down."""

    findings: list[Finding]
    hidden_cells: int
    relations: int
    components: int
    linear_programs: int

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        head = "no hidden count is recoverable" if self.ok else f"{len(self.findings)} hidden count(s) recoverable"
        return (
            f"{head}: {self.hidden_cells} hidden cells, {self.relations} relations, "
            f"{self.components} groups of linked hidden cells, {self.linear_programs} linear programmes"
        )


def audit(published: ProtectedCube, *, joint: bool = False) -> AuditResult:
    """Try to recover every hidden cell of a published cube; report each one that can be.

    The reader knows every published value, every relation of the cube, that a "<t" cell lies
    in 1..t-1 and an "x" cell is at least 1, and that counts are whole numbers. Two readers try:

    - sums (complete): linear programmes over every total = sum of parts at once give the
      smallest and largest value of each hidden cell over real numbers; a range holding fewer
      than two whole numbers is a finding ("linear" when the sums alone fix the cell, which
      covers every subtraction, else "bounds");
    - chains: whole-number bounds carried along every relation, the unique-person inequalities
      included, one relation at a time until nothing changes; a cell left with one possible
      value is a finding ("chained").

    ``joint=True`` also puts the inequalities into the linear programmes: a stricter reader
    than ``protect`` promises to withstand (slow on large cubes; for diagnosis). A count of
    1..t-1 left visible is a finding too. The true values serve only as a known feasible point.
    """
    rule = published.rule
    cube = published.cube
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    reported = ~np.isnan(values)
    hidden = published.hidden
    small = published.status == PRIMARY
    if (hidden & ~(values >= 1)).any() or (small & ~(values <= rule.threshold - 1)).any():
        raise DiEvalError("the published cube does not follow the disclosure rule (a hidden 0 or a wrong marker)")
    constraints = _constraints(cube, reported)
    stats: dict = {}
    programmes = constraints if joint else _only(constraints, constraints.equal)
    raw = _findings(programmes, values, hidden, small, rule, stats=stats)
    found = {f.cell for f in raw}
    raw += [
        Finding(f.cell, {}, "", f.low, f.high, "chained")
        for f in _propagation_findings(constraints, values, hidden, small, rule)
        if f.cell not in found
    ]
    keys = cube.cells.drop(columns=["value", "preference"])
    findings = [Finding(f.cell, _key(keys, f.cell), published.status[f.cell], f.low, f.high, f.kind) for f in raw]
    shown_small = reported & ~hidden & (values >= 1) & (values <= rule.threshold - 1)
    findings += [
        Finding(int(i), _key(keys, int(i)), PUBLISHED, values[i], values[i], "shown")
        for i in np.flatnonzero(shown_small)
    ]
    return AuditResult(
        findings, int(hidden.sum()), constraints.rows, stats.get("components", 0), stats.get("linear_programs", 0)
    )


def _key(keys: pd.DataFrame, i: int) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in keys.iloc[i].items()}


def _findings(
    c: _Constraints,
    values: np.ndarray,
    hidden: np.ndarray,
    small: np.ndarray,
    rule: DisclosureRule,
    *,
    want_binding: bool = False,
    stats: dict | None = None,
    free: np.ndarray | None = None,
) -> list[Finding]:
    """Every hidden cell whose feasible range holds fewer than two whole numbers.

    ``free`` (per cell, updated in place) marks cells already shown to be free; it stays valid
    while cells are only hidden or widened, as that can only widen what a reader can infer.
    """
    free = free if free is not None else np.zeros(len(values), bool)
    stats = stats if stats is not None else {}
    stats.setdefault("linear_programs", 0)
    stats["components"] = 0
    hidden_idx = np.flatnonzero(hidden)
    if not len(hidden_idx) or not c.rows:
        return []
    n_hidden = len(hidden_idx)
    local = np.full(len(values), -1, dtype=np.int64)
    local[hidden_idx] = np.arange(n_hidden)
    entry_hidden = hidden[c.cell]
    # The published part of each relation is a constant: it moves to the right-hand side.
    known = np.where(entry_hidden, 0.0, c.coef * np.nan_to_num(values[c.cell]))
    rhs = -np.bincount(c.row, weights=known, minlength=c.rows)
    h_row, h_col, h_coef = c.row[entry_hidden], local[c.cell[entry_hidden]], c.coef[entry_hidden]
    matrix = sparse.csr_matrix((h_coef, (h_row, h_col)), shape=(c.rows, n_hidden))
    # Hidden cells linked through shared relations form groups (connected parts of the graph
    # of cells and relations); each group is one linear programme.
    size = n_hidden + c.rows
    graph = sparse.csr_matrix((np.ones(len(h_row)), (h_col, n_hidden + h_row)), shape=(size, size))
    _, node_group = connected_components(graph, directed=False)
    group = node_group[:n_hidden]
    row_group = np.full(c.rows, -1)
    row_group[h_row] = group[h_col]
    cols_of, rows_of = _positions_by_label(group), _positions_by_label(row_group)
    stats["components"] = len(cols_of)
    truth = values[hidden_idx]
    low = np.ones(n_hidden)
    high = np.where(small[hidden_idx], float(rule.threshold - 1), np.inf)
    findings = []
    for g, cols in cols_of.items():
        rows = rows_of.get(g, np.zeros(0, np.int64))
        if not len(rows) or free[hidden_idx[cols]].all():
            continue
        # A finite ceiling far above every value keeps each programme bounded; it cannot make a
        # cell look recoverable, as it stays more than 1 above the true value.
        ceiling = np.minimum(high[cols], 2 * truth[cols].max() + rule.threshold + 1)
        problem = _Problem(matrix[rows][:, cols], rhs[rows], c.equal[rows], low[cols], ceiling, truth[cols])
        local_free = free[hidden_idx[cols]].copy()
        for j, lo, hi, binding, upper in problem.pinned(stats, want_binding, local_free):
            cell = int(hidden_idx[cols[j]])
            binding_rows = tuple(int(rows[r]) for r in binding)
            binding_cells = tuple(int(x) for x in c.cells_of_rows(binding_rows))
            binding_upper = tuple(int(hidden_idx[cols[k]]) for k in upper)
            kind = "" if want_binding else ("linear" if problem.fixed_by_equalities(j) else "bounds")
            findings.append(Finding(cell, {}, "", lo, hi, kind, binding_rows, binding_cells, binding_upper))
        free[hidden_idx[cols]] = local_free
    return findings


def _positions_by_label(labels: np.ndarray) -> dict[int, np.ndarray]:
    """For each label, the positions holding it (labels below 0 are left out)."""
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(order) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(order)]
    return {int(ordered[s]): order[s:e] for s, e in zip(starts, ends) if ordered[s] >= 0}


class _Problem:
    """One group of linked hidden cells as a linear programme, kept warm between objectives."""

    def __init__(self, matrix, rhs, equal, low, high, truth):
        self.n = len(truth)
        self.truth = truth
        self.equal = equal
        self.rows = np.arange(matrix.shape[0])
        self.matrix = matrix
        lp, _ = highs_lp(matrix, rhs, equal, low, np.where(np.isfinite(high), high, highspy.kHighsInf))
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.indices = np.arange(self.n, dtype=np.int32)

    def _solve(self, objective, stats):
        stats["linear_programs"] += 1
        self.highs.changeColsCost(self.n, self.indices, np.asarray(objective, dtype=float))
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise DiEvalError(f"disclosure audit: a linear programme failed ({self.highs.getModelStatus()})")
        solution = self.highs.getSolution()
        return np.asarray(solution.col_value), solution

    def pinned(self, stats, want_binding, free):
        """Yield (j, low, high, binding rows, binding upper limits) for each pinned cell j;
        ``free`` (updated in place) marks the cells shown to be free."""
        rng = np.random.default_rng(0)
        # Cheap first: a random direction moves many cells at once, and a solution that moves a
        # cell by at least 1 from its true value proves that cell cannot be pinned down.
        stalled = 0
        while stalled < 2:
            open_ = np.flatnonzero(~free)
            if len(open_) < 4:
                break
            objective = np.zeros(self.n)
            objective[open_] = rng.choice([-1.0, 1.0], len(open_))
            before = free.sum()
            self._mark_free(self._solve(objective, stats)[0], free)
            stalled = stalled + 1 if free.sum() - before < max(2, len(open_) // 10) else 0
        for j in range(self.n):
            if free[j]:
                continue
            up, up_solution = self._solve(self._unit(j, -1.0), stats)
            self._mark_free(up, free)
            if free[j]:
                continue
            binding = self._binding(up_solution) if want_binding else ((), ())
            down, _ = self._solve(self._unit(j, 1.0), stats)
            self._mark_free(down, free)
            if free[j]:
                continue
            yield j, float(down[j]), float(up[j]), binding[0], binding[1]

    def _unit(self, j, sign):
        objective = np.zeros(self.n)
        objective[j] = sign
        return objective

    def _mark_free(self, x, free):
        free |= np.abs(x - self.truth) >= 1 - _TOLERANCE

    def _binding(self, solution):
        """Relations and upper limits that stop the cell from growing (non-zero duals)."""
        row_dual = np.asarray(solution.row_dual)
        col_dual = np.asarray(solution.col_dual)
        rows = self.rows[np.abs(row_dual) > _TOLERANCE].tolist()
        x = np.asarray(solution.col_value)
        upper_limit = np.asarray(self.highs.getLp().col_upper_)
        at_upper = np.flatnonzero((np.abs(col_dual) > _TOLERANCE) & (np.abs(x - upper_limit) <= _TOLERANCE))
        at_upper = at_upper[np.argsort(-np.abs(col_dual[at_upper]), kind="stable")]
        return rows, at_upper.tolist()

    def fixed_by_equalities(self, j) -> bool:
        """True when the sums alone fix cell j (a plain subtraction recovers it): no direction
        that keeps every sum moves it."""
        if not hasattr(self, "_null"):
            dense = self.matrix[self.equal].toarray()
            if not dense.shape[0]:
                self._null = np.eye(self.n)
            else:
                _, singular, vt = np.linalg.svd(dense, full_matrices=True)
                rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
                self._null = vt[rank:].T
        return bool(np.abs(self._null[j]).max(initial=0.0) <= _TOLERANCE)
