"""A real spreadsheet program in the loop: a generated form, filled, saved by LibreOffice, ingests losslessly.

The filled form carries a formula saved without a computed value (as openpyxl writes it) and
a number typed as text; LibreOffice computes the formula when it saves. Three ways out of
LibreOffice are tested: .xlsx, .ods and back to .xlsx, and CSV of every sheet (semicolon,
Windows-1257, values as shown).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from fixtures_intake.filling import cell_of, fill, sample_values, set_cells

import di_eval
from di_eval import intake

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (.ci/run installs it)"),
]

ATVK, YEAR = "0640600", 2020
CSV_WINDOWS_1257 = "csv:Text - txt - csv (StarCalc):59,34,39,1,,0,false,true,true,false,false,-1"


def soffice(source: Path, target: str, outdir: Path, profile: Path) -> None:
    """Convert ``source`` with headless LibreOffice (its own profile, so parallel runs do not meet)."""
    command = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def converted(tmp_path_factory, sample_dataset):
    """The filled form and what LibreOffice made of it."""
    folder = tmp_path_factory.mktemp("soffice")
    profile = folder / "profile"
    filled = folder / "filled.xlsx"
    intake.write_form(filled, ATVK, YEAR)
    values = sample_values(sample_dataset, ATVK, YEAR)
    fill(filled, values)
    served = values["services"][("FT", "social_rehabilitation")]["persons_served"]
    assert served >= 1
    sheet, formula_cell = cell_of(filled, "services", ("FT", "social_rehabilitation"), "persons_served")
    _, text_cell = cell_of(filled, "services", ("FT", "care"), "persons_served")
    care = values["services"][("FT", "care")]["persons_served"]
    set_cells(filled, {(sheet, formula_cell): f"={served - 1}+1", (sheet, text_cell): f"{care} "})
    soffice(filled, "xlsx", folder / "xlsx", profile)
    soffice(filled, "ods", folder / "ods", profile)
    soffice(folder / "ods" / "filled.ods", "xlsx", folder / "ods-xlsx", profile)
    soffice(filled, CSV_WINDOWS_1257, folder / "csv", profile)
    return folder


def _assert_reproduces_the_sample(into: Path, sample_dataset) -> None:
    collected = di_eval.load(into)
    for table in ("service_uptake", "transitions", "needs_assessments", "finance"):
        key = list(di_eval.schemas.TABLES[table].key)
        expected = getattr(sample_dataset, table)
        expected = expected[(expected["atvk_code"] == ATVK) & (expected["year"] == YEAR)]
        pd.testing.assert_frame_equal(
            getattr(collected, table).sort_values(key).reset_index(drop=True),
            expected.sort_values(key).reset_index(drop=True),
        )
    milestones = collected.infrastructure_milestones.set_index(["project_id", "milestone"])
    expected = sample_dataset.infrastructure_milestones
    expected = expected[expected["project_id"] == "AIZ-1"].set_index(["project_id", "milestone"])
    pd.testing.assert_frame_equal(
        milestones[["planned_date", "actual_date"]].sort_index(), expected[["planned_date", "actual_date"]].sort_index()
    )


def test_openpyxl_alone_leaves_the_formula_uncomputed(converted):
    assert "formula_no_value" in [f.rule for f in intake.read_form(converted / "filled.xlsx").findings]


@pytest.mark.parametrize("made_by", ["xlsx", "ods-xlsx"])
def test_a_form_saved_by_libreoffice_reproduces_the_data_it_was_filled_with(converted, sample_dataset, made_by):
    saved = converted / made_by / "filled.xlsx"
    assert saved.read_bytes() != (converted / "filled.xlsx").read_bytes()
    into = converted / f"dataset-{made_by}"
    result = intake.ingest([saved], into, received=dt.date(YEAR + 1, 1, 15))
    assert [o.action for o in result.outcomes] == ["ingested"]
    _assert_reproduces_the_sample(into, sample_dataset)


def test_libreoffice_csv_of_every_sheet_reproduces_the_data(converted, sample_dataset):
    exported = {p.stem.split("-", 1)[1]: p for p in (converted / "csv").glob("*.csv")}
    assert set(exported) == {"Norādījumi", intake.LISTS_SHEET, *(s.lv for s in intake.FORM_SHEETS)}
    raw = exported["Pārejas"].read_bytes()
    assert "Pārejas".encode("cp1257") in raw and b";" in raw
    refused = intake.validate([exported["Norādījumi"]])[0]
    assert [f.rule for f in refused.findings] == ["not_data_sheet"]
    into = converted / "dataset-csv"
    intake.ingest([exported[s.lv] for s in intake.FORM_SHEETS], into, received=dt.date(YEAR + 1, 1, 15))
    _assert_reproduces_the_sample(into, sample_dataset)
