"""The narrative: Latvian agreement and formats on tricky numbers and dates, English, the plan's
terms, the sentence builders, and commentary that can never run script or HTML."""

from __future__ import annotations

import datetime as dt
import math
from html.parser import HTMLParser

import pandas as pd
import pytest
from babel import Locale
from babel.dates import format_date as babel_format_date
from hypothesis import given, settings
from hypothesis import strategies as st

from di_eval import paths
from di_eval import vocabulary as v
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError
from di_eval.report import commentary, sentences
from di_eval.text import LANGUAGES, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr

NBSP = "\u00a0"


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.5, "lv", None, f"1{NBSP}234,5"),
        (1234.5, "en", None, "1,234.5"),
        (1234567, "lv", None, f"1{NBSP}234{NBSP}567"),
        (1234567, "en", None, "1,234,567"),
        (0, "lv", None, "0"),
        (999, "lv", None, "999"),
        (1000, "lv", None, f"1{NBSP}000"),
        (12.0, "lv", None, "12"),
        (2.5, "lv", 0, "3"),  # half up, not half to even
        (3.5, "en", 0, "4"),
        (0.125, "lv", 2, "0,13"),
        (1234.5, "lv", 2, f"1{NBSP}234,50"),
        (-0.4, "lv", 0, "0"),  # never "-0"
        (-1234.5, "en", None, "-1,234.5"),
        ("<5", "lv", None, "<5"),
        ("<5", "en", 0, "<5"),
        (None, "lv", None, "nav iesniegts"),
        (None, "en", None, "not submitted"),
        (float("nan"), "lv", None, "nav iesniegts"),
        (pd.NA, "en", None, "not submitted"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert fmt.format_number(value, lang, decimals) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_latvian_numbers_read_back_and_group_with_no_break_spaces(number):
    text = fmt.format_number(number, "lv")
    assert " " not in text  # an ordinary space would let a line break split the number
    assert int(text.replace(NBSP, "")) == number
    assert int(fmt.format_number(number, "en").replace(",", "")) == number


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=1, allow_nan=False))
def test_latvian_decimals_use_a_comma(number):
    text = fmt.format_number(float(number), "lv", decimals=1)
    assert "." not in text
    assert float(text.replace(NBSP, "").replace(",", ".")) == pytest.approx(float(number))


@pytest.mark.parametrize("bad", ["five", "5", "<", True, object()])
def test_a_value_that_is_not_published_is_an_error(bad):
    with pytest.raises(DiEvalError):
        fmt.format_number(bad, "lv")


@pytest.mark.parametrize(
    "call",
    [lambda: fmt.format_number(1, "de"), lambda: fmt.format_date("2020-01-01", "ru"), lambda: terms.term("FT", "")],
)
def test_only_latvian_and_english(call):
    with pytest.raises(ChoiceError) as err:
        call()
    assert "lv" in str(err.value) and "en" in str(err.value)


@pytest.mark.parametrize(
    ("rate", "lang", "expected"),
    [
        (0.45, "lv", f"45{NBSP}%"),
        (0.45, "en", "45%"),
        (0.2649, "lv", f"26{NBSP}%"),
        (0.265, "lv", f"27{NBSP}%"),
        (1.234, "en", "123%"),
        (0, "lv", f"0{NBSP}%"),
        (None, "lv", "nav aprēķināms"),
        (None, "en", "not computable"),
        (float("nan"), "lv", "nav aprēķināms"),
    ],
)
def test_format_percent(rate, lang, expected):
    assert fmt.format_percent(rate, lang) == expected


def test_format_percent_with_a_dash_for_blanks_and_decimals():
    assert fmt.format_percent(None, "lv", empty="—") == "—"
    assert fmt.format_percent(0.4567, "lv", decimals=1) == f"45,7{NBSP}%"


