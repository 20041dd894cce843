"""`di-eval ingest` under damaged datasets, kills at chosen instants, unreadable paths and concurrency.

Each case asserts no traceback, the exit status, a message saying what is wrong, and the bytes
of the dataset folder (and what lies beside it) before and after.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from conftest import state

import di_eval
from di_eval import intake, journal
from di_eval.intake import ingestion

ROOT = Path(__file__).resolve().parents[2]
ATVK, YEAR, OTHER_ATVK, OTHER_YEAR = "0640600", 2020, "0840200", 2021
RECEIVED = "2021-02-01"


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    """Two filled forms (different municipalities) and one valid and one broken copy of the first."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures_intake.filling import fill, sample_values

    folder = tmp_path_factory.mktemp("forms")
    sample = di_eval.load()
    made = {}
    for key, atvk, year in (("a", ATVK, YEAR), ("b", OTHER_ATVK, OTHER_YEAR)):
        values = sample_values(sample, atvk, year)
        first = next(iter(values["services"]))
        values["services"][first]["persons_served"] += 1  # differs from the sample, within every rule
        path = folder / f"{key}.xlsx"
        intake.write_form(path, atvk, year)
        fill(path, values)
        made[key] = path
    for path in made.values():
        assert intake.read_form(path).ok, [str(f) for f in intake.read_form(path).findings]
    return made


def ingest_args(form, into, *extra):
    return ["ingest", form, "--into", into, "--replace", "--received", RECEIVED, *extra]


def around(folder: Path) -> dict:
    """The state of the folder holding the dataset, but for the lock file (empty; made by the first ingest)."""
    return {k: x for k, x in state(folder.parent).items() if not k.startswith(f".{folder.name}.lock")}


def beside(folder: Path) -> list[str]:
    """What lies beside the dataset folder that belongs to it (copies, journal), the lock file aside."""
    return sorted(
        p.name
        for p in folder.parent.iterdir()
        if p.name.startswith(f".{folder.name}.") and p.name not in (f".{folder.name}.lock",)
    )


# --- a damaged dataset is refused, not repaired ----------------------------------------------------


def _append(name, text):
    def damage(folder):
        with open(folder / name, "ab") as handle:
            handle.write(text)

    return damage


def _edit_line(name, number, change):
    def damage(folder):
        path = folder / name
        lines = path.read_bytes().split(b"\n")
        lines[number] = change(lines[number])
        path.write_bytes(b"\n".join(lines))

    return damage


def _delete(name):
    return lambda folder: (folder / name).unlink()


def _empty(name):
    return lambda folder: (folder / name).write_bytes(b"")


def _encode(name, encoding):
    def damage(folder):
        path = folder / name
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return damage


def _bad_byte(name):
    return _edit_line(name, 3, lambda line: line[:5] + b"\xff\xfe" + line[5:])


