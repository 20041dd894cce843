"""The plan's names for codes, statuses and table columns, in Latvian and English."""

from __future__ import annotations

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError
from di_eval.text import Text, check_lang
from di_eval.text.formats import is_blank

# --- the plan's terms and statuses ---------------------------------------------------------

STATUSES = {
    "ahead": Text("apsteidz plānoto", "ahead of plan"),
    "on_track": Text("atbilst plānotajam", "on track"),
    "at_risk": Text("pastāv risks", "at risk"),
    "behind": Text("atpaliek no plānotā", "behind plan"),
}
NO_STATUS = Text("nav nosakāms", "not determinable")
# The status is never told by colour alone: each has a symbol, and no status is ○.
STATUS_SYMBOLS = {"ahead": "▲", "on_track": "●", "at_risk": "◆", "behind": "▼", None: "○"}

PROJECT_STATUSES = {
    "planned": Text("plānots", "planned"),
    "in_construction": Text("būvniecībā", "under construction"),
    "built": Text("uzbūvēts", "built"),
    "in_service": Text("pakalpojums darbojas", "in service"),
    "dropped": Text("izslēgts no plāna", "dropped from the plan"),
}

MILESTONE_STATUSES = {
    "done_early": Text("izpildīts agrāk", "done early"),
    "done_on_time": Text("izpildīts laikā", "done on time"),
    "done_late": Text("izpildīts ar nokavējumu", "done late"),
    "overdue": Text("nokavēts", "overdue"),
    "not_due": Text("termiņš vēl nav pienācis", "not yet due"),
}
# A late milestone is never ✓: done late is ◷, overdue !, done early or on time ✓.
MILESTONE_SYMBOLS = {"done_early": "✓", "done_on_time": "✓", "done_late": "◷", "overdue": "!", "not_due": "○"}


def milestone_status(status: str, slippage_days=None) -> str:
    """The status a reader is told: a milestone done before its planned date is "done_early"."""
    if status in ("done_on_time", "done") and not is_blank(slippage_days) and int(slippage_days) < 0:
        return "done_early"
    return status


PLAN_CHANGES = {
    "removed": Text("izslēgts no saraksta", "removed from the list"),  # a novads (masculine)
    "removed_f": Text("izslēgta no saraksta", "removed from the list"),  # a pilsēta
    "added": Text("iekļauts sarakstā", "added to the list"),
    "added_f": Text("iekļauta sarakstā", "added to the list"),
}

IMPORTANCE = {
    # agreeing with "svarīgums" (masculine): "svarīgums: augsts"
    "high": Text("augsts", "high"),
    "medium": Text("vidējs", "medium"),
    "low": Text("zems", "low"),
}


TERM_KINDS = {
    "target_group": v.TARGET_GROUPS,
    "target": v.TARGETS,
    "service": v.SERVICES,
    "facility_type": v.FACILITY_TYPES,
    "milestone": v.MILESTONES,
    "fund": v.FUNDS,
    "programme": v.PROGRAMMES,
    "transition": v.TRANSITIONS,
    "activity": v.ACTIVITIES,
    "submission_status": v.SUBMISSION_STATUSES,
    "status": STATUSES,
    "project_status": PROJECT_STATUSES,
    "milestone_status": MILESTONE_STATUSES,
    "plan_change": PLAN_CHANGES,
    "importance": IMPORTANCE,
}


def term(code: str, lang: str, kind: str | None = None) -> str:
    """The plan's name for a code ("GRT", "respite", "ERDF", "behind" ...) in ``lang``.

    A code used in two vocabularies (``group_apartment`` is a service and a facility type)
    is looked up in ``kind`` if given, else in the order of TERM_KINDS.
    """
    check_lang(lang)
    if kind is not None:
        if kind not in TERM_KINDS:
            raise ChoiceError("term kind", kind, list(TERM_KINDS))
        tables = [TERM_KINDS[kind]]
    else:
        tables = list(TERM_KINDS.values())
    for table in tables:
        if code in table:
            return v.label(table, code, lang)
    choices = sorted({c for table in tables for c in table})
    raise ChoiceError("term", code, choices)


def term_list(codes, lang: str, kind: str | None = None) -> str:
    """Several codes written as one field ("day_care_centre;specialised_workshop") named and joined."""
    if is_blank(codes):
        return ""
    parts = [c.strip() for c in str(codes).split(";") if c.strip()]
    return ", ".join(term(code, lang, kind) for code in parts)


