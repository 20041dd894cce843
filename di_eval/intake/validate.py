"""Reading filled forms (.xlsx or CSV), tolerant parsing, validation and lossless, atomic ingestion.

A file is read into grids of cells (one per sheet), checked for personal data, matched to
the sheets of the form by sheet name or column headers, parsed cell by cell and checked
against the rules of the canonical tables. Every finding names the file, sheet, cell and
header as the spreadsheet shows them, in Latvian (default) or English.

Ingestion merges the rows of one or more files into a dataset folder in one step: the
folder is copied, the copy written and validated with ``di_eval.load``, then swapped into
place. Raw files are kept, unmodified, in ``raw/`` with their SHA-256.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import io
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from di_eval import dataset, paths
from di_eval import vocabulary as v
from di_eval.errors import DataValidationError, DiEvalError, Problem
from di_eval.intake import form as forms
from di_eval.intake import privacy
from di_eval.municipalities import alias_table, fold
from di_eval.schemas import DATA_TABLES, TABLES

MAX_BYTES = 20 * 1024 * 1024  # a filled form is well under 1 MB; anything this big is not one
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what an .xlsx may expand to (a guard against zip bombs)
HEADER_SEARCH_ROWS = 40
TOTAL_WORDS = {"kopa", "kopsumma", "pavisam", "total", "sum", "summa", "kopa eur"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:", "#SPILL!")

# --- messages ---------------------------------------------------------------------------------

# rule: (Latvian message, English message, Latvian advice, English advice); {names} come from params.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "file_missing": (
        "fails nav atrasts",
        "file not found",
        "Pārbaudiet faila nosaukumu un atrašanās vietu.",
        "Check the file's name and location.",
    ),
    "file_empty": (
        "fails ir tukšs (0 baitu)",
        "the file is empty (0 bytes)",
        "Lūdziet pašvaldību nosūtīt aizpildīto veidlapu vēlreiz.",
        "Ask the municipality to send the filled form again.",
    ),
    "file_too_large": (
        "fails ir pārāk liels ({size_mb} MB; atļauts līdz {limit_mb} MB)",
        "the file is too large ({size_mb} MB; the limit is {limit_mb} MB)",
        "Iesniedziet tikai veidlapu: izdzēsiet liekās lapas, attēlus un rindas un saglabājiet no jauna.",
        "Send only the form: remove extra sheets, pictures and rows, then save it again.",
    ),
    "password_protected": (
        "fails ir aizsargāts ar paroli (šifrēts), to nevar nolasīt",
        "the file is password-protected (encrypted) and cannot be read",
        "Atveriet failu, saglabājiet to bez paroles un nosūtiet vēlreiz.",
        "Open the file, save it without a password and send it again.",
    ),
    "legacy_xls": (
        "vecais Excel 97–2003 (.xls) formāts netiek pieņemts",
        "the old Excel 97–2003 (.xls) format is not accepted",
        "Saglabājiet failu kā Excel darbgrāmatu (.xlsx).",
        "Save the file as an Excel workbook (.xlsx).",
    ),
    "ods": (
        "OpenDocument (.ods) izklājlapa netiek pieņemta",
        "an OpenDocument (.ods) spreadsheet is not accepted",
        "LibreOffice: Fails → Saglabāt kā → Excel 2007-365 (.xlsx).",
        "LibreOffice: File → Save As → Excel 2007-365 (.xlsx).",
    ),
    "not_spreadsheet": (
        "fails nav izklājlapa (.xlsx) vai CSV",
        "the file is not a spreadsheet (.xlsx) or CSV",
        "Iesniedziet aizpildīto veidlapu .xlsx vai CSV formātā.",
        "Send the filled form as .xlsx or CSV.",
    ),
    "corrupt": (
        "failu nevar atvērt: tas ir bojāts vai nepilnīgs ({detail})",
        "the file cannot be opened: it is corrupt or incomplete ({detail})",
        "Atveriet to izklājlapu programmā, saglabājiet no jauna un nosūtiet vēlreiz.",
        "Open it in a spreadsheet program, save it again and send it again.",
    ),
    "csv_unreadable": (
        "CSV failu nevar nolasīt ({detail})",
        "the CSV file cannot be read ({detail})",
        "Saglabājiet lapu kā CSV (UTF-8 vai Windows-1257, atdalītājs komats vai semikols).",
        "Save the sheet as CSV (UTF-8 or Windows-1257, comma or semicolon separated).",
    ),
    "sheet_missing": (
        "trūkst lapas “{sheet_name}”",
        "sheet '{sheet_name}' is missing",
        "Izmantojiet veidlapu ar visām lapām; lapas nedzēsiet un nepārdēvējiet.",
        "Use the form with all its sheets; do not delete or rename sheets.",
    ),
    "header_missing": (
        "lapā nav atrasta kolonnu galvenes rinda",
        "no row of column headers found on the sheet",
        "Atjaunojiet galvenes rindu (4. rinda) tādu, kāda tā ir tukšajā veidlapā.",
        "Restore the header row (row 4) as it is in the blank form.",
    ),
    "not_data_sheet": (
        "šis ir veidlapas lapas “{sheet_name}” eksports: tajā nav datu",
        "this is an export of the form's sheet '{sheet_name}': it holds no data",
        "Šo failu ielādēt nav vajadzīgs; ielādējiet datu lapu CSV failus.",
        "There is no need to ingest this file; ingest the CSV files of the data sheets.",
    ),
    "table_unknown": (
        "nevar noteikt, kurai veidlapas lapai atbilst šie dati: nav atpazīstamas kolonnu galvenes",
        "cannot tell which sheet of the form this is: no recognised column headers",
        "Saglabājiet CSV no veidlapas lapas, nemainot kolonnu nosaukumus.",
        "Export the CSV from a sheet of the form without changing its column names.",
    ),
    "column_missing": (
        "trūkst kolonnas “{expected}”{unrecognised}",
        "column '{expected}' is missing{unrecognised}",
        "Atjaunojiet veidlapas kolonnas nosaukumu “{expected}” galvenes rindā; kolonnu secība var būt jebkura.",
        "Restore the form's column name '{expected}' in the header row; the columns may be in any order.",
    ),
    "municipality_missing": (
        "nav norādīta pašvaldība",
        "the municipality is not stated",
        "Ierakstiet pašvaldības nosaukumu vai ATVK kodu šūnā aiz “Pašvaldība:” (2. rinda).",
        "Enter the municipality's name or ATVK code in the cell after 'Municipality:' (row 2).",
    ),
    "municipality_unknown": (
        "nezināma pašvaldība",
        "unknown municipality",
        "Norādiet Kurzemes plānošanas reģiona pašvaldību ar nosaukumu vai ATVK kodu, piem., “Saldus novads” vai 0840200.",
        "Name a municipality of the Kurzeme planning region or give its ATVK code, e.g. 'Saldus novads' or 0840200.",
    ),
    "municipality_conflict": (
        "veidlapā norādītas dažādas pašvaldības ({first} un {second})",
        "the form names different municipalities ({first} and {second})",
        "Vienā veidlapā drīkst būt tikai vienas pašvaldības dati; izlabojiet pašvaldību visās lapās.",
        "A form holds one municipality's data; correct the municipality on every sheet.",
    ),
    "year_missing": (
        "nav norādīts gads",
        "the year is not stated",
        "Ierakstiet pārskata gadu šūnā aiz “Gads:” (2. rinda).",
        "Enter the reporting year in the cell after 'Year:' (row 2).",
    ),
    "year_invalid": (
        "gads nav skaitlis",
        "the year is not a number",
        "Ierakstiet gadu ar četriem cipariem, piem., 2020.",
        "Enter the year with four digits, e.g. 2020.",
    ),
    "year_outside": (
        "gads {year} ir ārpus plāna perioda {first}–{last}",
        "year {year} is outside the plan's period {first}–{last}",
        "Norādiet pārskata gadu no {first} līdz {last}.",
        "Give a reporting year from {first} to {last}.",
    ),
    "year_conflict": (
        "veidlapā norādīti dažādi gadi ({first} un {second})",
        "the form states different years ({first} and {second})",
        "Vienā veidlapā drīkst būt tikai viena gada dati; izlabojiet gadu visās lapās.",
        "A form holds one year's data; correct the year on every sheet.",
    ),
    "not_a_number": (
        "nav skaitlis",
        "not a number",
        "Ierakstiet skaitli, piem., 12 (bez teksta un mērvienībām); ja datu nav, atstājiet šūnu tukšu.",
        "Enter a number, e.g. 12 (no text or units); leave the cell blank if not known.",
    ),
    "fractional": (
        "personu skaitam jābūt veselam skaitlim",
        "a number of persons must be a whole number",
        "Ierakstiet veselu skaitli bez daļām (piem., 3, nevis 3,5).",
        "Enter a whole number without a fraction (e.g. 3, not 3.5).",
    ),
    "negative": (
        "nevar būt negatīvs",
        "must not be negative",
        "Ierakstiet 0 vai lielāku skaitli; ja datu nav, atstājiet šūnu tukšu.",
        "Enter 0 or more; leave the cell blank if not known.",
    ),
    "not_a_date": (
        "nav datums",
        "not a date",
        "Ierakstiet datumu formā DD.MM.GGGG, piem., 30.09.2020.",
        "Enter a date as DD.MM.YYYY, e.g. 30.09.2020.",
    ),
    "formula_no_value": (
        "formulai nav aprēķinātas vērtības",
        "the formula has no computed value",
        "Atveriet failu izklājlapu programmā (lai formulas tiktu aprēķinātas) un saglabājiet no jauna, vai ierakstiet skaitli.",
        "Open the file in a spreadsheet program (so that formulas are computed) and save it again, or type the number.",
    ),
    "formula_error": (
        "formulas kļūda",
        "formula error",
        "Izlabojiet formulu vai ierakstiet skaitli.",
        "Correct the formula or type the number.",
    ),
    "choice_unknown": (
        "vērtība nav atļauto sarakstā",
        "not one of the allowed values",
        "Izvēlieties no saraksta: {choices}.",
        "Choose from the list: {choices}.",
    ),
    "key_missing": (
        "rindā ir dati, bet kolonna “{expected}” ir tukša",
        "the row has data but '{expected}' is blank",
        "Izvēlieties vērtību no saraksta vai izdzēsiet rindu.",
        "Choose a value from the list or delete the row.",
    ),
    "service_not_in_plan": (
        "plāns šai mērķa grupai neparedz šo pakalpojumu",
        "the plan does not give this service to this target group",
        "Šai mērķa grupai izvēlieties: {choices}.",
        "For this target group choose: {choices}.",
    ),
    "any_on_services": (
        "unikālās personas (jebkurš pakalpojums) šajā lapā neraksta",
        "unique persons (any service) do not belong on this sheet",
        "Ierakstiet tās lapā “{sheet_name}”.",
        "Enter them on the sheet '{sheet_name}'.",
    ),
    "duplicate_row": (
        "šī rinda atkārto rindu {first_row}",
        "this row repeats row {first_row}",
        "Atstājiet vienu rindu ar šo kombināciju.",
        "Keep one row for this combination.",
    ),
    "new_exceeds_served": (
        "jauno personu ({new}) ir vairāk nekā saņēmēju ({served}, šūna {other})",
        "more new persons ({new}) than persons served ({served}, cell {other})",
        "Pārbaudiet abus skaitļus: jaunās personas ir daļa no visiem saņēmējiem.",
        "Check both numbers: the new persons are part of all persons served.",
    ),
    "support_exceeds_assessments": (
        "atbalsta plānu ({plans}) ir vairāk nekā izvērtējumu ({assessments}, šūna {other})",
        "more support plans ({plans}) than assessments ({assessments}, cell {other})",
        "Atbalsta plānu izstrādā pēc izvērtējuma: pārbaudiet abus skaitļus.",
        "A support plan follows an assessment: check both numbers.",
    ),
    "any_below_largest": (
        "unikālo personu ({value}) ir mazāk nekā lielākajā pakalpojumā ({largest}, lapa “{sheet_name}”)",
        "fewer unique persons ({value}) than in the largest single service ({largest}, sheet '{sheet_name}')",
        "Unikālo personu ir vismaz tik, cik lielākajā pakalpojumā, un ne vairāk kā visu pakalpojumu summa.",
        "Unique persons are at least the largest service and at most the sum over services.",
    ),
    "any_above_sum": (
        "unikālo personu ({value}) ir vairāk nekā visu pakalpojumu summa ({total}, lapa “{sheet_name}”)",
        "more unique persons ({value}) than the sum over services ({total}, sheet '{sheet_name}')",
        "Unikālo personu ir vismaz tik, cik lielākajā pakalpojumā, un ne vairāk kā visu pakalpojumu summa.",
        "Unique persons are at least the largest service and at most the sum over services.",
    ),
    "project_unknown": (
        "nezināms infrastruktūras projekts",
        "unknown infrastructure project",
        "Izvēlieties pašvaldības projektu no saraksta ({choices}); par jaunu projektu sazinieties ar plānošanas reģionu.",
        "Choose one of the municipality's projects ({choices}); for a new project contact the planning region.",
    ),
    "project_elsewhere": (
        "projekts pieder citai pašvaldībai ({owner})",
        "the project belongs to another municipality ({owner})",
        "Ierakstiet tikai savas pašvaldības projektus: {choices}.",
        "Enter only your municipality's projects: {choices}.",
    ),
    "milestone_order": (
        "posma datums ir agrāks par iepriekšējā posma datumu ({previous}, šūna {other})",
        "the milestone is dated before the previous milestone ({previous}, cell {other})",
        "Pārbaudiet datumus: būvdarbu sākums ≤ būvdarbu pabeigšana ≤ pakalpojuma uzsākšana.",
        "Check the dates: construction start ≤ construction end ≤ service opened.",
    ),
    "form_blank": (
        "veidlapā nav neviena skaitļa vai datuma",
        "the form holds no number or date at all",
        "Aizpildiet veidlapu; ja pašvaldība datus neiesniedz, failu neielādējiet.",
        "Fill in the form; if the municipality sends no data, do not ingest the file.",
    ),
    "personal_code": (
        "šūnā ir personas kods ({masked}); fails netiek pieņemts",
        "the cell holds a personal identity code ({masked}); the file is refused",
        "Izdzēsiet personas kodus: veidlapā drīkst būt tikai kopskaiti. Nosūtiet failu no jauna.",
        "Delete personal codes: the form holds totals only. Send the file again.",
    ),
    "person_names": (
        "kolonnā ir personu vārdi ({count} šūnas); fails netiek pieņemts",
        "the column holds person names ({count} cells); the file is refused",
        "Izdzēsiet vārdus un uzvārdus: veidlapā drīkst būt tikai kopskaiti. Nosūtiet failu no jauna.",
        "Delete names: the form holds totals only. Send the file again.",
    ),
    "already_received": (
        "par {name} {year}. gadu jau saņemts cits fails ({received}, {earlier})",
        "a different file for {name}, {year} was already received ({received}, {earlier})",
        "Ja šis fails aizstāj iepriekšējo, ielādējiet ar --replace (iepriekšējais fails tiek saglabāts).",
        "If this file replaces the earlier one, ingest with --replace (the earlier file is kept).",
    ),
    "duplicate_in_batch": (
        "šajā ielādē ir vēl viens fails par {name} {year}. gadu ({other})",
        "another file in this ingest is for {name}, {year} too ({other})",
        "Ielādējiet vienu failu par katru pašvaldību un gadu.",
        "Ingest one file per municipality and year.",
    ),
    "dataset_rule": (
        "pēc apvienošanas datu kopa neatbilst noteikumam: {detail}",
        "after merging, the dataset breaks a rule: {detail}",
        "Izlabojiet vērtību veidlapā vai datu kopā (pārbaude: di-eval check).",
        "Correct the value in the form or in the dataset (check: di-eval check).",
    ),
}


# Rules whose message already states the value: the text does not repeat it.
_VALUE_IN_MESSAGE = {
    "personal_code",
    "new_exceeds_served",
    "support_exceeds_assessments",
    "any_below_largest",
    "any_above_sum",
    "year_outside",
}


@dataclass(frozen=True)
class Finding:
    """One problem with a submitted file: where it is (file, sheet, cell, header), the value and the rule."""

    file: str
    sheet: str | None
    cell: str | None
    header: str | None
    value: object
    rule: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def row(self) -> int | None:
        """The row number as the spreadsheet shows it."""
        match = re.fullmatch(r"[A-Z]+(\d+)", self.cell or "")
        return int(match.group(1)) if match else None

    def _params(self, lang: str) -> dict:
        """The message parameters; in English a parameter ``x_en`` stands for ``x``."""
        params = dict(self.params)
        if lang == "en":
            params.update({k[:-3]: x for k, x in self.params if k.endswith("_en")})
        return params

    def message(self, lang: str = "lv") -> str:
        lv, en, _, _ = MESSAGES[self.rule]
        return (lv if lang == "lv" else en).format(**self._params(lang))

    def advice(self, lang: str = "lv") -> str:
        _, _, lv, en = MESSAGES[self.rule]
        return (lv if lang == "lv" else en).format(**self._params(lang))

    def where(self, lang: str = "lv") -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"{'lapa' if lang == 'lv' else 'sheet'} “{self.sheet}”")
        cell = f"{'šūna' if lang == 'lv' else 'cell'} {self.cell}" if self.cell else ""
        header = f"“{self.header}”" if self.header else ""
        if cell or header:
            parts.append(" ".join(x for x in (cell, header) if x))
        return ", ".join(parts)

    def text(self, lang: str = "lv") -> str:
        shown = self.value not in (None, "") and self.rule not in _VALUE_IN_MESSAGE
        value = "" if not shown else f" ({'vērtība' if lang == 'lv' else 'value'}: “{self.value}”)"
        todo = "Ko darīt" if lang == "lv" else "What to do"
        return f"{self.where(lang)}: {self.message(lang)}{value}. {todo}: {self.advice(lang)}"

    def __str__(self) -> str:
        return self.text("lv")

    def as_dict(self, lang: str = "lv") -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "header": self.header,
            "value": self.value,
            "rule": self.rule,
            "message": self.message(lang),
            "advice": self.advice(lang),
        }

    def problem(self, lang: str = "lv") -> Problem:
        """The finding as a Problem of the package's error type."""
        file = f"{self.file} [{self.sheet}]" if self.sheet else self.file
        column = " ".join(x for x in (self.cell, self.header and f"“{self.header}”") if x) or None
        return Problem(file, self.row, column, self.value, f"{self.message(lang)}. {self.advice(lang)}")


