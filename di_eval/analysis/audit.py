"""The reader's audit of one or more releases: the tightest interval of every count not shown exactly.

The reader knows, of every release: each published value (an exact count, a rounded count, "<t",
"x"), every relation between the counts (the region and each 2021 municipality are the sums of
their 2017 parts; a cumulative is the sum of the years' new persons and at least any year's
persons served; ``any`` is at least each service and at most their sum; new <= served; support
plans <= assessments), the figures already in public (``public_figures.csv``), and that counts
are whole numbers. The counts of a year are the same cells in every release that covers the
year; each release's cumulative is its own cell (the sum of the years up to its ``as_of``).

For each count not shown exactly, linear programmes (HiGHS) give its smallest and largest
possible value over everything known at once; where that range holds at most three whole
numbers the bounds are made exact with an integer programme. A count **fails** when it is hidden
("<t" or "x" in every release) and its range holds one whole number (it can be worked out
exactly), or when it could be from 1 to t-1 and its range holds fewer than three whole numbers.
A rounded count is at least t: working it out exactly reveals no small count, so it may be. The test does not use the true values, so it is the
same whether the protecting run or any reader performs it.

A revised count (a form replaced after a release) contradicts an earlier published value. With
the true values at hand (protection), an earlier value that excludes the current truth is known
to describe the old form and is left out: the reader cannot use it to learn the new count, and
the earlier release's own audit still covers the old one. Without them (a reader's audit of
published files), where a later release contradicts an earlier one for a year, the earlier
release's counts of that year and its cumulatives covering it are set aside.
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from di_eval.analysis import indicators as ind
from di_eval.analysis import programme
from di_eval.analysis.disclosure import OMITTED, Finding, _all_constraints, _sum_of_others
from di_eval.analysis.indicators import CUBE_KEYS, CUMULATIVE, REGION
from di_eval.analysis.programme import _CONTRADICTION, _TOL, _Component
from di_eval.errors import DiEvalError


@dataclass(frozen=True, eq=False)
class Knowledge:
    """One release as the audit uses it: cells (CUBE_KEYS + low, high, reported), the year its
    cumulative runs to, the crosswalk, and optionally the true values (protection only)."""

    last_year: int
    cells: pd.DataFrame
    successors: dict
    threshold: int
    truth: np.ndarray | None = None
    published: bool = True


@dataclass(frozen=True, eq=False)
class ReleaseAudit:
    """The audit's result; ``intervals`` has one row per count not shown exactly."""

    intervals: pd.DataFrame
    releases: int
    relations: int
    linear_programs: int
    integer_programs: int
    seconds: float
    conflicts: int = 0
    model: object = field(default=None, repr=False)

    @property
    def findings(self) -> list[Finding]:
        rows = self.intervals[self.intervals["finding"] != ""]
        keys = [*CUBE_KEYS, "through"]
        return [
            Finding(int(r.uid), {k: getattr(r, k) for k in keys}, str(r.status), float(r.low), float(r.high), r.finding)
            for r in rows.itertuples()
        ]

    @property
    def ok(self) -> bool:
        return not (self.intervals["finding"] != "").any()

    @property
    def hidden_cells(self) -> int:
        return int(self.intervals["status"].isin(["primary", "secondary"]).sum())

    @property
    def rounded_cells(self) -> int:
        """Counts published rounded, those shown as a range (``rounded_coarse``) included."""
        return int(self.intervals["status"].isin(["rounded", "rounded_coarse"]).sum())

    def summary(self) -> str:
        failing = int((self.intervals["finding"] != "").sum())
        head = "the guarantee holds" if not failing else f"{failing} count(s) fail the guarantee"
        return (
            f"{head}: {self.releases} release(s), {self.hidden_cells} hidden and {self.rounded_cells} rounded "
            f"counts, {self.relations} relations, {self.linear_programs} linear and {self.integer_programs} "
            f"integer programmes, {self.seconds:.1f} s"
        )


# --- the model ------------------------------------------------------------------------------------


