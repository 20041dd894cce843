"""Findings on small hand-made evaluations: each rule, its evidence numbers computed by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import pytest

from di_eval.analysis import findings as fi
from di_eval.analysis.disclosure import DisclosureRule

A, B = "0000001", "0000002"


def _frame(rows, columns):
    # published values are Python objects (an int, a marker or None), as in an Evaluation
    return pd.DataFrame(rows, columns=columns, dtype=object)


def words(finding, lang="lv"):
    """The finding's text with no-break spaces as plain ones, to compare with hand-written phrases."""
    return finding.text(lang).replace("\u00a0", " ")


@dataclass
class Fake:
    """The tables of an Evaluation that findings read, nothing else."""

    as_of: pd.Timestamp = pd.Timestamp("2020-12-31")
    scope: str = "region"
    achievement: pd.DataFrame = None
    persons_by_year: pd.DataFrame = None
    persons_cumulative: pd.DataFrame = None
    transitions: pd.DataFrame = None
    needs: pd.DataFrame = None
    infrastructure: pd.DataFrame = None
    milestones: pd.DataFrame = None
    finance: pd.DataFrame = None
    completeness: pd.DataFrame = None
    rule: DisclosureRule = field(default_factory=lambda: DisclosureRule(5))
    scopes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "scope": ["region", A, B],
                "name": ["Kurzemes plānošanas reģions", "Alfa novads", "Beta novads"],
                "name_short": ["Kurzemes", "Alfa", "Beta"],
                "kind": ["region", "novads", "novads"],
                "structure": ["region", "2017", "2017"],
            }
        )
    )

    def resolve(self, name):
        return name


def by_year(rows):
    return _frame(rows, ["scope", "year", "target_group", "service", "persons_served", "persons_new"])


def cumulative(rows):
    return _frame(rows, ["scope", "target_group", "service", "persons"])


def empty_evaluation(**tables) -> Fake:
    defaults = {
        "achievement": _frame(
            [], ["scope", "target", "plan_version", "target_value", "achieved", "rate", "expected_rate", "status"]
        ),
        "persons_by_year": by_year([]),
        "persons_cumulative": cumulative([]),
        "transitions": _frame([], ["scope", "year", "transition", "persons"]),
        "needs": _frame([], ["scope", "year", "target_group", "assessments", "support_plans"]),
        "infrastructure": _frame([], ["scope", "project_id", "name", "status"]),
        "milestones": _frame(
            [], ["project_id", "scope", "milestone", "planned_date", "actual_date", "slippage_days", "status"]
        ),
        "finance": _frame([], ["scope", "programme", "fund", "paid_eur"]),
        "completeness": _frame([], ["scope", "year", "expected", "received", "on_time", "late", "missing"]),
    }
    defaults.update(tables)
    return Fake(**defaults)


def codes(found):
    return [f.code for f in found]


# --- progress against targets ---------------------------------------------------------------------------


def grt_evaluation(new_2018=20, as_of="2020-12-31"):
    achievement = _frame(
        [["region", "GRT", "2020-01-15", 375, 150, 150 / 375, 4 / 7, "behind"]],
        ["scope", "target", "plan_version", "target_value", "achieved", "rate", "expected_rate", "status"],
    )
    rows = [
        ["region", 2017, "GRT", "any", 40, 40],
        ["region", 2018, "GRT", "any", 50, new_2018],
        ["region", 2019, "GRT", "any", 60, 30],
        ["region", 2020, "GRT", "any", 70, 40],
    ]
    return empty_evaluation(achievement=achievement, persons_by_year=by_year(rows), as_of=pd.Timestamp(as_of))