class IntakeError(DataValidationError):
    """Raised when submitted files cannot be accepted; carries every finding (file, sheet, cell, rule)."""

    def __init__(self, findings: Sequence[Finding], source: str = "intake", lang: str = "lv"):
        self.findings = list(findings)
        self.lang = lang
        super().__init__([f.problem(lang) for f in self.findings], source)

    def __reduce__(self):
        return (self.__class__, (self.findings, self.source, self.lang))


def _shown(value: object) -> object:
    """A cell's value as it may be printed: personal codes masked, names hidden, long text cut."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return privacy.redact(value) if privacy.find_personal_codes(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if privacy.looks_like_person_name(value):
        return "***"
    text = privacy.redact(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
    shown = str(path)

    def refuse(rule: str, **params) -> tuple[str, list[Grid], list[Finding]]:
        return "", [], [Finding(shown, None, None, None, None, rule, tuple(params.items()))]

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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as err:
        return refuse("corrupt", detail=err.__class__.__name__)
    try:
        grids = _xlsx_grids(path)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; each means "corrupt"
        return refuse("corrupt", detail=err.__class__.__name__)
    return "xlsx", grids, []


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
            rows = [_trim(list(row)) for row in ws.iter_rows(values_only=True)]
            fws = formulas[ws.title]
            fws.reset_dimensions()
            pending = set()
            for r, row in enumerate(fws.iter_rows(values_only=True)):
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
    best = None
    for delimiter in (";", ",", "\t"):
        try:
            rows = [_trim([cell for cell in row]) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        except csv.Error as err:
            return refuse("csv_unreadable", detail=str(err))
        score = (_recognised_headers(rows), sum(1 for row in rows if len(row) > 1))
        if best is None or score > best[0]:
            best = (score, rows)
    return "csv", [Grid(path.stem, best[1])], []


def _recognised_headers(rows: list[list[object]]) -> int:
    best = 0
    for row in rows[:HEADER_SEARCH_ROWS]:
        for sheet in forms.FORM_SHEETS:
            best = max(best, len(_match_headers(row, sheet)[0]))
    return best


# --- recognising sheets and headers -----------------------------------------------------------


def normal(text: object) -> str:
    """Text as headers and labels are compared: folded, without parentheses or punctuation."""
    folded = fold(str(text)).replace("_", " ")
    folded = re.sub(r"\([^)]*\)", " ", folded)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def _header_forms(column: forms.FormColumn) -> set[str]:
    names = {column.lv, column.en, column.name, *column.aliases}
    found = {normal(n) for n in names}
    found |= {re.sub(r"\s*\b(eur|euro|skaits|number)$", "", n) for n in found}
    return {n for n in found if n}


def _match_headers(row: Sequence[object], sheet: forms.FormSheet) -> tuple[dict[str, int], list[int]]:
    """Which form columns a row of headers holds (name -> index), and the indexes of unknown headers."""
    found: dict[str, int] = {}
    unknown = []
    for c, value in enumerate(row):
        if not isinstance(value, str) or not value.strip():
            continue
        key = normal(value)
        key_short = re.sub(r"\s*\b(eur|euro|skaits|number)$", "", key)
        match = next(
            (col.name for col in sheet.columns if col.name not in found and {key, key_short} & _header_forms(col)),
            None,
        )
        if match:
            found[match] = c
        else:
            unknown.append(c)
    return found, unknown


def _other_sheet(name: str) -> str | None:
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


def _identify(grid: Grid) -> SheetMatch | None:
    if _other_sheet(grid.name):
        return None
    named = _sheet_by_name(grid.name)
    candidates = [named] if named else list(forms.FORM_SHEETS)
    best: tuple | None = None
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        for sheet in candidates:
            found, unknown = _match_headers(row, sheet)
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


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """A date from a cell: a date cell, an Excel day number, or text like 30.09.2020 or 2020-09-30."""
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


def parse_choice(column: forms.FormColumn, value: object) -> str | None:
    """The code a label stands for (Latvian or English name, code, or a known variant), else None."""
    if value is None:
        return None
    table = _choice_table(column)
    code = table.get(normal(value))
    if code is None:
        # "bērni ar … (FT)": a code in parentheses names the choice on its own
        inner = re.findall(r"\(([^)]*)\)", str(value))
        code = next((table[normal(x)] for x in inner if normal(x) in table and x.strip() in column.choices), None)
    return code


# --- a submission: one file, read and checked -------------------------------------------------


@dataclass
class FormRow:
    """A data row of a sheet: its codes and values, and where each came from."""

    sheet: str
    number: int  # the row number as the spreadsheet shows it
    keys: dict[str, str]
    values: dict[str, object]
    cells: dict[str, str]
    headers: dict[str, str]


@dataclass
class Submission:
    """A read and checked file: who and which year it is for, its rows per form sheet, and its findings."""

    path: Path
    kind: str
    sha256: str | None
    atvk_code: str | None = None
    name: str | None = None
    year: int | None = None
    sheets: dict[str, list[FormRow]] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def covered(self) -> frozenset[str]:
        """The form sheets this file reports."""
        return frozenset(self.sheets)


@dataclass(frozen=True)
class Context:
    """What checking a file needs to know: the municipalities and the infrastructure projects."""

    municipalities: dict[str, str]  # atvk_code -> official name
    aliases: dict[str, str]  # folded alias -> atvk_code
    projects: dict[str, str]  # project_id -> atvk_code
    reference_dir: Path

    @classmethod
    def load(cls, data_dir: str | Path | None = None, reference_dir: str | Path | None = None) -> Context:
        """The context from a dataset folder (if given and present) and its reference facts."""
        data_dir = Path(data_dir) if data_dir is not None else None
        if reference_dir is None:
            own = data_dir / "reference" if data_dir is not None else None
            reference_dir = own if own is not None and own.is_dir() else paths.REFERENCE_DIR
        reference_dir = Path(reference_dir)
        municipalities = dataset.read_csv_text(reference_dir / "municipalities.csv")
        projects = {}
        for folder in (reference_dir, data_dir):
            path = folder / "infrastructure_projects.csv" if folder is not None else None
            if path is not None and path.is_file():
                frame = dataset.read_csv_text(path)
                projects.update(zip(frame["project_id"], frame["atvk_code"]))
        return cls(
            dict(zip(municipalities["atvk_code"], municipalities["name"])),
            alias_table(municipalities),
            projects,
            reference_dir,
        )


def read_form(path: str | Path, context: Context | None = None) -> Submission:
    """Read and check one filled form (.xlsx) or one sheet of it (CSV); the findings list every problem."""
    context = context or Context.load()
    path = Path(path)
    kind, grids, findings = read_grids(path)
    submission = Submission(path, kind, sha256_of(path) if path.is_file() else None, findings=list(findings))
    if findings:
        return submission
    shown = str(path)
    known = _known_text(context)
    for grid in grids:
        submission.findings += _privacy_findings(shown, grid, known)
    matches = [m for m in (_identify(g) for g in grids) if m is not None]
    if kind == "csv" and not matches:
        other = _other_sheet(grids[0].name) if grids else None
        if other:
            submission.findings.append(
                Finding(shown, None, None, None, None, "not_data_sheet", (("sheet_name", other),))
            )
        else:
            rule = "table_unknown" if path.suffix.lower() in (".csv", ".txt", ".tsv") else "not_spreadsheet"
            submission.findings.append(Finding(shown, None, None, None, None, rule))
        return submission
    _check_identity(submission, grids, matches, context)
    if kind == "xlsx":
        present = {m.sheet.key for m in matches}
        for sheet in forms.FORM_SHEETS:
            if sheet.key not in present:
                submission.findings.append(
                    Finding(
                        shown, None, None, None, None, "sheet_missing", (("sheet_name", f"{sheet.lv} / {sheet.en}"),)
                    )
                )
    seen: set[str] = set()
    for match in matches:
        if match.sheet.key in seen:
            continue  # a second copy of a sheet (e.g. "Pakalpojumi (2)") is not read twice
        seen.add(match.sheet.key)
        rows = _read_rows(submission, match, context)
        if rows is not None:
            submission.sheets[match.sheet.key] = rows
            submission.sheet_names[match.sheet.key] = match.grid.name
    _check_rules(submission, context)
    if not submission.findings and not _has_any_value(submission):
        submission.findings.append(Finding(shown, None, None, None, None, "form_blank"))
    return submission


def _privacy_findings(file: str, grid: Grid, known: frozenset[str]) -> list[Finding]:
    found = []
    for hit in privacy.scan(grid.rows, known):
        if hit.kind == "personal_code":
            found.append(
                Finding(
                    file,
                    grid.name,
                    cell_name(hit.row, hit.column),
                    None,
                    hit.shown,
                    "personal_code",
                    (("masked", hit.shown),),
                )
            )
        else:
            found.append(
                Finding(
                    file, grid.name, cell_name(hit.row, hit.column), None, None, "person_names", (("count", hit.count),)
                )
            )
    return found


def _known_text(context: Context) -> frozenset[str]:
    names = set(context.aliases) | {fold(n) for n in context.municipalities.values()}
    for vocabulary in forms.VOCABULARIES.values():
        for lv, en in vocabulary.values():
            names |= {fold(lv), fold(en)}
    return frozenset(names)


# Labels of the identity cells (folded, without punctuation).
_IDENTITY = {
    "municipality": {"pasvaldiba", "municipality", "pasvaldibas nosaukums", "novads", "pasvaldiba novads"},
    "atvk_code": {"atvk kods", "atvk", "atvk code"},
    "year": {"gads", "year", "parskata gads", "reporting year", "parskata periods"},
}


def _identity_mentions(grid: Grid, until: int | None) -> list[tuple[str, object, str]]:
    """(kind, value, cell) for every "Pašvaldība: X", "ATVK kods: N", "Gads: Y" above the headers."""
    found = []
    last = until if until is not None else min(len(grid.rows), 10)
    for r in range(min(last, len(grid.rows))):
        row = grid.rows[r]
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            label, _, rest = value.partition(":")
            kind = next((k for k, labels in _IDENTITY.items() if normal(label) in labels), None)
            if kind is None:
                continue
            if rest.strip():
                found.append((kind, rest.strip(), cell_name(r, c)))
                continue
            # the value stands next to its label (one empty cell between is tolerated), never another label
            after = next(((cc, x) for cc, x in enumerate(row[c + 1 : c + 3], start=c + 1) if x is not None), None)
            if after is not None and not _is_identity_label(after[1]):
                found.append((kind, after[1], cell_name(r, after[0])))
    return found


def _is_identity_label(value: object) -> bool:
    if not isinstance(value, str):
        return False
    label = value.partition(":")[0]
    return value.strip().endswith(":") or any(normal(label) in labels for labels in _IDENTITY.values())


def _check_identity(submission: Submission, grids: list[Grid], matches: list[SheetMatch], context: Context) -> None:
    file = str(submission.path)
    headers = {id(m.grid): m.header_row for m in matches}
    codes: list[tuple[str, str, str]] = []  # (code, sheet, cell)
    years: list[tuple[int, str, str]] = []
    for grid in grids:
        if grid.name == forms.LISTS_SHEET:
            continue
        for kind, value, cell in _identity_mentions(grid, headers.get(id(grid))):
            if kind in ("municipality", "atvk_code"):
                code = _municipality_code(value, context)
                if code is None:
                    submission.findings.append(
                        Finding(file, grid.name, cell, None, _shown(value), "municipality_unknown")
                    )
                else:
                    codes.append((code, grid.name, cell))
            else:
                year, rule = parse_count(value)
                if rule or year is None:
                    year = _year_from_text(value)
                if year is None:
                    submission.findings.append(Finding(file, grid.name, cell, None, _shown(value), "year_invalid"))
                elif year not in v.YEARS:
                    submission.findings.append(
                        Finding(
                            file,
                            grid.name,
                            cell,
                            None,
                            year,
                            "year_outside",
                            (("year", year), ("first", v.FIRST_YEAR), ("last", v.LAST_YEAR)),
                        )
                    )
                else:
                    years.append((year, grid.name, cell))
    submission.atvk_code = _agree(submission, codes, "municipality", context)
    submission.name = context.municipalities.get(submission.atvk_code) if submission.atvk_code else None
    submission.year = _agree(submission, years, "year", context)


def _year_from_text(value: object) -> int | None:
    match = re.fullmatch(r"\s*(\d{4})\.?\s*(g\.|gads|gadā)?\s*", str(value))
    return int(match.group(1)) if match else None


def _municipality_code(value: object, context: Context) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = f"{int(value):07d}"  # an ATVK code that a spreadsheet turned into a number lost its 0
    text = str(value).strip()
    if re.fullmatch(r"\d{6,7}", text):
        text = text.zfill(7)
        return text if text in context.municipalities else None
    return context.aliases.get(fold(text))


def _agree(submission: Submission, mentions: list, kind: str, context: Context):
    file = str(submission.path)
    if not mentions:
        if not any(f.rule in (f"{kind}_unknown", "year_invalid", "year_outside") for f in submission.findings):
            submission.findings.append(Finding(file, None, None, None, None, f"{kind}_missing"))
        return None
    first = mentions[0]
    for other in mentions[1:]:
        if other[0] != first[0]:
            show = (lambda c: context.municipalities.get(c, c)) if kind == "municipality" else str
            submission.findings.append(
                Finding(
                    file,
                    other[1],
                    other[2],
                    None,
                    None,
                    f"{kind}_conflict",
                    (("first", f"{show(first[0])}, {first[1]} {first[2]}"), ("second", show(other[0]))),
                )
            )
            return None
    return first[0]


def _read_rows(submission: Submission, match: SheetMatch, context: Context) -> list[FormRow] | None:
    file, grid, sheet = str(submission.path), match.grid, match.sheet
    required = [c for c in sheet.columns if c.kind != "info"]
    missing = [c for c in required if c.name not in match.columns]
    if match.header_row is None:
        submission.findings.append(Finding(file, grid.name, None, None, None, "header_missing"))
        return None
    if missing:
        unknown = [(cell_name(match.header_row, c), grid.value(match.header_row, c)) for c in match.unknown]
        for column in missing:
            note_lv = note_en = ""
            if unknown:
                listed = ", ".join(f"{cell} “{privacy.redact(text)}”" for cell, text in unknown)
                note_lv, note_en = f"; neatpazītas galvenes: {listed}", f"; unrecognised headers: {listed}"
            submission.findings.append(
                Finding(
                    file,
                    grid.name,
                    cell_name(match.header_row, 0),
                    None,
                    None,
                    "column_missing",
                    (
                        ("expected", f"{column.lv} / {column.en}"),
                        ("unrecognised", note_lv),
                        ("unrecognised_en", note_en),
                    ),
                )
            )
        return None
    rows = []
    for r in range(match.header_row + 1, len(grid.rows)):
        row = _read_row(submission, match, r, context)
        if row is not None:
            rows.append(row)
    return rows


def _read_row(submission: Submission, match: SheetMatch, r: int, context: Context) -> FormRow | None:
    file, grid, sheet = str(submission.path), match.grid, match.sheet
    raw = {name: grid.value(r, c) for name, c in match.columns.items()}
    cells = {name: cell_name(r, c) for name, c in match.columns.items()}
    headers = {name: str(grid.value(match.header_row, c)) for name, c in match.columns.items()}
    pending = {name for name, c in match.columns.items() if (r, c) in grid.pending_formulas}
    if all(raw[c.name] is None for c in sheet.columns if c.name in raw) and not pending:
        return None
    first_key = raw.get(sheet.key_columns[0].name)
    if first_key is not None and normal(first_key) in TOTAL_WORDS:
        return None  # a total a person added; totals are computed, never read
    row = FormRow(sheet.key, r + 1, {}, {}, cells, headers)

    def problem(name: str, rule: str, value: object = None, **params) -> None:
        submission.findings.append(
            Finding(file, grid.name, cells[name], headers[name], _shown(value), rule, tuple(params.items()))
        )

    for column in sheet.key_columns:
        value = raw[column.name]
        if value is None:
            if any(raw[c.name] is not None for c in sheet.value_columns):
                problem(column.name, "key_missing", expected=headers[column.name])
            continue
        code = _parse_key(column, value, context, submission)
        if code is None:
            if column.name == "service" and parse_choice(_ANY_SERVICE, value) == "any":
                new_persons = forms.SHEETS_BY_KEY["new_persons"]
                problem(column.name, "any_on_services", value, sheet_name=new_persons.lv, sheet_name_en=new_persons.en)
            elif column.kind == "project":
                _project_problem(problem, column, value, context, submission)
            else:
                problem(column.name, "choice_unknown", value, **_choices(column, column.choices))
            continue
        row.keys[column.name] = code
    if row.keys.get("fund") == "total":
        return None
    for column in sheet.value_columns:
        value = raw[column.name]
        if column.name in pending:
            problem(column.name, "formula_no_value")
            continue
        parser = {"count": parse_count, "money": parse_money, "date": parse_date}[column.kind]
        parsed, rule = parser(value)
        if rule:
            problem(column.name, rule, value)
        row.values[column.name] = parsed
    if len(row.keys) < len(sheet.key_columns):
        return None  # an incomplete key: reported above if the row holds data, else an unused line
    return row


def _choices(column: forms.FormColumn, codes) -> dict[str, str]:
    """The allowed labels, as message parameters in both languages."""
    return {
        "choices": "; ".join(forms.choice_label(column, c, "lv") for c in codes),
        "choices_en": "; ".join(forms.choice_label(column, c, "en") for c in codes),
    }


_ANY_SERVICE = forms.FormColumn("service", "choice", "", "", choices=("any",), vocabulary="SERVICES")


def _parse_key(column: forms.FormColumn, value: object, context: Context, submission: Submission) -> str | None:
    if column.kind == "project":
        project = str(value).strip().upper()
        owner = context.projects.get(project)
        return project if owner is not None and owner == submission.atvk_code else None
    if column.name == "fund" and normal(value) in TOTAL_WORDS | {"total"}:
        return "total"
    return parse_choice(column, value)


def _project_problem(problem, column, value, context: Context, submission: Submission) -> None:
    own = sorted(p for p, owner in context.projects.items() if owner == submission.atvk_code)
    choices = ", ".join(own) or "—"
    owner = context.projects.get(str(value).strip().upper())
    if owner is not None and submission.atvk_code is not None:
        problem(
            column.name, "project_elsewhere", value, owner=context.municipalities.get(owner, owner), choices=choices
        )
    elif owner is None:
        problem(column.name, "project_unknown", value, choices=choices)


# --- rules across cells -----------------------------------------------------------------------


def _check_rules(submission: Submission, context: Context) -> None:
    for key, rows in submission.sheets.items():
        _duplicates(submission, rows)
        if key in ("services", "new_persons"):
            _not_more(submission, rows, "persons_new", "persons_served", "new_exceeds_served", "new", "served")
        if key == "services":
            _services_in_plan(submission, rows)
        if key == "needs_assessments":
            _not_more(
                submission, rows, "support_plans", "assessments", "support_exceeds_assessments", "plans", "assessments"
            )
        if key == "infrastructure":
            _milestone_order(submission, rows)
    if "services" in submission.sheets and "new_persons" in submission.sheets:
        _any_bounds(submission)


def _finding_at(submission: Submission, row: FormRow, name: str, cell_value, rule: str, **params) -> Finding:
    sheet = submission.sheet_names.get(row.sheet, row.sheet)
    return Finding(
        str(submission.path), sheet, row.cells[name], row.headers[name], cell_value, rule, tuple(params.items())
    )


def _row_key(row: FormRow) -> tuple:
    return tuple(sorted(row.keys.items()))


def _duplicates(submission: Submission, rows: list[FormRow]) -> None:
    sheet = forms.SHEETS_BY_KEY[rows[0].sheet] if rows else None
    if sheet is None:
        return
    seen: dict[tuple, FormRow] = {}
    wanted = len(sheet.key_columns)
    for row in rows:
        if len(row.keys) < wanted:
            continue
        key = _row_key(row)
        if key in seen:
            first = sheet.key_columns[0].name
            submission.findings.append(
                _finding_at(submission, row, first, None, "duplicate_row", first_row=seen[key].number)
            )
        else:
            seen[key] = row


def _not_more(submission, rows, part: str, whole: str, rule: str, part_name: str, whole_name: str) -> None:
    for row in rows:
        a, b = row.values.get(part), row.values.get(whole)
        if a is not None and b is not None and a > b:
            submission.findings.append(
                _finding_at(submission, row, part, a, rule, **{part_name: a, whole_name: b, "other": row.cells[whole]})
            )


def _services_in_plan(submission: Submission, rows: list[FormRow]) -> None:
    column = forms.SHEETS_BY_KEY["services"].columns[1]
    for row in rows:
        group, service = row.keys.get("target_group"), row.keys.get("service")
        if group and service and service not in v.GROUP_SERVICES[group]:
            shown = v.label(v.SERVICES, service)
            choices = _choices(column, v.GROUP_SERVICES[group])
            submission.findings.append(_finding_at(submission, row, "service", shown, "service_not_in_plan", **choices))


def _any_bounds(submission: Submission) -> None:
    services_sheet = submission.sheet_names["services"]
    for row in submission.sheets["new_persons"]:
        group = row.keys.get("target_group")
        for measure in ("persons_served", "persons_new"):
            value = row.values.get(measure)
            parts = [
                s.values.get(measure)
                for s in submission.sheets["services"]
                if s.keys.get("target_group") == group and s.values.get(measure) is not None
            ]
            if value is None or not parts:
                continue
            if value < max(parts):
                submission.findings.append(
                    _finding_at(
                        submission,
                        row,
                        measure,
                        value,
                        "any_below_largest",
                        value=value,
                        largest=max(parts),
                        sheet_name=services_sheet,
                    )
                )
            elif value > sum(parts):  # the dataset's rule: blanks do not count towards the sum
                submission.findings.append(
                    _finding_at(
                        submission,
                        row,
                        measure,
                        value,
                        "any_above_sum",
                        value=value,
                        total=sum(parts),
                        sheet_name=services_sheet,
                    )
                )


def _milestone_order(submission: Submission, rows: list[FormRow]) -> None:
    order = list(v.MILESTONES)
    for column in ("planned_date", "actual_date"):
        by_project: dict[str, list[FormRow]] = {}
        for row in rows:
            if row.keys.get("milestone") and row.values.get(column) is not None:
                by_project.setdefault(row.keys.get("project_id", ""), []).append(row)
        for found in by_project.values():
            found.sort(key=lambda r: order.index(r.keys["milestone"]))
            for earlier, later in zip(found, found[1:]):
                if later.values[column] < earlier.values[column]:
                    submission.findings.append(
                        _finding_at(
                            submission,
                            later,
                            column,
                            later.values[column].isoformat(),
                            "milestone_order",
                            previous=earlier.values[column].strftime("%d.%m.%Y"),
                            other=earlier.cells[column],
                        )
                    )


def _has_any_value(submission: Submission) -> bool:
    return any(
        value is not None for rows in submission.sheets.values() for row in rows for value in row.values.values()
    )


def validate(
    files: Iterable[str | Path], *, data_dir: str | Path | None = None, reference_dir: str | Path | None = None
) -> list[Submission]:
    """Read and check every file; each Submission lists its own findings (none means it can be ingested)."""
    context = Context.load(data_dir, reference_dir)
    return [read_form(path, context) for path in files]


# --- canonical rows ---------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A parsed value as the canonical CSV writes it."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"
    return str(value)


def canonical_rows(submission: Submission) -> dict[str, list[dict]]:
    """The submission as rows of the canonical tables (text, None for blank); each row records its origin."""
    atvk, year = submission.atvk_code, str(submission.year)
    out: dict[str, list[dict]] = {}
    sheets = submission.sheets
    if "services" in sheets or "new_persons" in sheets:
        given = {}
        for key in ("services", "new_persons"):
            for row in sheets.get(key, []):
                service = row.keys.get("service", "any")
                given[(row.keys["target_group"], service)] = row
        rows = []
        for group, services in v.GROUP_SERVICES.items():
            wanted = [*(services if "services" in sheets else ()), *(("any",) if "new_persons" in sheets else ())]
            for service in wanted:
                form_row = given.get((group, service))
                rows.append(
                    _row(
                        submission,
                        form_row,
                        year=year,
                        atvk_code=atvk,
                        target_group=group,
                        service=service,
                        persons_served=_value(form_row, "persons_served"),
                        persons_new=_value(form_row, "persons_new"),
                    )
                )
        out["service_uptake"] = rows
    if "transitions" in sheets:
        given = {row.keys["transition"]: row for row in sheets["transitions"]}
        out["transitions"] = [
            _row(
                submission,
                given.get(code),
                year=year,
                atvk_code=atvk,
                transition=code,
                persons=_value(given.get(code), "persons"),
            )
            for code in v.TRANSITIONS
        ]
    if "needs_assessments" in sheets:
        given = {row.keys["target_group"]: row for row in sheets["needs_assessments"]}
        out["needs_assessments"] = [
            _row(
                submission,
                given.get(group),
                year=year,
                atvk_code=atvk,
                target_group=group,
                assessments=_value(given.get(group), "assessments"),
                support_plans=_value(given.get(group), "support_plans"),
            )
            for group in ("FT", "GRT")
        ]
    if "finance" in sheets:
        out["finance"] = _finance_rows(submission, sheets["finance"], atvk, year)
    if "infrastructure" in sheets:
        out["infrastructure_milestones"] = [
            _row(
                submission,
                row,
                project_id=row.keys["project_id"],
                milestone=row.keys["milestone"],
                planned_date=_value(row, "planned_date"),
                actual_date=_value(row, "actual_date"),
            )
            for row in sheets["infrastructure"]
        ]
    return out


def _value(row: FormRow | None, name: str) -> str | None:
    return None if row is None else _text(row.values.get(name))


def _row(submission: Submission, origin: FormRow | None, **values) -> dict:
    values["__origin__"] = (submission, origin)
    return values


def _finance_rows(submission: Submission, rows: list[FormRow], atvk: str, year: str) -> list[dict]:
    measures = ("planned_eur", "contracted_eur", "paid_eur")
    out = []
    fund_order = list(v.FUNDS)
    for programme in v.PROGRAMMES:
        parts = [
            r
            for r in rows
            if r.keys.get("programme") == programme and any(r.values.get(m) is not None for m in measures)
        ]
        if not parts:
            continue  # a programme with no amount at all is not reported
        parts.sort(key=lambda r: fund_order.index(r.keys["fund"]))
        for r in parts:
            out.append(
                _row(
                    submission,
                    r,
                    programme=programme,
                    year=year,
                    atvk_code=atvk,
                    fund=r.keys["fund"],
                    **{m: _value(r, m) for m in measures},
                )
            )
        totals = {}
        for m in measures:
            known = [r.values[m] for r in parts if r.values.get(m) is not None]
            totals[m] = _text(round(sum(known), 2)) if known else None
        out.append(_row(submission, None, programme=programme, year=year, atvk_code=atvk, fund="total", **totals))
    return out


# --- ingestion --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file: ingested, replaced an earlier file, or unchanged (already there)."""

    file: str
    atvk_code: str
    name: str
    year: int
    action: str  # "ingested", "replaced", "unchanged"
    status: str  # the submissions log status: received or late
    sheets: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class IngestResult:
    into: Path
    outcomes: tuple[IngestOutcome, ...]

    @property
    def changed(self) -> bool:
        return any(o.action != "unchanged" for o in self.outcomes)


