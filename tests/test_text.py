"""The text layer: one way to say a thing in Latvian and English, one percent formatter, CLDR plurals."""

from __future__ import annotations

from pathlib import Path

import pytest

from di_eval import vocabulary as v
from di_eval.analysis import catalogue
from di_eval.errors import ChoiceError
from di_eval.text import LANGUAGES, Text, check_lang, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr

PACKAGE = Path(__file__).resolve().parents[1] / "di_eval"


def test_a_text_is_said_in_the_language_asked_for():
    days = Text("{n} dienas", "{n} days")
    assert days("lv", n=3) == "3 dienas" and days("en", n=3) == "3 days"
    assert Text("Kopsavilkums", "Summary")("lv") == "Kopsavilkums"
    assert tuple(days) == ("{n} dienas", "{n} days")  # a pair underneath: tables of names keep their shape
    with pytest.raises(ChoiceError):
        days("de", n=3)
    assert check_lang("en") == "en" and LANGUAGES == ("lv", "en")


def test_one_percent_formatter_rounds_half_up_everywhere():
    # 36 of 288 is 12.5 %: a reader expects 13 %, in warnings as in tables (round half to even gave 12)
    assert fmt.format_percent(36 / 288, "lv") == "13\u00a0%"
    assert fmt.format_percent(36 / 288, "en") == "13%"
    assert fmt.format_percent(0.125, "lv", decimals=0) == "13\u00a0%"
    assert fmt.format_percent(0.0125, "en", decimals=1) == "1.3%"
    assert fmt.percent_points(36 / 288) == 13
    from di_eval.analysis.evaluation import _percent  # the warnings' messages

    assert _percent(36 / 288, "lv") == fmt.format_percent(36 / 288, "lv")
    assert _percent(36 / 288, "en") == "13%"


def test_no_other_percent_formatting_in_the_package():
    # the rule above holds only if nothing formats a share by itself
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in ("* 100:.0f}", ":.0%}", ":.1%}", "* 100:.1f}"):
            if pattern in source:
                offenders.append(f"{path.relative_to(PACKAGE)}: {pattern}")
    assert offenders == []


@pytest.mark.parametrize(
    ("number", "singular"),
    [(1, True), (21, True), (101, True), (1001, True), (11, False), (111, False), (0, False), (2, False), (10, False)],
)
def test_latvian_agreement_follows_cldr(number, singular):
    assert gr.is_singular(number, "lv") is singular
    assert gr.count_phrase(number, "person", "lv").endswith("persona" if singular else "personas")


def test_english_takes_the_singular_for_one_only_and_fractions_read_as_plurals():
    assert gr.is_singular(1, "en") and not gr.is_singular(21, "en")
    assert not gr.is_singular(1.5, "lv") and not gr.is_singular("<5", "lv") and not gr.is_singular(None, "lv")
    assert gr.count_phrase(21, "child", "en") == "21 children" and gr.count_phrase(21, "child", "lv") == "21 bērns"


def test_a_count_in_both_languages_for_a_message_said_later():
    assert gr.count_text(21, "cell") == Text("21 šūna", "21 cells")
    assert gr.count_text(2, "cell")("lv") == "2 šūnas" and gr.count_text(1, "cell")("en") == "1 cell"
    assert gr.count_text(11, "assessment", "gen")("lv") == "11 izvērtējumu"


def test_the_region_is_named_once():
    assert v.REGION_NAME("lv") == "Kurzemes plānošanas reģions" and v.REGION_NAME("en") == "Kurzeme Planning Region"
    assert terms.scope_name("region", "en") == "Kurzeme Planning Region"
    literal = "Kurzemes plānošanas reģions"
    holders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.parts[-2] in ("report", "charts", "text", "run", "analysis")
        and literal in path.read_text(encoding="utf-8")
    ]
    assert holders == []


def test_the_catalogue_writes_every_entry_in_one_style():
    source = Path(catalogue.__file__).read_text(encoding="utf-8")
    for old_style in ('"name_lv":', '"definition_lv":', '"rule_lv"'):
        assert old_style not in source
    for column in ("name_lv", "name_en", "definition_lv", "definition_en"):
        assert catalogue.CATALOGUE[column].str.len().gt(0).all()
    assert list(catalogue.WARNINGS.columns) == ["code", "importance", "rule_lv", "rule_en"]
    assert not hasattr(catalogue, "describe")


def test_every_vocabulary_name_is_a_text():
    for table in (v.TARGET_GROUPS, v.SERVICES, v.FACILITY_TYPES, v.MILESTONES, v.FUNDS, v.PROGRAMMES):
        assert all(isinstance(name, Text) for name in table.values())
    assert v.label(v.SERVICES, "respite", "en") == "respite" and v.label(v.SERVICES, "respite") == "atelpas brīdis"