def test_money():
    assert fmt.format_money(6_600_000, "lv") == f"6{NBSP}600{NBSP}000{NBSP}EUR"
    assert fmt.format_money(6_600_000, "en") == f"EUR{NBSP}6,600,000"
    assert fmt.format_money(None, "lv") == "nav zināms"
    assert fmt.format_money_short(7_300_000, "lv") == f"7,30{NBSP}milj.{NBSP}EUR"
    assert fmt.format_money_short(7_300_000, "en") == f"EUR{NBSP}7.30m"
    assert fmt.format_money_short(45_600, "lv") == f"46{NBSP}tūkst.{NBSP}EUR"
    assert fmt.format_money_short(450, "en") == f"EUR{NBSP}450"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "lang", "case", "expected"),
    [
        ("2020-12-31", "lv", "nom", "2020. gada 31. decembris"),
        ("2020-12-31", "en", "nom", "31 December 2020"),
        ("2020-12-31", "lv", "dat", "2020. gada 31. decembrim"),
        ("2017-10-05", "lv", "gen", "2017. gada 5. oktobra"),
        ("2020-01-15", "lv", "loc", "2020. gada 15. janvārī"),
        ("2021-04-01", "lv", "gen", "2021. gada 1. aprīļa"),
        ("2020-03-31", "lv", "acc", "2020. gada 31. martu"),
        ("2020-02-29", "lv", "nom", "2020. gada 29. februāris"),
        ("2020-02-29", "en", "dat", "29 February 2020"),
        (dt.date(2023, 8, 8), "lv", "nom", "2023. gada 8. augusts"),
        (pd.Timestamp("2023-07-18"), "lv", "loc", "2023. gada 18. jūlijā"),
        (dt.datetime(2019, 6, 1, 12, 30), "en", "nom", "1 June 2019"),
        (None, "lv", "nom", "nav zināms"),
        (pd.NaT, "en", "nom", "unknown"),
    ],
)
def test_format_date(date, lang, case, expected):
    assert fmt.format_date(date, lang, case) == expected


@pytest.mark.parametrize("month", range(1, 13))
def test_latvian_nominative_dates_are_babels_long_format(month):
    day = dt.date(2021, month, 1)
    assert fmt.format_date(day, "lv") == babel_format_date(day, format="long", locale="lv")
    assert fmt.format_date(day, "lv", "dat").startswith("2021. gada 1. ")
    assert fmt.format_date(day, "lv", "loc")[-1] in "īā"


def test_months_and_years():
    assert fmt.format_month("2020-03-10", "lv") == "2020. gada marts"
    assert fmt.format_month("2020-03-10", "lv", "loc") == "2020. gada martā"
    assert fmt.format_month("2020-03-10", "en") == "March 2020"
    assert fmt.format_year(2020, "lv") == "2020. gads"
    assert fmt.format_year(2020, "lv", "loc") == "2020. gadā"
    assert fmt.format_year("2020", "en") == "2020"
    assert fmt.format_event_date("2015-01-01", "year", "lv") == "2015. gads"
    assert fmt.format_event_date("2015-05-01", "month", "en") == "May 2015"
    assert fmt.format_event_date("2015-05-01", "day", "en") == "1 May 2015"


@pytest.mark.parametrize("bad", ["31.12.2020", "2020-13-01", "soon"])
def test_a_malformed_date_is_a_choice_error(bad):
    with pytest.raises(ChoiceError):
        fmt.format_date(bad, "lv")


def test_an_unknown_case_is_a_choice_error():
    with pytest.raises(ChoiceError):
        fmt.format_date("2020-01-01", "lv", case="vocative")


# --- agreement -----------------------------------------------------------------------------

SINGULAR_LV = [1, 21, 31, 41, 101, 121, 1001, 1_000_001]
PLURAL_LV = [0, 2, 5, 10, 11, 12, 13, 15, 19, 20, 100, 111, 112, 211, 1011]


@pytest.mark.parametrize("number", SINGULAR_LV)
def test_latvian_singular_numbers(number):
    assert gr.plural(number, ("persona", "personas"), "lv") == "persona"


@pytest.mark.parametrize("number", PLURAL_LV)
def test_latvian_plural_numbers(number):
    assert gr.plural(number, ("persona", "personas"), "lv") == "personas"


def test_latvian_agreement_follows_the_cldr_rule_for_every_count_to_2000():
    rule = Locale("lv").plural_form
    for number in range(0, 2001):
        singular = gr.plural(number, ("one", "other"), "lv") == "one"
        assert singular == (rule(number) == "one"), number


def test_english_agreement():
    assert gr.plural(1, ("person", "persons"), "en") == "person"
    assert gr.plural(21, ("person", "persons"), "en") == "persons"
    assert gr.plural(0, ("person", "persons"), "en") == "persons"
    assert gr.plural("<5", ("person", "persons"), "en") == "persons"
    assert gr.plural(1.5, ("day", "days"), "en") == "days"


@pytest.mark.parametrize(
    ("value", "noun", "expected"),
    [
        (1, "person", "1 persona"),
        (21, "person", "21 persona"),
        (11, "person", "11 personas"),
        (2, "person", "2 personas"),
        (1, "child", "1 bērns"),
        (21, "child", "21 bērns"),
        (2, "child", "2 bērni"),
        (1, "municipality", "1 pašvaldība"),
        (14, "municipality", "14 pašvaldības"),
        (1, "day", "1 diena"),
        (5, "day", "5 dienas"),
        (101, "submission", "101 veidlapa"),
        (111, "submission", "111 veidlapas"),
        (1234, "person", f"1{NBSP}234 personas"),
        (1231, "child", f"1{NBSP}231 bērns"),
    ],
)
def test_latvian_noun_phrases(value, noun, expected):
    assert gr.count_phrase(value, noun, "lv") == expected


