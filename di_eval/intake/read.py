"""Reading a submitted file into grids of cells: .xlsx (openpyxl) or CSV (encoding and delimiter detected).

Refuses, with a Finding, what is not a readable spreadsheet: missing, empty, too large, legacy .xls,
password-protected, OpenDocument, damaged archives and undecodable text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from di_eval.intake import form as forms
from di_eval.intake.messages import Finding
from di_eval.intake.parse import HEADER_SEARCH_COLUMNS, HEADER_SEARCH_ROWS, header_keys, match_headers

MAX_BYTES = 20 * 1024 * 1024  # a filled form is well under 1 MB; anything this big is not one
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what an .xlsx may expand to (a guard against zip bombs)
MAX_COLUMNS = 1_000  # columns a sheet may use: a form's sheets have fewer than ten
MAX_ROWS = 10_000  # rows a sheet may have: a form's sheets have a few dozen; more is not a form (and slow)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# --- reading files into grids -----------------------------------------------------------------


@dataclass
class Grid:
    """One sheet of a workbook (or a CSV file) as rows of cell values; blanks are None."""

    name: str
    rows: list[list[object]]
    pending_formulas: frozenset[tuple[int, int]] = frozenset()  # formulas saved without a computed value

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else []
        return row[c] if c < len(row) else None


def cell_name(r: int, c: int) -> str:
    """The spreadsheet address of 0-based row ``r`` and column ``c``, e.g. C14."""
    return f"{get_column_letter(c + 1)}{r + 1}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_grids(path: str | Path) -> tuple[str, list[Grid], list[Finding]]:
    """The kind ("xlsx" or "csv") and sheets of a file, or findings saying why it cannot be read."""
    path = Path(path)

    def refuse(rule: str, **params) -> tuple[str, list[Grid], list[Finding]]:
        return "", [], [Finding(str(path), None, None, None, None, rule, tuple(params.items()))]

    try:
        return _read_grids(path, refuse)
    except OSError as err:  # no permission, a folder given as a file, a disk error
        return refuse("file_unreadable", detail=err.strerror or err.__class__.__name__)


def _read_grids(path: Path, refuse) -> tuple[str, list[Grid], list[Finding]]:
    if not path.is_file():
        return refuse("file_missing")
    size = path.stat().st_size
    if size == 0:
        return refuse("file_empty")
    if size > MAX_BYTES:
        return refuse("file_too_large", size_mb=round(size / 2**20, 1), limit_mb=MAX_BYTES // 2**20)
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith(OLE2_MAGIC):
        body = path.read_bytes()
        encrypted = "EncryptionInfo".encode("utf-16-le") in body or "EncryptedPackage".encode("utf-16-le") in body
        return refuse("password_protected" if encrypted else "legacy_xls")
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, refuse)
    if _looks_binary(head):
        return refuse("not_spreadsheet")
    return _read_csv(path, refuse)


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text (Excel's "Unicode text")
    return b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8"))


def _read_xlsx(path: Path, refuse):
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                return refuse("ods")
            if "xl/workbook.xml" not in names:
                return refuse("not_spreadsheet")
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                return refuse(
                    "file_too_large", size_mb=round(unpacked / 2**20, 1), limit_mb=MAX_UNPACKED_BYTES // 2**20
                )
            archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as err:
        return refuse("corrupt", detail=err.__class__.__name__)
    try:
        grids = _xlsx_grids(path)
    except _TooManyRows as err:
        return refuse("too_many_rows", sheet_name=err.sheet, limit=MAX_ROWS)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; each means "corrupt"
        return refuse("corrupt", detail=err.__class__.__name__)
    for grid in grids:
        if any(len(row) > MAX_COLUMNS for row in grid.rows):
            return refuse("too_many_columns", sheet_name=grid.name, limit=MAX_COLUMNS)
    return "xlsx", grids, []


class _TooManyRows(Exception):
    def __init__(self, sheet: str):
        self.sheet = sheet


def _xlsx_grids(path: Path) -> list[Grid]:
    with warnings.catch_warnings():
        # spreadsheet programs write extensions openpyxl does not know; they do not affect values
        warnings.simplefilter("ignore")
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        grids = []
        for ws in values.worksheets:
            ws.reset_dimensions()
            rows = []
            for row in ws.iter_rows(values_only=True):
                rows.append(_trim(list(row)))
                if len(rows) > MAX_ROWS:
                    raise _TooManyRows(ws.title)
            while rows and not rows[-1]:
                rows.pop()
            fws = formulas[ws.title]
            fws.reset_dimensions()
            pending = set()
            for r, row in enumerate(fws.iter_rows(values_only=True, max_row=max(len(rows), 1))):
                for c, raw in enumerate(row):
                    if isinstance(raw, str) and raw.startswith("=") and _at(rows, r, c) is None:
                        pending.add((r, c))
            grids.append(Grid(ws.title, rows, frozenset(pending)))
        return grids
    finally:
        values.close()
        formulas.close()


def _at(rows, r, c):
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _trim(row: list) -> list:
    row = [None if (isinstance(x, str) and not x.strip()) else x for x in row]
    while row and row[-1] is None:
        row.pop()
    return row


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1257")  # Windows Baltic: what Excel writes for "CSV" on a Latvian Windows


def _read_csv(path: Path, refuse):
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as err:
        return refuse("csv_unreadable", detail=f"encoding: {err.reason}")
    if text.count("\n") > MAX_ROWS + 1:
        return refuse("too_many_rows", sheet_name=path.name, limit=MAX_ROWS)
    best, error, wide = None, None, False
    for delimiter in (";", ",", "\t"):
        try:
            raw = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as err:
            error = str(err)  # e.g. a field too long with this delimiter: another may read it
            continue
        if any(len(row) > MAX_COLUMNS for row in raw):
            wide = True  # not trimmed nor matched: no sheet of the form is this wide
            continue
        rows = [_trim(row) for row in raw]
        score = (_recognised_headers(rows), sum(1 for row in rows if len(row) > 1))
        if best is None or score > best[0]:
            best = (score, rows)
    if best is None and wide:
        return refuse("too_many_columns", sheet_name=path.name, limit=MAX_COLUMNS)
    if best is None:
        return refuse("csv_unreadable", detail=error)
    return "csv", [Grid(path.stem, best[1])], []


def _recognised_headers(rows: list[list[object]]) -> int:
    best = 0
    for row in rows[:HEADER_SEARCH_ROWS]:
        keys = [header_keys(value) for value in row[:HEADER_SEARCH_COLUMNS]]
        for sheet in forms.FORM_SHEETS:
            best = max(best, len(match_headers(row, sheet, keys)[0]))
    return best