def skeleton(cells: pd.DataFrame, successors: dict, years: list[int]):
    """The cube of relations for ``cells`` (keys + ``reported``), built from the keys alone."""
    base = cells[cells["scope"].isin(successors.keys()) & (cells["year"] != CUMULATIVE)]
    base = base.assign(value=pd.array(np.where(base["reported"], 0, np.nan), dtype="Float64").astype("Int64"))

    def wide(table, measures, index):
        rows = base[(base["table"] == table) & base["measure"].isin(measures)]
        out = rows.pivot_table(index=index, columns="measure", values="value", aggfunc="first", dropna=False)
        out = out.reindex(columns=measures).reset_index()
        for m in measures:
            out[m] = out[m].astype("Int64")
        return out

    uptake = wide("uptake", ["persons_served", "persons_new"], ["scope", "year", "group", "service"])
    uptake = uptake.rename(columns={"scope": "atvk_code", "group": "target_group"})
    transitions = wide("transitions", ["persons"], ["scope", "year", "group"])
    transitions = transitions.rename(columns={"scope": "atvk_code", "group": "transition"})
    needs = wide("needs", ["assessments", "support_plans"], ["scope", "year", "group"])
    needs = needs.rename(columns={"scope": "atvk_code", "group": "target_group"})
    return ind.person_cube(uptake, transitions, needs, successors, years)


@dataclass
class _Model:
    uid_keys: pd.DataFrame  # per universe cell: CUBE_KEYS + through
    low: np.ndarray
    high: np.ndarray
    published: np.ndarray  # published by some release
    row: np.ndarray
    uid: np.ndarray
    coef: np.ndarray
    equal: np.ndarray
    uids_of: list  # per knowledge: universe id of each of its cells (-1 where the cube lacks it)
    status: np.ndarray  # per universe cell: the status in the latest release publishing it
    value: np.ndarray  # per universe cell: the value shown there
    conflicts: int
    # Per universe cell, the counts left out of the release (status "omitted") whose true value is
    # 1..t-1: known to a protection only. None: a reader's audit, who knows no true value (see audit_model).
    small: np.ndarray | None = None
    # The persons new after the releases that a later public cumulative gives away with the
    # release's own (``_later_public``): their universe ids, the cumulative's, the figure's value.
    later: tuple = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    # Per universe cell, its true count where the caller knows it (a protection), else NaN: a
    # whole point the programmes start from (``_Component.solve``'s ``known``). None: a reader.
    truth: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.equal)


def _universe_keys(keys: pd.DataFrame, last_year: int) -> pd.DataFrame:
    through = np.where(keys["year"] == CUMULATIVE, last_year, keys["year"])
    return keys[CUBE_KEYS].assign(through=through.astype("int64"))


