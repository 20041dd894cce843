"""Findings: ranked statements of what the published numbers mean, each with its evidence.

``findings(evaluation, scope)`` reads an ``Evaluation`` (every person count already passed
disclosure control: an int, a marker such as "<5"/"x", or None) and says, in Latvian and
English, what went well or wrong: progress against the targets and what it would take to
reach them, late infrastructure, needs against services, money paid where nobody was served,
cost per person served, services that stopped, data that are missing. A rate is stated only
when its numerator and denominator are both published whole numbers; a hidden value is never
worked out, summed or compared as a number. Each finding carries its evidence: the numbers it
states and the table they come from.

The catalogue (code, rule, importance) is ``CATALOGUE`` and README "Findings and conclusions".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from di_eval.analysis.indicators import PLAN_END, REGION
from di_eval.text import Text
from di_eval.text.formats import format_date, format_money, format_number, format_percent, typographic_quotes
from di_eval.text.grammar import group_noun, group_phrase, join_words
from di_eval.text.terms import scope_name, status_label

IMPORTANCE_ORDER = ("high", "medium", "low")

# code -> (rule in English, importance); README "Findings and conclusions" lists the same.
CATALOGUE = {
    "target_progress": (
        "a region target: achieved against the target and against the time elapsed; what it "
        "would take to reach it by the end of 2023; a projection at the pace of the last three "
        "years",
        "high if behind, medium if at risk, low otherwise",
    ),
    "municipal_progress": (
        "a municipality's own plan (municipal_plan): persons served (cumulative) against the persons planned for "
        "it, status in the region's bands, and its plan's share of the region's target",
        "high if behind, medium if at risk, low otherwise",
    ),
    "municipal_share": ("a municipality's persons served (cumulative) as a share of the region's target", "low"),
    "infrastructure_not_opened": (
        "a project whose service opening date has passed and which has not opened "
        "(not started, under construction or built)",
        "high",
    ),
    "infrastructure_opened_late": ("a project that opened after its planned date", "medium (high from 365 days)"),
    "infrastructure_late_share": (
        "the share of projects with a late or overdue milestone",
        "high from 50 %, medium otherwise",
    ),
    "needs_not_served": ("needs were assessed but nobody of the group was served (a known zero)", "high"),
    "needs_coverage": (
        "persons served (cumulative) per needs assessment, where both are published",
        "medium below 50 %, low otherwise",
    ),
    "paid_nobody_served": ("ESF money paid for services while nobody of FT, GRT or BSAC was served", "high"),
    "cost_per_person": (
        "ESF paid ÷ persons served (FT + GRT, cumulative), against the region's",
        "medium if under half or over 1.5 times the region's, low otherwise",
    ),
    "service_stopped": ("a service that served persons in a year and nobody in every later year", "medium"),
    "forms_missing": ("forms not received", "high"),
    "forms_late": ("half or more of the forms arrived after the due date", "low"),
}


@dataclass(frozen=True)
class Finding:
    """One statement about a scope, in both languages, with the numbers behind it."""

    scope: str
    code: str
    importance: str
    text_lv: str
    text_en: str
    evidence: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return self.text_lv if lang == "lv" else self.text_en

    def as_json(self) -> dict:
        return {
            "scope": self.scope,
            "code": self.code,
            "importance": self.importance,
            "text_lv": self.text_lv,
            "text_en": self.text_en,
            "evidence": _plain(self.evidence),
        }


def _plain(value):
    """Evidence as JSON values: ints, floats, strings, lists, dicts (never NaN or numpy types)."""
    if isinstance(value, dict):
        return {str(k): _plain(x) for k, x in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(x) for x in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 6)
    if value is None or value is pd.NA:
        return None
    return str(value)


def known(value) -> bool:
    """A published whole number (not a marker, not missing)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive(value, primary_marker: str) -> bool:
    """Known to be at least 1: a published count above zero, or a small count hidden as "<5"."""
    return (known(value) and value > 0) or value == primary_marker


def _both(fn, *values):
    return {lang: fn(lang, *values) for lang in ("lv", "en")}


def _finding(scope, code, importance, texts: dict, evidence: dict) -> Finding:
    return Finding(scope, code, importance, texts["lv"], texts["en"], evidence)


