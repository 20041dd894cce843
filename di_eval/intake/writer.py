"""Writing the data-collection form as an .xlsx workbook (openpyxl): protected sheets, dropdowns, a lists sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from di_eval import vocabulary as v
from di_eval.errors import DiEvalError
from di_eval.intake.form import (
    DATE_FORMAT,
    DATE_PATTERN,
    FIRST_DATA_ROW,
    FORM_SHEETS,
    HEADER_ROW,
    IDENTITY_LABELS,
    IDENTITY_ROW,
    INSTRUCTIONS,
    LISTS_SHEET,
    NOTE_ROW,
    TITLE_ROW,
    FormColumn,
    FormContent,
    FormSheet,
    choice_label,
    due_date,
    form_content,
)
from di_eval.municipalities import fold
from di_eval.text import Text, check_lang
from di_eval.text.formats import format_year

# --- writing the workbook ---------------------------------------------------------------------

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_form(
    out: str | Path,
    municipality: str,
    year: int,
    *,
    lang: str = "lv",
    prefill_from: str | Path | None = None,
    reference_dir: str | Path | None = None,
    overwrite: bool = True,
) -> Path:
    """Write the .xlsx form for one municipality and year to ``out`` (atomically) and return its path.

    If ``out`` is an existing folder, the file in it is named by ``default_filename``. With
    ``overwrite=False`` an existing file (perhaps a form someone filled in) is refused.
    """
    check_lang(lang)
    content = form_content(municipality, year, prefill_from, reference_dir)
    workbook = build_workbook(content, lang)
    out = Path(out)
    if out.is_dir():
        out = out / default_filename(content)
    if not overwrite and (out.exists() or out.is_symlink()):
        raise DiEvalError(f"{out} exists (it may be a filled form): give --force to overwrite it, or another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        workbook.save(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def default_filename(content: FormContent) -> str:
    """A file name that sorts by year and says whose form it is, in plain ASCII."""
    short = "".join(ch if ch.isalnum() else "_" for ch in fold(content.name)).strip("_")
    return f"{content.year}_{content.atvk_code}_{short}.xlsx"


def build_workbook(content: FormContent, lang: str = "lv") -> Workbook:
    """The form as an openpyxl workbook: instructions, one protected sheet per table, a hidden lists sheet."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS(lang)
    _write_instructions(instructions, content, lang)
    lists = _ListsSheet(workbook)
    for sheet in FORM_SHEETS:
        _write_sheet(workbook.create_sheet(sheet.name(lang)), sheet, content, lang, lists)
    lists.finish()
    # a fixed timestamp keeps forms written from the same content identical
    stamp = dt.datetime(content.year + 1, 1, 1)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = "di-eval"
    workbook.properties.title = _title(content, lang)
    return workbook


_FORM_TITLE = Text("DI plāna uzraudzības veidlapa — {name}, {year}", "DI plan monitoring form — {name}, {year}")


def _title(content: FormContent, lang: str) -> str:
    return _FORM_TITLE(lang, name=content.name, year=format_year(content.year, lang))


def _identity(ws, content: FormContent, lang: str, row: int, first_column: int = 1) -> None:
    pairs = [
        (IDENTITY_LABELS["municipality"](lang), content.name),
        (IDENTITY_LABELS["atvk_code"](lang), content.atvk_code),
        (IDENTITY_LABELS["year"](lang), content.year),
    ]
    column = first_column
    for label, value in pairs:
        ws.cell(row, column, label).font = _BOLD
        cell = ws.cell(row, column + 1, value)
        cell.number_format = "@" if label == pairs[1][0] else "General"
        cell.alignment = Alignment(horizontal="left")
        column += 2


