"""Charts across municipalities: small multiples per municipality and the tile map of the region."""

from __future__ import annotations

import math
import textwrap
import warnings

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from di_eval.errors import ChoiceError, DiEvalError
from di_eval.municipalities import fold
from di_eval.report import palette as p
from di_eval.report.charts.base import (
    _GROUPS,
    FIGURE_WIDTH,
    MIN_FONT_PT,
    STYLE,
    Chart,
    _bound,
    _caption,
    _could_exceed,
    _figure,
    _group_name,
    _headers,
    _kind,
    _mark_not_reported,
    _marks_note,
    _number,
    _require,
    _series,
    _shown,
    _styled,
    _value_top,
    _value_words,
)
from di_eval.text import Text, check_lang, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr
from di_eval.text.grammar import join_words

_PERSONS_SERVED = Text("Pakalpojumus saņēmušie", "Persons served")
_MULTIPLES_TITLE = Text("{what} pa gadiem katrā pašvaldībā", "{what} per year in each municipality")
_ONE_SCALE = Text(
    "Katrā diagrammā viena pašvaldība; visām diagrammām viena skala (0–{top}).",
    "One panel per municipality, all on one scale (0–{top}).",
)
_MULTIPLES_WHAT = Text(
    "Pakalpojumus saņēmušās personas pa gadiem katrā pašvaldībā: {groups}.",
    "Persons served per year in each municipality: {groups}.",
)
_MARKER_SHAPES = Text("Līnijas atšķiras arī ar marķieru formu.", "Lines also differ by marker shape.")
_NOTHING_ABOVE_ZERO = Text(
    "{name}: nevienā pašvaldībā nav publicēta skaita virs 0", "{name}: no published count above 0"
)
_MOST_PUBLISHED_IN_PLACE = Text(
    "{name}: lielākais publicētais skaitlis — {place} {year}. gadā ({value})",
    "{name}: the largest published figure — {place} in {year} ({value})",
)
_MOST_IN_PLACE = Text("{name}: visvairāk {place} {year}. gadā ({value})", "{name}: most in {place} in {year} ({value})")
_PANELS = Text("{n} pašvaldību diagrammas ar vienu skalu. ", "{n} municipal panels on one scale. ")
_ALWAYS_SMALL = Text(" Visos gados 0 vai mazāk nekā 5: {places}.", " Zero or fewer than 5 in every year: {places}.")
_NOT_REPORTED_IN = Text(" Dati nav iesniegti: {places}.", " Not submitted: {places}.")