DAMAGED = {
    "extra field at the end of service_uptake": (_append("service_uptake.csv", b"2020,0170000,FT,care,1,1,9\n"), "row"),
    "extra field in a middle row of finance": (_edit_line("finance.csv", 5, lambda x: x + b",7"), "fields"),
    "extra field in submissions": (_edit_line("submissions.csv", 2, lambda x: x + b",x"), "fields"),
    "service_uptake deleted": (_delete("service_uptake.csv"), "file is missing"),
    "transitions deleted": (_delete("transitions.csv"), "file is missing"),
    "submissions deleted": (_delete("submissions.csv"), "file is missing"),
    "needs_assessments deleted": (_delete("needs_assessments.csv"), "file is missing"),
    "service_uptake 0 bytes": (_empty("service_uptake.csv"), "empty"),
    "finance 0 bytes": (_empty("finance.csv"), "empty"),
    "submissions 0 bytes": (_empty("submissions.csv"), "empty"),
    "infrastructure_projects 0 bytes": (_empty("infrastructure_projects.csv"), "empty"),
    "invalid UTF-8 in transitions": (_bad_byte("transitions.csv"), "not UTF-8"),
    "UTF-16 needs_assessments": (_encode("needs_assessments.csv", "utf-16"), "not UTF-8"),
    "UTF-16 service_uptake": (_encode("service_uptake.csv", "utf-16"), "not UTF-8"),
    "a count that is not a number": (
        _edit_line("transitions.csv", 2, lambda x: x.rsplit(b",", 1)[0] + b",many"),
        "whole",
    ),
    "support plans above assessments": (
        _edit_line("needs_assessments.csv", 1, lambda x: b",".join([*x.split(b",")[:3], b"1", b"99"])),
        "must not exceed",
    ),
    "a header renamed": (_edit_line("transitions.csv", 0, lambda x: x.replace(b"persons", b"people")), "column"),
    "a duplicate row": (
        lambda folder: _append(
            "activities.csv", folder.joinpath("activities.csv").read_bytes().split(b"\n")[1] + b"\n"
        )(folder),
        "duplicate",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_ingest_into_a_damaged_dataset_is_refused_and_changes_nothing(case, data, forms, cli_run):
    damage, words = DAMAGED[case]
    damage(data)
    code, _, checked = cli_run("check", "--data", data)
    assert code == 1 and words in checked  # what check refuses ...
    before = around(data)
    code, out, err = cli_run(*ingest_args(forms["a"], data))
    assert code == 1  # ... ingest refuses too, saying why and that it does not repair
    assert "the dataset is damaged" in err and "does not repair" in err and words in err
    assert around(data) == before


# --- what check accepts, ingest keeps byte for byte ------------------------------------------------------


def _crlf(names):
    def change(folder):
        for name in names:
            path = folder / name
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    return change


def _bom(name):
    def change(folder):
        path = folder / name
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())

    return change


def _strip_final_newline(name):
    def change(folder):
        path = folder / name
        path.write_bytes(path.read_bytes().rstrip(b"\n"))

    return change


def _quote_other(name):
    # quote a field of another municipality's row, as a spreadsheet program may
    return _edit_line(
        name, 1, lambda x: b",".join(b'"' + f + b'"' if i == 2 else f for i, f in enumerate(x.split(b",")))
    )


ALL = ["service_uptake.csv", "transitions.csv", "needs_assessments.csv", "finance.csv", "submissions.csv"]
KEPT = {
    "CRLF everywhere": _crlf([p.name for p in (ROOT / "data" / "sample").glob("*.csv")]),
    "CRLF in the tables ingest writes": _crlf(ALL),
    "CRLF in service_uptake only": _crlf(["service_uptake.csv"]),
    "BOM on service_uptake": _bom("service_uptake.csv"),
    "BOM on submissions": _bom("submissions.csv"),
    "BOM and CRLF on finance": lambda folder: (_bom("finance.csv")(folder), _crlf(["finance.csv"])(folder)),
    "no final newline in transitions": _strip_final_newline("transitions.csv"),
    "no final newline in submissions": _strip_final_newline("submissions.csv"),
    "a quoted field in service_uptake": _quote_other("service_uptake.csv"),
    "a quoted field in finance": _quote_other("finance.csv"),
}


def _other_lines(raw: bytes) -> list[bytes]:
    """The lines of a table that are not the form's municipality-year (nor its submission)."""
    return [line for line in raw.splitlines(keepends=True) if ATVK.encode() not in line]


@pytest.mark.parametrize("case", list(KEPT))
def test_ingest_keeps_every_other_row_byte_for_byte(case, data, forms, cli_run):
    KEPT[case](data)
    assert cli_run("check", "--data", data)[0] == 0
    before = {p.name: p.read_bytes() for p in data.glob("*.csv")}
    code, out, err = cli_run(*ingest_args(forms["a"], data))
    assert code == 0, err
    after = {p.name: p.read_bytes() for p in data.glob("*.csv")}
    assert after.keys() == before.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert "submissions.csv" in changed  # the ingest did write
    for name in before:
        old, new = before[name], after[name]
        kept, now = _other_lines(old), _other_lines(new)
        assert len(kept) == len(now) and kept[:-1] == now[:-1], name
        assert now[-1].rstrip(b"\r\n") == kept[-1].rstrip(b"\r\n"), name  # may gain a line ending if rows follow
        assert new.startswith(codecs.BOM_UTF8) == old.startswith(codecs.BOM_UTF8), name
        if b"\r\n" in old:
            assert new.count(b"\n") == new.count(b"\r\n"), f"{name}: a line lost its CRLF"
    assert cli_run("check", "--data", data)[0] == 0


# --- interrupted ingests: every instant leaves one complete dataset ----------------------------------------

STEPS_BEFORE_JOURNAL = ["staging", "copied", "written"]
STEPS = [*STEPS_BEFORE_JOURNAL, "journal", "swapped"]


def _killed_ingest(form, into, step=None, patch: str = "") -> subprocess.CompletedProcess:
    """Run ``di-eval ingest`` in a fresh process that dies (os._exit, no clean-up) at ``step``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if step:
        env[ingestion.STOP_VARIABLE] = step
    script = textwrap.dedent(
        f"""
        import os, sys
        from di_eval import fs
        from di_eval.intake import ingestion
        {patch}
        from di_eval.cli import main
        sys.exit(main({[str(a) for a in ingest_args(form, into)]!r}))
        """
    )
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, forms):
    """The states a clean ingest of form a leads to: into the sample, and into a new folder."""
    base = tmp_path_factory.mktemp("clean")
    shutil.copytree(ROOT / "data" / "sample", base / "data")
    intake.ingest([forms["a"]], base / "data", replace=True, received=di_eval_date())
    intake.ingest([forms["a"]], base / "new" / "data", received=di_eval_date())
    return {"existing": state(base / "data"), "new": state(base / "new" / "data")}


def di_eval_date():
    import datetime as dt

    return dt.date.fromisoformat(RECEIVED)


@pytest.mark.parametrize("next_command", ["check", "ingest"])
@pytest.mark.parametrize("kind", ["existing", "new"])
@pytest.mark.parametrize("step", STEPS)
def test_an_ingest_killed_at_any_step_is_completed_or_rolled_back_by_the_next_command(
    step, kind, next_command, tmp_path, forms, ingested, cli_run, caplog
):
    into = tmp_path / "data" if kind == "existing" else tmp_path / "new" / "data"
    if kind == "existing":
        shutil.copytree(ROOT / "data" / "sample", into)
    before = state(into)
    killed = _killed_ingest(forms["a"], into, step)
    assert killed.returncode == ingestion.STOP_EXIT, killed.stderr
    # at this instant the folder is the old dataset or the complete new one, never anything else
    assert state(into) in (before, ingested[kind])
    completed = step == "swapped" or (step == "journal" and kind == "new")
    if next_command == "check":
        code, out, err = cli_run("check", "--data", into)
        assert code == (0 if (kind == "existing" or completed) else 1)
    else:
        code, out, err = cli_run(*ingest_args(forms["a"], into))
        assert code == 0, err
    if step in ("journal", "swapped"):
        said = "completed" if completed else "rolled back"
        assert f"an interrupted ingest was {said}" in err + caplog.text
    expected = ingested[kind] if (completed or next_command == "ingest") else before
    assert state(into) == expected
    assert beside(into) == []  # no staging copy, replaced copy or journal is left


HALF_SWAPS = {
    # the two renames of swap_dir's fallback (no atomic exchange), killed between them
    "between the two renames": "ingestion._swap = lambda staging, into, previous: (os.rename(into, previous), "
    "os._exit(ingestion.STOP_EXIT))",
    # Linux's exchange done, killed before the old folder is renamed aside
    "after the exchange": "ingestion._swap = lambda staging, into, previous: (fs.exchange(staging, into), "
    "os._exit(ingestion.STOP_EXIT))",
}


@pytest.mark.parametrize("next_command", ["check", "ingest", "validate"])
@pytest.mark.parametrize("instant", list(HALF_SWAPS))
def test_a_swap_killed_half_way_is_recovered(instant, next_command, data, forms, ingested, cli_run, caplog):
    before = state(data)
    killed = _killed_ingest(forms["a"], data, patch=HALF_SWAPS[instant])
    assert killed.returncode == ingestion.STOP_EXIT, killed.stderr
    assert journal.pending(data)
    if next_command == "check":
        code, out, err = cli_run("check", "--data", data)
    elif next_command == "validate":
        code, out, err = cli_run("validate", forms["b"], "--data", data)
    else:
        code, out, err = cli_run(*ingest_args(forms["a"], data))
    assert code == 0, err
    rolled_back = instant == "between the two renames"
    assert f"an interrupted ingest was {'rolled back' if rolled_back else 'completed'}" in err + caplog.text
    assert state(data) == (before if rolled_back and next_command != "ingest" else ingested["existing"])
    assert beside(data) == []


def test_stale_copies_of_dead_ingests_are_removed_by_the_next_command(data, cli_run):
    for name in (".data.ingest-dead1", ".data.replaced-dead2"):
        (data.parent / name).mkdir()
        (data.parent / name / "service_uptake.csv").write_text("x", encoding="utf-8")
    before = state(data)
    code, out, err = cli_run("check", "--data", data)
    assert code == 0 and beside(data) == [] and state(data) == before


def test_a_missing_dataset_with_an_earlier_copy_beside_it_is_not_replaced_by_a_new_one(data, forms, cli_run):
    # what an interrupted ingest of an older version left: the old data aside, no dataset, no journal
    data.rename(data.parent / ".data.replaced-old")
    before = around(data)
    code, out, err = cli_run(*ingest_args(forms["a"], data))
    assert code == 1 and "holds an earlier copy" in err and "rename that folder back" in err
    assert around(data) == before


# --- unreadable and damaged inputs ---------------------------------------------------------------------


def test_a_deflate_damaged_xlsx_is_refused_and_the_valid_file_beside_it_still_reported(tmp_path, forms, cli_run):
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(forms["a"]) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
    raw = bytearray(damaged.read_bytes())
    with zipfile.ZipFile(damaged) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 40):
        raw[i] ^= 0x5A
    damaged.write_bytes(bytes(raw))
    code, out, err = cli_run("validate", damaged, forms["b"], "--lang", "en")
    assert code == 1
    assert f"{damaged}: 1 problem(s)" in out and "corrupt" in out
    assert f"{forms['b']}: valid" in out


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_an_unreadable_form_gets_a_message(command, tmp_path, data, forms, cli_run, monkeypatch):
    unreadable = tmp_path / "locked.xlsx"
    shutil.copy(forms["a"], unreadable)
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file) == str(unreadable):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    before = state(data)
    if command == "validate":
        code, out, err = cli_run("validate", unreadable, forms["b"], "--lang", "en")
        text = out
        assert f"{forms['b']}: valid" in out
    else:
        code, out, err = cli_run(*ingest_args(unreadable, data), "--lang", "en")
        text = err
    assert code == 1 and "cannot be read (Permission denied)" in text
    assert state(data) == before


def test_an_unreadable_table_in_check_gets_a_message(data, cli_run, monkeypatch):
    import pandas as pd

    real = pd.read_csv

    def guarded(path, *args, **kwargs):
        if Path(path).name == "transitions.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", guarded)
    code, out, err = cli_run("check", "--data", data)
    assert code == 1 and "transitions.csv: cannot be read (Permission denied)" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="file modes do not stop root")
@pytest.mark.parametrize("what", ["form file", "dataset table", "dataset folder"])
def test_unreadable_paths_by_mode(what, tmp_path, data, forms, cli_run):
    form = tmp_path / "form.xlsx"
    shutil.copy(forms["a"], form)
    target = {"form file": form, "dataset table": data / "transitions.csv", "dataset folder": data}[what]
    target.chmod(0)
    try:
        if what == "form file":
            code, out, err = cli_run("validate", form)
            assert code == 1 and "nevar nolasīt" in out
        else:
            code, out, err = cli_run("check", "--data", data)
            assert code == 1 and "Permission denied" in err
    finally:
        target.chmod(0o755)


# --- arguments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("received", ["1999-01-01", "2016-12-31", "2999-01-01"])
def test_a_received_date_outside_the_plan_or_in_the_future_is_refused(received, data, forms, cli_run):
    before = state(data.parent)
    code, out, err = cli_run("ingest", forms["a"], "--into", data, "--replace", "--received", received)
    assert code == 1 and f"received date {received} is outside" in err
    assert state(data.parent) == before  # refused before anything, even the lock file


def test_validate_with_a_missing_data_folder_is_refused(tmp_path, forms, cli_run):
    code, out, err = cli_run("validate", forms["a"], "--data", tmp_path / "nope")
    assert code == 1 and "no such dataset folder" in err
    assert not (tmp_path / "nope").exists()


def test_ingest_into_a_file_is_refused(tmp_path, forms, cli_run):
    target = tmp_path / "data"
    target.write_text("not a dataset", encoding="utf-8")
    code, out, err = cli_run(*ingest_args(forms["a"], target))
    assert code == 1 and "is a file, not a dataset folder" in err
    assert target.read_text(encoding="utf-8") == "not a dataset"


def test_a_new_dataset_folder_gets_the_mode_the_umask_asks_for(tmp_path, forms):
    old = os.umask(0o022)
    try:
        intake.ingest([forms["a"]], tmp_path / "new", received=di_eval_date())
    finally:
        os.umask(old)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "new" / "service_uptake.csv").stat().st_mode & 0o777 == 0o644


# --- concurrency ----------------------------------------------------------------------------------------


def test_two_ingests_at_once_both_land(data, forms, cli_run):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "di_eval", *map(str, ingest_args(forms[key], data))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key in ("a", "b")
    ]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert [code for code, _ in results] == [0, 0], results
    assert all("Traceback" not in err for _, err in results)
    log = (data / "submissions.csv").read_text(encoding="utf-8")
    assert f"{ATVK},{YEAR}," in log and f"{OTHER_ATVK},{OTHER_YEAR}," in log
    assert cli_run("check", "--data", data)[0] == 0 and beside(data) == []


def test_an_ingest_waits_for_the_holder_of_the_lock(data, forms, cli_run):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom di_eval import fs\n"
            f"with fs.locked({str(journal.lock_path(data))!r}, what='x'):\n"
            "    print('held', flush=True); time.sleep(3)\n",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    code, out, err = cli_run(*ingest_args(forms["a"], data))
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    holder.stdout.close()
    assert code == 0, err
    assert waited >= 1.0  # it waited for the holder instead of interleaving
