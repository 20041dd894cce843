"""The charts' common ground: the Chart type, the report style, figure helpers, names, captions,
the bars and the 'not reported' mark every chart draws.

Every chart function takes tables in the shapes of ``di_eval.analysis.evaluation`` (person counts as
published values: an int, ``"<5"`` or None) and returns a ``Chart``. Values are labelled
directly on the marks; a suppressed value is drawn as an empty hatched mark labelled "<5" and a
value not reported as a gap labelled "nav iesniegts"; status is shown as symbol and words. Colours
come from ``di_eval.report.palette`` (marks >= 3:1, text >= 4.5:1 against white).

Figures are made with matplotlib's object API on an Agg canvas: no pyplot, no global backend
change, nothing left registered and open in pyplot after a chart is built.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass
from functools import wraps

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report import palette as p
from di_eval.report import rounded as rd
from di_eval.text import Text, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr

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
_SOURCE = Text(
    "Avots: pašvaldību dati par DI plāna ieviešanu, aprēķins ar di-eval.",
    "Source: municipalities' data on the DI plan's implementation, calculated with di-eval.",
)
_DATA_AS_TABLE = Text("Dati tabulā", "Data as a table")


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
        summary = _DATA_AS_TABLE(self.lang)
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
    return fmt.value_kind(value)


def _number(value) -> float:
    """A published value as a float for drawing: NaN where suppressed or not reported."""
    return float(value) if _kind(value) == "number" else math.nan


def _bound(value) -> float:
    """How far to draw a suppressed value's empty mark: up to its threshold."""
    return float(fmt.suppression_threshold(value) or 0)


def _shown(value, lang: str) -> str:
    """A value as printed in labels and data tables: "1 234", "<5", "nav iesniegts"."""
    return rd.shown(value, lang)  # a rounded count as "≈10"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _group_name(group: str, lang: str) -> str:
    return _cap(gr.group_noun(group, lang))


def _one_scope(frame: pd.DataFrame, what: str) -> str:
    if frame is None or len(frame) == 0:
        raise DiEvalError(f"{what}: the table has no rows to draw")
    scopes = [s for s in pd.unique(frame["scope"]) if not fmt.is_blank(s)] if "scope" in frame else ["region"]
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
    frame.columns = [rename.get(c) or terms.column_label(c, lang) for c in frame.columns]
    return frame.reset_index(drop=True)


# --- captions ------------------------------------------------------------------------------------


_UNTIL = Text("līdz {date}", "up to {date}")  # "līdz" takes the dative
_UNTIL_EVALUATION = Text("līdz izvērtējuma datumam", "up to the evaluation date")
_ONE_HIDDEN = Text("skaitlis 1", "a count of 1")
_RANGE_HIDDEN = Text("skaitlis no 1 līdz {top}", "a count from 1 to {top}")
_SUPPRESSED_MARK = {
    "bar": Text("Svītrots stabiņš", "A hatched bar"),
    "point": Text("Tukšs marķieris", "An empty marker"),
}
_SUPPRESSED_NOTE = Text(
    "{shape} ar „<{threshold}“ — {hidden}, kas netiek publicēts.",
    "{shape} marked “<{threshold}”: {hidden}, not published.",
)
_HIDDEN_NOTE = Text(
    "„{marker}“ — skaitlis slēpts, lai nevarētu aprēķināt citus slēptos skaitļus (tas nav 0).",
    "“{marker}”: a count hidden so that other hidden counts cannot be worked out (not 0).",
)
_MISSING_NOTE = Text("„nav iesniegts“ — dati nav iesniegti.", "“not submitted”: no data were submitted.")
HIDDEN_WORDS = Text("skaitlis slēpts", "hidden")
_RANGE_MARK = Text(
    "Intervālu rāda stabiņš līdz intervāla sākumam un līnija līdz tā beigām.",
    "A range is drawn as a bar to its low end and a line on to its high end.",
)


def _until(as_of, lang: str) -> str:
    if as_of is None:
        return _UNTIL_EVALUATION(lang)
    return _UNTIL(lang, date=fmt.format_date(as_of, lang, "dat"))


