"""Charts of persons: achievement against the targets, persons served per year, persons per service."""

from __future__ import annotations

import textwrap

import matplotlib.patheffects as patheffects
import pandas as pd

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report import palette as p
from di_eval.report import rounded as rd
from di_eval.report.charts.base import (
    _GROUPS,
    MIN_FONT_PT,
    Chart,
    _bar_with_label,
    _bound,
    _cap,
    _caption,
    _clean_axis,
    _could_exceed,
    _figure,
    _group_name,
    _headers,
    _kind,
    _marks_note,
    _one_scope,
    _require,
    _series,
    _shown,
    _styled,
    _until,
    _value_top,
    _value_words,
)
from di_eval.text import Text, check_lang, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr

# --- 1. achievement --------------------------------------------------------------------------------

_TARGET_ORDER = ("FT", "GRT", "VSAC", "BSAC")


_OF = Text("{achieved} no {target} {noun}", "{achieved} of {target} {noun}")
_EXPECTED_LABEL = Text("sagaidāms {rate}", "expected {rate}")
_ACHIEVEMENT_TITLE = Text("Sasniegtais pret DI plāna mērķiem", "Achievement against the DI plan targets")
_ACHIEVEMENT_CAPTION = Text(
    "Sasniegtā daļa no DI plāna mērķa ({groups}), kopā {until}; rāmis — mērķis (100 %), "
    "melnā svītra — progress, kas sagaidāms, ņemot vērā pagājušo laiku.",
    "Share of each DI plan target achieved ({groups}), cumulative {until}; the outline is the target "
    "(100%), the black line the progress expected from the time elapsed.",
)
_VERSION_NAMED = Text("Mērķi no plāna redakcijas „{version}“.", "Targets from the plan version “{version}”.")
_VERSION_SINCE = Text(
    "Mērķi no plāna redakcijas, kas spēkā kopš {since}.", "Targets from the plan version in force since {since}."
)
_NOT_COMPUTABLE_SHARE = Text("{target} — {of}, daļa nav aprēķināma", "{target} — {of}, share not computable")
_SHARE_OF = Text("{target} — {share} ({of})", "{target}: {share} ({of})")
_ACHIEVEMENT_ALT = Text(
    "{until} sasniegtā daļa no mērķa: {parts}.", "{until} — the share of each target achieved: {parts}."
)
_EXPECTED_ALT = Text(
    " Ņemot vērā pagājušo laiku, bija sagaidāma {rate} izpilde.", " {rate} was expected from the time elapsed."
)
_STATUS_ALT = Text(" Statuss: {statuses}.", " Status: {statuses}.")


def _of_phrase(achieved, target_value, target: str, lang: str, *, words: bool = False) -> str:
    """ "91 no 350 personām" / "91 of 350 persons"; Latvian "no" takes the genitive singular
    after 1, 21 ... and the dative plural otherwise."""
    noun = gr.group_parts(target, lang)[0]
    case = "gen" if gr.is_singular(target_value, lang) else "dat"
    return _OF(
        lang,
        achieved=rd.words(achieved, lang) if words else _shown(achieved, lang),  # "apmēram 345" in words
        target=_shown(target_value, lang),
        noun=noun.form(target_value, lang, case),
    )