class _Tables:
    """The canonical tables of a dataset folder as text rows, read lazily, written only if changed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, list[dict]] = {}
        self.headers: dict[str, list[str]] = {}
        self.changed: set[str] = set()
        self.fresh = not any((folder / TABLES[n].filename).is_file() for n in DATA_TABLES)

    def get(self, name: str) -> list[dict]:
        if name not in self.rows:
            path = self.folder / TABLES[name].filename
            if path.is_file():
                with open(path, newline="", encoding="utf-8") as handle:
                    reader = csv.DictReader(handle)
                    self.headers[name] = list(reader.fieldnames or TABLES[name].schema.columns)
                    self.rows[name] = [{k: (x if x != "" else None) for k, x in row.items()} for row in reader]
            else:
                self.headers[name] = list(TABLES[name].schema.columns)
                self.rows[name] = []
        return self.rows[name]

    def set(self, name: str, rows: list[dict]) -> None:
        self.rows[name] = rows
        self.changed.add(name)

    def write(self, folder: Path) -> None:
        names = self.changed | ({n for n in DATA_TABLES} if self.fresh else set())
        for name in names:
            self.get(name)
            partial = folder / f".{TABLES[name].filename}.partial"
            with open(partial, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(
                    handle, fieldnames=self.headers[name], extrasaction="ignore", lineterminator="\n"
                )
                writer.writeheader()
                writer.writerows(self.rows[name])
            partial.replace(folder / TABLES[name].filename)


def ingest(
    files: Iterable[str | Path],
    into: str | Path,
    *,
    replace: bool = False,
    received: dt.date | None = None,
    reference_dir: str | Path | None = None,
) -> IngestResult:
    """Validate ``files`` and merge them into the dataset folder ``into`` in one atomic step.

    Raises IntakeError listing every finding if any file is refused; then ``into`` is unchanged.
    A file already ingested changes nothing; a different file for a municipality and year
    already received is refused unless ``replace``, which keeps both in the submissions log.
    """
    into = Path(into)
    received = received or dt.date.today()
    files = [Path(f) for f in files]
    _check_target(into)
    if not into.parent.is_dir():
        # check before creating folders, so that a refused ingest leaves no trace
        context = Context.load(None, reference_dir)
        findings = [f for path in files for f in read_form(path, context).findings]
        if findings:
            raise IntakeError(findings, str(into))
    try:
        into.parent.mkdir(parents=True, exist_ok=True)
        with _locked(into.parent):
            return _ingest_locked(files, into, replace, received, reference_dir)
    except OSError as err:
        raise DiEvalError(f"cannot write the dataset {into}: {err.strerror or err}") from None


def _check_target(into: Path) -> None:
    """Refuse a target that is a file, or a folder that holds something other than a dataset."""
    if into.exists() and not into.is_dir():
        raise DiEvalError(f"{into} is a file, not a dataset folder")
    if into.is_dir() and any(into.iterdir()):
        if not any((into / TABLES[n].filename).is_file() for n in DATA_TABLES):
            raise DiEvalError(f"{into} is not empty and holds no dataset tables: give a dataset folder or a new one")


def _ingest_locked(files, into, replace, received, reference_dir) -> IngestResult:
    context = Context.load(into if into.is_dir() else None, reference_dir)
    submissions = [read_form(path, context) for path in files]
    findings = [f for s in submissions for f in s.findings]
    if findings:
        raise IntakeError(findings, str(into))
    tables = _Tables(into)
    plan, findings = _plan(submissions, tables, into, replace, context)
    if findings:
        raise IntakeError(findings, str(into))
    if all(action == "unchanged" for _, action, _ in plan):
        return IngestResult(into, tuple(_outcome(s, a, r, tables) for s, a, r in plan))
    return _apply(plan, tables, into, received, reference_dir, context)


@contextlib.contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on ``folder`` so that two ingests never interleave."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


def _raw_name(submission: Submission) -> str:
    safe = re.sub(r"[^\w.\- ]", "_", submission.path.name).strip() or "form"
    return f"raw/{submission.sha256[:12]}_{safe}"


def _active(rows: list[dict], atvk: str, year: int) -> list[dict]:
    return [
        r for r in rows if r["atvk_code"] == atvk and r["year"] == str(year) and r["status"] in ("received", "late")
    ]


def _covered_by(row: dict, into: Path, context: Context) -> frozenset[str]:
    """Which form sheets an earlier submission reported: read from its raw file, all if unknown."""
    every = frozenset(forms.SHEETS_BY_KEY)
    if not row.get("file"):
        return every
    earlier = read_form(into / row["file"], context)
    return earlier.covered or every


def _plan(submissions, tables: _Tables, into: Path, replace: bool, context: Context):
    """Decide per file: unchanged, ingested or replaced; refuse clashes. Returns (plan, findings)."""
    log = tables.get("submissions")
    plan, findings = [], []
    batch: dict[tuple[str, int], list[Submission]] = {}
    for s in submissions:
        others = batch.setdefault((s.atvk_code, s.year), [])
        if any(o.sha256 == s.sha256 for o in others):
            continue  # the same file twice in one call
        clash = [o for o in others if o.covered & s.covered]
        if clash:
            findings.append(
                Finding(
                    str(s.path),
                    None,
                    None,
                    None,
                    None,
                    "duplicate_in_batch",
                    (("name", s.name), ("year", s.year), ("other", str(clash[0].path))),
                )
            )
            continue
        others.append(s)
        active = _active(log, s.atvk_code, s.year)
        if any(r.get("sha256") == s.sha256 for r in active):
            plan.append((s, "unchanged", []))
            continue
        overlapping = [r for r in active if _covered_by(r, into, context) & s.covered]
        if overlapping and not replace:
            earlier = overlapping[-1]
            findings.append(
                Finding(
                    str(s.path),
                    None,
                    None,
                    None,
                    None,
                    "already_received",
                    (
                        ("name", s.name),
                        ("year", s.year),
                        ("received", earlier.get("received_date") or "?"),
                        ("earlier", earlier.get("file") or "—"),
                    ),
                )
            )
            continue
        plan.append((s, "replaced" if overlapping else "ingested", overlapping))
    return plan, findings


def _status(year: int, received: dt.date) -> str:
    return "late" if received > forms.due_date(year) else "received"


def _outcome(s: Submission, action: str, _replaced, tables: _Tables, status: str | None = None) -> IngestOutcome:
    raw = _raw_name(s)
    if status is None:  # already there: report what the log says about it
        row = next(r for r in _active(tables.get("submissions"), s.atvk_code, s.year) if r.get("sha256") == s.sha256)
        status, raw = row["status"], row.get("file") or raw
    return IngestOutcome(str(s.path), s.atvk_code, s.name, s.year, action, status, tuple(sorted(s.covered)), raw)


def _apply(plan, tables: _Tables, into: Path, received: dt.date, reference_dir, context: Context) -> IngestResult:
    outcomes = []
    staging = Path(tempfile.mkdtemp(prefix=f".{into.name}.ingest-", dir=into.parent))
    try:
        if into.is_dir():
            _copy_dataset(into, staging)
            shutil.copystat(into, staging)
        else:
            umask = os.umask(0)
            os.umask(umask)
            staging.chmod(0o777 & ~umask)
        (staging / "raw").mkdir(exist_ok=True)
        for s, action, replaced in plan:
            if action == "unchanged":
                outcomes.append(_outcome(s, action, replaced, tables))
                continue
            _merge(tables, s, context)
            status = _status(s.year, received)
            _log(tables, s, replaced, received, status)
            _keep_raw(s, staging)
            outcomes.append(_outcome(s, action, replaced, tables, status))
        tables.write(staging)
        _check_staged(staging, into, tables, reference_dir)
        _swap(staging, into)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IngestResult(into, tuple(outcomes))


def _copy_dataset(source: Path, target: Path) -> None:
    """Copy a dataset folder; raw files are hard-linked (they are never modified) to save space."""

    def copy(src, dst):
        if Path(src).parent.name == "raw" and Path(src).name != "SHA256SUMS":
            try:
                os.link(src, dst)
                return dst
            except OSError:
                pass
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=copy, dirs_exist_ok=True)


def _keep_raw(s: Submission, staging: Path) -> None:
    target = staging / _raw_name(s)
    if not target.exists():
        shutil.copyfile(s.path, target)
        target.chmod(0o444)
    sums = staging / "raw" / "SHA256SUMS"
    lines = sums.read_text(encoding="utf-8").splitlines() if sums.exists() else []
    entry = f"{s.sha256}  {target.name}"
    if entry not in lines:
        partial = sums.with_name(".SHA256SUMS.partial")
        partial.write_text("\n".join(sorted([*lines, entry])) + "\n", encoding="utf-8")
        partial.replace(sums)


def _log(tables: _Tables, s: Submission, replaced: list[dict], received: dt.date, status: str) -> None:
    rows = [
        r
        for r in tables.get("submissions")
        if not (r["atvk_code"] == s.atvk_code and r["year"] == str(s.year) and r["status"] == "missing")
    ]
    for row in replaced:
        row["status"] = "replaced"
    key = (s.atvk_code, str(s.year), received.isoformat(), s.sha256)
    existing = next((r for r in rows if (r["atvk_code"], r["year"], r["received_date"], r.get("sha256")) == key), None)
    if existing is not None:
        existing["status"] = status  # the same file sent again the same day after another replaced it
    else:
        rows.append(
            {
                "atvk_code": s.atvk_code,
                "year": str(s.year),
                "due_date": forms.due_date(s.year).isoformat(),
                "received_date": received.isoformat(),
                "status": status,
                "file": _raw_name(s),
                "sha256": s.sha256,
            }
        )
    tables.set("submissions", rows)


def _merge(tables: _Tables, s: Submission, context: Context) -> None:
    """Replace this municipality-year's rows of every sheet the file reports; keep everything else."""
    new = canonical_rows(s)
    year = str(s.year)

    def this(row):
        return row["atvk_code"] == s.atvk_code and row["year"] == year

    if "service_uptake" in new:
        scope_any = "new_persons" in s.sheets
        scope_services = "services" in s.sheets

        def uptake(row):
            is_any = row["service"] == "any"
            return this(row) and ((is_any and scope_any) or (not is_any and scope_services))

        _replace(
            tables, "service_uptake", uptake, new["service_uptake"], ("year", "atvk_code", "target_group", "service")
        )
        _order_block(tables, "service_uptake", this, _uptake_rank)
    for name, key in (
        ("transitions", ("year", "atvk_code", "transition")),
        ("needs_assessments", ("year", "atvk_code", "target_group")),
        ("finance", ("programme", "year", "atvk_code", "fund")),
    ):
        if name in new:
            _replace(tables, name, this, new[name], key)
    if "infrastructure_milestones" in new:
        _merge_milestones(tables, s, new["infrastructure_milestones"], context)


