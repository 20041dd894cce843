"""Counts published rounded (DisclosureRule(5, method="rounding")) are marked on the page: "≈10" in
tables and chart labels with a note under the table, "apmēram 10" / "about 10" in sentences and alt
texts, rates from rounded counts never shown as exact, and the method section states the rule."""

import pandas as pd
import pytest

from di_eval import dataset, paths
from di_eval.analysis.disclosure import DisclosureRule
from di_eval.analysis.evaluation import evaluate
from di_eval.report import charts, sentences
from di_eval.report import rounded as rd
from di_eval.report.page import Report


def test_a_rounded_count_is_an_int_that_says_so():
    ten = rd.Rounded(10)
    assert ten == 10 and ten + 1 == 11 and isinstance(ten, int)
    assert rd.shown(ten, "lv") == "≈10" and rd.shown(10, "lv") == "10" and rd.shown("<5", "lv") == "<5"
    assert rd.words(ten, "lv") == "apmēram 10" and rd.words(ten, "en") == "about 10"
    assert rd.words(1234, "lv") == "1\u00a0234"
    assert isinstance(rd.rounded_sum([ten, 3]), rd.Rounded) and rd.rounded_sum([2, 3]) == 5
    assert not isinstance(rd.rounded_sum([2, 3]), rd.Rounded)
    assert rd.percent(rd.Approximate(0.5), "lv") == "≈50\u00a0%" and rd.percent(0.5, "lv") == "50\u00a0%"
    assert rd.table_note(5, "lv") == (
        "Ar „≈“ atzīmētie skaitļi ir noapaļoti līdz tuvākajam 5 daudzkārtnim (piemēram, ≈10 nozīmē no 8 līdz 12)."
    )


def test_the_note_goes_under_a_table_with_a_rounded_cell_only():
    html = (
        '<div class="table-wrap" tabindex="0"><table><tr><td>≈10</td></tr></table></div>'
        '<div class="table-wrap" tabindex="0"><table><tr><td>10</td></tr></table></div>'
    )
    out = rd.annotate_tables(html, "en")
    assert out.count("rounded-note") == 1
    assert out.index("rounded-note") < out.index("<td>10</td>")


def test_a_sentence_and_an_alt_text_say_about_for_a_rounded_count():
    text = sentences.achievement_sentence(
        "FT", rd.Rounded(345), 350, rd.Approximate(345 / 350), 1.0, "on_track", None, "2023-12-31", "lv"
    )
    assert "apmēram 345 bērni ar FT jeb apmēram 99\u00a0%" in text
    cumulative = pd.DataFrame(
        {
            "scope": ["0840200"] * 3,
            "target_group": ["FT"] * 3,
            "service": ["any", "care", "respite"],
            "persons": [rd.Rounded(35), rd.Rounded(25), "x"],
        }
    )
    chart = charts.services_chart(cumulative, "FT", "lv", as_of="2023-12-31")
    assert "apmēram 35 bērni ar FT" in chart.alt and "aprūpe (apmēram 25)" in chart.alt
    assert "≈25" in set(chart.data.iloc[:, 1]) and "noapaļoti līdz tuvākajam 5" in chart.caption
    labels = [t.get_text() for ax in chart.figure.axes for t in ax.texts]
    assert "≈25" in labels  # the bar is labelled as rounded, as in the table
    exact_and_rounded = cumulative.assign(persons=pd.Series([rd.Rounded(70), rd.Rounded(45), 44], dtype=object))
    chart = charts.services_chart(exact_and_rounded, "FT", "lv", as_of="2023-12-31")
    assert "sākot ar lielāko:" not in chart.alt  # ≈45 (43 to 47) may be smaller than 44
    assert "sākot ar lielāko publicēto (daļa skaitļu noapaļoti) skaitli: aprūpe (apmēram 45)" in chart.alt


@pytest.fixture(scope="module")
def rounded_evaluation():
    data = dataset.load(paths.SAMPLE_DIR)
    return data, evaluate(data, "2019-12-31", "2017", 5, rule=DisclosureRule(5, method="rounding"))


def test_a_page_of_a_rounding_evaluation_marks_its_rounded_counts(rounded_evaluation):
    data, ev = rounded_evaluation
    cells = ev.rounded()
    scope = next(s for s in cells["scope"] if s != "region")
    params = {"lang": "lv", "as_of": "2019-12-31", "data_dir": str(paths.SAMPLE_DIR), "structure": "2017"}
    report = Report("municipality", {**params, "threshold": 5, "municipality": scope}, data, ev, scope)
    marked = [x for x in report.evaluation.persons_by_year["persons_served"] if isinstance(x, rd.Rounded)]
    assert marked, "the rounded counts of the municipality are marked"
    page = report.target_groups().html + report.services().html
    assert "≈" in page and "rounded-note" in page and "apmēram" in page
    method = report.method().html
    assert "noapaļoti līdz tuvākajam 5 daudzkārtnim" in method  # the evaluation's own rule, not a default
    assert (
        "noapaļots līdz tuvākajam 10 daudzkārtnim un norādīts kā intervāls, kurā tas ir (piemēram, „25–34“)" in method
    )


def test_a_page_of_an_exact_evaluation_has_no_rounding_marks(sample_dataset):
    ev = evaluate(sample_dataset, "2019-12-31", "2017", rule=DisclosureRule(5, method="heuristic", detail="full"))
    assert rd.mark(ev) is ev


# --- a headline figure rounded to the coarser base, shown as the range it lies in -----------------


