"""Tables of a report page built outside a section: the indicator catalogue, the 2021 structure, years across."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from di_eval.analysis.evaluation import Evaluation
from di_eval.report import rounded as rd
from di_eval.report.html import escape, paragraph, table, table_wrap
from di_eval.report.labels import t
from di_eval.text import Text, terms
from di_eval.text import formats as fmt


def catalogue_table(lang: str) -> str:
    """The indicator catalogue (name, definition, unit), collapsed.

    A Latvian page shows no code: the indicator's Latvian name is what its reader needs, and the
    code names (``persons_cumulative``, ``in_service``) are English words. The English page adds
    the code last, as ``<code>``: it is the key of the indicator in ``figures.json`` and the
    ``Evaluation`` tables, which the developers and analysts who read English look it up by.
    """
    from di_eval.analysis.catalogue import CATALOGUE

    catalogue = pd.DataFrame(CATALOGUE)
    name, definition = f"name_{lang}", f"definition_{lang}"
    columns = {
        terms.column_label("indicator", lang): catalogue[name],
        terms.column_label("definition", lang): catalogue[definition],
        terms.column_label("unit", lang): [_unit(u, lang) for u in catalogue["unit"]],
    }
    if _CODE_SHOWN(lang):
        columns[terms.column_label("code", lang)] = [_CODE_CELL.format(c) for c in catalogue["code"]]
    html = table(pd.DataFrame(columns), t("indicators_caption", lang))
    # the code cells as <code> (the codes are identifiers: letters, digits, "_")
    html = re.sub(_CODE_CELL.format(r"([a-z0-9_]+)"), r"<code>\1</code>", html)
    return (
        f'<details id="raditaju-katalogs"><summary>{escape(t("indicators_caption", lang))}</summary>'
        + html
        + "</details>"
    )


_CODE_CELL = "\u2039{}\u203a"  # a placeholder around a code until it is written as <code>
_CODE_SHOWN = Text("", "code")  # whether the page shows the codes: the English page only (see above)


# The catalogue's units in the page's language (no English left in a Latvian page).
_UNITS = {
    "EUR": Text("EUR", "EUR"),
    "band": Text("statusa josla", "band"),
    "days": Text("dienas", "days"),
    "forms": Text("veidlapas", "forms"),
    "municipalities": Text("pašvaldības", "municipalities"),
    "persons": Text("personas", "persons"),
    "places": Text("vietas", "places"),
    "share": Text("daļa", "share"),
    "status": Text("statuss", "status"),
    "warnings": Text("brīdinājumi", "warnings"),
}


def _unit(unit: str, lang: str) -> str:
    text = _UNITS.get(str(unit))
    return text(lang) if text is not None else str(unit)


def _generated(lang: str) -> str:
    """When the page was made: a date people read, and the exact UTC time for the record."""
    now = dt.datetime.now(dt.UTC)
    return f"{fmt.format_date(now.date(), lang)}, {now.isoformat(timespec='seconds')}"


def _years_across(data: pd.DataFrame) -> pd.DataFrame:
    """A long table (one row per place and year, a column per group) as one row per place and group,
    a column per year: the same cells in a third of the markup."""
    place, year = data.columns[0], data.columns[1]
    groups = list(data.columns[2:])
    long = data.melt(id_vars=[place, year], value_vars=groups, var_name="_group", value_name="_value")
    wide = long.pivot(index=[place, "_group"], columns=year, values="_value")
    wide = wide.reindex(pd.MultiIndex.from_product([data[place].drop_duplicates(), groups], names=[place, "_group"]))
    labels = [f"{name} — {group}" for name, group in wide.index]
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index(drop=True)
    wide.insert(0, place, labels)
    return wide


_SHORT_DATE = Text("%d.%m.%Y.", "{day} %b %Y")  # 01.04.2019. / 1 Apr 2019 (English writes no leading zero)


def _short_date(value: pd.Timestamp, lang: str) -> str:
    return value.strftime(_SHORT_DATE(lang, day=value.day))  # Latvian has no {day}: ignored


def _short_dates(data: pd.DataFrame, milestones: pd.DataFrame, lang: str = "lv") -> pd.DataFrame:
    """The milestone table with short dates (17.09.2019., in English 17 Sep 2019) instead of long
    words: the same facts in less markup."""
    data = data.copy()
    rows = milestones.reset_index(drop=True)
    if len(rows) != len(data) or list(rows["project_id"]) != list(data.iloc[:, 0]):
        return data  # not row for row the same milestones: keep the chart's own table
    for position, column in ((2, "planned_date"), (3, "actual_date")):
        header = data.columns[position]
        data[header] = [
            _short_date(value, lang) if isinstance(value, pd.Timestamp) and not pd.isna(value) else shown
            for value, shown in zip(rows[column], data[header])
        ]
    return data


def _agreeing(change: str, name: str) -> str:
    """The plan change's participle agreeing with the municipality: a novads is masculine
    ("Dundagas novads: izslēgts"), a city (pilsēta: Liepāja, Ventspils) feminine."""
    return change if str(name).split()[-1] == "novads" else f"{change}_f"


def _pick(frame: pd.DataFrame, column: str, **match):
    rows = frame
    for key, value in match.items():
        rows = rows[rows[key] == value]
    return rows[column].iloc[0] if len(rows) else None


def _sum_label(ft, grt, lang: str) -> str:
    values = [ft, grt]
    if any(isinstance(x, str) or rd.ranged(x) for x in values):  # hidden, or a range: no sum
        return "FT " + rd.shown(ft, lang) + " / GRT " + rd.shown(grt, lang)
    return rd.shown(rd.rounded_sum(x for x in values if x is not None and not pd.isna(x)), lang)  # "≈" if rounded


_STRUCTURE_2021 = {
    "caption": Text(
        "Pēc 2021. gada 1. jūlija administratīvi teritoriālās reformas: 7 pašvaldības (kopā kopš plāna sākuma)",
        "After the administrative-territorial reform of 1 July 2021: 7 municipalities (in all since the plan began)",
    ),
    "municipality": Text("Pašvaldība (2021)", "Municipality (2021)"),
    "parts": Text("Apvienotās pašvaldības (ziņojumi)", "Merged municipalities (reports)"),
    "hint": Text(
        "Šīs pašvaldības ziņojumus izveido ar di-eval run --structure 2021.",
        "Reports on these municipalities are made with di-eval run --structure 2021.",
    ),
}


def structure_2021_section(evaluation: Evaluation, names_2021: pd.DataFrame, links: dict, lang: str) -> str:
    """For the index of a 2017-structure run: the 7 municipalities after the 2021 reform, each with its
    2017 parts (linked to their reports where ``links`` has them: code -> href) and its published
    FT and GRT persons served in all. Published values only (the run's protected cube)."""
    if evaluation.structure != "2017" or names_2021 is None or not len(names_2021) or not evaluation.successors:
        return ""
    cells = evaluation.protected.cells
    cumulative = cells[(cells["measure"] == "persons_cumulative") & (cells["service"] == "any")]
    published = {
        (s, g): rd.cell_value(x, status, evaluation.rule)
        for s, g, x, status in zip(
            cumulative["scope"], cumulative["group"], cumulative["published"], cumulative["status"]
        )
    }
    names_2017 = dict(zip(evaluation.scopes["scope"], evaluation.scopes["name"]))
    rows = []
    for code, name in zip(names_2021["iso_code"], names_2021["name"]):
        parts = [c for c, successor in evaluation.successors.items() if successor == code]
        linked = [
            f'<a href="{escape(links[c])}">{escape(names_2017.get(c, c))}</a>'
            if c in links
            else escape(names_2017.get(c, c))
            for c in parts
        ]
        rows.append(
            "<tr>"
            f'<th scope="row">{escape(name)}</th><td>{", ".join(linked)}</td>'
            + "".join(f'<td class="num">{escape(rd.shown(published.get((code, g)), lang))}</td>' for g in ("FT", "GRT"))
            + "</tr>"
        )
    head = "".join(
        f'<th scope="col">{escape(x)}</th>'
        for x in (
            _STRUCTURE_2021["municipality"](lang),
            _STRUCTURE_2021["parts"](lang),
            terms.term("FT", lang),
            terms.term("GRT", lang),
        )
    )
    return (
        f'{table_wrap(_STRUCTURE_2021["caption"](lang))}<table class="data">'
        f"<caption>{escape(_STRUCTURE_2021['caption'](lang))}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        + paragraph(_STRUCTURE_2021["hint"](lang), "note")
    )


def ranking(wide: pd.DataFrame, names: dict) -> list[tuple[str, int | None]]:
    """The order of the comparison's ranking table: (scope, rank), the rank None for a row not ranked.

    ``wide`` has a row per municipality (its scope as index) and a column per target group of
    published counts. A row whose counts are all published numbers is ranked by their sum as
    published (a rounded count by its published value: the true order of two sums closer than
    the rounding step is not known); equal sums share a rank. A row with a hidden count ("<5" or
    "x", at least one person) is not ranked: it stands by what it certainly has (its published
    counts and one for each hidden one), above every ranked row of a smaller sum and below those
    of an equal or larger one, so a count known to be smaller never stands above one known to be
    larger. Rows known to be zero come last; ties by name.
    """
    rows = []
    for scope, values in zip(wide.index, wide.itertuples(index=False)):
        kinds = [fmt.value_kind(x) for x in values]
        numbers = sum(int(x) for x, k in zip(values, kinds) if k == "number")
        at_least = numbers + sum(1 for k in kinds if k in ("suppressed", "hidden"))
        rows.append((scope, all(k == "number" for k in kinds), numbers, at_least))
    order = sorted(
        (r for r in rows if r[3] > 0 or not r[1]),
        # the sum a row certainly has, larger first; a ranked row before an unranked one of the same
        key=lambda r: (-(r[2] if r[1] else r[3]), not r[1], _fold(names.get(r[0], r[0]))),
    )
    zeros = sorted((r for r in rows if r[1] and r[3] == 0), key=lambda r: _fold(names.get(r[0], r[0])))
    sums = [r[2] for r in order if r[1]]
    ranked = [(r[0], 1 + sum(s > r[2] for s in sums) if r[1] else None) for r in order]
    return [*ranked, *((r[0], None) for r in zeros)]  # nobody served: no rank


def _fold(name) -> str:
    """A name as it is sorted: case and diacritics folded (Ā with A), as the municipalities are listed."""
    from di_eval.municipalities import fold

    return fold(str(name))


# The service of the availability matrix each ERDF facility type gives (BSAC's facilities have no column there).
FACILITY_SERVICES = {
    "day_care_centre": "day_care",
    "group_apartment": "group_apartment",
    "specialised_workshop": "specialised_workshop",
    "respite_rooms": "respite",
}


def opened_places(infrastructure: pd.DataFrame, columns) -> tuple[dict, list[str]]:
    """The places of the ERDF projects whose service has opened by the evaluation date (status ``in_service``),
    per (scope, target group, service) of ``columns``, and those projects' ids.

    A project's places are its places created (known once construction has finished), else its places
    planned; they stand in each cell of a service its facilities give to a group it serves (all groups when
    it names none), so a project of several services is not split (the page's note says so)."""
    places: dict[tuple[str, str, str], int] = {}
    ids: list[str] = []
    opened = infrastructure[infrastructure["status"] == "in_service"]
    for r in opened.itertuples():
        count = r.places_created if not fmt.is_blank(r.places_created) else r.places_planned
        services = {FACILITY_SERVICES.get(x) for x in str(r.facility_types or "").split(";")} - {None}
        groups = set(str(r.target_groups).split(";")) if not fmt.is_blank(r.target_groups) else None
        cells = [(g, x) for g, x in columns if x in services and (groups is None or g in groups)]
        if fmt.is_blank(count) or not cells:
            continue
        ids.append(r.project_id)
        for group, service in cells:
            key = (r.scope, group, service)
            places[key] = places.get(key, 0) + int(count)
    return places, sorted(set(ids))