def build_model(knowledge: list[Knowledge], public: pd.DataFrame | None = None, statuses=None) -> _Model:
    """Every cell of every release on one set of universe ids, every relation, what is known."""
    knowledge = list(knowledge) + _public_skeletons(knowledge, public)
    cubes, all_keys = [], []
    for k in knowledge:
        years = sorted(int(y) for y in set(k.cells["year"]) - {CUMULATIVE} if y <= k.last_year)
        cube = skeleton(k.cells, k.successors, years)
        cubes.append(cube)
        all_keys.append(_universe_keys(cube.cells, k.last_year))
    keys = pd.concat(all_keys, ignore_index=True)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys))
    uid_keys = uniques.to_frame(index=False)
    uid_keys.columns = list(keys.columns)
    n = len(uid_keys)
    low, high = np.zeros(n), np.full(n, np.inf)
    published = np.zeros(n, bool)
    status = np.full(n, "", dtype=object)
    value = np.full(n, None, dtype=object)
    rows, cells, coefs, equal = [], [], [], []
    offset, start, conflicts = 0, 0, 0
    uids_of = []
    for k, cube in zip(knowledge, cubes):
        cube_uid = codes[start : start + len(cube.cells)]
        start += len(cube.cells)
        reported = cube.cells["value"].notna().to_numpy()
        c = _all_constraints(cube, reported)
        rows.append(c.row + offset)
        cells.append(cube_uid[c.cell])
        coefs.append(c.coef)
        equal.append(c.equal)
        offset += c.rows
        # The knowledge's cells onto the universe.
        mine = _universe_keys(k.cells, k.last_year)
        position = pd.MultiIndex.from_frame(mine)
        index = pd.MultiIndex.from_frame(uid_keys).get_indexer(position)
        uids_of.append(index)
        if not k.published:
            continue
        ok = (index >= 0) & k.cells["reported"].to_numpy()
        if "status" in k.cells:
            ok &= (k.cells["status"] != OMITTED).to_numpy()  # exists, not published: no bounds
        u = index[ok]
        lo, hi = k.cells["low"].to_numpy(float)[ok], k.cells["high"].to_numpy(float)[ok]
        if k.truth is not None:
            # An earlier value that excludes the current truth is about a revised form.
            t = np.asarray(k.truth, float)[ok]
            keep = np.isnan(t) | ((lo <= t + _TOL) & (t <= hi + _TOL))
            conflicts += int((~keep).sum())
            u, lo, hi = u[keep], lo[keep], hi[keep]
        new_low, new_high = np.maximum(low[u], lo), np.minimum(high[u], hi)
        clash = new_low > new_high + _TOL
        conflicts += int(clash.sum())
        # Where two releases contradict, the later one wins.
        new_low[clash], new_high[clash] = lo[clash], hi[clash]
        low[u], high[u] = new_low, new_high
        published[u] = True
    _apply_public(public, uid_keys, low, high)
    if statuses is not None:
        for k_index, (st_values, vals) in statuses.items():
            u = uids_of[k_index]
            ok = u >= 0
            status[u[ok]] = np.asarray(st_values, object)[ok]
            value[u[ok]] = np.asarray(vals, object)[ok]
    later = _later_public(public, knowledge, uid_keys)
    k = len(later["cumulative"])
    later_new = np.zeros(0, np.int64)
    if k:
        # Each a new count (the persons new after the release, through the figure's date) and the
        # public cumulative itself: figure = the release's cumulative + the later new persons.
        n = len(uid_keys)
        new_uids, figure_uids = n + np.arange(k), n + k + np.arange(k)
        later_new = new_uids
        uid_keys = pd.concat(
            [uid_keys, later["keys"], later["keys"].assign(measure="persons_cumulative")], ignore_index=True
        )
        low = np.concatenate([low, np.zeros(k), later["low"]])
        high = np.concatenate([high, np.full(k, np.inf), later["high"]])
        published = np.concatenate([published, np.zeros(k, bool), np.ones(k, bool)])
        status = np.concatenate([status, np.full(k, OMITTED, object), np.full(k, "public", object)])
        value = np.concatenate([value, np.full(k, None, object), later["high"].astype(object)])
        first = offset
        rows.append(np.repeat(first + np.arange(k), 3))
        cells.append(np.column_stack([figure_uids, later["cumulative"], new_uids]).ravel())
        coefs.append(np.tile([1.0, -1.0, -1.0], k))
        equal.append(np.ones(k, bool))
    return _Model(
        uid_keys,
        low,
        high,
        published,
        np.concatenate(rows).astype(np.int64),
        np.concatenate(cells).astype(np.int64),
        np.concatenate(coefs),
        np.concatenate(equal),
        uids_of,
        status,
        value,
        conflicts,
        later=(later_new, later["cumulative"], later["high"]),
    )


def _later_public(public, knowledge: list[Knowledge], uid_keys: pd.DataFrame) -> dict:
    """The public cumulatives dated after every release: a reader who knows one and the latest
    release's cumulative of the region knows the persons new in between (their difference).
    Per figure: the keys of that count (the figure's year), the figure's bounds and the universe id
    of the release's cumulative."""
    empty = {"keys": uid_keys.iloc[:0], "low": np.zeros(0), "high": np.zeros(0), "cumulative": np.zeros(0, np.int64)}
    if public is None or not len(public) or not knowledge:
        return empty
    last = max(k.last_year for k in knowledge)
    figures = public[public["measure"] == "persons_cumulative"]
    index = pd.MultiIndex.from_frame(uid_keys)
    keys, lows, highs, cumulative = [], [], [], []
    for row in figures.itertuples():
        year = pd.Timestamp(row.as_of).year
        if year <= last:
            continue
        u = index.get_indexer(
            [("uptake", "persons_cumulative", REGION, CUMULATIVE, row.target_group, row.service, last)]
        )[0]
        if u < 0:
            continue
        keys.append(("uptake", "persons_new", REGION, year, row.target_group, row.service, year))
        lows.append(float(row.value) + (0 if row.comparison == "eq" else 1))
        highs.append(float(row.value) if row.comparison == "eq" else np.inf)
        cumulative.append(u)
    if not keys:
        return empty
    return {
        "keys": pd.DataFrame(keys, columns=uid_keys.columns).astype(uid_keys.dtypes.to_dict()),
        "low": np.array(lows),
        "high": np.array(highs),
        "cumulative": np.array(cumulative, np.int64),
    }