def test_target_progress_states_what_it_takes_and_a_projection():
    (finding,) = fi.target_findings(grt_evaluation())
    # 375 - 150 = 225 more; 3 years left (2021-2023) -> 75 a year; pace (20+30+40)/3 = 30 a year
    # -> 225 / 30 = 7.5 -> 8 years after 2020 -> 2028
    assert finding.code == "target_progress" and finding.importance == "high"
    e = finding.evidence
    assert (e["remaining"], e["per_year_needed"], e["pace_per_year"], e["projected_year"]) == (225, 75, 30.0, 2028)
    assert e["pace_years"] == [2018, 2019, 2020] and e["source"] == "achievement"
    assert "To reach 375 by 31 December 2023, 225 persons with GRT more are needed, about 75 a year." in words(
        finding, "en"
    )
    assert "Projection: if the pace of the last three years held (2018–2020; 30 a year" in words(finding, "en")
    assert "would be reached in 2028" in words(finding, "en")
    assert "vajadzīgi vēl 225 personas ar GRT, aptuveni 75 gadā" in words(finding)
    assert "ņemot vērā pagājušo laiku, bija sagaidāma 57 % izpilde" in words(finding)
    assert finding.text_lv.startswith("Personas ar GRT")


def test_no_projection_when_a_year_of_the_pace_is_hidden():
    (finding,) = fi.target_findings(grt_evaluation(new_2018="<5"))
    assert finding.evidence["projected_year"] is None and finding.evidence["pace_per_year"] is None
    assert "Prognoze nav aprēķināma" in words(finding)
    assert "<5" not in words(finding)


def test_hidden_achievement_gives_no_rate():
    achievement = _frame(
        [["region", "VSAC", "2020-01-15", 35, "<5", None, 0.5, None]],
        ["scope", "target", "plan_version", "target_value", "achieved", "rate", "expected_rate", "status"],
    )
    (finding,) = fi.target_findings(empty_evaluation(achievement=achievement))
    assert "%" not in words(finding) and "%" not in words(finding, "en")
    assert "rate" not in finding.evidence


def test_after_the_plan_period_says_how_many_were_short():
    (finding,) = fi.target_findings(grt_evaluation(as_of="2023-12-31"))
    assert finding.evidence["per_year_needed"] is None
    assert "Plāna periods ir beidzies; līdz mērķim 375 pietrūka 225 personas ar GRT" in words(finding)


def test_the_achieved_participle_agrees_with_the_number_by_the_plural_rule():
    # CLDR: 1, 21, 101 take the singular ("sasniegts 21"), 11 and 150 the plural; English has no participle
    for achieved, verb in (
        (1, "sasniegts"),
        (21, "sasniegts"),
        (101, "sasniegts"),
        (11, "sasniegti"),
        (150, "sasniegti"),
    ):
        achievement = _frame(
            [["region", "GRT", "2020-01-15", 375, achieved, achieved / 375, 4 / 7, "behind"]],
            ["scope", "target", "plan_version", "target_value", "achieved", "rate", "expected_rate", "status"],
        )
        (finding,) = fi.target_findings(empty_evaluation(achievement=achievement))
        assert f": {verb} {achieved} no 375 (" in words(finding), words(finding)
        assert f": {achieved} of 375 reached (" in words(finding, "en")


# --- infrastructure ------------------------------------------------------------------------------------------


def infrastructure_evaluation():
    projects = _frame(
        [
            [A, "A-1", "Dienas centrs", "in_construction"],
            [A, "A-2", "Grupu dzīvokļi", "in_service"],
            [B, "B-1", "Darbnīca", "in_service"],
        ],
        ["scope", "project_id", "name", "status"],
    )
    ts = pd.Timestamp
    milestones = _frame(
        [
            ["A-1", A, "construction_start", ts("2019-01-01"), ts("2019-03-01"), 59, "done_late"],
            ["A-1", A, "service_opened", ts("2020-06-30"), pd.NaT, 184, "overdue"],
            ["A-2", A, "service_opened", ts("2020-01-01"), ts("2020-01-01"), 0, "done_on_time"],
            ["B-1", B, "service_opened", ts("2019-01-01"), ts("2020-01-06"), 370, "done_late"],
        ],
        ["project_id", "scope", "milestone", "planned_date", "actual_date", "slippage_days", "status"],
    )
    return empty_evaluation(infrastructure=projects, milestones=milestones)


