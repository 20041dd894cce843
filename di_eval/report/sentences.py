"""Report text generated from the numbers: Latvian first, English with ``lang="en"``.

Everything here is a pure function returning plain text (escape it when placing it in HTML),
except ``commentary_html``, which returns safe HTML. Published person counts arrive as an int,
the string ``"<5"`` (suppressed) or None/NA (not reported); each builder reads well for all three.

Latvian agreement follows the grammar: a whole number ending in 1 but not in 11 (1, 21, 31,
101 ...) takes the singular noun and the singular participle ("saņēmusi 21 persona"); every
other number, and a suppressed count, the plural ("saņēmušas 11 personas", "<5 personas").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError, Problem

LANGUAGES = ("lv", "en")
NBSP = "\u00a0"  # keeps "1 234" and "45 %" on one line
_BABEL_LOCALE = {"lv": "lv", "en": "en_GB"}  # en_GB writes "31 December 2020"

NOT_REPORTED = {"lv": "nav ziņots", "en": "not reported"}
NOT_COMPUTABLE = {"lv": "nav aprēķināms", "en": "not computable"}
UNKNOWN = {"lv": "nav zināms", "en": "unknown"}
_FEWER_THAN = {"lv": "mazāk nekā", "en": "fewer than"}
_NOT_PUBLISHED = {"lv": "skaits nav publicējams", "en": "number not published"}

CASES = ("nom", "gen", "dat", "acc", "loc")


def check_lang(lang: str) -> str:
    """``lang`` itself if it is a report language; ChoiceError otherwise."""
    if lang not in LANGUAGES:
        raise ChoiceError("language", lang, list(LANGUAGES))
    return lang


def _check_case(case: str) -> None:
    if case not in CASES:
        raise ChoiceError("grammatical case", case, list(CASES))


# --- published values --------------------------------------------------------------------

_SUPPRESSED = re.compile(r"^<\s*(\d+)$")


def value_kind(value) -> str:
    """What a published value is: ``"number"``; ``"suppressed"`` ("<5": 1 to 4); ``"hidden"``
    (a secondary-suppression marker such as "x": not 0, size not told); ``"missing"`` (not reported)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "missing"
    if isinstance(value, str):
        text = value.strip()
        if _SUPPRESSED.match(text):
            return "suppressed"
        if not text:
            return "missing"
        if len(text) <= 3 and text[0] != "<" and not any(ch.isdigit() for ch in text):
            return "hidden"
        raise DiEvalError(f"not a published value: {value!r} (expected a number, '<N', a marker such as 'x' or blank)")
    if isinstance(value, bool):
        raise DiEvalError(f"not a published value: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise DiEvalError(f"not a published value: {value!r}") from err
    return "missing" if math.isnan(number) else "number"


def suppression_threshold(value) -> int | None:
    """The N of a suppressed value "<N"; None for anything else."""
    if isinstance(value, str):
        match = _SUPPRESSED.match(value.strip())
        if match:
            return int(match.group(1))
    return None


def is_singular(value, lang: str) -> bool:
    """Whether a count takes the singular in ``lang`` (lv: ends in 1 but not 11; en: exactly 1)."""
    if value_kind(value) != "number":
        return False  # "<5 personas": a suppressed count reads as a plural
    number = float(value)
    if not number.is_integer():
        return False
    whole = abs(int(number))
    if lang == "lv":
        return whole % 10 == 1 and whole % 100 != 11
    return whole == 1


def plural(n, forms: tuple[str, str], lang: str) -> str:
    """The singular or plural of ``forms`` that agrees with ``n`` in ``lang``.

    Latvian: 1, 21, 31, 101 ... take the singular; 11–19 and every other number the plural.
    English: only 1 takes the singular. A suppressed "<5" takes the plural.
    """
    check_lang(lang)
    singular, plural_form = forms
    return singular if is_singular(n, lang) else plural_form


# --- numbers, money, dates ---------------------------------------------------------------


def percent_points(rate) -> int:
    """A share as the whole percent it is shown as (0.5714 -> 57), for agreement with "procents"."""
    return int(_round(float(rate) * 100, 0))


def fewer_than(value, lang: str) -> str:
    """A suppressed value in words: "<5" -> "mazāk nekā 5" / "fewer than 5"."""
    return f"{_FEWER_THAN[lang]} {suppression_threshold(value)}"


def _round(number, decimals: int) -> Decimal:
    # Half up, as published statistics round; babel alone would round half to even.
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded + 0  # turns -0 into 0


def format_number(value, lang: str, decimals: int | None = None) -> str:
    """A published value as text: lv "1 234,5" (no-break space), en "1,234.5".

    A suppressed "<5" is returned as it is; None/NA gives "nav ziņots" / "not reported".
    Without ``decimals`` whole numbers have none and others up to two.
    """
    check_lang(lang)
    kind = value_kind(value)
    if kind == "missing":
        return NOT_REPORTED[lang]
    if kind in ("suppressed", "hidden"):
        return value.strip()
    if decimals is None:
        number = _round(value, 2)
        pattern = "#,##0" if number == number.to_integral_value() else "#,##0.##"
    else:
        number = _round(value, decimals)
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=_BABEL_LOCALE[lang])


