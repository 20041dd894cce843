"""Findings on progress: the region's targets (with what it takes and a projection), each
municipality's own plan and its share of the region's target."""

from __future__ import annotations

import math

from di_eval.analysis.findings.base import (
    Finding,
    _finding,
    _name,
    _served,
    approximately,
    known,
)
from di_eval.analysis.indicators import PLAN_END, REGION
from di_eval.text import LANGUAGES, Text
from di_eval.text.formats import format_date, format_number, format_percent
from di_eval.text.grammar import group_noun, group_phrase, participle
from di_eval.text.terms import status_label

# --- 1. progress against the targets -----------------------------------------------------------------

# what was expected from the time elapsed, in the region's targets and in a municipality's own plan
_EXPECTED = Text(
    "ņemot vērā pagājušo laiku, bija sagaidāma {expected} izpilde (statuss: {status}).",
    "{expected} was expected from the time elapsed (status: {status}).",
)
_TARGET_HEAD = Text(
    "{target}: {verb} {achieved} no {target_value} ({rate}); {expected}",
    "{target}: {achieved} of {target_value} reached ({rate}); {expected}",
)
_TARGET_REACHED = Text(" Mērķis ir sasniegts.", " The target has been reached.")
_TARGET_NEED = Text(
    " Lai mērķi {target_value} sasniegtu līdz {end}, vajadzīgi vēl {more}, aptuveni {per_year} gadā.",
    " To reach {target_value} by {end}, {more} more are needed, about {per_year} a year.",
)
_TARGET_ENDED = Text(
    " Plāna periods ir beidzies; līdz mērķim {target_value} pietrūka {more}.",
    " The plan period has ended; {more} short of the target of {target_value}.",
)
_TARGET_PACE = Text(
    " Prognoze: ja saglabātos pēdējo trīs gadu temps ({years}; vidēji {pace} gadā), mērķis tiktu sasniegts "
    "{year}. gadā.",
    " Projection: if the pace of the last three years held ({years}; {pace} a year on average), the target "
    "would be reached in {year}.",
)
_TARGET_NO_PACE = Text(
    " Prognoze nav aprēķināma: pēdējo trīs gadu skaitļi nav visi publicēti.",
    " No projection: not all figures of the last three years are published.",
)
_TARGET_STALLED = Text(
    " Pēdējos trīs gados ({years}) jaunu personu nebija, tāpēc ar šādu tempu mērķis netiktu sasniegts.",
    " In the last three years ({years}) there was nobody new, so at that pace the target would not be reached.",
)
_TARGET_HIDDEN = Text(
    "{target}: sasniegtais skaits nav publicējams, tāpēc izpilde nav aprēķināma (mērķis: {target_value}).",
    "{target}: the number achieved is not published, so progress cannot be computed (target: {target_value}).",
)


def _target_name(target: str, lang: str) -> str:
    from di_eval.text.terms import term

    return term(target, lang, "target")


def _count(target: str, value, lang: str, case: str = "nom") -> str:
    if target in ("FT", "GRT", "VSAC", "BSAC"):
        return approximately(group_phrase(target, value, lang, case), value, lang)
    return approximately(format_number(value, lang), value, lang)


def _new_by_year(evaluation, target: str, scope: str = REGION) -> dict[int, object]:
    """New persons per complete year (FT/GRT 'any' persons_new; VSAC moves to a municipality)."""
    if target in ("FT", "GRT", "BSAC"):
        rows = evaluation.persons_by_year
        rows = rows[(rows["scope"] == scope) & (rows["target_group"] == target) & (rows["service"] == "any")]
        return dict(zip(rows["year"].astype(int), rows["persons_new"]))
    rows = evaluation.transitions
    rows = rows[(rows["scope"] == scope) & (rows["transition"] == "vsac_to_municipality")]
    return dict(zip(rows["year"].astype(int), rows["persons"]))


