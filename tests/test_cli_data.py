from __future__ import annotations

import json

from di_eval.cli import main


def test_check_on_the_sample(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "service_uptake" in out


def test_check_json(capsys):
    assert main(["check", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["municipalities"] == 20


def test_check_lists_every_problem_and_exits_1(sample_copy, edit, capsys):
    edit(sample_copy / "transitions.csv", 3, "persons", "-2")
    edit(sample_copy / "service_uptake.csv", 4, "year", "2030")
    assert main(["check", "--data", str(sample_copy)]) == 1
    err = capsys.readouterr().err
    assert "transitions.csv, row 3, column 'persons': must not be negative" in err
    assert "service_uptake.csv, row 4, column 'year'" in err
    assert "Traceback" not in err


def test_check_missing_folder(tmp_path, capsys):
    assert main(["check", "--data", str(tmp_path / "nope")]) == 1
    assert "dataset folder not found" in capsys.readouterr().err


def test_sample_command_writes_a_valid_dataset(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "s"), "--seed", "3"]) == 0
    assert main(["check", "--data", str(tmp_path / "s")]) == 0
