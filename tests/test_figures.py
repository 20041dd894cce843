"""`di-eval figures`: the DESIGN.md JSON, after disclosure control, for the region or one municipality."""

from __future__ import annotations

import json

import pytest

from di_eval import vocabulary as v
from di_eval.analysis.evaluation import evaluate
from di_eval.cli import main

KEYS = [
    "scope",
    "name",
    "as_of",
    "structure",
    "plan_version",
    "targets",
    "persons_cumulative",
    "persons_by_year",
    "municipalities_served_by_year",
]


def run_figures(capsys, *args) -> dict:
    assert main(["figures", *args]) == 0
    return json.loads(capsys.readouterr().out)


def published_figure(dataset, measure, group=None, service=None):
    rows = dataset.public_figures
    rows = rows[rows["measure"] == measure]
    if group:
        rows = rows[(rows["target_group"] == group) & (rows["service"] == service)]
    assert len(rows) == 1
    return rows.iloc[0]


def check(value, figure) -> None:
    assert isinstance(value, int), value
    if figure["comparison"] == "eq":
        assert value == figure["value"]
    else:
        assert value > figure["value"]


def test_2019_figures_reproduce_what_the_project_published(capsys, sample_dataset):
    figures = run_figures(capsys, "--as-of", "2019-12-31")
    assert list(figures) == KEYS
    assert figures["scope"] == "region" and figures["as_of"] == "2019-12-31" and figures["structure"] == "2017"
    year = figures["persons_by_year"]["2019"]
    check(year["GRT"]["any"], published_figure(sample_dataset, "persons_served", "GRT", "any"))
    check(year["FT"]["any"], published_figure(sample_dataset, "persons_served", "FT", "any"))
    check(figures["municipalities_served_by_year"]["2019"], published_figure(sample_dataset, "municipalities_served"))


def test_2020_figures_reproduce_the_cumulative_numbers_and_the_targets_in_force(capsys, sample_dataset):
    figures = run_figures(capsys, "--as-of", "2020-12-31")
    for service, group in [("any", "GRT"), ("social_rehabilitation", "FT"), ("care", "FT"), ("respite", "FT")]:
        figure = published_figure(sample_dataset, "persons_cumulative", group, service)
        check(figures["persons_cumulative"][group][service], figure)
    targets = sample_dataset.targets
    in_force = targets[(targets["plan_version"] == "2020-01-15") & (targets["scope"] == "region")]
    assert figures["plan_version"] == "2020-01-15"
    assert figures["targets"] == {t: int(x) for t, x in zip(in_force["target"], in_force["value"])}
    assert figures["targets"]["VSAC"] != run_figures(capsys, "--as-of", "2019-12-31")["targets"]["VSAC"]


def test_values_are_whole_numbers_markers_or_null(capsys):
    figures = run_figures(capsys, "--as-of", "2023-12-31")
    values = [x for group in figures["persons_cumulative"].values() for x in group.values()]
    values += [x for year in figures["persons_by_year"].values() for group in year.values() for x in group.values()]
    assert all(x is None or x in ("<5", "x") or (isinstance(x, int) and (x == 0 or x >= 5)) for x in values)
    assert set(figures["persons_by_year"]) == {str(y) for y in v.YEARS}
    assert list(figures["persons_cumulative"]) == list(v.TARGET_GROUPS)
    assert list(figures["persons_cumulative"]["FT"]) == ["any", *v.GROUP_SERVICES["FT"]]


def test_a_municipality_has_no_targets_and_counts_itself(capsys):
    figures = run_figures(capsys, "--as-of", "2019-12-31", "--municipality", "Alsunga")
    assert figures["scope"] == "0624200" and figures["name"] == "Alsungas novads"
    assert figures["targets"] == {"FT": None, "GRT": None, "VSAC": None}
    assert set(figures["municipalities_served_by_year"].values()) <= {0, 1}
    assert figures["municipalities_served_by_year"]["2019"] == 0  # one of the six not served in 2019


def test_the_2021_structure_and_a_smaller_threshold(capsys):
    figures = run_figures(capsys, "--as-of", "2021-12-31", "--structure", "2021", "--municipality", "Dienvidkurzeme")
    assert figures["scope"] == "LV-112" and figures["structure"] == "2021"
    assert max(int(n) for n in run_figures(capsys, "--as-of", "2021-12-31", "--structure", "2021")[
        "municipalities_served_by_year"].values()) <= 7  # fmt: skip
    small = run_figures(capsys, "--as-of", "2018-12-31", "--threshold", "3", "--municipality", "Ventspils")
    values = [x for group in small["persons_cumulative"].values() for x in group.values()]
    values += [x for year in small["persons_by_year"].values() for group in year.values() for x in group.values()]
    assert "<5" not in values
    assert all(x in ("<3", "x") or x == 0 or x >= 3 for x in values)


def test_the_json_agrees_with_the_evaluation_tables(sample_dataset):
    ev = evaluate(sample_dataset, "2020-12-31")
    figures = ev.figures("Talsi")
    rows = ev.persons_cumulative[ev.persons_cumulative["scope"] == "0880200"]
    for row in rows.itertuples():
        assert figures["persons_cumulative"][row.target_group][row.service] == row.persons
    assert ev.for_scope("Talsi").figures() == figures
    assert json.loads(json.dumps(ev.figures())) == ev.figures()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-of", "2016-12-31"], "2017-01-01 to 2023-12-31"),
        (["--as-of", "2024-01-01"], "2017-01-01 to 2023-12-31"),
        (["--as-of", "2020-12-31", "--municipality", "Atlantis"], "Kuldīgas novads"),
        (["--as-of", "2020-12-31", "--structure", "2019"], "2017, 2021"),
    ],
)
def test_wrong_choices_exit_2_naming_the_valid_ones(capsys, args, expected):
    assert main(["figures", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_broken_dataset_exits_1(capsys, tmp_path):
    assert main(["figures", "--as-of", "2020-12-31", "--data", str(tmp_path / "nothing")]) == 1
    assert "dataset folder not found" in capsys.readouterr().err
