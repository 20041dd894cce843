"""Reading filled forms, tolerant parsing, findings in Latvian and English, and atomic ingestion."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import threading
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_intake.filling import cell_of, fill, sample_values, set_cells
from hypothesis import given, settings
from hypothesis import strategies as st

import di_eval
from di_eval import intake, paths
from di_eval.cli import main

# Aizpute has an infrastructure project and ERDF money; Liepāja in 2022 has its youth home (BSAC).
CASES = [("0640600", 2020), ("0170000", 2022)]
RECEIVED = dt.date(2021, 1, 20)


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes and mode: equal snapshots mean nothing changed."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def filled_form(tmp_path, sample_dataset, atvk="0640600", year=2020, lang="lv", name="form.xlsx") -> Path:
    path = tmp_path / name
    intake.write_form(path, atvk, year, lang=lang)
    fill(path, sample_values(sample_dataset, atvk, year), lang=lang)
    return path


def rules(submission) -> list[str]:
    return [f.rule for f in submission.findings]


def only(submission, rule):
    found = [f for f in submission.findings if f.rule == rule]
    assert found, f"no {rule} among {[str(f) for f in submission.findings]}"
    return found[0]


def table_rows(dataset, table, atvk, year=None) -> pd.DataFrame:
    frame = getattr(dataset, table)
    hit = frame["atvk_code"] == atvk
    if year is not None:
        hit &= frame["year"] == year
    key = list(di_eval.schemas.TABLES[table].key)
    return frame[hit].sort_values(key).reset_index(drop=True)


# --- parsing numbers, dates and labels --------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12 ", 12),
        ("1 234", 1234),
        ("3,0", 3),
        ("1 234,0", 1234),
        ("1\u00a0234", 1234),
        (" 7", 7),
        (7.0, 7),
        ("", None),
        (None, None),
    ],
)
def test_counts_typed_as_text(text, expected):
    assert intake.parse_count(text) == (expected, None)


@pytest.mark.parametrize(
    "text, rule",
    [("3,5", "fractional"), (2.5, "fractional"), ("-2", "negative"), (-1, "negative"), ("daudz", "not_a_number")],
)
def test_bad_counts_are_named(text, rule):
    assert intake.parse_count(text) == (None, rule)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10**7),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["", " ", "\u00a0"]),
    st.booleans(),
)
def test_any_whole_number_survives_the_ways_people_type_it(n, pad, group, decimal):
    text = f"{n:,}".replace(",", group) if group else str(n)
    if decimal:
        text += ",0"
    assert intake.parse_count(pad + text + pad) == (n, None)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 9), st.sampled_from([",", "."]))
def test_a_fraction_is_never_a_count(n, tenths, separator):
    assert intake.parse_count(f"{n}{separator}{tenths}") == (None, "fractional")


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**9))
def test_money_in_latvian_notation(cents):
    euros, rest = divmod(cents, 100)
    text = f"{euros:,}".replace(",", " ") + f",{rest:02d}"
    assert intake.parse_money(text) == (round(cents / 100, 2), None)
    assert intake.parse_money(f"{euros:,}.{rest:02d} EUR") == (round(cents / 100, 2), None)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("30.09.2020", dt.date(2020, 9, 30)),
        ("30.09.2020.", dt.date(2020, 9, 30)),
        ("2020-09-30", dt.date(2020, 9, 30)),
        ("2020. 09. 30.", dt.date(2020, 9, 30)),
        (dt.datetime(2020, 9, 30), dt.date(2020, 9, 30)),
        (44104, dt.date(2020, 9, 30)),
    ],
)
def test_dates(value, expected):
    assert intake.parse_date(value) == (expected, None)


@pytest.mark.parametrize("value", ["31.02.2020", "rīt", 12])
def test_not_dates(value):
    assert intake.parse_date(value) == (None, "not_a_date")


@pytest.mark.parametrize(
    "sheet, column, value, code",
    [
        ("services", 0, "FT", "FT"),
        ("services", 0, "BĒRNI AR FUNKCIONĀLIEM TRAUCĒJUMIEM", "FT"),
        ("services", 0, "children with functional impairments", "FT"),
        ("services", 0, "personas ar GRT", "GRT"),
        ("services", 0, "adults with mental disorders (GRT)", "GRT"),
        ("services", 1, "Socialā rehabilitacija", "social_rehabilitation"),
        ("services", 1, "social rehabilitation", "social_rehabilitation"),
        ("services", 1, "Atelpas brīdis", "respite"),
        ("services", 1, "day-care", "day_care"),
        ("finance", 1, "valsts budžets", "state"),
        ("finance", 1, "ERAF", "ERDF"),
        ("finance", 0, "ERDF infrastructure (9.3.1.1)", "ERDF_infrastructure"),
        ("infrastructure", 2, "pakalpojuma uzsākšana", "service_opened"),
    ],
)
def test_labels_in_latvian_english_and_variants(sheet, column, value, code):
    assert intake.parse_choice(intake.SHEETS_BY_KEY[sheet].columns[column], value) == code


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("atvk, year", CASES)
def test_a_filled_form_ingests_into_a_new_dataset_and_reproduces_the_sample(tmp_path, sample_dataset, atvk, year):
    form = filled_form(tmp_path, sample_dataset, atvk, year)
    into = tmp_path / "collected"
    result = intake.ingest([form], into, received=dt.date(year + 1, 1, 20))
    assert [o.action for o in result.outcomes] == ["ingested"]
    collected = di_eval.load(into)
    for table in ("service_uptake", "transitions", "needs_assessments", "finance"):
        pd.testing.assert_frame_equal(
            table_rows(collected, table, atvk, year), table_rows(sample_dataset, table, atvk, year), check_exact=False
        )
    own = sample_dataset.infrastructure_projects
    own = set(own.loc[own["atvk_code"] == atvk, "project_id"])
    expected = sample_dataset.infrastructure_milestones
    expected = expected[expected["project_id"].isin(own)].sort_values(["project_id", "milestone"])
    got = collected.infrastructure_milestones.sort_values(["project_id", "milestone"])
    assert got[["project_id", "milestone", "planned_date", "actual_date"]].values.tolist() == (
        expected[["project_id", "milestone", "planned_date", "actual_date"]].values.tolist()
    )
    log = collected.submissions
    assert log[["atvk_code", "year", "status"]].values.tolist() == [[atvk, year, "received"]]
    raw = into / log["file"].iloc[0]
    assert raw.read_bytes() == form.read_bytes()
    assert log["sha256"].iloc[0] == intake.sha256_of(form)
    assert f"{log['sha256'].iloc[0]}  {raw.name}" in (into / "raw" / "SHA256SUMS").read_text()


def test_an_english_form_reads_the_same(tmp_path, sample_dataset):
    lv = intake.canonical_rows(intake.read_form(filled_form(tmp_path, sample_dataset, name="lv.xlsx")))
    en = intake.canonical_rows(intake.read_form(filled_form(tmp_path, sample_dataset, lang="en", name="en.xlsx")))
    strip = lambda rows: {t: [{k: x for k, x in r.items() if k != "__origin__"} for r in rs] for t, rs in rows.items()}  # noqa: E731
    assert strip(lv) == strip(en)


def test_a_prefilled_form_replaces_its_rows_and_keeps_every_other_row(tmp_path, sample_copy):
    before = snapshot(sample_copy)
    form = intake.write_form(tmp_path / "prefilled.xlsx", "Aizpute", 2020, prefill_from=sample_copy)
    with pytest.raises(intake.IntakeError) as refused:
        intake.ingest([form], sample_copy, received=RECEIVED)
    assert [f.rule for f in refused.value.findings] == ["already_received"]
    assert snapshot(sample_copy) == before
    intake.ingest([form], sample_copy, received=RECEIVED, replace=True)
    after = snapshot(sample_copy)
    for table in ("service_uptake", "transitions", "needs_assessments", "infrastructure_milestones"):
        assert after[f"{table}.csv"] == before[f"{table}.csv"], table
    finance_before = before["finance.csv"][0].decode().splitlines()
    finance_after = after["finance.csv"][0].decode().splitlines()
    assert [r for r in finance_after if ",0640600," not in r or ",2020," not in r] == [
        r for r in finance_before if ",0640600," not in r or ",2020," not in r
    ]
    log = pd.read_csv(sample_copy / "submissions.csv", dtype=str, keep_default_na=False)
    mine = log[(log["atvk_code"] == "0640600") & (log["year"] == "2020")]
    assert sorted(mine["status"]) == ["received", "replaced"]
    di_eval.load(sample_copy)


def test_reingesting_the_same_file_changes_nothing(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    into = tmp_path / "ds"
    intake.ingest([form], into, received=RECEIVED)
    before = snapshot(into)
    again = intake.ingest([form], into, received=dt.date(2021, 3, 1))
    assert not again.changed and [o.action for o in again.outcomes] == ["unchanged"]
    assert snapshot(into) == before


def test_a_different_file_is_refused_unless_replace_which_keeps_both(tmp_path, sample_dataset):
    first = filled_form(tmp_path, sample_dataset, name="first.xlsx")
    title, cell = cell_of(first, "transitions", ("vsac_to_municipality",), "persons")
    second = set_cells(first, {(title, cell): 0}, out=tmp_path / "second.xlsx")
    into = tmp_path / "ds"
    intake.ingest([first], into, received=RECEIVED)
    before = snapshot(into)
    with pytest.raises(intake.IntakeError) as refused:
        intake.ingest([second], into, received=dt.date(2021, 2, 10))
    finding = refused.value.findings[0]
    assert finding.rule == "already_received" and "--replace" in finding.advice("lv")
    assert snapshot(into) == before
    result = intake.ingest([second], into, received=dt.date(2021, 2, 10), replace=True)
    assert [o.action for o in result.outcomes] == ["replaced"]
    log = di_eval.load(into).submissions.sort_values("received_date")
    assert log["status"].tolist() == ["replaced", "late"]
    assert log["sha256"].tolist() == [intake.sha256_of(first), intake.sha256_of(second)]
    for file in log["file"]:
        assert (into / file).is_file()
    assert (into / log["file"].iloc[0]).read_bytes() == Path(first).read_bytes()
    persons = di_eval.load(into).transitions
    assert persons.loc[persons["transition"] == "vsac_to_municipality", "persons"].tolist() == [0]


def test_a_form_for_a_missing_submission_replaces_the_missing_row(tmp_path, sample_copy, sample_dataset):
    values = sample_values(sample_dataset, "0624200", 2022)  # Alsunga's 2023 form never came
    form = tmp_path / "alsunga.xlsx"
    intake.write_form(form, "Alsunga", 2023)
    fill(form, values)
    intake.ingest([form], sample_copy, received=dt.date(2024, 2, 15))
    log = di_eval.load(sample_copy).submissions
    mine = log[(log["atvk_code"] == "0624200") & (log["year"] == 2023)]
    assert mine["status"].tolist() == ["late"]


def test_csv_sheets_in_every_encoding_ingest_like_the_workbook(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    workbook = openpyxl.load_workbook(form, data_only=True)
    encodings = [("utf-8-sig", ","), ("cp1257", ";"), ("utf-8", ";"), ("utf-8", ",")]
    files = []
    for i, sheet in enumerate(intake.FORM_SHEETS):
        encoding, delimiter = encodings[i % len(encodings)]
        path = tmp_path / f"veidlapa-{sheet.lv}.csv"
        with open(path, "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            for row in workbook[sheet.lv].iter_rows(values_only=True):
                writer.writerow([_as_typed(x, delimiter) for x in row])
        files.append(path)
    windows = (tmp_path / "veidlapa-Jaunās personas.csv").read_bytes()
    assert "Mērķa grupa" in windows.decode("cp1257")
    with pytest.raises(UnicodeDecodeError):
        windows.decode("utf-8")  # really Windows-1257, not UTF-8
    via_csv = tmp_path / "csv"
    via_xlsx = tmp_path / "xlsx"
    result = intake.ingest(files, via_csv, received=RECEIVED)
    assert [o.action for o in result.outcomes] == ["ingested"] * len(files)
    intake.ingest([form], via_xlsx, received=RECEIVED)
    for table in ("service_uptake", "transitions", "needs_assessments", "finance", "infrastructure_milestones"):
        a = pd.read_csv(via_csv / f"{table}.csv", dtype=str).drop(columns="source", errors="ignore")
        b = pd.read_csv(via_xlsx / f"{table}.csv", dtype=str).drop(columns="source", errors="ignore")
        pd.testing.assert_frame_equal(a, b)
    assert len(di_eval.load(via_csv).submissions) == len(files)


def _as_typed(value, delimiter):
    """A value as a person's spreadsheet writes it to CSV (Latvian decimal comma with ';')."""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and delimiter == ";":
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return "" if value is None else value