def is_blank(value) -> bool:
    """True for None, NA, NaT and NaN: a value that is not there."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_percent(rate, lang: str, decimals: int = 0, empty: str | None = None) -> str:
    """A share (0.45) as lv "45 %" (no-break space) or en "45%".

    A rate that cannot be computed (None/NaN) gives ``empty`` if given, else "nav aprēķināms".
    """
    check_lang(lang)
    if is_blank(rate):
        return NOT_COMPUTABLE[lang] if empty is None else empty
    number = format_number(float(rate) * 100, lang, decimals=decimals)
    return f"{number}{NBSP}%" if lang == "lv" else f"{number}%"


def format_money(amount, lang: str, decimals: int = 0) -> str:
    """An amount in euro: lv "1 234 567 EUR", en "EUR 1,234,567"; None gives "nav zināms"."""
    check_lang(lang)
    if is_blank(amount):
        return UNKNOWN[lang]
    number = format_number(float(amount), lang, decimals=decimals)
    return f"{number}{NBSP}EUR" if lang == "lv" else f"EUR{NBSP}{number}"


def format_money_short(amount, lang: str) -> str:
    """A compact amount for chart labels: lv "1,23 milj. EUR", en "EUR 1.23m"; "45 tūkst. EUR"."""
    check_lang(lang)
    if is_blank(amount):
        return UNKNOWN[lang]
    amount = float(amount)
    if abs(amount) >= 1_000_000:
        number, unit = format_number(amount / 1_000_000, lang, decimals=2), ("milj.", "m")
    elif abs(amount) >= 1_000:
        number, unit = format_number(amount / 1_000, lang, decimals=0), ("tūkst.", "k")
    else:
        return format_money(amount, lang)
    return f"{number}{NBSP}{unit[0]}{NBSP}EUR" if lang == "lv" else f"EUR{NBSP}{number}{unit[1]}"


# Latvian month names in the cases a date takes in a sentence: "līdz 31. decembrim" (dative),
# "kopš 5. oktobra" (genitive), "uz 31. decembri" (accusative), "15. janvārī" (locative).
_MONTH_NAMES_LV = {
    "nom": "janvāris februāris marts aprīlis maijs jūnijs jūlijs augusts septembris oktobris novembris decembris",
    "gen": "janvāra februāra marta aprīļa maija jūnija jūlija augusta septembra oktobra novembra decembra",
    "dat": "janvārim februārim martam aprīlim maijam jūnijam jūlijam augustam septembrim oktobrim novembrim decembrim",
    "acc": "janvāri februāri martu aprīli maiju jūniju jūliju augustu septembri oktobri novembri decembri",
    "loc": "janvārī februārī martā aprīlī maijā jūnijā jūlijā augustā septembrī oktobrī novembrī decembrī",
}
_MONTHS_LV = {case: names.split() for case, names in _MONTH_NAMES_LV.items()}
_YEAR_LV = {"nom": "gads", "gen": "gada", "dat": "gadam", "acc": "gadu", "loc": "gadā"}


def to_date(value) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or "YYYY-MM-DD"; None for blank/NaT."""
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as err:
        raise ChoiceError("date", value, hint="write dates as YYYY-MM-DD") from err


def format_date(date, lang: str, case: str = "nom") -> str:
    """A date in full: lv "2020. gada 31. decembris" (``case`` inflects the month), en "31 December 2020"."""
    check_lang(lang)
    _check_case(case)
    day = to_date(date)
    if day is None:
        return UNKNOWN[lang]
    if lang == "en":
        return babel_format_date(day, format="long", locale=_BABEL_LOCALE["en"])
    if case == "nom":
        return babel_format_date(day, format="long", locale="lv")
    return f"{day.year}. gada {day.day}. {_MONTHS_LV[case][day.month - 1]}"


def format_month(date, lang: str, case: str = "nom") -> str:
    """A month: lv "2020. gada decembris" (or "decembrī" with case="loc"), en "December 2020"."""
    check_lang(lang)
    _check_case(case)
    day = to_date(date)
    if day is None:
        return UNKNOWN[lang]
    if lang == "en":
        return babel_format_date(day, format="MMMM y", locale=_BABEL_LOCALE["en"])
    return f"{day.year}. gada {_MONTHS_LV[case][day.month - 1]}"


def format_year(year, lang: str, case: str = "nom") -> str:
    """A year: lv "2020. gads" / "2020. gadā" (case="loc"), en "2020"."""
    check_lang(lang)
    _check_case(case)
    if is_blank(year):
        return UNKNOWN[lang]
    year = int(year.year if isinstance(year, dt.date) else year)
    return f"{year}. {_YEAR_LV[case]}" if lang == "lv" else str(year)


def format_event_date(date, precision: str, lang: str) -> str:
    """A date shown only as precisely as it is known: ``precision`` is day, month or year."""
    if precision == "year":
        return format_year(to_date(date), lang)
    if precision == "month":
        return format_month(date, lang)
    return format_date(date, lang)


# --- nouns and agreement -------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """A noun in Latvian (gender, five cases singular and plural) and English (singular, plural)."""

    gender: str  # Latvian grammatical gender: "m" or "f"
    singular: tuple[str, str, str, str, str]  # nom, gen, dat, acc, loc
    plural: tuple[str, str, str, str, str]
    en: tuple[str, str]

    def form(self, value, lang: str, case: str = "nom") -> str:
        """The form that agrees with ``value`` (a count) in ``lang`` and, in Latvian, ``case``."""
        _check_case(case)
        singular = is_singular(value, lang)
        if lang == "en":
            return self.en[0] if singular else self.en[1]
        index = CASES.index(case)
        return self.singular[index] if singular else self.plural[index]


def _noun(gender: str, lv_singular: str, lv_plural: str, en: str) -> Noun:
    return Noun(gender, tuple(lv_singular.split()), tuple(lv_plural.split()), tuple(en.split("|")))


