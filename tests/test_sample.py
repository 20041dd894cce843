"""The synthetic sample: deterministic, plausible, and calibrated to the published figures."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

import di_eval
from di_eval import paths, sample


def test_committed_sample_is_what_the_generator_writes(tmp_path):
    out = sample.generate(tmp_path / "again")
    names = sorted(p.name for p in paths.SAMPLE_DIR.glob("*.csv"))
    assert names == sorted(p.name for p in out.glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(paths.SAMPLE_DIR, out, names, shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_other_numbers_but_the_same_calibration(tmp_path):
    out = sample.generate(tmp_path / "other", seed=7)
    assert not filecmp.cmp(out / "service_uptake.csv", paths.SAMPLE_DIR / "service_uptake.csv", shallow=False)
    check_public_figures(di_eval.load(out))


def check_public_figures(dataset):
    uptake = dataset.service_uptake
    figures = dataset.public_figures
    assert len(figures) == 7
    for fig in figures.itertuples():
        if fig.measure == "persons_served":
            rows = uptake[
                (uptake["year"] == fig.year)
                & (uptake["target_group"] == fig.target_group)
                & (uptake["service"] == fig.service)
            ]
            value = rows["persons_served"].sum()
        elif fig.measure == "persons_cumulative":
            rows = uptake[
                (uptake["year"] <= fig.as_of.year)
                & (uptake["target_group"] == fig.target_group)
                & (uptake["service"] == fig.service)
            ]
            value = rows["persons_new"].sum()
        else:
            rows = uptake[(uptake["year"] == fig.year) & (uptake["service"] == "any")]
            value = (rows.groupby("atvk_code")["persons_served"].sum() > 0).sum()
        if fig.comparison == "eq":
            assert value == fig.value, fig
        else:
            assert value > fig.value, fig


def test_sample_reproduces_the_published_figures(sample_dataset):
    check_public_figures(sample_dataset)


def test_sample_is_plausible(sample_dataset):
    uptake = sample_dataset.service_uptake
    assert uptake["atvk_code"].nunique() == 20
    assert sorted(uptake["year"].unique()) == list(range(2017, 2024))
    served = uptake.loc[uptake["service"] == "any", "persons_served"].dropna()
    assert ((served >= 1) & (served <= 4)).sum() > 20, "small counts for disclosure control to act on"
    assert (served == 0).sum() > 20
    by_place = uptake[uptake["service"] == "any"].groupby("atvk_code")["persons_new"].sum()
    assert by_place["0170000"] > by_place["0624200"], "Liepāja has more clients than Alsunga"


def test_synthetic_values_are_marked(sample_dataset):
    projects = sample_dataset.infrastructure_projects.set_index("project_id")
    assert "cost_total_eur" in projects.at["KUL-1", "synthetic_fields"]
    assert "cost_total_eur" not in str(projects.at["PRI-1", "synthetic_fields"])
    assert projects.at["PRI-1", "erdf_eur"] == pytest.approx(176166.75)
    milestones = sample_dataset.infrastructure_milestones.set_index(["project_id", "milestone"])
    assert milestones.at[("VEN-1", "service_opened"), "actual_date"] == pd.Timestamp("2021-03-15")
    assert milestones.at[("KUL-1", "service_opened"), "source"] == "synthetic"


def test_finance_matches_public_totals(sample_dataset):
    finance = sample_dataset.finance
    totals = finance[finance["fund"] == "total"].groupby("programme")["planned_eur"].sum()
    assert totals["ESF_services"] == pytest.approx(6_600_000, abs=50)
    assert totals["ERDF_infrastructure"] == pytest.approx(7_300_000, abs=50)


def test_national_scale(tmp_path):
    out = sample.generate(tmp_path / "national", scale="national")
    dataset = di_eval.load(out)
    assert 110 <= dataset.municipalities.shape[0] <= 125
    assert dataset.service_uptake["atvk_code"].nunique() == dataset.municipalities.shape[0]
    assert dataset.public_figures.empty  # Kurzeme's press releases are not about a synthetic country


def test_generation_is_atomic_on_failure(tmp_path, monkeypatch):
    out = sample.generate(tmp_path / "data")
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sample, "activities", broken)
    with pytest.raises(RuntimeError):
        sample.generate(out, seed=99)
    assert before == {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert [p.name for p in tmp_path.iterdir()] == ["data"], "no staging folder left behind"
