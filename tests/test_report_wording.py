"""Issue 11's last items, each pinned: the catalogue without code names on Latvian pages, "1. attēls",
LATVIAN.md's terms in the catalogue, one English name for GRT, the ranking of rounded and hidden counts,
numeric alignment of "≈35" (findings.json against the page: tests/test_findings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from di_eval import vocabulary as v
from di_eval.report import rounded as rd
from di_eval.report.html import figure, figure_name, table
from di_eval.report.labels import t
from di_eval.report.tables import catalogue_table, ranking

ROOT = Path(__file__).resolve().parents[1]


# --- 1. the catalogue's codes ----------------------------------------------------------------------


def test_the_latvian_catalogue_names_indicators_without_code_names():
    latvian = catalogue_table("lv")
    assert "Kods" not in latvian and "<code>" not in latvian
    assert not re.search(r">[a-z]+_[a-z_]+<", latvian)  # no persons_cumulative, in_service, ...
    assert '<th scope="row">Pakalpojumu saņēmušās personas kopš plāna sākuma (katra skaitīta vienu reizi)</th>' in (
        latvian
    )


def test_the_english_catalogue_gives_each_code_as_code_last():
    english = catalogue_table("en")
    head = re.search(r"<thead>(.*?)</thead>", english).group(1)
    assert re.findall(r">([^<]+)</th>", head) == ["Indicator", "Definition", "Unit", "Code"]
    assert "<td><code>persons_cumulative</code></td>" in english
    assert "\u2039" not in english and "\u203a" not in english


# --- 2. "1. attēls" --------------------------------------------------------------------------------


def test_a_latvian_figure_is_named_ordinal_first():
    assert figure_name(t("figure", "lv"), 3) == "3. attēls"
    assert figure_name(t("figure", "en"), 3) == "Figure 3"
    html = figure(3, b"", "alt", "Saldus", pd.DataFrame({"a": [1]}), label=t("figure", "lv"), data_label="Attēla dati")
    assert '<span class="fig-no">3. attēls.</span> Saldus' in html
    assert "<caption>3. attēls: attēla dati</caption>" in html and "Attēls 3" not in html
    english = figure(3, b"", "alt", "Saldus", pd.DataFrame({"a": [1]}), label=t("figure", "en"), data_label="Data")
    assert '<span class="fig-no">Figure 3.</span>' in english


# --- 3. LATVIAN.md's terms in the catalogue ---------------------------------------------------------


def test_the_catalogue_uses_latvian_md_terms():
    from di_eval.analysis.catalogue import CATALOGUE, WARNINGS

    texts = [*CATALOGUE["name_lv"], *CATALOGUE["definition_lv"], *WARNINGS["rule_lv"]]
    for banned in ("unikāl", "apkalpot", "nozīmīgum", "nav ziņot", "atklāšanas kontrol", "pret ", '"', "izvērtēšan"):
        assert not [x for x in texts if banned in x.lower()], banned
    # no code names (behind, at_risk, in_service) and no English status words in the Latvian texts
    assert not [x for x in texts if re.search(r"\b[a-z]+_[a-z_]+\b|\b(behind|on track|ahead)\b", x)]
    assert "Pakalpojumu saņēmušās personas kopš plāna sākuma (katra skaitīta vienu reizi)" in list(CATALOGUE["name_lv"])


# --- 4. one English name for GRT ------------------------------------------------------------------


def test_grt_has_one_english_name():
    assert v.TARGET_GROUPS["GRT"].en == "persons with mental disorders"
    assert "GRT — persons with mental disorders;" in t("abbreviations", "en")
    sources = [ROOT / "di_eval" / "vocabulary.py", *(ROOT / "di_eval").glob("text/*.py")]
    sources += [*(ROOT / "di_eval").glob("report/**/*.py"), *(ROOT / "di_eval").glob("analysis/**/*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"adults with (GRT|mental)|intellectual disorders", text, re.I), path
        # the short form is "persons with GRT" wherever the group is named
        assert not re.search(r"(people|adults|residents) with GRT", text), path


# --- 5. the ranking --------------------------------------------------------------------------------

NAMES = {"a": "Alfa", "b": "Beta", "c": "Cēsu", "d": "Dobele", "e": "Ērgļi", "f": "Fa"}


def _wide(rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=["FT", "GRT"], dtype=object)


def test_ranking_places_a_hidden_count_by_what_it_certainly_has():
    wide = _wide({"a": [100, "x"], "b": [20, 5], "c": [0, 0], "d": ["<5", 3], "e": [30, 0], "f": [2, 1]})
    order = ranking(wide, NAMES)
    # a has at least 101 (100 and an "x" of at least one): above the ranked 30 and 25, never below them
    assert order == [("a", None), ("e", 1), ("b", 2), ("d", None), ("f", 3), ("c", None)]
    # d (<5 + 3: 4 to 7) stands above f (3), known to be smaller, and below b (25)


def test_equal_published_figures_share_a_rank_and_a_rounded_one_ranks_by_its_published_value():
    wide = _wide({"a": [rd.Rounded(35), 0], "b": [35, 0], "c": [36, 0], "d": [rd.Rounded(30), 0]})
    assert ranking(wide, NAMES) == [("c", 1), ("a", 2), ("b", 2), ("d", 4)]


def test_ranking_never_places_a_known_smaller_count_above_a_known_larger():
    import itertools
    import random

    generator = random.Random(11)
    values = [0, 1, 3, 7, 12, 40, "<5", "x", None, rd.Rounded(10), rd.Rounded(35)]

    def bounds(cell):
        if isinstance(cell, rd.Rounded):
            return int(cell) - 2, int(cell) + 2
        if cell == "<5":
            return 1, 4
        if cell == "x":
            return 1, float("inf")
        if cell is None:
            return 0, float("inf")
        return cell, cell

    for _ in range(300):
        rows = {k: [generator.choice(values), generator.choice(values)] for k in NAMES}
        order = [scope for scope, _ in ranking(_wide(rows), NAMES)]
        assert sorted(order) == sorted(NAMES)
        low = {k: sum(bounds(x)[0] for x in r) for k, r in rows.items()}
        high = {k: sum(bounds(x)[1] for x in r) for k, r in rows.items()}
        for upper, lower in itertools.combinations(order, 2):  # upper stands above lower
            assert not high[upper] < low[lower], (rows, upper, lower)


def test_the_ranking_note_says_how_rounded_and_hidden_counts_are_placed():
    lv, en = t("ranking_note", "lv"), t("ranking_note", "en")
    assert "vienādam skaitam — vienāda vieta" in lv and "novietota pēc tā, cik personu tajā noteikti ir" in lv
    assert "never below one that certainly has fewer" in en
    assert "pēc publicētās vērtības" in t("ranking_rounded_note", "lv")
    assert "placed by its published value" in t("ranking_rounded_note", "en")


# --- 8. marked values stay numeric ------------------------------------------------------------------


def test_a_column_of_rounded_values_is_aligned_as_numbers():
    frame = pd.DataFrame(
        {"Mērķis": ["FT", "GRT", "VSAC"], "Sasniegts": ["≈35", "120", "x"], "Daļa": ["≈99 %", "40 %", "—"]}
    )
    html = table(frame, "Kopsavilkums")
    assert 'class="data numeric"' in html  # every data column numeric: aligned right as one
    mixed = frame.assign(Statuss=["▲ apsteidz plānoto", "● atbilst plānotajam", "○ nav nosakāms"])
    html = table(mixed, "Kopsavilkums")
    assert '<td class="num">≈35</td>' in html and '<td class="num">≈99 %</td>' in html
    # a slippage "+414" and a rate "nav aprēķināms" beside "≈56 %" are aligned as the numbers they stand for
    other = pd.DataFrame(
        {"Posms": ["a", "b"], "Novirze, dienas": ["+414", "−3"], "Daļa": ["≈56 %", "nav aprēķināms"], "Z": ["x y", "z"]}
    )
    html = table(other, "Posmi")
    assert '<td class="num">+414</td>' in html and '<td class="num">nav aprēķināms</td>' in html


def test_a_finance_caption_names_what_is_counted():
    from di_eval.report.charts.finance import _FINANCE_CAPTION

    assert _FINANCE_CAPTION("lv", place="Saldus novads", until="līdz …").startswith("Saldus novads: finansējums (EUR)")
    assert _FINANCE_CAPTION("en", place="Saldus novads", until="to …").startswith("Saldus novads: funding (EUR)")


def test_an_event_quoted_in_the_data_is_quoted_in_the_pages_one_style():
    from di_eval.report import charts

    events = pd.DataFrame(
        {
            "date": ["2023-01-04"],
            "date_precision": ["day"],
            "kind": ["service"],
            "event_lv": ['Rucavas grupu dzīvokļi "Sudrabi" reģistrēti kā pakalpojums'],
            "event_en": ['Rucava\'s group apartments "Sudrabi" registered as a service'],
        }
    )
    latvian = charts.timeline_chart(events, "lv")
    assert "Rucavas grupu dzīvokļi „Sudrabi“ reģistrēti kā pakalpojums" in set(latvian.data.iloc[:, 1])
    assert '"' not in latvian.alt
    english = charts.timeline_chart(events, "en")
    assert "Rucava's group apartments “Sudrabi” registered as a service" in set(english.data.iloc[:, 1])
