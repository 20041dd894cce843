"""The .xlsx form: sheets, identity, dropdowns, protection, units, prefill, languages."""

from __future__ import annotations

import openpyxl
import pytest

from di_eval import intake, paths
from di_eval import vocabulary as v
from di_eval.cli import main
from di_eval.errors import ChoiceError

EXAMPLE = paths.FORMS_DIR / "2023_0840200_saldus_novads.xlsx"


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / "blank.xlsx"
    intake.write_form(path, "Aizputes novads", 2020)
    return openpyxl.load_workbook(path)


def test_one_sheet_per_table_after_the_instructions_and_a_hidden_list_sheet(blank):
    assert blank.sheetnames == ["Norādījumi", *(s.lv for s in intake.FORM_SHEETS), intake.LISTS_SHEET]
    assert blank[intake.LISTS_SHEET].sheet_state == "hidden"
    assert all(blank[s.lv].sheet_state == "visible" for s in intake.FORM_SHEETS)


def test_municipality_and_year_are_filled_in_on_every_sheet(blank):
    for title in ["Norādījumi", *(s.lv for s in intake.FORM_SHEETS)]:
        ws = blank[title]
        assert [ws[c].value for c in ("A2", "B2", "C2", "D2", "E2", "F2")] == [
            "Pašvaldība:",
            "Aizputes novads",
            "ATVK kods:",
            "0640600",
            "Gads:",
            2020,
        ], title
    assert blank["Norādījumi"]["B3"].value.date().isoformat() == "2021-01-31"


def test_instructions_are_in_latvian_and_ask_for_totals_only(blank):
    text = " ".join(str(c.value) for row in blank["Norādījumi"].iter_rows() for c in row if c.value)
    assert "Norādiet tikai kopskaitus" in text and "personas kodus" in text
    assert "Tukša šūna nozīmē “nav ziņu”" in text


def test_headers_state_units_and_title_cells_are_merged(blank):
    services = blank["Pakalpojumi"]
    headers = [services.cell(intake.HEADER_ROW, c).value for c in range(1, 5)]
    assert headers == [
        "Mērķa grupa",
        "Pakalpojums",
        "Personas, kas saņēma pakalpojumu (skaits)",
        "No tām — pirmo reizi (skaits)",
    ]
    finance = [blank["Finanses"].cell(intake.HEADER_ROW, c).value for c in range(3, 6)]
    assert all(h.endswith("EUR") for h in finance)
    assert "A1:F1" in {str(r) for r in services.merged_cells.ranges}
    assert services["A1"].value.endswith("Aizputes novads, 2020")


def test_every_combination_the_plan_gives_is_listed(blank):
    services = blank["Pakalpojumi"]
    listed = [(services.cell(r, 1).value, services.cell(r, 2).value) for r in range(5, 5 + 11)]
    column = intake.SHEETS_BY_KEY["services"].columns[0]
    expected = [
        (intake.choice_label(column, g, "lv"), v.label(v.SERVICES, s))
        for g, services_ in v.GROUP_SERVICES.items()
        for s in services_
    ]
    assert listed == expected
    assert services.cell(16, 1).value is None
    projects = [blank["Infrastruktūra"].cell(r, 1).value for r in range(5, 8)]
    assert projects == ["AIZ-1"] * 3


def _validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_dropdowns_for_target_groups_services_and_funds(blank):
    services = _validations(blank["Pakalpojumi"])
    groups = services["A5:A15"]
    assert groups.type == "list" and intake.LISTS_SHEET in groups.formula1
    lists = blank[intake.LISTS_SHEET]
    column = groups.formula1.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
    values = [lists[f"{column}{r}"].value for r in range(2, 5)]
    assert values == [intake.choice_label(intake.FORM_SHEETS[0].columns[0], g, "lv") for g in v.TARGET_GROUPS]
    assert services["B5:B15"].type == "list"
    assert services["C5:C15"].type == "whole" and services["C5:C15"].operator == "greaterThanOrEqual"
    finance = _validations(blank["Finanses"])
    assert {"A5:A15", "B5:B15"} <= set(finance) and finance["C5:C15"].type == "decimal"