def test_a_second_csv_of_the_same_sheet_is_refused_in_one_batch(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    workbook = openpyxl.load_workbook(form, data_only=True)
    paths_ = []
    for i in range(2):
        path = tmp_path / f"copy{i}-Pārejas.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for r, row in enumerate(workbook["Pārejas"].iter_rows(values_only=True), start=1):
                row = ["" if x is None else x for x in row]
                if r == intake.FIRST_DATA_ROW:
                    row[1] = i  # the two files differ
                writer.writerow(row)
        paths_.append(path)
    with pytest.raises(intake.IntakeError) as refused:
        intake.ingest(paths_, tmp_path / "ds", received=RECEIVED)
    assert [f.rule for f in refused.value.findings] == ["duplicate_in_batch"]
    assert not (tmp_path / "ds").exists()


# --- real-world tolerance ---------------------------------------------------------------------


def test_municipality_by_alias_code_or_number_and_numbers_as_text(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    workbook = openpyxl.load_workbook(form)
    workbook["Pakalpojumi"]["B2"] = "AIZPUTES NOVADA PAŠVALDĪBA"
    workbook["Pārejas"]["B2"] = "aizpute"
    workbook["Finanses"]["D2"] = 640600  # a spreadsheet made the code a number
    workbook["Izvērtējumi"]["F2"] = "2020."
    ws = workbook["Pakalpojumi"]
    ws["C5"], ws["D5"] = "7 ", "0,0"
    ws["A6"] = "FT"
    ws["B6"] = "care"
    workbook.save(form)
    submission = intake.read_form(form)
    assert submission.ok, [str(f) for f in submission.findings]
    assert (submission.atvk_code, submission.year) == ("0640600", 2020)
    first = submission.sheets["services"][0]
    assert first.values == {"persons_served": 7, "persons_new": 0}


def test_blank_rows_totals_merged_cells_and_reordered_columns_are_tolerated(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    expected = intake.canonical_rows(intake.read_form(form))
    workbook = openpyxl.load_workbook(form)
    ws = workbook["Pakalpojumi"]
    ws.insert_rows(8, 2)  # blank lines in the middle
    last = ws.max_row + 1
    ws.cell(last, 1, "Kopā")  # a total line a person added
    ws.cell(last, 3, 999)
    needs = workbook["Izvērtējumi"]
    for r in range(intake.HEADER_ROW, needs.max_row + 1):  # swap the two count columns
        b, c = needs.cell(r, 2).value, needs.cell(r, 3).value
        needs.cell(r, 2).value, needs.cell(r, 3).value = c, b
    ws.merge_cells("E6:F7")
    workbook.save(form)
    got = intake.canonical_rows(intake.read_form(form))
    strip = lambda rows: {t: [{k: x for k, x in r.items() if k != "__origin__"} for r in rs] for t, rs in rows.items()}  # noqa: E731
    assert strip(got) == strip(expected)


def _set_cached_formula(path: Path, sheet_index: int, cell: str, formula: str, cached: str | None) -> None:
    """Write a formula into a cell with (or without) the value a spreadsheet program would have stored."""
    with zipfile.ZipFile(path) as archive:
        items = {name: archive.read(name) for name in archive.namelist()}
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    xml = items[name].decode()
    value = f"<v>{cached}</v>" if cached is not None else ""
    xml, count = re.subn(rf'<c r="{cell}"([^>]*?)(?:/>|>.*?</c>)', f'<c r="{cell}"><f>{formula}</f>{value}</c>', xml)
    assert count == 1
    items[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in items.items():
            archive.writestr(item, data)


def test_formulas_count_by_their_computed_value(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    index = openpyxl.load_workbook(form).sheetnames.index("Pakalpojumi") + 1
    _set_cached_formula(form, index, "C5", "3+4", "7")
    submission = intake.read_form(form)
    assert submission.sheets["services"][0].values["persons_served"] == 7
    _set_cached_formula(form, index, "C5", "3+4", None)
    finding = only(intake.read_form(form), "formula_no_value")
    assert (finding.sheet, finding.cell) == ("Pakalpojumi", "C5")


# --- bad input: every problem at once, in the spreadsheet's terms ------------------------------


def test_every_cell_problem_is_listed_with_sheet_cell_header_and_value(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    sheet, care_new = cell_of(form, "services", ("FT", "care"), "persons_new")
    _, respite = cell_of(form, "services", ("FT", "respite"), "persons_served")
    _, day_care = cell_of(form, "services", ("FT", "day_care"), "persons_served")
    _, care_served = cell_of(form, "services", ("FT", "care"), "persons_served")
    set_cells(form, {(sheet, care_new): 50, (sheet, respite): "3,5", (sheet, day_care): -2})
    submission = intake.read_form(form)
    by_cell = {f.cell: f for f in submission.findings}
    assert by_cell[respite].rule == "fractional" and by_cell[respite].value == "3,5"
    assert by_cell[respite].header == "Personas, kas saņēma pakalpojumu (skaits)"
    assert by_cell[day_care].rule == "negative"
    assert by_cell[care_new].rule == "new_exceeds_served"
    assert care_served in by_cell[care_new].message("lv")
    text = by_cell[respite].text("lv")
    assert f"lapa “Pakalpojumi”, šūna {respite}" in text and "jābūt veselam skaitlim" in text
    assert "Ko darīt:" in text
    assert "must be a whole number" in by_cell[respite].text("en")


def test_unknown_municipality_and_year_outside_the_plan(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    changes = {}
    for sheet in ["Norādījumi", *(s.lv for s in intake.FORM_SHEETS)]:
        changes[(sheet, "B2")] = "Rīgas novads"
        changes[(sheet, "D2")] = None
        changes[(sheet, "F2")] = 2030
    set_cells(form, changes)
    submission = intake.read_form(form)
    assert {"municipality_unknown", "year_outside"} <= set(rules(submission))
    outside = only(submission, "year_outside")
    assert outside.cell == "F2" and "2017–2023" in outside.message("lv")


def test_a_renamed_column_and_a_missing_sheet(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    workbook = openpyxl.load_workbook(form)
    workbook["Pārejas"]["B4"] = "Cik cilvēku"
    del workbook["Finanses"]
    workbook.save(form)
    submission = intake.read_form(form)
    renamed = only(submission, "column_missing")
    assert renamed.sheet == "Pārejas" and "Personas (skaits)" in renamed.message("lv")
    assert "B4 “Cik cilvēku”" in renamed.message("lv")
    assert "Finanses" in only(submission, "sheet_missing").message("lv")


def test_a_service_the_plan_does_not_give_and_an_unknown_label(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    set_cells(form, {("Pakalpojumi", "B5"): "jauniešu māja", ("Pakalpojumi", "A6"): "senioriem"})
    submission = intake.read_form(form)
    assert only(submission, "service_not_in_plan").cell == "B5"
    unknown = only(submission, "choice_unknown")
    assert unknown.cell == "A6" and "bērni ar funkcionāliem traucējumiem (FT)" in unknown.advice("lv")


def test_an_unknown_project_is_named(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    set_cells(form, {("Infrastruktūra", "A5"): "VEN-1"})
    finding = only(intake.read_form(form), "project_elsewhere")
    assert finding.cell == "A5" and "AIZ-1" in finding.advice("lv")


def test_a_blank_form_is_refused(tmp_path):
    form = intake.write_form(tmp_path / "blank.xlsx", "Saldus", 2021)
    assert rules(intake.read_form(form)) == ["form_blank"]


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


BAD_FILES = {
    "empty.xlsx": (lambda p: p.write_bytes(b""), "file_empty", "tukšs"),
    "picture.xlsx": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), "not_spreadsheet", "nav izklājlapa"),
    "letter.docx": (
        lambda p: zipfile.ZipFile(p, "w").writestr("word/document.xml", "<w/>"),
        "not_spreadsheet",
        "nav izklājlapa",
    ),
    "broken.xlsx": (None, "corrupt", "bojāts"),
    "secret.xlsx": (
        lambda p: p.write_bytes(intake.OLE2_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(512)),
        "password_protected",
        "aizsargāts ar paroli",
    ),
    "old.xls": (lambda p: p.write_bytes(intake.OLE2_MAGIC + bytes(1024)), "legacy_xls", ".xls"),
    "calc.ods": (_ods, "ods", ".ods"),
    "huge.xlsx": (lambda p: os.truncate(p.touch() or p, 100 * 2**20), "file_too_large", "pārāk liels"),
    "notes.csv": (lambda p: p.write_text("sveiki\nšis nav veidlapa\n"), "table_unknown", "nevar noteikt"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_get_a_clear_message_and_change_nothing(tmp_path, sample_dataset, sample_copy, capsys, name):
    make, rule, words = BAD_FILES[name]
    path = tmp_path / name
    if make is None:  # a real form cut short in transit
        form = filled_form(tmp_path, sample_dataset)
        path.write_bytes(form.read_bytes()[:5000])
    else:
        make(path)
    assert rules(intake.read_form(path)) == [rule]
    before = snapshot(sample_copy)
    assert main(["ingest", str(path), "--into", str(sample_copy)]) == 1
    err = capsys.readouterr().err
    assert words in err and "nekas netika mainīts" in err and "Traceback" not in err
    assert snapshot(sample_copy) == before


def test_a_missing_file_is_reported(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nav.xlsx")]) == 1
    assert "fails nav atrasts" in capsys.readouterr().out


# --- atomicity --------------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_the_dataset_as_it_was(tmp_path, sample_dataset, sample_copy, monkeypatch):
    form = filled_form(tmp_path, sample_dataset, "0620200", 2021)
    before = snapshot(sample_copy)

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(intake.ingestion, "_swap", crash)
    with pytest.raises(di_eval.DiEvalError, match="No space left"):
        intake.ingest([form], sample_copy, replace=True)
    assert snapshot(sample_copy) == before
    # nothing is left beside it but the lock file (empty; the operating system holds the lock)
    assert [p.name for p in sample_copy.parent.iterdir() if p.name.startswith(".")] == [".dataset.lock"]


def test_a_merge_that_breaks_a_dataset_rule_points_at_the_cell(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    into = tmp_path / "ds"
    shutil.copytree(paths.SAMPLE_DIR, into)
    # the form starts construction after the dates the dataset holds for its end and opening, and
    # leaves those blank (a blank keeps the recorded date): only the merged dataset breaks the order
    updates = {}
    for milestone, date in (("construction_start", dt.datetime(2021, 1, 15)), ("construction_end", None)):
        updates[cell_of(form, "infrastructure", ("AIZ-1", milestone), "actual_date")] = date
    updates[cell_of(form, "infrastructure", ("AIZ-1", "service_opened"), "actual_date")] = None
    set_cells(form, updates)
    assert intake.read_form(form).ok
    before = snapshot(into)
    with pytest.raises(intake.IntakeError) as refused:
        intake.ingest([form], into, replace=True)
    assert snapshot(into) == before
    assert any(f.rule == "dataset_rule" and "milestone" in f.message("en") for f in refused.value.findings)


def test_ingest_refuses_a_damaged_dataset_instead_of_repairing_it(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    into = tmp_path / "ds"
    shutil.copytree(paths.SAMPLE_DIR, into)
    milestones = into / "infrastructure_milestones.csv"
    frame = pd.read_csv(milestones, dtype=str, keep_default_na=False)
    frame.loc[(frame["project_id"] == "AIZ-1") & (frame["milestone"] == "service_opened"), "actual_date"] = "2019-01-01"
    frame.to_csv(milestones, index=False, lineterminator="\n")
    before = snapshot(into)
    with pytest.raises(di_eval.DataValidationError, match="the dataset is damaged") as refused:
        intake.ingest([form], into, replace=True)
    assert snapshot(into) == before
    assert "does not repair" in str(refused.value) and "infrastructure_milestones.csv, row 28" in str(refused.value)


def test_a_refused_ingest_creates_no_folder(tmp_path):
    blank = intake.write_form(tmp_path / "blank.xlsx", "Saldus", 2021)
    with pytest.raises(intake.IntakeError):
        intake.ingest([blank], tmp_path / "new" / "dataset")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blank.xlsx"]


def test_into_a_folder_that_is_not_a_dataset_is_refused(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"x")
    with pytest.raises(di_eval.DiEvalError, match="not empty"):
        intake.ingest([form], other)


# --- the commands -----------------------------------------------------------------------------


def test_validate_in_latvian_english_and_json(tmp_path, sample_dataset, capsys):
    good = filled_form(tmp_path, sample_dataset, name="good.xlsx")
    bad = filled_form(tmp_path, sample_dataset, name="bad.xlsx")
    set_cells(bad, {("Pārejas", "B5"): "1,5"})
    assert main(["validate", str(good)]) == 0
    assert "derīgs — Aizputes novads, 2020. gads" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.xlsx: 1 problēma(s)" in out and "šūna B5 “Personas (skaits)”" in out and "vērtība: “1,5”" in out
    assert main(["validate", str(bad), "--lang", "en"]) == 1
    assert "cell B5" in capsys.readouterr().out
    assert main(["validate", str(bad), "--format", "json", "--lang", "en"]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {
            "file": str(bad),
            "sheet": "Pārejas",
            "cell": "B5",
            "row": 5,
            "header": "Personas (skaits)",
            "value": "1,5",
            "rule": "fractional",
            "message": "a number of persons must be a whole number",
            "advice": "Enter a whole number without a fraction (e.g. 3, not 3.5).",
        }
    ]
    assert main(["validate", str(good), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_ingest_command(tmp_path, sample_dataset, capsys):
    form = filled_form(tmp_path, sample_dataset)
    into = tmp_path / "ds"
    assert main(["ingest", str(form), "--into", str(into), "--received", "2021-02-03"]) == 0
    out = capsys.readouterr().out
    assert "ielādēts — Aizputes novads, 2020. gads (saņemts ar nokavējumu)" in out
    assert main(["ingest", str(form), "--into", str(into), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False
    with pytest.raises(SystemExit) as usage:
        main(["ingest", str(form), "--into", str(into), "--received", "yesterday"])
    assert usage.value.code == 2


def test_english_findings_list_english_choices(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    set_cells(form, {("Pakalpojumi", "A6"): "senioriem", ("Pārejas", "B4"): "Cik"})
    submission = intake.read_form(form)
    unknown = only(submission, "choice_unknown")
    assert "children with functional impairments (FT)" in unknown.advice("en")
    assert "bērni" not in unknown.advice("en")
    renamed = only(submission, "column_missing")
    assert "unrecognised headers: B4 “Cik”" in renamed.message("en")
    assert "neatpazītas galvenes: B4 “Cik”" in renamed.message("lv")


def test_validate_knows_the_projects_of_a_dataset(tmp_path, sample_dataset, capsys):
    form = filled_form(tmp_path, sample_dataset)
    assert main(["validate", str(form), "--data", str(paths.SAMPLE_DIR)]) == 0
    assert "derīgs" in capsys.readouterr().out


def test_two_ingests_at_once_both_land(tmp_path, sample_dataset):
    first = filled_form(tmp_path, sample_dataset, "0640600", 2020, name="a.xlsx")
    second = filled_form(tmp_path, sample_dataset, "0170000", 2022, name="b.xlsx")
    into = tmp_path / "ds"
    errors = []

    def run(form):
        try:
            intake.ingest([form], into, received=RECEIVED)
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(form,)) for form in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = di_eval.load(into).submissions
    assert sorted(log["atvk_code"]) == ["0170000", "0640600"]


def test_blank_stays_not_reported_and_zero_stays_zero(tmp_path, sample_dataset):
    form = filled_form(tmp_path, sample_dataset)
    sheet, blank = cell_of(form, "services", ("GRT", "care"), "persons_served")
    _, zero = cell_of(form, "services", ("GRT", "group_apartment"), "persons_served")
    set_cells(form, {(sheet, blank): None, (sheet, zero): 0})
    into = tmp_path / "ds"
    intake.ingest([form], into, received=RECEIVED)
    uptake = di_eval.load(into).service_uptake.set_index(["target_group", "service"])
    assert pd.isna(uptake.at[("GRT", "care"), "persons_served"])
    assert uptake.at[("GRT", "group_apartment"), "persons_served"] == 0
    text = (into / "service_uptake.csv").read_text().splitlines()
    assert "2020,0640600,GRT,care,,0" in text and "2020,0640600,GRT,group_apartment,0,0" in text


# --- limits and dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [dt.datetime(1900, 2, 28), dt.date(1900, 1, 1), "2999-01-01", "01.01.1999", dt.datetime(2101, 1, 1)]
)
def test_a_date_outside_2000_to_2100_is_refused_when_read(value):
    assert intake.parse_date(value) == (None, "date_outside")


def test_a_plausible_date_is_read():
    assert intake.parse_date("30.09.2020") == (dt.date(2020, 9, 30), None)
    assert intake.parse_date(44104) == (dt.date(2020, 9, 30), None)


def test_a_form_with_a_hidden_sheet_of_many_rows_is_refused_quickly(tmp_path, sample_dataset):
    import time

    form = filled_form(tmp_path, sample_dataset)
    workbook = openpyxl.load_workbook(form)
    hidden = workbook.create_sheet("Slēpta")
    hidden.sheet_state = "hidden"
    for r in range(1, 20_002):
        hidden.cell(r, 1, r)
    workbook.save(form)
    started = time.monotonic()
    submission = intake.read_form(form)
    assert time.monotonic() - started < 20
    assert rules(submission) == ["too_many_rows"]
    assert "Slēpta" in submission.findings[0].message("en")


def test_a_csv_of_a_million_columns_is_refused_quickly(tmp_path):
    import time

    path = tmp_path / "wide.csv"
    path.write_text(",".join("x" for _ in range(1_000_000)) + "\n", encoding="utf-8")
    started = time.monotonic()
    submission = intake.read_form(path)
    assert time.monotonic() - started < 20
    assert rules(submission) == ["too_many_columns"]
