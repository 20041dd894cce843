"""`di-eval run` refuses bad arguments and unsafe --out places before any worker starts.

Each case asserts the exit status, a message naming the problem, no traceback, and that no
folder was created, moved, changed or deleted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import state

ONLY = ["--only", "Saldus"]


@pytest.fixture(autouse=True)
def no_workers(monkeypatch):
    """Any case that got as far as starting workers fails loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("workers were started")

    monkeypatch.setattr("di_eval.run.batch.Workers", refuse)
    monkeypatch.setattr("di_eval.run.batch.execute", refuse)


BAD_ARGUMENTS = [
    (["--only", "Atlantīda"], "unknown municipality: 'Atlantīda'"),
    (["--only", "Saldus", "Atlantīda"], "unknown municipality: 'Atlantīda'"),
    (["--only", ""], "unknown municipality: ''"),
    (["--only", "Rīga"], "unknown municipality: 'Rīga'"),
    (["--timeout", "nan"], "--timeout nan: must be a number of seconds above 0"),
    (["--timeout", "inf"], "--timeout inf: must be a number of seconds above 0"),
    (["--timeout=-inf"], "--timeout -inf: must be a number of seconds above 0"),
    (["--timeout", "0"], "--timeout 0.0: must be a number of seconds above 0"),
    (["--timeout", "-5"], "--timeout -5.0: must be a number of seconds above 0"),
    (["--workers", "0"], "--workers 0: must be a whole number of at least 1"),
    (["--workers", "-3"], "--workers -3: must be a whole number of at least 1"),
    (["--workers", "1000"], "--workers 1000: at most"),
    (["--workers", "33"], "--workers 33: at most"),
    (["--threshold", "0"], "--threshold 0: must be a whole number of at least 1"),
    (["--threshold", "-5"], "--threshold -5: must be a whole number of at least 1"),
    (["--as-of", "2030-01-01"], "within 2017-01-01..2023-12-31"),
    (["--as-of", "2016-12-31"], "within 2017-01-01..2023-12-31"),
    (["--as-of", "yesterday"], "YYYY-MM-DD"),
    (["--as-of", ""], "YYYY-MM-DD"),
]


@pytest.fixture(scope="module")
def warm_imports():
    """The first refusal in a process pays for importing pandas and the project; time the others."""
    from di_eval import cli

    cli.main(["run", "--only", "Atlantīda", "--out", "/tmp/di-eval-never-made"])


@pytest.mark.parametrize("argv, message", BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS])
def test_bad_arguments_are_refused_at_once(argv, message, cli_run, tmp_path, warm_imports):
    out = tmp_path / "outputs" / "reports"
    started = time.monotonic()
    code, _, err = cli_run("run", *ONLY, *argv, "--out", out, "--no-progress")
    seconds = time.monotonic() - started
    assert code == 2, err
    assert message in err
    assert seconds < 1.0, f"refused after {seconds:.2f} s"
    assert not (tmp_path / "outputs").exists(), "nothing is created for a refused run"


@pytest.mark.parametrize(
    "argv",
    [["--timeout", "abc"], ["--workers", "two"], ["--lang", "de"], ["--structure", "1990"], ["--bogus"]],
    ids=str,
)
def test_argparse_refusals(argv, cli_run, tmp_path):
    code, _, err = cli_run("run", *argv, "--out", tmp_path / "o")
    assert code == 2 and "usage: di-eval" in err
    assert not (tmp_path / "o").exists()


def test_missing_data_folder(cli_run, tmp_path):
    code, _, err = cli_run("run", "--data", tmp_path / "nope", "--out", tmp_path / "o", "--no-progress")
    assert code == 2 and "no such dataset folder" in err and str(tmp_path / "nope") in err


def test_data_is_a_file(cli_run, tmp_path):
    (tmp_path / "f.csv").write_text("x\n", encoding="utf-8")
    code, _, err = cli_run("run", "--data", tmp_path / "f.csv", "--out", tmp_path / "o", "--no-progress")
    assert code == 2 and "no such dataset folder" in err


def _legacy_manifest():
    return json.dumps({"generator": "di-eval 0.9.0", "reports": [], "failed": []})


OUT_CASES = {
    "empty string": (lambda tmp, data: "", "--out is empty"),
    "root": (lambda tmp, data: "/", "cannot publish at the root"),
    "current folder": (lambda tmp, data: ".", "that is the current folder"),
    "parent of current folder": (lambda tmp, data: "..", "that is the current folder (or contains it)"),
    "the data folder": (lambda tmp, data: data, "must be outside the dataset folder"),
    "inside the data folder": (lambda tmp, data: data / "reports", "must be outside the dataset folder"),
    "the data folder with a slash": (lambda tmp, data: f"{data}/", "must be outside the dataset folder"),
    "containing the data folder": (lambda tmp, data: data.parent, "current folder (or contains it)"),
    "a folder beside, containing the data": (lambda tmp, data: data / "..", "current folder (or contains it)"),
}


