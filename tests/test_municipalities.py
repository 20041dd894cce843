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