NOUNS = {
    "person": _noun(
        "f",
        "persona personas personai personu personā",
        "personas personu personām personas personās",
        "person|persons",
    ),
    "child": _noun("m", "bērns bērna bērnam bērnu bērnā", "bērni bērnu bērniem bērnus bērnos", "child|children"),
    "resident": _noun(
        "m",
        "iemītnieks iemītnieka iemītniekam iemītnieku iemītniekā",
        "iemītnieki iemītnieku iemītniekiem iemītniekus iemītniekos",
        "resident|residents",
    ),
    "municipality": _noun(
        "f",
        "pašvaldība pašvaldības pašvaldībai pašvaldību pašvaldībā",
        "pašvaldības pašvaldību pašvaldībām pašvaldības pašvaldībās",
        "municipality|municipalities",
    ),
    "day": _noun("f", "diena dienas dienai dienu dienā", "dienas dienu dienām dienas dienās", "day|days"),
    "place": _noun("f", "vieta vietas vietai vietu vietā", "vietas vietu vietām vietas vietās", "place|places"),
    "submission": _noun(
        "f",
        "atskaite atskaites atskaitei atskaiti atskaitē",
        "atskaites atskaišu atskaitēm atskaites atskaitēs",
        "submission|submissions",
    ),
    "year": _noun("m", "gads gada gadam gadu gadā", "gadi gadu gadiem gadus gados", "year|years"),
    "month": _noun(
        "m", "mēnesis mēneša mēnesim mēnesi mēnesī", "mēneši mēnešu mēnešiem mēnešus mēnešos", "month|months"
    ),
    "project": _noun(
        "m",
        "projekts projekta projektam projektu projektā",
        "projekti projektu projektiem projektus projektos",
        "project|projects",
    ),
    "participant": _noun(
        "m",
        "dalībnieks dalībnieka dalībniekam dalībnieku dalībniekā",
        "dalībnieki dalībnieku dalībniekiem dalībniekus dalībniekos",
        "participant|participants",
    ),
    "event": _noun(
        "m",
        "notikums notikuma notikumam notikumu notikumā",
        "notikumi notikumu notikumiem notikumus notikumos",
        "event|events",
    ),
    "activity_event": _noun(
        "m",
        "pasākums pasākuma pasākumam pasākumu pasākumā",
        "pasākumi pasākumu pasākumiem pasākumus pasākumos",
        "event|events",
    ),
    "milestone": _noun(
        "m", "posms posma posmam posmu posmā", "posmi posmu posmiem posmus posmos", "milestone|milestones"
    ),
    "assessment": _noun(
        "m",
        "izvērtējums izvērtējuma izvērtējumam izvērtējumu izvērtējumā",
        "izvērtējumi izvērtējumu izvērtējumiem izvērtējumus izvērtējumos",
        "assessment|assessments",
    ),
    "plan": _noun("m", "plāns plāna plānam plānu plānā", "plāni plānu plāniem plānus plānos", "plan|plans"),
    "percent": _noun(
        "m",
        "procents procenta procentam procentu procentā",
        "procenti procentu procentiem procentus procentos",
        "percent|percent",
    ),
}


def _get_noun(noun: str | Noun) -> Noun:
    if isinstance(noun, Noun):
        return noun
    if noun not in NOUNS:
        raise ChoiceError("noun", noun, sorted(NOUNS))
    return NOUNS[noun]


def count_phrase(
    value, noun: str | Noun, lang: str, case: str = "nom", *, prose: bool = True, before: str = "", after: str = ""
) -> str:
    """A count with its noun in agreement: "21 persona", "11 personas", "2 bērni", "<5 personas".

    ``prose`` writes a suppressed value in words ("mazāk nekā 5 personas"); ``before`` and
    ``after`` wrap the noun ('VSAC "Kurzeme" ' + "iemītnieki", "personas" + " ar GRT").
    A value not reported gives "nav ziņots" / "not reported".
    """
    check_lang(lang)
    kind = value_kind(value)
    if kind == "missing":
        return NOT_REPORTED[lang]
    word = f"{before}{_get_noun(noun).form(value, lang, case)}{after}"
    if kind == "suppressed" and prose:
        return f"{_FEWER_THAN[lang]} {suppression_threshold(value)} {word}"
    if kind == "hidden" and prose:
        return f"{word} ({_NOT_PUBLISHED[lang]})"
    return f"{format_number(value, lang)} {word}"


# How each target group is named around its noun: (noun, lv before, lv after, en before, en after).
_GROUP_NOUNS = {
    "FT": ("child", "", " ar FT", "", " with FT"),
    "GRT": ("person", "", " ar GRT", "", " with GRT"),
    "BSAC": ("child", "", " no BSAC", "", " from BSAC"),
    "VSAC": ("resident", 'VSAC "Kurzeme" ', "", "", ' of VSAC "Kurzeme"'),
}


def group_parts(group: str, lang: str) -> tuple[Noun, str, str]:
    """A target group's noun and the words before and after it in ``lang``."""
    if group not in _GROUP_NOUNS:
        raise ChoiceError("target group", group, list(_GROUP_NOUNS))
    noun, lv_before, lv_after, en_before, en_after = _GROUP_NOUNS[group]
    return (NOUNS[noun], lv_before, lv_after) if lang == "lv" else (NOUNS[noun], en_before, en_after)


def group_phrase(group: str, value, lang: str, case: str = "nom", *, prose: bool = True) -> str:
    """A count of a target group: "91 persona ar GRT", "2 bērni ar FT", '14 VSAC "Kurzeme" iemītnieki'."""
    check_lang(lang)
    noun, before, after = group_parts(group, lang)
    return count_phrase(value, noun, lang, case, prose=prose, before=before, after=after)


def group_noun(group: str, lang: str, case: str = "nom", *, singular: bool = False) -> str:
    """A target group named without a number: "personas ar GRT", "bērniem ar FT" (case="dat")."""
    check_lang(lang)
    _check_case(case)
    noun, before, after = group_parts(group, lang)
    return f"{before}{noun.form(1 if singular else 2, lang, case)}{after}"