@_styled
def small_multiples_chart(
    persons_by_year: pd.DataFrame,
    lang: str,
    target_group: str = "any",
    *,
    service: str = "any",
    measure: str = "persons_served",
    names: pd.DataFrame | None = None,
    source: str | None = None,
) -> Chart:
    """One small panel per municipality on one shared scale: bars for one target group, or
    lines with distinct markers for all groups (``target_group="any"``). ``names``: the
    evaluation's ``scopes`` table, which names the panels (short names)."""
    check_lang(lang)
    _require(persons_by_year, ["scope", "year", "target_group", "service", measure], "small_multiples_chart")
    rows = persons_by_year[(persons_by_year["service"] == service) & (persons_by_year["scope"] != "region")]
    if target_group != "any" and target_group not in _GROUPS:
        raise ChoiceError("target group", target_group, [*_GROUPS, "any"])
    groups = [g for g in _GROUPS if g in set(rows["target_group"])] if target_group == "any" else [target_group]
    rows = rows[rows["target_group"].isin(groups)]
    scopes = list(dict.fromkeys(rows["scope"]))
    if not scopes:
        raise DiEvalError("small_multiples_chart: the table has no municipal rows to draw")
    years = sorted(int(y) for y in pd.unique(rows["year"]))
    labels = {scope: terms.scope_name(scope, lang, names, short=True) for scope in scopes}

    def label_of(scope: str) -> str:
        return labels[scope]

    scopes.sort(key=lambda s: fold(label_of(s)))
    columns = 4
    grid_rows = math.ceil(len(scopes) / columns)
    height = 0.9 + 1.55 * grid_rows
    figure = _figure(height)
    top = _value_top(rows[measure].tolist(), 1.25)
    axes = _seaborn_panels(figure, rows, scopes, groups, years, measure, label_of, columns)
    for scope, ax in zip(scopes, axes):
        panel = rows[rows["scope"] == scope]
        # the published numbers are drawn by seaborn; what is not a number is marked as in every chart
        if len(groups) == 1:
            values = _series(panel, groups[0], measure)
            for year in years:
                _small_bar(ax, year, values.get(year), p.GROUP_COLOURS[groups[0]], lang)
        else:
            for group in groups:
                _small_line(ax, years, _series(panel, group, measure), group)
            _missing_years(ax, years, panel, measure, lang, groups)
        ax.set_title(label_of(scope), fontsize=MIN_FONT_PT, pad=3, loc="left", fontweight="bold")
        ax.set_ylim(0, top)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([years[0], years[-1]], [str(years[0]), str(years[-1])])
        ax.set_xlim(years[0] - 0.7, years[-1] + 0.7)
        ax.tick_params(axis="both", labelsize=MIN_FONT_PT, length=2)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    figure.subplots_adjust(left=0.08, right=0.98, top=1 - 0.75 / height, bottom=0.35 / height, hspace=0.75, wspace=0.18)
    if len(groups) > 1:
        _figure_key(figure, groups, lang, y=1 - 0.28 / height)
    what = _group_name(groups[0], lang) if len(groups) == 1 else _PERSONS_SERVED(lang)
    title = _MULTIPLES_TITLE(lang, what=what)
    # the caption names what is counted and of which target groups (the title is not printed on the page)
    named = join_words([gr.group_noun(g, lang) for g in groups], lang)  # lowercase after the colon
    caption = _caption(
        lang,
        _MULTIPLES_WHAT(lang, groups=named),
        _ONE_SCALE(lang, top=fmt.format_number(round(top / 1.25), lang)),
        "" if len(groups) == 1 else _MARKER_SHAPES(lang),
        _marks_note(rows[measure].tolist(), lang, mark="bar" if len(groups) == 1 else "point"),
        source=source,
    )
    alt = _small_multiples_alt(rows, scopes, groups, measure, label_of, lang)
    wide = rows.pivot_table(
        index=["scope", "year"], columns="target_group", values=measure, aggfunc="first", dropna=False
    )
    table = pd.DataFrame(
        [
            {
                "municipality": label_of(s),
                "year": str(y),
                **{_group_name(g, lang): _shown(_cell(wide, (s, y), g), lang) for g in groups},
            }
            for s in scopes
            for y in years
        ]
    )
    return Chart(
        figure,
        title,
        caption,
        alt,
        _headers(table, lang, {_group_name(g, lang): _group_name(g, lang) for g in groups}),
        lang,
    )


def _segments(values: list[float]) -> list[int]:
    """A segment number per point: a new segment after every gap, so no line is drawn across a
    year whose count is not a published number (seaborn would otherwise join its neighbours)."""
    out, segment = [], 0
    for value in values:
        if math.isnan(value):
            segment += 1
        out.append(segment)
    return out


def _seaborn_panels(figure: Figure, rows, scopes, groups, years, measure, label_of, columns: int) -> list:
    """The panels as a seaborn.objects facet grid on ``figure`` (no pyplot): bars of one target
    group, or one line per group with its marker, of the published numbers only. Returns the
    axes in the order of ``scopes``; empty cells of the grid are hidden."""
    import seaborn.objects as so  # only the region report draws small multiples: the others never pay

    records = []
    for scope in scopes:
        panel = rows[rows["scope"] == scope]
        for group in groups:
            series = _series(panel, group, measure)
            values = [_number(series.get(year)) for year in years]
            for year, value, segment in zip(years, values, _segments(values)):
                records.append(
                    {"panel": label_of(scope), "year": year, "group": group, "value": value, "segment": segment}
                )
    data = pd.DataFrame(records)
    order = [label_of(s) for s in scopes]
    plot = (
        so.Plot(data, x="year", y="value", color="group")
        .facet(col="panel", order=order, wrap=columns)
        .share(x=True, y=True)
        .scale(color=so.Nominal({g: p.GROUP_COLOURS[g] for g in groups}), x=so.Continuous())
        .layout(engine=None)
        .theme(STYLE)  # the report's own style, not seaborn's theme
    )
    if len(groups) == 1:
        # a known zero draws no bar (its label is the table's); "<5" and "x" are marked afterwards
        plot = plot.add(so.Bar(width=0.75, alpha=1, edgewidth=0), data=data[data["value"] > 0], legend=False)
    else:
        plot = plot.add(
            so.Line(linewidth=1.6, pointsize=4),
            group="segment",
            marker="group",
            legend=False,
        ).scale(marker=so.Nominal({g: p.GROUP_MARKERS[g] for g in groups}))
    with warnings.catch_warnings():
        # seaborn 0.13.2 passes pandas.concat(copy=False), which pandas 3 deprecates (harmless here)
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="pandas")
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="seaborn")
        plot.on(figure).plot()
    by_title = {"".join(ax.get_title(loc) for loc in ("left", "center", "right")): ax for ax in figure.axes}
    axes = [by_title[name] for name in order]
    for ax in figure.axes:
        for loc in ("left", "center", "right"):
            ax.set_title("", loc=loc)  # titled by the caller
        if ax not in axes:
            ax.set_visible(False)
    return axes