def target_findings(evaluation) -> list[Finding]:
    out = []
    as_of = evaluation.as_of
    # years to the end of the plan, to a tenth (2020-12-31 -> 3.0, not 2.998)
    years_left = round(max(0.0, (PLAN_END - as_of).days / 365.25), 1)
    for row in evaluation.achievement.itertuples():
        target, value, target_value = row.target, row.achieved, int(row.target_value)
        evidence = {
            "source": "achievement",
            "target": target,
            "target_value": target_value,
            "plan_version": row.plan_version,
            "achieved": value,
            "as_of": as_of.date().isoformat(),
        }
        if not known(value):
            texts = {
                lang: _TARGET_HIDDEN(
                    lang, target=_target_name(target, lang), target_value=format_number(target_value, lang)
                )
                for lang in LANGUAGES
            }
            out.append(_finding(REGION, "target_progress", "medium", texts, evidence))
            continue
        published, value = value, int(value)  # ``published`` knows whether it was rounded
        evidence.update(rate=row.rate, expected_rate=row.expected_rate, status=row.status)
        remaining = max(0, target_value - value)
        evidence["remaining"] = remaining
        new = _new_by_year(evaluation, target)
        last3 = sorted(new)[-3:]
        pace_values = [new[y] for y in last3]
        pace = sum(int(x) for x in pace_values) / 3 if len(last3) == 3 and all(known(x) for x in pace_values) else None
        texts = {}
        per_year = math.ceil(remaining / years_left) if remaining and years_left >= 1 / 12 else None
        reach_year = None
        if remaining and pace:
            reach_year = max(last3) + math.ceil(remaining / pace)
        evidence.update(
            years_left=round(years_left, 2),
            per_year_needed=per_year,
            pace_years=last3,
            pace_new_persons=pace_values,
            pace_per_year=pace,
            projected_year=reach_year,
            projection_assumption="new persons per year stay at the mean of the last three complete years",
        )
        for lang in LANGUAGES:
            text = _TARGET_HEAD(
                lang,
                target=_target_name(target, lang),
                verb=participle("achieved", value, "m"),
                achieved=approximately(format_number(value, lang), published, lang),
                target_value=format_number(target_value, lang),
                rate=approximately(format_percent(row.rate, lang), published, lang),
                expected=_EXPECTED(
                    lang, expected=format_percent(row.expected_rate, lang), status=status_label(row.status, lang)
                ),
            )
            if not remaining:
                text += _TARGET_REACHED(lang)
            else:
                # what is left of a target met in part by a rounded count is itself approximate
                more = approximately(_count(target, remaining, lang), published, lang)
                if per_year:
                    text += _TARGET_NEED(
                        lang,
                        target_value=format_number(target_value, lang),
                        end=format_date(PLAN_END, lang, case="dat"),
                        more=more,
                        per_year=format_number(per_year, lang),
                    )
                else:
                    text += _TARGET_ENDED(lang, target_value=format_number(target_value, lang), more=more)
                span = f"{last3[0]}–{last3[-1]}" if last3 else ""
                if pace is None:
                    text += _TARGET_NO_PACE(lang)
                elif pace == 0:
                    text += _TARGET_STALLED(lang, years=span)
                else:
                    text += _TARGET_PACE(
                        lang,
                        years=span,
                        pace=format_number(round(pace, 1), lang, 1 if pace % 1 else 0),
                        year=reach_year,
                    )
            texts[lang] = text[0].upper() + text[1:]
        importance = {"behind": "high", "at_risk": "medium"}.get(row.status, "low")
        out.append(_finding(REGION, "target_progress", importance, texts, evidence))
    return out


_SHARE = Text(
    "{place}: pakalpojumus kopš plāna sākuma {verb} {count} — {rate} no reģiona mērķa ({target}).",
    "{place}: {count} served since the plan began — {rate} of the region's target ({target}).",
)


def municipal_share_findings(evaluation, scope: str) -> list[Finding]:
    if scope == REGION:
        return []
    from di_eval.text.grammar import group_parts

    targets = dict(zip(evaluation.achievement["target"], evaluation.achievement["target_value"]))
    rows = evaluation.persons_cumulative
    rows = rows[(rows["scope"] == scope) & (rows["service"] == "any")]
    values = dict(zip(rows["target_group"], rows["persons"]))
    out = []
    for group in ("FT", "GRT"):
        value, target = values.get(group), targets.get(group)
        if not known(value) or not target:
            continue
        rate = int(value) / int(target)
        texts = {}
        for lang in LANGUAGES:
            noun = group_parts(group, lang)[0]
            texts[lang] = _SHARE(
                lang,
                place=_name(evaluation, scope, lang),
                verb=participle("received", value, noun.gender),
                count=approximately(group_phrase(group, value, lang), value, lang),
                rate=approximately(format_percent(rate, lang), value, lang),
                target=format_number(int(target), lang),
            )
        evidence = {
            "source": "persons_cumulative",
            "target_group": group,
            "persons": int(value),
            "region_target": int(target),
            "share": rate,
        }
        out.append(_finding(scope, "municipal_share", "low", texts, evidence))
    return out


# --- each municipality's own plan ----------------------------------------------------------------------------


