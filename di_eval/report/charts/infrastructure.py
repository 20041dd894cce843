"""Charts of infrastructure and events: project milestones, the timeline of key events."""

from __future__ import annotations

import datetime as dt
import textwrap

import matplotlib.dates as mdates
import pandas as pd

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report import palette as p
from di_eval.report.charts.base import (
    FIGURE_WIDTH,
    MIN_FONT_PT,
    Chart,
    _caption,
    _figure,
    _headers,
    _require,
    _styled,
)
from di_eval.text import Text, check_lang, terms
from di_eval.text import formats as fmt
from di_eval.text import grammar as gr

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
    check_lang(lang)
    _require(
        milestones,
        ["project_id", "milestone", "planned_date", "actual_date", "slippage_days", "status"],
        "milestones_chart",
    )
    if len(milestones) == 0:
        raise DiEvalError("milestones_chart: the table has no rows to draw")
    unknown = sorted(set(milestones["status"]) - set(terms.MILESTONE_STATUSES))
    if unknown:
        raise ChoiceError("milestone status", unknown, list(terms.MILESTONE_STATUSES))
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
        planned, actual = fmt.to_date(row["planned_date"]), fmt.to_date(row["actual_date"])
        colour = _MILESTONE_COLOURS[row["status"]]
        if planned and actual:
            ax.plot([planned, actual], [y, y], color=colour, linewidth=2)
        if row["status"] == "overdue" and planned and not fmt.is_blank(row["slippage_days"]):
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
        labels.append(f"{row['project_id']} · {terms.term(row['milestone'], lang, 'milestone')}")
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
    days = [d for r in rows for d in (fmt.to_date(r["planned_date"]), fmt.to_date(r["actual_date"])) if d]
    if as_of is not None:
        days.append(fmt.to_date(as_of))
    if days:
        ax.set_xlim(dt.date(min(days).year, 1, 1), dt.date(max(days).year + 1, 1, 1))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="y", left=False)
    ax.spines["left"].set_visible(False)
    for label in ax.get_xticklabels():
        label.set_rotation(0)
    if as_of is not None:
        day = fmt.to_date(as_of)
        ax.axvline(day, color=p.MUTED_TEXT, linewidth=1, linestyle=":")
    title = _MILESTONES_TITLE(lang)
    caption = _caption(lang, _MILESTONES_CAPTION(lang), source=source)
    names = project_names or {}
    data = pd.DataFrame(
        {
            "project": [
                f"{r['project_id']}: {names[r['project_id']]}" if r["project_id"] in names else r["project_id"]
                for r in rows
            ],
            "milestone": [terms.term(r["milestone"], lang, "milestone") for r in rows],
            "planned_date": [
                fmt.format_date(r["planned_date"], lang) if fmt.to_date(r["planned_date"]) else "—" for r in rows
            ],
            "actual_date": [
                fmt.format_date(r["actual_date"], lang) if fmt.to_date(r["actual_date"]) else "—" for r in rows
            ],
            "slippage_days": [_signed(r["slippage_days"], lang) for r in rows],
            "status": [
                terms.milestone_status_label(terms.milestone_status(r["status"], r["slippage_days"]), lang)
                for r in rows
            ],
        }
    )
    return Chart(figure, title, caption, _milestones_alt(rows, lang), _headers(data, lang), lang)


def _signed(days, lang: str) -> str:
    if fmt.is_blank(days):
        return "—"
    days = int(days)
    return ("+" if days > 0 else "") + fmt.format_number(days, lang)


_MILESTONES_TITLE = Text(
    "Infrastruktūras projektu posmi: plānotais un faktiskais", "Infrastructure milestones: planned and actual"
)
_MILESTONES_CAPTION = Text(
    "Tukšs aplis — plānotais datums, pilns aplis — faktiskais; pārtraukta līnija ar bultu — nokavēts posms līdz "
    "izvērtējuma datumam (punktēta līnija). Statuss un novirze dienās rakstīti katras rindas labajā pusē.",
    "Open circle: planned date; filled circle: actual date; a dashed line with an arrow: an overdue milestone up to "
    "the evaluation date (dotted line). The status and slippage in days are written at the right of each row.",
)
# Short status words beside each row (the data table has the full ones); the symbol comes first.
_MILESTONE_SHORT = {
    "done_early": Text("agrāk", "early"),
    "done_on_time": Text("laikā", "on time"),
    "done_late": Text("ar nokavējumu", "late"),
    "overdue": Text("nokavēts", "overdue"),
    "not_due": Text("vēl nav termiņš", "not yet due"),
}
_MILESTONES_ALT = Text(
    "Projektu skaits: {projects}, posmu skaits: {milestones}. Pēc statusa: ",
    "{projects_phrase}, {milestones_phrase}. By status: ",
)
_LONGEST_DELAY = Text(" Lielākais kavējums: {what} — {days}.", " The longest delay: {what}, {days}.")