def _public_skeletons(knowledge: list[Knowledge], public: pd.DataFrame | None) -> list[Knowledge]:
    """Relations for the cumulatives of public figures dated where no release has its cumulative."""
    if public is None or not len(public) or not knowledge:
        return []
    have = {k.last_year for k in knowledge}
    latest = max(knowledge, key=lambda k: k.last_year)
    out = []
    cumulative = public[public["measure"] == "persons_cumulative"]
    for year in sorted({pd.Timestamp(a).year for a in cumulative["as_of"]} - have):
        cells = latest.cells[(latest.cells["year"] <= year) | (latest.cells["year"] == CUMULATIVE)]
        if not (cells["year"] == year).any():
            continue
        out.append(Knowledge(year, cells, latest.successors, latest.threshold, published=False))
    return out


def _apply_public(public, uid_keys, low, high) -> None:
    if public is None or not len(public):
        return
    index = pd.MultiIndex.from_frame(uid_keys)
    for row in public.itertuples():
        if row.measure == "persons_served" and not pd.isna(row.year):
            key = ("uptake", "persons_served", REGION, int(row.year), row.target_group, row.service, int(row.year))
        elif row.measure == "persons_cumulative":
            through = pd.Timestamp(row.as_of).year
            key = ("uptake", "persons_cumulative", REGION, CUMULATIVE, row.target_group, row.service, through)
        else:
            continue  # how many municipalities served: says nothing about one count
        u = index.get_indexer([key])[0]
        if u < 0:
            continue
        lo, hi = (row.value, row.value) if row.comparison == "eq" else (row.value + 1, np.inf)
        new_low, new_high = max(low[u], lo), min(high[u], hi)
        if new_low <= new_high:  # a public figure the data no longer match is about older data
            low[u], high[u] = new_low, new_high


# --- the linear programmes ---------------------------------------------------------------------------


def _cores() -> int:
    """The machine's processor cores (as the batch counts them, ``di_eval.run_options``)."""
    return os.cpu_count() or 1