def test_suppressed_counts_take_the_plural_and_read_as_words_in_prose():
    assert gr.count_phrase("<5", "person", "lv", prose=False) == "<5 personas"
    assert gr.count_phrase("<5", "child", "lv", prose=False) == "<5 bērni"
    assert gr.count_phrase("<5", "person", "lv") == "mazāk nekā 5 personas"
    assert gr.count_phrase("<5", "person", "en") == "fewer than 5 persons"
    assert gr.count_phrase("<10", "child", "en") == "fewer than 10 children"
    assert gr.count_phrase(None, "person", "lv") == "nav iesniegts"
    assert gr.count_phrase("x", "person", "lv", prose=False) == "x personas"
    assert gr.count_phrase("x", "child", "lv", "dat") == "bērniem (skaits nav publicējams)"


def test_cases_of_noun_phrases():
    assert gr.count_phrase(14, "municipality", "lv", "loc") == "14 pašvaldībās"
    assert gr.count_phrase(21, "municipality", "lv", "loc") == "21 pašvaldībā"
    assert gr.count_phrase(21, "day", "lv", "acc") == "21 dienu"
    assert gr.count_phrase(350, "person", "lv", "dat") == "350 personām"
    assert gr.count_phrase(40, "submission", "lv", "gen") == "40 veidlapu"
    with pytest.raises(ChoiceError):
        gr.count_phrase(1, "cat", "lv")


def test_target_group_phrases():
    assert gr.group_phrase("GRT", 91, "lv") == "91 persona ar GRT"
    assert gr.group_phrase("GRT", 57, "lv") == "57 personas ar GRT"
    assert gr.group_phrase("FT", 159, "lv") == "159 bērni ar FT"
    assert gr.group_phrase("FT", 1, "en") == "1 child with FT"
    assert gr.group_phrase("VSAC", 21, "lv") == "21 VSAC „Kurzeme“ iemītnieks"
    assert gr.group_phrase("VSAC", 14, "en") == "14 residents of VSAC “Kurzeme”"
    assert gr.group_noun("FT", "lv", "dat") == "bērniem ar FT"
    assert gr.group_noun("GRT", "en") == "persons with GRT"
    with pytest.raises(ChoiceError):
        gr.group_phrase("XYZ", 1, "lv")


# --- achievement ------------------------------------------------------------------------------


def achievement(target, achieved, target_value, expected_rate=0.57, status="behind", lang="lv", **kwargs):
    rate = achieved / target_value if isinstance(achieved, int) and target_value else None
    return sentences.achievement_sentence(
        target,
        achieved,
        target_value,
        rate,
        expected_rate,
        status,
        kwargs.get("version"),
        kwargs.get("as_of", "2020-12-31"),
        lang,
    )


@pytest.mark.parametrize(
    ("target", "achieved", "phrase"),
    [
        ("GRT", 1, "saņēmusi 1 persona ar GRT"),
        ("GRT", 21, "saņēmusi 21 persona ar GRT"),
        ("GRT", 91, "saņēmusi 91 persona ar GRT"),
        ("GRT", 11, "saņēmušas 11 personas ar GRT"),
        ("GRT", 57, "saņēmušas 57 personas ar GRT"),
        ("FT", 21, "saņēmis 21 bērns ar FT"),
        ("FT", 2, "saņēmuši 2 bērni ar FT"),
        ("FT", 111, "saņēmuši 111 bērni ar FT"),
        ("VSAC", 1, "pārcēlies 1 VSAC „Kurzeme“ iemītnieks"),
        ("VSAC", 14, "pārcēlušies 14 VSAC „Kurzeme“ iemītnieki"),
        ("GRT", "<5", "saņēmušas mazāk nekā 5 personas ar GRT"),
    ],
)
def test_the_participle_agrees_with_the_count(target, achieved, phrase):
    assert phrase in achievement(target, achieved, 350)


def test_achievement_sentence_in_latvian_states_every_number():
    text = achievement("GRT", 91, 350, version="DI plāns, 15.01.2020.")
    assert text.startswith("Līdz 2020. gada 31. decembrim pakalpojumus saņēmusi 91 persona ar GRT")
    assert f"jeb 26{NBSP}% no DI plāna mērķa (350 personas; plāna redakcija: DI plāns, 15.01.2020.)" in text
    assert f"Ņemot vērā pagājušo laiku, bija sagaidāma 57{NBSP}% izpilde" in text
    assert text.endswith("statuss: ▼ atpaliek no plānotā.")
    assert "<" not in text.replace("<5", "")


