"""Filling a generated form the way a person would: find the row by its labels, type into the cells.

Independent of the reader (di_eval.intake.read, .parse, .validation), so that a round trip tests the reader.
"""

from __future__ import annotations

import openpyxl
import pandas as pd

from di_eval.intake import form as forms


def sample_values(dataset, atvk: str, year: int) -> dict[str, dict[tuple, dict]]:
    """What the sample says a municipality reported for a year, keyed as the form's rows are."""

    def rows(frame):
        return frame[(frame["atvk_code"] == atvk) & (frame["year"] == year)]

    def value(x):
        if pd.isna(x):
            return None
        if isinstance(x, pd.Timestamp):
            return x.to_pydatetime()
        return x.item() if hasattr(x, "item") else x

    uptake = rows(dataset.service_uptake)
    out = {
        "services": {},
        "new_persons": {},
        "transitions": {},
        "needs_assessments": {},
        "infrastructure": {},
        "finance": {},
    }
    for r in uptake.itertuples():
        cells = {"persons_served": value(r.persons_served), "persons_new": value(r.persons_new)}
        if r.service == "any":
            out["new_persons"][(r.target_group,)] = cells
        else:
            out["services"][(r.target_group, r.service)] = cells
    for r in rows(dataset.transitions).itertuples():
        out["transitions"][(r.transition,)] = {"persons": value(r.persons)}
    for r in rows(dataset.needs_assessments).itertuples():
        out["needs_assessments"][(r.target_group,)] = {
            "assessments": value(r.assessments),
            "support_plans": value(r.support_plans),
        }
    for r in rows(dataset.finance).itertuples():
        if r.fund != "total":
            out["finance"][(r.programme, r.fund)] = {
                "planned_eur": value(r.planned_eur),
                "contracted_eur": value(r.contracted_eur),
                "paid_eur": value(r.paid_eur),
            }
    projects = dataset.infrastructure_projects
    own = set(projects.loc[projects["atvk_code"] == atvk, "project_id"])
    for r in dataset.infrastructure_milestones.itertuples():
        if r.project_id in own:
            out["infrastructure"][(r.project_id, r.milestone)] = {
                "planned_date": value(r.planned_date),
                "actual_date": value(r.actual_date),
            }
    return out


def _code(column: forms.FormColumn, label, lang: str):
    if label is None:
        return None
    if column.kind == "project":
        return label
    for code in column.choices:
        if forms.choice_label(column, code, lang) == label:
            return code
    raise AssertionError(f"label not in the form's list: {label!r}")


def locate(ws, sheet: forms.FormSheet, lang: str = "lv"):
    """Column index (1-based) of each form column, found by its header in row 4."""
    headers = {ws.cell(forms.HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    return {column.name: headers[column.header(lang)] for column in sheet.columns}


def row_keys(ws, sheet: forms.FormSheet, lang: str = "lv"):
    """(row number, key tuple) for every prefilled row of a sheet."""
    columns = locate(ws, sheet, lang)
    found = []
    for r in range(forms.FIRST_DATA_ROW, ws.max_row + 1):
        key = tuple(_code(c, ws.cell(r, columns[c.name]).value, lang) for c in sheet.key_columns)
        if all(k is not None for k in key):
            if sheet.key == "new_persons":
                key = key[:1]
            found.append((r, key))
    return found


def fill(path, values: dict[str, dict[tuple, dict]], lang: str = "lv", out=None) -> str:
    """Type ``values`` into the form at ``path``; rows the form lacks go on its spare lines."""
    workbook = openpyxl.load_workbook(path)
    for sheet in forms.FORM_SHEETS:
        ws = workbook[sheet.name(lang)]
        columns = locate(ws, sheet, lang)
        wanted = dict(values.get(sheet.key, {}))
        for r, key in row_keys(ws, sheet, lang):
            for name, x in wanted.pop(key, {}).items():
                ws.cell(r, columns[name]).value = x
        spare = forms.FIRST_DATA_ROW + len(row_keys(ws, sheet, lang))
        for key, cells in wanted.items():
            for column, code in zip(sheet.key_columns, key):
                ws.cell(spare, columns[column.name]).value = (
                    code if column.kind == "project" else forms.choice_label(column, code, lang)
                )
            for name, x in cells.items():
                ws.cell(spare, columns[name]).value = x
            spare += 1
    target = str(out or path)
    workbook.save(target)
    return target


def cell_of(path, sheet_key: str, key: tuple, column: str, lang: str = "lv") -> tuple[str, str]:
    """(sheet title, cell address) of one value cell of a form, found by its row's labels."""
    workbook = openpyxl.load_workbook(path)
    sheet = forms.SHEETS_BY_KEY[sheet_key]
    ws = workbook[sheet.name(lang)]
    columns = locate(ws, sheet, lang)
    for r, found in row_keys(ws, sheet, lang):
        if found == key:
            return ws.title, ws.cell(r, columns[column]).coordinate
    raise AssertionError(f"no row {key} on {sheet_key}")


def set_cells(path, changes: dict[tuple[str, str], object], out=None) -> str:
    """Set cells {(sheet title, address): value} and save."""
    workbook = openpyxl.load_workbook(path)
    for (title, address), x in changes.items():
        workbook[title][address].value = x
    target = str(out or path)
    workbook.save(target)
    return target