def _marks_note(values, lang: str, mark: str = "bar") -> str:
    """How the chart shows suppressed and unreported values, if it has any."""
    notes = []
    thresholds = sorted({fmt.suppression_threshold(x) for x in values if _kind(x) == "suppressed"})
    for threshold in thresholds:
        hidden = _ONE_HIDDEN(lang) if threshold == 2 else _RANGE_HIDDEN(lang, top=threshold - 1)
        notes.append(_SUPPRESSED_NOTE(lang, shape=_SUPPRESSED_MARK[mark](lang), threshold=threshold, hidden=hidden))
    for marker in sorted({str(x).strip() for x in values if _kind(x) == "hidden"}):
        notes.append(_HIDDEN_NOTE(lang, marker=marker))
    if any(_kind(x) == "missing" for x in values):
        notes.append(_MISSING_NOTE(lang))
    bases = sorted({x.base for x in values if isinstance(x, rd.Rounded) and not rd.ranged(x)})
    notes.extend(rd.table_note(base, lang) for base in bases)  # "Ar „≈“ atzīmētie skaitļi ir noapaļoti …"
    ranges = sorted({x.base for x in values if rd.ranged(x)})
    notes.extend(rd.range_note(base, lang) for base in ranges)  # "Skaitļi, kas norādīti kā intervāls …"
    if ranges and mark == "bar":
        notes.append(_RANGE_MARK(lang))
    return " ".join(notes)


def _value_words(value, lang: str) -> str:
    """A published value for alt text: "25", "mazāk nekā 5", "slēpts", "nav iesniegts"."""
    kind = _kind(value)
    if kind == "suppressed":
        return fmt.fewer_than(value, lang)
    if kind == "hidden":
        return HIDDEN_WORDS(lang)
    return rd.words(value, lang)  # a rounded count as "apmēram 10"


def _caption(lang: str, *parts: str, source: str | None = None) -> str:
    text = " ".join(part.strip() for part in parts if part and part.strip())
    return f"{text} {source or _SOURCE(lang)}".strip()


# --- drawing helpers ---------------------------------------------------------------------------


def _bar_with_label(ax, position: float, value, colour: str, lang: str, *, horizontal: bool, width: float = 0.7):
    """One bar for a published value, labelled: solid (a count shown as its range: up to its low
    end, with a whisker over the range), empty-hatched up to "<N", or a gap labelled with the
    secondary marker ("x") or "nav iesniegts"."""
    kind = _kind(value)
    label = _shown(value, lang)
    if rd.ranged(value):  # a count shown as its range: the bar as far as it surely goes
        length, style = float(value.span[0]), p.mark_style("actual", colour)
    elif kind == "number":
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
    if rd.ranged(value):
        # ... and a whisker from there to the range's high end, labelled past it
        low, high = value.span
        options = {"fmt": "none", "ecolor": p.TEXT, "elinewidth": 1.2, "capsize": 4}
        if horizontal:
            ax.errorbar((low + high) / 2, position, xerr=(high - low) / 2, **options)
        else:
            ax.errorbar(position, (low + high) / 2, yerr=(high - low) / 2, **options)
        length = float(high)
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


def _value_top(values, factor: float = 1.2) -> float:
    """The value axis' end for published ``values``: room above the longest mark, and, where a value is
    hidden as "<N", at least 4 N, so that a hatched "<N" bar (drawn up to N) never looks like the
    largest count when the others are small or zero."""
    lengths = [
        float(x.span[1]) if rd.ranged(x) else _number(x) if _kind(x) == "number" else _bound(x) for x in values
    ]  # a count shown as its range: up to its high end
    top = _headroom(lengths, factor)
    thresholds = [fmt.suppression_threshold(x) or 0 for x in values if _kind(x) == "suppressed"]
    return max(top, 4.0 * max(thresholds)) if thresholds else top


def _could_exceed(values, top: float) -> bool:
    """Whether a hidden value among ``values`` could be larger than the known ``top``: an "x" always
    could; "<N" could when N - 1 > top. An alt text then never calls ``top`` the largest."""
    for x in values:
        kind = _kind(x)
        if kind == "hidden" or (kind == "suppressed" and (fmt.suppression_threshold(x) or 0) - 1 > top):
            return True
    return False


def _headroom(values: list[float], factor: float = 1.2) -> float:
    finite = [x for x in values if not math.isnan(x)]
    top = max(finite, default=0.0)
    return top * factor if top > 0 else 1.0


def _series(frame: pd.DataFrame, group: str, column: str) -> dict[int, object]:
    rows = frame[frame["target_group"] == group]
    return {int(year): value for year, value in zip(rows["year"], rows[column])}


def _mark_not_reported(ax, year, lang: str, *, colour: str | None = None, offset: float = 0) -> None:
    """A year with no report: the words "nav iesniegts" standing where the bar or point would be
    (in a target group's ``colour`` when only that group lacks it, ``offset`` points aside)."""
    ax.annotate(
        fmt.NOT_REPORTED(lang),
        (year, 0),
        xytext=(offset, 3),
        textcoords="offset points",
        rotation=90,
        ha="center",
        va="bottom",
        fontsize=MIN_FONT_PT,
        color=colour or p.MUTED_TEXT,
    )
