"""Accessible charts for the reports, each with a title, caption, alt text and the data behind it.

Every chart function takes tables in the shapes of ``di_eval.analysis.evaluation`` (person counts as
published values: an int, ``"<5"`` or None) and returns a ``Chart``. Values are labelled
directly on the marks; a suppressed value is drawn as an empty hatched mark labelled "<5" and a
value not reported as a gap labelled "nav ziņots"; status is shown as symbol and words. Colours
come from ``di_eval.report.palette`` (marks >= 3:1, text >= 4.5:1 against white).

Figures are made with matplotlib's object API on an Agg canvas: no pyplot, no global backend
change, nothing left registered and open in pyplot after a chart is built.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import textwrap
from dataclasses import dataclass
from functools import lru_cache, wraps

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.patheffects as patheffects
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from di_eval import paths
from di_eval import vocabulary as v
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.municipalities import fold
from di_eval.report import palette as p
from di_eval.report import sentences as n

FIGURE_WIDTH = 7.2  # inches: 792 px at 110 dpi, the width of the report's text column
DPI = 110
MIN_FONT_PT = 10  # nothing smaller at the embedded size (1 px of PNG = 1 CSS px)

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "text.color": p.TEXT,
    "axes.labelcolor": p.TEXT,
    "axes.titlecolor": p.TEXT,
    "xtick.color": p.MUTED_TEXT,
    "ytick.color": p.MUTED_TEXT,
    "xtick.labelcolor": p.TEXT,
    "ytick.labelcolor": p.TEXT,
    "axes.edgecolor": p.MUTED_TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.facecolor": p.BACKGROUND,
    "figure.facecolor": p.BACKGROUND,
    "savefig.facecolor": p.BACKGROUND,
    "hatch.linewidth": 0.9,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
}

_GROUPS = ("FT", "GRT", "BSAC")
_REGION_NAME = {"lv": "Kurzemes plānošanas reģions", "en": "Kurzeme Planning Region"}
_SOURCE = {
    "lv": "Avots: pašvaldību dati par DI plāna ieviešanu, aprēķins ar di-eval.",
    "en": "Source: municipalities' data on the DI plan's implementation, calculated with di-eval.",
}


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure with everything a reader without sight of it needs: title, caption, alt text, data."""

    figure: Figure
    title: str  # short title, in the report language
    caption: str  # what is shown, units, source, date, and how suppressed or missing values look
    alt: str  # what a reader learns from the picture, from the numbers
    data: pd.DataFrame  # the table behind the chart: human headers, values as published ("<5" stays)
    lang: str = "lv"

    def png_bytes(self, dpi: int = DPI) -> bytes:
        """The figure as a compact PNG (a palette image when that is smaller)."""
        buffer = io.BytesIO()
        with mpl.rc_context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return _compact_png(buffer.getvalue())

    def pixel_size(self, dpi: int = DPI) -> tuple[int, int]:
        """Width and height of ``png_bytes(dpi)`` in pixels, for the <img> width and height attributes."""
        width, height = self.figure.get_size_inches() * dpi
        return int(width), int(height)

    def _repr_html_(self) -> str:
        # For exploring in JupyterLab; the published reports assemble their own <figure>.
        src = "data:image/png;base64," + base64.b64encode(self.png_bytes()).decode("ascii")
        table = self.data.to_html(index=False, escape=True, border=0)
        summary = "Dati tabulā" if self.lang == "lv" else "Data as a table"
        return (
            f"<figure><figcaption><strong>{html.escape(self.title)}</strong> {html.escape(self.caption)}</figcaption>"
            f'<img src="{src}" alt="{html.escape(self.alt)}">'
            f"<details><summary>{summary}</summary>{table}</details></figure>"
        )


# The report's own colours: a palette entry this close to one of them is set back to it exactly,
# so merging colours never moves a mark, a text or the background.
_EXACT_COLOURS = [
    tuple(round(x * 255) for x in p.hex_to_rgb(colour))
    for colour in [
        p.BACKGROUND,
        p.TEXT,
        p.MUTED_TEXT,
        p.GRID,
        *p.GROUP_COLOURS.values(),
        *p.STATUS_COLOURS.values(),
        *p.SERIES,
        *p.SEQUENTIAL,
    ]
]


def _compact_png(png: bytes) -> bytes:
    """The same picture as a 256-colour palette PNG (about a third of the size): the report's
    colours stay exact, only antialiasing shades of text and edges are merged."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        quantised = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    entries = quantised.getpalette() or []
    for start in range(0, len(entries), 3):
        entry = entries[start : start + 3]
        for exact in _EXACT_COLOURS:
            if max(abs(a - b) for a, b in zip(entry, exact)) <= 3:
                entries[start : start + 3] = exact
                break
    quantised.putpalette(entries)
    buffer = io.BytesIO()
    quantised.save(buffer, format="PNG", optimize=True)
    small = buffer.getvalue()
    return small if len(small) < len(png) else png


def _styled(function):
    """Build the chart inside the report style, so every artist gets the same fonts and colours."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def _figure(height: float, width: float = FIGURE_WIDTH) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


# --- values and names --------------------------------------------------------------------------


def _kind(value) -> str:
    return n.value_kind(value)


def _number(value) -> float:
    """A published value as a float for drawing: NaN where suppressed or not reported."""
    return float(value) if _kind(value) == "number" else math.nan


def _bound(value) -> float:
    """How far to draw a suppressed value's empty mark: up to its threshold."""
    return float(n.suppression_threshold(value) or 0)


def _shown(value, lang: str) -> str:
    """A value as printed in labels and data tables: "1 234", "<5", "nav ziņots"."""
    return n.format_number(value, lang)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _group_name(group: str, lang: str) -> str:
    return _cap(n.group_noun(group, lang))


@lru_cache(maxsize=1)
def _reference_names() -> dict[str, tuple[str, str]]:
    """Scope code -> (official name, short name) for the municipalities of both structures."""
    names = {}
    for file, code in (("municipalities.csv", "atvk_code"), ("municipalities_2021.csv", "iso_code")):
        path = paths.REFERENCE_DIR / file
        if path.is_file():
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            names.update({row[code]: (row["name"], row["name_short"]) for _, row in table.iterrows()})
    return names


def scope_name(scope: str, lang: str, short: bool = False) -> str:
    """The name of a scope: the region, or a municipality by ATVK or ISO code (the code if unknown)."""
    if scope == "region":
        return _REGION_NAME[lang]
    names = _reference_names().get(str(scope))
    return (names[1] if short else names[0]) if names else str(scope)