def test_infrastructure_not_opened_and_late_share():
    found = fi.infrastructure_findings(infrastructure_evaluation(), "region")
    # the region names late openings in the share finding; a project not opened has its own
    assert codes(found) == ["infrastructure_not_opened", "infrastructure_late_share"]
    not_opened, share = found
    assert not_opened.evidence["slippage_days"] == 184 and not_opened.importance == "high"
    assert "kavējums salīdzinājumā ar plānoto — 184 dienas" in words(not_opened)
    # A-1 and B-1 late of 3 projects: 2/3 -> 67 %; the longest delays of opening: B-1 370, A-1 184
    assert share.evidence["late"] == 2 and share.evidence["projects"] == 3
    assert share.evidence["longest_delays_days"] == {"B-1": 370, "A-1": 184}
    assert "2 no 3 (67 %)" in words(share) and "Lielākie kavējumi: B-1 — 370 dienas, A-1 — 184 dienas." in words(share)


def test_a_municipality_sees_only_its_own_projects():
    found = fi.infrastructure_findings(infrastructure_evaluation(), B)
    assert codes(found) == ["infrastructure_opened_late"]  # one project: no share of one
    assert found[0].importance == "high"  # 370 days: a year or more
    assert "370 dienas vēlāk nekā plānots" in words(found[0])


# --- needs, money, stopped services, completeness ----------------------------------------------------------------


def needs_evaluation():
    needs = _frame(
        [
            [A, 2019, "GRT", 6, 5],
            [A, 2020, "GRT", 4, 4],
            [B, 2019, "GRT", "<5", None],
            [B, 2020, "GRT", 0, 0],
            ["region", 2019, "GRT", 9, 8],
            ["region", 2020, "GRT", 4, 4],
        ],
        ["scope", "year", "target_group", "assessments", "support_plans"],
    )
    persons = cumulative(
        [
            [A, "GRT", "any", 8],
            [B, "GRT", "any", 0],
            ["region", "GRT", "any", 8],
            [A, "FT", "any", 12],
            [B, "FT", "any", 0],
            ["region", "FT", "any", 12],
            [B, "BSAC", "any", 0],
        ]
    )
    finance = _frame(
        [
            ["region", "ESF_services", "ESF", 40000.0],
            [A, "ESF_services", "ESF", 30000.0],
            [B, "ESF_services", "ESF", 10000.0],
        ],
        ["scope", "programme", "fund", "paid_eur"],
    )
    return empty_evaluation(needs=needs, persons_cumulative=persons, finance=finance)


def test_coverage_and_assessed_but_not_served():
    ev = needs_evaluation()
    coverage = [
        f for f in fi.needs_findings(ev, A) if f.code == "needs_coverage" and f.evidence["target_group"] == "GRT"
    ][0]
    # 6 + 4 = 10 assessments, 8 served -> 80 %
    assert coverage.evidence["assessments"] == 10 and coverage.evidence["coverage"] == pytest.approx(0.8)
    assert "10 vajadzību izvērtējumi, pakalpojumus saņēmušas 8 (80 % no izvērtējumu skaita)" in words(coverage)
    # B: a "<5" means at least one assessment; served is a known zero
    (unserved,) = fi.needs_findings(ev, B)
    assert unserved.code == "needs_not_served" and unserved.importance == "high"
    assert "nav saņēmis neviens no personu ar GRT" in unserved.text_lv
    assert unserved.evidence["assessments"] is None  # the sum of a hidden value is never stated
    region = [f for f in fi.needs_findings(ev, "region") if f.code == "needs_not_served"]
    assert region[0].evidence["scopes"] == [B] and "Beta novads" in region[0].text_lv


