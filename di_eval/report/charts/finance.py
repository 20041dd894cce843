"""The finance chart: planned, contracted and paid money per programme and fund."""

from __future__ import annotations

import textwrap

import pandas as pd

from di_eval import vocabulary as v
from di_eval.errors import DiEvalError
from di_eval.report import palette as p
from di_eval.report import sentences
from di_eval.report.charts.base import (
    MIN_FONT_PT,
    Chart,
    _caption,
    _clean_axis,
    _headers,
    _one_scope,
    _panel_title,
    _require,
    _stacked,
    _styled,
    _until,
)
from di_eval.text import Text, check_lang, terms
from di_eval.text import formats as fmt

# --- 5. finance --------------------------------------------------------------------------------------

_MEASURES = (("planned_eur", "planned"), ("contracted_eur", "contracted"), ("paid_eur", "actual"))
_MEASURE_WORDS = {
    "planned_eur": Text("plānots", "planned"),
    "contracted_eur": Text("līgumos", "contracted"),
    "paid_eur": Text("izmaksāts", "paid"),
}
_FINANCE_TITLE = Text("Finansējums pa fondiem", "Finance by fund")
_FINANCE_CAPTION = Text(
    "{place}: finansējums (EUR), kopā {until}. Rāmis — plānots, svītrots — noslēgtajos līgumos, "
    "pilns — izmaksāts. Naudas summas netiek slēptas.",
    "{place}: funding (EUR), cumulative {until}. Outline: planned; hatched: contracted; "
    "solid: paid. Amounts of money are not suppressed.",
)
_ABSORPTION = Text("apguve {rate}", "absorption {rate}")
_FUND_ORDER = tuple(v.FUNDS)


@_styled
def finance_chart(
    finance: pd.DataFrame, lang: str, *, as_of=None, source: str | None = None, names: pd.DataFrame | None = None
) -> Chart:
    """Per programme and fund: planned (outline), contracted (hatched) and paid (solid), each labelled."""
    check_lang(lang)
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
                amount = float(row[column]) if not fmt.is_blank(row[column]) else 0.0
                ax.barh(base + offset, amount, height=0.24, **p.mark_style(kind, colour))
                word = _MEASURE_WORDS[column](lang)
                label = ax.annotate(
                    f"{word}: {fmt.format_money_short(row[column], lang)}",
                    (amount, base + offset),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=MIN_FONT_PT,
                )
                labelled.append((ax, amount, label))
        ax.set_yticks(
            range(len(rows)), [textwrap.fill(terms.term(f, lang, "fund"), 20) for f in reversed(rows["fund"].tolist())]
        )
        ax.set_xlim(0, top * 1.45 if top > 0 else 1)
        ax.set_ylim(-0.55, len(rows) - 0.45)
        name = terms.term(programme, lang, "programme") if programme in v.PROGRAMMES else str(programme)
        _panel_title(figure, ax, f"{name} — {_absorption_text(finance, programme, lang)}")
        _clean_axis(ax, keep="y")
        ax.tick_params(axis="y", left=False)
    _room_for_labels(axes, labelled)
    title = _FINANCE_TITLE(lang)
    caption = _caption(
        lang,
        _FINANCE_CAPTION(lang, place=terms.scope_name(scope, lang, names), until=_until(as_of, lang)),
        source=source,
    )
    alt = " ".join(_programme_sentence(finance, programme, lang) for programme in programmes)
    table = parts.sort_values(
        ["programme", "fund"],
        key=lambda s: s.map(lambda f: _FUND_ORDER.index(f) if f in _FUND_ORDER else 9) if s.name == "fund" else s,
    )
    data = pd.DataFrame(
        {
            "programme": [terms.term(x, lang, "programme") if x in v.PROGRAMMES else x for x in table["programme"]],
            "fund": [terms.term(x, lang, "fund") for x in table["fund"]],
            "planned_eur": [fmt.format_number(x, lang, 2) for x in table["planned_eur"]],
            "contracted_eur": [fmt.format_number(x, lang, 2) for x in table["contracted_eur"]],
            "paid_eur": [fmt.format_number(x, lang, 2) for x in table["paid_eur"]],
            "absorption_rate": [
                fmt.format_percent(_rate(r["paid_eur"], r["planned_eur"]), lang, empty="—")
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
    if fmt.is_blank(paid) or fmt.is_blank(planned) or float(planned) == 0:
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
    rate = fmt.format_percent(_rate(totals["paid_eur"], totals["planned_eur"]), lang)
    return _ABSORPTION(lang, rate=rate)


def _programme_sentence(finance: pd.DataFrame, programme: str, lang: str) -> str:
    totals = _programme_totals(finance, programme)
    rate = _rate(totals["paid_eur"], totals["planned_eur"])
    return sentences.finance_sentence(
        programme, totals["planned_eur"], totals["paid_eur"], rate, lang, contracted=totals["contracted_eur"]
    )


# --- 6. small multiples ----------------------------------------------------------------------------
