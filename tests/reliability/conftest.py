"""Shared helpers of the reliability cases: run the CLI, and record a folder's state exactly."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from di_eval import paths

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def state(root: Path) -> dict:
    """Every entry under ``root`` (hidden ones too): file bytes, link targets, folders."""
    root = Path(root)
    if not os.path.lexists(root):
        return {}
    found = {}
    if root.is_symlink() or root.is_file():
        return {".": ("link", os.readlink(root)) if root.is_symlink() else ("file", root.read_bytes())}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_file():
            found[key] = ("file", path.read_bytes())
        else:
            found[key] = ("dir",)
    return found


@pytest.fixture
def cli_run(capsys):
    """Call ``di-eval`` in this process; returns (exit status, stdout, stderr)."""
    from di_eval import cli

    def call(*argv):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exit_:  # argparse refusing an argument
            code = exit_.code
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out
        return code, out, err

    return call


@pytest.fixture
def data(tmp_path):
    """A copy of the sample dataset (the tests may not change the shipped one)."""
    target = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, target)
    return target


@pytest.fixture
def fakes(monkeypatch):
    import fakes as module

    module.install(monkeypatch)
    return module