def _one_scope(frame: pd.DataFrame, what: str) -> str:
    if frame is None or len(frame) == 0:
        raise DiEvalError(f"{what}: the table has no rows to draw")
    scopes = [s for s in pd.unique(frame["scope"]) if not n.is_blank(s)] if "scope" in frame else ["region"]
    if len(scopes) != 1:
        raise ChoiceError("scope", [str(s) for s in scopes], hint=f"{what} draws one scope; select its rows first")
    return str(scopes[0])


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DiEvalError(f"{what}: the table lacks the column(s) {', '.join(missing)}")


def _headers(frame: pd.DataFrame, lang: str, rename: dict | None = None) -> pd.DataFrame:
    rename = rename or {}
    frame = frame.copy()
    frame.columns = [rename.get(c) or n.column_label(c, lang) for c in frame.columns]
    return frame.reset_index(drop=True)


# --- captions ------------------------------------------------------------------------------------


def _until(as_of, lang: str) -> str:
    if as_of is None:
        return "līdz izvērtējuma datumam" if lang == "lv" else "up to the evaluation date"
    return f"līdz {n.format_date(as_of, lang, 'dat')}" if lang == "lv" else f"up to {n.format_date(as_of, lang)}"


def _marks_note(values, lang: str, mark: str = "bar") -> str:
    """How the chart shows suppressed and unreported values, if it has any."""
    notes = []
    thresholds = sorted({n.suppression_threshold(x) for x in values if _kind(x) == "suppressed"})
    for threshold in thresholds:
        hidden_lv = "skaitlis 1" if threshold == 2 else f"skaitlis no 1 līdz {threshold - 1}"
        hidden_en = "a count of 1" if threshold == 2 else f"a count from 1 to {threshold - 1}"
        shape_lv = {"bar": "Svītrots tukšs stabiņš", "point": "Tukšs marķieris"}[mark]
        shape_en = {"bar": "A hatched empty bar", "point": "An empty marker"}[mark]
        if lang == "lv":
            notes.append(f"{shape_lv} ar „<{threshold}“ — {hidden_lv}, kas netiek publicēts.")
        else:
            notes.append(f"{shape_en} marked “<{threshold}”: {hidden_en}, not published.")
    for marker in sorted({str(x).strip() for x in values if _kind(x) == "hidden"}):
        if lang == "lv":
            notes.append(f"„{marker}“ — skaitlis slēpts, lai nevarētu aprēķināt citus slēptos skaitļus (tas nav 0).")
        else:
            notes.append(f"“{marker}”: a count hidden so that other hidden counts cannot be worked out (not 0).")
    if any(_kind(x) == "missing" for x in values):
        notes.append(
            "„nav ziņots“ — dati nav iesniegti." if lang == "lv" else "“not reported”: no data were submitted."
        )
    return " ".join(notes)


def _value_words(value, lang: str) -> str:
    """A published value for alt text: "25", "mazāk nekā 5", "slēpts", "nav ziņots"."""
    kind = _kind(value)
    if kind == "suppressed":
        return n.fewer_than(value, lang)
    if kind == "hidden":
        return "skaitlis slēpts" if lang == "lv" else "hidden"
    return _shown(value, lang)


def _caption(lang: str, *parts: str, source: str | None = None) -> str:
    text = " ".join(part.strip() for part in parts if part and part.strip())
    return f"{text} {source or _SOURCE[lang]}".strip()


# --- drawing helpers ---------------------------------------------------------------------------


def _bar_with_label(ax, position: float, value, colour: str, lang: str, *, horizontal: bool, width: float = 0.7):
    """One bar for a published value, labelled: solid, empty-hatched up to "<N", or a gap
    labelled with the secondary marker ("x") or "nav ziņots"."""
    kind = _kind(value)
    label = _shown(value, lang)
    if kind == "number":
        length, style = float(value), p.mark_style("actual", colour)
    elif kind == "suppressed":
        length, style = _bound(value), p.mark_style("suppressed", colour)
    else:
        length, style = 0.0, None
    if style is not None and length > 0:
        if horizontal:
            ax.barh(position, length, height=width, **style)
        else:
            ax.bar(position, length, width=width, **style)
    if horizontal:
        ax.annotate(label, (length, position), xytext=(4, 0), textcoords="offset points", ha="left", va="center")
    elif kind == "missing":
        ax.annotate(
            label,
            (position, 0),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            rotation=90,
            color=p.MUTED_TEXT,
        )
    else:
        ax.annotate(label, (position, length), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom")


def _clean_axis(ax, keep: str = "x") -> None:
    """Only the axis that carries categories or time stays; values are labelled on the marks."""
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    if keep == "x":
        ax.spines["bottom"].set_visible(True)
        ax.tick_params(axis="y", left=False, labelleft=False)
    elif keep == "y":
        ax.spines["left"].set_visible(True)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)


def _stacked(heights: list[float], *, title_space: float, left: float, right: float, bottom: float, top: float):
    """A figure of panels stacked top to bottom, each ``heights[i]`` inches tall with room for a title above."""
    total = top + bottom + sum(h + title_space for h in heights)
    figure = _figure(total)
    axes, cursor = [], total - top
    for panel_height in heights:
        cursor -= title_space + panel_height
        axes.append(figure.add_axes((left, cursor / total, right - left, panel_height / total)))
    return figure, axes


def _panel_title(figure: Figure, ax, text: str) -> None:
    """A panel's title from the figure's left edge (long titles need the width of the figure)."""
    box = ax.get_position()
    figure.text(0.01, box.y1 + 0.06 / figure.get_figheight(), text, ha="left", va="bottom", fontweight="bold")


def _headroom(values: list[float], factor: float = 1.2) -> float:
    finite = [x for x in values if not math.isnan(x)]
    top = max(finite, default=0.0)
    return top * factor if top > 0 else 1.0


# --- 1. achievement --------------------------------------------------------------------------------

_TARGET_ORDER = ("FT", "GRT", "VSAC", "BSAC")


def _of_phrase(achieved, target_value, target: str, lang: str) -> str:
    """ "91 no 350 personām" / "91 of 350 persons"; Latvian "no" takes the genitive singular
    after 1, 21 ... and the dative plural otherwise."""
    noun = n.group_parts(target, lang)[0]
    if lang == "lv":
        case = "gen" if n.is_singular(target_value, "lv") else "dat"
        return f"{_shown(achieved, lang)} no {_shown(target_value, lang)} {noun.form(target_value, 'lv', case)}"
    return f"{_shown(achieved, lang)} of {_shown(target_value, lang)} {noun.form(target_value, 'en')}"