def _cell(wide: pd.DataFrame, key, group: str):
    if key not in wide.index or group not in wide.columns:
        return None
    value = wide.at[key, group]
    return None if fmt.is_blank(value) else value


def _small_bar(ax, year: int, value, colour: str, lang: str) -> None:
    kind = _kind(value)
    if kind == "number":
        return  # drawn by seaborn (``_seaborn_panels``)
    if kind == "suppressed":
        ax.bar(year, _bound(value), width=0.75, **p.mark_style("suppressed", colour))
    elif kind == "hidden":
        ax.annotate(
            str(value).strip(),
            (year, 0),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=MIN_FONT_PT,
        )
    elif kind == "missing":
        _mark_not_reported(ax, year, lang)


def _small_line(ax, years: list[int], values: dict, group: str) -> None:
    colour, marker = p.GROUP_COLOURS[group], p.GROUP_MARKERS[group]  # the published points: seaborn
    for year in years:  # a count hidden as "x" is written where its point would be, as in the bar panels
        if _kind(values.get(year)) == "hidden":
            ax.annotate(
                str(values.get(year)).strip(),
                (year, 0),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=MIN_FONT_PT,
                color=colour,
            )
    hidden = [(y, _bound(values.get(y))) for y in years if _kind(values.get(y)) == "suppressed"]
    if hidden:
        ax.plot(
            [h[0] for h in hidden],
            [h[1] / 2 for h in hidden],
            linestyle="none",
            marker=marker,
            markersize=5,
            markerfacecolor=p.BACKGROUND,
            markeredgecolor=colour,
        )


def _missing_years(ax, years: list[int], panel: pd.DataFrame, measure: str, lang: str, groups=()) -> None:
    """ "nav iesniegts" where a year was not submitted: once, muted, when no group has it; in a
    group's colour, side by side, for each group that lacks a year the others have (the line of
    that group stops there: a gap is never bridged, and never left unlabelled)."""
    for year in years:
        rows = panel[panel["year"] == year]
        cells = rows[measure].tolist()
        if not cells:
            continue
        if all(_kind(x) == "missing" for x in cells):
            _mark_not_reported(ax, year, lang)
            continue
        lacking = [g for g in groups if any(_kind(x) == "missing" for x in rows[rows["target_group"] == g][measure])]
        for i, group in enumerate(lacking):
            _mark_not_reported(
                ax, year, lang, colour=p.GROUP_COLOURS[group], offset=(i - (len(lacking) - 1) / 2) * MIN_FONT_PT
            )


def _figure_key(figure: Figure, groups: list[str], lang: str, y: float) -> None:
    """A one-line key above the panels: marker, line and the group's name, in the group's colour."""
    handles = [
        mpl.lines.Line2D(
            [],
            [],
            color=p.GROUP_COLOURS[g],
            marker=p.GROUP_MARKERS[g],
            linewidth=1.6,
            markersize=5,
            label=_group_name(g, lang),
        )
        for g in groups
    ]
    figure.legend(
        handles=handles, loc="center", bbox_to_anchor=(0.5, y), ncols=len(groups), frameon=False, fontsize=MIN_FONT_PT
    )


def _small_multiples_alt(rows, scopes, groups, measure, label_of, lang) -> str:
    parts = []
    for group in groups:
        best = None
        for scope in scopes:
            for year, value in _series(rows[rows["scope"] == scope], group, measure).items():
                if _kind(value) == "number" and (best is None or float(value) > float(best[2])):
                    best = (scope, year, value)
        name = _group_name(group, lang)
        if best is None or float(best[2]) == 0:
            parts.append(_NOTHING_ABOVE_ZERO(lang, name=name))
            continue
        group_values = rows[rows["target_group"] == group][measure].tolist()
        most = _MOST_PUBLISHED_IN_PLACE if _could_exceed(group_values, float(best[2])) else _MOST_IN_PLACE
        parts.append(most(lang, name=name, place=label_of(best[0]), year=best[1], value=_value_words(best[2], lang)))
    small = [
        label_of(s)
        for s in scopes
        if all(
            _kind(x) in ("suppressed", "missing") or (_kind(x) == "number" and float(x) == 0)
            for x in rows[rows["scope"] == s][measure]
        )
    ]
    missing = _missing_places(rows, measure, label_of, lang)
    text = _PANELS(lang, n=len(scopes)) + "; ".join(parts) + "."
    if small:
        text += _ALWAYS_SMALL(lang, places=", ".join(small))
    if missing:
        text += _NOT_REPORTED_IN(lang, places=", ".join(missing))
    return text