# Past participles agree with the subject's number and gender: "saņēmusi 21 persona",
# "saņēmuši 2 bērni". Keys: the verb; values: gender -> (singular, plural).
_PARTICIPLES = {
    "received": {"m": ("saņēmis", "saņēmuši"), "f": ("saņēmusi", "saņēmušas")},
    "moved": {"m": ("pārcēlies", "pārcēlušies"), "f": ("pārcēlusies", "pārcēlušās")},
    "expected": {"m": ("sagaidāms", "sagaidāmi"), "f": ("sagaidāma", "sagaidāmas")},
    "received_passive": {"m": ("saņemts", "saņemti"), "f": ("saņemta", "saņemtas")},
    "achieved": {"m": ("sasniegts", "sasniegti"), "f": ("sasniegta", "sasniegtas")},
}


def participle(verb: str, value, gender: str) -> str:
    """The Latvian participle of ``verb`` agreeing with a subject counted by ``value``."""
    singular, plural_form = _PARTICIPLES[verb][gender]
    return singular if is_singular(value, "lv") else plural_form


def join_words(items: list[str], lang: str) -> str:
    """ "A, B un C" / "A, B and C"."""
    conjunction = " un " if lang == "lv" else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + conjunction + items[-1]


# --- the plan's terms and statuses ---------------------------------------------------------

STATUSES = {
    "ahead": ("▲", "apsteidz plānoto", "ahead of plan"),
    "on_track": ("●", "atbilst plānotajam", "on track"),
    "at_risk": ("◆", "pastāv risks", "at risk"),
    "behind": ("▼", "atpaliek no plānotā", "behind plan"),
}
NO_STATUS = ("○", "nav nosakāms", "not determinable")

PROJECT_STATUSES = {
    "planned": ("plānots", "planned"),
    "in_construction": ("būvniecībā", "under construction"),
    "built": ("uzbūvēts", "built"),
    "in_service": ("pakalpojums darbojas", "in service"),
    "dropped": ("izslēgts no plāna", "dropped from the plan"),
}

MILESTONE_STATUSES = {
    "done_on_time": ("✓", "izpildīts laikā", "done on time"),
    "done_late": ("✓", "izpildīts ar nokavējumu", "done late"),
    "overdue": ("!", "nokavēts", "overdue"),
    "not_due": ("○", "termiņš vēl nav pienācis", "not yet due"),
}


PLAN_CHANGES = {
    "removed": ("izslēgta no saraksta", "removed from the list"),
    "added": ("iekļauta sarakstā", "added to the list"),
}

IMPORTANCE = {
    "high": ("augsta", "high"),
    "medium": ("vidēja", "medium"),
    "low": ("zema", "low"),
}


def _names(table: dict) -> dict:
    """A code -> (lv, en) view of a table whose rows may carry a symbol first."""
    return {code: names[-2:] for code, names in table.items()}


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
    "status": _names(STATUSES),
    "project_status": PROJECT_STATUSES,
    "milestone_status": _names(MILESTONE_STATUSES),
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
    "scope": ("Teritorija", "Area"),
    "municipality": ("Pašvaldība", "Municipality"),
    "name": ("Nosaukums", "Name"),
    "year": ("Gads", "Year"),
    "date": ("Datums", "Date"),
    "event": ("Notikums", "Event"),
    "target_group": ("Mērķa grupa", "Target group"),
    "service": ("Pakalpojums", "Service"),
    "persons": ("Personas", "Persons"),
    "persons_served": ("Pakalpojumus saņēma", "Persons served"),
    "persons_new": ("No tiem pirmo reizi", "Of them for the first time"),
    "assessments": ("Vajadzību izvērtējumi", "Needs assessments"),
    "support_plans": ("Atbalsta plāni", "Support plans"),
    "measure": ("Rādītājs", "Measure"),
    "value": ("Vērtība", "Value"),
    "label": ("Vērtība", "Value"),
    "source": ("Avots", "Source"),
    "target": ("Mērķis", "Target"),
    "target_value": ("Mērķa vērtība", "Target value"),
    "plan_version": ("Plāna redakcija", "Plan version"),
    "in_force_from": ("Spēkā no", "In force from"),
    "achieved": ("Sasniegts", "Achieved"),
    "rate": ("Sasniegtā daļa", "Share achieved"),
    "expected_rate": ("Sagaidāmā daļa", "Share expected"),
    "status": ("Statuss", "Status"),
    "transition": ("Pāreja", "Transition"),
    "project": ("Projekts", "Project"),
    "project_id": ("Projekta kods", "Project code"),
    "facility_types": ("Objektu veidi", "Facility types"),
    "places_planned": ("Plānotās vietas", "Places planned"),
    "places_created": ("Izveidotās vietas", "Places created"),
    "milestone": ("Posms", "Milestone"),
    "planned_date": ("Plānotais datums", "Planned date"),
    "actual_date": ("Faktiskais datums", "Actual date"),
    "slippage_days": ("Novirze, dienas", "Slippage, days"),
    "change": ("Izmaiņas", "Change"),
    "programme": ("Programma", "Programme"),
    "fund": ("Fonds", "Fund"),
    "planned_eur": ("Plānots, EUR", "Planned, EUR"),
    "contracted_eur": ("Līgumos, EUR", "Contracted, EUR"),
    "paid_eur": ("Izmaksāts, EUR", "Paid, EUR"),
    "absorption_rate": ("Apguve", "Absorption"),
    "expected": ("Sagaidāmas atskaites", "Submissions due"),
    "received": ("Saņemtas", "Received"),
    "on_time": ("Laikā", "On time"),
    "late": ("Ar nokavējumu", "Late"),
    "missing": ("Nav saņemtas", "Missing"),
    "importance": ("Nozīmīgums", "Importance"),
    "message": ("Ziņojums", "Message"),
    "as_of": ("Izvērtējuma datums", "Evaluated as of"),
    "structure": ("Pašvaldību iedalījums", "Municipal structure"),
    "data": ("Dati", "Data"),
    "fingerprint": ("Datu nospiedums", "Data fingerprint"),
    "version": ("Programmatūras versija", "Software version"),
    "generated": ("Izveidots", "Generated"),
    "rank": ("Vieta", "Rank"),
    "code": ("Kods", "Code"),
    "indicator": ("Rādītājs", "Indicator"),
    "definition": ("Definīcija", "Definition"),
    "unit": ("Mērvienība", "Unit"),
}