def test_a_count_rounded_to_the_coarser_base_is_shown_as_its_range():
    twenty = rd.coarse(20, 10, 5)  # a count from 15 to 24
    assert twenty == 20 and twenty.span == (15, 24) and rd.ranged(twenty) and rd.is_rounded(twenty)
    assert rd.coarse(10, 10, 5).span == (5, 14)  # never below the threshold: "<5" says the rest
    assert rd.shown(twenty, "lv") == "15–24" and rd.words(twenty, "en") == "15–24"
    assert rd.about("15–24 personas", twenty, "lv") == "15–24 personas"  # the range says how exact it is
    assert rd.about("57 %", twenty, "lv") == "apmēram 57 %"  # a rate made from it does not
    assert rd.shown(rd.rounded_sum([twenty, rd.Rounded(30)]), "lv") == "≈50"  # a sum is "≈"
    assert rd.range_note(10, "lv") == (
        "Skaitļi, kas norādīti kā intervāls (piemēram, 25–34), ir noapaļoti līdz tuvākajam 10 daudzkārtnim, jo "
        "precīzāks skaitlis ļautu aprēķināt kādu mazu skaitu; patiesais skaits ir šī intervāla robežās."
    )
    import pickle

    back = pickle.loads(pickle.dumps(twenty))  # a page's cache keeps it
    assert back.span == (15, 24) and back.base == 10


def test_the_range_note_goes_under_a_table_with_a_range_and_not_under_years():
    html = (
        '<div class="table-wrap" tabindex="0"><table><tr><td class="num">15–24</td></tr></table></div>'
        '<div class="table-wrap" tabindex="0"><table><tr><td>2017–2020</td></tr></table></div>'
    )
    out = rd.annotate_tables(html, "en", 5, 10)
    assert out.count("range-note") == 1 and "rounded-note" not in out
    assert out.index("range-note") < out.index("2017–2020")


def test_a_finding_says_the_range_of_a_headline_figure_and_about_for_its_share():
    from di_eval.analysis.findings.base import approximately

    twenty = rd.coarse(20, 10, 5)
    assert approximately("15–24", twenty, "lv") == "15–24"
    assert approximately("57 %", twenty, "lv") == "apmēram 57 %"
    assert approximately("35", rd.Rounded(35), "en") == "about 35"


def test_a_municipality_s_own_plan_against_a_range_gives_the_rate_s_range_and_a_status_both_ends_share(
    sample_dataset,
):
    from di_eval.analysis.findings import municipal_plan_rows
    from di_eval.analysis.indicators import status_band

    ev = rd.mark(evaluate(sample_dataset, "2023-12-31"))  # the default: rounding, lean tables
    rows = municipal_plan_rows(ev, sample_dataset.municipal_plan, "0620200")  # Kuldīga
    grt = next(r for r in rows if r["target_group"] == "GRT")
    assert rd.ranged(grt["achieved"]), "Kuldīga's cumulative GRT is shown as a range in 2023"
    low, high = grt["achieved"].span
    assert grt["rate_span"] == (low / grt["planned"], high / grt["planned"])
    ends = {status_band(r, grt["expected_rate"]) for r in grt["rate_span"]}
    assert grt["status"] == (ends.pop() if len(ends) == 1 else None)
    ft = next(r for r in rows if r["target_group"] == "FT")
    assert ft["rate_span"] is None and ft["status"] == status_band(ft["rate"], ft["expected_rate"])


def test_a_range_whose_ends_fall_in_two_status_bands_has_no_status(sample_dataset, monkeypatch):
    from di_eval.analysis.findings import progress
    from di_eval.analysis.indicators import status_band

    ev = rd.mark(evaluate(sample_dataset, "2023-12-31"))
    row = next(r for r in progress.municipal_plan_rows(ev, sample_dataset.municipal_plan, "0620200"))
    planned, expected = row["planned"], row["expected_rate"]
    # a count shown as a range wide enough to cross a band: its status is not determinable
    crossing = next(
        v
        for v in range(10, 400, 10)
        if len({status_band(end / planned, expected) for end in rd.coarse(v, 10, 5).span}) == 2
    )
    monkeypatch.setattr(progress, "_served", lambda *_: rd.coarse(crossing, 10, 5))
    row = progress.municipal_plan_rows(ev, sample_dataset.municipal_plan, "0620200")[0]
    assert row["status"] is None and row["rate_span"][0] < row["rate"] < row["rate_span"][1]
    finding = progress.municipal_plan_findings(ev, sample_dataset.municipal_plan, "0620200")[0]
    assert "(statuss: ○ nav nosakāms)" in finding.text_lv and "%–" in finding.text_lv, finding.text_lv


def test_a_chart_draws_a_range_as_a_bar_to_its_low_end_and_a_whisker_to_its_high_end():
    cumulative = pd.DataFrame(
        {
            "scope": ["0620200"] * 3,
            "target_group": ["GRT"] * 3,
            "service": ["any", "care", "day_care"],
            "persons": pd.Series([rd.coarse(20, 10, 5), rd.Rounded(15), "<5"], dtype=object),
        }
    )
    chart = charts.services_chart(cumulative, "GRT", "lv", as_of="2023-12-31")
    ax = chart.figure.axes[0]
    widths = sorted(round(bar.get_width(), 6) for bar in ax.patches if bar.get_width() > 0)
    assert 15.0 in widths and 20.0 not in widths  # the total's bar goes as far as it surely goes
    whiskers = [line for collection in ax.collections for line in collection.get_segments()]
    assert any(sorted({x for x, _ in segment}) == [15.0, 24.0] for segment in whiskers)
    assert ax.get_xlim()[1] > 24  # room for the whisker and its label
    assert "15–24" in [t.get_text() for t in ax.texts] and "15–24" in set(chart.data.iloc[:, 1])
    assert "15–24 personas ar GRT" in chart.alt and "apmēram 15–24" not in chart.alt
    assert "norādīti kā intervāls" in chart.caption and "līnija līdz tā beigām" in chart.caption