@_styled
def achievement_chart(achievement: pd.DataFrame, lang: str, *, as_of=None, source: str | None = None) -> Chart:
    """One bar per target: the share achieved of the target (the outline is 100 %), a mark for
    the progress expected from time elapsed, and the status in symbol and words."""
    check_lang(lang)
    _require(
        achievement, ["target", "target_value", "achieved", "rate", "expected_rate", "status"], "achievement_chart"
    )
    rows = sorted(
        # not to_dict("records"), which turns a Rounded count back into a plain int
        [dict(zip(achievement.columns, values)) for values in achievement.itertuples(index=False)],
        key=lambda r: _TARGET_ORDER.index(r["target"]) if r["target"] in _TARGET_ORDER else 9,
    )
    if not rows:
        raise DiEvalError("achievement_chart: the table has no rows to draw")
    rates = [float(r["rate"]) for r in rows if not fmt.is_blank(r["rate"])]
    expected_rates = {round(float(r["expected_rate"]), 4) for r in rows if not fmt.is_blank(r["expected_rate"])}
    right = max([1.0, *rates])
    height = 0.8 + 0.85 * len(rows)
    figure = _figure(height)
    ax = figure.add_axes((0.24, 0.45 / height, 0.4, 1 - 0.55 / height))
    for index, row in enumerate(rows):
        y = len(rows) - 1 - index
        colour = p.GROUP_COLOURS.get(row["target"], p.SERIES[index % len(p.SERIES)])
        ax.barh(y, 1.0, height=0.56, **p.mark_style("planned", colour))
        kind = _kind(row["achieved"])
        if kind == "number" and not fmt.is_blank(row["rate"]):
            ax.barh(y, float(row["rate"]), height=0.56, **p.mark_style("actual", colour))
        elif kind == "suppressed" and not fmt.is_blank(row["target_value"]) and float(row["target_value"]) > 0:
            ax.barh(
                y,
                _bound(row["achieved"]) / float(row["target_value"]),
                height=0.56,
                **p.mark_style("suppressed", colour),
            )
        if not fmt.is_blank(row["expected_rate"]):
            expected = float(row["expected_rate"])
            ax.plot(
                [expected, expected],
                [y - 0.38, y + 0.38],
                color=p.TEXT,
                linewidth=2.6,
                solid_capstyle="butt",
                path_effects=[patheffects.withStroke(linewidth=5, foreground=p.BACKGROUND)],  # stands out on any bar
            )
            if index == 0 or len(expected_rates) > 1:  # one label when every target expects the same
                ax.annotate(
                    _EXPECTED_LABEL(lang, rate=fmt.format_percent(expected, lang)),
                    (expected, y + 0.38),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=MIN_FONT_PT,
                )
        value = (
            _of_phrase(row["achieved"], row["target_value"], row["target"], lang)
            if kind != "missing"
            else _shown(None, lang)
        )
        share = rd.percent(row["rate"], lang, empty="—")
        text = f"{value} ({share})\n{terms.status_label(row['status'], lang)}"
        ax.annotate(
            text,
            (right, y),
            xytext=(8, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            annotation_clip=False,
            linespacing=1.4,
        )
    ax.set_xlim(0, right)
    ax.set_ylim(-0.6, len(rows) - 0.1)
    ax.set_yticks(range(len(rows)), [textwrap.fill(_group_name(r["target"], lang), 18) for r in reversed(rows)])
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], [fmt.format_percent(x, lang) for x in (0, 0.25, 0.5, 0.75, 1.0)])
    ax.tick_params(axis="y", left=False)
    ax.spines["left"].set_visible(False)
    title = _ACHIEVEMENT_TITLE(lang)
    version = next((r.get("plan_version") for r in rows if r.get("plan_version")), None)
    caption = _caption(
        lang,
        _ACHIEVEMENT_CAPTION(
            lang,
            until=_until(as_of, lang),
            groups=gr.join_words([gr.group_noun(r["target"], lang) for r in rows], lang),
        ),
        _version_note(version, lang),
        _marks_note([r["achieved"] for r in rows], lang),
        source=source,
    )
    data = pd.DataFrame(
        {
            "target": [terms.term(r["target"], lang, "target") for r in rows],
            "target_value": [_shown(r["target_value"], lang) for r in rows],
            "achieved": [_shown(r["achieved"], lang) for r in rows],
            "rate": [rd.percent(r["rate"], lang, empty="—") for r in rows],
            "expected_rate": [fmt.format_percent(r["expected_rate"], lang, empty="—") for r in rows],
            "status": [terms.status_label(r["status"], lang) for r in rows],
        }
    )
    return Chart(figure, title, caption, _achievement_alt(rows, as_of, lang), _headers(data, lang), lang)


def _version_note(version, lang: str) -> str:
    if not version:
        return ""
    try:
        since = fmt.format_date(version, lang, "gen")  # "kopš" takes the genitive
    except ChoiceError:
        return _VERSION_NAMED(lang, version=version)
    return _VERSION_SINCE(lang, since=since)


def _achievement_alt(rows: list[dict], as_of, lang: str) -> str:
    parts = []
    for row in rows:
        if _kind(row["achieved"]) == "missing":
            parts.append(f"{row['target']}: {_shown(None, lang)}")
            continue
        share = fmt.format_percent(row["rate"], lang) if not fmt.is_blank(row["rate"]) else None
        share = (
            None
            if share is None
            else rd.about(share, rd.is_rounded(row["rate"]) or rd.is_rounded(row["achieved"]), lang)
        )
        of = _of_phrase(row["achieved"], row["target_value"], row["target"], lang, words=True)
        if share is None:
            parts.append(_NOT_COMPUTABLE_SHARE(lang, target=row["target"], of=of))
        else:
            parts.append(_SHARE_OF(lang, target=row["target"], share=share, of=of))
    text = _ACHIEVEMENT_ALT(lang, until=_cap(_until(as_of, lang)), parts="; ".join(parts))
    expected = sorted({round(float(r["expected_rate"]), 4) for r in rows if not fmt.is_blank(r["expected_rate"])})
    if len(expected) == 1:
        # "sagaidāms 21 %", "sagaidāmi 57 %": the participle agrees with "procents"
        agreed = gr.participle("expected", fmt.percent_points(expected[0]), "m")
        text += _EXPECTED_ALT(lang, expected=agreed, rate=fmt.format_percent(expected[0], lang))
    statuses = [f"{r['target']} — {terms.status_words(r['status'], lang)}" for r in rows]
    return text + _STATUS_ALT(lang, statuses=", ".join(statuses))