def _name(evaluation, scope: str, lang: str) -> str:
    return scope_name(scope, lang, evaluation.scopes)


# --- 1. progress against the targets -----------------------------------------------------------------

_TARGET_HEAD = Text(
    "{target}: sasniegti {achieved} no {target_value} ({rate}); ņemot vērā pagājušo laiku, bija sagaidāma "
    "{expected} izpilde (statuss: {status}).",
    "{target}: {achieved} of {target_value} reached ({rate}); {expected} was expected from the time elapsed "
    "(status: {status}).",
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

_TARGET_NOUN = {"FT": "FT", "GRT": "GRT", "VSAC": "VSAC"}


def _target_name(target: str, lang: str) -> str:
    from di_eval.text.terms import term

    return term(target, lang, "target")


def _count(target: str, value, lang: str, case: str = "nom") -> str:
    if target in ("FT", "GRT", "VSAC", "BSAC"):
        return group_phrase(target, value, lang, case)
    return format_number(value, lang)


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
                for lang in ("lv", "en")
            }
            out.append(_finding(REGION, "target_progress", "medium", texts, evidence))
            continue
        value = int(value)
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
        for lang in ("lv", "en"):
            text = _TARGET_HEAD(
                lang,
                target=_target_name(target, lang),
                achieved=format_number(value, lang),
                target_value=format_number(target_value, lang),
                rate=format_percent(row.rate, lang),
                expected=format_percent(row.expected_rate, lang),
                status=status_label(row.status, lang),
            )
            if lang == "lv":
                text = (
                    text.replace("sasniegti 1 no", "sasniegts 1 no") if value % 10 == 1 and value % 100 != 11 else text
                )
            if not remaining:
                text += _TARGET_REACHED(lang)
            else:
                more = _count(target, remaining, lang)
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
    from di_eval.text.grammar import group_parts, participle

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
        for lang in ("lv", "en"):
            noun = group_parts(group, lang)[0]
            texts[lang] = _SHARE(
                lang,
                place=_name(evaluation, scope, lang),
                verb=participle("received", value, noun.gender) if lang == "lv" else "",
                count=group_phrase(group, value, lang),
                rate=format_percent(rate, lang),
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
        region_target = targets.get(group)
        rows.append(
            {
                "target_group": group,
                "planned": planned,
                "achieved": achieved,
                "rate": rate,
                "expected_rate": expected,
                "status": status_band(rate, expected) if rate is not None and expected is not None else None,
                "region_target": int(region_target) if region_target else None,
                "share_of_region_target": planned / int(region_target) if planned and region_target else None,
                "services": [x for x in mine["service"] if x != "any"],
                "source": ";".join(sorted(set(mine["source"]))),
            }
        )
    return rows


_OWN_PLAN = Text(
    "{place}: {group} — sasniegti {achieved} no pašvaldībai plānotajiem {planned} ({rate}); ņemot vērā pagājušo "
    "laiku, bija sagaidāma {expected} izpilde (statuss: {status}). Pašvaldībai plānotais ir {share} no reģiona "
    "mērķa ({target}).{synthetic}",
    "{place}: {group} — {achieved} of the {planned} planned for the municipality ({rate}); {expected} was expected "
    "from the time elapsed (status: {status}). The municipality's plan is {share} of the region's target "
    "({target}).{synthetic}",
)
_SYNTHETIC = Text(" (Sintētiski dati.)", " (Synthetic data.)")


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
                achieved=format_number(int(row["achieved"]), lang),
                planned=format_number(row["planned"], lang),
                rate=format_percent(row["rate"], lang),
                expected=format_percent(row["expected_rate"], lang),
                status=status_label(row["status"], lang),
                share=format_percent(row["share_of_region_target"], lang),
                target=format_number(row["region_target"], lang),
                synthetic=_SYNTHETIC(lang) if "synthetic" in row["source"] else "",
            )
            for lang in ("lv", "en")
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


# --- 2. infrastructure ----------------------------------------------------------------------------------

