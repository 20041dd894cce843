"""Report sentences generated from the numbers: Latvian first, English with ``lang="en"``.

Every builder is a pure function returning plain text (escape it when placing it in HTML).
Published person counts arrive as an int, the string ``"<5"`` (suppressed) or None/NA (not
reported); each builder reads well for all three. Each sentence is one ``Text`` template in both
languages; words, numbers and agreement come from ``di_eval.text``.
"""

from __future__ import annotations

import pandas as pd

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError
from di_eval.report.rounded import about, is_rounded
from di_eval.text import Text, check_lang
from di_eval.text.formats import (
    format_date,
    format_money,
    format_number,
    format_percent,
    format_year,
    is_blank,
    to_date,
    value_kind,
)
from di_eval.text.grammar import (
    count_phrase,
    group_noun,
    group_parts,
    group_phrase,
    join_words,
    locative,
    nobody,
    participle,
    plural,
)
from di_eval.text.terms import PROJECT_STATUSES, status_label, term

# --- achievement ---------------------------------------------------------------------------------

_VERSION = Text("; plāna redakcija: {name}", "; plan version: {name}")
_NOT_REPORTED_UNTIL = Text(
    "Dati par {group} līdz {until} nav iesniegti", "No data were submitted on {group} up to {until}"
)
_ACHIEVED = {
    "VSAC": Text(
        "Līdz {until} uz dzīvi pašvaldībā {verb} {count}", "By {until}, {count} had moved to live in a municipality"
    ),
    None: Text("Līdz {until} pakalpojumus {verb} {count}", "By {until}, {count} had received services"),
}
_NO_TARGET = Text("; DI plānā mērķis nav noteikts", "; the DI plan sets no target")
_SHARE_OF_TARGET = Text(
    " jeb {rate} no DI plāna mērķa ({target}{version})", ": {rate} of the DI plan target ({target}{version})"
)
_SHARE_NOT_COMPUTABLE = Text(
    "; DI plāna mērķis: {target}{version}; sasniegtā daļa nav aprēķināma",
    "; DI plan target: {target}{version}; the share achieved cannot be computed",
)
_BECAUSE_SUPPRESSED = Text(", jo skaitlis nav publicējams", " because the figure is suppressed")
_STATUS = Text("Statuss: {label}.", "Status: {label}.")
_EXPECTED = Text(
    "Ņemot vērā pagājušo laiku, bija sagaidāma {rate} izpilde; statuss: {label}.",
    "Given the time elapsed, {rate} was expected; status: {label}.",
)


def _version_part(plan_version_name: str | None, lang: str) -> str:
    return _VERSION(lang, name=plan_version_name) if plan_version_name else ""


def achievement_sentence(
    target, achieved, target_value, rate, expected_rate, status, plan_version_name, as_of, lang
) -> str:
    """Progress towards one target of the plan in two sentences: what was achieved and its share of
    the target, then the share expected from the time elapsed and the status (symbol and words)."""
    check_lang(lang)
    kind = value_kind(achieved)
    noun = group_parts(target, lang)[0]
    version = _version_part(plan_version_name, lang)
    until = format_date(as_of, lang, case="dat")  # "līdz" takes the dative
    target_text = count_phrase(target_value, noun, lang) if not is_blank(target_value) else None
    if kind == "missing":
        first = _NOT_REPORTED_UNTIL(lang, group=group_noun(target, lang, "dat"), until=until)
    else:
        verb = participle("moved" if target == "VSAC" else "received", achieved, noun.gender)
        template = _ACHIEVED["VSAC" if target == "VSAC" else None]
        count = about(group_phrase(target, achieved, lang), achieved, lang)  # "apmēram 345 …" when rounded
        first = template(lang, until=until, verb=verb, count=count)
    if target_text is None:
        first += _NO_TARGET(lang)
    elif not is_blank(rate) and kind == "number":
        share = about(format_percent(rate, lang), is_rounded(achieved) or is_rounded(rate), lang)
        first += _SHARE_OF_TARGET(lang, rate=share, target=target_text, version=version)
    else:
        first += _SHARE_NOT_COMPUTABLE(lang, target=target_text, version=version)
        first += _BECAUSE_SUPPRESSED(lang) if kind in ("suppressed", "hidden") else ""
    return f"{first}. {_expected_sentence(expected_rate, status, lang)}"