# --- 2. persons by year -------------------------------------------------------------------------


@_styled
def persons_by_year_chart(
    persons_by_year: pd.DataFrame,
    lang: str,
    service: str = "any",
    *,
    measure: str = "persons_served",
    source: str | None = None,
    names: pd.DataFrame | None = None,
) -> Chart:
    """Persons served per year in one scope, one panel per target group (FT, GRT, BSAC), every bar labelled.
    ``names``: the evaluation's ``scopes`` table, which names the scope."""
    check_lang(lang)
    _require(persons_by_year, ["scope", "year", "target_group", "service", measure], "persons_by_year_chart")
    scope = _one_scope(persons_by_year, "persons_by_year_chart")
    if service not in v.SERVICES:
        raise ChoiceError("service", service, list(v.SERVICES))
    rows = persons_by_year[persons_by_year["service"] == service]
    groups = [g for g in _GROUPS if g in set(rows["target_group"])]
    if not groups:
        raise DiEvalError(f"persons_by_year_chart: no rows for service {service!r}")
    years = sorted(int(y) for y in pd.unique(rows["year"]))
    figure = _figure(0.55 + 1.7 * len(groups))
    axes = figure.subplots(len(groups), 1, sharex=True, squeeze=False)[:, 0]
    for ax, group in zip(axes, groups):
        values = _series(rows, group, measure)
        for year in years:
            _bar_with_label(ax, year, values.get(year), p.GROUP_COLOURS[group], lang, horizontal=False)
        ax.set_ylim(0, _value_top(list(values.values()), 1.3))
        ax.set_title(_group_name(group, lang), pad=4)
        _clean_axis(ax, keep="x")
    axes[-1].set_xticks(years, [str(y) for y in years])
    axes[-1].set_xlim(years[0] - 0.6, years[-1] + 0.6)
    figure.subplots_adjust(
        left=0.04,
        right=0.98,
        top=1 - 0.35 / (0.55 + 1.7 * len(groups)),
        bottom=0.3 / (0.55 + 1.7 * len(groups)),
        hspace=0.55,
    )
    place = terms.scope_name(scope, lang, names)
    service_text = "" if service == "any" else f" — {terms.term(service, lang, 'service')}"
    title = _PER_YEAR_TITLE(lang) + service_text
    what = _ANY_SERVICE(lang) if service == "any" else _THE_SERVICE(lang, service=terms.term(service, lang, "service"))
    if measure not in _COUNTED:
        raise ChoiceError("measure", measure, list(_COUNTED))
    caption = _caption(
        lang,
        _PER_YEAR_CAPTION(lang, place=place, counted=_COUNTED[measure](lang, what=what)),
        _marks_note(rows[measure].tolist(), lang),
        source=source,
    )
    alt = " ".join(_year_summary(group, _series(rows, group, measure), lang) for group in groups)
    alt = f"{place}. {alt}"
    data = rows.sort_values(
        ["year", "target_group"], key=lambda s: s.map(_GROUPS.index) if s.name == "target_group" else s
    )
    table = pd.DataFrame(
        {
            "year": [str(int(y)) for y in data["year"]],
            "target_group": [_group_name(g, lang) for g in data["target_group"]],
        }
    )
    for column in ("persons_served", "persons_new"):
        if column in data:
            table[column] = [_shown(x, lang) for x in data[column]]
    return Chart(figure, title, caption, alt, _headers(table, lang), lang)


