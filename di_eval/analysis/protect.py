"""Protecting a release against every reader: protect, audit everything published, repair, repeat.

``protect_release`` starts from the chosen method's pattern:

- ``rounding`` (NHS Digital, Eurostat, OpenSAFELY; the default): 0 shown, 1..t-1 as "<t", the
  rest rounded to the nearest multiple of ``rounding_base``, exactly in ``exact_scopes`` (the region);
- ``suppression``: the heuristic of ``di_eval.analysis.disclosure.protect`` (small counts
  "<t", others hidden as "x" until no sum gives a hidden count away);

with the counts ``detail="lean"`` does not publish marked ``omitted`` (``omitted_mask``); keeps
the pattern of earlier releases for the years they published (a count they hid or rounded is
hidden or rounded again), then audits the new release together with every earlier one and the
public figures the data agree with (``di_eval.analysis.audit``). While a count fails, the
cost-minimising repair of ``di_eval.analysis.repair`` widens the cheapest set of cells that
frees every failing count found so far (headline figures and the region's cumulatives last; a
headline figure is first rounded to ``coarse_base`` and shown as its range, ``COARSE``);
a count no widening frees in the programmes falls back to widening the nearest cheap cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from di_eval.analysis import audit as au
from di_eval.analysis import release as rel
from di_eval.analysis import repair as rp
from di_eval.analysis.disclosure import (
    COARSE,
    NOT_REPORTED,
    OMITTED,
    PRIMARY,
    PUBLISHED,
    ROUNDED,
    SECONDARY,
    Cube,
    DisclosureRule,
    ProtectedCube,
    protect,
)
from di_eval.analysis.indicators import CUBE_KEYS, CUMULATIVE, REGION
from di_eval.analysis.rounding import round_to, rounded_range

MAX_ROUNDS = 200
_RADIUS = 4  # how many relations away a repair may look
_DEAR = 500.0  # a repair this costly (hiding a headline figure or the region) is a last resort


def headline_mask(cells: pd.DataFrame) -> np.ndarray:
    """A municipality's cumulative FT or GRT ``any`` (either structure)."""
    return (
        (cells["table"] == "uptake").to_numpy()
        & (cells["measure"] == "persons_cumulative").to_numpy()
        & cells["group"].isin(["FT", "GRT"]).to_numpy()
        & (cells["service"] == "any").to_numpy()
        & (cells["scope"] != REGION).to_numpy()
    )


def omitted_mask(cells: pd.DataFrame, rule: DisclosureRule) -> np.ndarray:
    """The counts ``rule.detail == "lean"`` does not publish: a municipality's (either structure)
    persons by year of each service, and its transitions by year. Its page shows neither; the
    region's are published."""
    if rule.detail != "lean":
        return np.zeros(len(cells), bool)
    municipal = (cells["scope"] != REGION).to_numpy()
    yearly = (cells["year"] != CUMULATIVE).to_numpy()
    uptake = (cells["table"] == "uptake").to_numpy() & (cells["service"] != "any").to_numpy()
    transitions = (cells["table"] == "transitions").to_numpy()
    return municipal & yearly & (uptake | transitions)


def initial_status(cube: Cube, rule: DisclosureRule) -> np.ndarray:
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    if rule.method != "rounding":
        status = protect(cube, rule).status.copy()
    else:
        t = rule.threshold
        exact_scope = cube.cells["scope"].isin(rule.exact_scopes).to_numpy()
        # A threshold of 1 makes no count small: nothing to protect, every count exact.
        status = np.where(exact_scope | (t <= 1), PUBLISHED, ROUNDED).astype(object)
        status[values < t] = PRIMARY
        status[values == 0] = PUBLISHED
        status[np.isnan(values)] = NOT_REPORTED
    status[omitted_mask(cube.cells, rule)] = OMITTED
    return status