def intervals(model: _Model, targets: np.ndarray, stats: dict, threshold: int, tight: bool = False, cache=None):
    """Whole-number bounds of each target cell (universe ids) and whether they are exact (see
    ``_Component.solve``). ``cache``: a dict kept between calls on one model's relations (a
    protection's rounds): a component whose cells and bounds did not change is not solved again."""
    n = len(model.low)
    # The bounds every whole-number solution keeps, carried along one relation at a time: the
    # programmes below then have the same whole-number solutions with fewer cells (those the
    # bounds fix) and fewer relations (those no values within the bounds can break).
    lo_all, hi_all = _propagated(model)
    if (lo_all > hi_all + _TOL).any():
        raise DiEvalError(_CONTRADICTION)
    fixed = lo_all >= hi_all - _TOL
    variable = np.flatnonzero(~fixed)
    local = np.full(n, -1, np.int64)
    local[variable] = np.arange(len(variable))
    term_max = np.where(model.coef > 0, model.coef * hi_all[model.uid], model.coef * lo_all[model.uid])
    most = np.bincount(model.row, weights=np.nan_to_num(term_max, posinf=1e18), minlength=model.rows)
    holds = ~model.equal & (most <= _TOL)
    entry_var = ~fixed[model.uid] & ~holds[model.row]
    known = np.where(entry_var, 0.0, model.coef * np.where(fixed, lo_all, 0.0)[model.uid])
    rhs = -np.bincount(model.row, weights=known, minlength=model.rows)
    h_row, h_col, h_coef = model.row[entry_var], local[model.uid[entry_var]], model.coef[entry_var]
    n_var = len(variable)
    out_low, out_high = lo_all.copy(), hi_all.copy()
    out_exact = np.ones(n, bool)
    if not n_var:
        return out_low[targets], out_high[targets], out_exact[targets]
    matrix = sparse.csr_matrix((h_coef, (h_row, h_col)), shape=(model.rows, n_var))
    size = n_var + model.rows
    graph = sparse.csr_matrix((np.ones(len(h_row)), (h_col, n_var + h_row)), shape=(size, size))
    _, node_group = connected_components(graph, directed=False)
    group = node_group[:n_var]
    row_group = np.full(model.rows, -1)
    row_group[h_row] = group[h_col]
    is_target = np.zeros(n, bool)
    is_target[targets] = True
    var_target = is_target[variable]
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(group.max() + 2))
    row_order = np.argsort(row_group, kind="stable")
    row_bounds = np.searchsorted(row_group[row_order], np.arange(group.max() + 2))
    if cache is not None and "witness" not in cache:
        cache["witness"] = np.array([[np.inf] * n, [-np.inf] * n, [np.inf] * n, [-np.inf] * n])

    def settle(cols, rows, lo, hi):
        """One component's bounds, the points it witnessed and its own counts of programmes."""
        component = _Component(matrix[rows][:, cols], rhs[rows], model.equal[rows], lo, hi)
        # A protection's rounds only widen published bounds over the same relations: every
        # point found feasible before still is, so what it witnessed is kept (by universe id).
        start = None if cache is None else cache["witness"][:, variable[cols]]
        known = None if model.truth is None else model.truth[variable[cols]]
        counts: dict = {}
        result = component.solve(var_target[cols], counts, threshold, tight, start, known)
        return result, component.witness, counts

    done, large = [], []
    for g in range(group.max() + 1):
        cols = order[bounds[g] : bounds[g + 1]]
        if not var_target[cols].any():
            continue
        rows = row_order[row_bounds[g] : row_bounds[g + 1]]
        rows = rows[row_group[rows] == g]
        lo, hi = lo_all[variable[cols]], hi_all[variable[cols]]
        if not len(rows):
            continue  # a cell in no relation keeps its own interval
        key = None
        if cache is not None:
            # Everything the component's programmes depend on: its cells, their bounds, the
            # constants of its relations and which cells are asked about.
            parts = (variable[cols], lo, hi, rows, rhs[rows], var_target[cols])
            key = (threshold, tight, *(np.ascontiguousarray(p).tobytes() for p in parts))
        if key is not None and key in cache:
            done.append((cols, key, cache[key], None, {}))
        elif len(cols) >= programme._GROUPED:
            large.append((cols, key, (cols, rows, lo, hi)))
        else:
            done.append((cols, key, *settle(cols, rows, lo, hi)))
    # The large components (at national scale one per target group, thousands of cells each) are
    # solved side by side, one thread each (HiGHS lets go of the interpreter while it solves):
    # each is a programme of its own, so the result is the same in any order.
    if large:
        with ThreadPoolExecutor(max_workers=max(1, min(len(large), _cores()))) as pool:
            futures = [pool.submit(settle, *job) for _, _, job in large]
            done += [(cols, key, *future.result()) for (cols, key, _), future in zip(large, futures)]
    for cols, key, (low_g, high_g, exact_g), witness, counts in done:
        for name, count in counts.items():
            stats[name] = stats.get(name, 0) + count
        if key is not None and witness is not None:
            cache[key] = (low_g, high_g, exact_g)
            cache["witness"][:, variable[cols]] = witness
        out_low[variable[cols]], out_high[variable[cols]] = low_g, high_g
        out_exact[variable[cols]] = exact_g
    return out_low[targets], out_high[targets], out_exact[targets]


# --- the audit ----------------------------------------------------------------------------------------


def audit_knowledge(
    knowledge: list[Knowledge], public=None, statuses=None, threshold: int | None = None, *, tight: bool = False
) -> ReleaseAudit:
    """Audit releases given as Knowledge; ``statuses``: {knowledge index: (status, value)} to report."""
    started = time.perf_counter()
    model = build_model(knowledge, public, statuses)
    t = threshold if threshold is not None else max(k.threshold for k in knowledge)
    return audit_model(model, t, sum(k.published for k in knowledge), tight=tight, started=started)