def _missing_places(rows, measure, label_of, lang) -> list[str]:
    """ "Saldus 2021" for a year not submitted at all; "Saldus 2021 (bērni ar FT)" when only some
    target groups lack it."""
    found = {}
    for (scope, year), cells in rows.groupby(["scope", "year"], sort=False):
        lacking = [g for g, x in zip(cells["target_group"], cells[measure]) if _kind(x) == "missing"]
        if not lacking:
            continue
        place = f"{label_of(scope)} {int(year)}"
        if len(lacking) < len(cells):
            place += f" ({join_words([gr.group_noun(g, lang) for g in dict.fromkeys(lacking)], lang)})"
        found[place] = None
    return sorted(found)


_TILE_CAPTION = Text(
    "Pašvaldības attēlotas aptuveni to atrašanās vietās; tumšāks laukums — lielāka vērtība, katrā laukumā rakstīts "
    "nosaukums un vērtība.",
    "Municipalities drawn roughly where they lie; a darker tile is a larger value, and each tile states its name and "
    "value.",
)
_TILE_HIDDEN = Text(
    "Ja kāds no pašvaldības skaitļiem ir slēpts („<5“ vai „x“), laukuma krāsu nosaka tikai publicētais skaitlis "
    "(slēptais netiek pieskaitīts); laukumā rakstīti abi skaitļi.",
    "Where one of a municipality's figures is hidden (“<5” or “x”), the tile is coloured by the published figure "
    "alone (the hidden one is not added); the tile shows both figures.",
)
_NO_DATA = Text("nav datu", "no data")
_LARGEST_SMALLEST = Text(
    "Lielākās vērtības: {largest}; mazākās: {smallest}.", "Largest: {largest}; smallest: {smallest}."
)
_WITHOUT_VALUE = Text(" Bez vērtības: {places}.", " Without a value: {places}.")
_NO_DATA_IN = Text(" Nav datu: {places}.", " No data: {places}.")


# --- 7. tile map ---------------------------------------------------------------------------------------

# (column, row) of each municipality, row 0 at the top, roughly where it lies in Kurzeme.
TILES_2017 = {
    "0270000": (0, 0),  # Ventspils (city)
    "0980200": (1, 0),  # Ventspils novads
    "0885100": (2, 0),  # Dundaga
    "0888301": (3, 0),  # Roja
    "0624200": (1, 1),  # Alsunga
    "0620200": (2, 1),  # Kuldīga
    "0880200": (3, 1),  # Talsi
    "0887600": (4, 1),  # Mērsrags
    "0641401": (0, 2),  # Pāvilosta
    "0640801": (1, 2),  # Durbe
    "0640600": (2, 2),  # Aizpute
    "0621200": (3, 2),  # Skrunda
    "0840200": (4, 2),  # Saldus
    "0840601": (5, 2),  # Brocēni
    "0170000": (0, 3),  # Liepāja
    "0641000": (1, 3),  # Grobiņa
    "0641600": (2, 3),  # Priekule
    "0649300": (3, 3),  # Vaiņode
    "0647900": (0, 4),  # Nīca
    "0648500": (1, 4),  # Rucava
}
TILES_2021 = {
    "LV-VEN": (0, 0),
    "LV-106": (1, 0),
    "LV-097": (2, 0),
    "LV-050": (1, 1),
    "LV-088": (2, 1),
    "LV-LPX": (0, 2),
    "LV-112": (1, 2),
}


def _tile_layout(scopes: list[str]) -> dict[str, tuple[int, int]]:
    for layout in (TILES_2017, TILES_2021):
        if set(scopes) <= set(layout):
            return layout
    known = set(TILES_2017) | set(TILES_2021)
    unknown = sorted(set(scopes) - known) or sorted(set(scopes) - set(TILES_2017))
    raise ChoiceError(
        "municipality code for the tile map",
        unknown,
        sorted(TILES_2017) + sorted(TILES_2021),
        hint="all codes must be ATVK codes of the 20 municipalities of 2017, or ISO codes of the 7 of 2021",
    )


