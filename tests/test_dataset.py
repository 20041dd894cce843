"""Every schema and cross-table rule rejects a crafted bad table, naming file, row and column."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import di_eval
from di_eval import DataValidationError


def problems_of(path):
    with pytest.raises(DataValidationError) as caught:
        di_eval.load(path)
    return caught.value.problems


def first_row(path, **match):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    hit = frame.index[(frame[list(match)] == pd.Series(match)).all(axis=1)]
    return int(hit[0]) + 2


@pytest.mark.parametrize(
    "table, column, value, rule",
    [
        ("service_uptake", "year", "2016", "year must be within 2017–2023"),
        ("service_uptake", "year", "2024", "year must be within 2017–2023"),
        ("service_uptake", "target_group", "XX", "target group must be one of"),
        ("service_uptake", "service", "massage", "service must be one of"),
        ("service_uptake", "persons_served", "-3", "must not be negative"),
        ("service_uptake", "persons_served", "2.5", "must be a whole number"),
        ("service_uptake", "persons_served", "many", "must be a whole number"),
        ("service_uptake", "atvk_code", "123", "ATVK code must be 7 digits"),
        ("transitions", "transition", "teleport", "transition must be one of"),
        ("needs_assessments", "target_group", "BSAC", "target group must be one of"),
        ("finance", "fund", "lottery", "fund must be one of"),
        ("finance", "planned_eur", "lots", "must be a number"),
        ("infrastructure_milestones", "planned_date", "2020-13-45", "must be a date"),
        ("submissions", "status", "lost", "status must be one of"),
        ("infrastructure_projects", "facility_types", "castle", "facility types must be"),
    ],
)
def test_schema_rule_rejects_bad_cell(sample_copy, edit, table, column, value, rule):
    path = sample_copy / f"{table}.csv"
    edit(path, 5, column, value)
    problems = problems_of(sample_copy)
    hits = [p for p in problems if p.file == str(path) and p.column == column and rule in p.rule]
    assert hits, problems
    assert hits[0].row == 5


def test_every_problem_is_reported_at_once(sample_copy, edit):
    edit(sample_copy / "service_uptake.csv", 3, "year", "1999")
    edit(sample_copy / "service_uptake.csv", 7, "persons_new", "x")
    edit(sample_copy / "transitions.csv", 4, "persons", "-1")
    problems = problems_of(sample_copy)
    where = {(p.file.rsplit("/", 1)[-1], p.row, p.column) for p in problems}
    assert {
        ("service_uptake.csv", 3, "year"),
        ("service_uptake.csv", 7, "persons_new"),
        ("transitions.csv", 4, "persons"),
    } <= where


def test_missing_column_and_missing_file(sample_copy):
    frame = pd.read_csv(sample_copy / "transitions.csv", dtype=str)
    frame.drop(columns="persons").to_csv(sample_copy / "transitions.csv", index=False)
    (sample_copy / "activities.csv").unlink()
    problems = problems_of(sample_copy)
    assert any(p.column == "persons" and p.rule == "column is missing" for p in problems)
    assert any(p.file.endswith("activities.csv") and p.rule == "file is missing" for p in problems)


def test_unknown_municipality_code(sample_copy, edit):
    edit(sample_copy / "transitions.csv", 2, "atvk_code", "0999999")
    problems = problems_of(sample_copy)
    assert [(p.row, p.column, p.value) for p in problems if "unknown municipality" in p.rule] == [
        (2, "atvk_code", "0999999")
    ]


def test_new_may_not_exceed_served(sample_copy, edit):
    path = sample_copy / "service_uptake.csv"
    row = first_row(path, service="care", target_group="FT", year="2019", atvk_code="0170000")
    edit(path, row, "persons_new", "999")
    problems = problems_of(sample_copy)
    assert any(
        p.row == row and p.column == "persons_new" and "must not exceed persons_served" in p.rule for p in problems
    )


def test_any_must_cover_largest_service(sample_copy, edit):
    path = sample_copy / "service_uptake.csv"
    row = first_row(path, service="any", target_group="FT", year="2019", atvk_code="0170000")
    edit(path, row, "persons_served", "1")
    edit(path, row, "persons_new", "0")
    problems = problems_of(sample_copy)
    assert any(p.row == row and "at least the largest single service" in p.rule for p in problems)


def test_service_must_fit_target_group(sample_copy, edit):
    path = sample_copy / "service_uptake.csv"
    row = first_row(path, service="respite", target_group="FT", year="2018", atvk_code="0170000")
    edit(path, row, "target_group", "BSAC")
    problems = problems_of(sample_copy)
    assert any(p.row == row and "not one the plan gives to target group BSAC" in p.rule for p in problems)


def test_fund_parts_must_add_up(sample_copy, edit):
    path = sample_copy / "finance.csv"
    row = first_row(path, fund="total")
    edit(path, row, "paid_eur", "1.00")
    problems = problems_of(sample_copy)
    assert any(p.row == row and p.column == "paid_eur" and "sum of the funds" in p.rule for p in problems)


def test_milestones_must_be_in_order(sample_copy, edit):
    path = sample_copy / "infrastructure_milestones.csv"
    row = first_row(path, project_id="KUL-1", milestone="service_opened")
    edit(path, row, "planned_date", "2010-01-01")
    problems = problems_of(sample_copy)
    assert any(
        p.row == row and p.column == "planned_date" and "before an earlier milestone" in p.rule for p in problems
    )


def test_support_plans_not_more_than_assessments(sample_copy, edit):
    path = sample_copy / "needs_assessments.csv"
    edit(path, 2, "support_plans", "500")
    problems = problems_of(sample_copy)
    assert any(p.row == 2 and p.column == "support_plans" for p in problems)


def test_duplicate_key(sample_copy):
    path = sample_copy / "transitions.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    problems = problems_of(sample_copy)
    assert any("duplicate key" in p.rule and p.row == len(frame) + 2 for p in problems)


def test_blank_is_not_reported_and_distinct_from_zero(sample_dataset):
    uptake = sample_dataset.service_uptake
    assert uptake["persons_served"].isna().any()  # the missing submission
    assert (uptake["persons_served"] == 0).any()


def test_dataset_is_read_only(sample_dataset):
    uptake = sample_dataset.service_uptake
    before = sample_dataset.service_uptake["persons_served"].sum()
    uptake.loc[:, "persons_served"] = 10_000
    assert sample_dataset.service_uptake["persons_served"].sum() == before
    with pytest.raises(TypeError):
        sample_dataset.tables["x"] = uptake
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_dataset.fingerprint = "changed"


def test_error_pickles_for_process_pools(sample_copy, edit):
    import pickle

    edit(sample_copy / "transitions.csv", 2, "persons", "-1")
    with pytest.raises(DataValidationError) as caught:
        di_eval.load(sample_copy)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems


def test_raw_files_unchanged_by_loading(sample_copy):
    before = {p.name: p.read_bytes() for p in sample_copy.glob("*.csv")}
    di_eval.load(sample_copy)
    assert before == {p.name: p.read_bytes() for p in sample_copy.glob("*.csv")}


def test_any_upper_bound_only_when_every_service_is_reported(sample_copy, edit):
    path = sample_copy / "service_uptake.csv"
    # blank one service of a group: 'any' may then exceed the sum of the reported ones
    for service in ("social_rehabilitation", "respite"):
        row = first_row(path, service=service, target_group="FT", year="2019", atvk_code="0170000")
        edit(path, row, "persons_served", "")
        edit(path, row, "persons_new", "")
    di_eval.load(sample_copy)
