"""The form's Latvian headers use LATVIAN.md's terms, and the headers of forms already sent stay readable."""

from __future__ import annotations

import openpyxl
from fixtures_intake.filling import fill, sample_values

from di_eval import intake

OLD_HEADER = "Unikālās personas, kas saņēma kādu pakalpojumu (skaits)"  # forms sent before 2026
OLD_TITLE = "2. Unikālās personas un jaunās personas (jebkurš pakalpojums)"


def _texts(workbook) -> list[str]:
    return [str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value]


def test_the_latvian_form_says_persons_each_counted_once_never_unique_persons(tmp_path):
    path = intake.write_form(tmp_path / "form.xlsx", "Saldus", 2023)
    texts = _texts(openpyxl.load_workbook(path))
    assert not [x for x in texts if "unikāl" in x.lower()]
    sheet = openpyxl.load_workbook(path)["Jaunās personas"]
    headers = [c.value for c in sheet[intake.HEADER_ROW]]
    assert "Personas (katra skaitīta vienu reizi), kas saņēma kādu pakalpojumu (skaits)" in headers
    assert sheet["A1"].value.startswith("2. Personas (katra skaitīta vienu reizi) un jaunās personas")


def test_a_form_with_the_old_headers_reads_as_one_with_the_new(tmp_path, sample_dataset):
    new = tmp_path / "new.xlsx"
    intake.write_form(new, "0640600", 2020)
    fill(new, sample_values(sample_dataset, "0640600", 2020))
    old = tmp_path / "old.xlsx"
    workbook = openpyxl.load_workbook(new)
    sheet = workbook["Jaunās personas"]
    header = next(c for c in sheet[intake.HEADER_ROW] if c.value and str(c.value).startswith("Personas (katra"))
    header.value = OLD_HEADER
    sheet["A1"].value = OLD_TITLE + " — Aizputes novads, 2020"
    workbook.save(old)

    def rows(path):
        read = intake.read_form(path)
        assert not [f for f in read.findings if f.severity == "error"], [str(f) for f in read.findings]
        found = intake.canonical_rows(read)
        return {t: [{k: x for k, x in r.items() if k != "__origin__"} for r in rs] for t, rs in found.items()}

    got, expected = rows(old), rows(new)
    assert got == expected
    assert any(r["service"] == "any" and r["persons_served"] is not None for r in got["service_uptake"])


def test_the_old_english_name_of_grt_is_still_read_from_a_filled_form():
    column = intake.SHEETS_BY_KEY["services"].columns[0]
    assert intake.parse_choice(column, "adults with mental disorders (GRT)") == "GRT"
    assert intake.parse_choice(column, "persons with mental disorders (GRT)") == "GRT"
