"""The indicators: pure functions from a Dataset (and an ``as_of`` date) to tidy tables.

Nothing here hides anything: person counts come out as true values and go through
``di_eval.analysis.disclosure`` in ``di_eval.analysis.evaluation``. Every table covers the calendar years
whose 31 December is on or before ``as_of`` (municipalities report once a year).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from di_eval import rules
from di_eval import vocabulary as v
from di_eval.analysis.disclosure import Cube
from di_eval.errors import ChoiceError, DiEvalError

REGION = "region"
REGION_NAME = v.REGION_NAME  # the region is named once, in the vocabulary
FIRST_DAY = pd.Timestamp(v.FIRST_YEAR, 1, 1)
LAST_DAY = pd.Timestamp(v.LAST_YEAR, 12, 31)
# The period targets apply to: the plan starts in 2017 and the project runs to the end of 2023;
# amendment No. 8 set its targets for 2023, so every version is measured against that end.
PLAN_START = FIRST_DAY
PLAN_END = LAST_DAY
REQUIRED_TARGETS = ("FT", "GRT", "VSAC")
STATUS_BANDS = (  # (status, lowest rate / expected rate that reaches it); gap-free, checked top down
    ("ahead", 1.10),
    ("on_track", 0.90),
    ("at_risk", 0.70),
    ("behind", 0.0),
)
CUMULATIVE = 0  # the ``year`` of a cumulative cell in the person cube


# --- dates, structures, scopes -----------------------------------------------------------------


def parse_as_of(as_of) -> pd.Timestamp:
    """``as_of`` as a day between 2017-01-01 and 2023-12-31; ChoiceError naming the range if not."""
    valid = f"{FIRST_DAY.date().isoformat()} to {LAST_DAY.date().isoformat()}"
    try:
        day = pd.Timestamp(as_of) if isinstance(as_of, (str, dt.date, pd.Timestamp)) else None
    except (ValueError, TypeError):
        day = None
    if day is None or pd.isna(day):
        raise ChoiceError("as_of date", as_of, [valid], hint="a date written YYYY-MM-DD")
    day = day.normalize()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ChoiceError("as_of date", as_of, [valid], hint="outside the plan's years 2017–2023")
    return day


def check_structure(structure) -> str:
    structure = str(structure)
    if structure not in v.STRUCTURES:
        raise ChoiceError("structure", structure, list(v.STRUCTURES), hint="2017: 20 municipalities; 2021: 7")
    return structure


def complete_years(as_of: pd.Timestamp) -> list[int]:
    """The calendar years whose 31 December is on or before ``as_of``."""
    return [year for year in v.YEARS if pd.Timestamp(year, 12, 31) <= as_of]


def scope_table(dataset) -> pd.DataFrame:
    """Every scope: the region, the 2017 municipalities and the 2021 ones, with their level.

    Columns: scope, name, name_short, kind, structure ("region" | "2017" | "2021"), level
    (0 = 2017 municipality, 1 = 2021 municipality, 2 = region), successor (2021 code of a 2017
    municipality).
    """
    old = dataset.municipalities
    new = dataset.municipalities_2021
    region_name = REGION_NAME[0]
    if len(old) and (old["source"] == "synthetic").all():
        region_name = "Sintētiskā datu kopa: visas pašvaldības"
    rows = [
        pd.DataFrame(
            {
                "scope": [REGION],
                "name": [region_name],
                "name_short": [region_name.split(" ")[0]],
                "kind": ["region"],
                "structure": ["region"],
                "level": [2],
                "successor": [None],
            }
        ),
        pd.DataFrame(
            {
                "scope": old["atvk_code"],
                "name": old["name"],
                "name_short": old["name_short"],
                "kind": old["kind"],
                "structure": "2017",
                "level": 0,
                "successor": old["successor_iso"],
            }
        ),
        pd.DataFrame(
            {
                "scope": new["iso_code"],
                "name": new["name"],
                "name_short": new["name_short"],
                "kind": new["kind"],
                "structure": "2021",
                "level": 1,
                "successor": None,
            }
        ),
    ]
    scopes = pd.concat(rows, ignore_index=True)
    scopes["order"] = np.arange(len(scopes))
    return scopes


def successor_map(dataset) -> dict[str, str]:
    municipalities = dataset.municipalities
    return dict(zip(municipalities["atvk_code"], municipalities["successor_iso"]))


def _roll_up(frame: pd.DataFrame, keys: list[str], measures: list[str], successors: dict[str, str]) -> pd.DataFrame:
    """Rows per 2017 municipality plus their sums per 2021 municipality and for the region.

    ``frame`` has an ``atvk_code`` column; the result has ``scope`` instead. A sum over parts
    that were all not reported stays not reported.
    """
    base = frame.rename(columns={"atvk_code": "scope"})
    new = frame.assign(scope=frame["atvk_code"].map(successors))
    region = frame.assign(scope=REGION)
    parts = [base[["scope", *keys, *measures]]]
    for level in (new, region):
        summed = level.groupby(["scope", *keys], sort=False, dropna=False)[measures].sum(min_count=1).reset_index()
        parts.append(summed)
    return pd.concat(parts, ignore_index=True)


# --- the person cube ------------------------------------------------------------------------------

CUBE_KEYS = ["table", "measure", "scope", "year", "group", "service"]


def person_counts(uptake, transitions, needs, successors: dict[str, str], years: list[int]) -> pd.DataFrame:
    """Every person count for every scope: one row per cell (CUBE_KEYS + value).

    Tables and measures: uptake (persons_served, persons_new per year; persons_cumulative with
    year 0), transitions (persons per year; persons_cumulative), needs (assessments, support_plans).
    """
    frames = []
    up = uptake[uptake["year"].isin(years)]
    cum = up.groupby(["atvk_code", "target_group", "service"], sort=False)["persons_new"].sum(min_count=1)
    cum = cum.rename("persons_cumulative").reset_index().assign(year=CUMULATIVE)
    for frame, measures in ((up, ["persons_served", "persons_new"]), (cum, ["persons_cumulative"])):
        rolled = _roll_up(frame, ["year", "target_group", "service"], measures, successors)
        long = rolled.melt(["scope", "year", "target_group", "service"], measures, "measure", "value")
        frames.append(long.rename(columns={"target_group": "group"}).assign(table="uptake"))

    tr = transitions[transitions["year"].isin(years)]
    tr_cum = tr.groupby(["atvk_code", "transition"], sort=False)["persons"].sum(min_count=1)
    tr_cum = tr_cum.rename("persons_cumulative").reset_index().assign(year=CUMULATIVE)
    for frame, measure in ((tr, "persons"), (tr_cum, "persons_cumulative")):
        rolled = _roll_up(frame, ["year", "transition"], [measure], successors)
        long = rolled.rename(columns={measure: "value", "transition": "group"}).assign(
            measure=measure, service="", table="transitions"
        )
        frames.append(long)

    nd = needs[needs["year"].isin(years)]
    rolled = _roll_up(nd, ["year", "target_group"], ["assessments", "support_plans"], successors)
    long = rolled.melt(["scope", "year", "target_group"], ["assessments", "support_plans"], "measure", "value")
    frames.append(long.rename(columns={"target_group": "group"}).assign(service="", table="needs"))

    cells = pd.concat(frames, ignore_index=True)[[*CUBE_KEYS, "value"]]
    cells["year"] = cells["year"].astype("int64")
    cells["value"] = cells["value"].astype("Int64")
    return cells


def person_cube(uptake, transitions, needs, successors: dict[str, str], years: list[int]) -> Cube:
    """The person counts of every scope with every relation a reader could use on them."""
    cells = person_counts(uptake, transitions, needs, successors, years)
    level = np.where(cells["scope"] == REGION, 2, np.where(cells["scope"].isin(set(successors.values())), 1, 0))
    # Hide municipalities before the region and years before cumulatives: the headline
    # figures of the region stay published whenever something else can be hidden instead.
    cells["preference"] = 2 * level + (cells["year"] == CUMULATIVE)
    cells["level"] = level
    cells["id"] = np.arange(len(cells))
    equalities = _equalities(cells, successors)
    inequalities = _inequalities(cells)
    return Cube(cells.drop(columns=["level", "id"]), equalities, inequalities)


def _equalities(cells: pd.DataFrame, successors: dict[str, str]) -> pd.DataFrame:
    """total = sum of parts: region over 2017 and over 2021 municipalities, 2021 over its 2017
    parts, cumulative over the years."""
    same = ["table", "measure", "year", "group", "service"]
    level0 = cells[cells["level"] == 0].assign(parent=lambda d: d["scope"].map(successors))
    level1 = cells[cells["level"] == 1]
    region = cells[cells["level"] == 2]
    pairs = [
        level0.merge(region[[*same, "id"]], on=same, suffixes=("", "_total")),
        level0.merge(
            level1[[*same, "scope", "id"]].rename(columns={"scope": "parent"}),
            on=[*same, "parent"],
            suffixes=("", "_total"),
        ),
        level1.merge(region[[*same, "id"]], on=same, suffixes=("", "_total")),
    ]
    yearly = cells[(cells["year"] != CUMULATIVE) & cells["measure"].isin(["persons_new", "persons"])]
    cumulative = cells[cells["measure"] == "persons_cumulative"]
    pairs.append(
        yearly.merge(
            cumulative[["table", "scope", "group", "service", "id"]],
            on=["table", "scope", "group", "service"],
            suffixes=("", "_total"),
        )
    )
    frames = []
    for kind, pair in enumerate(pairs):
        relation = kind * len(cells) + pair["id_total"].to_numpy()
        frames.append(pd.DataFrame({"relation": relation, "cell": pair["id"].to_numpy(), "role": "part"}))
        totals = np.unique(pair["id_total"].to_numpy())
        frames.append(pd.DataFrame({"relation": kind * len(cells) + totals, "cell": totals, "role": "total"}))
    return pd.concat(frames, ignore_index=True)


def _inequalities(cells: pd.DataFrame) -> pd.DataFrame:
    """The unique-person rules of ``di_eval.rules`` as relations between cells: 'any' >= each
    service, 'any' <= their sum, the row bounds (new <= served, support plans <= assessments)
    and served in a year <= new so far."""
    frames = []
    offset = 0

    def add(kind: str, relation: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        nonlocal offset
        frames.append(pd.DataFrame({"relation": relation + offset, "cell": low, "side": "low", "kind": kind}))
        frames.append(pd.DataFrame({"relation": relation + offset, "cell": high, "side": "high", "kind": kind}))
        offset += len(cells) * 8

    uptake = cells[cells["table"] == "uptake"]
    keys = ["measure", "scope", "year", "group"]
    services = uptake[uptake["service"] != rules.ANY]
    anyrow = uptake[uptake["service"] == rules.ANY][[*keys, "id"]]
    pair = services.merge(anyrow, on=keys, suffixes=("", "_any"))
    # any >= each service: one relation per pair
    add(rules.ANY_AT_LEAST_SERVICE, np.arange(len(pair)), pair["id"].to_numpy(), pair["id_any"].to_numpy())
    # any <= sum of services: one relation per 'any' cell (the 'any' cell is its low side);
    # disclosure control drops it where a service is not reported
    add(rules.ANY_AT_MOST_SERVICES, pair["id_any"].to_numpy(), pair["id_any"].to_numpy(), pair["id"].to_numpy())

    tables = {
        "service_uptake": ("uptake", ["scope", "year", "group", "service"]),
        "needs_assessments": ("needs", ["scope", "year", "group"]),
    }
    bounds = {b.table: b for b in rules.ROW_BOUNDS}
    for name in ("service_uptake", "needs_assessments"):
        bound, (table, same) = bounds[name], tables[name]
        rows = cells[(cells["table"] == table) & (cells["year"] != CUMULATIVE)]
        low, high = rows[rows["measure"] == bound.low], rows[rows["measure"] == bound.high]
        pair = low.merge(high[[*same, "id"]], on=same, suffixes=("", "_high"))
        add(bound.kind, np.arange(len(pair)), pair["id"].to_numpy(), pair["id_high"].to_numpy())
        if name == "service_uptake":
            # Everyone served in a year was new in that year or before.
            yearly = uptake[uptake["year"] != CUMULATIVE]
            served = yearly[yearly["measure"] == "persons_served"]
            new = yearly[yearly["measure"] == "persons_new"]
            pair = served.merge(
                new[["scope", "group", "service", "year", "id"]],
                on=["scope", "group", "service"],
                suffixes=("", "_new"),
            )
            pair = pair[pair["year_new"] <= pair["year"]]
            add(
                rules.SERVED_AT_MOST_NEW_SO_FAR, pair["id"].to_numpy(), pair["id"].to_numpy(), pair["id_new"].to_numpy()
            )
    frames = [f.drop_duplicates() for f in frames]
    return pd.concat(frames, ignore_index=True)


# --- plan versions, targets, progress ---------------------------------------------------------------


def plan_version_at(plan_versions: pd.DataFrame, as_of: pd.Timestamp) -> str:
    """The plan version in force at ``as_of``; before the first one, the first (it covers 2017)."""
    ordered = plan_versions.sort_values("in_force_from")
    in_force = ordered[ordered["in_force_from"] <= as_of]
    row = in_force.iloc[-1] if len(in_force) else ordered.iloc[0]
    return str(row["plan_version"])


def target_history(dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """Regional targets of every plan version in force by ``as_of``; ``changed`` where a value
    differs from the previous version's."""
    versions = dataset.plan_versions.sort_values("in_force_from")
    current = plan_version_at(versions, as_of)
    known = versions[(versions["in_force_from"] <= as_of) | (versions["plan_version"] == current)]
    targets = dataset.targets
    targets = targets[targets["scope"] == REGION].merge(known[["plan_version", "in_force_from"]], on="plan_version")
    targets = targets.sort_values(["target", "in_force_from"])
    previous = targets.groupby("target")["value"].shift()
    history = targets.assign(
        value=targets["value"].astype("int64"),
        previous_value=previous,
        changed=previous.notna() & (previous != targets["value"]),
    )
    columns = ["plan_version", "in_force_from", "target", "value", "previous_value", "changed"]
    return history[columns].sort_values(["in_force_from", "target"]).reset_index(drop=True)