_NOT_OPENED = Text(
    "{project}: pakalpojumam bija jāsāk darboties {planned}, bet tas vēl nedarbojas ({status}); kavējums "
    "salīdzinājumā ar plānoto — {days} dienas.",
    "{project}: the service was due to open on {planned} and has not opened ({status}); {days} days behind schedule.",
)
_OPENED_LATE = Text(
    "{project}: pakalpojums sāka darboties {actual}, {days} dienas vēlāk nekā plānots ({planned}).",
    "{project}: the service opened on {actual}, {days} days later than planned ({planned}).",
)
_LATE_SHARE = Text(
    "Infrastruktūras projekti: {late} no {total} ({rate}) kavējas vai ir izpildīti ar nokavējumu.{longest}",
    "Infrastructure projects: {late} of {total} ({rate}) are late or were completed late.{longest}",
)
_LONGEST = Text(" Lielākie kavējumi: {items}.", " The longest delays: {items}.")
_DAYS = Text("{n} dienas", "{n} days")


def infrastructure_findings(evaluation, scope: str) -> list[Finding]:
    from di_eval.text.terms import term

    projects = evaluation.infrastructure
    milestones = evaluation.milestones
    if scope != REGION:
        projects = projects[projects["scope"] == scope]
    projects = projects[projects["status"] != "dropped"]
    out = []
    late_ids = []
    for project in projects.itertuples():
        rows = milestones[milestones["project_id"] == project.project_id]
        if rows["status"].isin(["done_late", "overdue"]).any():
            late_ids.append(project.project_id)
        opened = rows[rows["milestone"] == "service_opened"]
        if not len(opened):
            continue
        m = opened.iloc[0]
        evidence = {
            "source": "milestones",
            "project_id": project.project_id,
            "milestone": "service_opened",
            "planned_date": _iso(m["planned_date"]),
            "actual_date": _iso(m["actual_date"]),
            "slippage_days": _int(m["slippage_days"]),
            "project_status": project.status,
        }
        label = {lang: typographic_quotes(f"{project.project_id}: {project.name}", lang) for lang in ("lv", "en")}
        if m["status"] == "overdue":
            texts = {
                lang: _NOT_OPENED(
                    lang,
                    project=label[lang],
                    planned=format_date(m["planned_date"], lang, case="loc"),
                    status=term(project.status, lang, "project_status"),
                    days=format_number(int(m["slippage_days"]), lang),
                )
                for lang in ("lv", "en")
            }
            out.append(_finding(project.scope, "infrastructure_not_opened", "high", texts, evidence))
        elif m["status"] == "done_late" and scope != REGION:  # the region names them in the share
            days = int(m["slippage_days"])
            texts = {
                lang: _OPENED_LATE(
                    lang,
                    project=label[lang],
                    actual=format_date(m["actual_date"], lang, case="loc"),
                    planned=format_date(m["planned_date"], lang),
                    days=format_number(days, lang),
                )
                for lang in ("lv", "en")
            }
            out.append(
                _finding(
                    project.scope, "infrastructure_opened_late", "high" if days >= 365 else "medium", texts, evidence
                )
            )
    total = len(projects)
    if total and (scope == REGION or total > 1):
        rate = len(late_ids) / total
        opened = milestones[(milestones["milestone"] == "service_opened") & milestones["project_id"].isin(late_ids)]
        opened = opened[opened["slippage_days"].notna()].sort_values("slippage_days", ascending=False).head(3)
        delays = [(p, int(d)) for p, d in zip(opened["project_id"], opened["slippage_days"]) if int(d) > 0]

        def longest(lang):
            if not delays:
                return ""
            items = ", ".join(f"{p} — {_DAYS(lang, n=format_number(d, lang))}" for p, d in delays)
            return _LONGEST(lang, items=items)

        texts = {
            lang: _LATE_SHARE(
                lang,
                late=format_number(len(late_ids), lang),
                total=format_number(total, lang),
                rate=format_percent(rate, lang),
                longest=longest(lang),
            )
            for lang in ("lv", "en")
        }
        evidence = {
            "source": "milestones",
            "projects": total,
            "late": len(late_ids),
            "share": rate,
            "late_projects": late_ids,
            "longest_delays_days": dict(delays),
        }
        if late_ids:
            out.append(
                _finding(scope, "infrastructure_late_share", "high" if rate >= 0.5 else "medium", texts, evidence)
            )
    return out