BASELINE_MEASURES = {
    "children_in_childrens_homes": (
        "Bērni 5 bērnu namos (31.12.2016.)",
        "Children in 5 children's homes (31 Dec 2016)",
    ),
    "children_in_childrens_homes_assessed": (
        "No tiem izvērtēti (31.12.2016.)",
        "Of them assessed (31 Dec 2016)",
    ),
    "ft_needs_assessment_applications": (
        "Pieteikumi vajadzību izvērtēšanai: bērni ar FT",
        "Applications for needs assessment: children with FT",
    ),
    "grt_needs_assessment_applications": (
        "Pieteikumi vajadzību izvērtēšanai: personas ar GRT",
        "Applications for needs assessment: persons with GRT",
    ),
}


def column_label(code: str, lang: str) -> str:
    """The human header of a table column in ``lang`` ("persons_served" -> "Pakalpojumus saņēma")."""
    check_lang(lang)
    if code not in COLUMN_LABELS:
        raise ChoiceError("column", code, sorted(COLUMN_LABELS))
    return COLUMN_LABELS[code][0 if lang == "lv" else 1]


def baseline_label(measure: str, lang: str) -> str:
    """The name of a baseline measure (data/reference/baseline.csv) in ``lang``."""
    check_lang(lang)
    if measure not in BASELINE_MEASURES:
        raise ChoiceError("baseline measure", measure, sorted(BASELINE_MEASURES))
    return BASELINE_MEASURES[measure][0 if lang == "lv" else 1]


def tile_map_title(lang: str) -> str:
    """The title of the regional tile map of persons served (FT and GRT, cumulative)."""
    check_lang(lang)
    if lang == "lv":
        return "Pakalpojumus saņēmušie bērni ar FT un personas ar GRT pa pašvaldībām (kopā)"
    return "Children with FT and persons with GRT served, by municipality (cumulative)"


def status_symbol(status: str | None) -> str:
    """▲ ● ◆ ▼ for ahead / on track / at risk / behind; ○ when there is no status."""
    if is_blank(status):
        return NO_STATUS[0]
    if status not in STATUSES:
        raise ChoiceError("status", status, list(STATUSES))
    return STATUSES[status][0]


def status_label(status: str | None, lang: str) -> str:
    """The status as symbol and words, so it never depends on colour: "▲ apsteidz plānoto"."""
    check_lang(lang)
    names = NO_STATUS if is_blank(status) else STATUSES.get(status)
    if names is None:
        raise ChoiceError("status", status, list(STATUSES))
    return f"{names[0]} {names[1] if lang == 'lv' else names[2]}"


def status_words(status: str | None, lang: str) -> str:
    """The status in words only (for alt text, where a screen reader would spell the symbol)."""
    return status_label(status, lang).split(" ", 1)[1]


def milestone_status_label(status: str, lang: str) -> str:
    """A milestone's status as symbol and words: "! nokavēts", "✓ izpildīts laikā"."""
    check_lang(lang)
    if status not in MILESTONE_STATUSES:
        raise ChoiceError("milestone status", status, list(MILESTONE_STATUSES))
    symbol, lv, en = MILESTONE_STATUSES[status]
    return f"{symbol} {lv if lang == 'lv' else en}"


# --- place names --------------------------------------------------------------------------

# Names whose locative does not follow the endings below (plural or -us nouns).
_LOCATIVE_EXCEPTIONS = {
    "Ventspils": "Ventspilī",
    "Talsi": "Talsos",
    "Brocēni": "Brocēnos",
    "Saldus": "Saldū",
    "Mērsrags": "Mērsragā",
}
_LOCATIVE_LAST_WORD = {
    "novads": "novadā",
    "reģions": "reģionā",
    "pilsēta": "pilsētā",
    "valstspilsēta": "valstspilsētā",
    "plānošanas reģions": "plānošanas reģionā",
}


def locative(name: str) -> str | None:
    """The Latvian locative of a place name ("Kuldīgas novads" -> "Kuldīgas novadā", "Liepāja" ->
    "Liepājā"); None when the form is not known, so the caller can build the sentence another way."""
    name = str(name).strip()
    if name in _LOCATIVE_EXCEPTIONS:
        return _LOCATIVE_EXCEPTIONS[name]
    head, _, last = name.rpartition(" ")
    if last in _LOCATIVE_LAST_WORD:
        return f"{head} {_LOCATIVE_LAST_WORD[last]}".strip()
    if head:
        return None
    if name.endswith("a"):
        return name[:-1] + "ā"
    if name.endswith("e"):
        return name[:-1] + "ē"
    return None


# --- sentences ------------------------------------------------------------------------------


def _version_part(plan_version_name: str | None, lang: str) -> str:
    if not plan_version_name:
        return ""
    return f"; plāna redakcija: {plan_version_name}" if lang == "lv" else f"; plan version: {plan_version_name}"