# Headers of report tables and chart data, by the column's code.
COLUMN_LABELS = {
    "scope": Text("Teritorija", "Area"),
    "municipality": Text("Pašvaldība", "Municipality"),
    "name": Text("Nosaukums", "Name"),
    "year": Text("Gads", "Year"),
    "date": Text("Datums", "Date"),
    "event": Text("Notikums", "Event"),
    "target_group": Text("Mērķa grupa", "Target group"),
    "service": Text("Pakalpojums", "Service"),
    "persons": Text("Personas", "Persons"),
    "persons_served": Text("Pakalpojumus saņēma", "Persons served"),
    "persons_new": Text("No tiem pirmo reizi", "Of them for the first time"),
    "assessments": Text("Vajadzību izvērtējumi", "Needs assessments"),
    "support_plans": Text("Atbalsta plāni", "Support plans"),
    "measure": Text("Rādītājs", "Measure"),
    "value": Text("Vērtība", "Value"),
    "label": Text("Vērtība", "Value"),
    "source": Text("Avots", "Source"),
    "target": Text("Mērķis", "Target"),
    "target_value": Text("Mērķa vērtība", "Target value"),
    "plan_version": Text("Plāna redakcija", "Plan version"),
    "in_force_from": Text("Spēkā no", "In force from"),
    "achieved": Text("Sasniegts", "Achieved"),
    "rate": Text("Sasniegtā daļa", "Share achieved"),
    "expected_rate": Text("Sagaidāmā daļa", "Share expected"),
    "status": Text("Statuss", "Status"),
    "transition": Text("Pāreja", "Transition"),
    "activity": Text("Aktivitāte", "Activity"),
    "project": Text("Projekts", "Project"),
    "project_id": Text("Projekta kods", "Project code"),
    "facility_types": Text("Objektu veidi", "Facility types"),
    "places_planned": Text("Plānotās vietas", "Places planned"),
    "places_created": Text("Izveidotās vietas", "Places created"),
    "milestone": Text("Posms", "Milestone"),
    "planned_date": Text("Plānotais datums", "Planned date"),
    "actual_date": Text("Faktiskais datums", "Actual date"),
    "slippage_days": Text("Novirze, dienas", "Slippage, days"),
    "change": Text("Izmaiņas", "Change"),
    "programme": Text("Programma", "Programme"),
    "fund": Text("Fonds", "Fund"),
    "planned_eur": Text("Plānots, EUR", "Planned, EUR"),
    "contracted_eur": Text("Līgumos, EUR", "Contracted, EUR"),
    "paid_eur": Text("Izmaksāts, EUR", "Paid, EUR"),
    "absorption_rate": Text("Apguve", "Absorption"),
    "expected": Text("Sagaidāmas veidlapas", "Forms due"),
    "received": Text("Saņemtas", "Received"),
    "on_time": Text("Laikā", "On time"),
    "late": Text("Ar nokavējumu", "Late"),
    "missing": Text("Nav saņemtas", "Missing"),
    "importance": Text("Svarīgums", "Importance"),
    "message": Text("Ziņojums", "Message"),
    "as_of": Text("Izvērtējuma datums", "Evaluated as of"),
    "structure": Text("Pašvaldību iedalījums", "Municipal structure"),
    "data": Text("Dati", "Data"),
    "fingerprint": Text("Datu nospiedums", "Data fingerprint"),
    "version": Text("Programmatūras versija", "Software version"),
    "generated": Text("Izveidots", "Generated"),
    "rank": Text("Vieta", "Rank"),
    "code": Text("Kods", "Code"),
    "indicator": Text("Rādītājs", "Indicator"),
    "definition": Text("Definīcija", "Definition"),
    "unit": Text("Mērvienība", "Unit"),
}

BASELINE_MEASURES = {
    "children_in_childrens_homes": Text(
        "Bērni 5 bērnu namos (31.12.2016.)", "Children in 5 children's homes (31 Dec 2016)"
    ),
    "children_in_childrens_homes_assessed": Text("No tiem izvērtēti (31.12.2016.)", "Of them assessed (31 Dec 2016)"),
    "ft_needs_assessment_applications": Text(
        "Pieteikumi vajadzību izvērtēšanai: bērni ar FT", "Applications for needs assessment: children with FT"
    ),
    "grt_needs_assessment_applications": Text(
        "Pieteikumi vajadzību izvērtēšanai: personas ar GRT", "Applications for needs assessment: persons with GRT"
    ),
}


def column_label(code: str, lang: str) -> str:
    """The human header of a table column in ``lang`` ("persons_served" -> "Pakalpojumus saņēma")."""
    check_lang(lang)
    if code not in COLUMN_LABELS:
        raise ChoiceError("column", code, sorted(COLUMN_LABELS))
    return COLUMN_LABELS[code](lang)


def baseline_label(measure: str, lang: str) -> str:
    """The name of a baseline measure (data/reference/baseline.csv) in ``lang``."""
    check_lang(lang)
    if measure not in BASELINE_MEASURES:
        raise ChoiceError("baseline measure", measure, sorted(BASELINE_MEASURES))
    return BASELINE_MEASURES[measure](lang)


TILE_MAP_TITLE = Text(
    "Pakalpojumus saņēmušie bērni ar FT un personas ar GRT pa pašvaldībām (kopā)",
    "Children with FT and persons with GRT served, by municipality (cumulative)",
)