def targets_in_force(history: pd.DataFrame, plan_version: str, required=REQUIRED_TARGETS) -> dict[str, int]:
    """target -> value of ``plan_version``; DiEvalError naming what is missing and what exists."""
    rows = history[history["plan_version"] == plan_version]
    values = {t: int(x) for t, x in zip(rows["target"], rows["value"])}
    missing = [t for t in required if t not in values]
    if missing:
        have = ", ".join(sorted(values)) or "none"
        raise DiEvalError(
            f"plan version {plan_version} has no regional target for {', '.join(missing)} "
            f"(targets given: {have}; needed: {', '.join(required)}); add it to targets.csv"
        )
    return values


def expected_rate(as_of: pd.Timestamp) -> float:
    """The share of the plan period (2017-01-01 .. 2023-12-31) elapsed at ``as_of``."""
    elapsed = (as_of - PLAN_START).days + 1
    return float(min(1.0, max(0.0, elapsed / ((PLAN_END - PLAN_START).days + 1))))


def status_band(rate: float | None, expected: float) -> str | None:
    """ahead / on_track / at_risk / behind, comparing ``rate`` with ``expected`` (gap-free)."""
    if rate is None or pd.isna(rate):
        return None
    if expected <= 0:
        return "ahead" if rate > 0 else "on_track"
    ratio = rate / expected
    for status, lowest in STATUS_BANDS:
        if ratio >= lowest - 1e-9:  # a ratio on a boundary belongs to the band above it
            return status
    return "behind"