def achievement_sentence(
    target, achieved, target_value, rate, expected_rate, status, plan_version_name, as_of, lang
) -> str:
    """Progress towards one target of the plan in two sentences: what was achieved and its share of
    the target, then the share expected from the time elapsed and the status (symbol and words)."""
    check_lang(lang)
    kind = value_kind(achieved)
    noun = group_parts(target, lang)[0]
    version = _version_part(plan_version_name, lang)
    until = format_date(as_of, lang, case="dat")
    target_text = count_phrase(target_value, noun, lang) if not is_blank(target_value) else None
    if lang == "lv":
        if kind == "missing":
            first = f"Dati par {group_noun(target, lang, 'dat')} līdz {until} nav ziņoti"
        else:
            verb, done = ("moved", "uz dzīvi pašvaldībā") if target == "VSAC" else ("received", "pakalpojumus")
            first = (
                f"Līdz {until} {done} {participle(verb, achieved, noun.gender)} {group_phrase(target, achieved, lang)}"
            )
        if target_text is None:
            first += "; DI plānā mērķis nav noteikts"
        elif not is_blank(rate) and kind == "number":
            first += f" jeb {format_percent(rate, lang)} no DI plāna mērķa ({target_text}{version})"
        else:
            first += f"; DI plāna mērķis: {target_text}{version}; sasniegtā daļa nav aprēķināma"
            first += ", jo skaitlis nav publicējams" if kind in ("suppressed", "hidden") else ""
    else:
        if kind == "missing":
            first = f"No data were reported on {group_noun(target, lang)} up to {until}"
        else:
            done = "had moved to live in a municipality" if target == "VSAC" else "had received services"
            first = f"By {until}, {group_phrase(target, achieved, lang)} {done}"
        if target_text is None:
            first += "; the DI plan sets no target"
        elif not is_blank(rate) and kind == "number":
            first += f": {format_percent(rate, lang)} of the DI plan target ({target_text}{version})"
        else:
            first += f"; DI plan target: {target_text}{version}; the share achieved cannot be computed"
            first += " because the figure is suppressed" if kind in ("suppressed", "hidden") else ""
    return f"{first}. {_expected_sentence(expected_rate, status, lang)}"


def _expected_sentence(expected_rate, status, lang: str) -> str:
    label = status_label(status, lang)
    if is_blank(expected_rate):
        return f"Statuss: {label}." if lang == "lv" else f"Status: {label}."
    shown = format_percent(expected_rate, lang)
    if lang == "lv":
        # "sagaidāms 21 %", "sagaidāmi 57 %": the participle agrees with "procents"
        whole = percent_points(expected_rate)
        return f"Pēc laika, kas pagājis, bija {participle('expected', whole, 'm')} {shown}; statuss: {label}."
    return f"Given the time elapsed, {shown} was expected; status: {label}."


_GROUP_ORDER = ("FT", "GRT", "BSAC", "VSAC")


def persons_year_sentence(scope_name: str, year, by_group: dict, lang: str) -> str:
    """Who received services in one year and place, per target group, e.g. "2019. gadā
    Kuldīgas novadā pakalpojumus saņēma 206 bērni ar FT un 57 personas ar GRT."."""
    check_lang(lang)
    groups = sorted(by_group, key=lambda g: (_GROUP_ORDER.index(g) if g in _GROUP_ORDER else 99, g))
    reported = [g for g in groups if value_kind(by_group[g]) != "missing"]
    missing = [g for g in groups if value_kind(by_group[g]) == "missing"]
    items = [group_phrase(g, by_group[g], lang) for g in reported]
    year_text = format_year(year, lang, case="loc")
    if lang == "lv":
        place = locative(scope_name)
        head = f"{year_text} {place}" if place else f"{scope_name}: {year_text}"
        text = f"{head} pakalpojumus saņēma {join_words(items, lang)}." if items else f"{head} dati nav ziņoti."
        if missing and items:
            text += f" Dati par {join_words([group_noun(g, lang, 'dat') for g in missing], lang)} nav ziņoti."
        return text
    if not items:
        return f"In {year_text}, no data were reported for {scope_name}."
    text = f"In {year_text}, {join_words(items, lang)} received services in {scope_name}."
    if missing:
        text += f" No data were reported on {join_words([group_noun(g, lang) for g in missing], lang)}."
    return text


def municipalities_served_sentence(year, n, lang: str, of_total: int | None = None) -> str:
    """In how many municipalities project services were given in a year ("... 14 pašvaldībās")."""
    check_lang(lang)
    year_text = format_year(year, lang, case="loc")
    if int(n) == 0:
        if lang == "lv":
            return f"{year_text} projekta pakalpojumi netika sniegti nevienā pašvaldībā."
        return f"In {year_text}, project services were not provided in any municipality."
    total = ""
    if of_total is not None:
        total = f" no {format_number(of_total, lang)}" if lang == "lv" else f" (of {format_number(of_total, lang)})"
    if lang == "lv":
        return f"{year_text} projekta pakalpojumi sniegti {count_phrase(n, 'municipality', lang, 'loc')}{total}."
    return f"In {year_text}, project services were provided in {count_phrase(n, 'municipality', lang)}{total}."


def _rows(history) -> list[dict]:
    if isinstance(history, pd.DataFrame):
        return history.to_dict("records")
    return [dict(row) for row in history]


