"""Indicators on a tiny hand-made dataset whose every figure is worked out by hand below."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import di_eval
from di_eval import paths
from di_eval.analysis import indicators as ind
from di_eval.errors import ChoiceError, DiEvalError

A, B, C = "0100001", "0100002", "0100003"  # A and B merge into LV-901 in 2021; C is the city LV-902

TINY = {
    "reference/municipalities.csv": f"""atvk_code,name,name_short,kind,successor_2021,successor_iso,population,population_year,population_source,source
{A},Augšas novads,Augša,novads,Jaunais novads,LV-901,,,,test
{B},Bejas novads,Beja,novads,Jaunais novads,LV-901,,,,test
{C},Celmi,Celmi,republikas_pilseta,Celmi,LV-902,,,,test
""",
    "reference/municipalities_2021.csv": """iso_code,name,name_short,kind,source
LV-901,Jaunais novads,Jaunais,novads,test
LV-902,Celmi,Celmi,valstspilseta,test
""",
    "reference/plan_versions.csv": """plan_version,in_force_from,name_lv,name_en,source
2017-10-05,2017-10-05,Plāns,Plan,test
2020-01-15,2020-01-15,Plāns 2020,Plan 2020,test
""",
    "reference/targets.csv": """plan_version,scope,target,value,source
2017-10-05,region,FT,90,test
2017-10-05,region,GRT,40,test
2017-10-05,region,VSAC,3,test
2020-01-15,region,FT,90,test
2020-01-15,region,GRT,40,test
2020-01-15,region,VSAC,5,test
""",
    "reference/infrastructure_plan.csv": f"""plan_version,atvk_code,source
2017-10-05,{A},test
2017-10-05,{B},test
2020-01-15,{A},test
""",
    "service_uptake.csv": f"""year,atvk_code,target_group,service,persons_served,persons_new
2017,{A},FT,social_rehabilitation,6,6
2017,{A},FT,care,2,2
2017,{A},FT,any,7,7
2017,{B},FT,social_rehabilitation,3,3
2017,{B},FT,care,0,0
2017,{B},FT,any,3,3
2017,{C},FT,social_rehabilitation,10,10
2017,{C},FT,care,5,5
2017,{C},FT,any,12,12
2018,{A},FT,social_rehabilitation,8,4
2018,{A},FT,care,2,1
2018,{A},FT,any,9,5
2018,{B},FT,social_rehabilitation,0,0
2018,{B},FT,care,0,0
2018,{B},FT,any,0,0
2018,{C},FT,social_rehabilitation,12,4
2018,{C},FT,care,6,2
2018,{C},FT,any,15,6
2019,{A},FT,social_rehabilitation,,
2019,{A},FT,care,,
2019,{A},FT,any,,
2019,{B},FT,social_rehabilitation,1,1
2019,{B},FT,care,0,0
2019,{B},FT,any,1,1
2019,{C},FT,social_rehabilitation,11,3
2019,{C},FT,care,4,1
2019,{C},FT,any,13,4
2017,{A},GRT,social_rehabilitation,4,4
2017,{A},GRT,any,4,4
2017,{C},GRT,social_rehabilitation,6,6
2017,{C},GRT,any,6,6
""",
    "transitions.csv": f"""year,atvk_code,transition,persons
2017,{A},vsac_to_municipality,0
2017,{B},vsac_to_municipality,0
2017,{C},vsac_to_municipality,0
2018,{A},vsac_to_municipality,1
2019,{C},vsac_to_municipality,2
2019,{C},bsac_to_family_like_care,0
""",
    "needs_assessments.csv": f"""year,atvk_code,target_group,assessments,support_plans
2017,{A},FT,5,4
2017,{C},FT,8,8
2018,{A},FT,2,1
""",
    "infrastructure_projects.csv": f"""project_id,atvk_code,facility_types,target_groups,name,address,places_planned,places_created,cost_total_eur,erdf_eur,notes,source,synthetic_fields