def test_the_number_of_assessments_agrees_with_its_noun():
    needs = _frame(
        [[A, 2019, "GRT", 20, 5], [A, 2020, "GRT", 1, 1], [B, 2020, "FT", 1, 1]],
        ["scope", "year", "target_group", "assessments", "support_plans"],
    )
    persons = cumulative([[A, "GRT", "any", 8], [B, "FT", "any", 1]])
    (a,) = [f for f in fi.needs_findings(empty_evaluation(needs=needs, persons_cumulative=persons), A)]
    assert "21 vajadzību izvērtējums, pakalpojumus saņēmušas 8" in words(a)
    assert "21 needs assessments, 8 served" in words(a, "en")
    (b,) = [f for f in fi.needs_findings(empty_evaluation(needs=needs, persons_cumulative=persons), B)]
    assert "1 vajadzību izvērtējums, pakalpojumus saņēmis 1 (100 % no" in words(b)
    assert "1 needs assessment, 1 served (100% of" in words(b, "en")


def test_money_paid_where_nobody_was_served_and_cost_per_person():
    ev = needs_evaluation()
    (paid,) = fi.money_findings(ev, B)
    assert paid.code == "paid_nobody_served" and paid.evidence["esf_paid_eur"] == 10000.0
    (cost,) = fi.money_findings(ev, A)
    # A: 30 000 / (12 + 8) = 1 500 EUR; region: 40 000 / 20 = 2 000 EUR; ratio 0.75 -> low
    assert cost.evidence["cost_per_person_eur"] == 1500 and cost.evidence["region_cost_per_person_eur"] == 2000
    assert cost.importance == "low"
    assert "1 500 EUR" in words(cost) and "2 000 EUR" in words(cost)


def test_cost_not_stated_when_a_count_is_hidden():
    ev = needs_evaluation()
    persons = ev.persons_cumulative
    persons.loc[(persons["scope"] == A) & (persons["target_group"] == "FT"), "persons"] = "<5"
    assert fi.money_findings(ev, A) == []


def test_cost_per_person_and_coverage_from_a_rounded_count_say_about():
    from di_eval.report.rounded import Rounded

    ev = needs_evaluation()
    persons = ev.persons_cumulative
    persons.loc[(persons["scope"] == A) & (persons["target_group"] == "FT"), "persons"] = Rounded(10)
    (cost,) = fi.money_findings(ev, A)
    # A: 30 000 / (≈10 + 8) = 1 667 EUR, the persons and the cost both approximate; the region's exact
    assert cost.evidence["persons_ft_grt"] == 18
    assert "apmēram 1 667 EUR (30 000 EUR : apmēram 18); reģionā — 2 000 EUR" in words(cost)
    assert "about EUR 1,667 (EUR 30,000 ÷ about 18)" in words(cost, "en")
    persons.loc[(persons["scope"] == A) & (persons["target_group"] == "GRT"), "persons"] = Rounded(10)
    coverage = [
        f for f in fi.needs_findings(ev, A) if f.code == "needs_coverage" and f.evidence["target_group"] == "GRT"
    ][0]
    assert "pakalpojumus saņēmušas apmēram 10 (apmēram 100 % no izvērtējumu skaita)" in words(coverage)
    exact = needs_evaluation()
    (cost,) = fi.money_findings(exact, A)
    assert "apmēram" not in cost.text_lv and "about" not in cost.text_en


@dataclass
class RoundingFake(Fake):
    """An evaluation protected by rounding: its tables hold plain ints, ``rounded()`` says which are rounded."""

    cells: pd.DataFrame = None

    def rounded(self) -> pd.DataFrame:
        return self.cells