def target_change_sentence(target: str, history, lang: str) -> str:
    """How a target changed across plan versions, with dates ("VSAC mērķis mainīts no 29 uz 35
    (2020. gada 15. janvārī)."), or since when it is unchanged.

    ``history``: rows (DataFrame or dicts) with plan_version, in_force_from, target, value.
    """
    check_lang(lang)
    rows = sorted((r for r in _rows(history) if r["target"] == target), key=lambda r: to_date(r["in_force_from"]))
    name = f"{target} mērķis" if lang == "lv" else f"The {target} target"
    if not rows:
        return (
            f"Neviena plāna redakcija nenosaka {target} mērķi."
            if lang == "lv"
            else f"No plan version sets a {target} target."
        )
    changes = []
    for before, after in zip(rows, rows[1:]):
        if _same_value(before["value"], after["value"]):
            continue
        old, new = (_target_number(r["value"], lang) for r in (before, after))
        when = format_date(after["in_force_from"], lang, case="loc")
        changes.append(f"no {old} uz {new} ({when})" if lang == "lv" else f"from {old} to {new} ({when})")
    if changes:
        joined = join_words(changes, lang)
        return f"{name} mainīts {joined}." if lang == "lv" else f"{name} changed {joined}."
    since = format_date(rows[0]["in_force_from"], lang, case="gen")
    value = _target_number(rows[-1]["value"], lang)
    if lang == "lv":
        return f"{name} kopš {since} nav mainīts: {value}."
    return f"{name} has not changed since {since}: {value}."


def _same_value(first, second) -> bool:
    if is_blank(first) or is_blank(second):
        return is_blank(first) and is_blank(second)
    return float(first) == float(second)


def _target_number(value, lang: str) -> str:
    return ("nav noteikts" if lang == "lv" else "none") if is_blank(value) else format_number(value, lang)


def infrastructure_sentence(project_name: str, status: str, slippage_days, lang: str) -> str:
    """An infrastructure project's state and its delay against the plan, e.g. "Projekts „…“:
    pakalpojums darbojas; kavējums pret plānoto — 45 dienas."."""
    check_lang(lang)
    if status not in PROJECT_STATUSES:
        raise ChoiceError("project status", status, list(PROJECT_STATUSES))
    state = term(status, lang, "project_status")
    head = f"Projekts „{project_name}“: {state}" if lang == "lv" else f"Project “{project_name}”: {state}"
    if is_blank(slippage_days) or status == "dropped":
        return head + "."
    days = int(slippage_days)
    if lang == "lv":
        if days > 0:
            return f"{head}; kavējums pret plānoto — {count_phrase(days, 'day', lang)}."
        if days < 0:
            return f"{head}; {count_phrase(-days, 'day', lang, 'acc')} agrāk, nekā plānots."
        return f"{head}; atbilst plānotajam termiņam."
    if days > 0:
        return f"{head}; {count_phrase(days, 'day', lang)} behind schedule."
    if days < 0:
        return f"{head}; {count_phrase(-days, 'day', lang)} ahead of schedule."
    return f"{head}; on schedule."


def finance_sentence(programme: str, planned, paid, absorption_rate, lang: str, contracted=None) -> str:
    """Money of one programme: planned, (contracted,) paid and the absorption rate (paid / planned)."""
    check_lang(lang)
    name = term(programme, lang, "programme") if programme in v.PROGRAMMES else str(programme)
    rate = format_percent(absorption_rate, lang)
    if lang == "lv":
        parts = [f"plānotais finansējums — {format_money(planned, lang)}"]
        if contracted is not None:
            parts.append(f"līgumos noslēgtais — {format_money(contracted, lang)}")
        parts.append(f"izmaksātais — {format_money(paid, lang)}")
        parts.append(f"apguve — {rate}")
        return f"{name}: {', '.join(parts)}."
    parts = [f"{format_money(planned, lang)} planned"]
    if contracted is not None:
        parts.append(f"{format_money(contracted, lang)} contracted")
    parts.append(f"{format_money(paid, lang)} paid")
    parts.append(f"absorption {rate}")
    return f"{name}: {', '.join(parts)}."


def completeness_sentence(expected, received, late, missing, lang: str) -> str:
    """How complete the municipalities' submissions are: due, received (of them late) and missing."""
    check_lang(lang)
    expected, received, late, missing = (int(x) for x in (expected, received, late, missing))
    if expected == 0:
        return "Līdz šim datumam atskaites vēl nebija jāiesniedz." if lang == "lv" else "No submissions were due yet."
    return (
        _completeness_lv(expected, received, late, missing)
        if lang == "lv"
        else _completeness_en(expected, received, late, missing)
    )


def _completeness_lv(expected, received, late, missing) -> str:
    head = f"{participle('expected', expected, 'f').capitalize()} {count_phrase(expected, 'submission', 'lv')}"
    late_part = "" if late == 0 else f", no tām {format_number(late, 'lv')} ar nokavējumu"
    if missing == 0 and received >= expected:
        if expected == 1:
            return f"{head}; tā saņemta {'ar nokavējumu' if late else 'laikā'}."
        return f"{head}; visas saņemtas{late_part if late else ' laikā'}."
    parts = [head]
    if received:
        parts.append(f"{participle('received_passive', received, 'f')} {format_number(received, 'lv')}{late_part}")
    parts.append(f"nav {participle('received_passive', missing, 'f')} {format_number(missing, 'lv')}")
    return "; ".join(parts) + "."


def _completeness_en(expected, received, late, missing) -> str:
    head = f"{count_phrase(expected, 'submission', 'en')} {'was' if expected == 1 else 'were'} due"
    late_part = "" if late == 0 else f", {format_number(late, 'en')} of them late"
    if missing == 0 and received >= expected:
        if expected == 1:
            return f"{head}; it was received {'late' if late else 'on time'}."
        return f"{head}; all received{late_part if late else ' on time'}."
    parts = [head]
    if received:
        parts.append(f"{format_number(received, 'en')} received{late_part}")
    parts.append(f"{format_number(missing, 'en')} missing")
    return "; ".join(parts) + "."