@_styled
def tile_map_chart(
    values: pd.DataFrame,
    lang: str,
    title: str,
    *,
    caption: str | None = None,
    source: str | None = None,
    names: pd.DataFrame | None = None,
) -> Chart:
    """The municipalities as labelled tiles in their rough places; darker = larger value, and
    every tile states its name and label, so colour is never the only carrier. ``names``: the
    evaluation's ``scopes`` table, which names the tiles without a value."""
    check_lang(lang)
    _require(values, ["scope", "name_short", "value", "label"], "tile_map_chart")
    scopes = [str(s) for s in values["scope"]]
    layout = _tile_layout(scopes)
    records = {str(r["scope"]): r for r in values.to_dict("records")}
    numbers = [float(r["value"]) for r in records.values() if not fmt.is_blank(r["value"])]
    top = max(numbers, default=0.0)
    columns = max(c for c, _ in layout.values()) + 1
    rows = max(r for _, r in layout.values()) + 1
    # A label of two parts ("FT <5 / GRT x") is wider than a tile: it goes on two lines, in taller tiles.
    two_lines = any(" / " in str(r["label"]) for r in records.values())
    step = 1.05 if two_lines else 0.8
    width = FIGURE_WIDTH
    height = 0.7 + (width - 0.2) / columns * rows * step
    figure = _figure(height, width)
    ax = figure.add_axes((0.01, 0.02, 0.98, 1 - 0.55 / height))
    for scope, (column, row) in layout.items():
        record = records.get(scope)
        if record is None:
            fill, text, style, label = (
                p.BACKGROUND,
                p.MUTED_TEXT,
                (0, (2, 2)),
                _NO_DATA(lang),
            )
            name = terms.scope_name(scope, lang, names, short=True)
        else:
            value = record["value"]
            fill = p.BACKGROUND if fmt.is_blank(value) else p.sequential_colour(float(value) / top if top > 0 else 0.0)
            text, style, label, name = p.text_colour_on(fill), "solid", str(record["label"]), str(record["name_short"])
            label = label.replace(" / ", "\n")
        x, y = column, rows - 1 - row
        ax.add_patch(
            Rectangle(
                (x + 0.04, y * step + 0.03),
                0.92,
                step - 0.06,
                facecolor=fill,
                edgecolor=p.MUTED_TEXT,
                linewidth=1.2,
                linestyle=style,
            )
        )
        ax.text(
            x + 0.5,
            y * step + step * 0.66,
            textwrap.fill(name, 12),
            ha="center",
            va="center",
            color=text,
            fontsize=MIN_FONT_PT,
            linespacing=1.1,
        )
        ax.text(
            x + 0.5,
            y * step + step * 0.27,
            label,
            ha="center",
            va="center",
            color=text,
            fontsize=MIN_FONT_PT + 1,
            fontweight="bold",
            linespacing=1.15,
        )
    ax.set_xlim(0, columns)
    ax.set_ylim(0, rows * step)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, loc="left")
    hidden = any(" / " in str(r["label"]) for r in records.values())  # "FT <5 / GRT x": one figure hidden
    caption = _caption(  # the title first: it names the target groups counted
        lang, f"{title}.", caption or _TILE_CAPTION(lang), _TILE_HIDDEN(lang) if hidden else "", source=source
    )
    data = pd.DataFrame(
        {
            "municipality": [str(records[s]["name_short"]) for s in scopes],
            "value": [str(records[s]["label"]) for s in scopes],
        }
    )
    return Chart(figure, title, caption, _tile_alt(records, layout, title, lang, names), _headers(data, lang), lang)


def _tile_alt(records: dict, layout: dict, title: str, lang: str, names: pd.DataFrame | None) -> str:
    known = [
        (float(r["value"]), str(r["name_short"]), str(r["label"]))
        for r in records.values()
        if not fmt.is_blank(r["value"])
    ]
    known.sort(key=lambda t: (-t[0], fold(t[1])))
    text = f"{title}. "
    if known:
        largest = ", ".join(f"{name} ({label})" for _, name, label in known[:3])
        smallest = ", ".join(f"{name} ({label})" for _, name, label in reversed(known[-3:]))
        text += _LARGEST_SMALLEST(lang, largest=largest, smallest=smallest)
    unknown = [str(r["name_short"]) for r in records.values() if fmt.is_blank(r["value"])]
    if unknown:
        text += _WITHOUT_VALUE(lang, places=", ".join(unknown))
    absent = [terms.scope_name(s, lang, names, short=True) for s in layout if s not in records]
    if absent:
        text += _NO_DATA_IN(lang, places=", ".join(absent))
    return text
