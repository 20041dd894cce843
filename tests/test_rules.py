"""The unique-person rules are written once (di_eval.rules) and the three places that apply them agree.

For the same numbers, intake's findings by cell, the dataset's problems by row and the
disclosure cube's inequalities (as disclosure control uses them: a relation with a high side
not reported is unusable) break the same rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_intake.filling import fill, sample_values
from hypothesis import given, settings
from hypothesis import strategies as st

import di_eval
from di_eval import dataset, intake, rules
from di_eval import vocabulary as v
from di_eval.analysis import indicators as ind
from di_eval.intake.validation import check_rules

ATVK, YEAR, GROUP = "0170000", 2017, "FT"
SERVICES = rules.services_of(GROUP)

# --- the rules themselves -------------------------------------------------------------------------


def test_any_is_bounded_by_the_largest_service_and_by_the_sum_only_when_every_service_is_reported():
    assert rules.any_range({"a": 3, "b": 5}) == (5, 8)
    assert rules.any_range({"a": 3, "b": None}) == (3, None)
    assert rules.any_range({"a": None, "b": None}) == (None, None)
    assert rules.any_check(9, {"a": 3, "b": None}) is None  # a blank service could hold anyone
    assert rules.any_check(9, {"a": 3, "b": 5}) == (rules.ANY_ABOVE_SUM, 8)
    assert rules.any_check(4, {"a": 3, "b": 5}) == (rules.ANY_BELOW_LARGEST, 5)
    assert rules.any_check(None, {"a": 3}) is None


def test_milestones_out_of_order_are_named_with_the_one_before():
    dates = {"construction_start": dt.date(2020, 5, 1), "construction_end": None, "service_opened": dt.date(2020, 1, 1)}
    assert rules.milestone_order(dates) == [("service_opened", "construction_start")]
    assert rules.milestone_order({"construction_start": dt.date(2020, 1, 1)}) == []


def test_every_bound_names_columns_of_its_table():
    from di_eval.schemas import TABLES

    for bound in rules.ROW_BOUNDS:
        columns = TABLES[bound.table].schema.columns
        assert bound.low in columns and bound.high in columns
        assert bound.finding in intake.MESSAGES


# --- the same numbers through the three ---------------------------------------------------------------


def _form_row(sheet: str, number: int, keys: dict, values: dict) -> intake.FormRow:
    names = [*keys, *values]
    cells = {name: f"{'ABCDE'[i]}{number}" for i, name in enumerate(names)}
    return intake.FormRow(sheet, number, keys, values, cells, {name: name for name in names})


def intake_broken(services: dict, any_values: tuple, needs: tuple) -> set[tuple]:
    """The rules a form with these numbers breaks, by intake's findings."""
    submission = intake.Submission(Path("form.xlsx"), "xlsx", None, ATVK, "Test", YEAR)
    submission.sheets = {
        "services": [
            _form_row("services", 5 + i, {"target_group": GROUP, "service": s}, dict(zip(rules.UNIQUE_MEASURES, x)))
            for i, (s, x) in enumerate(services.items())
        ],
        "new_persons": [
            _form_row("new_persons", 5, {"target_group": GROUP}, dict(zip(rules.UNIQUE_MEASURES, any_values)))
        ],
        "needs_assessments": [
            _form_row(
                "needs_assessments", 5, {"target_group": GROUP}, {"assessments": needs[0], "support_plans": needs[1]}
            )
        ],
    }
    submission.sheet_names = {key: key for key in submission.sheets}
    check_rules(submission)
    found = set()
    for f in submission.findings:
        measure = next(name for name, cell in _cells(submission, f) if cell == f.cell)
        if f.rule in (rules.ANY_BELOW_LARGEST, rules.ANY_ABOVE_SUM):
            found.add((f.rule, measure))
        elif f.sheet == "needs_assessments":
            found.add((f.rule,))
        else:
            row = next(r for r in submission.sheets[f.sheet] if f.cell in r.cells.values())
            found.add((f.rule, row.keys.get("service", rules.ANY)))
    return found


def _cells(submission, finding):
    for rows in submission.sheets.values():
        for row in rows:
            if finding.cell in row.cells.values() and row.sheet == finding.sheet:
                return row.cells.items()
    raise AssertionError(finding)


def _uptake(services: dict, any_values: tuple) -> pd.DataFrame:
    rows = [(s, *x) for s, x in services.items()] + [(rules.ANY, *any_values)]
    frame = pd.DataFrame(
        {
            "year": YEAR,
            "atvk_code": ATVK,
            "target_group": GROUP,
            "service": [r[0] for r in rows],
            "persons_served": pd.array([r[1] for r in rows], dtype="Int64"),
            "persons_new": pd.array([r[2] for r in rows], dtype="Int64"),
        }
    )
    return frame.astype({"year": "Int64"})