def _uptake_rank(row: dict) -> tuple[int, int]:
    groups = list(v.GROUP_SERVICES)
    services = [*v.GROUP_SERVICES.get(row["target_group"], ()), "any"]
    group = groups.index(row["target_group"]) if row["target_group"] in groups else len(groups)
    service = services.index(row["service"]) if row["service"] in services else len(services)
    return group, service


def _order_block(tables: _Tables, name: str, in_block, rank) -> None:
    """Put a municipality-year's rows together in the canonical order, where the first of them stood."""
    rows = tables.get(name)
    block = [r for r in rows if in_block(r)]
    if not block:
        return
    start = next(i for i, r in enumerate(rows) if in_block(r))
    ordered = sorted(block, key=rank)
    if ordered != block or any(in_block(r) for r in rows[start + len(block) :]):
        others = [r for r in rows if not in_block(r)]
        tables.set(name, others[:start] + ordered + others[start:])


def _replace(tables: _Tables, name: str, in_scope, new_rows: list[dict], key: tuple[str, ...]) -> None:
    """Rows in scope are replaced by ``new_rows`` where their keys meet (keeping their place), others dropped."""
    by_key = {tuple(r[k] for k in key): r for r in new_rows}
    out, placed, insert_at = [], set(), None
    for row in tables.get(name):
        if in_scope(row):
            k = tuple(row[c] for c in key)
            if k in by_key and k not in placed:
                out.append(by_key[k])
                placed.add(k)
            insert_at = len(out)
            continue
        out.append(row)
    rest = [r for r in new_rows if tuple(r[k] for k in key) not in placed]
    at = len(out) if insert_at is None else insert_at
    tables.set(name, out[:at] + rest + out[at:])


