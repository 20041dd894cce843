"""Counts published rounded (``DisclosureRule(method="rounding")``) as the page shows them.

The evaluation's tables hold a rounded count as a plain int (10 for a count from 8 to 12); the
protected cells' ``status`` says which ones are rounded. ``mark`` replaces those ints by
``Rounded`` (still an int, so charts draw it and sums add it), and the page then writes it as
"≈10" in tables and labels, "apmēram 10" / "about 10" in sentences and alt texts, marks a rate
computed from a rounded count as "≈", and puts a note under every table that holds one.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from di_eval.analysis.disclosure import COARSE, ROUNDED
from di_eval.analysis.findings.base import ABOUT as _ABOUT
from di_eval.analysis.findings.base import approximately
from di_eval.analysis.rounding import rounded_range, rounding_interval
from di_eval.text import Text
from di_eval.text import formats as fmt

MARK = "\u2248"  # ≈, written before a rounded count: "≈10"
TABLE_NOTE = Text(
    "Ar \u201e\u2248\u201c atzīmētie skaitļi ir noapaļoti līdz tuvākajam {base} daudzkārtnim "
    "(piemēram, \u2248{example} nozīmē no {low} līdz {high}).",
    "Counts marked \u201c\u2248\u201d are rounded to the nearest multiple of {base} "
    "(for example, \u2248{example} means {low} to {high}).",
)
RANGE_NOTE = Text(
    "Skaitļi, kas norādīti kā intervāls (piemēram, {low}\u2013{high}), ir noapaļoti līdz tuvākajam {base} "
    "daudzkārtnim, jo precīzāks skaitlis ļautu aprēķināt kādu mazu skaitu; patiesais skaits ir šī intervāla "
    "robežās.",
    "Counts shown as a range (for example, {low}\u2013{high}) are rounded to the nearest multiple of {base}, "
    "because a closer figure would let a small count be worked out; the true count lies within the range.",
)


class Rounded(int):
    """A count published rounded to the nearest multiple of ``base``: an int that knows it.

    ``span`` (low, high): a count rounded to the coarser base (status "rounded_coarse"), which the
    page shows as the range a reader knows it lies in ("25–34") instead of "≈30"."""

    base: int
    span: tuple[int, int] | None

    def __new__(cls, value, base: int = 5, span=None):
        self = super().__new__(cls, int(value))
        self.base = int(base)
        self.span = None if span is None else (int(span[0]), int(span[1]))
        return self

    def __reduce__(self):
        return (Rounded, (int(self), self.base, self.span))

    def __repr__(self) -> str:
        more = f", span={self.span}" if self.span else ""
        return f"Rounded({int(self)}, base={self.base}{more})"

    def __str__(self) -> str:  # as the int it is ("10"), for formatting
        return int.__repr__(self)


class Approximate(float):
    """A rate computed from at least one rounded count: shown with "≈", never as exact."""

    def __reduce__(self):
        return (Approximate, (float(self),))


def is_rounded(value) -> bool:
    return isinstance(value, (Rounded, Approximate))


def ranged(value) -> bool:
    """A count shown as the range it lies in ("25–34"): it needs no "≈" and no "apmēram"."""
    return isinstance(value, Rounded) and value.span is not None


def coarse(value, base: int, threshold: int) -> Rounded:
    """A count published rounded to the coarser ``base``, with the range a reader knows."""
    return Rounded(value, base, rounded_range(value, base, threshold))


def cell_value(published, status: str, rule):
    """A published cell of the protected cube (int, marker or None) as the page shows it: a
    ``Rounded`` where its status is "rounded", a range where it is "rounded_coarse"."""
    if published is None or isinstance(published, str) or pd.isna(published):
        return None if not isinstance(published, str) else published
    if status == ROUNDED:
        return Rounded(published, rule.rounding_base)
    if status == COARSE:
        return coarse(published, rule.coarse_base, rule.threshold)
    return int(published)


def rounded_sum(values) -> int:
    """The sum of published counts; ``Rounded`` when any of them is (the sum is then not exact,
    and is shown "≈" even where a part is a range)."""
    values = list(values)
    total = int(sum(int(x) for x in values))
    bases = [x.base for x in values if isinstance(x, Rounded)]
    return Rounded(total, max(bases)) if bases else total


def shown(value, lang: str) -> str:
    """A published value for tables and chart labels: "≈10" for a rounded count, else as formatted."""
    text = fmt.format_number(value, lang)
    return MARK + text if isinstance(value, Rounded) and not ranged(value) else text


def words(value, lang: str) -> str:
    """A rounded count in a sentence or alt text: "apmēram 10" / "about 10"; others as formatted."""
    return approximately(fmt.format_number(value, lang), value, lang)


def about(text: str, value, lang: str) -> str:
    """``text`` (a phrase with the count, "10 personas") preceded by "apmēram" when ``value`` is
    rounded (or ``value`` is True: a rate computed from a rounded count), unless ``text`` shows
    the count as its range ("25–34 personas")."""
    if value is True or isinstance(value, Approximate):
        return _ABOUT(lang, n=text)
    return approximately(text, value, lang)  # a count: its range says already how exact it is


def percent(rate, lang: str, *, approximate: bool = False, empty: str | None = None) -> str:
    """A rate as "45 %", "≈45 %" when it was computed from a rounded count."""
    text = fmt.format_percent(rate, lang, empty=empty)
    return MARK + text if (approximate or isinstance(rate, Approximate)) and not fmt.is_blank(rate) else text


def table_note(base: int, lang: str) -> str:
    """The note under a table that holds rounded counts (base 5: "≈10 nozīmē no 8 līdz 12")."""
    low, high = rounded_range(2 * base, base, 0)
    return TABLE_NOTE(lang, base=base, example=2 * base, low=low, high=high)


_TABLE = re.compile(r'<div class="table-wrap".*?</table></div>', re.S)


def range_note(base: int, lang: str) -> str:
    """The note under a table that holds counts shown as ranges (base 10: "25–34")."""
    low, high = rounded_range(3 * base, base, 0)
    return RANGE_NOTE(lang, base=base, low=low, high=high)


def _is_range(low: int, high: int, base: int) -> bool:
    """Whether "low–high" in a table cell is a count rounded to ``base`` shown as its range (and
    not, say, years "2017–2020"): its upper end is a multiple of ``base`` plus the part above."""
    _, above = rounding_interval(base)
    return high - low < base and (high - above) % base == 0


_RANGE_CELL = re.compile(r"<td[^>]*>(\d+)\u2013(\d+)</td>")


def annotate_tables(html: str, lang: str, base: int = 5, coarse_base: int | None = None) -> str:
    """Put ``table_note`` under every table of ``html`` with a cell that starts with "≈", and
    ``range_note`` under every table with a count shown as its range (rounded to ``coarse_base``)."""
    from di_eval.report.html import escape

    note = f'<p class="note rounded-note">{escape(table_note(base, lang))}</p>'
    wide = f'<p class="note range-note">{escape(range_note(coarse_base, lang))}</p>' if coarse_base else ""

    def add(match: re.Match) -> str:
        chunk = match.group(0)
        out = chunk + note if re.search(r"<t[dh][^>]*>" + MARK, chunk) else chunk
        if wide and any(_is_range(int(a), int(b), coarse_base) for a, b in _RANGE_CELL.findall(chunk)):
            out += wide
        return out

    return _TABLE.sub(add, html)


# --- the evaluation's tables with rounded counts marked --------------------------------------------

# (cells table, measure) -> (evaluation table, column, key columns beside scope: year / group / service)
_WHERE = {
    ("uptake", "persons_served"): ("persons_by_year", "persons_served", ("year", "target_group", "service")),
    ("uptake", "persons_new"): ("persons_by_year", "persons_new", ("year", "target_group", "service")),
    ("uptake", "persons_cumulative"): ("persons_cumulative", "persons", ("target_group", "service")),
    ("needs", "assessments"): ("needs", "assessments", ("year", "target_group")),
    ("needs", "support_plans"): ("needs", "support_plans", ("year", "target_group")),
    ("transitions", "persons"): ("transitions", "persons", ("year", "transition")),
    ("transitions", "persons_cumulative"): ("transitions_cumulative", "persons", ("transition",)),
}
_CELL_KEY = {"year": "year", "target_group": "group", "transition": "group", "service": "service"}


def mark(evaluation):
    """``evaluation`` with every count published rounded replaced by ``Rounded`` (same value) and a
    rate computed from one by ``Approximate``. Without rounded counts it is returned as it is."""
    rule = evaluation.rule
    if getattr(rule, "method", None) != "rounding":
        return evaluation
    if _marked(evaluation):
        return evaluation  # marked already (the page's, given to the findings again)
    cells = evaluation.rounded()
    if not len(cells):
        return evaluation
    wanted: dict[tuple[str, str], dict] = {}
    for row in cells.itertuples(index=False):
        where = _WHERE.get((row.table, row.measure))
        if where is None:
            continue
        name, column, keys = where
        cell = row._asdict()
        key = (str(row.scope), *(_key(cell[_CELL_KEY[k]], k) for k in keys))
        wanted.setdefault((name, column), {})[key] = getattr(row, "coarse", False)
    changed = {}
    for (name, column), marked in wanted.items():
        frame = changed.get(name)
        frame = (getattr(evaluation, name) if frame is None else frame).copy()
        keys = _WHERE_KEYS[(name, column)]
        lookup = zip(frame["scope"].astype(str), *(frame[k].map(lambda x, k=k: _key(x, k)) for k in keys))
        hit = [marked.get(key) for key in lookup]  # None: exact; False: rounded; True: coarse
        values = [
            v if h is None or fmt.value_kind(v) != "number" else cell_value(v, COARSE if h else ROUNDED, rule)
            for v, h in zip(frame[column], hit)
        ]
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
        changed[name] = frame
    if "needs" in changed:
        needs = changed["needs"]
        approximate = needs["assessments"].map(is_rounded) | needs["support_plans"].map(is_rounded)
        rates = [
            Approximate(r) if a and not fmt.is_blank(r) else r for r, a in zip(needs["support_plan_rate"], approximate)
        ]
        needs["support_plan_rate"] = pd.Series(rates, index=needs.index, dtype=object)
    achievement = _achievement(evaluation.achievement, changed)
    if achievement is not None:
        changed["achievement"] = achievement
    return dataclasses.replace(evaluation, **changed)


def _marked(evaluation) -> bool:
    """Whether ``mark`` has been through ``evaluation``: a count of its tables is a ``Rounded``."""
    for name, column, _ in _WHERE.values():
        frame = getattr(evaluation, name, None)
        if frame is not None and column in frame and frame[column].dtype == object:
            if any(isinstance(x, Rounded) for x in frame[column]):
                return True
    return False


def _achievement(achievement: pd.DataFrame, changed: dict) -> pd.DataFrame | None:
    """The region's achievement with ``achieved`` marked where its count is rounded, and its rate."""
    if not len(achievement) or not {"target", "achieved", "rate", "scope"} <= set(achievement.columns):
        return None
    counts = {}
    cumulative = changed.get("persons_cumulative")
    if cumulative is not None:
        for row in cumulative[cumulative["service"] == "any"].itertuples(index=False):
            counts[(str(row.scope), str(row.target_group))] = row.persons
    transitions = changed.get("transitions_cumulative")
    if transitions is not None:
        for row in transitions[transitions["transition"] == "vsac_to_municipality"].itertuples(index=False):
            counts[(str(row.scope), "VSAC")] = row.persons
    frame = achievement.copy()
    achieved, rates = list(frame["achieved"]), list(frame["rate"])
    for i, (scope, target) in enumerate(zip(frame["scope"], frame["target"])):
        count = counts.get((str(scope), str(target)))
        if isinstance(count, Rounded) and not fmt.is_blank(achieved[i]) and int(achieved[i]) == int(count):
            achieved[i] = count
            rates[i] = rates[i] if fmt.is_blank(rates[i]) else Approximate(rates[i])
    frame["achieved"] = pd.Series(achieved, index=frame.index, dtype=object)
    frame["rate"] = pd.Series(rates, index=frame.index, dtype=object)
    return frame


_WHERE_KEYS = {(name, column): keys for name, column, keys in _WHERE.values()}


def _key(value, column: str):
    return int(value) if column == "year" else str(value)
