"""`check`, `figures`, `sample`, `form` and `ingest` under damaged tables and bad arguments.

Each case calls ``di_eval.cli.main`` in this process and asserts no traceback, the exit status, a
message naming what is wrong, and that nothing under the test's folder changed (raw inputs byte
for byte), or, for the cases that write, exactly what was written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import state

from di_eval import paths

TABLES = sorted(p.name for p in paths.SAMPLE_DIR.glob("*.csv"))
OPTIONAL = {"municipal_plan.csv"}  # a dataset may lack it
AS_OF = "2020-12-31"


def _last_row_extra_field(raw: bytes) -> bytes:
    lines = raw.rstrip(b"\n").split(b"\n")
    lines[-1] += b",x"
    return b"\n".join(lines) + b"\n"


def _second_line_bad_byte(raw: bytes) -> bytes:
    head, rest = raw.split(b"\n", 1)
    return head + b"\n\xff" + rest


# damage name -> (change the file's bytes, a piece of the message)
DAMAGES = {
    "UTF-16": (lambda raw: raw.decode("utf-8").encode("utf-16"), "row 1: not UTF-8 text (it is UTF-16)"),
    "invalid UTF-8 in row 2": (_second_line_bad_byte, "row 2: not UTF-8 text"),
    "extra field in the last row": (_last_row_extra_field, "fields, the header"),
    "0 bytes": (lambda raw: b"", "the file is empty"),
    "NUL bytes only": (lambda raw: b"\x00" * 16, "column is missing"),
}


def _unreadable(monkeypatch, name):
    real = pd.read_csv

    def guarded(path, *args, **kwargs):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", guarded)


def _damage(data: Path, table: str, damage: str, monkeypatch) -> str:
    """Damage one table; return the piece of the message that names what is wrong."""
    if damage == "unreadable":
        _unreadable(monkeypatch, table)
        return "cannot be read (Permission denied)"
    if damage == "deleted":
        (data / table).unlink()
        return "file is missing"
    if damage == "a folder in its place":
        (data / table).unlink()
        (data / table).mkdir()
        return "file is missing"
    change, message = DAMAGES[damage]
    (data / table).write_bytes(change((data / table).read_bytes()))
    return message


CHECK_CASES = [(t, d) for t in TABLES for d in [*DAMAGES, "unreadable"]] + [
    (t, d) for t in TABLES if t not in OPTIONAL for d in ("deleted", "a folder in its place")
]
FIGURES_CASES = [(t, d) for t in TABLES for d in ("UTF-16", "unreadable", "0 bytes")]


def _refused(cli_run, tmp_path, argv, status, *pieces):
    before = state(tmp_path)
    code, out, err = cli_run(*argv)
    assert code == status, (code, err)
    for piece in pieces:
        assert piece in err, (piece, err)
    assert state(tmp_path) == before
    return err


@pytest.mark.parametrize("table, damage", CHECK_CASES, ids=[f"{t}-{d}" for t, d in CHECK_CASES])
def test_check_names_the_damaged_table(table, damage, data, tmp_path, cli_run, monkeypatch):
    message = _damage(data, table, damage, monkeypatch)
    _refused(cli_run, tmp_path, ["check", "--data", data], 1, f"{table}", message)


@pytest.mark.parametrize("table, damage", FIGURES_CASES, ids=[f"{t}-{d}" for t, d in FIGURES_CASES])
def test_figures_names_the_damaged_table(table, damage, data, tmp_path, cli_run, monkeypatch):
    message = _damage(data, table, damage, monkeypatch)
    _refused(cli_run, tmp_path, ["figures", "--as-of", AS_OF, "--data", data], 1, f"{table}", message)


@pytest.mark.parametrize("table", ["transitions.csv", "finance.csv"])
def test_a_byte_order_mark_is_accepted_like_check_accepts_it(table, data, tmp_path, cli_run):
    (data / table).write_bytes(b"\xef\xbb\xbf" + (data / table).read_bytes())
    before = state(tmp_path)
    assert cli_run("check", "--data", data)[0] == 0
    assert cli_run("figures", "--as-of", AS_OF, "--data", data)[0] == 0
    assert state(tmp_path) == before


# --- the dataset folder itself ----------------------------------------------------------------------

FOLDERS = {
    "missing": (lambda tmp: tmp / "nowhere", "dataset folder not found"),
    "a file": (lambda tmp: _file(tmp / "table.csv"), "dataset folder not found"),
    "empty": (lambda tmp: _folder(tmp / "empty"), "file is missing"),
    "holds other files": (lambda tmp: _file(_folder(tmp / "docs") / "letter.txt"), "dataset folder not found"),
}


def _file(path: Path) -> Path:
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize("command", ["check", "figures"])
@pytest.mark.parametrize("case", list(FOLDERS))
def test_a_bad_data_folder_is_named(case, command, tmp_path, cli_run):
    make, message = FOLDERS[case]
    folder = make(tmp_path)
    if case == "holds other files":
        folder, message = folder.parent, "file is missing"
    argv = ["check", "--data", folder] if command == "check" else ["figures", "--as-of", AS_OF, "--data", folder]
    _refused(cli_run, tmp_path, argv, 1, str(folder), message)


@pytest.mark.parametrize("command", ["check", "figures"])
def test_an_unreadable_data_folder_is_named(command, data, tmp_path, cli_run, monkeypatch):
    real = os.scandir

    def guarded(path="."):
        if Path(path) == data:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    real_iterdir = Path.iterdir

    def guarded_iterdir(self):
        if self == data:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(os, "scandir", guarded)
    monkeypatch.setattr(Path, "iterdir", guarded_iterdir)
    _unreadable(monkeypatch, "service_uptake.csv")  # reading a table in it fails as well
    argv = ["check", "--data", data] if command == "check" else ["figures", "--as-of", AS_OF, "--data", data]
    _refused(cli_run, tmp_path, argv, 1, "Permission denied")


# --- arguments: refused before the dataset is read ---------------------------------------------------------

BAD_FIGURES = [
    (["--as-of", "yesterday"], "YYYY-MM-DD"),
    (["--as-of", ""], "YYYY-MM-DD"),
    (["--as-of", "2020-02-30"], "YYYY-MM-DD"),
    (["--as-of", "2020-13-01"], "YYYY-MM-DD"),
    (["--as-of", "2016-12-31"], "2017-01-01 to 2023-12-31"),
    (["--as-of", "2030-01-01"], "2017-01-01 to 2023-12-31"),
    (["--as-of", "9999-12-31"], "2017-01-01 to 2023-12-31"),
    (["--municipality", ""], "unknown municipality: ''"),
    (["--municipality", "   "], "unknown municipality: '   '"),
    (["--municipality", "Atlantīda"], "unknown municipality: 'Atlantīda'"),
    (["--municipality", "Rīga"], "unknown municipality: 'Rīga'"),
    (["--municipality", "0000000"], "unknown municipality: '0000000'"),
    (["--structure", "1999"], "unknown structure: '1999'"),
    (["--structure", ""], "unknown structure: ''"),
    (["--threshold", "0"], "disclosure threshold: 0"),
    (["--threshold", "-5"], "disclosure threshold: -5"),
]


@pytest.mark.parametrize("extra, message", BAD_FIGURES, ids=[" ".join(a) or "empty" for a, _ in BAD_FIGURES])
def test_figures_refuses_bad_arguments(extra, message, data, tmp_path, cli_run):
    argv = ["figures", "--as-of", AS_OF, "--data", data, *extra]
    _refused(cli_run, tmp_path, argv, 2, message)


ARGPARSE = [
    ["figures"],
    ["figures", "--as-of"],
    ["figures", "--as-of", AS_OF, "--threshold", "x"],
    ["figures", "--as-of", AS_OF, "--threshold", "1.5"],
    ["check", "--data"],
    ["check", "--frobnicate"],
    ["sample", "--seed", "x"],
    ["sample", "--seed", "1.5"],
    ["sample", "--scale", "world"],
    ["form", "--year", "2020"],
    ["form", "--municipality", "Saldus", "--year", "twenty"],
    ["form", "--municipality", "Saldus", "--year", "2020", "--lang", "de"],
    ["ingest", "x.xlsx", "--into", "d", "--received", "yesterday"],
    ["ingest", "x.xlsx", "--into", "d", "--received", "2021-02-30"],
    ["ingest", "x.xlsx", "--into", "d", "--received", ""],
    ["ingest", "x.xlsx"],
    ["validate"],
    ["audit"],
    ["run", "--structure", "1999"],
    ["nonsense"],
]


@pytest.mark.parametrize("argv", ARGPARSE, ids=[" ".join(a) for a in ARGPARSE])
def test_argparse_refuses_with_usage(argv, tmp_path, cli_run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = state(tmp_path)
    code, out, err = cli_run(*argv)
    assert code == 2 and "usage: di-eval" in err and "error:" in err
    assert state(tmp_path) == before


# --- sample --out and --seed --------------------------------------------------------------------------------

SAMPLE_REFUSED = {
    "--seed -1": (lambda tmp: ["--out", tmp / "new", "--seed", "-1"], "--seed -1: must be a whole number of 0 or more"),
    "--seed -99999": (lambda tmp: ["--out", tmp / "new", "--seed", "-99999"], "--seed -99999"),
    "--out ''": (lambda tmp: ["--out", ""], "name a folder"),
    "--out .": (lambda tmp: ["--out", "."], "name a folder"),
    "--out ..": (lambda tmp: ["--out", ".."], "name a folder"),
    "--out /": (lambda tmp: ["--out", "/"], "name a folder"),
    "--out a file": (lambda tmp: ["--out", _file(tmp / "notes.csv")], "is not a folder"),
    "--out a dataset's table": (lambda tmp: ["--out", tmp / "data" / "finance.csv"], "is not a folder"),
    "--out a folder of documents": (lambda tmp: ["--out", _file(_folder(tmp / "docs") / "a.txt").parent], "a.txt"),
    "--out a dataset with commentary": (
        lambda tmp: ["--out", _folder(tmp / "data" / "commentary").parent],
        "commentary",
    ),
    "--out a link to a folder": (
        lambda tmp: ["--out", _link(tmp / "link", _folder(tmp / "target"))],
        "is not a folder",
    ),
}


def _link(path: Path, target: Path) -> Path:
    path.symlink_to(target)
    return path


@pytest.mark.parametrize("case", list(SAMPLE_REFUSED))
def test_sample_refuses_what_is_not_its_own(case, data, tmp_path, cli_run, monkeypatch):
    monkeypatch.chdir(data)  # '.' and '..' are the dataset and the test's folder
    make, message = SAMPLE_REFUSED[case]
    argv = make(tmp_path)
    err = _refused(cli_run, tmp_path, ["sample", *argv], 2, message)
    assert err.startswith("di-eval sample: ")


@pytest.mark.parametrize("where", ["new folder", "empty folder", "an earlier sample"])
def test_sample_writes_a_new_empty_or_earlier_sample_folder(where, tmp_path, cli_run):
    out = tmp_path / "sample"
    if where != "new folder":
        out.mkdir()
    if where == "an earlier sample":
        assert cli_run("sample", "--out", out, "--seed", "1")[0] == 0
    code, out_text, err = cli_run("sample", "--out", out, "--seed", "0")
    assert code == 0 and "seed 0" in out_text
    assert sorted(p.name for p in out.iterdir()) == TABLES
    assert [p.name for p in tmp_path.iterdir()] == ["sample"]  # no staging folder left beside it


# --- form --out ---------------------------------------------------------------------------------------------


def test_form_out_onto_a_filled_form_is_refused_without_force(tmp_path, cli_run):
    target = tmp_path / "form.xlsx"
    assert cli_run("form", "--municipality", "Saldus", "--year", "2020", "--out", target)[0] == 0
    before = state(tmp_path)
    code, out, err = cli_run("form", "--municipality", "Saldus", "--year", "2020", "--out", target)
    assert code in (1, 2) and "form.xlsx" in err and "--force" in err
    assert state(tmp_path) == before


@pytest.mark.parametrize(
    "case, message",
    [("unknown municipality", "Atlantīda"), ("year before the plan", "2016"), ("year after the plan", "2031")],
)
def test_form_refuses_bad_choices(case, message, tmp_path, cli_run):
    municipality = "Atlantīda" if case == "unknown municipality" else "Saldus"
    year = {"year before the plan": "2016", "year after the plan": "2031"}.get(case, "2020")
    argv = ["form", "--municipality", municipality, "--year", year, "--out", tmp_path / "f.xlsx"]
    _refused(cli_run, tmp_path, argv, 2, message)