def test_header_rows_are_protected_and_input_cells_are_not(blank):
    ws = blank["Pakalpojumi"]
    assert ws.protection.sheet
    assert ws["A4"].protection.locked and ws["B2"].protection.locked
    assert not ws["C5"].protection.locked and not ws["A5"].protection.locked
    assert blank["Infrastruktūra"]["B5"].protection.locked  # the project's name is shown, not typed
    assert blank["Finanses"]["C15"].protection.locked is False  # spare lines for more funds


def test_prefill_writes_the_dataset_values(tmp_path, sample_dataset):
    path = intake.write_form(tmp_path / "p.xlsx", "0640600", 2020, prefill_from=paths.SAMPLE_DIR)
    ws = openpyxl.load_workbook(path)["Pakalpojumi"]
    uptake = sample_dataset.service_uptake
    mine = uptake[(uptake["atvk_code"] == "0640600") & (uptake["year"] == 2020) & (uptake["service"] != "any")]
    assert [ws.cell(r, 3).value for r in range(5, 16)] == mine["persons_served"].tolist()
    assert [ws.cell(r, 4).value for r in range(5, 16)] == mine["persons_new"].tolist()
    finance = openpyxl.load_workbook(path)["Finanses"]
    assert finance["C5"].value == pytest.approx(
        float(
            sample_dataset.finance.query(
                "atvk_code == '0640600' and year == 2020 and programme == 'ESF_services' and fund == 'ESF'"
            )["planned_eur"].iloc[0]
        )
    )


def test_prefill_keeps_blanks_blank(tmp_path):
    path = intake.write_form(tmp_path / "p.xlsx", "Alsunga", 2023, prefill_from=paths.SAMPLE_DIR)
    ws = openpyxl.load_workbook(path)["Pakalpojumi"]
    assert [ws.cell(r, 3).value for r in range(5, 16)] == [None] * 11  # the form that never came


def test_english_form(tmp_path):
    path = intake.write_form(tmp_path / "en.xlsx", "Ventspils", 2021, lang="en")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Instructions", "Services", "New persons"]
    ws = workbook["Services"]
    assert ws["A2"].value == "Municipality:" and ws["B2"].value == "Ventspils"
    assert ws["C4"].value == "Persons served (number)"
    assert ws["A5"].value == "children with functional impairments (FT)"


@pytest.mark.parametrize(
    "municipality, year, lang",
    [("Rīga", 2020, "lv"), ("Saldus", 2016, "lv"), ("Saldus", 2024, "lv"), ("Saldus", 2020, "de")],
)
def test_wrong_arguments_raise_choice_errors(tmp_path, municipality, year, lang):
    with pytest.raises(ChoiceError):
        intake.write_form(tmp_path / "x.xlsx", municipality, year, lang=lang)
    assert not (tmp_path / "x.xlsx").exists()


def test_form_command_writes_one_or_all(tmp_path, capsys):
    assert main(["form", "--municipality", "KULDIGA", "--year", "2021", "--out", str(tmp_path / "k.xlsx")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "k.xlsx")
    every = tmp_path / "all"
    assert main(["form", "--municipality", "all", "--year", "2022", "--out", str(every)]) == 0
    written = sorted(p.name for p in every.iterdir())
    assert len(written) == 20 and "2022_0170000_liepaja.xlsx" in written
    assert main(["form", "--municipality", "Rīga", "--year", "2022", "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "unknown municipality" in capsys.readouterr().err


def test_the_committed_example_is_what_the_code_writes(tmp_path):
    fresh = intake.write_form(tmp_path / EXAMPLE.name, "Saldus", 2023)

    def cells(path):
        workbook = openpyxl.load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets}

    assert cells(EXAMPLE) == cells(fresh)
    assert intake.read_form(EXAMPLE).findings[0].rule == "form_blank"


def test_form_does_not_overwrite_a_form_unless_forced(tmp_path, capsys):
    target = tmp_path / "k.xlsx"
    target.write_bytes(b"a form someone filled in")
    argv = ["form", "--municipality", "Kuldīga", "--year", "2021", "--out", str(target)]
    assert main(argv) == 1
    assert "exists (it may be a filled form): give --force" in capsys.readouterr().err
    assert target.read_bytes() == b"a form someone filled in"
    assert main([*argv, "--force"]) == 0
    assert openpyxl.load_workbook(target).sheetnames[0] == "Norādījumi"