_PER_YEAR_TITLE = Text("Pakalpojumus saņēmušie pa gadiem", "Persons served per year")
_ANY_SERVICE = Text("jebkuru projekta pakalpojumu", "any project service")
_THE_SERVICE = Text("pakalpojumu „{service}“", "the service “{service}”")
_COUNTED = {
    "persons_served": Text("gada laikā saņēmušas {what}", "received {what} in the year"),
    "persons_new": Text("pirmo reizi saņēmušas {what}", "received {what} for the first time"),
}
_PER_YEAR_CAPTION = Text(
    "{place}: personas (katra skaitīta vienu reizi), kas {counted}, pa mērķa grupām; katrai diagrammai sava skala.",
    "{place}: unique persons who {counted}, by target group; each panel has its own scale.",
)
_NO_FIGURES = Text(
    "{name}: skaitļi nav publicējami vai dati nav iesniegti.", "{name}: figures suppressed or not submitted."
)
_IN_YEAR = Text("{year}. gadā {value}", "{value} in {year}")
_MOST_IN = Text("visvairāk {year}. gadā ({value})", "most in {year} ({value})")
# a hidden value could be larger: the peak is only the largest published one
_MOST_PUBLISHED_IN = Text(
    "lielākais publicētais skaitlis {year}. gadā ({value})", "the largest published figure in {year} ({value})"
)
_HIDDEN_YEARS = Text("; skaitlis slēpts: {years}", "; hidden: {years}")
_FEWER_YEARS = Text("; mazāk nekā {n}: {years}", "; fewer than {n}: {years}")
_MISSING_YEARS = Text("; dati nav iesniegti: {years}", "; not submitted: {years}")


def _year_summary(group: str, values: dict[int, object], lang: str) -> str:
    """ "Bērni ar FT: 2017. gadā 25, visvairāk 2019. gadā (206), 2023. gadā 121." """
    name = _group_name(group, lang)
    numbers = {y: float(x) for y, x in values.items() if _kind(x) == "number"}
    if not numbers:
        return _NO_FIGURES(lang, name=name)
    years = sorted(values)
    peak = max(numbers, key=lambda y: (numbers[y], -y))

    def at(year):
        return _IN_YEAR(lang, year=year, value=_value_words(values[year], lang))

    shown = [y for y in years if _kind(values[y]) != "missing"]  # unreported years are listed once, below
    first, last = shown[0], shown[-1]
    parts = [at(first)]
    if peak not in (first, last):
        most = _MOST_PUBLISHED_IN if _could_exceed(values.values(), numbers[peak]) else _MOST_IN
        parts.append(most(lang, year=peak, value=_value_words(values[peak], lang)))
    if last != first:
        parts.append(at(last))
    hidden = [y for y in years if _kind(values[y]) == "suppressed" and y not in (first, last)]
    missing = [y for y in years if _kind(values[y]) == "missing"]
    secret = [y for y in years if _kind(values[y]) == "hidden" and y not in (first, last)]
    text = f"{name}: {', '.join(parts)}"
    if secret:
        text += _HIDDEN_YEARS(lang, years=", ".join(str(y) for y in secret))
    if hidden:
        threshold = fmt.suppression_threshold(values[hidden[0]])
        text += _FEWER_YEARS(lang, n=threshold, years=", ".join(str(y) for y in hidden))
    if missing:
        text += _MISSING_YEARS(lang, years=", ".join(str(y) for y in missing))
    return text + "."


# --- 3. services ------------------------------------------------------------------------------------


@_styled
def services_chart(
    persons_cumulative: pd.DataFrame,
    target_group: str,
    lang: str,
    *,
    as_of=None,
    source: str | None = None,
    names: pd.DataFrame | None = None,
) -> Chart:
    """Cumulative unique persons of one target group per service, with the group's total first.
    ``names``: the evaluation's ``scopes`` table, which names the scope."""
    check_lang(lang)
    _require(persons_cumulative, ["scope", "target_group", "service", "persons"], "services_chart")
    if target_group not in v.GROUP_SERVICES:
        raise ChoiceError("target group", target_group, list(v.GROUP_SERVICES))
    scope = _one_scope(persons_cumulative, "services_chart")
    rows = persons_cumulative[persons_cumulative["target_group"] == target_group]
    values = {service: value for service, value in zip(rows["service"], rows["persons"])}
    services = ["any", *[s for s in v.GROUP_SERVICES[target_group] if s in values]]
    colour = p.GROUP_COLOURS[target_group]
    figure = _figure(0.9 + 0.42 * len(services))
    ax = figure.add_axes((0.36, 0.32 / (0.9 + 0.42 * len(services)), 0.52, 1 - 0.75 / (0.9 + 0.42 * len(services))))
    for index, service in enumerate(services):
        y = len(services) - 1 - index
        _bar_with_label(
            ax, y, values.get(service), p.MUTED_TEXT if service == "any" else colour, lang, horizontal=True, width=0.62
        )
    ax.set_xlim(0, _value_top(list(values.values()), 1.15))
    total_label = _TOTAL_LABEL(lang)
    labels = [total_label if s == "any" else _cap(terms.term(s, lang, "service")) for s in services]
    ax.set_yticks(range(len(services)), [textwrap.fill(x, 26) for x in reversed(labels)])
    ax.axhline(len(services) - 1.5, color=p.GRID, linewidth=1)
    _clean_axis(ax, keep="y")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", left=False)
    group = _group_name(target_group, lang)
    title = _SERVICES_TITLE(lang, group=group)
    caption = _caption(
        lang,
        _SERVICES_CAPTION(
            lang,
            place=terms.scope_name(scope, lang, names),
            group=gr.group_noun(target_group, lang),
            until=_until(as_of, lang),
        ),
        _marks_note([values.get(s) for s in services], lang),
        source=source,
    )
    data = pd.DataFrame({"service": labels, "persons": [_shown(values.get(s), lang) for s in services]})
    return Chart(
        figure, title, caption, _services_alt(target_group, values, services, lang), _headers(data, lang), lang
    )