def _milestone_text(row: dict, lang: str) -> str:
    status = terms.milestone_status(row["status"], row["slippage_days"])
    symbol = terms.MILESTONE_SYMBOLS[status]
    text = f"{symbol} {_MILESTONE_SHORT[status](lang)}"
    if row["status"] in ("done_late", "overdue") and not fmt.is_blank(row["slippage_days"]):
        text += f" +{gr.count_phrase(int(row['slippage_days']), 'day', lang)}"
    return text


def _milestones_alt(rows: list[dict], lang: str) -> str:
    projects = len({r["project_id"] for r in rows})
    counts = {status: sum(r["status"] == status for r in rows) for status in terms.MILESTONE_STATUSES}
    head = _MILESTONES_ALT(
        lang,
        projects=projects,
        milestones=len(rows),
        projects_phrase=gr.count_phrase(projects, "project", lang),
        milestones_phrase=gr.count_phrase(len(rows), "milestone", lang),
    )
    parts = [f"{terms.MILESTONE_STATUSES[s](lang)} — {c}" for s, c in counts.items() if c]
    text = head + ", ".join(parts) + "."
    late = [r for r in rows if r["status"] in ("done_late", "overdue") and not fmt.is_blank(r["slippage_days"])]
    if late:
        worst = max(late, key=lambda r: int(r["slippage_days"]))
        what = f"{worst['project_id']}, {terms.term(worst['milestone'], lang, 'milestone')}"
        days = gr.count_phrase(int(worst["slippage_days"]), "day", lang)
        text += _LONGEST_DELAY(lang, what=what, days=days)
    return text


# --- 8. timeline ----------------------------------------------------------------------------------------


@_styled
def timeline_chart(events: pd.DataFrame, lang: str, *, source: str | None = None) -> Chart:
    """Key events in order, one per row, dated only as precisely as known; plan versions as diamonds."""
    check_lang(lang)
    text_column = f"event_{lang}"  # events.csv has the event in each report language
    _require(events, ["date", text_column], "timeline_chart")
    if len(events) == 0:
        raise DiEvalError("timeline_chart: the table has no rows to draw")
    rows = events.assign(_day=events["date"].map(fmt.to_date)).sort_values("_day", kind="stable").to_dict("records")
    for row in rows:  # names quoted in the data ('"Sudrabi"') in the page's one style: „Sudrabi“
        row[text_column] = fmt.typographic_quotes(row[text_column], lang)
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
            fmt.format_event_date(day, precision, lang),
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
    title = _TIMELINE_TITLE(lang)
    ax.set_title(title, loc="left", x=0.02)
    caption = _caption(lang, _TIMELINE_CAPTION(lang), source=source or _TIMELINE_SOURCE(lang))
    data = pd.DataFrame(
        {
            "date": [fmt.format_event_date(r["_day"], r.get("date_precision") or "day", lang) for r in rows],
            "event": [str(r[text_column]) for r in rows],
        }
    )
    return Chart(figure, title, caption, _timeline_alt(rows, text_column, lang), _headers(data, lang), lang)


_TIMELINE_TITLE = Text("Galvenie notikumi", "Key events")
_TIMELINE_CAPTION = Text(
    "Notikumi hronoloģiskā secībā; rombs un treknraksts — DI plāna redakcija. Datums norādīts tik precīzi, cik zināms.",
    "Events in order; a diamond and bold text mark a version of the DI plan. Dates are as precise as known.",
)
_TIMELINE_SOURCE = Text(
    "Avots: KPR publiskā informācija (data/reference/events.csv).",
    "Source: public information of KPR (data/reference/events.csv).",
)
_TIMELINE_ALT = Text(
    "Laika līnija: {count} no {first}. gada līdz {last}. gadam.", "Timeline: {count} from {first} to {last}."
)
_VERSIONS_ALT = Text(" DI plāna redakcijas: {dates}.", " Versions of the DI plan: {dates}.")
_FIRST_LAST = Text(" Pirmais: {first}. Pēdējais: {last}.", " First: {first}. Last: {last}.")


def _timeline_alt(rows: list[dict], text_column: str, lang: str) -> str:
    first, last = rows[0], rows[-1]
    count = gr.count_phrase(len(rows), "event", lang)
    text = _TIMELINE_ALT(lang, count=count, first=first["_day"].year, last=last["_day"].year)
    versions = [r for r in rows if r.get("kind") == "plan_version"]
    if versions:
        text += _VERSIONS_ALT(lang, dates=", ".join(fmt.format_date(r["_day"], lang) for r in versions))
    first_text = (
        f"{fmt.format_event_date(first['_day'], first.get('date_precision') or 'day', lang)} — {first[text_column]}"
    )
    last_text = (
        f"{fmt.format_event_date(last['_day'], last.get('date_precision') or 'day', lang)} — {last[text_column]}"
    )
    return text + _FIRST_LAST(lang, first=first_text, last=last_text)
