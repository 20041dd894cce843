"""Notebook parameters: self-documented, validated before any work, committed notebooks kept thin."""

from __future__ import annotations

import ast
import json

import pytest

from di_eval import ChoiceError, paths
from di_eval.report.parameters import check, parameters_cell

NOTEBOOKS = {"municipality": "municipality.ipynb", "region": "region.ipynb", "explore": "explore.ipynb"}


def cells(name):
    return json.loads((paths.NOTEBOOKS_DIR / NOTEBOOKS[name]).read_text())["cells"]


@pytest.mark.parametrize("kind", NOTEBOOKS)
def test_parameters_cell_is_tagged_and_matches_the_specs(kind):
    tagged = [c for c in cells(kind) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "".join(tagged[0]["source"]) == parameters_cell(kind)


@pytest.mark.parametrize("kind", NOTEBOOKS)
def test_notebooks_are_thin_and_committed_without_outputs(kind):
    for cell in cells(kind):
        if cell["cell_type"] != "code":
            continue
        assert cell["outputs"] == [] and cell["execution_count"] is None
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Try, ast.Lambda)), kind
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value, f"no paths in notebooks: {node.value!r}"


def test_defaults():
    values = check("municipality", {})
    assert values["municipality"] == "Kuldīgas novads" and values["lang"] == "lv"
    assert values["as_of"].isoformat() == "2023-12-31" and values["threshold"] == 5


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(ChoiceError) as caught:
        check("municipality", {"municipalty": "Saldus"})
    text = str(caught.value)
    assert "unknown parameter: 'municipalty'" in text and "municipality (" in text and "as_of (" in text


@pytest.mark.parametrize(
    "value, hint",
    [("2016-12-31", "within 2017-01-01..2023-12-31"), ("2024-01-01", "within"), ("31.12.2020", "YYYY-MM-DD")],
)
def test_bad_date(value, hint):
    with pytest.raises(ChoiceError, match=hint):
        check("region", {"as_of": value})


def test_bad_language_structure_threshold():
    with pytest.raises(ChoiceError, match="lv, en"):
        check("region", {"lang": "de"})
    with pytest.raises(ChoiceError, match="2017, 2021"):
        check("region", {"structure": "2019"})
    with pytest.raises(ChoiceError, match="whole number"):
        check("region", {"threshold": "many"})


def test_types_are_coerced_as_papermill_passes_them():
    values = check("municipality", {"threshold": "3", "structure": 2021, "municipality": "0840200"})
    assert values["threshold"] == 3 and values["structure"] == "2021" and values["municipality"] == "0840200"


def test_names_the_notebook_makes_later_are_not_parameters():
    from di_eval.report.html import Fragment

    assert check("region", {"page": Fragment("x"), "di_eval": ast, "Report": object})["lang"] == "lv"


@pytest.mark.parametrize("kind", NOTEBOOKS)
def test_papermill_reads_every_parameter_with_its_help(kind):
    import papermill

    from di_eval.report.parameters import SPECS

    found = papermill.inspect_notebook(str(paths.NOTEBOOKS_DIR / NOTEBOOKS[kind]))
    assert list(found) == [spec.name for spec in SPECS[kind]]
    for spec in SPECS[kind]:
        assert found[spec.name]["help"] == spec.help
        assert found[spec.name]["inferred_type_name"] == spec.type.__name__


def test_a_misspelt_parameter_suggests_the_right_one():
    with pytest.raises(ChoiceError) as caught:
        check("municipality", {"municipalty": "Saldus"})
    assert caught.value.suggestions == ["municipality"] and "Did you mean: municipality?" in str(caught.value)
    with pytest.raises(ChoiceError) as caught:
        check("region", {"gadi": [2021]})
    assert caught.value.suggestions == []


def test_hints_are_in_latvian_too():
    with pytest.raises(ChoiceError) as caught:
        check("region", {"as_of": "31.12.2020"})
    assert caught.value.hint_lv == "rakstiet to kā GGGG-MM-DD, piemēram, 2020-12-31"
    with pytest.raises(ChoiceError) as caught:
        check("region", {"threshold": 0})
    assert caught.value.hint_lv == "vesels skaitlis, vismaz 1"


def test_a_choice_error_pickles_whole():
    import pickle

    error = ChoiceError("municipality", "Talsi novads", ["Talsu novads"], "h", ["Talsu novads"], "lv h")
    again = pickle.loads(pickle.dumps(error))
    assert (again.suggestions, again.hint_lv, str(again)) == (["Talsu novads"], "lv h", str(error))