@pytest.mark.parametrize("expected_rate", [0.21, 0.11, 0.31, 0.5])
def test_the_expected_share_is_said_as_the_expected_fulfilment(expected_rate):
    # "sagaidāma ... izpilde" agrees with "izpilde", whatever the percent (was "sagaidāmi 100 %")
    text = achievement("FT", 100, 288, expected_rate)
    assert f"Ņemot vērā pagājušo laiku, bija sagaidāma {round(expected_rate * 100)}{NBSP}% izpilde" in text
    assert "Pēc laika, kas pagājis" not in text


def test_achievement_sentence_in_english():
    text = achievement("FT", 159, 288, 0.57, "at_risk", lang="en", as_of=dt.date(2021, 3, 31))
    assert text.startswith(
        "By 31 March 2021, 159 children with FT had received services: 55% of the DI plan target (288 children)"
    )
    assert text.endswith("Given the time elapsed, 57% was expected; status: ◆ at risk.")


def test_a_suppressed_achievement_still_reads_well():
    text = achievement("VSAC", "<5", 35, 0.57, None)
    assert "pārcēlušies mazāk nekā 5 VSAC „Kurzeme“ iemītnieki" in text
    assert "; DI plāna mērķis: 35 iemītnieki; sasniegtā daļa nav aprēķināma, jo skaitlis nav publicējams." in text
    assert text.endswith("statuss: ○ nav nosakāms.")
    english = achievement("VSAC", "<5", 35, 0.57, None, lang="en")
    assert "fewer than 5 residents of" in english and "cannot be computed because the figure is suppressed" in english


def test_an_achievement_hidden_by_secondary_suppression_reads_well():
    text = achievement("VSAC", "x", 35, 0.57, None)
    assert text.startswith(
        "Līdz 2020. gada 31. decembrim uz dzīvi pašvaldībā pārcēlušies VSAC „Kurzeme“ iemītnieki (skaits nav publicējams); "
    )
    assert "jo skaitlis nav publicējams" in text and "x" not in text.replace("Kurzeme", "")
    english = achievement("GRT", "x", 350, 0.57, None, lang="en")
    assert english.startswith("By 31 December 2020, persons with GRT (number not published) had received services; ")


def test_an_achievement_not_reported_says_so():
    text = achievement("GRT", None, 350, 0.57, None)
    assert text.startswith("Dati par personām ar GRT līdz 2020. gada 31. decembrim nav iesniegti")
    assert "No data were submitted on persons with GRT" in achievement("GRT", None, 350, lang="en")
    assert "mērķis nav noteikts" in achievement("GRT", 5, None)


@pytest.mark.parametrize("status", list(terms.STATUSES))
def test_every_status_is_named_with_a_symbol_and_words(status):
    for lang in LANGUAGES:
        label = terms.status_label(status, lang)
        symbol, words = label.split(" ", 1)
        assert symbol == terms.status_symbol(status) and len(words) > 3
        assert terms.status_words(status, lang) == words
    assert len({terms.status_symbol(s) for s in terms.STATUSES}) == len(terms.STATUSES)


def test_status_names_are_the_agreed_ones():
    assert terms.status_label("ahead", "lv") == "▲ apsteidz plānoto"
    assert terms.status_label("on_track", "en") == "● on track"
    assert terms.status_label("at_risk", "lv") == "◆ pastāv risks"
    assert terms.status_label("behind", "en") == "▼ behind plan"
    with pytest.raises(ChoiceError):
        terms.status_label("late", "lv")


# --- other sentences -----------------------------------------------------------------------------


def test_persons_year_sentence():
    text = sentences.persons_year_sentence("Kuldīgas novads", 2019, {"GRT": 57, "FT": 206, "BSAC": "<5"}, "lv")
    assert (
        text
        == "2019. gadā Kuldīgas novadā pakalpojumus saņēma 206 bērni ar FT, 57 personas ar GRT un mazāk nekā 5 bērni no BSAC."
    )
    english = sentences.persons_year_sentence("Kuldīgas novads", 2019, {"GRT": 57, "FT": 206}, "en")
    assert english == "In 2019, 206 children with FT and 57 persons with GRT received services in Kuldīgas novads."


