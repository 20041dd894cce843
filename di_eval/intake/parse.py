"""Tolerant parsing of what people type into cells, and recognising the form's sheets and headers.

Counts ("1 234", "3,0"), amounts ("1 234,50 EUR"), dates (date cells, Excel day numbers, 30.09.2020)
and choices (Latvian or English labels, codes, known variants) each parse to a value or to the rule
they break; header rows are matched to the form's columns in Latvian, English or a known alias.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.utils.datetime import from_excel

from di_eval.intake import form as forms
from di_eval.municipalities import fold

if TYPE_CHECKING:
    from di_eval.intake.read import Grid

HEADER_SEARCH_ROWS = 40
HEADER_SEARCH_COLUMNS = 200  # headers and identity cells are looked for in these first columns
TOTAL_WORDS = {"kopa", "kopsumma", "pavisam", "total", "sum", "summa", "kopa eur"}
FORMULA_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:", "#SPILL!")

# --- recognising sheets and headers -----------------------------------------------------------


def normal(text: object) -> str:
    """Text as headers and labels are compared: folded, without parentheses or punctuation."""
    folded = fold(str(text)).replace("_", " ")
    folded = re.sub(r"\([^)]*\)", " ", folded)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


_UNIT = re.compile(r"\s*\b(eur|euro|skaits|number)$")


def _header_forms(column: forms.FormColumn) -> frozenset[str]:
    names = {column.lv, column.en, column.name, *column.aliases}
    found = {normal(n) for n in names}
    found |= {_UNIT.sub("", n) for n in found}
    return frozenset(n for n in found if n)


# Every header a form column is recognised by, normalised once (not once per cell read).
HEADER_FORMS = {
    (sheet.key, column.name): _header_forms(column) for sheet in forms.FORM_SHEETS for column in sheet.columns
}


def header_keys(value: object) -> frozenset[str] | None:
    """The forms in which a cell's text is compared with headers, or None for a blank or a number."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = normal(value)
    return frozenset((key, _UNIT.sub("", key)))


def match_headers(row: Sequence[object], sheet: forms.FormSheet, keys=None) -> tuple[dict[str, int], list[int]]:
    """Which form columns a row of headers holds (name -> index), and the indexes of unknown headers.

    Only the first HEADER_SEARCH_COLUMNS cells are looked at (a form has a few columns); ``keys``
    may give the row's ``header_keys``, computed once for every sheet tried.
    """
    found: dict[str, int] = {}
    unknown = []
    if keys is None:
        keys = [header_keys(value) for value in row[:HEADER_SEARCH_COLUMNS]]
    for c, key in enumerate(keys):
        if key is None:
            continue
        match = next(
            (col.name for col in sheet.columns if col.name not in found and key & HEADER_FORMS[(sheet.key, col.name)]),
            None,
        )
        if match:
            found[match] = c
        else:
            unknown.append(c)
    return found, unknown


def other_sheet(name: str) -> str | None:
    """The form's instructions or lists sheet, if ``name`` is one of them (CSV exports carry the name)."""
    key = normal(name)
    for other in (*forms.INSTRUCTIONS, forms.LISTS_SHEET):
        if key == normal(other) or key.endswith(" " + normal(other)):
            return other
    return None


def _sheet_by_name(name: str) -> forms.FormSheet | None:
    key = normal(name)
    for sheet in forms.FORM_SHEETS:
        names = {normal(sheet.lv), normal(sheet.en), *(normal(a) for a in sheet.aliases)}
        # LibreOffice names a sheet exported as CSV "<file>-<sheet>.csv"
        if key in names or any(key.endswith(" " + n) for n in names):
            return sheet
    return None


@dataclass
class SheetMatch:
    sheet: forms.FormSheet
    grid: Grid
    header_row: int | None
    columns: dict[str, int]
    unknown: list[int]


def identify(grid: Grid) -> SheetMatch | None:
    if other_sheet(grid.name):
        return None
    named = _sheet_by_name(grid.name)
    candidates = [named] if named else list(forms.FORM_SHEETS)
    best: tuple | None = None
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        keys = [header_keys(value) for value in row[:HEADER_SEARCH_COLUMNS]]
        for sheet in candidates:
            found, unknown = match_headers(row, sheet, keys)
            if len(found) < (1 if named else 2):
                continue
            complete = all(c.name in found for c in sheet.columns if c.kind != "info")
            # a complete header beats a partial one, then more recognised columns, then the earlier row
            score = (complete, len(found), -r)
            if best is None or score > best[0]:
                best = (score, SheetMatch(sheet, grid, r, found, unknown))
    if best is None:
        return SheetMatch(named, grid, None, {}, []) if named else None
    return best[1]