@_styled
def achievement_chart(achievement: pd.DataFrame, lang: str, *, as_of=None, source: str | None = None) -> Chart:
    """One bar per target: the share achieved of the target (the outline is 100 %), a mark for
    the progress expected from time elapsed, and the status in symbol and words."""
    n.check_lang(lang)
    _require(
        achievement, ["target", "target_value", "achieved", "rate", "expected_rate", "status"], "achievement_chart"
    )
    rows = sorted(
        achievement.to_dict("records"),
        key=lambda r: _TARGET_ORDER.index(r["target"]) if r["target"] in _TARGET_ORDER else 9,
    )
    if not rows:
        raise DiEvalError("achievement_chart: the table has no rows to draw")
    rates = [float(r["rate"]) for r in rows if not n.is_blank(r["rate"])]
    expected_rates = {round(float(r["expected_rate"]), 4) for r in rows if not n.is_blank(r["expected_rate"])}
    right = max([1.0, *rates])
    height = 0.8 + 0.85 * len(rows)
    figure = _figure(height)
    ax = figure.add_axes((0.24, 0.45 / height, 0.4, 1 - 0.55 / height))
    for index, row in enumerate(rows):
        y = len(rows) - 1 - index
        colour = p.GROUP_COLOURS.get(row["target"], p.SERIES[index % len(p.SERIES)])
        ax.barh(y, 1.0, height=0.56, **p.mark_style("planned", colour))
        kind = _kind(row["achieved"])
        if kind == "number" and not n.is_blank(row["rate"]):
            ax.barh(y, float(row["rate"]), height=0.56, **p.mark_style("actual", colour))
        elif kind == "suppressed" and not n.is_blank(row["target_value"]) and float(row["target_value"]) > 0:
            ax.barh(
                y,
                _bound(row["achieved"]) / float(row["target_value"]),
                height=0.56,
                **p.mark_style("suppressed", colour),
            )
        if not n.is_blank(row["expected_rate"]):
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
                words = "sagaidāms" if lang == "lv" else "expected"
                ax.annotate(
                    f"{words} {n.format_percent(expected, lang)}",
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
        share = n.format_percent(row["rate"], lang, empty="—")
        text = f"{value} ({share})\n{n.status_label(row['status'], lang)}"
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
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], [n.format_percent(x, lang) for x in (0, 0.25, 0.5, 0.75, 1.0)])
    ax.tick_params(axis="y", left=False)
    ax.spines["left"].set_visible(False)
    title = "Sasniegtais pret DI plāna mērķiem" if lang == "lv" else "Achievement against the DI plan targets"
    version = next((r.get("plan_version") for r in rows if r.get("plan_version")), None)
    caption = _caption(
        lang,
        (
            f"Sasniegtā daļa no DI plāna mērķa, kopā {_until(as_of, lang)}; rāmis — mērķis (100 %), "
            "melnā svītra — progress, kas sagaidāms pēc laika, kas pagājis."
            if lang == "lv"
            else f"Share of each DI plan target achieved, cumulative {_until(as_of, lang)}; the outline is the target "
            "(100%), the black line the progress expected from the time elapsed."
        ),
        _version_note(version, lang),
        _marks_note([r["achieved"] for r in rows], lang),
        source=source,
    )
    data = pd.DataFrame(
        {
            "target": [n.term(r["target"], lang, "target") for r in rows],
            "target_value": [_shown(r["target_value"], lang) for r in rows],
            "achieved": [_shown(r["achieved"], lang) for r in rows],
            "rate": [n.format_percent(r["rate"], lang, empty="—") for r in rows],
            "expected_rate": [n.format_percent(r["expected_rate"], lang, empty="—") for r in rows],
            "status": [n.status_label(r["status"], lang) for r in rows],
        }
    )
    return Chart(figure, title, caption, _achievement_alt(rows, as_of, lang), _headers(data, lang), lang)


def _version_note(version, lang: str) -> str:
    if not version:
        return ""
    try:
        since = n.format_date(version, lang, "gen")
    except ChoiceError:
        return (
            f"Mērķi no plāna redakcijas „{version}“." if lang == "lv" else f"Targets from the plan version “{version}”."
        )
    if lang == "lv":
        return f"Mērķi no plāna redakcijas, kas spēkā kopš {since}."
    return f"Targets from the plan version in force since {n.format_date(version, lang)}."


def _achievement_alt(rows: list[dict], as_of, lang: str) -> str:
    parts = []
    for row in rows:
        if _kind(row["achieved"]) == "missing":
            parts.append(f"{row['target']}: {_shown(None, lang)}")
            continue
        share = n.format_percent(row["rate"], lang) if not n.is_blank(row["rate"]) else None
        of = _of_phrase(row["achieved"], row["target_value"], row["target"], lang)
        if share is None:
            hidden = "daļa nav aprēķināma" if lang == "lv" else "share not computable"
            parts.append(f"{row['target']} — {of}, {hidden}")
        elif lang == "lv":
            parts.append(f"{row['target']} — {share} ({of})")
        else:
            parts.append(f"{row['target']}: {share} ({of})")
    head = f"{_cap(_until(as_of, lang))} " + (
        "sasniegtā daļa no mērķa: " if lang == "lv" else "— the share of each target achieved: "
    )
    text = head + "; ".join(parts) + "."
    expected = sorted({round(float(r["expected_rate"]), 4) for r in rows if not n.is_blank(r["expected_rate"])})
    if len(expected) == 1:
        if lang == "lv":
            whole = n.percent_points(expected[0])
            text += f" Pēc laika, kas pagājis, {n.participle('expected', whole, 'm')} {n.format_percent(expected[0], lang)}."
        else:
            text += f" {n.format_percent(expected[0], lang)} was expected from the time elapsed."
    statuses = [f"{r['target']} — {n.status_words(r['status'], lang)}" for r in rows]
    text += (" Statuss: " if lang == "lv" else " Status: ") + ", ".join(statuses) + "."
    return text


# --- 2. persons by year -------------------------------------------------------------------------


def _series(frame: pd.DataFrame, group: str, column: str) -> dict[int, object]:
    rows = frame[frame["target_group"] == group]
    return {int(year): value for year, value in zip(rows["year"], rows[column])}


