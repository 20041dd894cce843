"""Report sentences generated from the numbers: Latvian first, English with ``lang="en"``.

Every builder is a pure function returning plain text (escape it when placing it in HTML).
Published person counts arrive as an int, the string ``"<5"`` (suppressed) or None/NA (not
reported); each builder reads well for all three. Words, numbers and agreement come from
``di_eval.text``.
"""

from __future__ import annotations

import pandas as pd

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError
from di_eval.text import check_lang
from di_eval.text.formats import (
    format_date,
    format_money,
    format_number,
    format_percent,
    format_year,
    is_blank,
    percent_points,
    to_date,
    value_kind,
)
from di_eval.text.grammar import count_phrase, group_noun, group_parts, group_phrase, join_words, locative, participle
from di_eval.text.terms import PROJECT_STATUSES, status_label, term

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
