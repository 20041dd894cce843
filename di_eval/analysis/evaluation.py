"""One evaluation run: every indicator for one ``as_of`` date, after disclosure control.

``evaluate`` builds the person cube of every scope (the region, the 20 municipalities of 2017
and the 7 of 2021), every year and the cumulative, protects it once, and only then slices it
into the tables reports use. So every report of a run, and the JSON, show the same values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from di_eval import municipalities as muni
from di_eval import vocabulary as v
from di_eval.analysis import headline
from di_eval.analysis import indicators as ind
from di_eval.analysis.disclosure import (
    COARSE,
    OMITTED,
    ROUNDED,
    DisclosureRule,
    ProtectedCube,
    as_number,
    audit,
    protect,
)
from di_eval.analysis.indicators import CUMULATIVE, REGION
from di_eval.errors import ChoiceError
from di_eval.text.formats import format_percent

SCOPED_TABLES = (
    "persons_by_year",
    "persons_cumulative",
    "transitions",
    "transitions_cumulative",
    "needs",
    "infrastructure",
    "milestones",
    "finance",
    "completeness",
    "warnings",
)


@dataclass(frozen=True, eq=False)  # tables are not compared cell by cell
class Evaluation:
    """Every indicator of one run; person counts hold published values (int, marker or None)."""

    as_of: pd.Timestamp
    structure: str
    threshold: int
    plan_version: str
    scopes: pd.DataFrame
    persons_by_year: pd.DataFrame
    persons_cumulative: pd.DataFrame
    achievement: pd.DataFrame
    target_history: pd.DataFrame
    transitions: pd.DataFrame
    transitions_cumulative: pd.DataFrame
    needs: pd.DataFrame
    infrastructure: pd.DataFrame
    milestones: pd.DataFrame
    infrastructure_plan_changes: pd.DataFrame
    finance: pd.DataFrame
    completeness: pd.DataFrame
    warnings: pd.DataFrame
    municipalities_served_by_year: dict
    protected: ProtectedCube
    municipalities: pd.DataFrame  # the reference table of the chosen structure, for names
    scope: str = REGION  # the scope this object was restricted to (``for_scope``), else region
    successors: dict = dataclasses.field(default_factory=dict)  # 2017 code -> 2021 code
    release_audit: object = None  # the full audit protection passed (methods other than heuristic)
    public_figures: object = None  # the figures already in public (the reader knows them)

    def __getattribute__(self, name: str):
        # Read-only like a Dataset's tables: each access returns a copy-on-write view (a dict, a
        # copy), so a change made to it by one report is never seen by the next one.
        value = object.__getattribute__(self, name)
        if isinstance(value, pd.DataFrame):
            return value.copy(deep=False)
        if isinstance(value, dict) and name != "__dict__":  # pickle restores state through __dict__
            return dict(value)
        return value

    @property
    def rule(self) -> DisclosureRule:
        return self.protected.rule

    def resolve(self, name: str) -> str:
        """The scope code ``name`` refers to: "region", a code, a name or an alias."""
        if name in self._codes:
            return name
        if str(name).strip() and muni.fold(name) in {REGION, "regions", "kurzeme", muni.fold(self.region_name)}:
            return REGION
        try:
            return muni.resolve(name, self.municipalities, self.structure)
        except ChoiceError as err:
            raise ChoiceError(
                err.what, err.value, ["region", *err.choices], err.hint, err.suggestions, err.hint_lv
            ) from None

    @property
    def _codes(self) -> set[str]:
        codes = set(self.municipalities["atvk_code" if self.structure == "2017" else "iso_code"])
        return codes | {REGION}

    @property
    def region_name(self) -> str:
        return str(self.scopes.loc[self.scopes["scope"] == REGION, "name"].iloc[0])

    def name_of(self, scope: str) -> str:
        names = dict(zip(self.scopes["scope"], self.scopes["name"]))
        return names[scope]

    def for_scope(self, scope: str) -> Evaluation:
        """The same evaluation restricted to one scope and the region (nothing is recomputed)."""
        code = self.resolve(scope)
        keep = {code, REGION}
        tables = {name: _rows_of(getattr(self, name), keep) for name in SCOPED_TABLES}
        return dataclasses.replace(
            self, scopes=self.scopes[self.scopes["scope"].isin(keep)].reset_index(drop=True), scope=code, **tables
        )

    def figures(self, scope: str | None = None) -> dict:
        """The headline figures as the `di-eval figures` JSON object (see DESIGN.md)."""
        return headline.figures(self, scope if scope is not None else self.scope)

    def audit(self):
        """The audit of this run's own method: for the heuristic, the audit of ``protect`` (sums of
        this run, ``AuditResult``); for the others, the full reader's audit of this release and
        the public figures (``ReleaseAudit``). Both have ``ok`` and ``findings``."""
        if self.rule.method == "heuristic":
            return audit(self.protected)
        return self.full_audit()

    def rounded(self) -> pd.DataFrame:
        """The person counts published rounded (``rule.method == "rounding"``): table, measure,
        scope, year (0 = cumulative), group, service, and ``coarse`` (rounded to the coarser
        base, status "rounded_coarse"). Reports label these values as rounded."""
        cells = self.protected.cells
        keys = ["table", "measure", "scope", "year", "group", "service"]
        chosen = cells["status"].isin([ROUNDED, COARSE])
        out = cells.loc[chosen, keys].reset_index(drop=True)
        return out.assign(coarse=(cells.loc[chosen, "status"] == COARSE).to_numpy())

    def full_audit(self, previous=(), *, tight: bool = False):
        """The full reader's audit of this run's release with ``previous`` releases and the
        public figures (``di_eval.analysis.audit.audit_releases``)."""
        from di_eval.analysis import audit as full
        from di_eval.analysis.release import from_protected

        mine = from_protected(self.protected, self.as_of, self.successors)
        return full.audit_releases([*previous, mine], self.public_figures, tight=tight)


def _rows_of(table: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    if "scope" not in table.columns:
        return table
    return table[table["scope"].isin(keep)].reset_index(drop=True)


def evaluate(
    dataset,
    as_of="2020-12-31",
    structure: str = "2017",
    threshold: int = 5,
    *,
    joint: bool = False,
    rule: DisclosureRule | None = None,
    previous=(),
) -> Evaluation:
    """Every indicator at ``as_of`` for the region and every municipality of ``structure``.

    Person counts pass disclosure control once, over every scope of both structures, every
    year and the cumulative. ``rule`` (default ``DisclosureRule(threshold)``: rounding on lean
    tables) chooses the method; with ``"suppression"`` or ``"rounding"``, or with ``previous``
    releases (``di_eval.analysis.release.read_release``), the release is protected against
    the full reader of it, every earlier release and the public figures together
    (``di_eval.analysis.protect``), and ``release_audit`` holds that audit. ``joint=True``
    makes the heuristic protect against its stricter reader too. Raises ChoiceError for a date outside
    2017-01-01..2023-12-31, a structure other than 2017/2021 or a bad threshold; DiEvalError
    when the plan version in force lacks a target.
    """
    as_of = ind.parse_as_of(as_of)
    structure = ind.check_structure(structure)
    rule = rule if rule is not None else DisclosureRule(threshold)
    years = ind.complete_years(as_of)
    successors = ind.successor_map(dataset)
    scopes_all = ind.scope_table(dataset)
    cube = ind.person_cube(dataset.service_uptake, dataset.transitions, dataset.needs_assessments, successors, years)
    release_audit = None
    if rule.method == "heuristic" and not previous:
        protected = protect(cube, rule, joint=joint)
        from di_eval.analysis.protect import omitted_mask

        omitted = omitted_mask(cube.cells, rule)
        if omitted.any():
            status = protected.status.copy()
            status[omitted] = OMITTED
            protected = ProtectedCube(cube, rule, status)
    else:
        protected, release_audit = _protect_release(dataset, cube, rule, as_of, successors, previous)
    cells = protected.cells
    order = dict(zip(scopes_all["scope"], scopes_all["order"]))
    shown = set(scopes_all.loc[scopes_all["structure"].isin([structure, "region"]), "scope"])
    cells = cells[cells["scope"].isin(shown) & (cells["status"] != OMITTED)]
    scope_of = successors if structure == "2021" else {c: c for c in successors}

    history = ind.target_history(dataset, as_of)
    plan_version = ind.plan_version_at(dataset.plan_versions, as_of)
    targets = ind.targets_in_force(history, plan_version)

    persons_by_year = _persons_by_year(cells, order)
    persons_cumulative = _table(cells, "uptake", "persons_cumulative", order, {"group": "target_group"}, "persons")
    transitions = _table(cells, "transitions", "persons", order, {"group": "transition"}, "persons")
    transitions_cumulative = _table(
        cells, "transitions", "persons_cumulative", order, {"group": "transition"}, "persons"
    )
    transitions_cumulative["target_value"] = [
        targets.get("VSAC") if (s == REGION and t == "vsac_to_municipality") else None
        for s, t in zip(transitions_cumulative["scope"], transitions_cumulative["transition"])
    ]
    transitions_cumulative["target_value"] = transitions_cumulative["target_value"].astype("Int64")
    needs = _needs(cells, order)
    achievement = _achievement(persons_cumulative, transitions_cumulative, targets, plan_version, as_of)
    milestone_table = ind.milestones(dataset, as_of, scope_of)
    infrastructure = ind.infrastructure(dataset, as_of, scope_of, milestone_table)
    finance = ind.finance(dataset, years, successors)
    finance = _in_scopes(finance, shown, order)
    completeness = _in_scopes(ind.completeness(dataset, years, successors), shown, order)
    served = headline.municipalities_served(persons_by_year[persons_by_year["scope"] != REGION])
    served = {year: served.get(year, 0) for year in years}
    warnings = warning_table(persons_by_year, completeness, milestone_table, achievement, rule)
    municipalities = dataset.municipalities if structure == "2017" else dataset.municipalities_2021
    scopes = scopes_all[scopes_all["scope"].isin(shown)]
    return Evaluation(
        as_of=as_of,
        structure=structure,
        threshold=rule.threshold,
        plan_version=plan_version,
        scopes=scopes[["scope", "name", "name_short", "kind", "structure"]].reset_index(drop=True),
        persons_by_year=persons_by_year,
        persons_cumulative=persons_cumulative,
        achievement=achievement,
        target_history=history,
        transitions=transitions,
        transitions_cumulative=transitions_cumulative,
        needs=needs,
        infrastructure=infrastructure,
        milestones=milestone_table,
        infrastructure_plan_changes=ind.infrastructure_plan_changes(dataset, as_of),
        finance=finance,
        completeness=completeness,
        warnings=warnings,
        municipalities_served_by_year=served,
        protected=protected,
        municipalities=municipalities,
        successors=successors,
        release_audit=release_audit,
        public_figures=getattr(dataset, "public_figures", None),
    )


def _protect_release(dataset, cube, rule, as_of, successors, previous):
    """Protection against the full reader of this release, ``previous`` releases and the public
    figures (a heuristic rule given earlier releases is widened like "suppression")."""
    from di_eval.analysis.protect import protect_release

    if rule.method == "heuristic":
        rule = dataclasses.replace(rule, method="suppression")

    def cube_for(last_year):
        years = [y for y in ind.complete_years(ind.LAST_DAY) if y <= last_year]
        return ind.person_cube(
            dataset.service_uptake, dataset.transitions, dataset.needs_assessments, successors, years
        )

    public = getattr(dataset, "public_figures", None)
    return protect_release(cube, rule, as_of, successors, previous=previous, public=public, cube_for=cube_for)


# --- slicing the published cube into tables ---------------------------------------------------------


def _sorted(frame: pd.DataFrame, order: dict, by: list[str]) -> pd.DataFrame:
    frame = frame.assign(_scope_order=frame["scope"].map(order))
    return frame.sort_values(["_scope_order", *by], kind="stable").drop(columns="_scope_order").reset_index(drop=True)


def _published(series: pd.Series) -> pd.Series:
    """Published values as Python objects: an int, a marker, or None (never NaN)."""
    series = series.astype(object)
    return series.where(series.notna(), None)


def _table(cells, table, measure, order, rename, value_name) -> pd.DataFrame:
    rows = cells[(cells["table"] == table) & (cells["measure"] == measure)]
    columns = ["scope", "year", "group"] if measure != "persons_cumulative" else ["scope", "group"]
    if table == "uptake":
        columns.append("service")
    out = rows[[*columns, "published"]].rename(columns={**rename, "published": value_name})
    out[value_name] = _published(out[value_name])
    by = [c for c in out.columns if c not in ("scope", value_name)]
    return _sorted(out, order, by)


def _persons_by_year(cells, order) -> pd.DataFrame:
    keys = ["scope", "year", "group", "service"]
    rows = cells[(cells["table"] == "uptake") & (cells["year"] != CUMULATIVE)]
    served = rows[rows["measure"] == "persons_served"][[*keys, "published"]].rename(
        columns={"published": "persons_served"}
    )
    new = rows[rows["measure"] == "persons_new"][[*keys, "published"]].rename(columns={"published": "persons_new"})
    out = served.merge(new, on=keys, how="outer").rename(columns={"group": "target_group"})
    for column in ("persons_served", "persons_new"):
        out[column] = _published(out[column])
    return _sorted(out, order, ["year", "target_group", "service"])


def _needs(cells, order) -> pd.DataFrame:
    keys = ["scope", "year", "group"]
    rows = cells[cells["table"] == "needs"]
    parts = [
        rows[rows["measure"] == m][[*keys, "published"]].rename(columns={"published": m})
        for m in ("assessments", "support_plans")
    ]
    out = parts[0].merge(parts[1], on=keys, how="outer").rename(columns={"group": "target_group"})
    for column in ("assessments", "support_plans"):
        out[column] = _published(out[column])
    # A share is shown only when both counts are: it would otherwise reveal the hidden one.
    a, p = as_number(out["assessments"]), as_number(out["support_plans"])
    out["support_plan_rate"] = (p / a.where(a > 0)).astype("Float64")
    return _sorted(out, order, ["year", "target_group"])


def _in_scopes(frame: pd.DataFrame, shown: set[str], order: dict) -> pd.DataFrame:
    frame = frame[frame["scope"].isin(shown)]
    by = [c for c in ("year", "programme", "fund") if c in frame.columns]
    return _sorted(frame, order, by)


def _achievement(persons_cumulative, transitions_cumulative, targets, plan_version, as_of) -> pd.DataFrame:
    """Region rows: FT and GRT count cumulative unique persons ('any'), VSAC the moves to a
    municipality; rate = achieved / target, shown only where achieved is published."""
    region = persons_cumulative[(persons_cumulative["scope"] == REGION) & (persons_cumulative["service"] == "any")]
    achieved = dict(zip(region["target_group"], region["persons"]))
    moves = transitions_cumulative[transitions_cumulative["scope"] == REGION]
    achieved["VSAC"] = dict(zip(moves["transition"], moves["persons"])).get("vsac_to_municipality")
    if "BSAC" in targets:
        achieved["BSAC"] = dict(zip(moves["transition"], moves["persons"])).get("bsac_to_family_like_care")
    expected = ind.expected_rate(as_of)
    rows = []
    for target, target_value in targets.items():
        value = achieved.get(target)
        numeric = value if isinstance(value, (int, np.integer)) else None
        rate = numeric / target_value if numeric is not None and target_value > 0 else None
        rows.append(
            {
                "scope": REGION,
                "target": target,
                "plan_version": plan_version,
                "target_value": int(target_value),
                "achieved": value,
                "rate": rate,
                "expected_rate": expected,
                "status": ind.status_band(rate, expected),
            }
        )
    out = pd.DataFrame(rows)
    # Published values and rates stay Python objects: an int, a marker or None, never NaN.
    for column in ("achieved", "rate", "status"):
        out[column] = pd.Series([row[column] for row in rows], dtype=object)
    return out


# --- warnings -------------------------------------------------------------------------------------------

_GROUP_LV = {"FT": "bērni ar FT", "GRT": "personas ar GRT", "BSAC": "bērni no BSAC"}
_GROUP_EN = {"FT": "children with FT", "GRT": "persons with GRT", "BSAC": "children from BSAC"}
_WARNING_COLUMNS = ["scope", "year", "target_group", "service", "importance", "code", "message_lv", "message_en"]


def _bounds(value, rule: DisclosureRule) -> tuple[float, float]:
    """What a reader knows of a published value: its smallest and largest possible value."""
    if value == rule.primary_marker:
        return 1.0, float(rule.threshold - 1)
    if value == rule.secondary_marker:
        return float(rule.threshold), np.inf
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return np.nan, np.nan
    return float(value), float(value)


def _percent(rate: float, lang: str) -> str:
    # the reports' one percent formatter: half up (36/288 -> "13 %"), as in every table
    return format_percent(rate, lang)


def _shown(value) -> str:
    return "nav ziņots" if value is None else str(value)


def warning_table(persons_by_year, completeness, milestone_table, achievement, rule) -> pd.DataFrame:
    """Validation warnings, computed from published values only (so they reveal nothing more)."""
    rows = []
    rows += _fell_by_half(persons_by_year, rule)
    rows += _not_reported(persons_by_year)
    rows += _submission_warnings(completeness)
    rows += _overdue_milestones(milestone_table)
    rows += _target_warnings(achievement)
    frame = pd.DataFrame(rows, columns=_WARNING_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    rank = {"high": 0, "medium": 1, "low": 2}
    return frame.sort_values(
        ["importance", "scope", "year"], key=lambda s: s.map(rank) if s.name == "importance" else s
    ).reset_index(drop=True)


def _fell_by_half(persons_by_year, rule) -> list[dict]:
    rows = []
    anyrows = persons_by_year[persons_by_year["service"] == "any"].sort_values(["scope", "target_group", "year"])
    for (scope, group), series in anyrows.groupby(["scope", "target_group"], sort=False):
        values = list(zip(series["year"], series["persons_served"]))
        for (y0, before), (y1, after) in zip(values, values[1:]):
            low_before, _ = _bounds(before, rule)
            _, high_after = _bounds(after, rule)
            # A fall from a hidden small count to 0 says little; warn from the threshold up.
            if np.isnan(low_before) or np.isnan(high_after) or low_before < rule.threshold:
                continue
            if high_after < 0.5 * low_before:
                rows.append(
                    {
                        "scope": scope,
                        "year": int(y1),
                        "target_group": group,
                        "service": "any",
                        "importance": "high",
                        "code": "served_fell_by_half",
                        "message_lv": f"{_GROUP_LV[group]}: pakalpojumu saņēmēju skaits samazinājies vairāk nekā divas reizes "
                        f"({_shown(before)} {y0}. gadā, {_shown(after)} {y1}. gadā)",
                        "message_en": f"{_GROUP_EN[group]}: persons served fell by more than half "
                        f"({_shown(before)} in {y0}, {_shown(after)} in {y1})",
                    }
                )
    return rows


def _not_reported(persons_by_year) -> list[dict]:
    rows = []
    blank = persons_by_year[(persons_by_year["service"] == "any") & persons_by_year["persons_served"].isna()]
    for (scope, year), _ in blank.groupby(["scope", "year"], sort=False):
        rows.append(
            {
                "scope": scope,
                "year": int(year),
                "target_group": None,
                "service": None,
                "importance": "high",
                "code": "not_reported",
                "message_lv": f"{year}. gada dati par pakalpojumu saņēmējiem nav iesniegti",
                "message_en": f"no figures on persons served were reported for {year}",
            }
        )
    return rows


def _submission_warnings(completeness) -> list[dict]:
    rows = []
    for row in completeness[completeness["scope"] != REGION].itertuples():
        if row.expected > 1:  # a 2021 municipality: its 2017 parts carry the warnings
            continue
        if row.missing:
            rows.append(
                {
                    "scope": row.scope,
                    "year": int(row.year),
                    "target_group": None,
                    "service": None,
                    "importance": "high",
                    "code": "missing_submission",
                    "message_lv": f"{row.year}. gada veidlapa nav saņemta",
                    "message_en": f"the form for {row.year} was not received",
                }
            )
        elif row.late:
            rows.append(
                {
                    "scope": row.scope,
                    "year": int(row.year),
                    "target_group": None,
                    "service": None,
                    "importance": "low",
                    "code": "late_submission",
                    "message_lv": f"{row.year}. gada veidlapa saņemta pēc termiņa",
                    "message_en": f"the form for {row.year} arrived after the due date",
                }
            )
    return rows


def _overdue_milestones(milestone_table) -> list[dict]:
    rows = []
    for row in milestone_table[milestone_table["status"] == "overdue"].itertuples():
        rows.append(
            {
                "scope": row.scope,
                "year": None,
                "target_group": None,
                "service": None,
                "importance": "medium",
                "code": "milestone_overdue",
                "message_lv": f"{row.project_id}: posms „{v.label(v.MILESTONES, row.milestone, 'lv')}“ "
                f"kavējas {row.slippage_days} dienas",
                "message_en": f"{row.project_id}: milestone “{v.label(v.MILESTONES, row.milestone, 'en')}” "
                f"is {row.slippage_days} days overdue",
            }
        )
    return rows


def _target_warnings(achievement) -> list[dict]:
    rows = []
    for row in achievement[achievement["status"].isin(["behind", "at_risk"])].itertuples():
        behind = row.status == "behind"
        rows.append(
            {
                "scope": REGION,
                "year": None,
                "target_group": row.target if row.target in ("FT", "GRT") else None,
                "service": None,
                "importance": "high" if behind else "medium",
                "code": f"target_{row.status}",
                "message_lv": f"mērķis {row.target}: izpilde {_percent(row.rate, 'lv')}; ņemot vērā pagājušo laiku, "
                f"bija sagaidāma {_percent(row.expected_rate, 'lv')} izpilde",
                "message_en": f"target {row.target}: {_percent(row.rate, 'en')} reached, "
                f"{_percent(row.expected_rate, 'en')} expected from time elapsed",
            }
        )
    return rows


__all__ = ["Evaluation", "evaluate", "warning_table"]