def test_persons_year_sentence_with_gaps_and_unusual_names():
    text = sentences.persons_year_sentence("Liepāja", 2021, {"FT": 21, "GRT": None}, "lv")
    assert text == "2021. gadā Liepājā pakalpojumus saņēma 21 bērns ar FT. Dati par personām ar GRT nav iesniegti."
    assert sentences.persons_year_sentence("Ventspils", 2021, {"FT": 3}, "lv").startswith("2021. gadā Ventspilī ")
    # a name whose locative is not known is not guessed
    assert sentences.persons_year_sentence("Kurzeme visiem", 2021, {"FT": 3}, "lv").startswith(
        "Kurzeme visiem: 2021. gadā "
    )
    assert (
        sentences.persons_year_sentence("Nīcas novads", 2023, {"FT": None}, "lv")
        == "2023. gadā Nīcas novadā dati nav iesniegti."
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kurzemes plānošanas reģions", "Kurzemes plānošanas reģionā"),
        ("Dienvidkurzemes novads", "Dienvidkurzemes novadā"),
        ("Aizpute", "Aizputē"),
        ("Talsi", "Talsos"),
        ("Kuldīga", "Kuldīgā"),
        ("Liepājas valstspilsēta", "Liepājas valstspilsētā"),
        ("Some Place", None),
    ],
)
def test_locative(name, expected):
    assert gr.locative(name) == expected


def test_municipalities_served_sentence():
    assert (
        sentences.municipalities_served_sentence(2019, 14, "lv")
        == "2019. gadā projekta pakalpojumi sniegti 14 pašvaldībās."
    )
    assert (
        sentences.municipalities_served_sentence(2019, 1, "lv", of_total=20)
        == "2019. gadā projekta pakalpojumi sniegti 1 pašvaldībā no 20."
    )
    assert sentences.municipalities_served_sentence(2019, 14, "en", of_total=20).endswith(
        "in 14 municipalities (of 20)."
    )
    assert "nevienā pašvaldībā" in sentences.municipalities_served_sentence(2017, 0, "lv")


@pytest.fixture(scope="module")
def target_history():
    """The regional targets of every plan version, as the reference data states them."""
    targets = pd.read_csv(paths.REFERENCE_DIR / "targets.csv", dtype={"plan_version": str})
    versions = pd.read_csv(paths.REFERENCE_DIR / "plan_versions.csv", dtype=str)
    history = targets[targets["scope"] == "region"].merge(
        versions[["plan_version", "in_force_from"]], on="plan_version"
    )
    return history[["plan_version", "in_force_from", "target", "value"]]


def test_target_changes_from_the_reference_data(target_history):
    assert (
        sentences.target_change_sentence("VSAC", target_history, "lv")
        == "VSAC mērķis mainīts no 29 uz 35 (2020. gada 15. janvārī)."
    )
    assert (
        sentences.target_change_sentence("FT", target_history, "lv")
        == "FT mērķis mainīts no 288 uz 350 (2023. gada 8. augustā)."
    )
    assert (
        sentences.target_change_sentence("GRT", target_history, "en")
        == "The GRT target changed from 350 to 375 (8 August 2023)."
    )
    early = target_history[target_history["in_force_from"] < "2023-01-01"]
    assert (
        sentences.target_change_sentence("FT", early, "lv") == "FT mērķis kopš 2017. gada 5. oktobra nav mainīts: 288."
    )
    assert (
        sentences.target_change_sentence("BSAC", target_history.to_dict("records"), "en")
        == "No plan version sets a BSAC target."
    )


def test_two_changes_of_one_target_are_both_told():
    rows = [
        {"plan_version": "a", "in_force_from": "2017-10-05", "target": "FT", "value": 288},
        {"plan_version": "b", "in_force_from": "2020-01-15", "target": "FT", "value": 300},
        {"plan_version": "c", "in_force_from": "2023-08-08", "target": "FT", "value": 1350},
    ]
    text = sentences.target_change_sentence("FT", rows, "lv")
    assert (
        text
        == f"FT mērķis mainīts no 288 uz 300 (2020. gada 15. janvārī) un no 300 uz 1{NBSP}350 (2023. gada 8. augustā)."
    )


def test_infrastructure_sentence():
    late = sentences.infrastructure_sentence('Dienas aprūpes centrs "Ķieģeļi"', "in_service", 45, "lv")
    assert (
        late
        == 'Projekts „Dienas aprūpes centrs "Ķieģeļi"“: pakalpojums darbojas; kavējums salīdzinājumā ar plānoto — 45 dienas.'
    )
    assert sentences.infrastructure_sentence("X", "in_construction", 21, "lv").endswith(
        "kavējums salīdzinājumā ar plānoto — 21 diena."
    )
    assert sentences.infrastructure_sentence("X", "built", -21, "lv").endswith("; 21 dienu agrāk, nekā plānots.")
    assert sentences.infrastructure_sentence("X", "built", -2, "lv").endswith("; 2 dienas agrāk, nekā plānots.")
    assert sentences.infrastructure_sentence("X", "planned", 0, "en") == "Project “X”: planned; on schedule."
    assert sentences.infrastructure_sentence("X", "in_service", 1, "en").endswith("1 day behind schedule.")
    assert sentences.infrastructure_sentence("X", "dropped", 400, "lv") == "Projekts „X“: izslēgts no plāna."
    assert sentences.infrastructure_sentence("X", "planned", None, "lv") == "Projekts „X“: plānots."
    with pytest.raises(ChoiceError):
        sentences.infrastructure_sentence("X", "finished", 0, "lv")