def test_findings_json_from_the_unmarked_evaluation_says_about_as_the_page_does():
    from di_eval.report.rounded import mark

    ev = needs_evaluation()
    import dataclasses

    rounding = RoundingFake(
        **{f.name: getattr(ev, f.name) for f in dataclasses.fields(Fake) if f.name != "rule"},
        rule=DisclosureRule(5, method="rounding"),
        cells=pd.DataFrame(
            [["uptake", "persons_cumulative", A, 0, "FT", "any"]],
            columns=["table", "measure", "scope", "year", "group", "service"],
        ),
    )
    found = fi.findings_json(rounding, A)  # what di-eval run writes to findings.json: the evaluation unmarked
    assert found == fi.findings_json(mark(rounding), A)  # what the page states: the evaluation marked
    (cost,) = [f for f in found if f["code"] == "cost_per_person"]
    assert "(30 000 EUR : apmēram 20)" in cost["text_lv"].replace("\u00a0", " ") and "÷ about 20)" in cost["text_en"]
    assert fi.findings_json(ev, A) != found  # without rounding nothing says "apmēram"
    assert not [f for f in fi.findings_json(ev, A) if "apmēram" in f["text_lv"]]


def test_service_that_stopped():
    rows = by_year(
        [
            [A, 2018, "FT", "respite", 7, 7],
            [A, 2019, "FT", "respite", "<5", 0],
            [A, 2020, "FT", "respite", 0, 0],
            [A, 2018, "FT", "care", 3, 3],
            [A, 2019, "FT", "care", None, None],
            [A, 2020, "FT", "care", 0, 0],
            [A, 2018, "GRT", "care", 0, 0],
            [A, 2019, "GRT", "care", 0, 0],
        ]
    )
    (stopped,) = fi.stopped_findings(empty_evaluation(persons_by_year=rows), A)
    # respite: last given in 2019 (a hidden small count), then a known zero; care has a year not reported
    assert stopped.evidence["service"] == "respite" and stopped.evidence["last_year_served"] == 2019
    assert "2019. gadā vēl tika sniegts (mazāk nekā 5)" in stopped.text_lv
    assert "<5" not in stopped.text_lv


def test_forms_missing_and_late():
    completeness = _frame(
        [
            [A, 2019, 1, 1, 0, 1, 0],
            [A, 2020, 1, 0, 0, 0, 1],
            ["region", 2019, 2, 2, 1, 1, 0],
            ["region", 2020, 2, 1, 0, 1, 1],
        ],
        ["scope", "year", "expected", "received", "on_time", "late", "missing"],
    )
    ev = empty_evaluation(completeness=completeness)
    found = fi.completeness_findings(ev, A)
    assert codes(found) == ["forms_missing", "forms_late"]  # 1 late of 2 expected: half or more
    assert "nav saņemta 2020. gada veidlapa" in found[0].text_lv
    region = fi.completeness_findings(ev, "region")
    assert region[0].evidence["forms"] == [[A, 2020]] and "Alfa novads (2020)" in region[0].text_lv
    assert region[1].code == "forms_late" and "2 no 4 veidlapām (50 %)" in words(region[1])


# --- the whole list ----------------------------------------------------------------------------------------------


def test_findings_are_ranked_and_json_ready():
    ev = needs_evaluation()
    found = fi.findings(ev, "region")
    ranks = [fi.IMPORTANCE_ORDER.index(f.importance) for f in found]
    assert ranks == sorted(ranks)
    text = json.dumps(fi.findings_json(ev, "region"), allow_nan=False)
    first = json.loads(text)[0]
    assert set(first) == {"scope", "code", "importance", "text_lv", "text_en", "evidence"}
    assert all(f.code in fi.CATALOGUE for f in found)


# --- each municipality's own plan -----------------------------------------------------------------------------


def plan_table(rows):
    return pd.DataFrame(
        rows, columns=["plan_version", "atvk_code", "target_group", "service", "persons_planned", "source"]
    )