def _keep_earlier_pattern(cube: Cube, status: np.ndarray, previous: list) -> None:
    """A year an earlier release published keeps what it hid or rounded, and prints what it
    printed (same truth only)."""
    if not previous:
        return
    cells = cube.cells
    values = cells["value"].to_numpy(dtype=float, na_value=np.nan)
    index = pd.MultiIndex.from_frame(cells[CUBE_KEYS])
    for release in previous:
        yearly = release.cells[release.cells["year"] != CUMULATIVE]
        where = index.get_indexer(pd.MultiIndex.from_frame(yearly[CUBE_KEYS]))
        ok = where >= 0
        where, before = where[ok], yearly["status"].to_numpy(object)[ok]
        known = release.knowledge()[release.cells["year"] != CUMULATIVE]
        lo, hi = known["low"].to_numpy(float)[ok], known["high"].to_numpy(float)[ok]
        same = (values[where] >= lo) & (values[where] <= hi)  # a revised count starts afresh
        now = status[where]
        to_x = same & (before == SECONDARY) & np.isin(now, (PUBLISHED, ROUNDED, COARSE, PRIMARY))
        status[where[to_x]] = SECONDARY
        to_round = same & (before == ROUNDED) & (now == PUBLISHED) & (values[where] >= 1)
        status[where[to_round]] = ROUNDED if release.rule.method == "rounding" else SECONDARY
        # A count an earlier release printed exactly is public: hiding it again protects nothing
        # (the initial pattern of "suppression" knows no earlier release and may hide it).
        to_print = same & (before == PUBLISHED) & np.isin(now, (SECONDARY, ROUNDED, COARSE)) & (lo == hi)
        status[where[to_print]] = PUBLISHED


def _truth_of(release, cube_for) -> np.ndarray | None:
    """The current true values of an earlier release's cells (its years from today's data)."""
    if cube_for is None:
        return None
    cube = cube_for(release.last_year)
    values = cube.cells.set_index(CUBE_KEYS)["value"]
    where = values.index.get_indexer(pd.MultiIndex.from_frame(release.cells[CUBE_KEYS]))
    truth = values.to_numpy(dtype=float, na_value=np.nan)
    return np.where(where >= 0, truth[np.maximum(where, 0)], np.nan)