# --- infrastructure ----------------------------------------------------------------------------------


def infrastructure_plan_at(dataset, as_of: pd.Timestamp) -> tuple[str, set[str]]:
    """The latest plan version in force by ``as_of`` that lists infrastructure, and its municipalities."""
    plan = dataset.infrastructure_plan
    versions = dataset.plan_versions.sort_values("in_force_from")
    listed = versions[versions["plan_version"].isin(set(plan["plan_version"]))]
    in_force = listed[listed["in_force_from"] <= as_of]
    row = in_force.iloc[-1] if len(in_force) else (listed.iloc[0] if len(listed) else None)
    if row is None:
        return "", set()
    version = str(row["plan_version"])
    return version, set(plan.loc[plan["plan_version"] == version, "atvk_code"])


def infrastructure_plan_changes(dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """Municipalities added to or removed from the infrastructure list between plan versions."""
    plan = dataset.infrastructure_plan
    versions = dataset.plan_versions.sort_values("in_force_from")
    listed = versions[versions["plan_version"].isin(set(plan["plan_version"])) & (versions["in_force_from"] <= as_of)]
    names = dict(zip(dataset.municipalities["atvk_code"], dataset.municipalities["name"]))
    rows = []
    ids = listed["plan_version"].tolist()
    for before, after in zip(ids, ids[1:]):
        old = set(plan.loc[plan["plan_version"] == before, "atvk_code"])
        new = set(plan.loc[plan["plan_version"] == after, "atvk_code"])
        rows += [(code, names.get(code, code), before, after, "removed") for code in sorted(old - new)]
        rows += [(code, names.get(code, code), before, after, "added") for code in sorted(new - old)]
    return pd.DataFrame(rows, columns=["atvk_code", "name", "plan_version_from", "plan_version_to", "change"])


def milestones(dataset, as_of: pd.Timestamp, scope_of: dict[str, str]) -> pd.DataFrame:
    """Each milestone planned vs actual as known at ``as_of``.

    ``actual_date`` is blank when it falls after ``as_of``. ``slippage_days``: actual minus
    planned; for an overdue milestone, ``as_of`` minus planned. ``status``: done_on_time,
    done_late, overdue (planned before ``as_of``, not done), not_due; ``done`` when there is
    no planned date to compare with.
    """
    projects = dataset.infrastructure_projects[["project_id", "atvk_code"]]
    frame = dataset.infrastructure_milestones.merge(projects, on="project_id", how="left")
    actual = frame["actual_date"].where(frame["actual_date"] <= as_of)
    planned = frame["planned_date"]
    done = actual.notna()
    overdue = ~done & planned.notna() & (planned < as_of)
    slippage = (actual - planned).dt.days.astype("Int64")
    slippage = slippage.where(done, (as_of - planned).dt.days.astype("Int64").where(overdue))
    status = np.select(
        [done & planned.isna(), done & (actual <= planned), done, overdue],
        ["done", "done_on_time", "done_late", "overdue"],
        "not_due",
    )
    order = {m: i for i, m in enumerate(v.MILESTONES)}
    out = pd.DataFrame(
        {
            "project_id": frame["project_id"],
            "scope": frame["atvk_code"].map(scope_of),
            "atvk_code": frame["atvk_code"],
            "milestone": frame["milestone"],
            "planned_date": planned,
            "actual_date": actual,
            "slippage_days": slippage.astype("Int64"),
            "status": status,
            "_order": frame["milestone"].map(order),
        }
    )
    return out.sort_values(["project_id", "_order"]).drop(columns="_order").reset_index(drop=True)


def infrastructure(
    dataset, as_of: pd.Timestamp, scope_of: dict[str, str], milestone_table: pd.DataFrame
) -> pd.DataFrame:
    """One row per project with its status at ``as_of`` and whether each plan version lists it.

    status: in_service (service opened), built (construction finished), in_construction,
    planned, or dropped (its municipality left the infrastructure list of the plan in force).
    Places count as created once construction has finished.
    """
    projects = dataset.infrastructure_projects
    versions = dataset.plan_versions.sort_values("in_force_from")
    plan = dataset.infrastructure_plan
    first_listed = versions[versions["plan_version"].isin(set(plan["plan_version"]))]
    first = (
        set(plan.loc[plan["plan_version"] == first_listed.iloc[0]["plan_version"], "atvk_code"])
        if len(first_listed)
        else set()
    )
    _, current = infrastructure_plan_at(dataset, as_of)
    done = milestone_table[milestone_table["actual_date"].notna()]
    reached = done.groupby("project_id")["milestone"].agg(set)
    statuses = []
    for project, code in zip(projects["project_id"], projects["atvk_code"]):
        got = reached.get(project, set())
        if "service_opened" in got:
            statuses.append("in_service")
        elif "construction_end" in got:
            statuses.append("built")
        elif "construction_start" in got:
            statuses.append("in_construction")
        elif code not in current:
            statuses.append("dropped")
        else:
            statuses.append("planned")
    status = pd.Series(statuses, index=projects.index)
    created = projects["places_created"].where(status.isin(["built", "in_service"]), 0)
    created = created.where(~(status.isin(["built", "in_service"]) & projects["places_created"].isna()), pd.NA)
    return pd.DataFrame(
        {
            "scope": projects["atvk_code"].map(scope_of),
            "atvk_code": projects["atvk_code"],
            "project_id": projects["project_id"],
            "name": projects["name"],
            "facility_types": projects["facility_types"],
            "target_groups": projects["target_groups"],
            "places_planned": projects["places_planned"],
            "places_created": created.astype("Int64"),
            "status": status,
            "in_plan_2017": projects["atvk_code"].isin(first),
            "in_plan_current": projects["atvk_code"].isin(current),
            "synthetic_fields": projects["synthetic_fields"],
        }
    ).reset_index(drop=True)


# --- finance and completeness --------------------------------------------------------------------------


def finance(dataset, years: list[int], successors: dict[str, str]) -> pd.DataFrame:
    """Money per scope, programme and fund over the years: planned, contracted, paid, absorption."""
    money = ["planned_eur", "contracted_eur", "paid_eur"]
    frame = dataset.finance
    frame = frame[frame["year"].isin(years)]
    per_code = frame.groupby(["atvk_code", "programme", "fund"], sort=False)[money].sum(min_count=1).reset_index()
    rolled = _roll_up(per_code, ["programme", "fund"], money, successors)
    for column in money:
        rolled[column] = rolled[column].astype("Float64").round(2)
    planned = rolled["planned_eur"]
    rolled["absorption_rate"] = (rolled["paid_eur"] / planned.where(planned > 0)).astype("Float64")
    return rolled.reset_index(drop=True)


def completeness(dataset, years: list[int], successors: dict[str, str]) -> pd.DataFrame:
    """Forms expected and received per scope and year (one form per 2017 municipality a year).

    A replaced file does not count; a form never logged counts as missing. on_time and late
    follow the logged status.
    """
    codes = dataset.municipalities["atvk_code"].tolist()
    log = dataset.submissions
    log = log[log["status"] != "replaced"].sort_values("received_date", na_position="first")
    last = log.groupby(["atvk_code", "year"]).tail(1).set_index(["atvk_code", "year"])["status"]
    grid = pd.MultiIndex.from_product([codes, years], names=["atvk_code", "year"]).to_frame(index=False)
    status = grid.set_index(["atvk_code", "year"]).index.map(last.to_dict())
    status = pd.Series(status, dtype=object).fillna("missing").to_numpy()
    grid = grid.assign(
        expected=1,
        received=np.isin(status, ["received", "late"]).astype(int),
        on_time=(status == "received").astype(int),
        late=(status == "late").astype(int),
        missing=(status == "missing").astype(int),
    )
    measures = ["expected", "received", "on_time", "late", "missing"]
    rolled = _roll_up(grid, ["year"], measures, successors)
    for column in measures:
        rolled[column] = rolled[column].astype("int64")
    return rolled.reset_index(drop=True)