@pytest.mark.parametrize("case", list(OUT_CASES))
def test_unsafe_out_is_refused(case, cli_run, tmp_path, data, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(work)
    make, message = OUT_CASES[case]
    before_data, before_work = state(data), state(work)
    code, _, err = cli_run("run", "--data", data, *ONLY, "--out", make(tmp_path, data), "--no-progress")
    assert code == 2 and message in err, err
    assert state(data) == before_data and state(work) == before_work


def _file(out):
    out.write_text("not a folder", encoding="utf-8")


def _foreign_folder(out):
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    (out / "sub").mkdir()
    (out / "sub" / "a.csv").write_text("a\n1\n", encoding="utf-8")


def _empty_folder(out):
    out.mkdir()


def _foreign_manifest(out):
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"generator": "other tool", "reports": []}), encoding="utf-8")


def _broken_manifest(out):
    out.mkdir()
    (out / "manifest.json").write_text("{not json", encoding="utf-8")


def _marker_only(out):
    out.mkdir()
    (out / ".di-eval-release").write_text("{}", encoding="utf-8")


def _foreign_link(out):
    target = out.parent / "elsewhere"
    target.mkdir()
    (target / "x.txt").write_text("x", encoding="utf-8")
    out.symlink_to(target)


def _dangling_foreign_link(out):
    out.symlink_to(out.parent / "nowhere")


FOREIGN = {
    "a file": (_file, "is a file"),
    "a folder of other files": (_foreign_folder, "did not publish"),
    "an empty folder": (_empty_folder, "did not publish"),
    "a folder with another tool's manifest": (_foreign_manifest, "did not publish"),
    "a folder with a broken manifest": (_broken_manifest, "did not publish"),
    "a folder with a marker but no manifest": (_marker_only, "did not publish"),
    "a link to another folder": (_foreign_link, "a link di-eval did not make"),
    "a dangling link": (_dangling_foreign_link, "a link di-eval did not make"),
}


@pytest.mark.parametrize("case", list(FOREIGN))
def test_what_is_not_a_di_eval_output_is_never_touched(case, cli_run, tmp_path):
    parent = tmp_path / "outputs"
    parent.mkdir()
    out = parent / "reports"
    make, message = FOREIGN[case]
    make(out)
    before = state(parent)
    code, _, err = cli_run("run", *ONLY, "--out", out, "--no-progress")
    assert code == 2 and message in err and str(out) in err, err
    assert state(parent) == before, "nothing moved, replaced or deleted"


@pytest.mark.parametrize("place", ["/proc/di-eval-test/reports", "/proc/self/di-eval-reports"])
def test_unwritable_place_is_named(place, cli_run):
    code, _, err = cli_run("run", *ONLY, "--out", place, "--no-progress")
    assert code in (1, 2), err
    assert "/proc/" in err


def test_form_out_unwritable_is_a_message(cli_run):
    code, _, err = cli_run("form", "--municipality", "Saldus", "--year", "2020", "--out", "/proc/nope/x.xlsx")
    assert code == 1 and "/proc/nope" in err and "No such file or directory" in err


def test_misspelt_only_refused_quickly_from_the_command_line(tmp_path):
    """The whole command, interpreter start included, as a user types it."""
    command = [str(Path(sys.executable).parent / "di-eval"), "run", "--only", "Kuldiga-X", "--out", str(tmp_path / "o")]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - started
    assert done.returncode == 2 and "unknown municipality: 'Kuldiga-X'" in done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 10, f"{seconds:.1f} s"
    print(f"misspelt --only refused in {seconds:.2f} s (whole command)")


NO_FCNTL_NO_IPC = "import sys; sys.modules['fcntl'] = None\nimport zmq; zmq.has = lambda f: f != 'ipc'\n"


def test_run_modules_import_without_fcntl_and_ipc():
    """As on Windows: no fcntl, no IPC transport (kernels then use TCP)."""
    code = NO_FCNTL_NO_IPC + (
        "import di_eval.fs, di_eval.cli.run, di_eval.cli.main, di_eval.run.site, di_eval.run.publish\n"
        "from di_eval.run import engine\nassert engine.IPC_AVAILABLE is False\nprint('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-1500:]


def _intake_uses_fcntl() -> bool:
    from di_eval import paths

    return any(
        "import fcntl" in p.read_text(encoding="utf-8")
        for p in (paths.PROJECT_ROOT / "di_eval" / "intake").glob("*.py")
    )


def test_whole_cli_imports_without_fcntl():
    if _intake_uses_fcntl():
        pytest.xfail("di_eval/intake still imports fcntl (moving to di_eval.fs.locked)")
    code = (
        NO_FCNTL_NO_IPC + "import di_eval.cli\nfrom di_eval.cli.main import build_parser\nbuild_parser()\nprint('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-1500:]


def test_out_parent_is_a_file(cli_run, tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    code, _, err = cli_run("run", *ONLY, "--out", tmp_path / "f" / "reports", "--no-progress")
    assert code in (1, 2) and str(tmp_path / "f") in err
    assert (tmp_path / "f").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root may write anywhere")
def test_read_only_folder(cli_run, tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, _, err = cli_run("run", *ONLY, "--out", parent / "reports", "--no-progress")
    finally:
        parent.chmod(0o755)
    assert code == 1 and str(parent) in err and "Permission denied" in err