def audit_model(model: _Model, t: int, releases: int, *, tight: bool = False, started=None, cache=None) -> ReleaseAudit:
    """The audit of a built model (see ``audit_knowledge``; ``cache``: see ``intervals``)."""
    started = time.perf_counter() if started is None else started
    exact = model.low >= model.high - _TOL
    hidden = np.flatnonzero(model.published & ~exact)
    left_out = _left_out_targets(model, t)
    targets = np.concatenate([hidden, left_out])
    stats: dict = {}
    low, high, exact_bounds = intervals(model, targets, stats, t, tight, cache)
    k = len(hidden)
    finding = np.concatenate(
        [
            _verdict(low[:k], high[:k], t, _valued(model, t)[hidden]),
            _left_out_verdict(low[k:], high[k:], t, model.small is not None),
        ]
    )
    shown = np.flatnonzero(model.published & exact & (model.low >= 1) & (model.low <= t - 1))
    keys = model.uid_keys
    table = keys.iloc[targets].assign(uid=targets, status=model.status[targets], published=model.value[targets])
    table = table.assign(low=low, high=high, tight=exact_bounds, finding=finding)
    if len(shown):
        extra = keys.iloc[shown].assign(
            uid=shown, status=model.status[shown], published=model.value[shown], low=model.low[shown]
        )
        extra = extra.assign(high=model.low[shown], tight=True, finding="shown")
        table = pd.concat([table, extra], ignore_index=True)
    return ReleaseAudit(
        table.reset_index(drop=True),
        releases,
        model.rows,
        stats.get("linear_programs", 0),
        stats.get("integer_programs", 0),
        time.perf_counter() - started,
        model.conflicts,
        model,
    )


def _verdict(low, high, t, valued) -> np.ndarray:
    """ "exact": a hidden count worked out; "narrow": a count that may be 1..t-1 with fewer than
    3 possible values. A count published with a value (rounded: at least t, within the rounding
    interval) is not hidden: working it out exactly tells a count of t or more, not a small one."""
    finding = np.full(len(low), "", dtype=object)
    finding[(high - low < 1 - _TOL) & ~valued] = "exact"
    narrow = (low <= t - 1) & (high - low < 2 - _TOL) & (finding == "")
    finding[narrow] = "narrow"
    return finding