def suppression_note(threshold: int, lang: str, secondary_marker: str | None = "x") -> str:
    """The disclosure rule in words, for every report that publishes counts of persons."""
    check_lang(lang)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ChoiceError("suppression threshold", threshold, hint="a whole number of at least 1")
    if threshold == 1:
        if lang == "lv":
            return "Skaitļi par personām netiek slēpti."
        return "Counts of persons are not suppressed."
    hidden_lv = (
        "skaitlis 1 nav publicēts un parādīts"
        if threshold == 2
        else f"skaitļi no 1 līdz {threshold - 1} nav publicēti un parādīti"
    )
    hidden_en = (
        "a count of 1 is not published and is shown"
        if threshold == 2
        else f"counts from 1 to {threshold - 1} are not published and are shown"
    )
    marked_lv = f" (tie apzīmēti ar „{secondary_marker}“, nav 0)" if secondary_marker else ""
    marked_en = f" (marked “{secondary_marker}”; not 0)" if secondary_marker else ""
    if lang == "lv":
        return (
            f"Lai nevienu personu nevarētu atpazīt, {hidden_lv} kā „<{threshold}“ (0 parādīts kā 0). "
            f"Vajadzības gadījumā paslēpti arī citi skaitļi{marked_lv}, lai slēpto vērtību nevarētu aprēķināt "
            "no kopsummām, citām pašvaldībām vai citiem gadiem. Naudas summas un vietu skaits netiek slēpti."
        )
    return (
        f"So that no person can be identified, {hidden_en} as “<{threshold}” (zero is shown as 0). "
        f"Where needed, further counts are hidden{marked_en} so that a hidden value cannot be worked out "
        "from totals, other municipalities or other years. Money and numbers of places are not suppressed."
    )


# --- the evaluator's commentary ---------------------------------------------------------------

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_LINK_REL = "nofollow noopener noreferrer"
_IMAGE_WORD = {"lv": "attēls", "en": "image"}
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_ALIGNMENT = re.compile(r"text-align:(left|right|center)")


def allowed_link(url: str) -> bool:
    """True for http, https and mailto links only (javascript:, data:, file:, relative ... are not)."""
    cleaned = "".join(ch for ch in str(url) if ch > " ").lower()  # browsers ignore such characters
    return cleaned.startswith(ALLOWED_SCHEMES)


def _make_safe(state) -> None:
    """Demote headings by two levels, unwrap links that are not allowed, mark the others."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
        if token.type == "inline" and token.children:
            token.children = _unwrap_bad_links(token.children)


def _unwrap_bad_links(children: list) -> list:
    kept, depth_dropped = [], []
    for child in children:
        if child.type == "link_open":
            bad = not allowed_link(child.attrGet("href") or "")
            depth_dropped.append(bad)
            if bad:
                continue
            child.attrSet("rel", _LINK_REL)
        elif child.type == "link_close":
            if depth_dropped and depth_dropped.pop():
                continue
        kept.append(child)
    return kept


def _markdown(lang: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Parse every link, then unwrap the ones not allowed, so their text is kept as plain text.
    md.validateLink = lambda url: True
    md.core.ruler.push("di_eval_safe", _make_safe)

    def render_image(renderer, tokens, idx, options, env):
        # Never load an image from elsewhere: the report must work offline and leak nothing.
        token = tokens[idx]
        alt = renderer.renderInlineAsText(token.children or [], options, env).strip()
        src = token.attrGet("src") or ""
        text = escapeHtml(f"[{_IMAGE_WORD[lang]}: {alt}]" if alt else f"[{_IMAGE_WORD[lang]}]")
        if allowed_link(src):
            return f'<a href="{escapeHtml(src)}" rel="{_LINK_REL}">{text}</a>'
        return text

    md.add_render_rule("image", render_image)
    return md


class _LinkAudit(HTMLParser):
    """Collects what must never be in commentary HTML: scripts, event handlers, bad links."""

    def __init__(self):
        super().__init__()
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "iframe", "object", "embed", "img", "svg", "form", "input"):
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            if name == "style" and tag in ("th", "td") and _ALIGNMENT.fullmatch(value or ""):
                continue  # table column alignment, written by the renderer itself
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.findings.append(f"{tag}[{name}]")
            if name in ("href", "src") and not allowed_link(value or ""):
                self.findings.append(f"{tag}[{name}={value!r}]")


def commentary_html(markdown_text: str | None, lang: str = "lv") -> str:
    """The evaluator's Markdown as safe HTML: raw HTML escaped, only http/https/mailto links,
    no images loaded (shown as a link), headings starting at <h3>. Empty text gives ""."""
    check_lang(lang)
    if not markdown_text or not str(markdown_text).strip():
        return ""
    rendered = _markdown(lang).render(str(markdown_text))
    audit = _LinkAudit()
    audit.feed(rendered)
    if audit.findings:  # a last line of defence; the rules above should make this unreachable
        raise DiEvalError("commentary rendered unsafe HTML: " + ", ".join(audit.findings))
    return rendered


def read_commentary(data_dir, atvk_code: str) -> str | None:
    """The text of ``<data_dir>/commentary/<atvk_code>.md`` (UTF-8), or None if there is none."""
    if not _CODE.fullmatch(str(atvk_code)):
        raise ChoiceError("municipality code", atvk_code, hint="an ATVK or ISO code such as 0840200 or LV-088")
    path = Path(data_dir) / "commentary" / f"{atvk_code}.md"
    if not path.is_file():
        return None
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problem = Problem(str(path), None, None, None, f"must be UTF-8 text (byte {err.start} is not)")
        raise DataValidationError([problem], source=str(path)) from err
