from __future__ import annotations

import pytest

from di_eval import ChoiceError
from di_eval.municipalities import fold, resolve


@pytest.mark.parametrize(
    "name, code",
    [
        ("Kuldīga", "0620200"),
        ("Kuldiga", "0620200"),
        ("KULDĪGAS NOVADA PAŠVALDĪBA", "0620200"),
        ("0620200", "0620200"),
        ("Ventspils", "0270000"),
        ("Ventspils novads", "0980200"),
        ("Liepājas pilsēta", "0170000"),
        ("liepaja", "0170000"),
        ("  Saldus   novads ", "0840200"),
        ("Mērsrags", "0887600"),
        ("mersraga novads", "0887600"),
    ],
)
def test_resolve_2017(sample_dataset, name, code):
    assert resolve(name, sample_dataset.municipalities) == code


@pytest.mark.parametrize(
    "name, code",
    [
        ("Dienvidkurzemes novads", "LV-112"),
        ("Dienvidkurzeme", "LV-112"),
        ("LV-LPX", "LV-LPX"),
        ("Ventspils", "LV-VEN"),
        ("ventspils novads", "LV-106"),
    ],
)
def test_resolve_2021(sample_dataset, name, code):
    assert resolve(name, sample_dataset.municipalities_2021, "2021") == code


def test_unknown_municipality_lists_the_choices(sample_dataset):
    with pytest.raises(ChoiceError) as caught:
        resolve("Rīga", sample_dataset.municipalities)
    text = str(caught.value)
    assert "Rīga" in text and "Kuldīgas novads" in text and "Vaiņodes novads" in text


def test_fold():
    assert fold("Vaiņodes  Novads") == "vainodes novads"


@pytest.mark.parametrize(
    "name, code",
    [
        ("talsu", "0880200"),
        ("Talsu", "0880200"),
        ("Talsi", "0880200"),
        ("Saldus", "0840200"),
        ("Kuldīgas", "0620200"),
        ("kuldigas", "0620200"),
        ("Kuldīga", "0620200"),
        ("Talsu nov.", "0880200"),
        ("Liepājas", "0170000"),
        ("Grobiņas", "0641000"),
        ("VENTSPILS", "0270000"),  # the city: Ventspils novads is named in full
    ],
)
def test_genitive_and_nominative_forms_people_write(sample_dataset, name, code):
    assert resolve(name, sample_dataset.municipalities) == code


@pytest.mark.parametrize("name, code", [("talsu", "LV-097"), ("Kuldīgas", "LV-050"), ("Dienvidkurzemes", "LV-112")])
def test_genitive_forms_in_the_2021_structure(sample_dataset, name, code):
    assert resolve(name, sample_dataset.municipalities_2021, "2021") == code


@pytest.mark.parametrize(
    "name, suggested",
    [("Talsi novads", ["Talsu novads"]), ("Kuldigs", ["Kuldīgas novads"]), ("Sldus", ["Saldus novads"])],
)
def test_a_near_miss_suggests_the_closest_names(sample_dataset, name, suggested):
    with pytest.raises(ChoiceError) as caught:
        resolve(name, sample_dataset.municipalities)
    assert caught.value.suggestions == suggested
    assert f"Did you mean: {suggested[0]}?" in str(caught.value)
    assert caught.value.hint_lv.startswith("struktūra 2017")


def test_nothing_close_suggests_nothing(sample_dataset):
    with pytest.raises(ChoiceError) as caught:
        resolve("Rīga", sample_dataset.municipalities)
    assert caught.value.suggestions == [] and "Did you mean" not in str(caught.value)
