"""The shipped reference facts: complete, consistent, every row sourced."""

from __future__ import annotations

import pandas as pd
import pycountry
import pytest

from di_eval import paths
from di_eval.dataset import read_csv_text, validate_table


@pytest.fixture(scope="module")
def municipalities():
    return read_csv_text(paths.REFERENCE_DIR / "municipalities.csv")


def test_twenty_municipalities_with_unique_codes(municipalities):
    assert len(municipalities) == 20
    assert municipalities["atvk_code"].is_unique
    assert municipalities["name"].is_unique
    assert (municipalities["kind"] == "republikas_pilseta").sum() == 2


def test_every_municipality_has_a_2021_successor_with_a_real_iso_code(municipalities):
    iso = {s.code for s in pycountry.subdivisions.get(country_code="LV")}
    assert municipalities["successor_iso"].notna().all()
    assert set(municipalities["successor_iso"]) <= iso
    assert municipalities["successor_iso"].nunique() == 7
    merged = municipalities.groupby("successor_iso")["name_short"].apply(set)
    assert merged["LV-112"] == {"Aizpute", "Durbe", "Grobiņa", "Nīca", "Pāvilosta", "Priekule", "Rucava", "Vaiņode"}
    assert merged["LV-050"] == {"Kuldīga", "Alsunga", "Skrunda"}


def test_population_is_never_invented(municipalities):
    # a population figure must carry its year and source; none is known publicly here
    known = municipalities["population"].notna()
    assert (municipalities.loc[known, "population_source"].notna()).all()
    assert (municipalities.loc[known, "population_year"].notna()).all()


def test_three_plan_versions_with_their_targets():
    versions = read_csv_text(paths.REFERENCE_DIR / "plan_versions.csv")
    targets = read_csv_text(paths.REFERENCE_DIR / "targets.csv")
    assert versions["plan_version"].tolist() == ["2017-10-05", "2020-01-15", "2023-08-08"]
    table = targets.pivot(index="plan_version", columns="target", values="value").astype(int)
    assert table.loc["2017-10-05"].to_dict() == {"FT": 288, "GRT": 350, "VSAC": 29}
    assert table.loc["2020-01-15"].to_dict() == {"FT": 288, "GRT": 350, "VSAC": 35}
    assert table.loc["2023-08-08"].to_dict() == {"FT": 350, "GRT": 375, "VSAC": 35}


def test_infrastructure_list_went_from_11_to_10_without_dundaga():
    plan = read_csv_text(paths.REFERENCE_DIR / "infrastructure_plan.csv")
    first = set(plan.loc[plan["plan_version"] == "2017-10-05", "atvk_code"])
    later = set(plan.loc[plan["plan_version"] == "2020-01-15", "atvk_code"])
    assert len(first) == 11 and len(later) == 10
    assert first - later == {"0885100"}


def test_funding_figures():
    funding = read_csv_text(paths.REFERENCE_DIR / "funding.csv").set_index("programme")
    assert float(funding.at["ESF_services", "amount_eur"]) == 6_600_000
    assert float(funding.at["ERDF_infrastructure", "amount_eur"]) == 7_300_000


@pytest.mark.parametrize("path", sorted(paths.REFERENCE_DIR.glob("*.csv")), ids=lambda p: p.name)
def test_every_reference_row_has_a_source(path):
    frame = read_csv_text(path)
    assert "source" in frame.columns
    assert frame["source"].notna().all() and (frame["source"].str.strip() != "").all()


@pytest.mark.parametrize("name", ["infrastructure_projects", "infrastructure_milestones"])
def test_public_infrastructure_facts_fit_the_schema(name):
    frame = read_csv_text(paths.REFERENCE_DIR / f"{name}.csv")
    if name == "infrastructure_projects":
        frame = frame.assign(synthetic_fields=pd.NA)
    typed, problems = validate_table(name, frame, name)
    assert problems == []