def protect_release(
    cube: Cube,
    rule: DisclosureRule,
    as_of,
    successors: dict,
    *,
    previous=(),
    public: pd.DataFrame | None = None,
    cube_for=None,
    initial: np.ndarray | None = None,
):
    """Protect ``cube`` (the release at ``as_of``) so that it, the earlier releases and the
    public figures together pass the audit. Returns (ProtectedCube, ReleaseAudit).

    A count the earlier releases already give away by themselves (an earlier release protected
    by a weaker method), or that follows from them and the zeros the new release must show,
    is printed when it is the threshold or more (hiding it would protect nothing); a smaller one
    stays a finding of the returned audit and ``result.ok`` is then False: such a release is
    not safe to publish (a caller must refuse it); every other count passes.

    ``cube_for(last_year)``: the true cube of an earlier release's years from today's data
    (to recognise revised counts); without it earlier values are taken as they were published.
    """
    previous = sorted(previous, key=lambda r: r.as_of)
    day = pd.Timestamp(as_of)
    public = _true_public(public, cube, day.year if (day.month, day.day) == (12, 31) else day.year - 1)
    status = initial_status(cube, rule) if initial is None else np.asarray(initial, dtype=object).copy()
    _keep_earlier_pattern(cube, status, previous)
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    earlier = [au.knowledge_of(r, _truth_of(r, cube_for)) for r in previous]
    headline = headline_mask(cube.cells)
    region = (cube.cells["scope"] == REGION).to_numpy()
    level = cube.cells["preference"].to_numpy(dtype=float)
    # The relations do not change between rounds: build them once, with the new release's own
    # knowledge left out, and put its current pattern in each round.
    protected = ProtectedCube(cube, rule, status.copy())
    release = rel.from_protected(protected, as_of, successors)
    mine = len(earlier)
    structure = au.build_model(
        [
            *earlier,
            au.Knowledge(release.last_year, _structure_cells(release), successors, rule.threshold, published=False),
        ],
        public,
    )
    base_low, base_high, base_published = structure.low.copy(), structure.high.copy(), structure.published.copy()
    uids = structure.uids_of[mine]
    inside = uids >= 0
    tried = np.zeros(len(values), bool)
    # A count the earlier releases or the public figures already fix is no widening: the fallback
    # of ``_widen`` must not choose it (the programmes' cuts never do).
    tried[np.flatnonzero(inside)[base_low[uids[inside]] >= base_high[uids[inside]] - 1e-9]] = True
    # What the earlier releases already give away together cannot be taken back: the new release
    # must add no failure of its own (audit the earlier ones to see theirs).
    # A count of the new release they already pin down is published as it is (hiding it would
    # protect nothing).
    cell_of = np.full(len(structure.low), -1, np.int64)  # universe id -> this release's cell
    cell_of[uids[inside]] = np.flatnonzero(inside)
    inherited = np.zeros(len(structure.low), bool)
    # (The public figures alone pin only themselves, and a count no earlier release published is
    # pinned by none: only the earlier releases' counts need this audit.)
    if earlier:
        structure.published = base_published
        before = au.audit_model(structure, rule.threshold, mine).intervals
        structure.published = base_published
        inherited[before.loc[before["finding"] != "", "uid"].to_numpy(np.int64)] = True
        pinned = before.loc[before["finding"] == "exact", "uid"].to_numpy(np.int64)
        known = cell_of[pinned]
        known = known[(known >= 0)]
        known = known[values[known] >= rule.threshold]
        status[known] = PUBLISHED
        tried[known] = True
    cuts = rp.Cuts()
    solved: dict = {}  # the audit's components already solved, by their content
    omitted = status == OMITTED
    # A count left out (lean tables) is no target as published, but a small one must keep its 3
    # possible values like a hidden one: the audit is told which they are.
    small = inside & omitted & (values >= 1) & (values <= rule.threshold - 1)
    structure.small = np.zeros(len(structure.low), bool)
    structure.small[uids[small]] = True
    # The persons new between this release and a later public cumulative are its difference from
    # this release's cumulative: a small one keeps its 3 possible values like a left-out count.
    later, cumulative, figure = structure.later
    between = figure - values[np.maximum(cell_of[cumulative], 0)]
    structure.small[later[(cell_of[cumulative] >= 0) & (between >= 1) & (between <= rule.threshold - 1)]] = True
    between = np.where(cell_of[cumulative] >= 0, between, np.nan)
    structure.truth = _universe_truth(structure, earlier, uids, inside, values, between)
    for _ in range(MAX_ROUNDS):
        protected = ProtectedCube(cube, rule, status.copy())
        release = rel.from_protected(protected, as_of, successors)
        known = release.knowledge()
        lo, hi = known["low"].to_numpy(float), known["high"].to_numpy(float)
        ok = inside & known["reported"].to_numpy() & ~omitted  # an omitted count is no target
        low, high, published = base_low.copy(), base_high.copy(), base_published.copy()
        low[uids[ok]] = np.maximum(low[uids[ok]], lo[ok])
        high[uids[ok]] = np.minimum(high[uids[ok]], hi[ok])
        published[uids[ok]] = True
        structure.low, structure.high, structure.published = low, high, published
        structure.status[uids[inside]] = status[inside]
        structure.value[uids[inside]] = release.cells["published"].to_numpy(object)[inside]
        failing = au.quick_failures(structure, rule.threshold)
        failing = failing[~inherited[failing]]
        result = None
        if not len(failing):
            result = au.audit_model(structure, rule.threshold, mine + 1, cache=solved)
            failing = result.intervals.loc[result.intervals["finding"] != "", "uid"].to_numpy(np.int64)
            failing = failing[~inherited[failing]]
            if not len(failing):
                return protected, result
        changed = _repair(
            structure, failing, mine, status, values, headline, region, rule, cuts, base_low, base_high, tried
        )
        if changed < 0:  # a count no widening frees by the programmes: the nearest cheap cell
            changed = _widen(structure, failing, mine, status, values, headline, region, level, rule, tried, False)
        if not changed:
            result = result if result is not None else au.audit_model(structure, rule.threshold, mine + 1)
            # A hidden count of the threshold or more that no widening frees is worked out from
            # what is public anyway (an earlier release's cumulative and this year's 0 new, say):
            # print it; that tells a reader nothing new.
            intervals = result.intervals
            pinned = cell_of[intervals.loc[intervals["finding"] == "exact", "uid"].to_numpy(np.int64)]
            pinned = pinned[pinned >= 0]
            pinned = pinned[(status[pinned] == SECONDARY) & (values[pinned] >= rule.threshold) & ~tried[pinned]]
            if len(pinned):
                status[pinned] = PUBLISHED
                tried[pinned] = True
                continue
            # What is left follows from what is already public (earlier releases, the public
            # figures, the zeros this release must show): the audit says so and the release
            # is not safe to publish (``result.ok`` is False).
            return protected, result
    return protected, au.audit_model(structure, rule.threshold, mine + 1)


def _universe_truth(structure, earlier, uids, inside, values, between) -> np.ndarray:
    """The true count of each universe cell where today's data give it (the earlier releases'
    cells, this release's, the persons new before a later public cumulative), else NaN."""
    truth = np.full(len(structure.low), np.nan)
    for k, known in enumerate(earlier):
        if known.truth is not None:
            u = structure.uids_of[k]
            ok = (u >= 0) & ~np.isnan(known.truth)
            truth[u[ok]] = known.truth[ok]
    ok = inside & ~np.isnan(values)
    truth[uids[ok]] = values[ok]
    later, cumulative, _ = structure.later
    truth[later] = np.where(between >= 0, between, np.nan)  # NaN: no such figure
    return truth