_TOTAL_LABEL = Text("Kopā (personas, katra skaitīta vienu reizi)", "Total (persons, each counted once)")
_SERVICES_TITLE = Text("{group}: pakalpojumu saņēmēji pa pakalpojumiem", "{group}: persons served by service")
_SERVICES_CAPTION = Text(
    "{place}, {group}: personas (katra skaitīta vienu reizi) kopš plāna sākuma, kopā {until}. Viena persona var "
    "saņemt vairākus pakalpojumus, tāpēc pakalpojumu summa var pārsniegt kopējo skaitu.",
    "{place}, {group}: persons (each counted once) since the plan started, cumulative {until}. A person may "
    "receive several services, so the services may add up to more than the total.",
)
_TOTAL_MISSING = Text("{group}: dati par kopējo skaitu nav iesniegti.", "{group}: total not submitted.")
_NOBODY_SERVED = Text("{nobody} {someone} pakalpojumus vēl nav {received}.", "No {people} have received a service yet.")
_IN_ALL = Text("Kopā vismaz vienu pakalpojumu {received} {count}.", "In all, {count} received at least one service.")
_LARGEST_FIRST = Text(" Pa pakalpojumiem, sākot ar lielāko: ", " By service, largest first: ")
_ROUNDED_FIRST = Text(
    " Pa pakalpojumiem, sākot ar lielāko publicēto (daļa skaitļu noapaļoti) skaitli: ",
    " By service, from the largest published (partly rounded) figure: ",
)
# With hidden values the order is not known: the published counts first, then the hidden, then the zeros.
_KNOWN_FIRST = Text(
    " Pa pakalpojumiem: vispirms publicētie skaitļi no lielākā, tad slēptie (to secība nav zināma), tad nulles: ",
    " By service: the published counts from the largest, then the hidden ones (their order is not known), then "
    "the zeros: ",
)


def _services_alt(target_group: str, values: dict, services: list[str], lang: str) -> str:
    total = values.get("any")
    gender = gr.group_parts(target_group, lang)[0].gender
    if _kind(total) == "missing":
        head = _TOTAL_MISSING(lang, group=_group_name(target_group, lang))
    elif _kind(total) == "number" and float(total) == 0:
        return _NOBODY_SERVED(
            lang,
            nobody=gr.nobody(gender).capitalize(),
            someone=gr.group_noun(target_group, lang, singular=True),
            received=gr.participle("received", 1, gender),
            people=gr.group_noun(target_group, lang),
        )
    else:
        received = gr.participle("received", total, gender)
        count = rd.about(gr.group_phrase(target_group, total, lang), total, lang)  # "apmēram 35 bērni …"
        head = _IN_ALL(lang, received=received, count=count)

    def order(s):
        value, kind = values.get(s), _kind(values.get(s))
        if kind == "number":  # a known zero comes after the hidden counts, which are at least 1
            return (0 if float(value) > 0 else 2, -float(value))
        return ({"suppressed": 1, "hidden": 1, "missing": 3}[kind], 0)

    ranked = sorted((s for s in services if s != "any"), key=order)
    items = [f"{terms.term(s, lang, 'service')} ({_value_words(values.get(s), lang)})" for s in ranked]
    if not items:
        return head
    hidden = any(_kind(values.get(s)) in ("suppressed", "hidden") for s in ranked)
    # a rounded count (≈45 is 43 to 47) may be smaller than a published 44: the order is that of the figures
    rounded = any(rd.is_rounded(values.get(s)) for s in ranked)
    lead = _KNOWN_FIRST if hidden else _ROUNDED_FIRST if rounded else _LARGEST_FIRST
    return head + lead(lang) + ", ".join(items) + "."