P1,{A},day_care_centre,FT,Dienas centrs,,10,8,1000,850,,test,
P2,{B},group_apartment,GRT,Grupu dzīvokļi,,6,,,,,test,
""",
    "infrastructure_milestones.csv": """project_id,milestone,planned_date,actual_date,source
P1,construction_start,2018-03-01,2018-04-01,test
P1,construction_end,2019-06-30,2019-06-15,test
P1,service_opened,2019-09-01,2020-02-01,test
""",
    "finance.csv": f"""programme,year,atvk_code,fund,planned_eur,contracted_eur,paid_eur
ESF_services,2017,{A},ESF,100,90,80
ESF_services,2017,{A},state,20,18,16
ESF_services,2017,{A},total,120,108,96
ESF_services,2018,{A},ESF,100,100,50
ESF_services,2018,{A},state,20,20,10
ESF_services,2018,{A},total,120,120,60
ESF_services,2017,{C},ESF,50,50,50
ESF_services,2017,{C},state,10,10,10
ESF_services,2017,{C},total,60,60,60
""",
    "activities.csv": """year,activity,events,participants
2017,integration_camp,1,20
""",
    "submissions.csv": f"""atvk_code,year,due_date,received_date,status,file,sha256
{A},2017,2018-01-31,2018-01-20,received,,
{B},2017,2018-01-31,2018-02-10,late,,
{C},2017,2018-01-31,2018-01-25,received,,
{A},2018,2019-01-31,2019-01-10,received,,
{B},2018,2019-01-31,,missing,,
{C},2018,2019-01-31,2019-01-05,replaced,,
{C},2018,2019-01-31,2019-02-20,late,,
""",
}


def write_tiny(folder: Path) -> Path:
    """Write the tiny dataset (with its own reference folder) and return its folder."""
    (folder / "reference").mkdir(parents=True)
    for name in ("funding.csv", "events.csv", "baseline.csv", "public_figures.csv"):
        shutil.copy(paths.REFERENCE_DIR / name, folder / "reference" / name)
    for name, text in TINY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return di_eval.load(write_tiny(tmp_path_factory.mktemp("tiny")))


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def cell(cells: pd.DataFrame, **key):
    rows = cells
    for column, value in key.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, key
    value = rows["value"].iloc[0]
    return None if pd.isna(value) else int(value)


# --- dates and choices ------------------------------------------------------------------------


def test_as_of_accepts_strings_and_dates_within_the_plan():
    assert ind.parse_as_of("2020-12-31") == day("2020-12-31")
    assert ind.parse_as_of(dt.date(2017, 1, 1)) == day("2017-01-01")
    assert ind.parse_as_of(pd.Timestamp("2023-12-31 15:00")) == day("2023-12-31")


@pytest.mark.parametrize("value", ["2016-12-31", "2024-01-01", "last year", None, 2020])
def test_as_of_outside_the_plan_names_the_valid_range(value):
    with pytest.raises(ChoiceError) as err:
        ind.parse_as_of(value)
    assert "2017-01-01 to 2023-12-31" in str(err.value)


def test_structure_must_be_2017_or_2021():
    assert ind.check_structure(2021) == "2021"
    with pytest.raises(ChoiceError) as err:
        ind.check_structure("2019")
    assert err.value.choices == ["2017", "2021"]


def test_complete_years_are_those_whose_31_december_has_passed():
    assert ind.complete_years(day("2019-12-30")) == [2017, 2018]
    assert ind.complete_years(day("2019-12-31")) == [2017, 2018, 2019]
    assert ind.complete_years(day("2017-06-30")) == []


# --- person counts --------------------------------------------------------------------------------


def test_counts_add_up_from_municipalities_to_2021_and_the_region(tiny):
    cells = ind.person_counts(
        tiny.service_uptake, tiny.transitions, tiny.needs_assessments, ind.successor_map(tiny), [2017, 2018, 2019]
    )
    served = dict(table="uptake", measure="persons_served", group="FT", service="any")
    assert cell(cells, scope="region", year=2017, **served) == 7 + 3 + 12
    assert cell(cells, scope="LV-901", year=2017, **served) == 7 + 3
    assert cell(cells, scope="LV-902", year=2017, **served) == 12
    # A did not report 2019: A stays blank, the totals add up what was reported
    assert cell(cells, scope=A, year=2019, **served) is None
    assert cell(cells, scope="LV-901", year=2019, **served) == 1
    assert cell(cells, scope="region", year=2019, **served) == 1 + 13


def test_cumulative_is_the_sum_of_new_persons_never_of_served(tiny):
    cells = ind.person_counts(
        tiny.service_uptake, tiny.transitions, tiny.needs_assessments, ind.successor_map(tiny), [2017, 2018, 2019]
    )
    cum = dict(table="uptake", measure="persons_cumulative", year=ind.CUMULATIVE, group="FT")
    assert cell(cells, scope=A, service="any", **cum) == 7 + 5
    assert cell(cells, scope=B, service="any", **cum) == 3 + 0 + 1
    assert cell(cells, scope=C, service="any", **cum) == 12 + 6 + 4
    assert cell(cells, scope="region", service="any", **cum) == 12 + 4 + 22
    assert cell(cells, scope="region", service="social_rehabilitation", **cum) == (6 + 4) + (3 + 0 + 1) + (10 + 4 + 3)
    moves = dict(table="transitions", measure="persons_cumulative", year=ind.CUMULATIVE)
    assert cell(cells, scope="region", group="vsac_to_municipality", **moves) == 1 + 2


def test_every_relation_of_the_cube_holds_on_the_true_counts(tiny):
    cube = ind.person_cube(
        tiny.service_uptake, tiny.transitions, tiny.needs_assessments, ind.successor_map(tiny), [2017, 2018, 2019]
    )
    values = cube.cells["value"].to_numpy(dtype=float, na_value=0.0)
    eq = cube.equalities.assign(signed=lambda d: np.where(d["role"] == "total", 1.0, -1.0) * values[d["cell"]])
    assert eq.groupby("relation")["signed"].sum().abs().max() == 0
    ineq = cube.inequalities.assign(signed=lambda d: np.where(d["side"] == "low", 1.0, -1.0) * values[d["cell"]])
    assert (ineq.groupby("relation")["signed"].sum() <= 0).all()
    # each kind of relation is there
    assert set(cube.inequalities["kind"]) == {
        "any_at_least_service",
        "any_at_most_services",
        "new_at_most_served",
        "served_at_most_new_so_far",
        "plans_at_most_assessments",
    }
    # a total is an aggregate scope or a cumulative; a 2017 municipality's year is only ever a part
    totals = cube.cells.iloc[cube.equalities.loc[cube.equalities["role"] == "total", "cell"].to_numpy()]
    assert ((totals["scope"].isin(["region", "LV-901", "LV-902"])) | (totals["year"] == ind.CUMULATIVE)).all()


# --- plan versions, targets, progress ------------------------------------------------------------


def test_the_plan_version_switches_on_its_exact_day(tiny):
    versions = tiny.plan_versions
    assert ind.plan_version_at(versions, day("2020-01-14")) == "2017-10-05"
    assert ind.plan_version_at(versions, day("2020-01-15")) == "2020-01-15"
    # before the first version came into force, the approved plan (covering 2017) applies
    assert ind.plan_version_at(versions, day("2017-03-01")) == "2017-10-05"


def test_target_history_shows_earlier_versions_and_what_changed(tiny):
    history = ind.target_history(tiny, day("2020-06-30"))
    vsac = history[history["target"] == "VSAC"]
    assert vsac["value"].tolist() == [3, 5]
    assert vsac["changed"].tolist() == [False, True]
    assert not history[history["target"] == "FT"]["changed"].any()
    before = ind.target_history(tiny, day("2019-12-31"))
    assert set(before["plan_version"]) == {"2017-10-05"}


def test_a_missing_target_is_a_clear_error(tiny):
    history = ind.target_history(tiny, day("2020-06-30"))
    history = history[~((history["plan_version"] == "2020-01-15") & (history["target"] == "GRT"))]
    with pytest.raises(DiEvalError) as err:
        ind.targets_in_force(history, "2020-01-15")
    assert "2020-01-15" in str(err.value) and "GRT" in str(err.value) and "FT, VSAC" in str(err.value)


def test_expected_rate_is_the_share_of_days_elapsed():
    total = (day("2023-12-31") - day("2017-01-01")).days + 1
    assert ind.expected_rate(day("2017-01-01")) == pytest.approx(1 / total)
    assert ind.expected_rate(day("2019-12-31")) == pytest.approx(1095 / total)
    assert ind.expected_rate(day("2023-12-31")) == 1.0


@pytest.mark.parametrize(
    ("ratio", "status"),
    [(1.5, "ahead"), (1.10, "ahead"), (1.0999, "on_track"), (0.90, "on_track"), (0.8999, "at_risk"),
     (0.70, "at_risk"), (0.6999, "behind"), (0.0, "behind")],
)  # fmt: skip
def test_status_bands_have_no_gaps(ratio, status):
    assert ind.status_band(ratio * 0.4, 0.4) == status


def test_status_without_a_rate_or_before_anything_is_expected():
    assert ind.status_band(None, 0.5) is None
    assert ind.status_band(0.1, 0.0) == "ahead"
    assert ind.status_band(0.0, 0.0) == "on_track"


# --- infrastructure --------------------------------------------------------------------------------


def test_milestones_planned_against_actual(tiny):
    table = ind.milestones(tiny, day("2019-12-31"), {A: A, B: B, C: C}).set_index("milestone")
    assert table.loc["construction_start", "status"] == "done_late"
    assert table.loc["construction_start", "slippage_days"] == 31
    assert table.loc["construction_end", "status"] == "done_on_time"
    assert table.loc["construction_end", "slippage_days"] == -15
    # opened after as_of: not known yet, and overdue since 1 Sep 2019
    assert pd.isna(table.loc["service_opened", "actual_date"])
    assert table.loc["service_opened", "status"] == "overdue"
    assert table.loc["service_opened", "slippage_days"] == 121
    later = ind.milestones(tiny, day("2020-12-31"), {A: A}).set_index("milestone")
    assert later.loc["service_opened", "status"] == "done_late"
    assert later.loc["service_opened", "slippage_days"] == 153
    early = ind.milestones(tiny, day("2018-01-01"), {A: A}).set_index("milestone")
    assert set(early["status"]) == {"not_due"}


def test_project_status_places_and_the_plan_change(tiny):
    as_of = day("2019-12-31")
    scope_of = {A: A, B: B, C: C}
    projects = ind.infrastructure(tiny, as_of, scope_of, ind.milestones(tiny, as_of, scope_of)).set_index("project_id")
    assert projects.loc["P1", "status"] == "built" and projects.loc["P1", "places_created"] == 8
    assert projects.loc["P2", "status"] == "planned" and projects.loc["P2", "places_created"] == 0
    assert projects.loc["P2", "in_plan_current"] and projects.loc["P2", "in_plan_2017"]
    as_of = day("2020-12-31")
    projects = ind.infrastructure(tiny, as_of, scope_of, ind.milestones(tiny, as_of, scope_of)).set_index("project_id")
    assert projects.loc["P1", "status"] == "in_service"
    assert projects.loc["P2", "status"] == "dropped"
    assert not projects.loc["P2", "in_plan_current"] and projects.loc["P2", "in_plan_2017"]
    changes = ind.infrastructure_plan_changes(tiny, as_of)
    assert changes[["atvk_code", "change"]].values.tolist() == [[B, "removed"]]
    assert ind.infrastructure_plan_changes(tiny, day("2019-12-31")).empty


# --- finance and completeness ----------------------------------------------------------------------


def test_finance_adds_up_and_absorption_is_paid_over_planned(tiny):
    finance = ind.finance(tiny, [2017, 2018], ind.successor_map(tiny)).set_index(["scope", "fund"])
    assert finance.loc[(A, "total"), "planned_eur"] == 240
    assert finance.loc[(A, "total"), "absorption_rate"] == pytest.approx(156 / 240)
    assert finance.loc[("LV-901", "total"), "paid_eur"] == 156
    assert finance.loc[("region", "total"), "planned_eur"] == 300
    assert finance.loc[("region", "ESF"), "absorption_rate"] == pytest.approx((80 + 50 + 50) / 250)
    only_2017 = ind.finance(tiny, [2017], ind.successor_map(tiny)).set_index(["scope", "fund"])
    assert only_2017.loc[("region", "total"), "paid_eur"] == 156


def test_completeness_counts_expected_received_late_and_missing(tiny):
    table = ind.completeness(tiny, [2017, 2018], ind.successor_map(tiny)).set_index(["scope", "year"])
    assert table.loc[("region", 2017)].to_dict() == {
        "expected": 3,
        "received": 3,
        "on_time": 2,
        "late": 1,
        "missing": 0,
    }
    # C's replaced file does not count; its later file arrived late. B never sent 2018.
    assert table.loc[("region", 2018)].to_dict() == {
        "expected": 3,
        "received": 2,
        "on_time": 1,
        "late": 1,
        "missing": 1,
    }
    assert table.loc[("LV-901", 2018)].to_dict() == {
        "expected": 2,
        "received": 1,
        "on_time": 1,
        "late": 0,
        "missing": 1,
    }
    assert table.loc[(C, 2018), "late"] == 1


# --- the catalogue -----------------------------------------------------------------------------------


def test_the_catalogue_documents_every_indicator_in_both_languages():
    from di_eval.analysis.catalogue import CATALOGUE, STATUS_TABLE

    assert CATALOGUE["code"].is_unique
    for column in ("name_lv", "name_en", "definition_lv", "definition_en", "unit", "table"):
        assert CATALOGUE[column].str.len().gt(0).all(), column
    assert set(CATALOGUE["disclosure"]) <= {"suppressed", "derived", "not suppressed"}
    # the status bands meet without gaps, from 0 to infinity
    bands = STATUS_TABLE.sort_values("lowest_ratio")
    assert bands["lowest_ratio"].iloc[0] == 0 and bands["highest_ratio"].iloc[-1] == float("inf")
    assert (bands["highest_ratio"].iloc[:-1].to_numpy() == bands["lowest_ratio"].iloc[1:].to_numpy()).all()


def test_every_catalogue_table_is_an_attribute_of_an_evaluation():
    import dataclasses

    from di_eval.analysis.catalogue import CATALOGUE
    from di_eval.analysis.evaluation import Evaluation

    fields = {f.name for f in dataclasses.fields(Evaluation)}
    assert set(CATALOGUE["table"]) <= fields


def test_the_readme_table_is_the_catalogue():
    from di_eval.analysis.catalogue import markdown

    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown("en") in readme


def test_every_warning_code_is_documented(tiny):
    from di_eval.analysis.catalogue import WARNINGS
    from di_eval.analysis.evaluation import evaluate

    codes: set[str] = set()
    for as_of in ("2019-12-31", "2020-12-31"):
        codes |= set(evaluate(tiny, as_of, threshold=1).warnings["code"])
    assert codes and codes <= set(WARNINGS["code"])