def _true_public(public: pd.DataFrame | None, cube: Cube, last: int) -> pd.DataFrame | None:
    """The public figures the data still agree with (one the data contradict is about older
    data: it tells the reader nothing about today's counts)."""
    if public is None or not len(public):
        return public
    cells = cube.cells
    region = cells[(cells["table"] == "uptake") & (cells["scope"] == REGION)]
    served = {
        (int(r.year), r.group, r.service): r.value for r in region[region["measure"] == "persons_served"].itertuples()
    }
    new = region[region["measure"] == "persons_new"]  # ``last``: the year the release's cumulative runs to
    keep = []
    for row in public.itertuples():
        if row.measure == "persons_cumulative":
            year = pd.Timestamp(row.as_of).year
            mine = new[(new["group"] == row.target_group) & (new["service"] == row.service) & (new["year"] <= year)]
            value = mine["value"].fillna(0).sum() if len(mine) else None  # new persons to that date
            later = year > last  # years after this cube's: the cumulative is at least its value
        elif row.measure == "persons_served" and not pd.isna(row.year):
            value, later = served.get((int(row.year), row.target_group, row.service)), False
        else:
            keep.append(True)
            continue
        if value is None or pd.isna(value):
            keep.append(True)
        elif row.comparison == "eq":
            keep.append(int(row.value) >= int(value) if later else int(value) == int(row.value))
        else:
            keep.append(True if later else int(value) > int(row.value))
    return public[np.array(keep, bool)]


def _repair(model, failing, mine, status, values, headline, region, rule, cuts, base_low, base_high, frozen) -> int:
    """One round of the cost-minimising repair (``di_eval.analysis.repair``): add the cuts of
    ``failing``, widen the cheapest cells meeting every cut (never one ``frozen``: printed because
    what is public fixes it). Returns how many cells changed, or -1 when some failing count has no
    cut (no widening frees it in the programmes)."""
    t = rule.threshold
    cells_uid = model.uids_of[mine]
    inside = np.flatnonzero(cells_uid >= 0)
    cell_of = np.full(len(model.low), -1, np.int64)
    cell_of[cells_uid[inside]] = inside
    n = len(values)
    new = np.array([rp.widened(status[i], values[i], rule.method, t, headline[i]) for i in range(n)], dtype=object)
    widen_low, widen_high = np.zeros(len(model.low), bool), np.zeros(len(model.low), bool)
    for i in inside:
        if new[i] is None:
            continue
        u = cells_uid[i]
        now_low, now_high = model.low[u], model.high[u]
        lo, hi = 1.0, np.inf  # "x" (and "<t" -> "x": its lower limit stays 1)
        if new[i] in (ROUNDED, COARSE):
            base = rule.coarse_base if new[i] == COARSE else rule.rounding_base
            lo, hi = rounded_range(round_to(values[i], base), base, t)
            if new[i] == ROUNDED and not (lo < values[i] < hi):
                # rounding would leave one side where it is (7 -> "5" is 5..7): hide it instead
                new[i], lo, hi = SECONDARY, 1.0, np.inf
            elif new[i] == COARSE and not (
                max(lo, base_low[u]) < now_low - 1e-9 or min(hi, base_high[u]) > now_high + 1e-9
            ):
                new[i], lo, hi = SECONDARY, 1.0, np.inf  # no wider than it is: hide it instead
        widen_low[u] = max(lo, base_low[u]) < now_low - 1e-9
        widen_high[u] = min(hi, base_high[u]) > now_high + 1e-9
    region_total = region & _cumulative_totals(model, mine, n)
    costs = np.array(
        [
            rp.cost_of(
                status[i], new[i], values[i] if values[i] == values[i] else 0.0, headline[i], region[i], region_total[i]
            )
            if new[i] is not None and not frozen[i]
            else np.inf
            for i in range(n)
        ]
    )
    stuck = False
    for _f, cells in rp.cuts_for(model, failing, widen_low, widen_high, cell_of, t):
        cells = cells[np.isfinite(costs[cells])]
        if len(cells):
            cuts.add(cells, status)
        else:
            stuck = True
    chosen = cuts.choose(costs, status)
    for i in chosen:
        status[i] = new[i]
    if not len(chosen) and stuck:
        return -1
    return len(chosen)