@_styled
def persons_by_year_chart(
    persons_by_year: pd.DataFrame,
    lang: str,
    service: str = "any",
    *,
    measure: str = "persons_served",
    as_of=None,
    source: str | None = None,
) -> Chart:
    """Persons served per year in one scope, one panel per target group (FT, GRT, BSAC), every bar labelled."""
    n.check_lang(lang)
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
        ax.set_ylim(0, _headroom([_number(x) if _kind(x) == "number" else _bound(x) for x in values.values()], 1.3))
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
    place = scope_name(scope, lang)
    service_text = "" if service == "any" else f" — {n.term(service, lang, 'service')}"
    title = ("Pakalpojumus saņēmušie pa gadiem" if lang == "lv" else "Persons served per year") + service_text
    what_lv = (
        "jebkuru projekta pakalpojumu" if service == "any" else f"pakalpojumu „{n.term(service, 'lv', 'service')}“"
    )
    what_en = "any project service" if service == "any" else f"the service “{n.term(service, 'en', 'service')}”"
    if measure not in ("persons_served", "persons_new"):
        raise ChoiceError("measure", measure, ["persons_served", "persons_new"])
    counted = {
        "persons_served": ("gada laikā saņēmušas", "in the year"),
        "persons_new": ("pirmo reizi saņēmušas", "for the first time"),
    }[measure]
    caption = _caption(
        lang,
        f"{place}: unikālas personas, kas {counted[0]} {what_lv}, pa mērķa grupām; katram panelim savs mērogs."
        if lang == "lv"
        else f"{place}: unique persons who received {what_en} {counted[1]}, by target group; each panel has its own scale.",
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


def _year_summary(group: str, values: dict[int, object], lang: str) -> str:
    """ "Bērni ar FT: 2017. gadā 25, visvairāk 2019. gadā (206), 2023. gadā 121." """
    name = _group_name(group, lang)
    numbers = {y: float(x) for y, x in values.items() if _kind(x) == "number"}
    if not numbers:
        return f"{name}: " + (
            "skaitļi nav publicējami vai nav ziņoti." if lang == "lv" else "figures suppressed or not reported."
        )
    years = sorted(values)
    peak = max(numbers, key=lambda y: (numbers[y], -y))

    def at(year):
        value = _value_words(values[year], lang)
        return f"{year}. gadā {value}" if lang == "lv" else f"{value} in {year}"

    shown = [y for y in years if _kind(values[y]) != "missing"]  # unreported years are listed once, below
    first, last = shown[0], shown[-1]
    parts = [at(first)]
    if peak not in (first, last):
        parts.append(
            f"visvairāk {peak}. gadā ({_shown(values[peak], lang)})"
            if lang == "lv"
            else f"most in {peak} ({_shown(values[peak], lang)})"
        )
    if last != first:
        parts.append(at(last))
    hidden = [y for y in years if _kind(values[y]) == "suppressed" and y not in (first, last)]
    missing = [y for y in years if _kind(values[y]) == "missing"]
    secret = [y for y in years if _kind(values[y]) == "hidden" and y not in (first, last)]
    text = f"{name}: {', '.join(parts)}"
    if secret:
        text += ("; skaitlis slēpts: " if lang == "lv" else "; hidden: ") + ", ".join(str(y) for y in secret)
    if hidden:
        text += (
            f"; mazāk nekā {n.suppression_threshold(values[hidden[0]])}: "
            if lang == "lv"
            else f"; fewer than {n.suppression_threshold(values[hidden[0]])}: "
        ) + ", ".join(str(y) for y in hidden)
    if missing:
        text += ("; nav ziņots: " if lang == "lv" else "; not reported: ") + ", ".join(str(y) for y in missing)
    return text + "."


# --- 3. services ------------------------------------------------------------------------------------


@_styled
def services_chart(
    persons_cumulative: pd.DataFrame, target_group: str, lang: str, *, as_of=None, source: str | None = None
) -> Chart:
    """Cumulative unique persons of one target group per service, with the group's total first."""
    n.check_lang(lang)
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
    lengths = [_number(x) if _kind(x) == "number" else _bound(x) for x in values.values()]
    ax.set_xlim(0, _headroom(lengths, 1.15))
    total_label = "Kopā (unikālas personas)" if lang == "lv" else "Total (unique persons)"
    labels = [total_label if s == "any" else _cap(n.term(s, lang, "service")) for s in services]
    ax.set_yticks(range(len(services)), [textwrap.fill(x, 26) for x in reversed(labels)])
    ax.axhline(len(services) - 1.5, color=p.GRID, linewidth=1)
    _clean_axis(ax, keep="y")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", left=False)
    group = _group_name(target_group, lang)
    title = f"{group}: pakalpojumu saņēmēji pa pakalpojumiem" if lang == "lv" else f"{group}: persons served by service"
    caption = _caption(
        lang,
        f"{scope_name(scope, lang)}: unikālas personas kopš plāna sākuma, kopā {_until(as_of, lang)}. Viena persona var saņemt "
        "vairākus pakalpojumus, tāpēc pakalpojumu summa var pārsniegt kopējo skaitu."
        if lang == "lv"
        else f"{scope_name(scope, lang)}: unique persons since the plan started, cumulative {_until(as_of, lang)}. A person may "
        "receive several services, so the services may add up to more than the total.",
        _marks_note([values.get(s) for s in services], lang),
        source=source,
    )
    data = pd.DataFrame({"service": labels, "persons": [_shown(values.get(s), lang) for s in services]})
    return Chart(
        figure, title, caption, _services_alt(target_group, values, services, lang), _headers(data, lang), lang
    )


def _services_alt(target_group: str, values: dict, services: list[str], lang: str) -> str:
    total = values.get("any")
    if _kind(total) == "missing":
        head = f"{_group_name(target_group, lang)}: " + (
            "kopējais skaits nav ziņots." if lang == "lv" else "total not reported."
        )
    elif _kind(total) == "number" and float(total) == 0:
        if lang == "lv":
            gender = n.group_parts(target_group, lang)[0].gender
            nobody = "Neviens" if gender == "m" else "Neviena"
            someone = n.group_noun(target_group, lang, singular=True)
            return f"{nobody} {someone} pakalpojumus vēl nav {n.participle('received', 1, gender)}."
        return f"No {n.group_noun(target_group, lang)} have received a service yet."
    elif lang == "lv":
        head = f"Kopā vismaz vienu pakalpojumu {n.participle('received', total, n.group_parts(target_group, lang)[0].gender)} {n.group_phrase(target_group, total, lang)}."
    else:
        head = f"In all, {n.group_phrase(target_group, total, lang)} received at least one service."
    ranked = sorted(
        (s for s in services if s != "any"),
        key=lambda s: (
            {"number": 0, "suppressed": 1, "hidden": 2, "missing": 3}[_kind(values.get(s))],
            -(_number(values.get(s)) if _kind(values.get(s)) == "number" else 0),
        ),
    )
    items = [f"{n.term(s, lang, 'service')} ({_shown(values.get(s), lang)})" for s in ranked]
    if not items:
        return head
    lead = " Pa pakalpojumiem, sākot ar lielāko: " if lang == "lv" else " By service, largest first: "
    return head + lead + ", ".join(items) + "."


# --- 4. milestones ---------------------------------------------------------------------------------

_MILESTONE_ORDER = tuple(v.MILESTONES)
_MILESTONE_COLOURS = {
    "done_on_time": p.STATUS_COLOURS["on_track"],
    "done_late": p.STATUS_COLOURS["at_risk"],
    "overdue": p.STATUS_COLOURS["behind"],
    "not_due": p.MUTED_TEXT,
}


@_styled
def milestones_chart(
    milestones: pd.DataFrame, lang: str, *, as_of=None, project_names: dict | None = None, source: str | None = None
) -> Chart:
    """Each project's milestones, planned (open circle) against actual (filled); an overdue one runs
    dashed to the evaluation date; the status is written beside each row, not only coloured."""
    n.check_lang(lang)
    _require(
        milestones,
        ["project_id", "milestone", "planned_date", "actual_date", "slippage_days", "status"],
        "milestones_chart",
    )
    if len(milestones) == 0:
        raise DiEvalError("milestones_chart: the table has no rows to draw")
    unknown = sorted(set(milestones["status"]) - set(n.MILESTONE_STATUSES))
    if unknown:
        raise ChoiceError("milestone status", unknown, list(n.MILESTONE_STATUSES))
    rows = milestones.assign(
        _order=milestones["milestone"].map(lambda m: _MILESTONE_ORDER.index(m) if m in _MILESTONE_ORDER else 9)
    )
    rows = rows.sort_values(["project_id", "_order"], kind="stable").to_dict("records")
    height = 0.8 + 0.27 * len(rows)
    figure = _figure(height)
    ax = figure.add_axes((0.33, 0.45 / height, 0.3, 1 - 0.6 / height))
    labels = []
    for index, row in enumerate(rows):
        y = len(rows) - 1 - index
        planned, actual = n.to_date(row["planned_date"]), n.to_date(row["actual_date"])
        colour = _MILESTONE_COLOURS[row["status"]]
        if planned and actual:
            ax.plot([planned, actual], [y, y], color=colour, linewidth=2)
        if row["status"] == "overdue" and planned and not n.is_blank(row["slippage_days"]):
            reached = planned + pd.Timedelta(days=int(row["slippage_days"])).to_pytimedelta()
            ax.plot([planned, reached], [y, y], color=colour, linewidth=2, linestyle=(0, (3, 2)))
            ax.plot([reached], [y], marker=">", markersize=7, color=colour, linestyle="none")
        if planned:
            ax.plot(
                [planned],
                [y],
                marker="o",
                markersize=7,
                markerfacecolor=p.BACKGROUND,
                markeredgecolor=p.TEXT,
                markeredgewidth=1.4,
                linestyle="none",
            )
        if actual:
            ax.plot([actual], [y], marker="o", markersize=7, color=colour, linestyle="none")
        labels.append(f"{row['project_id']} · {n.term(row['milestone'], lang, 'milestone')}")
        ax.annotate(
            _milestone_text(row, lang),
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(8, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            annotation_clip=False,
        )
    ax.set_yticks(range(len(rows)), list(reversed(labels)))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    for boundary in [i for i in range(1, len(rows)) if rows[i]["project_id"] != rows[i - 1]["project_id"]]:
        ax.axhline(len(rows) - boundary - 0.5, color=p.GRID, linewidth=0.8)
    # whole calendar years on the axis, so even one project's few months show two year marks
    days = [d for r in rows for d in (n.to_date(r["planned_date"]), n.to_date(r["actual_date"])) if d]
    if as_of is not None:
        days.append(n.to_date(as_of))
    if days:
        ax.set_xlim(dt.date(min(days).year, 1, 1), dt.date(max(days).year + 1, 1, 1))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="y", left=False)
    ax.spines["left"].set_visible(False)
    for label in ax.get_xticklabels():
        label.set_rotation(0)
    if as_of is not None:
        day = n.to_date(as_of)
        ax.axvline(day, color=p.MUTED_TEXT, linewidth=1, linestyle=":")
    title = (
        "Infrastruktūras projektu posmi: plānotais un faktiskais"
        if lang == "lv"
        else "Infrastructure milestones: planned and actual"
    )
    caption = _caption(
        lang,
        "Tukšs aplis — plānotais datums, pilns aplis — faktiskais; pārtraukta līnija ar bultu — nokavēts posms līdz "
        "izvērtējuma datumam (punktēta līnija). Statuss un novirze dienās rakstīti katras rindas labajā pusē."
        if lang == "lv"
        else "Open circle: planned date; filled circle: actual date; a dashed line with an arrow: an overdue milestone up to "
        "the evaluation date (dotted line). The status and slippage in days are written at the right of each row.",
        source=source,
    )
    names = project_names or {}
    data = pd.DataFrame(
        {
            "project": [
                f"{r['project_id']}: {names[r['project_id']]}" if r["project_id"] in names else r["project_id"]
                for r in rows
            ],
            "milestone": [n.term(r["milestone"], lang, "milestone") for r in rows],
            "planned_date": [
                n.format_date(r["planned_date"], lang) if n.to_date(r["planned_date"]) else "—" for r in rows
            ],
            "actual_date": [
                n.format_date(r["actual_date"], lang) if n.to_date(r["actual_date"]) else "—" for r in rows
            ],
            "slippage_days": [_signed(r["slippage_days"], lang) for r in rows],
            "status": [n.milestone_status_label(r["status"], lang) for r in rows],
        }
    )
    return Chart(figure, title, caption, _milestones_alt(rows, lang), _headers(data, lang), lang)


def _signed(days, lang: str) -> str:
    if n.is_blank(days):
        return "—"
    days = int(days)
    return ("+" if days > 0 else "") + n.format_number(days, lang)


# Short status words beside each row (the data table has the full ones); the symbol comes first.
_MILESTONE_SHORT = {
    "done_on_time": ("laikā", "on time"),
    "done_late": ("ar nokavējumu", "late"),
    "overdue": ("nokavēts", "overdue"),
    "not_due": ("vēl nav termiņš", "not yet due"),
}


def _milestone_text(row: dict, lang: str) -> str:
    symbol = n.MILESTONE_STATUSES[row["status"]][0]
    text = f"{symbol} {_MILESTONE_SHORT[row['status']][0 if lang == 'lv' else 1]}"
    if row["status"] in ("done_late", "overdue") and not n.is_blank(row["slippage_days"]):
        text += f" +{n.count_phrase(int(row['slippage_days']), 'day', lang)}"
    return text


def _milestones_alt(rows: list[dict], lang: str) -> str:
    projects = len({r["project_id"] for r in rows})
    counts = {status: sum(r["status"] == status for r in rows) for status in n.MILESTONE_STATUSES}
    if lang == "lv":
        head = f"Projektu skaits: {projects}, posmu skaits: {len(rows)}. Pēc statusa: "
    else:
        head = (
            f"{n.count_phrase(projects, 'project', lang)}, {n.count_phrase(len(rows), 'milestone', lang)}. By status: "
        )
    parts = [f"{n.MILESTONE_STATUSES[s][1 if lang == 'lv' else 2]} — {c}" for s, c in counts.items() if c]
    text = head + ", ".join(parts) + "."
    late = [r for r in rows if r["status"] in ("done_late", "overdue") and not n.is_blank(r["slippage_days"])]
    if late:
        worst = max(late, key=lambda r: int(r["slippage_days"]))
        what = f"{worst['project_id']}, {n.term(worst['milestone'], lang, 'milestone')}"
        days = n.count_phrase(int(worst["slippage_days"]), "day", lang)
        text += f" Lielākais kavējums: {what} — {days}." if lang == "lv" else f" The longest delay: {what}, {days}."
    return text


# --- 5. finance --------------------------------------------------------------------------------------

_MEASURES = (("planned_eur", "planned"), ("contracted_eur", "contracted"), ("paid_eur", "actual"))
_MEASURE_WORDS = {
    "planned_eur": ("plānots", "planned"),
    "contracted_eur": ("līgumos", "contracted"),
    "paid_eur": ("izmaksāts", "paid"),
}
_FUND_ORDER = tuple(v.FUNDS)


@_styled
def finance_chart(finance: pd.DataFrame, lang: str, *, as_of=None, source: str | None = None) -> Chart:
    """Per programme and fund: planned (outline), contracted (hatched) and paid (solid), each labelled."""
    n.check_lang(lang)
    _require(finance, ["programme", "fund", "planned_eur", "contracted_eur", "paid_eur"], "finance_chart")
    scope = _one_scope(finance, "finance_chart")
    parts = finance[finance["fund"] != "total"]
    programmes = list(dict.fromkeys(parts["programme"]))
    if not programmes:
        raise DiEvalError("finance_chart: the table has no fund rows to draw")
    sizes = [parts[parts["programme"] == pr]["fund"].nunique() for pr in programmes]
    figure, axes = _stacked(
        [0.8 * size for size in sizes], title_space=0.42, left=0.3, right=0.98, bottom=0.12, top=0.08
    )
    top = max(float(parts[c].max()) for c, _ in _MEASURES)
    labelled = []
    for number, (ax, programme) in enumerate(zip(axes, programmes)):
        colour = p.SERIES[number % len(p.SERIES)]
        rows = parts[parts["programme"] == programme].sort_values(
            "fund", key=lambda s: s.map(lambda f: _FUND_ORDER.index(f) if f in _FUND_ORDER else 9)
        )
        for index, row in enumerate(rows.to_dict("records")):
            base = len(rows) - 1 - index
            for offset, (column, kind) in zip((0.26, 0.0, -0.26), _MEASURES):
                amount = float(row[column]) if not n.is_blank(row[column]) else 0.0
                ax.barh(base + offset, amount, height=0.24, **p.mark_style(kind, colour))
                word = _MEASURE_WORDS[column][0 if lang == "lv" else 1]
                label = ax.annotate(
                    f"{word}: {n.format_money_short(row[column], lang)}",
                    (amount, base + offset),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=MIN_FONT_PT,
                )
                labelled.append((ax, amount, label))
        ax.set_yticks(
            range(len(rows)), [textwrap.fill(n.term(f, lang, "fund"), 20) for f in reversed(rows["fund"].tolist())]
        )
        ax.set_xlim(0, top * 1.45 if top > 0 else 1)
        ax.set_ylim(-0.55, len(rows) - 0.45)
        name = n.term(programme, lang, "programme") if programme in v.PROGRAMMES else str(programme)
        _panel_title(figure, ax, f"{name} — {_absorption_text(finance, programme, lang)}")
        _clean_axis(ax, keep="y")
        ax.tick_params(axis="y", left=False)
    _room_for_labels(axes, labelled)
    title = "Finansējums pa fondiem" if lang == "lv" else "Finance by fund"
    caption = _caption(
        lang,
        f"{scope_name(scope, lang)}: EUR, kopā {_until(as_of, lang)}. Rāmis — plānots, svītrots — noslēgtajos līgumos, "
        "pilns — izmaksāts. Naudas summas netiek slēptas."
        if lang == "lv"
        else f"{scope_name(scope, lang)}: EUR, cumulative {_until(as_of, lang)}. Outline: planned; hatched: contracted; "
        "solid: paid. Amounts of money are not suppressed.",
        source=source,
    )
    alt = " ".join(_programme_sentence(finance, programme, lang) for programme in programmes)
    table = parts.sort_values(
        ["programme", "fund"],
        key=lambda s: s.map(lambda f: _FUND_ORDER.index(f) if f in _FUND_ORDER else 9) if s.name == "fund" else s,
    )
    data = pd.DataFrame(
        {
            "programme": [n.term(x, lang, "programme") if x in v.PROGRAMMES else x for x in table["programme"]],
            "fund": [n.term(x, lang, "fund") for x in table["fund"]],
            "planned_eur": [n.format_number(x, lang, 2) for x in table["planned_eur"]],
            "contracted_eur": [n.format_number(x, lang, 2) for x in table["contracted_eur"]],
            "paid_eur": [n.format_number(x, lang, 2) for x in table["paid_eur"]],
            "absorption_rate": [
                n.format_percent(_rate(r["paid_eur"], r["planned_eur"]), lang, empty="—")
                for r in table.to_dict("records")
            ],
        }
    )
    return Chart(figure, title, caption, alt, _headers(data, lang), lang)


def _room_for_labels(axes, labelled) -> None:
    """Widen the shared x scale until every label written right of its bar ends inside its axes."""
    renderer = axes[0].figure.canvas.get_renderer()
    right = max(ax.get_xlim()[1] for ax in axes)
    for ax, amount, label in labelled:
        share = (label.get_window_extent(renderer).width + 8) / ax.get_window_extent(renderer).width
        if share < 0.9:
            right = max(right, amount / (1 - share))
    for ax in axes:
        ax.set_xlim(0, right)


def _rate(paid, planned) -> float | None:
    if n.is_blank(paid) or n.is_blank(planned) or float(planned) == 0:
        return None
    return float(paid) / float(planned)


def _programme_totals(finance: pd.DataFrame, programme: str) -> dict:
    rows = finance[finance["programme"] == programme]
    total = rows[rows["fund"] == "total"]
    if len(total):
        return total.iloc[0].to_dict()
    parts = rows[rows["fund"] != "total"]
    return {c: parts[c].sum() for c in ("planned_eur", "contracted_eur", "paid_eur")}


def _absorption_text(finance: pd.DataFrame, programme: str, lang: str) -> str:
    totals = _programme_totals(finance, programme)
    rate = n.format_percent(_rate(totals["paid_eur"], totals["planned_eur"]), lang)
    return f"apguve {rate}" if lang == "lv" else f"absorption {rate}"


def _programme_sentence(finance: pd.DataFrame, programme: str, lang: str) -> str:
    totals = _programme_totals(finance, programme)
    rate = _rate(totals["paid_eur"], totals["planned_eur"])
    return n.finance_sentence(
        programme, totals["planned_eur"], totals["paid_eur"], rate, lang, contracted=totals["contracted_eur"]
    )


# --- 6. small multiples ----------------------------------------------------------------------------


@_styled
def small_multiples_chart(
    persons_by_year: pd.DataFrame,
    lang: str,
    target_group: str = "any",
    *,
    service: str = "any",
    measure: str = "persons_served",
    names: dict | None = None,
    source: str | None = None,
) -> Chart:
    """One small panel per municipality on one shared scale: bars for one target group, or
    lines with distinct markers for all groups (``target_group="any"``)."""
    n.check_lang(lang)
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
    label_of = (
        (lambda s: names.get(s, scope_name(s, lang, short=True)))
        if names
        else (lambda s: scope_name(s, lang, short=True))
    )
    scopes.sort(key=lambda s: fold(label_of(s)))
    columns = 4
    grid_rows = math.ceil(len(scopes) / columns)
    height = 0.9 + 1.55 * grid_rows
    figure = _figure(height)
    axes = figure.subplots(grid_rows, columns, sharex=True, sharey=True, squeeze=False)
    top = _headroom([_number(x) if _kind(x) == "number" else _bound(x) for x in rows[measure]], 1.25)
    for index, ax in enumerate(axes.flat):
        if index >= len(scopes):
            ax.set_visible(False)
            continue
        scope = scopes[index]
        panel = rows[rows["scope"] == scope]
        if len(groups) == 1:
            values = _series(panel, groups[0], measure)
            for year in years:
                _small_bar(ax, year, values.get(year), p.GROUP_COLOURS[groups[0]], lang)
        else:
            for group in groups:
                _small_line(ax, years, _series(panel, group, measure), group)
            _missing_years(ax, years, panel, measure, lang)
        ax.set_title(label_of(scope), fontsize=MIN_FONT_PT, pad=3)
        ax.set_ylim(0, top)
        ax.set_xticks([years[0], years[-1]], [str(years[0]), str(years[-1])])
        ax.set_xlim(years[0] - 0.7, years[-1] + 0.7)
        ax.tick_params(axis="both", labelsize=MIN_FONT_PT, length=2)
    figure.subplots_adjust(left=0.08, right=0.98, top=1 - 0.75 / height, bottom=0.35 / height, hspace=0.75, wspace=0.18)
    if len(groups) > 1:
        _figure_key(figure, groups, lang, y=1 - 0.28 / height)
    what = (
        _group_name(groups[0], lang)
        if len(groups) == 1
        else ("Pakalpojumus saņēmušie" if lang == "lv" else "Persons served")
    )
    title = f"{what} pa gadiem katrā pašvaldībā" if lang == "lv" else f"{what} per year in each municipality"
    caption = _caption(
        lang,
        f"Katrā panelī viena pašvaldība; visiem paneļiem viens mērogs (0–{n.format_number(round(top / 1.25), lang)})."
        if lang == "lv"
        else f"One panel per municipality, all on one scale (0–{n.format_number(round(top / 1.25), lang)}).",
        ""
        if len(groups) == 1
        else ("Līnijas atšķiras arī ar marķieru formu." if lang == "lv" else "Lines also differ by marker shape."),
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


def _cell(wide: pd.DataFrame, key, group: str):
    if key not in wide.index or group not in wide.columns:
        return None
    value = wide.at[key, group]
    return None if n.is_blank(value) else value


def _small_bar(ax, year: int, value, colour: str, lang: str) -> None:
    kind = _kind(value)
    if kind == "number" and float(value) > 0:
        ax.bar(year, float(value), width=0.75, **p.mark_style("actual", colour))
    elif kind == "suppressed":
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
    colour, marker = p.GROUP_COLOURS[group], p.GROUP_MARKERS[group]
    ys = [_number(values.get(y)) for y in years]
    ax.plot(years, ys, color=colour, linewidth=1.6, marker=marker, markersize=4)
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


def _missing_years(ax, years: list[int], panel: pd.DataFrame, measure: str, lang: str) -> None:
    for year in years:
        cells = panel[panel["year"] == year][measure].tolist()
        if cells and all(_kind(x) == "missing" for x in cells):
            _mark_not_reported(ax, year, lang)


def _mark_not_reported(ax, year, lang: str) -> None:
    """A year with no report: the words "nav ziņots" standing where the bar or point would be."""
    ax.annotate(
        n.NOT_REPORTED[lang],
        (year, 0),
        xytext=(0, 3),
        textcoords="offset points",
        rotation=90,
        ha="center",
        va="bottom",
        fontsize=MIN_FONT_PT,
        color=p.MUTED_TEXT,
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
            parts.append(
                f"{name}: "
                + ("nevienā pašvaldībā nav publicēta skaita virs 0" if lang == "lv" else "no published count above 0")
            )
            continue
        if lang == "lv":
            parts.append(f"{name}: visvairāk {label_of(best[0])} {best[1]}. gadā ({_shown(best[2], lang)})")
        else:
            parts.append(f"{name}: most in {label_of(best[0])} in {best[1]} ({_shown(best[2], lang)})")
    small = [
        label_of(s)
        for s in scopes
        if all(
            _kind(x) in ("suppressed", "missing") or (_kind(x) == "number" and float(x) == 0)
            for x in rows[rows["scope"] == s][measure]
        )
    ]
    missing = sorted(
        {
            f"{label_of(s)} {int(y)}"
            for s, y, x in zip(rows["scope"], rows["year"], rows[measure])
            if _kind(x) == "missing"
        }
    )
    head = (
        f"{len(scopes)} pašvaldību paneļi vienā mērogā. "
        if lang == "lv"
        else f"{len(scopes)} municipal panels on one scale. "
    )
    text = head + "; ".join(parts) + "."
    if small:
        text += (
            (" Visos gados 0 vai mazāk nekā 5: " if lang == "lv" else " Zero or fewer than 5 in every year: ")
            + ", ".join(small)
            + "."
        )
    if missing:
        text += (" Nav ziņots: " if lang == "lv" else " Not reported: ") + ", ".join(missing) + "."
    return text


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
    values: pd.DataFrame, lang: str, title: str, *, caption: str | None = None, source: str | None = None
) -> Chart:
    """The municipalities as labelled tiles in their rough places; darker = larger value, and
    every tile states its name and label, so colour is never the only carrier."""
    n.check_lang(lang)
    _require(values, ["scope", "name_short", "value", "label"], "tile_map_chart")
    scopes = [str(s) for s in values["scope"]]
    layout = _tile_layout(scopes)
    records = {str(r["scope"]): r for r in values.to_dict("records")}
    numbers = [float(r["value"]) for r in records.values() if not n.is_blank(r["value"])]
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
                ("nav datu" if lang == "lv" else "no data"),
            )
            name = scope_name(scope, lang, short=True)
        else:
            value = record["value"]
            fill = p.BACKGROUND if n.is_blank(value) else p.sequential_colour(float(value) / top if top > 0 else 0.0)
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
    caption = _caption(
        lang,
        caption
        or (
            "Pašvaldības attēlotas aptuveni to atrašanās vietās; tumšāks laukums — lielāka vērtība, katrā laukumā rakstīts nosaukums un vērtība."
            if lang == "lv"
            else "Municipalities drawn roughly where they lie; a darker tile is a larger value, and each tile states its name and value."
        ),
        source=source,
    )
    data = pd.DataFrame(
        {
            "municipality": [str(records[s]["name_short"]) for s in scopes],
            "value": [str(records[s]["label"]) for s in scopes],
        }
    )
    return Chart(figure, title, caption, _tile_alt(records, layout, title, lang), _headers(data, lang), lang)


def _tile_alt(records: dict, layout: dict, title: str, lang: str) -> str:
    known = [
        (float(r["value"]), str(r["name_short"]), str(r["label"]))
        for r in records.values()
        if not n.is_blank(r["value"])
    ]
    known.sort(key=lambda t: (-t[0], fold(t[1])))
    text = f"{title}. "
    if known:
        largest = ", ".join(f"{name} ({label})" for _, name, label in known[:3])
        smallest = ", ".join(f"{name} ({label})" for _, name, label in reversed(known[-3:]))
        text += (
            f"Lielākās vērtības: {largest}; mazākās: {smallest}."
            if lang == "lv"
            else f"Largest: {largest}; smallest: {smallest}."
        )
    unknown = [str(r["name_short"]) for r in records.values() if n.is_blank(r["value"])]
    if unknown:
        text += (" Bez vērtības: " if lang == "lv" else " Without a value: ") + ", ".join(unknown) + "."
    absent = [scope_name(s, lang, short=True) for s in layout if s not in records]
    if absent:
        text += (" Nav datu: " if lang == "lv" else " No data: ") + ", ".join(absent) + "."
    return text


# --- 8. timeline ----------------------------------------------------------------------------------------


@_styled
def timeline_chart(events: pd.DataFrame, lang: str, *, source: str | None = None) -> Chart:
    """Key events in order, one per row, dated only as precisely as known; plan versions as diamonds."""
    n.check_lang(lang)
    text_column = "event_lv" if lang == "lv" else "event_en"
    _require(events, ["date", text_column], "timeline_chart")
    if len(events) == 0:
        raise DiEvalError("timeline_chart: the table has no rows to draw")
    rows = events.assign(_day=events["date"].map(n.to_date)).sort_values("_day", kind="stable").to_dict("records")
    wrapped = [textwrap.wrap(str(r[text_column]), 58) or [""] for r in rows]
    heights = [0.2 * len(lines) + 0.16 for lines in wrapped]
    height = 0.6 + sum(heights)
    figure = _figure(height)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1 - 0.5 / height))
    ax.set_xlim(0, FIGURE_WIDTH)
    ax.set_ylim(sum(heights), 0)
    ax.axis("off")
    line_x, cursor, previous_year = 2.25, 0.0, None
    ax.plot([line_x, line_x], [0.05, sum(heights) - 0.05], color=p.MUTED_TEXT, linewidth=1.2)
    for row, lines, row_height in zip(rows, wrapped, heights):
        day = row["_day"]
        precision = row.get("date_precision") or "day"
        if previous_year is not None and day.year != previous_year:
            ax.plot([0.1, FIGURE_WIDTH - 0.1], [cursor, cursor], color=p.GRID, linewidth=0.8)
        previous_year = day.year
        middle = cursor + 0.1 + 0.1
        is_version = row.get("kind") == "plan_version"
        ax.plot(
            [line_x],
            [middle],
            marker="D" if is_version else "o",
            markersize=7 if is_version else 6,
            color=p.STATUS_COLOURS["ahead"] if is_version else p.TEXT,
            linestyle="none",
        )
        ax.text(
            line_x - 0.15,
            middle,
            n.format_event_date(day, precision, lang),
            ha="right",
            va="center",
            fontsize=MIN_FONT_PT,
        )
        ax.text(
            line_x + 0.18,
            cursor + 0.1,
            "\n".join(lines),
            ha="left",
            va="top",
            fontsize=MIN_FONT_PT,
            linespacing=1.35,
            fontweight="bold" if is_version else "normal",
        )
        cursor += row_height
    title = "Galvenie notikumi" if lang == "lv" else "Key events"
    ax.set_title(title, loc="left", x=0.02)
    caption = _caption(
        lang,
        "Notikumi hronoloģiskā secībā; rombs un treknraksts — DI plāna redakcija. Datums norādīts tik precīzi, cik zināms."
        if lang == "lv"
        else "Events in order; a diamond and bold text mark a version of the DI plan. Dates are as precise as known.",
        source=source
        or (
            "Avots: KPR publiskā informācija (data/reference/events.csv)."
            if lang == "lv"
            else "Source: public information of KPR (data/reference/events.csv)."
        ),
    )
    data = pd.DataFrame(
        {
            "date": [n.format_event_date(r["_day"], r.get("date_precision") or "day", lang) for r in rows],
            "event": [str(r[text_column]) for r in rows],
        }
    )
    return Chart(figure, title, caption, _timeline_alt(rows, text_column, lang), _headers(data, lang), lang)


def _timeline_alt(rows: list[dict], text_column: str, lang: str) -> str:
    first, last = rows[0], rows[-1]
    count = n.count_phrase(len(rows), "event", lang)
    if lang == "lv":
        text = f"Laika līnija: {count} no {first['_day'].year}. gada līdz {last['_day'].year}. gadam."
    else:
        text = f"Timeline: {count} from {first['_day'].year} to {last['_day'].year}."
    versions = [r for r in rows if r.get("kind") == "plan_version"]
    if versions:
        dates = ", ".join(n.format_date(r["_day"], lang) for r in versions)
        text += f" DI plāna redakcijas: {dates}." if lang == "lv" else f" Versions of the DI plan: {dates}."
    first_text = (
        f"{n.format_event_date(first['_day'], first.get('date_precision') or 'day', lang)} — {first[text_column]}"
    )
    last_text = f"{n.format_event_date(last['_day'], last.get('date_precision') or 'day', lang)} — {last[text_column]}"
    return text + (
        f" Pirmais: {first_text}. Pēdējais: {last_text}."
        if lang == "lv"
        else f" First: {first_text}. Last: {last_text}."
    )