def test_finance_sentence():
    text = sentences.finance_sentence("ESF_services", 6_600_000, 3_300_000, 0.5, "lv")
    assert text == (
        "ESF projekts „Kurzeme visiem“ (pakalpojumi): plānotais finansējums — "
        f"6{NBSP}600{NBSP}000{NBSP}EUR, izmaksātais — 3{NBSP}300{NBSP}000{NBSP}EUR, apguve — 50{NBSP}%."
    )
    english = sentences.finance_sentence("ERDF_infrastructure", 7_300_000, 0, None, "en", contracted=100)
    assert (
        english
        == f"ERDF infrastructure (9.3.1.1): EUR{NBSP}7,300,000 planned, EUR{NBSP}100 contracted, EUR{NBSP}0 paid, absorption not computable."
    )


@pytest.mark.parametrize(
    ("counts", "lang", "expected"),
    [
        ((140, 139, 5, 1), "lv", "Sagaidāmas 140 veidlapas; saņemtas 139, no tām 5 ar nokavējumu; nav saņemta 1."),
        ((20, 18, 0, 2), "lv", "Sagaidāmas 20 veidlapas; saņemtas 18; nav saņemtas 2."),
        ((21, 21, 0, 0), "lv", "Sagaidāma 21 veidlapa; visas saņemtas laikā."),
        ((20, 20, 3, 0), "lv", "Sagaidāmas 20 veidlapas; visas saņemtas, no tām 3 ar nokavējumu."),
        ((1, 1, 0, 0), "lv", "Sagaidāma 1 veidlapa; tā saņemta laikā."),
        ((1, 0, 0, 1), "lv", "Sagaidāma 1 veidlapa; nav saņemta 1."),
        ((0, 0, 0, 0), "lv", "Līdz šim datumam veidlapas vēl nebija jāiesniedz."),
        ((140, 139, 5, 1), "en", "140 submissions were due; 139 received, 5 of them late; 1 missing."),
        ((1, 1, 1, 0), "en", "1 submission was due; it was received late."),
    ],
)
def test_completeness_sentence(counts, lang, expected):
    assert sentences.completeness_sentence(*counts, lang) == expected


# --- terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(terms.TERM_KINDS))
def test_every_code_of_the_vocabulary_has_both_names(kind):
    for code in terms.TERM_KINDS[kind]:
        latvian, english = terms.term(code, "lv", kind), terms.term(code, "en", kind)
        assert latvian and english and latvian != code


def test_terms_are_the_plans_own_words():
    assert terms.term("respite", "lv") == "atelpas brīdis"
    assert terms.term("GRT", "lv") == v.TARGET_GROUPS["GRT"][0]
    assert terms.term("group_apartment", "lv", "facility_type") == "grupu dzīvokļi"
    assert terms.term("group_apartment", "lv", "service") == "grupu dzīvoklis"
    assert terms.term("behind", "en") == "behind plan"
    assert terms.term("in_service", "lv") == "pakalpojums darbojas"
    assert terms.milestone_status_label("overdue", "lv") == "! nokavēts"
    with pytest.raises(ChoiceError):
        terms.term("teleportation", "lv")
    with pytest.raises(ChoiceError):
        terms.term("FT", "lv", kind="colour")


# --- commentary ------------------------------------------------------------------------------