_INSTRUCTIONS = Text(
    (
        "Aizpildiet katru lapu par pārskata gadu (1. janvāris–31. decembris). Pašvaldība un gads jau ir ierakstīti.",
        "Norādiet tikai kopskaitus. Neierakstiet personu vārdus, uzvārdus vai personas kodus — "
        "veidlapa ar tiem netiks pieņemta.",
        "Tukša šūna nozīmē “nav ziņu”; ja personu nebija, ierakstiet 0.",
        f"Personu skaits ir vesels skaitlis. Naudas summas — eiro (EUR), datumi — {DATE_PATTERN.lv}.",
        "“Pirmo reizi” — personas, kas šo pakalpojumu plāna ietvaros saņēma pirmo reizi; "
        "to nevar būt vairāk nekā saņēmēju.",
        "Lapā “Jaunās personas” katru personu skaitiet vienu reizi, arī ja tā saņēma vairākus pakalpojumus.",
        "Mērķa grupu, pakalpojumu, posmu, programmu un finansējuma avotu izvēlieties no saraksta.",
        "Finanšu lapā kopsummu neievadiet — to aprēķina automātiski.",
        "Nepārdēvējiet lapas un kolonnas. Saglabājiet failu .xlsx formātā (der arī katras lapas CSV) "
        "un nosūtiet plānošanas reģionam.",
    ),
    (
        "Fill in every sheet for the reporting year (1 January–31 December). The municipality and year are filled in.",
        "Enter totals only. Never enter names, surnames or personal identity codes — a form holding them is refused.",
        "A blank cell means “not reported”; if there were no persons, enter 0.",
        f"Numbers of persons are whole numbers. Money in euro (EUR), dates as {DATE_PATTERN.en}.",
        "“First time” means persons who got the service under the plan for the first time; never more than persons served.",
        "On the “New persons” sheet count unique persons: a person who used several services counts once.",
        "Choose target groups, services, milestones, programmes and funds from the dropdown lists.",
        "Do not enter the total on the finance sheet — it is computed.",
        "Do not rename sheets or columns. Save as .xlsx (a CSV of each sheet is accepted too) "
        "and send it to the planning region.",
    ),
)
_DUE_DATE = Text("Iesniegšanas termiņš:", "Due date:")
_TARGET_GROUPS = Text("Mērķa grupas", "Target groups")


def _write_instructions(ws, content: FormContent, lang: str) -> None:
    ws.cell(TITLE_ROW, 1, _title(content, lang)).font = _TITLE_FONT
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=8)
    _identity(ws, content, lang, IDENTITY_ROW)
    due = due_date(content.year)
    ws.cell(NOTE_ROW, 1, _DUE_DATE(lang)).font = _BOLD
    ws.cell(NOTE_ROW, 2, due).number_format = DATE_FORMAT
    ws.cell(NOTE_ROW, 2).alignment = Alignment(horizontal="left")
    row = NOTE_ROW + 2
    ws.cell(row, 1, INSTRUCTIONS(lang)).font = _BOLD
    for number, text in enumerate(_INSTRUCTIONS(lang), start=1):
        row += 1
        ws.cell(row, 1, f"{number}.")
        ws.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 32
    row += 2
    ws.cell(row, 1, _TARGET_GROUPS(lang)).font = _BOLD
    for code in v.TARGET_GROUPS:
        row += 1
        ws.cell(row, 1, code)
        ws.cell(row, 2, v.label(v.TARGET_GROUPS, code, lang))
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 22
    for column in "CDEFGH":
        ws.column_dimensions[column].width = 14
    ws.protection.sheet = True