def _needs(needs: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.array([YEAR], dtype="Int64"),
            "atvk_code": [ATVK],
            "target_group": [GROUP],
            "assessments": pd.array([needs[0]], dtype="Int64"),
            "support_plans": pd.array([needs[1]], dtype="Int64"),
        }
    )


_TEXTS = {
    "at least the largest single service": rules.ANY_BELOW_LARGEST,
    "must not exceed the sum over services": rules.ANY_ABOVE_SUM,
    "persons_new must not exceed persons_served": "new_exceeds_served",
    "support plans must not exceed needs assessments": "support_exceeds_assessments",
}


def dataset_broken(services: dict, any_values: tuple, needs: tuple, milestones: pd.DataFrame) -> set[tuple]:
    """The rules a dataset with these numbers breaks, by the dataset's problems."""
    uptake = _uptake(services, any_values)
    tables = {"service_uptake": uptake, "needs_assessments": _needs(needs), "infrastructure_milestones": milestones}
    files = {name: name for name in tables}
    found = set()
    for p in dataset.person_rule_problems(tables, files):
        rule = next(r for text, r in _TEXTS.items() if text in p.rule)
        if rule in (rules.ANY_BELOW_LARGEST, rules.ANY_ABOVE_SUM):
            found.add((rule, p.column))
        elif p.file == "needs_assessments":
            found.add((rule,))
        else:
            found.add((rule, uptake.at[p.row - 2, "service"]))
    return found


_KINDS = {
    rules.ANY_AT_LEAST_SERVICE: rules.ANY_BELOW_LARGEST,
    rules.ANY_AT_MOST_SERVICES: rules.ANY_ABOVE_SUM,
    "new_at_most_served": "new_exceeds_served",
    "plans_at_most_assessments": "support_exceeds_assessments",
}


def cube_broken(services: dict, any_values: tuple, needs: tuple, reference) -> set[tuple]:
    """The cube's usable inequalities (as disclosure control uses them) that these numbers break."""
    empty_transitions = reference.transitions.iloc[0:0]
    cube = ind.person_cube(
        _uptake(services, any_values), empty_transitions, _needs(needs), ind.successor_map(reference), [YEAR]
    )
    cells = cube.cells
    values = cells["value"]
    reported = values.notna().to_numpy()
    ineq = cube.inequalities
    found = set()
    for _relation, terms in ineq.groupby("relation"):
        kind = terms["kind"].iloc[0]
        if kind not in _KINDS:
            continue  # across years: the cube alone holds more than one year
        at = terms["cell"].to_numpy()
        if not (cells["scope"].to_numpy()[at] == ATVK).all() or (cells["year"].to_numpy()[at] != YEAR).any():
            continue  # the same numbers again in the 2021 municipality and the region
        high = terms[terms["side"] == "high"]["cell"].to_numpy()
        low = terms[terms["side"] == "low"]["cell"].to_numpy()
        if not reported[high].all():
            continue  # a high side not reported makes the relation unusable
        low = low[reported[low]]
        if len(low) == 0:
            continue
        as_int = values.to_numpy(dtype=float, na_value=np.nan)
        if as_int[low].sum() > as_int[high].sum():
            rule = _KINDS[kind]
            measure = cells["measure"].iloc[low[0]]
            if rule in (rules.ANY_BELOW_LARGEST, rules.ANY_ABOVE_SUM):
                found.add((rule, measure))
            elif kind == "plans_at_most_assessments":
                found.add((rule,))
            else:
                found.add((rule, cells["service"].iloc[low[0]]))
    return found


NO_MILESTONES = pd.DataFrame(
    {
        "project_id": pd.Series([], dtype=str),
        "milestone": pd.Series([], dtype=str),
        "planned_date": pd.Series([], dtype="datetime64[ns]"),
        "actual_date": pd.Series([], dtype="datetime64[ns]"),
    }
)


def all_three(services, any_values, needs, reference) -> tuple[set, set, set]:
    return (
        intake_broken(services, any_values, needs),
        dataset_broken(services, any_values, needs, NO_MILESTONES),
        cube_broken(services, any_values, needs, reference),
    )


def test_one_service_blank_and_any_above_the_sum_of_the_others_is_accepted_by_all_three(sample_dataset):
    # the case the three copies used to disagree on: intake refused, di_eval.load accepted
    services = {"social_rehabilitation": (3, 1), "care": (2, 1), "respite": (None, None), "day_care": (1, 0)}
    assert all_three(services, (9, 2), (4, 3), sample_dataset) == (set(), set(), set())
    # every service reported: now the sum bounds 'any', and all three say so
    services["respite"] = (1, 0)
    expected = {(rules.ANY_ABOVE_SUM, "persons_served")}
    assert all_three(services, (9, 2), (4, 3), sample_dataset) == (expected, expected, expected)