def _merge_milestones(tables: _Tables, s: Submission, new_rows: list[dict], context: Context) -> None:
    """A reported date replaces the one recorded; a blank leaves it (dates are not per year)."""
    rows = [dict(r) for r in tables.get("infrastructure_milestones")]
    source = f"municipal form {s.year}: {_raw_name(s)}"
    for new in new_rows:
        _ensure_project(tables, new["project_id"], context)
        match = next(
            (r for r in rows if (r["project_id"], r["milestone"]) == (new["project_id"], new["milestone"])), None
        )
        if match is None:
            if new["planned_date"] is None and new["actual_date"] is None:
                continue
            last = max((i for i, r in enumerate(rows) if r["project_id"] == new["project_id"]), default=len(rows) - 1)
            rows.insert(last + 1, {**new, "source": source})
            continue
        merged = {c: new[c] if new[c] is not None else match[c] for c in ("planned_date", "actual_date")}
        if any(merged[c] != match[c] for c in merged):
            match.update(merged, source=source, __origin__=new["__origin__"])
    tables.set("infrastructure_milestones", rows)


def _ensure_project(tables: _Tables, project_id: str, context: Context) -> None:
    """A project known only from the reference facts is added to the dataset with them."""
    projects = tables.get("infrastructure_projects")
    if any(p["project_id"] == project_id for p in projects):
        return
    reference = dataset.read_csv_text(context.reference_dir / "infrastructure_projects.csv")
    found = reference[reference["project_id"] == project_id]
    if found.empty:
        return  # the staged load reports the unknown project
    record = {k: (None if x != x else x) for k, x in found.iloc[0].to_dict().items()}
    record.setdefault("synthetic_fields", None)
    tables.set("infrastructure_projects", [*projects, record])