def _propagated(model: _Model, rounds: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Whole-number bounds carried along one relation at a time, ``rounds`` times: valid outer
    bounds of every cell (the programmes' are inside them)."""
    low, high = model.low.copy(), model.high.copy()
    row, uid, coef, equal = model.row, model.uid, model.coef, model.equal
    n_rows = model.rows
    for _ in range(rounds):
        term_min = np.where(coef > 0, coef * low[uid], coef * high[uid])
        term_max = np.where(coef > 0, coef * high[uid], coef * low[uid])
        rest_min = _sum_of_others(row, term_min, n_rows)
        rest_max = _sum_of_others(row, term_max, n_rows)
        # coef * x <= -rest_min (every row); coef * x >= -rest_max (equalities)
        upper_term, lower_term = -rest_min, np.where(equal[row], -rest_max, -np.inf)
        new_high = np.where(coef > 0, upper_term / coef, lower_term / coef)
        new_low = np.where(coef > 0, lower_term / coef, upper_term / coef)
        before_low, before_high = low.copy(), high.copy()
        np.maximum.at(low, uid, np.ceil(np.nan_to_num(new_low, nan=-np.inf, posinf=np.inf, neginf=-np.inf) - _TOL))
        np.minimum.at(high, uid, np.floor(np.nan_to_num(new_high, nan=np.inf, posinf=np.inf, neginf=-np.inf) + _TOL))
        if (low == before_low).all() and (high == before_high).all():
            break
    return low, high


def quick_failures(model: _Model, t: int, rounds: int = 30) -> np.ndarray:
    """Universe ids that fail already on bounds carried along one relation at a time (valid
    outer bounds, so every one found is a real failure; the LP audit finds the rest)."""
    low, high = _propagated(model, rounds)
    targets = np.flatnonzero(model.published & (model.low < model.high - _TOL))
    found = targets[_verdict(low[targets], high[targets], t, _valued(model, t)[targets]) != ""]
    if model.small is not None:
        left_out = np.flatnonzero(model.small & ~model.published)
        verdict = _verdict(low[left_out], high[left_out], t, np.zeros(len(left_out), bool))
        found = np.concatenate([found, left_out[verdict != ""]])
    return found


def _left_out_targets(model: _Model, t: int) -> np.ndarray:
    """The counts left out of the release (lean tables) that the audit must keep at 3 or more
    possible values: for a protection, those whose true value is 1..t-1; for a reader, every
    left-out count that can be 1..t-1 by the bounds carried along the relations."""
    if model.small is not None:
        return np.flatnonzero(model.small & ~model.published)
    left_out = (model.status == OMITTED) & ~model.published
    if not left_out.any():
        return np.flatnonzero(left_out)
    low, high = _propagated(model)
    return np.flatnonzero(left_out & (high >= 1 - _TOL) & (low <= t - 1 + _TOL))


def _left_out_verdict(low, high, t, small_known: bool) -> np.ndarray:
    """A left-out count fails as a hidden small count does; a reader, who does not know which are
    small, can tell only one that is certainly 1..t-1 (``small_known`` False)."""
    finding = _verdict(low, high, t, np.zeros(len(low), bool))
    if not small_known:
        finding[~((low >= 1 - _TOL) & (high <= t - 1 + _TOL))] = ""
    return finding


def _valued(model: _Model, t: int) -> np.ndarray:
    """Cells published with a value: exact, or rounded (at least t, a finite upper limit)."""
    return np.isfinite(model.high) & (model.low >= t - _TOL)


def knowledge_of(release, truth=None) -> Knowledge:
    """A Release as the audit reads it."""
    cells = release.knowledge().assign(status=release.cells["status"].to_numpy())
    return Knowledge(release.last_year, cells, release.successors, release.rule.threshold, truth)


def _later_wins(knowledge: list[Knowledge]) -> tuple[list[Knowledge], int]:
    """Where a later release contradicts an earlier one for a year (a revised form), the earlier
    release's counts of that year, and its cumulatives covering it, say nothing any more."""
    out = list(knowledge)
    dropped = 0
    for i, earlier in enumerate(knowledge):
        cells = earlier.cells
        keys = pd.MultiIndex.from_frame(cells[CUBE_KEYS])
        revised: set[int] = set()
        for later in knowledge[i + 1 :]:
            where = pd.MultiIndex.from_frame(later.cells[CUBE_KEYS]).get_indexer(keys)
            both = (where >= 0) & (cells["year"] != CUMULATIVE).to_numpy() & cells["reported"].to_numpy()
            lo, hi = cells["low"].to_numpy(float), cells["high"].to_numpy(float)
            lo2 = later.cells["low"].to_numpy(float)[np.maximum(where, 0)]
            hi2 = later.cells["high"].to_numpy(float)[np.maximum(where, 0)]
            clash = both & ((np.maximum(lo, lo2) > np.minimum(hi, hi2) + _TOL) | (lo2 > hi2))
            revised |= set(cells.loc[clash, "year"].astype(int))
        if revised:
            drop = cells["year"].isin(revised).to_numpy() | (
                (cells["year"] == CUMULATIVE).to_numpy() & (earlier.last_year >= min(revised))
            )
            cells = cells.assign(reported=cells["reported"].to_numpy() & ~drop)
            out[i] = Knowledge(earlier.last_year, cells, earlier.successors, earlier.threshold, None, earlier.published)
            dropped += int(drop.sum())
    return out, dropped


def feasible(model: _Model) -> bool:
    """Whether some counts satisfy every relation and every published bound of ``model`` (one LP)."""
    lo_all, hi_all = model.low, model.high
    if (lo_all > hi_all + _TOL).any():
        return False
    fixed = lo_all >= hi_all - _TOL
    variable = np.flatnonzero(~fixed)
    local = np.full(len(lo_all), -1, np.int64)
    local[variable] = np.arange(len(variable))
    entry_var = ~fixed[model.uid]
    known = np.where(entry_var, 0.0, model.coef * np.where(fixed, lo_all, 0.0)[model.uid])
    rhs = -np.bincount(model.row, weights=known, minlength=model.rows)
    has_var = np.bincount(model.row[entry_var], minlength=model.rows) > 0
    # relations between published values only: checked as they stand
    if ((rhs < -_TOL) & ~has_var).any() or ((np.abs(rhs) > _TOL) & ~has_var & model.equal).any():
        return False
    if not len(variable) or not has_var.any():
        return True
    rows = np.flatnonzero(has_var)
    matrix = sparse.csr_matrix(
        (model.coef[entry_var], (model.row[entry_var], local[model.uid[entry_var]])), shape=(model.rows, len(variable))
    )[rows]
    component = _Component(matrix, rhs[rows], model.equal[rows], lo_all[variable], hi_all[variable])
    component.highs.run()
    return component.highs.getModelStatus() != highspy.HighsModelStatus.kInfeasible


def _set_aside(k: Knowledge, drop: np.ndarray) -> Knowledge:
    cells = k.cells.assign(reported=k.cells["reported"].to_numpy() & ~drop)
    return Knowledge(k.last_year, cells, k.successors, k.threshold, None, k.published)


def _consistent(knowledge: list[Knowledge], public) -> tuple[list[Knowledge], int]:
    """Where releases still contradict each other through the relations (a form revised in a year
    that both hid, seen only in a sum or a cumulative), a reader takes the later release: the
    earliest part of an earlier release that makes them agree is set aside — its cumulatives
    (they cover every year), then also one year, then the whole release."""
    out = list(knowledge)
    if len(out) < 2 or feasible(build_model(out, public)):
        return out, 0
    dropped = 0
    for i in range(len(out) - 2, -1, -1):  # the latest earlier release first: what it says is nearest
        if feasible(build_model(out[i:], public)):
            continue
        earlier = out[i]
        cells = earlier.cells
        cumulative = (cells["year"] == CUMULATIVE).to_numpy()
        years = sorted({int(y) for y in cells["year"]} - {CUMULATIVE}, reverse=True)
        tries = [cumulative] + [cumulative | (cells["year"] == y).to_numpy() for y in years]
        tries.append(np.ones(len(cells), bool))
        for drop in tries:
            candidate = _set_aside(earlier, drop)
            if feasible(build_model([candidate, *out[i + 1 :]], public)):
                break
        out[i] = candidate
        dropped += int((drop & cells["reported"].to_numpy()).sum())
    return out, dropped


def audit_releases(releases, public: pd.DataFrame | None = None, *, tight: bool = False) -> ReleaseAudit:
    """Audit one or more published releases together, as a reader with nothing else would.

    ``tight=True`` gives every count its tightest interval (slower); otherwise a count that
    passes may be shown with a narrower range than a reader can reach (column ``tight``)."""
    if not releases:
        raise DiEvalError("nothing to audit: no release given")
    releases = sorted(releases, key=lambda r: r.as_of)
    knowledge, dropped = _later_wins([knowledge_of(r) for r in releases])
    knowledge, more = _consistent(knowledge, public)
    dropped += more
    statuses = {
        i: (r.cells["status"].to_numpy(object), r.cells["published"].to_numpy(object)) for i, r in enumerate(releases)
    }
    try:
        result = audit_knowledge(knowledge, public, statuses, releases[-1].rule.threshold, tight=tight)
    except DiEvalError as error:
        if public is None or not len(public) or str(error) != _CONTRADICTION:
            raise
        public, more = _agreeing_public(knowledge, public)
        dropped += more
        result = audit_knowledge(knowledge, public, statuses, releases[-1].rule.threshold, tight=tight)
    return dataclasses.replace(result, conflicts=result.conflicts + dropped)


def _agreeing_public(knowledge: list[Knowledge], public: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The public figures the releases agree with, and how many are set aside: a figure the
    releases contradict (through the relations) is about older data and tells a reader nothing
    about these counts. Each is taken in turn, in the file's order, while the releases and the
    figures kept so far still agree (one linear programme each)."""
    keep: list[int] = []
    for i in range(len(public)):
        if feasible(build_model(knowledge, public.iloc[[*keep, i]])):
            keep.append(i)
    return public.iloc[keep], len(public) - len(keep)