def _cumulative_totals(model, mine: int, n: int) -> np.ndarray:
    """Per cell of the new release: a cumulative of all services (the figures targets compare)."""
    keys = model.uid_keys
    cells_uid = model.uids_of[mine]
    out = np.zeros(n, bool)
    ok = cells_uid >= 0
    is_total = ((keys["measure"] == "persons_cumulative") & (keys["service"] == "any")).to_numpy()
    out[np.flatnonzero(ok)] = is_total[cells_uid[ok]]
    return out


def _structure_cells(release) -> pd.DataFrame:
    known = release.knowledge()
    return known.assign(low=0.0, high=np.inf)


def _widen(model, failing, mine: int, status, values, headline, region, level, rule, tried, careful=True) -> int:
    """One round of repairs around the ``failing`` universe ids; returns how many cells changed."""
    uid_to_cell = np.full(len(model.low), -1, np.int64)
    cells_uid = model.uids_of[mine]
    ok = cells_uid >= 0
    uid_to_cell[cells_uid[ok]] = np.flatnonzero(ok)
    rows_of = _grouping(model.uid, len(model.low))
    uids_of = _grouping(model.row, model.rows)
    touched = np.zeros(len(values), bool)
    changed = 0
    for f in failing:
        own = uid_to_cell[f]
        if own >= 0 and status[own] == PRIMARY and not touched[own]:
            status[own] = SECONDARY
            touched[own] = True
            changed += 1
            continue
        # The cheapest repair among the cells sharing a relation with it; if none can be
        # widened, among those one relation further, and so on.
        seen_uids = np.array([f], dtype=np.int64)
        frontier = seen_uids
        choice, wait = None, False
        for step in range(_RADIUS):
            rows = np.unique(model.row[_members(rows_of, frontier)])
            reached = np.setdiff1d(np.unique(model.uid[_members(uids_of, rows)]), seen_uids)
            if not len(reached):
                break
            seen_uids = np.union1d(seen_uids, reached)
            frontier = reached
            neighbours = uid_to_cell[reached]
            neighbours = neighbours[(neighbours >= 0) & (neighbours != own)]
            if careful and touched[neighbours].any():
                wait = True  # a neighbour already changed this round: look again first
                break
            found = _cheapest(neighbours, status, values, headline, region, level, rule, 20.0 * step, tried)
            if found is not None and (choice is None or found[0] < choice[0]):
                choice = found
            if choice is not None and choice[0] < _DEAR:
                break  # hiding a headline figure or a region count: look further first
        choice = None if choice is None else choice[1:]
        if wait:
            continue
        if choice is None:
            # Nothing around it: widen the cell itself (rounded -> x).
            if own >= 0 and status[own] in (PUBLISHED, ROUNDED, COARSE) and values[own] >= 1 and not tried[own]:
                status[own] = SECONDARY
                tried[own] = touched[own] = True
                changed += 1
            continue
        cell, new = choice
        status[cell] = new
        touched[cell] = True
        changed += 1
    return changed


def _cheapest(cells, status, values, headline, region, level, rule, extra=0.0, tried=None):
    """The repair that costs least: (cost, cell, new status) or None."""
    best = None
    for cell in cells:
        s, v = status[cell], values[cell]
        if not v >= 1 or (tried is not None and tried[cell]):
            continue
        # Hiding costs most (headline figures and the region above all); rounding little.
        if s == PRIMARY:
            cost, new = 0.0, SECONDARY
        elif s == PUBLISHED and rule.method == "rounding" and v >= rule.threshold:
            cost, new = 10.0 + 5.0 * region[cell], ROUNDED
        elif s in (PUBLISHED, ROUNDED, COARSE):
            cost, new = 100.0 + 1000.0 * headline[cell] + 500.0 * region[cell], SECONDARY
        else:
            continue
        cost += extra + level[cell] + v / 1000.0
        if best is None or cost < best[0]:
            best = (cost, int(cell), new)
    return best


def _grouping(keys: np.ndarray, size: int):
    order = np.argsort(keys, kind="stable")
    start = np.searchsorted(keys[order], np.arange(size + 1))
    return order, start


def _members(grouping, keys) -> np.ndarray:
    """The positions grouped under each of ``keys``: rows of cells or cells of rows."""
    order, start = grouping
    parts = [order[start[k] : start[k + 1]] for k in keys]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)