class Inspector(HTMLParser):
    """An independent look at rendered HTML: tags, attributes and link targets."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]


SAFE_TAGS = {
    "p",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "s",
}


def assert_inert(html: str) -> None:
    page = Inspector(html)
    assert set(page.tags) <= SAFE_TAGS, set(page.tags) - SAFE_TAGS
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name in ("href", "rel", "title", "style", "start") or tag == "code" and name == "class", (tag, name)
        if name == "style":
            assert tag in ("th", "td") and value.startswith("text-align:")
        if name == "href":
            assert value.lower().startswith(("http://", "https://", "mailto:")), value


def test_script_and_raw_html_in_commentary_are_escaped_text():
    text = 'Labs darbs.\n\n<script>alert("x")</script>\n\n<img src=x onerror=alert(1)> <b onclick="x()">bold</b>\n\n<div style="display:none">hidden</div>'
    html = commentary.commentary_html(text)
    assert_inert(html)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html and "<div" not in html


@pytest.mark.parametrize(
    "link",
    [
        "[spied](javascript:alert(1))",
        "[spied](JAVASCRIPT:alert(1))",
        "[spied](&#106;avascript:alert(1))",
        "[spied](<java script:alert(1)>)",
        "[spied](vbscript:msgbox(1))",
        "[spied](data:text/html;base64,PHNjcmlwdD4=)",
        "[spied](file:///etc/passwd)",
        "[spied](report.html)",
        "[spied](//evil.example/x)",
    ],
)
def test_links_other_than_http_https_mailto_are_dropped_but_their_text_kept(link):
    html = commentary.commentary_html(f"Skatīt: {link}.")
    assert_inert(html)
    assert "<a" not in html
    assert "spied" in html


def test_allowed_links_stay_links_and_do_not_leak_the_referrer():
    html = commentary.commentary_html(
        '[KPR](https://www.kurzemesregions.lv/) un <info@example.lv> un [x](http://a.lv "t")'
    )
    assert_inert(html)
    page = Inspector(html)
    hrefs = [value for _, name, value in page.attrs if name == "href"]
    assert hrefs == ["https://www.kurzemesregions.lv/", "mailto:info@example.lv", "http://a.lv"]
    assert all(value == "nofollow noopener noreferrer" for _, name, value in page.attrs if name == "rel")


def test_images_are_never_loaded():
    html = commentary.commentary_html(
        "![Karte ar *objektiem*](https://example.lv/karte.png) ![](data:image/png;base64,AAAA)", lang="lv"
    )
    assert_inert(html)
    assert "<img" not in html
    assert (
        '<a href="https://example.lv/karte.png" rel="nofollow noopener noreferrer">[attēls: Karte ar objektiem]</a>'
        in html
    )
    assert "[attēls]" in html
    assert "[image: map]" in commentary.commentary_html("![map](ftp://x/y.png)", lang="en")


def test_headings_start_at_h3():
    html = commentary.commentary_html("# Virsraksts\n\n## Apakšvirsraksts\n\nOtrs\n---\n\n##### Dziļi")
    assert Inspector(html).tags == ["h3", "h4", "h4", "h6"]


def test_markdown_is_rendered():
    html = commentary.commentary_html(
        "Kavējums **45 dienas**; *skatīt* tabulu:\n\n| gads | personas |\n|---|---|\n| 2019 | 57 |\n\n- viens\n- divi"
    )
    assert_inert(html)
    assert "<strong>45 dienas</strong>" in html and "<em>skatīt</em>" in html
    assert "<td>57</td>" in html and "<li>divi</li>" in html


def test_aligned_tables_and_code_blocks_render():
    html = commentary.commentary_html("| gads | personas |\n|:---|---:|\n| 2019 | 57 |\n\n```python\nprint('<b>')\n```")
    assert_inert(html)
    assert '<td style="text-align:right">57</td>' in html
    assert "print(&#x27;&lt;b&gt;&#x27;)" in html or "print('&lt;b&gt;')" in html


def test_empty_commentary_is_empty():
    assert commentary.commentary_html(None) == ""
    assert commentary.commentary_html("  \n ") == ""


FRAGMENTS = [
    "<script>",
    "</script>",
    "<a href='javascript:x'>",
    "[a](javascript:x)",
    "![i](http://x/y.png)",
    "<iframe src=x>",
    "<svg onload=alert(1)>",
    "](",
    "[",
    ")",
    "<",
    ">",
    "&#106;",
    "javascript:",
    "**",
    "`",
    "\n\n",
    "# ",
    "| a |\n|---|\n",
    "text",
    " ",
    '"',
    "<http://ok.lv>",
    "<javascript:alert(1)>",
    "[x]: javascript:y\n\n[x]",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_no_combination_of_fragments_produces_active_html(pieces):
    assert_inert(commentary.commentary_html("".join(pieces)))


def test_read_commentary(tmp_path):
    folder = tmp_path / "commentary"
    folder.mkdir()
    (folder / "0840200.md").write_bytes("\ufeff# Saldus\n\nKomentārs ar garumzīmēm: ā, č, ņ.".encode())
    assert commentary.read_commentary(tmp_path, "0840200") == "# Saldus\n\nKomentārs ar garumzīmēm: ā, č, ņ."
    assert commentary.read_commentary(tmp_path, "0170000") is None
    assert commentary.read_commentary(tmp_path / "nowhere", "LV-088") is None


@pytest.mark.parametrize("code", ["../secret", "a/b", "", "0840200\n", "0840200.md"])
def test_read_commentary_refuses_anything_but_a_code(tmp_path, code):
    with pytest.raises(ChoiceError):
        commentary.read_commentary(tmp_path, code)


def test_commentary_that_is_not_utf8_is_a_data_problem(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "0840200.md").write_bytes("Komentārs".encode("cp1257"))
    with pytest.raises(DataValidationError) as err:
        commentary.read_commentary(tmp_path, "0840200")
    assert "UTF-8" in str(err.value) and "0840200.md" in str(err.value)


def test_published_value_kinds():
    assert fmt.value_kind(3) == "number" and fmt.value_kind(0) == "number"
    assert fmt.value_kind("<5") == "suppressed" and fmt.suppression_threshold("<5") == 5
    assert fmt.value_kind("x") == "hidden" and fmt.suppression_threshold("x") is None
    assert fmt.value_kind("") == "missing"
    assert fmt.format_number("x", "lv") == "x" and gr.plural("x", ("persona", "personas"), "lv") == "personas"
    assert (
        fmt.value_kind(None) == "missing"
        and fmt.value_kind(math.nan) == "missing"
        and fmt.value_kind(pd.NA) == "missing"
    )
    assert fmt.suppression_threshold(4) is None


# --- corrected phrases (issue: Latvian that a Latvian evaluator signs) -----------------------------------


def test_a_zero_reads_as_a_negation():
    from di_eval.report.sentences import persons_year_sentence

    text = persons_year_sentence("Kuldīgas novads", 2023, {"FT": 0, "GRT": 12, "BSAC": 0}, "lv")
    assert text == (
        "2023. gadā Kuldīgas novadā pakalpojumus saņēma 12 personas ar GRT. "
        "Pakalpojumus nesaņēma neviens bērns ar FT un neviens bērns no BSAC."
    )
    assert "0 bērni" not in text
    only_zeros = persons_year_sentence("Kuldīgas novads", 2023, {"FT": 0, "GRT": 0}, "lv")
    assert (
        only_zeros == "2023. gadā Kuldīgas novadā pakalpojumus nesaņēma neviens bērns ar FT un neviena persona ar GRT."
    )
    english = persons_year_sentence("Kuldīgas novads", 2023, {"FT": 0, "GRT": 12}, "en")
    assert english.endswith("No child with FT received services.")


def test_corrected_terms_are_the_ones_printed():
    from di_eval.report.charts import base
    from di_eval.report.page import T
    from di_eval.text import terms

    assert terms.column_label("importance", "lv") == "Svarīgums"
    assert [terms.term(x, "lv", "importance") for x in ("high", "medium", "low")] == ["augsts", "vidējs", "zems"]
    assert terms.term("removed", "lv", "plan_change") == "izslēgts no saraksta"  # Dundagas novads: izslēgts
    assert T["method"]("lv").startswith("Metode, konfidencialitātes aizsardzība")
    assert base._SUPPRESSED_MARK["bar"]("lv") == "Svītrots stabiņš"
    assert gr.count_phrase(3, "submission", "lv") == "3 veidlapas"
    lead = T["lead"]("lv", region_of="Kurzemes plānošanas reģiona", date="x", version="y")
    assert "„Kurzeme visiem“" in lead and "\u201d" not in lead


def test_one_quotation_style_on_a_page():
    from di_eval.text.formats import typographic_quotes

    assert typographic_quotes('BSAC "Selga"', "lv") == "BSAC „Selga“"
    assert typographic_quotes('BSAC "Selga"', "en") == "BSAC “Selga”"
    assert typographic_quotes('BSAC "Selga"', "lv", inner=True) == "BSAC ‘Selga’"
    assert '"' not in gr.group_phrase("VSAC", 14, "lv")


def test_the_esf_project_is_quoted_as_on_the_rest_of_the_page():
    from di_eval import vocabulary as v

    assert v.PROGRAMMES["ESF_services"]("lv") == "ESF projekts „Kurzeme visiem“ (pakalpojumi)"
    assert v.PROGRAMMES["ESF_services"]("en") == "ESF project “Kurzeme visiem” (services)"


def test_the_table_behind_a_chart_is_named_in_lowercase_after_the_colon():
    import pandas as pd

    from di_eval.report.html import figure

    html = figure(
        3, b"", "alt", "caption", pd.DataFrame({"a": [1]}), label="{n}. attēls", data_label="Attēla dati tabulā"
    )
    assert "<caption>3. attēls: attēla dati tabulā</caption>" in html