def municipal_plan_rows(evaluation, plan, scope: str) -> list[dict]:
    """The municipality's own plan against its achievement: per target group the persons planned
    (plan version in force), achieved (cumulative, published), rate, expected rate, status (the same
    bands as the region's) and its share of the region's target; ``services`` the plan gives it.
    Where the achieved count is shown as its range ("5–14"), ``rate_span`` is the range of the
    rate, and the status is the band both ends fall in, else None (not determinable).
    A 2021 municipality adds up the plans of its 2017 parts. Empty without a plan for the scope."""
    from di_eval.analysis.indicators import status_band

    if plan is None or not len(plan) or scope == REGION:
        return []
    plan = plan[plan["plan_version"] == evaluation.plan_version]
    successors = evaluation.successors
    parts = [c for c in set(plan["atvk_code"]) if c == scope or successors.get(c) == scope]
    plan = plan[plan["atvk_code"].isin(parts)]
    targets = dict(zip(evaluation.achievement["target"], evaluation.achievement["target_value"]))
    expected = float(evaluation.achievement["expected_rate"].iloc[0]) if len(evaluation.achievement) else None
    rows = []
    for group in ("FT", "GRT", "BSAC"):
        mine = plan[plan["target_group"] == group]
        if not len(mine):
            continue
        planned_values = mine.loc[mine["service"] == "any", "persons_planned"]
        planned = int(planned_values.sum()) if len(planned_values) and planned_values.notna().all() else None
        achieved = _served(evaluation, scope, group)
        rate = int(achieved) / planned if known(achieved) and planned else None
        status = status_band(rate, expected) if rate is not None and expected is not None else None
        span = getattr(achieved, "span", None)  # a count shown as its range: so are its rate and status
        rate_span = (span[0] / planned, span[1] / planned) if span and rate is not None else None
        if rate_span and expected is not None:
            ends = {status_band(r, expected) for r in rate_span}
            status = ends.pop() if len(ends) == 1 else None  # the range crosses a band: not determinable
        region_target = targets.get(group)
        rows.append(
            {
                "target_group": group,
                "planned": planned,
                "achieved": achieved,
                "rate": rate,
                "rate_span": rate_span,
                "expected_rate": expected,
                "status": status,
                "region_target": int(region_target) if region_target else None,
                "share_of_region_target": planned / int(region_target) if planned and region_target else None,
                "services": [x for x in mine["service"] if x != "any"],
                "source": ";".join(sorted(set(mine["source"]))),
            }
        )
    return rows


_OWN_PLAN = Text(
    "{place}: {group} — {verb} {achieved} no pašvaldībai plānotajiem {planned} ({rate}); {expected} "
    "Pašvaldībai plānotais ir {share} no reģiona mērķa ({target}).{synthetic}",
    "{place}: {group} — {achieved} of the {planned} planned for the municipality ({rate}); {expected} "
    "The municipality's plan is {share} of the region's target ({target}).{synthetic}",
)
_SYNTHETIC = Text(" (Sintētiski dati.)", " (Synthetic data.)")


def percent_range(span, lang: str) -> str:
    """A rate's range from a count shown as its range: "83 %–233 %"."""
    return "\u2013".join(format_percent(r, lang) for r in span)


def municipal_plan_findings(evaluation, plan, scope: str) -> list[Finding]:
    out = []
    for row in municipal_plan_rows(evaluation, plan, scope):
        if row["rate"] is None or row["share_of_region_target"] is None:
            continue
        texts = {
            lang: _OWN_PLAN(
                lang,
                place=_name(evaluation, scope, lang),
                group=group_noun(row["target_group"], lang),
                verb=participle("achieved", int(row["achieved"]), "m"),
                achieved=approximately(format_number(row["achieved"], lang), row["achieved"], lang),
                planned=format_number(row["planned"], lang),
                rate=percent_range(row["rate_span"], lang)
                if row["rate_span"]
                else approximately(format_percent(row["rate"], lang), row["achieved"], lang),
                expected=_EXPECTED(
                    lang, expected=format_percent(row["expected_rate"], lang), status=status_label(row["status"], lang)
                ),
                share=format_percent(row["share_of_region_target"], lang),
                target=format_number(row["region_target"], lang),
                synthetic=_SYNTHETIC(lang) if "synthetic" in row["source"] else "",
            )
            for lang in LANGUAGES
        }
        importance = {"behind": "high", "at_risk": "medium"}.get(row["status"], "low")
        evidence = {
            **row,
            "plan_source": row["source"],  # "synthetic" in the sample
            "source": "municipal_plan; persons_cumulative",
            "plan_version": evaluation.plan_version,
        }
        out.append(_finding(scope, "municipal_progress", importance, texts, evidence))
    return out