def tile_map_title(lang: str) -> str:
    """The title of the regional tile map of persons served (FT and GRT, cumulative)."""
    return TILE_MAP_TITLE(lang)


def status_symbol(status: str | None) -> str:
    """▲ ● ◆ ▼ for ahead / on track / at risk / behind; ○ when there is no status."""
    if is_blank(status):
        return STATUS_SYMBOLS[None]
    if status not in STATUSES:
        raise ChoiceError("status", status, list(STATUSES))
    return STATUS_SYMBOLS[status]


def status_label(status: str | None, lang: str) -> str:
    """The status as symbol and words, so it never depends on colour: "▲ apsteidz plānoto"."""
    return f"{status_symbol(status)} {status_words(status, lang)}"


def status_words(status: str | None, lang: str) -> str:
    """The status in words only (for alt text, where a screen reader would spell the symbol)."""
    names = NO_STATUS if is_blank(status) else STATUSES.get(status)
    if names is None:
        raise ChoiceError("status", status, list(STATUSES))
    return names(lang)


def milestone_status_label(status: str, lang: str) -> str:
    """A milestone's status as symbol and words: "! nokavēts", "✓ izpildīts laikā"."""
    check_lang(lang)
    if status not in MILESTONE_STATUSES:
        raise ChoiceError("milestone status", status, list(MILESTONE_STATUSES))
    return f"{MILESTONE_SYMBOLS[status]} {MILESTONE_STATUSES[status](lang)}"


# --- places ----------------------------------------------------------------------------------


def scope_name(scope: str, lang: str, names=None, short: bool = False) -> str:
    """The name of a scope as the evaluation has it: ``names`` is its ``scopes`` table (scope, name,
    name_short). The plan's region is named in ``lang``; a scope not in ``names`` by its code."""
    row = None
    if names is not None and len(names):
        found = names[names["scope"].astype(str) == str(scope)]
        row = found.iloc[0] if len(found) else None
    if scope == "region" and (row is None or row["name"] == v.REGION_NAME.lv):
        return v.REGION_NAME(lang)
    if row is None:
        return str(scope)
    return str(row["name_short"] if short and "name_short" in row and row["name_short"] else row["name"])


# The evaluation's tables a finding's evidence comes from, named for readers (never the code name).
SOURCE_TABLES = {
    "achievement": Text("mērķi un sasniegtais", "targets and achievement"),
    "milestones": Text("infrastruktūras projektu posmi", "infrastructure project milestones"),
    "needs": Text("vajadzību izvērtējumi un atbalsta plāni", "needs assessments and support plans"),
    "persons_cumulative": Text("pakalpojumu saņēmēji kopā", "persons served, cumulative"),
    "persons_by_year": Text("pakalpojumu saņēmēji pa gadiem", "persons served by year"),
    "finance": Text("finansējums", "finance"),
    "completeness": Text("pašvaldību iesniegtās veidlapas", "forms submitted by municipalities"),
    "municipal_plan": Text("pašvaldības plāns", "the municipality's plan"),
}


def source_tables(sources: str, lang: str) -> str:
    """'needs; persons_cumulative' as the readers' names of those tables, joined by '; '."""
    check_lang(lang)
    parts = [p.strip() for p in str(sources).split(";") if p.strip()]
    return "; ".join(SOURCE_TABLES[p](lang) if p in SOURCE_TABLES else p for p in parts)


_PRESS_RELEASE = Text("KPR preses relīze", "Press release of KPR")
# phrases of the reference data's sources (written in English there), the longer phrase first
_SOURCE_PHRASES = (
    Text(
        "Projekta „Kurzeme visiem“ tīmekļa vietne, sadaļa „Fakti, skaitļi, statistika“: bērni 5 bērnu namos",
        'Project site "Kurzeme visiem", facts and statistics: children in 5 children\'s homes',
    ),
    Text(
        "Projekta „Kurzeme visiem“ tīmekļa vietne, sadaļa „Fakti, skaitļi, statistika“",
        'Project site "Kurzeme visiem", facts and statistics',
    ),
    Text("KPR tīmekļa lapa par grozījumiem Nr. 8", "KPR web page on amendment No. 8"),
)
_SOURCE_DATE = r"(\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4})"


def public_source(source: str, lang: str) -> str:
    """A public figure's source as written in the reference data (English), in ``lang``:
    "Press release of KPR, 22 Jan 2020 (seed 002)" -> "KPR preses relīze, 2020. gada 22. janvāris"."""
    import datetime as dt
    import re

    from di_eval.text.formats import format_date

    check_lang(lang)
    text = re.sub(r"\s*\(seed \d+\)", "", str(source))
    text = re.sub(r"Press release of KPR( on the partners' online meeting)?", _PRESS_RELEASE(lang), text)
    for words in _SOURCE_PHRASES:
        text = text.replace(words.en, words(lang))
    return re.sub(_SOURCE_DATE, lambda m: format_date(dt.datetime.strptime(m.group(1), "%d %b %Y").date(), lang), text)