def _check_staged(staging: Path, into: Path, tables: _Tables, reference_dir) -> None:
    """Load the staged dataset; map each problem back to the form cell it came from."""
    try:
        dataset.load(staging, reference_dir)
    except DataValidationError as err:
        raise IntakeError(_map_problems(err.problems, staging, into, tables), str(into)) from None


def _map_problems(problems: list[Problem], staging: Path, into: Path, tables: _Tables) -> list[Finding]:
    found = []
    for problem in problems:
        name = Path(problem.file).stem
        origin = None
        if name in tables.rows and problem.row is not None and 2 <= problem.row < len(tables.rows[name]) + 2:
            origin = tables.rows[name][problem.row - 2].get("__origin__")
        if origin and origin[1] is not None:
            submission, row = origin
            column = problem.column if problem.column in row.cells else next(iter(row.cells))
            sheet = submission.sheet_names.get(row.sheet, row.sheet)
            found.append(
                Finding(
                    str(submission.path),
                    sheet,
                    row.cells[column],
                    row.headers[column],
                    _shown(problem.value),
                    "dataset_rule",
                    (("detail", problem.rule),),
                )
            )
        else:
            file = problem.file.replace(str(staging), str(into))
            where = f"{problem.column}, row {problem.row}" if problem.row else problem.column
            found.append(
                Finding(file, None, None, where, _shown(problem.value), "dataset_rule", (("detail", problem.rule),))
            )
    return found


def _swap(staging: Path, into: Path) -> None:
    """Put the staged folder in place of ``into`` with renames, so readers never see a half-written one."""
    if not into.exists():
        staging.rename(into)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{into.name}.replaced-", dir=into.parent))
    into.rename(old)  # onto the empty folder just made: a name nobody else holds
    try:
        staging.rename(into)
    except BaseException:
        old.rename(into)
        raise
    shutil.rmtree(old, ignore_errors=True)
