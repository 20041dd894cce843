"""The privacy guard: personal identity codes and person names never pass, and are never echoed in full."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest
from fixtures_intake.filling import fill, sample_values
from hypothesis import given, settings
from hypothesis import strategies as st

from di_eval import intake
from di_eval.cli import main
from di_eval.intake import privacy

CENTURY_DIGIT = {18: "0", 19: "1", 20: "2"}


@st.composite
def old_codes(draw) -> str:
    """A personal code of the old form: birth date DDMMYY, then the century digit and four more digits."""
    born = draw(st.dates(dt.date(1850, 1, 1), dt.date(2017, 6, 30)))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    separator = draw(st.sampled_from(["-", "", "\u2013"]))
    return f"{born:%d%m%y}{separator}{CENTURY_DIGIT[born.year // 100]}{rest}"


@st.composite
def new_codes(draw) -> str:
    """A personal code of the new form (since 1 Jul 2017): 32, nine random digits."""
    digits = draw(st.text("0123456789", min_size=9, max_size=9))
    separator = draw(st.sampled_from(["-", ""]))
    return f"32{digits[:4]}{separator}{digits[4:]}"


surroundings = st.text(st.characters(blacklist_categories=["Nd", "Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.one_of(old_codes(), new_codes()), surroundings, surroundings)
def test_every_personal_code_is_found_and_masked_wherever_it_stands(code, before, after):
    text = f"{before}{code}{after}"
    assert privacy.find_personal_codes(text) == [code]
    shown = privacy.redact(text)
    digits = "".join(ch for ch in code if ch.isdigit())
    assert digits not in "".join(ch for ch in shown if ch.isdigit() or ch == "*")
    assert code not in shown
    assert privacy.mask(code).startswith(digits[:2]) and privacy.mask(code).count("*") == 9


@settings(max_examples=100, deadline=None)
@given(new_codes())
def test_a_code_typed_as_a_number_is_found(code):
    number = int(code.replace("-", ""))
    assert privacy.find_personal_codes(number) == [str(number)]
    assert privacy.find_personal_codes(float(number)) == [str(number)]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**10 - 1))
def test_counts_and_amounts_are_never_taken_for_codes(n):
    assert privacy.find_personal_codes(n) == []
    assert privacy.find_personal_codes(f"{n:,}".replace(",", " ")) == []
    assert privacy.find_personal_codes(n / 100) == []


@pytest.mark.parametrize(
    "text",
    ["311399-12345", "000190-12345", "010190-32345", "010190-1234", "1010190-12345", "2020-09-30", "+371 26123456"],
)
def test_things_shaped_nearly_like_a_code_are_not_codes(text):
    assert privacy.find_personal_codes(text) == []


def test_mask_keeps_two_digits():
    assert privacy.mask("010190-12345") == "01****-*****"
    assert privacy.mask("32123412345") == "32*********"


@pytest.mark.parametrize("header", ["Vārds, uzvārds", "VĀRDS", "Uzvārds", "Name", "Personas kods", "Klients"])
def test_headers_that_announce_persons(header):
    assert privacy.is_name_header(header)


@pytest.mark.parametrize("header", ["Projekta nosaukums", "Project name", "Mērķa grupa", "Pašvaldība"])
def test_form_headers_are_not_name_headers(header):
    assert not privacy.is_name_header(header)


def test_a_column_of_names_is_found_but_a_single_place_name_is_not():
    rows = [["Piezīmes", "Skaits"], ["Pirmā Persona", 1], ["Trešā Persona", 2], [None, None], ["Aizputes novads", 3]]
    hits = privacy.scan(rows)
    assert [(h.kind, h.row, h.column, h.count) for h in hits] == [("person_names", 1, 0, 2)]
    assert privacy.scan([["Kuldīga Centrs", 1]]) == []


# --- whole files ------------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path, sample_dataset):
    path = tmp_path / "form.xlsx"
    intake.write_form(path, "Aizpute", 2020)
    fill(path, sample_values(sample_dataset, "0640600", 2020))
    return path


@pytest.mark.parametrize("fmt, lang", [("text", "lv"), ("text", "en"), ("json", "lv")])
def test_a_form_with_a_personal_code_is_refused_naming_the_cell_never_the_code(filled, tmp_path, capsys, fmt, lang):
    workbook = openpyxl.load_workbook(filled)
    workbook["Pakalpojumi"]["F7"] = "Jānim 150387-12345 vajag pakalpojumu"
    workbook["Pārejas"]["B5"] = 32123412345  # typed in a count cell, without its hyphen
    workbook.save(filled)
    into = tmp_path / "ds"
    assert main(["ingest", str(filled), "--into", str(into), "--format", fmt, "--lang", lang]) == 1
    captured = capsys.readouterr()
    output = captured.out + captured.err
    for digits in ("150387-12345", "15038712345", "32123412345", "123412345"):
        assert digits not in output
    assert not into.exists()
    if fmt == "json":
        found = {(f["sheet"], f["cell"]): f for f in json.loads(captured.out) if f["rule"] == "personal_code"}
        assert set(found) == {("Pakalpojumi", "F7"), ("Pārejas", "B5")}
        assert found[("Pārejas", "B5")]["value"] == "32*********"
    else:
        assert "F7" in output and "15****-*****" in output and "32*********" in output
        assert ("personas kods" if lang == "lv" else "personal identity code") in output


def test_a_column_of_names_refuses_the_file(filled):
    workbook = openpyxl.load_workbook(filled)
    ws = workbook["Pakalpojumi"]
    ws["F4"] = "Vārds, uzvārds"
    ws["F5"], ws["F6"] = "Pirmā Persona", "Otrā Persona"
    workbook.save(filled)
    submission = intake.read_form(filled)
    found = [f for f in submission.findings if f.rule == "person_names"]
    assert [(f.sheet, f.cell) for f in found] == [("Pakalpojumi", "F4")]
    assert "Pirmā Persona" not in " ".join(f.text("lv") for f in submission.findings)


def test_names_without_a_header_are_found_too(filled):
    workbook = openpyxl.load_workbook(filled)
    ws = workbook["Izvērtējumi"]
    ws["E5"], ws["E6"] = "Pirmā Persona", "Trešā Persona"
    workbook.save(filled)
    found = [f for f in intake.read_form(filled).findings if f.rule == "person_names"]
    assert [(f.sheet, f.cell, dict(f.params)["count"]) for f in found] == [("Izvērtējumi", "E5", 2)]
    assert "personu vārdi (2 šūnas)" in found[0].message("lv") and "(2 cells)" in found[0].message("en")


def test_a_csv_with_a_code_is_refused(tmp_path):
    path = tmp_path / "veidlapa-Pārejas.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Pašvaldība:", "Aizputes novads", "Gads:", "2020"])
        writer.writerow(["Pāreja", "Personas (skaits)", "Piezīmes"])
        writer.writerow(["VSAC", "1", "pk 010190-12345"])
    submission = intake.read_form(path)
    found = [f for f in submission.findings if f.rule == "personal_code"]
    assert [(f.cell, f.value) for f in found] == [("C3", "01****-*****")]
