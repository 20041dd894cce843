"""The privacy guard: Latvian personal identity codes and columns of person names in a spreadsheet.

Only aggregates may enter a dataset. A file that carries a personal code (old form
``DDMMYY-CNNNN``, new form ``32NNNN-NNNNN``) or a column of person names is refused; the
finding names the cell but never repeats a code in full (see ``mask``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from di_eval.municipalities import fold

# Six digits, an optional hyphen (or dash, or space), five digits; not part of a longer number.
_CODE = re.compile(r"(?<!\d)(\d{6})[-\u2010-\u2015 ]?(\d{5})(?![\d])")
_CENTURY = {"0": 1800, "1": 1900, "2": 2000}
KEEP_DIGITS = 2

# Headers that announce person-level data (compared after folding: lower case, no diacritics).
_NAME_HEADERS = {
    "vards",
    "uzvards",
    "vards uzvards",
    "uzvards vards",
    "klients",
    "klienta vards",
    "klienta vards uzvards",
    "klienta uzvards",
    "personas vards",
    "personas vards uzvards",
    "personas kods",
    "pers kods",
    "name",
    "surname",
    "first name",
    "last name",
    "full name",
    "given name",
    "family name",
    "name surname",
    "client",
    "client name",
    "person name",
    "personal code",
    "person code",
    "personal identity code",
}
_UPPER = "A-ZĀČĒĢĪĶĻŅŠŪŽ"
_LOWER = "a-zāčēģīķļņšūž"
_NAME_WORD = f"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_PERSON_NAME = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}$")
MIN_NAME_CELLS = 2  # one capitalised pair may be a place; a column of them is a list of people


@dataclass(frozen=True)
class PrivacyHit:
    """Personal data found in a sheet: where (0-based row and column), what kind, and a safe rendering."""

    row: int
    column: int
    kind: str  # "personal_code" or "person_names"
    shown: str  # a masked code, or how many cells hold names
    count: int = 1


def _is_code(first: str, second: str) -> bool:
    if first.startswith("32"):
        return True  # the new form (since 2017) carries no date
    century = _CENTURY.get(second[0])
    if century is None:
        return False
    try:
        dt.date(century + int(first[4:6]), int(first[2:4]), int(first[0:2]))
    except ValueError:
        return False
    return True


def _as_text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        # a code typed without its hyphen becomes a number in a spreadsheet; a fraction is never a code
        return str(int(value)) if value.is_integer() else ""
    return str(value)


def find_personal_codes(value: object) -> list[str]:
    """Every substring of ``value`` that is a Latvian personal identity code, as written."""
    text = _as_text(value)
    return [m.group(0) for m in _CODE.finditer(text) if _is_code(m.group(1), m.group(2))]


def mask(code: str) -> str:
    """The code with every digit after the first two replaced by '*': safe to print."""
    kept = 0
    out = []
    for ch in code:
        if ch.isdigit():
            out.append(ch if kept < KEEP_DIGITS else "*")
            kept += 1
        else:
            out.append(ch)
    return "".join(out)


def redact(value: object) -> str:
    """``value`` as text with every personal code in it masked."""
    text = "" if value is None else str(value)
    for code in find_personal_codes(value):
        text = text.replace(code, mask(code))
    return text


def looks_like_person_name(value: object) -> bool:
    """True for text shaped like 'Vārds Uzvārds' (a first name and a surname): two or three capitalised words and nothing else."""
    return isinstance(value, str) and bool(_PERSON_NAME.match(" ".join(value.split())))


def is_name_header(value: object) -> bool:
    """True for a column header that announces person names or personal codes."""
    if not isinstance(value, str):
        return False
    words = re.sub(r"[^0-9a-z]+", " ", fold(value)).split()
    return " ".join(words) in _NAME_HEADERS


def scan(rows: Sequence[Sequence[object]], allowed_text: frozenset[str] = frozenset()) -> list[PrivacyHit]:
    """Personal codes in any cell and columns of person names; ``allowed_text`` (folded) are known labels."""
    hits: list[PrivacyHit] = []
    names: dict[int, list[int]] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            for code in find_personal_codes(value):
                hits.append(PrivacyHit(r, c, "personal_code", mask(code)))
            if looks_like_person_name(value) and fold(value) not in allowed_text:
                names.setdefault(c, []).append(r)
            if is_name_header(value) and _column_has_values(rows, r, c):
                hits.append(PrivacyHit(r, c, "person_names", str(value), _column_count(rows, r, c)))
    for c, found in names.items():
        if len(found) >= MIN_NAME_CELLS and not any(h.kind == "person_names" and h.column == c for h in hits):
            hits.append(PrivacyHit(found[0], c, "person_names", "", len(found)))
    return sorted(hits, key=lambda h: (h.row, h.column, h.kind))


def _column_count(rows, header_row: int, column: int) -> int:
    return sum(
        1
        for row in rows[header_row + 1 :]
        if column < len(row) and row[column] not in (None, "") and str(row[column]).strip()
    )


def _column_has_values(rows, header_row: int, column: int) -> bool:
    return _column_count(rows, header_row, column) > 0
