"""`di-eval run` argument errors: a clear message and exit 2, before any kernel starts."""

from __future__ import annotations

import pytest

from di_eval import cli


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--as-of", "2030-01-01"], "within 2017-01-01..2023-12-31"),
        (["run", "--as-of", "yesterday"], "YYYY-MM-DD"),
        (["run", "--only", "Atlantīda"], "unknown municipality: 'Atlantīda'"),
        (["run", "--workers", "0"], "--workers 0: must be a whole number of at least 1"),
        (["run", "--workers", "1000"], "--workers 1000: at most"),
        (["run", "--timeout", "nan"], "--timeout nan: must be a number of seconds above 0"),
        (["run", "--timeout", "0"], "--timeout 0.0: must be a number of seconds above 0"),
    ],
)
def test_bad_arguments(argv, message, capsys, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr("di_eval.run.batch.execute", lambda *a, **k: started.append(1) or [])
    code = cli.main([*argv, "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not started and not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["run", "--lang", "de"], ["run", "--structure", "1990"], ["run", "--bogus"]])
def test_argparse_choices(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    assert "usage: di-eval" in capsys.readouterr().err


def test_run_passes_its_arguments_to_the_library(monkeypatch, tmp_path):
    seen = {}

    def fake_run(data, out, **kwargs):
        from di_eval.run.outcome import RunResult

        seen.update(kwargs, data=data, out=out)
        return RunResult(out, [], 0.0)

    monkeypatch.setattr("di_eval.run.site.run", fake_run)
    code = cli.main(
        [
            "run",
            "--out",
            str(tmp_path / "out"),
            "--as-of",
            "2020-12-31",
            "--lang",
            "en",
            "--only",
            "Saldus",
            "region",
            "--structure",
            "2021",
            "--workers",
            "3",
            "--timeout",
            "50",
            "--disclosure",
            "rounding",
            "--no-progress",
        ]
    )
    assert code == 0
    assert seen["disclosure"] == "rounding", "--disclosure reaches the library once, with the other arguments"
    assert seen["as_of"] == "2020-12-31" and seen["lang"] == "en" and seen["only"] == ["Saldus", "region"]
    assert seen["structure"] == "2021" and seen["workers"] == 3 and seen["timeout"] == 50


def test_a_command_imports_only_its_own_module():
    import subprocess
    import sys

    code = (
        "import sys\nfrom di_eval.cli import main\nfrom di_eval.cli.main import build_parser\n"
        "build_parser(['run', '--help'], every=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('di_eval.cli.')), 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['di_eval.cli.main', 'di_eval.cli.run'] False", done.stderr[-2000:]
