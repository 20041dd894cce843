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

from di_eval.text import Text
from di_eval.text import formats as fmt

MARK = "\u2248"  # ≈, written before a rounded count: "≈10"
_ABOUT = Text("apmēram {n}", "about {n}")
TABLE_NOTE = Text(
    "Ar \u201e\u2248\u201c atzīmētie skaitļi ir noapaļoti līdz tuvākajam {base} daudzkārtnim "
    "(piemēram, \u2248{example} nozīmē no {low} līdz {high}).",
    "Counts marked \u201c\u2248\u201d are rounded to the nearest multiple of {base} "
    "(for example, \u2248{example} means {low} to {high}).",
)


class Rounded(int):
    """A count published rounded to the nearest multiple of ``base``: an int that knows it."""

    base: int

    def __new__(cls, value, base: int = 5):
        self = super().__new__(cls, int(value))
        self.base = int(base)
        return self

    def __reduce__(self):
        return (Rounded, (int(self), self.base))

    def __repr__(self) -> str:
        return f"Rounded({int(self)}, base={self.base})"

    def __str__(self) -> str:  # as the int it is ("10"), for formatting
        return int.__repr__(self)


class Approximate(float):
    """A rate computed from at least one rounded count: shown with "≈", never as exact."""

    def __reduce__(self):
        return (Approximate, (float(self),))


def is_rounded(value) -> bool:
    return isinstance(value, (Rounded, Approximate))


def rounded_sum(values) -> int:
    """The sum of published counts; ``Rounded`` when any of them is (the sum is then not exact)."""
    values = list(values)
    total = int(sum(int(x) for x in values))
    bases = [x.base for x in values if isinstance(x, Rounded)]
    return Rounded(total, max(bases)) if bases else total


def shown(value, lang: str) -> str:
    """A published value for tables and chart labels: "≈10" for a rounded count, else as formatted."""
    text = fmt.format_number(value, lang)
    return MARK + text if isinstance(value, Rounded) else text


def words(value, lang: str) -> str:
    """A rounded count in a sentence or alt text: "apmēram 10" / "about 10"; others as formatted."""
    text = fmt.format_number(value, lang)
    return _ABOUT(lang, n=text) if isinstance(value, Rounded) else text


def about(text: str, value, lang: str) -> str:
    """``text`` (a phrase with the count, "10 personas") preceded by "apmēram" when ``value`` is
    rounded (or ``value`` is True: a rate computed from a rounded count)."""
    return _ABOUT(lang, n=text) if (value is True or is_rounded(value)) else text


def percent(rate, lang: str, *, approximate: bool = False, empty: str | None = None) -> str:
    """A rate as "45 %", "≈45 %" when it was computed from a rounded count."""
    text = fmt.format_percent(rate, lang, empty=empty)
    return MARK + text if (approximate or isinstance(rate, Approximate)) and not fmt.is_blank(rate) else text


def table_note(base: int, lang: str) -> str:
    """The note under a table that holds rounded counts (base 5: "≈10 nozīmē no 8 līdz 12")."""
    from di_eval.analysis.release import rounding_interval

    below, above = rounding_interval(base)
    example = 2 * base
    return TABLE_NOTE(lang, base=base, example=example, low=example - below, high=example + above)


_TABLE = re.compile(r'<div class="table-wrap".*?</table></div>', re.S)


def annotate_tables(html: str, lang: str, base: int = 5) -> str:
    """Put ``table_note`` under every table of ``html`` with a cell that starts with "≈"."""
    from di_eval.report.html import escape

    note = f'<p class="note rounded-note">{escape(table_note(base, lang))}</p>'

    def add(match: re.Match) -> str:
        chunk = match.group(0)
        return chunk + note if re.search(r"<t[dh][^>]*>" + MARK, chunk) else chunk

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
    base = int(rule.rounding_base)
    wanted: dict[tuple[str, str], set] = {}
    for row in cells.itertuples(index=False):
        where = _WHERE.get((row.table, row.measure))
        if where is None:
            continue
        name, column, keys = where
        cell = row._asdict()
        wanted.setdefault((name, column), set()).add((str(row.scope), *(_key(cell[_CELL_KEY[k]], k) for k in keys)))
    changed = {}
    for (name, column), marked in wanted.items():
        frame = changed.get(name)
        frame = (getattr(evaluation, name) if frame is None else frame).copy()
        keys = _WHERE_KEYS[(name, column)]
        lookup = zip(frame["scope"].astype(str), *(frame[k].map(lambda x, k=k: _key(x, k)) for k in keys))
        hit = [key in marked for key in lookup]
        values = [Rounded(v, base) if h and fmt.value_kind(v) == "number" else v for v, h in zip(frame[column], hit)]
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