# --- parsing values ---------------------------------------------------------------------------


def _number_text(value: str) -> tuple[float | None, str | None]:
    text = value.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    if text.startswith(FORMULA_ERRORS):
        return None, "formula_error"
    text = re.sub(r"(?i)\s*(eur|euro|€)\s*$", "", re.sub(r"^\s*€\s*", "", text)).strip()
    if not text:
        return None, None
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-").strip()
    # digit groups separated by spaces or apostrophes: "1 234", "12 345,5"
    if re.fullmatch(r"\d{1,3}([ ']\d{3})+([.,]\d+)?", text):
        text = re.sub(r"[ ']", "", text)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif text.count(".") > 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        return None, "not_a_number"
    return sign * float(text), None


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A count of persons from a cell: (whole number ≥ 0, None), (None, None) when blank, else (None, rule).

    Tolerates text such as "12 ", "1 234", "3,0" and "1 234,0"; "3,5" is a fraction and -2 negative.
    """
    number, rule = _number(value)
    if rule or number is None:
        return None, rule
    if number < 0:
        return None, "negative"
    if not float(number).is_integer():
        return None, "fractional"
    return int(number), None


def parse_money(value: object) -> tuple[float | None, str | None]:
    """An amount in euro from a cell: (amount ≥ 0, None), (None, None) when blank, else (None, rule)."""
    number, rule = _number(value)
    if rule or number is None:
        return None, rule
    if number < 0:
        return None, "negative"
    return round(float(number), 2), None


def _number(value: object) -> tuple[float | int | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        return None, "not_a_number"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        return (None, None) if value != value else (value, None)
    return _number_text(str(value))


_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})\.?"), (3, 2, 1)),
    (re.compile(r"(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?"), (1, 2, 3)),
)


FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)  # what a date of the plan can be


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """A date from a cell: a date cell, an Excel day number, or text like 30.09.2020 or 2020-09-30.

    A date outside 2000–2100 (1900 from Excel's day 60, a typo like 2999) is refused here, as
    the dataset would refuse it.
    """
    date, rule = _parse_date(value)
    if date is not None and not FIRST_DATE <= date <= LAST_DATE:
        return None, "date_outside"
    return date, rule


def _parse_date(value: object) -> tuple[dt.date | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel day number (1954–2119) in a cell not formatted as a date
            return from_excel(value).date(), None
        return None, "not_a_date"
    text = " ".join(str(value).split())
    for pattern, (y, m, d) in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match.group(y)), int(match.group(m)), int(match.group(d))), None
            except ValueError:
                return None, "not_a_date"
    return None, "not_a_date"


def _choice_table(column: forms.FormColumn) -> dict[str, str]:
    table: dict[str, str] = {}
    vocabulary = forms.VOCABULARIES[column.vocabulary]
    for code in column.choices:
        lv, en = vocabulary[code]
        for name in (code, lv, en, forms.choice_label(column, code, "lv"), *forms.CHOICE_ALIASES.get(code, ())):
            table.setdefault(normal(name), code)
    return table


# The labels of every choice column of the form, normalised once (not once per cell read).
CHOICE_TABLES = {
    column: _choice_table(column) for sheet in forms.FORM_SHEETS for column in sheet.columns if column.kind == "choice"
}


def parse_choice(column: forms.FormColumn, value: object) -> str | None:
    """The code a label stands for (Latvian or English name, code, or a known variant), else None."""
    if value is None:
        return None
    table = CHOICE_TABLES.get(column)
    if table is None:
        table = _choice_table(column)
    code = table.get(normal(value))
    if code is None:
        # "bērni ar … (FT)": a code in parentheses names the choice on its own
        inner = re.findall(r"\(([^)]*)\)", str(value))
        code = next((table[normal(x)] for x in inner if normal(x) in table and x.strip() in column.choices), None)
    return code