def _expected_sentence(expected_rate, status, lang: str) -> str:
    label = status_label(status, lang)
    if is_blank(expected_rate):
        return _STATUS(lang, label=label)
    # "bija sagaidāma 57 % izpilde": the participle agrees with "izpilde", not with the percent
    return _EXPECTED(lang, rate=format_percent(expected_rate, lang), label=label)


# --- persons served ----------------------------------------------------------------------------------

_GROUP_ORDER = ("FT", "GRT", "BSAC", "VSAC")
_SERVED_IN = Text("{head} pakalpojumus saņēma {items}.", "In {year}, {items} received services in {place}.")
_NOTHING_IN = Text("{head} dati nav iesniegti.", "In {year}, no data were submitted for {place}.")
_GROUPS_NOT_REPORTED = Text(" Dati par {groups} nav iesniegti.", " No data were submitted on {groups}.")
# A zero reads as a negation, never as a count: "neviens bērns no BSAC", not "0 bērni no BSAC".
_NONE_SERVED = Text(" Pakalpojumus nesaņēma {nobody}.", " {nobody} received services.")
_NONE_IN = Text("{head} pakalpojumus nesaņēma {nobody}.", "In {year}, {nobody} received services in {place}.")
_NOBODY_OF = Text("{nobody} {noun}{after}", "no {noun}{after}")
_NO_MUNICIPALITY = Text(
    "{year} projekta pakalpojumi netika sniegti nevienā pašvaldībā.",
    "In {year}, project services were not provided in any municipality.",
)
_OF_TOTAL = Text(" no {n}", " (of {n})")
_IN_MUNICIPALITIES = Text(
    "{year} projekta pakalpojumi sniegti {count}{total}.",
    "In {year}, project services were provided in {count}{total}.",
)


def persons_year_sentence(scope_name: str, year, by_group: dict, lang: str) -> str:
    """Who received services in one year and place, per target group, e.g. "2019. gadā
    Kuldīgas novadā pakalpojumus saņēma 206 bērni ar FT un 57 personas ar GRT."."""
    check_lang(lang)
    groups = sorted(by_group, key=lambda g: (_GROUP_ORDER.index(g) if g in _GROUP_ORDER else 99, g))
    reported = [g for g in groups if value_kind(by_group[g]) != "missing"]
    missing = [g for g in groups if value_kind(by_group[g]) == "missing"]
    zeros = [g for g in reported if _is_zero(by_group[g])]
    items = [about(group_phrase(g, by_group[g], lang), by_group[g], lang) for g in reported if g not in zeros]
    nobody = join_words([_nobody_of(g, lang) for g in zeros], lang)
    year_text = format_year(year, lang, case="loc")
    # Latvian puts the place in the locative ("Kuldīgas novadā"); a name without a known one comes first.
    place = locative(scope_name)
    head = f"{year_text} {place}" if place else f"{scope_name}: {year_text}"
    where = _with_article(scope_name)  # English: "in the Kurzeme Planning Region"
    if not items and not zeros:
        return _NOTHING_IN(lang, head=head, year=year_text, place=where)
    if not items:
        text = _NONE_IN(lang, head=head, year=year_text, place=where, nobody=nobody)
    else:
        text = _SERVED_IN(lang, head=head, year=year_text, items=join_words(items, lang), place=where)
        if zeros:
            text += _capitalised(_NONE_SERVED(lang, nobody=nobody))
    if missing:
        text += _GROUPS_NOT_REPORTED(lang, groups=join_words([group_noun(g, lang, "dat") for g in missing], lang))
    return text


