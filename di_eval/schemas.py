"""The canonical tables: one pandera schema each, with the shared vocabulary as allowed values.

Every table is read as text and coerced here, so a bad cell is reported with its row and
column instead of failing a whole column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from di_eval import vocabulary as v

YEAR = pa.Check.in_range(v.FIRST_YEAR, v.LAST_YEAR, error=f"year must be within {v.FIRST_YEAR}–{v.LAST_YEAR}")
NON_NEGATIVE = pa.Check.ge(0, error="must not be negative")
ATVK = pa.Check.str_matches(r"^\d{7}$", error="ATVK code must be 7 digits")


def _codes(codes, what: str) -> pa.Check:
    return pa.Check.isin(list(codes), error=f"{what} must be one of: {', '.join(codes)}")


def _code_list(codes, what: str) -> pa.Check:
    allowed = set(codes)

    def ok(value: str) -> bool:
        return all(part in allowed for part in value.split(";"))

    return pa.Check(ok, element_wise=True, error=f"{what} must be ';'-separated codes from: {', '.join(codes)}")


def text(nullable: bool = False, checks=None) -> pa.Column:
    return pa.Column(str, checks=checks or [], nullable=nullable, coerce=True)


def count(nullable: bool = True) -> pa.Column:
    """A count of persons or events: a whole number ≥ 0; blank means 'not reported'."""
    return pa.Column("Int64", checks=[NON_NEGATIVE], nullable=nullable, coerce=True)


def money(nullable: bool = True) -> pa.Column:
    return pa.Column("Float64", checks=[NON_NEGATIVE], nullable=nullable, coerce=True)


def date(nullable: bool = True) -> pa.Column:
    return pa.Column("datetime64[ns]", nullable=nullable, coerce=True)


def year() -> pa.Column:
    return pa.Column("Int64", checks=[YEAR], nullable=False, coerce=True)


@dataclass(frozen=True)
class Table:
    """A canonical table: its file, where it lives, its schema and its key."""

    name: str
    place: str  # "reference" (data/reference, shipped facts) or "data" (a dataset folder)
    schema: pa.DataFrameSchema
    key: tuple[str, ...]
    description: str

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _schema(name: str, columns: dict) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, name=name, strict=True, ordered=False, coerce=True)


TABLES: dict[str, Table] = {}


def _table(name, place, key, description, columns):
    TABLES[name] = Table(name, place, _schema(name, columns), tuple(key), description)


# --- reference: public facts, each row with its source -------------------------------------
_table(
    "municipalities",
    "reference",
    ["atvk_code"],
    "The 20 municipalities of 2017–2021 and their successors.",
    {
        "atvk_code": text(checks=[ATVK]),
        "name": text(),
        "name_short": text(),
        "kind": text(checks=[_codes(("novads", "republikas_pilseta"), "kind")]),
        "successor_2021": text(),
        "successor_iso": text(checks=[pa.Check.str_matches(r"^LV-[0-9A-Z]{3}$", error="ISO 3166-2 code like LV-112")]),
        "population": count(),
        "population_year": pa.Column("Int64", nullable=True, coerce=True),
        "population_source": text(nullable=True),
        "source": text(),
    },
)
_table(
    "municipalities_2021",
    "reference",
    ["iso_code"],
    "The 7 municipalities after the reform of 1 Jul 2021.",
    {
        "iso_code": text(),
        "name": text(),
        "name_short": text(),
        "kind": text(checks=[_codes(("novads", "valstspilseta"), "kind")]),
        "source": text(),
    },
)
_table(
    "plan_versions",
    "reference",
    ["plan_version"],
    "Versions of the DI plan and the date each came into force.",
    {
        "plan_version": text(),
        "in_force_from": date(nullable=False),
        "name_lv": text(),
        "name_en": text(),
        "source": text(),
    },
)
_table(
    "targets",
    "reference",
    ["plan_version", "scope", "target"],
    "Targets per plan version and scope.",
    {
        "plan_version": text(),
        "scope": text(),
        "target": text(checks=[_codes(v.TARGETS, "target")]),
        "value": count(nullable=False),
        "source": text(),
    },
)
_table(
    "infrastructure_plan",
    "reference",
    ["plan_version", "atvk_code"],
    "Municipalities with ERDF infrastructure in each plan version.",
    {
        "plan_version": text(),
        "atvk_code": text(checks=[ATVK]),
        "source": text(),
    },
)
_table(
    "funding",
    "reference",
    ["programme"],
    "Publicly stated funding of the plan.",
    {
        "programme": text(checks=[_codes((*v.PROGRAMMES, "all"), "programme")]),
        "funds": text(checks=[_code_list(v.FUNDS, "funds")]),
        "amount_eur": money(nullable=False),
        "precision": text(checks=[_codes(("exact", "approximate", "indicative"), "precision")]),
        "source": text(),
    },
)
_table(
    "events",
    "reference",
    ["date", "event_en"],
    "A timeline of key events.",
    {
        "date": date(nullable=False),
        "date_precision": text(checks=[_codes(("day", "month", "year"), "date_precision")]),
        "kind": text(),
        "event_lv": text(),
        "event_en": text(),
        "source": text(),
    },
)
_table(
    "baseline",
    "reference",
    ["measure"],
    "The situation before the plan (project statistics).",
    {
        "measure": text(),
        "value": count(nullable=False),
        "reference_date": date(),
        "source": text(),
    },
)
_table(
    "public_figures",
    "reference",
    ["measure", "target_group", "service", "year", "as_of"],
    "Figures the project has published; the sample is calibrated to them.",
    {
        "measure": text(checks=[_codes(("persons_served", "persons_cumulative", "municipalities_served"), "measure")]),
        "target_group": text(nullable=True),
        "service": text(nullable=True),
        "year": pa.Column("Int64", nullable=True, coerce=True),
        "as_of": date(nullable=False),
        "comparison": text(checks=[_codes(("eq", "gt"), "comparison")]),
        "value": count(nullable=False),
        "source": text(),
    },
)

# --- a dataset: what municipalities report (aggregates only) ----------------------------------
_table(
    "service_uptake",
    "data",
    ["year", "atvk_code", "target_group", "service"],
    "Persons served per year × municipality × target group × service; 'any' = unique persons.",
    {
        "year": year(),
        "atvk_code": text(checks=[ATVK]),
        "target_group": text(checks=[_codes(v.TARGET_GROUPS, "target group")]),
        "service": text(checks=[_codes(v.SERVICES, "service")]),
        "persons_served": count(),
        "persons_new": count(),
    },
)
_table(
    "transitions",
    "data",
    ["year", "atvk_code", "transition"],
    "Moves out of institutions per year and receiving municipality.",
    {
        "year": year(),
        "atvk_code": text(checks=[ATVK]),
        "transition": text(checks=[_codes(v.TRANSITIONS, "transition")]),
        "persons": count(),
    },
)
_table(
    "needs_assessments",
    "data",
    ["year", "atvk_code", "target_group"],
    "Individual needs assessments and support plans made per year.",
    {
        "year": year(),
        "atvk_code": text(checks=[ATVK]),
        "target_group": text(checks=[_codes(("FT", "GRT"), "target group")]),
        "assessments": count(),
        "support_plans": count(),
    },
)
_table(
    "infrastructure_projects",
    "data",
    ["project_id"],
    "ERDF infrastructure projects with places.",
    {
        "project_id": text(),
        "atvk_code": text(checks=[ATVK]),
        "facility_types": text(nullable=True, checks=[_code_list(v.FACILITY_TYPES, "facility types")]),
        "target_groups": text(nullable=True, checks=[_code_list(v.TARGET_GROUPS, "target groups")]),
        "name": text(),
        "address": text(nullable=True),
        "places_planned": count(),
        "places_created": count(),
        "cost_total_eur": money(),
        "erdf_eur": money(),
        "notes": text(nullable=True),
        "source": text(),
        "synthetic_fields": text(nullable=True),
    },
)
_table(
    "infrastructure_milestones",
    "data",
    ["project_id", "milestone"],
    "Milestones of each infrastructure project, planned and actual.",
    {
        "project_id": text(),
        "milestone": text(checks=[_codes(v.MILESTONES, "milestone")]),
        "planned_date": date(),
        "actual_date": date(),
        "source": text(),
    },
)
_table(
    "finance",
    "data",
    ["programme", "year", "atvk_code", "fund"],
    "Money per programme, year, municipality and fund: planned, contracted, paid (EUR).",
    {
        "programme": text(checks=[_codes(v.PROGRAMMES, "programme")]),
        "year": year(),
        "atvk_code": text(checks=[ATVK]),
        "fund": text(checks=[_codes(v.FUNDS, "fund")]),
        "planned_eur": money(),
        "contracted_eur": money(),
        "paid_eur": money(),
    },
)
_table(
    "activities",
    "data",
    ["year", "activity"],
    "Trainings, camps and communication events per year.",
    {
        "year": year(),
        "activity": text(checks=[_codes(v.ACTIVITIES, "activity")]),
        "events": count(),
        "participants": count(),
    },
)
_table(
    "submissions",
    "data",
    ["atvk_code", "year", "received_date", "sha256"],
    "Which municipality sent which year's form, when, and its status.",
    {
        "atvk_code": text(checks=[ATVK]),
        "year": year(),
        "due_date": date(nullable=False),
        "received_date": date(),
        "status": text(checks=[_codes(v.SUBMISSION_STATUSES, "status")]),
        "file": text(nullable=True),
        "sha256": text(nullable=True),
    },
)

_table(
    "municipal_plan",
    "optional",
    ["plan_version", "atvk_code", "target_group", "service"],
    "What the DI plan gives each municipality: per target group the persons planned (service 'any') and the "
    "services it is to offer (a row per service); source 'synthetic' where the figures are invented.",
    {
        "plan_version": text(),
        "atvk_code": text(checks=[ATVK]),
        "target_group": text(checks=[_codes(v.TARGET_GROUPS, "target group")]),
        "service": text(checks=[_codes(v.SERVICES, "service")]),
        "persons_planned": count(),
        "source": text(),
    },
)

REFERENCE_TABLES = tuple(name for name, t in TABLES.items() if t.place == "reference")
DATA_TABLES = tuple(name for name, t in TABLES.items() if t.place == "data")
# Tables a dataset folder may hold or not (absent: loaded empty); nothing else requires them.
OPTIONAL_TABLES = tuple(name for name, t in TABLES.items() if t.place == "optional")
