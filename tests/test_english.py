"""English pages read as English: Latvian place names marked lang="lv", English dates in tables."""

import pandas as pd

from di_eval.report.html import mark_latvian_names
from di_eval.report.tables import _short_date


def test_latvian_names_in_english_text_are_marked_once():
    html = (
        "<p>Served in Saldus novads and Saldus.</p>"
        '<table><tr><td lang="lv">Saldus novads</td><td><a href="#">Saldus novads</a></td></tr></table>'
        '<img alt="Saldus novads">'
    )
    out = mark_latvian_names(html, ["Saldus novads", "Saldus"])
    assert out.startswith('<p>Served in <span lang="lv">Saldus novads</span> and <span lang="lv">Saldus</span>.</p>')
    assert '<td lang="lv">Saldus novads</td>' in out  # already marked: not twice
    assert '<a href="#"><span lang="lv">Saldus novads</span></a>' in out
    assert '<img alt="Saldus novads">' in out  # attributes are not touched
    assert mark_latvian_names("<p>Saldusx</p>", ["Saldus"]) == "<p>Saldusx</p>"


def test_short_dates_in_english_tables_have_no_leading_zero():
    assert _short_date(pd.Timestamp("2019-04-01"), "en") == "1 Apr 2019"
    assert _short_date(pd.Timestamp("2019-04-01"), "lv") == "01.04.2019."


def test_the_catalogue_units_are_in_the_page_language():
    from di_eval.report.tables import catalogue_table

    latvian = catalogue_table("lv")
    assert "<td>personas</td>" in latvian and "<td>daļa</td>" in latvian
    assert "<td>persons</td>" not in latvian and "<td>share</td>" not in latvian
    assert "<td>persons</td>" in catalogue_table("en")


def test_the_region_takes_the_article_in_an_english_sentence():
    from di_eval.report.sentences import persons_year_sentence

    text = persons_year_sentence("Kurzeme Planning Region", 2023, {"FT": 121, "BSAC": 0}, "en")
    assert text.startswith("In 2023, 121 children with FT received services in the Kurzeme Planning Region.")
    assert "in Saldus novads." in persons_year_sentence("Saldus novads", 2023, {"FT": 12}, "en")
    latvian = persons_year_sentence("Kurzemes plānošanas reģions", 2023, {"FT": 121}, "lv")
    assert "the " not in latvian