def _with_article(name: str) -> str:
    """An English place name in a sentence: a region takes "the" ("the Kurzeme Planning Region");
    a municipality's name ("Saldus novads") does not."""
    text = str(name)
    return f"the {text}" if text.endswith("Region") and not text.lower().startswith("the ") else text


def _is_zero(value) -> bool:
    return value_kind(value) == "number" and float(value) == 0


def _nobody_of(group: str, lang: str) -> str:
    """ "neviens bērns no BSAC", "neviena persona ar GRT"; "no child from BSAC"."""
    noun, before, after = group_parts(group, lang)
    return _NOBODY_OF(lang, nobody=nobody(noun.gender), noun=f"{before}{noun.form(1, lang, 'nom')}", after=after)


def _capitalised(text: str) -> str:
    """' no child ...' -> ' No child ...': a sentence of its own starts with a capital."""
    stripped = text.lstrip()
    return text[: len(text) - len(stripped)] + stripped[:1].upper() + stripped[1:]


def municipalities_served_sentence(year, n, lang: str, of_total: int | None = None) -> str:
    """In how many municipalities project services were given in a year ("... 14 pašvaldībās")."""
    check_lang(lang)
    year_text = format_year(year, lang, case="loc")
    if int(n) == 0:
        return _NO_MUNICIPALITY(lang, year=year_text)
    total = "" if of_total is None else _OF_TOTAL(lang, n=format_number(of_total, lang))
    return _IN_MUNICIPALITIES(lang, year=year_text, count=count_phrase(n, "municipality", lang, "loc"), total=total)


# --- targets ---------------------------------------------------------------------------------------------

_TARGET = Text("{target} mērķis", "The {target} target")
_NO_VERSION_SETS = Text("Neviena plāna redakcija nenosaka {target} mērķi.", "No plan version sets a {target} target.")
_FROM_TO = Text("no {old} uz {new} ({when})", "from {old} to {new} ({when})")
_CHANGED = Text("{name} mainīts {changes}.", "{name} changed {changes}.")
_UNCHANGED = Text("{name} kopš {since} nav mainīts: {value}.", "{name} has not changed since {since}: {value}.")
_NO_TARGET_VALUE = Text("nav noteikts", "none")


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
    name = _TARGET(lang, target=target)
    if not rows:
        return _NO_VERSION_SETS(lang, target=target)
    changes = []
    for before, after in zip(rows, rows[1:]):
        if _same_value(before["value"], after["value"]):
            continue
        old, new = (_target_number(r["value"], lang) for r in (before, after))
        changes.append(_FROM_TO(lang, old=old, new=new, when=format_date(after["in_force_from"], lang, case="loc")))
    if changes:
        return _CHANGED(lang, name=name, changes=join_words(changes, lang))
    since = format_date(rows[0]["in_force_from"], lang, case="gen")  # "kopš" takes the genitive
    return _UNCHANGED(lang, name=name, since=since, value=_target_number(rows[-1]["value"], lang))


def _same_value(first, second) -> bool:
    if is_blank(first) or is_blank(second):
        return is_blank(first) and is_blank(second)
    return float(first) == float(second)


def _target_number(value, lang: str) -> str:
    return _NO_TARGET_VALUE(lang) if is_blank(value) else format_number(value, lang)


# --- infrastructure and money --------------------------------------------------------------------------

_PROJECT = Text("Projekts „{name}“: {state}", "Project “{name}”: {state}")
_LATE = Text("{head}; kavējums salīdzinājumā ar plānoto — {days}.", "{head}; {days} behind schedule.")
_EARLY = Text("{head}; {days} agrāk, nekā plānots.", "{head}; {days} ahead of schedule.")
_ON_SCHEDULE = Text("{head}; atbilst plānotajam termiņam.", "{head}; on schedule.")
_PLANNED = Text("plānotais finansējums — {amount}", "{amount} planned")
_CONTRACTED = Text("līgumos noslēgtais — {amount}", "{amount} contracted")
_PAID = Text("izmaksātais — {amount}", "{amount} paid")
_ABSORPTION = Text("apguve — {rate}", "absorption {rate}")