def test_each_rule_broken_once_is_broken_in_all_three(sample_dataset):
    services = {"social_rehabilitation": (3, 5), "care": (2, 1), "respite": (0, 0), "day_care": (1, 0)}
    expected = {
        ("new_exceeds_served", "social_rehabilitation"),
        (rules.ANY_BELOW_LARGEST, "persons_served"),
        (rules.ANY_BELOW_LARGEST, "persons_new"),  # 2 new below the 5 of social rehabilitation
        ("support_exceeds_assessments",),
    }
    assert all_three(services, (2, 2), (1, 3), sample_dataset) == (expected, expected, expected)


count = st.one_of(st.none(), st.integers(0, 6))


@settings(max_examples=25, deadline=None)
@given(
    served=st.lists(count, min_size=len(SERVICES), max_size=len(SERVICES)),
    new=st.lists(count, min_size=len(SERVICES), max_size=len(SERVICES)),
    any_values=st.tuples(count, count),
    needs=st.tuples(count, count),
)
def test_on_random_numbers_the_three_break_the_same_rules(sample_dataset, served, new, any_values, needs):
    services = {s: (a, b) for s, a, b in zip(SERVICES, served, new)}
    by_intake, by_dataset, by_cube = all_three(services, any_values, needs, sample_dataset)
    assert by_intake == by_dataset == by_cube


def test_milestone_order_agrees_between_intake_and_the_dataset():
    dates = {"construction_start": "2021-05-01", "construction_end": "2021-03-01", "service_opened": "2021-04-01"}
    milestones = pd.DataFrame(
        {
            "project_id": "P1",
            "milestone": list(dates),
            "planned_date": pd.to_datetime(list(dates.values())),
            "actual_date": pd.Series([pd.NaT] * 3, dtype="datetime64[ns]"),
        }
    )
    problems = dataset.person_rule_problems(
        {
            "service_uptake": _uptake(dict.fromkeys(SERVICES, (None, None)), (None, None)),
            "needs_assessments": _needs((None, None)),
            "infrastructure_milestones": milestones,
        },
        dict.fromkeys(("service_uptake", "needs_assessments", "infrastructure_milestones"), "f"),
    )
    submission = intake.Submission(Path("form.xlsx"), "xlsx", None, ATVK, "Test", YEAR)
    submission.sheets = {
        "infrastructure": [
            _form_row(
                "infrastructure",
                5 + i,
                {"project_id": "P1", "milestone": m},
                {"planned_date": dt.date.fromisoformat(d), "actual_date": None},
            )
            for i, (m, d) in enumerate(dates.items())
        ]
    }
    submission.sheet_names = {"infrastructure": "infrastructure"}
    check_rules(submission)
    by_dataset = {milestones.at[p.row - 2, "milestone"] for p in problems}
    by_intake = {
        next(r.keys["milestone"] for r in submission.sheets["infrastructure"] if r.cells["planned_date"] == f.cell)
        for f in submission.findings
    }
    assert by_dataset == by_intake == {"construction_end"}


# --- end to end: a real form, validated, ingested and loaded --------------------------------------------


@pytest.fixture
def blank_service_form(tmp_path, sample_dataset):
    atvk, year = "0640600", 2020
    values = sample_values(sample_dataset, atvk, year)
    group = "GRT"
    services = [k for k in values["services"] if k[0] == group]
    for key in services[1:]:
        values["services"][key] = {"persons_served": 1, "persons_new": 0}
    values["services"][services[0]] = {"persons_served": None, "persons_new": None}
    # above the sum of the reported services (and at least each of them)
    values["new_persons"][(group,)] = {"persons_served": len(services) + 5, "persons_new": 0}
    path = tmp_path / "form.xlsx"
    intake.write_form(path, atvk, year)
    fill(path, values)
    return path


def test_a_form_with_a_blank_service_and_any_above_the_others_is_validated_ingested_and_loaded(
    blank_service_form, sample_copy
):
    assert intake.read_form(blank_service_form).findings == []
    intake.ingest([blank_service_form], sample_copy, replace=True)
    loaded = di_eval.load(sample_copy)
    uptake = loaded.service_uptake
    row = uptake[(uptake["atvk_code"] == "0640600") & (uptake["year"] == 2020) & (uptake["target_group"] == "GRT")]
    assert row.loc[row["service"] == rules.ANY, "persons_served"].iloc[0] > row.loc[
        row["service"] != rules.ANY, "persons_served"
    ].sum(min_count=1)
    assert set(v.GROUP_SERVICES["GRT"]) <= set(row["service"])
