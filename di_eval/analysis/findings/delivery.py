"""Findings on delivery: infrastructure, needs against services, money, services that stopped,
data completeness."""

from __future__ import annotations

import pandas as pd

from di_eval.analysis.findings.base import (
    Finding,
    _finding,
    _int,
    _iso,
    _name,
    _served,
    _shown,
    approximately,
    known,
    positive,
)
from di_eval.analysis.indicators import REGION
from di_eval.text import LANGUAGES, Text
from di_eval.text.formats import format_date, format_money, format_number, format_percent, typographic_quotes
from di_eval.text.grammar import count_phrase, group_noun, group_phrase, join_words

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
        label = {lang: typographic_quotes(f"{project.project_id}: {project.name}", lang) for lang in LANGUAGES}
        if m["status"] == "overdue":
            texts = {
                lang: _NOT_OPENED(
                    lang,
                    project=label[lang],
                    planned=format_date(m["planned_date"], lang, case="loc"),
                    status=term(project.status, lang, "project_status"),
                    days=format_number(int(m["slippage_days"]), lang),
                )
                for lang in LANGUAGES
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
                for lang in LANGUAGES
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
            for lang in LANGUAGES
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


# --- 3. needs against services ------------------------------------------------------------------------

_NOT_SERVED = Text(
    "{place}: vajadzības izvērtētas {assessed}, bet pakalpojumus nav saņēmis neviens no {group}.",
    "{place}: needs were assessed ({assessed}), but none of the {group} was served.",
)
_NOT_SERVED_REGION = Text(
    "Pašvaldības, kurās vajadzības izvērtētas, bet pakalpojumus nav saņēmis neviens ({group}): {places}.",
    "Municipalities where needs were assessed but nobody was served ({group}): {places}.",
)
_COVERAGE = Text(
    "{place}: {group} — {assessed}, pakalpojumus {verb} {served} ({rate} no izvērtējumu skaita).",
    "{place}: {group} — {assessed}, {served} served ({rate} of the number of assessments).",
)
_NEEDS = Text("vajadzību ", "needs ")  # before "izvērtējums" / "assessments"
_ASSESSED_WORDS = Text("vismaz vienai personai", "at least one")


def _assessments(evaluation, scope: str, group: str) -> list:
    rows = evaluation.needs
    rows = rows[(rows["scope"] == scope) & (rows["target_group"] == group)]
    return list(rows["assessments"])


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
                            assessed=group_phrase(group, total, lang, "dat")
                            if total is not None
                            else _ASSESSED_WORDS(lang),
                            group=group_noun(group, lang, "gen"),
                        )
                        for lang in LANGUAGES
                    }
                    out.append(_finding(where, "needs_not_served", "high", texts, evidence))
                continue
            if where != scope or total is None or not total or not known(served):
                continue
            rate = int(served) / total
            evidence["coverage"] = rate
            texts = {}
            for lang in LANGUAGES:
                noun = group_parts(group, lang)[0]
                texts[lang] = _COVERAGE(
                    lang,
                    place=_name(evaluation, where, lang),
                    group=group_noun(group, lang),
                    assessed=approximately(
                        count_phrase(total, "assessment", lang, before=_NEEDS(lang)), _rounded_part(values), lang
                    ),
                    verb=participle("received", served, noun.gender),
                    served=approximately(format_number(served, lang), served, lang),
                    rate=approximately(format_percent(rate, lang), _rounded_part([served, *values]), lang),
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
                for lang in LANGUAGES
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
    "Pašvaldības, kurās ESF pakalpojumiem izmaksāta nauda, bet pakalpojumus nav saņēmis neviens: {places}.",
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


def _rounded_part(values):
    """A count among ``values`` published rounded (it knows its ``base``), or None: a sum or a rate
    made with one is said with "apmēram" / "about" (``approximately``)."""
    return next((x for x in values if getattr(x, "base", None)), None)


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
                    for lang in LANGUAGES
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
            for lang in LANGUAGES
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
    region_persons, region_values = _persons(evaluation, REGION)
    region_cost = region_paid / region_persons if region_paid and region_persons else None
    region_rounded = _rounded_part(region_values)
    paid = _esf_paid(evaluation, scope)
    persons, values = _persons(evaluation, scope)
    rounded = _rounded_part(values)  # the persons, and so the cost per person, are then approximate
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
                    cost=approximately(format_money(cost, lang), rounded, lang),
                    paid=format_money(paid, lang),
                    persons=approximately(format_number(persons, lang), rounded, lang),
                )
                for lang in LANGUAGES
            }
            importance = "low"
        else:
            if region_cost is None:
                return out
            texts = {
                lang: _COST(
                    lang,
                    place=_name(evaluation, scope, lang),
                    cost=approximately(format_money(cost, lang), rounded, lang),
                    paid=format_money(paid, lang),
                    persons=approximately(format_number(persons, lang), rounded, lang),
                    region_cost=approximately(format_money(region_cost, lang), region_rounded, lang),
                )
                for lang in LANGUAGES
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
                served=approximately(_shown(served, lang), served, lang),
                later=span,
            )
            for lang in LANGUAGES
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
        place = {lang: _name(evaluation, scope, lang) for lang in LANGUAGES}
        if missing == 1 and len(missing_years) == 1:
            texts = {lang: _MISSING_ONE(lang, place=place[lang], year=missing_years[0]) for lang in LANGUAGES}
        else:
            texts = {
                lang: _MISSING(
                    lang, place=place[lang], n=format_number(missing, lang), years=", ".join(map(str, missing_years))
                )
                for lang in LANGUAGES
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
    out.extend(_late_forms(evaluation, scope, expected, late))
    return out


def _region_completeness(evaluation) -> list[Finding]:
    rows = evaluation.completeness
    rows = rows[(rows["scope"] != REGION) & (rows["missing"] > 0)]
    out = []
    if len(rows):
        per = {
            lang: [f"{_name(evaluation, s, lang)} ({y})" for s, y in zip(rows["scope"], rows["year"])]
            for lang in LANGUAGES
        }
        n = int(rows["missing"].sum())
        texts = {
            lang: _MISSING_REGION(lang, n=format_number(n, lang), places=join_words(per[lang], lang))
            for lang in LANGUAGES
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
    out.extend(_late_forms(evaluation, REGION, expected, late))
    return out


def _late_forms(evaluation, scope: str, expected: int, late: int) -> list:
    """The "forms_late" finding of ``scope``: half or more of its expected forms came late."""
    if not expected or late / expected < 0.5:
        return []
    rate = late / expected
    texts = {
        lang: _LATE_FORMS(
            lang,
            place=_name(evaluation, scope, lang),
            late=format_number(late, lang),
            expected=format_number(expected, lang),
            rate=format_percent(rate, lang),
        )
        for lang in LANGUAGES
    }
    evidence = {"source": "completeness", "late": late, "expected": expected, "share": rate}
    return [_finding(scope, "forms_late", "low", texts, evidence)]