def infrastructure_sentence(project_name: str, status: str, slippage_days, lang: str) -> str:
    """An infrastructure project's state and its delay against the plan, e.g. "Projekts „…“:
    pakalpojums darbojas; kavējums salīdzinājumā ar plānoto — 45 dienas."."""
    check_lang(lang)
    if status not in PROJECT_STATUSES:
        raise ChoiceError("project status", status, list(PROJECT_STATUSES))
    head = _PROJECT(lang, name=project_name, state=term(status, lang, "project_status"))
    if is_blank(slippage_days) or status == "dropped":
        return head + "."
    days = int(slippage_days)
    if days > 0:
        return _LATE(lang, head=head, days=count_phrase(days, "day", lang))
    if days < 0:
        return _EARLY(lang, head=head, days=count_phrase(-days, "day", lang, "acc"))
    return _ON_SCHEDULE(lang, head=head)


def finance_sentence(programme: str, planned, paid, absorption_rate, lang: str, contracted=None) -> str:
    """Money of one programme: planned, (contracted,) paid and the absorption rate (paid / planned)."""
    check_lang(lang)
    name = term(programme, lang, "programme") if programme in v.PROGRAMMES else str(programme)
    parts = [_PLANNED(lang, amount=format_money(planned, lang))]
    if contracted is not None:
        parts.append(_CONTRACTED(lang, amount=format_money(contracted, lang)))
    parts.append(_PAID(lang, amount=format_money(paid, lang)))
    parts.append(_ABSORPTION(lang, rate=format_percent(absorption_rate, lang)))
    return f"{name}: {', '.join(parts)}."


# --- submissions -----------------------------------------------------------------------------------------

_NOTHING_DUE = Text("Līdz šim datumam veidlapas vēl nebija jāiesniedz.", "No submissions were due yet.")
_DUE = Text("{due} {count}", "{count} {be} due")
_OF_THEM_LATE = Text(", no tām {n} ar nokavējumu", ", {n} of them late")
_ON_TIME = Text("laikā", "on time")
_LATE_WORD = Text("ar nokavējumu", "late")
_THE_ONE_RECEIVED = Text("{head}; tā saņemta {when}.", "{head}; it was received {when}.")
_ALL_RECEIVED = Text("{head}; visas saņemtas{rest}.", "{head}; all received{rest}.")
_RECEIVED = Text("{received} {n}{late}", "{n} received{late}")
_MISSING = Text("nav {received} {n}", "{n} missing")


def completeness_sentence(expected, received, late, missing, lang: str) -> str:
    """How complete the municipalities' submissions are: due, received (of them late) and missing."""
    check_lang(lang)
    expected, received, late, missing = (int(x) for x in (expected, received, late, missing))
    if expected == 0:
        return _NOTHING_DUE(lang)
    head = _DUE(
        lang,
        due=participle("expected", expected, "f").capitalize(),
        count=count_phrase(expected, "submission", lang),
        be=plural(expected, ("was", "were"), "en"),
    )
    late_part = "" if late == 0 else _OF_THEM_LATE(lang, n=format_number(late, lang))
    if missing == 0 and received >= expected:
        if expected == 1:
            return _THE_ONE_RECEIVED(lang, head=head, when=(_LATE_WORD if late else _ON_TIME)(lang))
        return _ALL_RECEIVED(lang, head=head, rest=late_part if late else f" {_ON_TIME(lang)}")
    parts = [head]
    if received:
        word = participle("received_passive", received, "f")
        parts.append(_RECEIVED(lang, received=word, n=format_number(received, lang), late=late_part))
    parts.append(_MISSING(lang, received=participle("received_passive", missing, "f"), n=format_number(missing, lang)))
    return "; ".join(parts) + "."