class _ListsSheet:
    """A hidden sheet holding the dropdown lists, one column each."""

    def __init__(self, workbook: Workbook):
        self.ws = workbook.create_sheet(LISTS_SHEET)
        self.columns: dict[tuple, str] = {}

    def range_for(self, title: str, labels: list[str]) -> str:
        key = (title, *labels)
        if key not in self.columns:
            column = len(self.columns) + 1
            self.ws.cell(1, column, title).font = _BOLD
            for i, label in enumerate(labels, start=2):
                self.ws.cell(i, column, label)
            letter = get_column_letter(column)
            self.columns[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        return self.columns[key]

    def finish(self) -> None:
        """Hide and lock the lists and move them behind the data sheets."""
        self.ws.sheet_state = "hidden"
        self.ws.protection.sheet = True
        workbook = self.ws.parent
        workbook.move_sheet(self.ws, offset=len(workbook.sheetnames) - 1 - workbook.sheetnames.index(LISTS_SHEET))


def _write_sheet(ws, sheet: FormSheet, content: FormContent, lang: str, lists: _ListsSheet) -> None:
    width = max(len(sheet.columns), 6)
    ws.cell(TITLE_ROW, 1, f"{sheet.title(lang)} — {content.name}, {content.year}")
    ws.cell(TITLE_ROW, 1).font = _TITLE_FONT
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
    _identity(ws, content, lang, IDENTITY_ROW)
    ws.cell(NOTE_ROW, 1, sheet.note(lang)).alignment = _WRAP
    ws.merge_cells(start_row=NOTE_ROW, start_column=1, end_row=NOTE_ROW, end_column=width)
    ws.row_dimensions[NOTE_ROW].height = 30
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(HEADER_ROW, c, column.header(lang))
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 45
    rows = content.rows[sheet.key]
    last = FIRST_DATA_ROW + len(rows) + sheet.spare_rows - 1
    for r, values in enumerate(rows, start=FIRST_DATA_ROW):
        for c, column in enumerate(sheet.columns, start=1):
            _write_value(ws.cell(r, c), column, values.get(column.name), lang)
    if last >= FIRST_DATA_ROW:
        for c, column in enumerate(sheet.columns, start=1):
            _format_column(ws, c, column, FIRST_DATA_ROW, last, content, lang, lists)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.protection.sheet = True
    # people may add or remove lines and widen columns; the header rows stay locked
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_value(cell, column: FormColumn, value, lang: str) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    if column.kind == "choice":
        cell.value = choice_label(column, value, lang)
    elif column.kind == "count":
        cell.value = int(value)
    elif column.kind == "money":
        cell.value = float(value)
    elif column.kind == "date":
        cell.value = pd.Timestamp(value).to_pydatetime()
    else:
        cell.value = str(value)


def _format_column(ws, c: int, column: FormColumn, first: int, last: int, content, lang, lists) -> None:
    letter = get_column_letter(c)
    area = f"{letter}{first}:{letter}{last}"
    validation = _validation(column, content, lang, lists)
    if validation is not None:
        ws.add_data_validation(validation)
        validation.add(area)
    for r in range(first, last + 1):
        cell = ws.cell(r, c)
        if column.kind == "info":
            continue  # a project's name is shown for orientation; it is locked and not read
        cell.protection = _UNLOCKED
        cell.fill = _INPUT_FILL
        cell.number_format = {"count": "0", "money": "#,##0.00", "date": DATE_FORMAT}.get(column.kind, "@")


_NOT_IN_LIST = Text("Vērtība nav sarakstā", "Not in the list")
_CHOOSE_FROM_LIST = Text("Izvēlieties vērtību no saraksta.", "Choose a value from the list.")
_WHOLE_NUMBER = Text("Vesels skaitlis", "Whole number")
_ENTER_WHOLE_NUMBER = Text("Ierakstiet veselu skaitli, 0 vai vairāk.", "Enter a whole number, 0 or more.")
_DATE = Text("Datums", "Date")
_ENTER_DATE = Text(f"Ierakstiet datumu formā {DATE_PATTERN.lv}.", f"Enter a date as {DATE_PATTERN.en}.")
_AMOUNT = Text("Summa eiro", "Amount in euro")
_ENTER_AMOUNT = Text("Ierakstiet summu eiro, 0 vai vairāk.", "Enter an amount in euro, 0 or more.")


def _validation(column: FormColumn, content: FormContent, lang: str, lists: _ListsSheet) -> DataValidation | None:
    if column.kind in ("choice", "project"):
        if column.kind == "project":
            labels = list(content.projects)
        else:
            labels = [choice_label(column, code, lang) for code in column.choices]
        if not labels:
            return None
        return DataValidation(
            type="list",
            formula1=lists.range_for(column.header(lang), labels),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_NOT_IN_LIST(lang),
            error=_CHOOSE_FROM_LIST(lang),
        )
    if column.kind == "count":
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_WHOLE_NUMBER(lang),
            error=_ENTER_WHOLE_NUMBER(lang),
        )
    if column.kind == "date":
        return DataValidation(
            type="date",
            operator="between",
            formula1="DATE(2010,1,1)",
            formula2="DATE(2035,12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_DATE(lang),
            error=_ENTER_DATE(lang),
        )
    if column.kind == "money":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_AMOUNT(lang),
            error=_ENTER_AMOUNT(lang),
        )
    return None