def _shown(value, lang: str) -> str:
    """A published value in words: "12", "mazāk nekā 5" (a small hidden count)."""
    from di_eval.text.formats import fewer_than

    return format_number(value, lang) if known(value) else fewer_than(value, lang)


def _iso(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


# --- 3. needs against services ------------------------------------------------------------------------

_NOT_SERVED = Text(
    "{place}: vajadzības izvērtētas {assessed}, bet pakalpojumus nav saņēmis neviens no {group}.",
    "{place}: needs were assessed ({assessed}), but none of the {group} was served.",
)
_NOT_SERVED_REGION = Text(
    "Pašvaldības, kur vajadzības izvērtētas, bet pakalpojumus nav saņēmis neviens ({group}): {places}.",
    "Municipalities where needs were assessed but nobody was served ({group}): {places}.",
)
_COVERAGE = Text(
    "{place}: {group} — {assessed} vajadzību izvērtējumi, pakalpojumus {verb} {served} ({rate} no izvērtējumu skaita).",
    "{place}: {group} — {assessed} needs assessments, {served} served ({rate} of the number of assessments).",
)
_ASSESSED_WORDS = Text("vismaz vienai personai", "at least one")


def _assessments(evaluation, scope: str, group: str) -> list:
    rows = evaluation.needs
    rows = rows[(rows["scope"] == scope) & (rows["target_group"] == group)]
    return list(rows["assessments"])


def _served(evaluation, scope: str, group: str):
    rows = evaluation.persons_cumulative
    rows = rows[(rows["scope"] == scope) & (rows["target_group"] == group) & (rows["service"] == "any")]
    return rows["persons"].iloc[0] if len(rows) else None


def needs_findings(evaluation, scope: str) -> list[Finding]:
    from di_eval.text.grammar import group_parts, participle

    marker = evaluation.rule.primary_marker
    out = []
    municipal = [s for s in evaluation.scopes["scope"] if s != REGION]
    scopes = [scope] if scope != REGION else [REGION, *municipal]
    unserved: dict[str, list[str]] = {"FT": [], "GRT": []}
    for where in scopes:
        for group in ("FT", "GRT"):
            values = _assessments(evaluation, where, group)
            served = _served(evaluation, where, group)
            total = sum(int(x) for x in values) if values and all(known(x) for x in values) else None
            evidence = {
                "source": "needs; persons_cumulative",
                "target_group": group,
                "assessments_by_year": values,
                "assessments": total,
                "persons_served": served,
            }
            if where != REGION and known(served) and served == 0 and any(positive(x, marker) for x in values):
                unserved[group].append(where)
                if scope != REGION:
                    texts = {
                        lang: _NOT_SERVED(
                            lang,
                            place=_name(evaluation, where, lang),
                            assessed=(
                                group_phrase(group, total, lang, "dat")
                                if lang == "lv"
                                else group_phrase(group, total, lang)
                            )
                            if total is not None
                            else _ASSESSED_WORDS(lang),
                            group=group_noun(group, lang, "gen") if lang == "lv" else group_noun(group, lang),
                        )
                        for lang in ("lv", "en")
                    }
                    out.append(_finding(where, "needs_not_served", "high", texts, evidence))
                continue
            if where != scope or total is None or not total or not known(served):
                continue
            rate = int(served) / total
            evidence["coverage"] = rate
            texts = {}
            for lang in ("lv", "en"):
                noun = group_parts(group, lang)[0]
                texts[lang] = _COVERAGE(
                    lang,
                    place=_name(evaluation, where, lang),
                    group=group_noun(group, lang),
                    assessed=format_number(total, lang),
                    verb=participle("received", served, noun.gender) if lang == "lv" else "",
                    served=format_number(int(served), lang),
                    rate=format_percent(rate, lang),
                )
            out.append(_finding(where, "needs_coverage", "medium" if rate < 0.5 else "low", texts, evidence))
    if scope == REGION:
        for group, places in unserved.items():
            if not places:
                continue
            texts = {
                lang: _NOT_SERVED_REGION(
                    lang,
                    group=group_noun(group, lang),
                    places=join_words([_name(evaluation, p, lang) for p in places], lang),
                )
                for lang in ("lv", "en")
            }
            out.append(
                _finding(
                    REGION,
                    "needs_not_served",
                    "high",
                    texts,
                    {"source": "needs; persons_cumulative", "target_group": group, "scopes": places},
                )
            )
    return out


# --- 4. money ---------------------------------------------------------------------------------------------

_PAID_NOBODY = Text(
    "{place}: ESF pakalpojumiem izmaksāti {paid}, bet pakalpojumus nav saņēmis neviens no mērķa grupām.",
    "{place}: {paid} of ESF money was paid for services, but nobody of the target groups was served.",
)
_PAID_NOBODY_REGION = Text(
    "Pašvaldības, kur ESF pakalpojumiem izmaksāta nauda, bet pakalpojumus nav saņēmis neviens: {places}.",
    "Municipalities where ESF money was paid for services but nobody was served: {places}.",
)
_COST = Text(
    "{place}: izmaksātais ESF finansējums uz vienu pakalpojumu saņēmušo personu (FT un GRT kopā) — {cost} "
    "({paid} : {persons}); reģionā — {region_cost}.",
    "{place}: ESF paid per person served (FT and GRT together) — {cost} ({paid} ÷ {persons}); in the region "
    "{region_cost}.",
)
_COST_REGION = Text(
    "Reģionā izmaksātais ESF finansējums uz vienu pakalpojumu saņēmušo personu (FT un GRT kopā) — {cost} "
    "({paid} : {persons}).",
    "In the region, ESF paid per person served (FT and GRT together) — {cost} ({paid} ÷ {persons}).",
)


def _esf_paid(evaluation, scope: str):
    rows = evaluation.finance
    rows = rows[(rows["scope"] == scope) & (rows["programme"] == "ESF_services") & (rows["fund"] == "ESF")]
    if not len(rows) or pd.isna(rows["paid_eur"].iloc[0]):
        return None
    return float(rows["paid_eur"].iloc[0])


def _persons(evaluation, scope: str, groups=("FT", "GRT")):
    values = [_served(evaluation, scope, g) for g in groups]
    return sum(int(x) for x in values) if all(known(x) for x in values) else None, values


def money_findings(evaluation, scope: str) -> list[Finding]:
    out = []
    municipal = [s for s in evaluation.scopes["scope"] if s != REGION]
    paid_nobody = []
    for where in [scope] if scope != REGION else municipal:
        paid = _esf_paid(evaluation, where)
        everyone, values = _persons(evaluation, where, ("FT", "GRT", "BSAC"))
        if paid and paid > 0 and everyone == 0:
            paid_nobody.append(where)
            if scope != REGION:
                texts = {
                    lang: _PAID_NOBODY(lang, place=_name(evaluation, where, lang), paid=format_money(paid, lang))
                    for lang in ("lv", "en")
                }
                out.append(
                    _finding(
                        where,
                        "paid_nobody_served",
                        "high",
                        texts,
                        {
                            "source": "finance; persons_cumulative",
                            "esf_paid_eur": paid,
                            "persons_served": dict(zip(("FT", "GRT", "BSAC"), values)),
                        },
                    )
                )
    if scope == REGION and paid_nobody:
        texts = {
            lang: _PAID_NOBODY_REGION(lang, places=join_words([_name(evaluation, p, lang) for p in paid_nobody], lang))
            for lang in ("lv", "en")
        }
        out.append(
            _finding(
                REGION,
                "paid_nobody_served",
                "high",
                texts,
                {"source": "finance; persons_cumulative", "scopes": paid_nobody},
            )
        )
    region_paid = _esf_paid(evaluation, REGION)
    region_persons, _ = _persons(evaluation, REGION)
    region_cost = region_paid / region_persons if region_paid and region_persons else None
    paid = _esf_paid(evaluation, scope)
    persons, values = _persons(evaluation, scope)
    if paid and persons:
        cost = paid / persons
        evidence = {
            "source": "finance; persons_cumulative",
            "esf_paid_eur": paid,
            "persons_ft_grt": persons,
            "cost_per_person_eur": cost,
            "region_cost_per_person_eur": region_cost,
        }
        if scope == REGION:
            texts = {
                lang: _COST_REGION(
                    lang,
                    cost=format_money(cost, lang),
                    paid=format_money(paid, lang),
                    persons=format_number(persons, lang),
                )
                for lang in ("lv", "en")
            }
            importance = "low"
        else:
            if region_cost is None:
                return out
            texts = {
                lang: _COST(
                    lang,
                    place=_name(evaluation, scope, lang),
                    cost=format_money(cost, lang),
                    paid=format_money(paid, lang),
                    persons=format_number(persons, lang),
                    region_cost=format_money(region_cost, lang),
                )
                for lang in ("lv", "en")
            }
            ratio = cost / region_cost
            evidence["ratio_to_region"] = ratio
            importance = "medium" if ratio > 1.5 or ratio < 0.5 else "low"
        out.append(_finding(scope, "cost_per_person", importance, texts, evidence))
    return out


# --- 5. services that stopped ----------------------------------------------------------------------------

_STOPPED = Text(
    "{place}: pakalpojums „{service}“ ({group}) {year}. gadā vēl tika sniegts ({served}), bet pēc tam "
    "to nav saņēmis neviens ({later}).",
    "{place}: the service “{service}” ({group}) was still given in {year} ({served}), but nobody has "
    "received it since ({later}).",
)


def stopped_findings(evaluation, scope: str) -> list[Finding]:
    from di_eval.text.terms import term

    rows = evaluation.persons_by_year
    rows = rows[(rows["scope"] == scope) & (rows["service"] != "any")]
    marker = evaluation.rule.primary_marker
    out = []
    for (group, service), series in rows.groupby(["target_group", "service"], sort=False):
        series = series.sort_values("year")
        values = list(zip(series["year"].astype(int), series["persons_served"]))
        # the last year with persons served, followed only by known zeros (at least one)
        last = max((i for i, (_, x) in enumerate(values) if positive(x, marker)), default=None)
        if last is None or last == len(values) - 1:
            continue
        later = values[last + 1 :]
        if not all(known(x) and x == 0 for _, x in later):
            continue
        year, served = values[last]
        span = f"{later[0][0]}–{later[-1][0]}" if len(later) > 1 else str(later[0][0])
        texts = {
            lang: _STOPPED(
                lang,
                place=_name(evaluation, scope, lang),
                service=term(service, lang, "service"),
                group=group,
                year=year,
                served=_shown(served, lang),
                later=span,
            )
            for lang in ("lv", "en")
        }
        out.append(
            _finding(
                scope,
                "service_stopped",
                "medium",
                texts,
                {
                    "source": "persons_by_year",
                    "target_group": group,
                    "service": service,
                    "last_year_served": year,
                    "persons_served": served,
                    "years_without": [y for y, _ in later],
                },
            )
        )
    return out


# --- 6. data completeness ----------------------------------------------------------------------------------

_MISSING = Text(
    "{place}: nav saņemtas {n} veidlapas ({years}); šo gadu skaitļi ir nepilnīgi.",
    "{place}: {n} forms not received ({years}); the figures of those years are incomplete.",
)
_MISSING_ONE = Text(
    "{place}: nav saņemta {year}. gada veidlapa; šī gada skaitļi ir nepilnīgi.",
    "{place}: the form for {year} was not received; that year's figures are incomplete.",
)
_LATE_FORMS = Text(
    "{place}: {late} no {expected} veidlapām ({rate}) saņemtas pēc termiņa.",
    "{place}: {late} of {expected} forms ({rate}) arrived after the due date.",
)


_MISSING_REGION = Text(
    "Nav saņemtas pašvaldību veidlapas (kopā: {n}): {places}.",
    "Municipal forms not received (in all: {n}): {places}.",
)


def completeness_findings(evaluation, scope: str) -> list[Finding]:
    if scope == REGION:
        return _region_completeness(evaluation)
    rows = evaluation.completeness
    rows = rows[rows["scope"] == scope]
    if not len(rows):
        return []
    out = []
    missing_years = [int(y) for y, m in zip(rows["year"], rows["missing"]) if m]
    missing = int(rows["missing"].sum())
    if missing:
        place = {lang: _name(evaluation, scope, lang) for lang in ("lv", "en")}
        if missing == 1 and len(missing_years) == 1:
            texts = {lang: _MISSING_ONE(lang, place=place[lang], year=missing_years[0]) for lang in ("lv", "en")}
        else:
            texts = {
                lang: _MISSING(
                    lang, place=place[lang], n=format_number(missing, lang), years=", ".join(map(str, missing_years))
                )
                for lang in ("lv", "en")
            }
        out.append(
            _finding(
                scope,
                "forms_missing",
                "high",
                texts,
                {"source": "completeness", "missing": missing, "years": missing_years},
            )
        )
    expected, late = int(rows["expected"].sum()), int(rows["late"].sum())
    if expected and late / expected >= 0.5:
        rate = late / expected
        texts = {
            lang: _LATE_FORMS(
                lang,
                place=_name(evaluation, scope, lang),
                late=format_number(late, lang),
                expected=format_number(expected, lang),
                rate=format_percent(rate, lang),
            )
            for lang in ("lv", "en")
        }
        out.append(
            _finding(
                scope,
                "forms_late",
                "low",
                texts,
                {"source": "completeness", "late": late, "expected": expected, "share": rate},
            )
        )
    return out


def _region_completeness(evaluation) -> list[Finding]:
    rows = evaluation.completeness
    rows = rows[(rows["scope"] != REGION) & (rows["missing"] > 0)]
    out = []
    if len(rows):
        per = {
            lang: [f"{_name(evaluation, s, lang)} ({y})" for s, y in zip(rows["scope"], rows["year"])]
            for lang in ("lv", "en")
        }
        n = int(rows["missing"].sum())
        texts = {
            lang: _MISSING_REGION(lang, n=format_number(n, lang), places=join_words(per[lang], lang))
            for lang in ("lv", "en")
        }
        out.append(
            _finding(
                REGION,
                "forms_missing",
                "high",
                texts,
                {
                    "source": "completeness",
                    "missing": n,
                    "forms": [[s, int(y)] for s, y in zip(rows["scope"], rows["year"])],
                },
            )
        )
    region = evaluation.completeness
    region = region[region["scope"] == REGION]
    expected, late = int(region["expected"].sum()), int(region["late"].sum())
    if expected and late / expected >= 0.5:
        rate = late / expected
        texts = {
            lang: _LATE_FORMS(
                lang,
                place=_name(evaluation, REGION, lang),
                late=format_number(late, lang),
                expected=format_number(expected, lang),
                rate=format_percent(rate, lang),
            )
            for lang in ("lv", "en")
        }
        out.append(
            _finding(
                REGION,
                "forms_late",
                "low",
                texts,
                {"source": "completeness", "late": late, "expected": expected, "share": rate},
            )
        )
    return out


# --- all of them, ranked --------------------------------------------------------------------------------------


def findings(evaluation, scope: str | None = None, plan=None) -> list[Finding]:
    """Every finding about ``scope`` (default: the evaluation's own scope), most important first.
    ``plan``: the dataset's ``municipal_plan`` table (each municipality's own plan), if any."""
    scope = evaluation.resolve(scope) if scope is not None else evaluation.scope
    out: list[Finding] = []
    if scope == REGION:
        out += target_findings(evaluation)
    own = municipal_plan_findings(evaluation, plan, scope)
    out += own if own else municipal_share_findings(evaluation, scope)
    out += infrastructure_findings(evaluation, scope)
    out += needs_findings(evaluation, scope)
    out += money_findings(evaluation, scope)
    out += stopped_findings(evaluation, scope)
    out += completeness_findings(evaluation, scope)
    codes = list(CATALOGUE)
    return sorted(out, key=lambda f: (IMPORTANCE_ORDER.index(f.importance), codes.index(f.code)))


def findings_json(evaluation, scope: str | None = None, plan=None) -> list[dict]:
    """The findings of ``scope`` as JSON objects (scope, code, importance, text_lv, text_en, evidence)."""
    return [f.as_json() for f in findings(evaluation, scope, plan)]


__all__ = ["CATALOGUE", "Finding", "findings", "findings_json"]