def test_municipal_progress_against_its_own_plan():
    achievement = _frame(
        [["region", "GRT", "2020-01-15", 350, 150, 150 / 350, 0.5, "behind"]],
        ["scope", "target", "plan_version", "target_value", "achieved", "rate", "expected_rate", "status"],
    )
    ev = empty_evaluation(achievement=achievement, persons_cumulative=cumulative([[A, "GRT", "any", 14]]))
    ev.plan_version, ev.successors = "2020-01-15", {}
    plan = plan_table(
        [
            ["2020-01-15", A, "GRT", "any", 35, "synthetic"],
            ["2020-01-15", A, "GRT", "day_care", None, "synthetic"],
            ["2017-10-05", A, "GRT", "any", 99, "synthetic"],  # another plan version: not used
        ]
    )
    (row,) = fi.municipal_plan_rows(ev, plan, A)
    # 14 / 35 = 40 %; expected 50 % -> ratio 0.8; the plan is 35 / 350 = 10 % of the region's target
    assert row["planned"] == 35 and row["rate"] == pytest.approx(0.4) and row["services"] == ["day_care"]
    assert row["share_of_region_target"] == pytest.approx(0.1)
    (finding,) = fi.municipal_plan_findings(ev, plan, A)
    assert finding.code == "municipal_progress"
    assert "sasniegti 14 no pašvaldībai plānotajiem 35 (40 %)" in words(finding)
    assert "10 % no reģiona mērķa (350). (Sintētiski dati.)" in words(finding)
    assert finding.importance in ("high", "medium")
    ev.persons_cumulative = cumulative([[A, "GRT", "any", 21]])  # 21 takes the singular, as in the region's targets
    (finding,) = fi.municipal_plan_findings(ev, plan, A)
    assert "sasniegts 21 no pašvaldībai plānotajiem 35 (60 %); ņemot vērā pagājušo laiku, bija sagaidāma" in words(
        finding
    )
    # a hidden achievement: the row keeps the marker, no rate, no finding
    ev.persons_cumulative = cumulative([[A, "GRT", "any", "x"]])
    (row,) = fi.municipal_plan_rows(ev, plan, A)
    assert row["rate"] is None and row["status"] is None
    assert fi.municipal_plan_findings(ev, plan, A) == []


def test_the_sample_plan_is_synthetic_and_adds_up_to_the_region_targets(tmp_path):
    import shutil

    from di_eval import dataset, paths
    from di_eval.errors import DataValidationError

    data = dataset.load(paths.SAMPLE_DIR)
    plan = data.municipal_plan
    assert set(plan["source"]) == {"synthetic"}
    planned = plan[plan["service"] == "any"].groupby(["plan_version", "target_group"])["persons_planned"].sum()
    targets = data.targets.set_index(["plan_version", "target"])["value"]
    for (version, group), value in planned.items():
        assert value == targets[(version, group)]
    # optional: a dataset without the file loads, with an empty plan
    copy = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, copy)
    (copy / "municipal_plan.csv").unlink()
    assert len(dataset.load(copy).municipal_plan) == 0
    # a bad row is named: file, row, column
    (copy / "municipal_plan.csv").write_text(
        "plan_version,atvk_code,target_group,service,persons_planned,source\n2020-01-15,0620200,FT,any,-3,synthetic\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        dataset.load(copy)
    assert "municipal_plan.csv" in str(err.value) and "persons_planned" in str(err.value)


# --- di-eval run --final --------------------------------------------------------------------------------------


def test_final_refuses_reports_without_the_evaluators_text(tmp_path, capsys):
    import shutil

    from di_eval import paths
    from di_eval.cli.main import main

    data = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, data)
    (data / "commentary").mkdir()
    (data / "commentary" / "0620200.md").write_text("Secinājumi.\n", encoding="utf-8")
    (data / "commentary" / "region.md").write_text("   \n", encoding="utf-8")  # empty: still a draft
    out = tmp_path / "out"
    code = main(["run", "--data", str(data), "--out", str(out), "--only", "Kuldīga", "Saldus", "region", "--final"])
    assert code == 1
    err = capsys.readouterr().err
    assert "0840200 (Saldus novads)" in err and "region" in err and "0620200" not in err
    assert "nothing was published" in err
    assert not out.exists()
