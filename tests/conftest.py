"""Shared fixtures: a private copy of the sample dataset that a test may break, and HTML snapshots."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import di_eval
from di_eval import paths


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="write the HTML snapshots in tests/snapshots/ from what the code renders now (make snapshots)",
    )


@pytest.fixture(scope="session")
def sample_dataset():
    return di_eval.load(paths.SAMPLE_DIR)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    target = tmp_path / "dataset"
    shutil.copytree(paths.SAMPLE_DIR, target)
    return target


def edit_csv(path: Path, row: int, column: str, value) -> None:
    """Set one cell; ``row`` counts as a person does (header = 1, first data row = 2)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False)


@pytest.fixture
def edit():
    return edit_csv


# --- snapshots: a rendered text compared with a file kept in the repository --------------------------------


class Snapshot:
    """Compares a text with its file; with --snapshot-update writes the file instead (only when it differs)."""

    def __init__(self, update: bool):
        self.update = update

    def check(self, text: str, path: Path) -> None:
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == text:
            return
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            return
        shown = (
            path.relative_to(Path(__file__).parent.parent)
            if path.is_relative_to(Path(__file__).parent.parent)
            else path
        )
        if old is None:
            pytest.fail(f"no snapshot {shown}: write it with `make snapshots`", pytrace=False)
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), "snapshot", "rendered", lineterm="", n=1))
        more = f"\n… {len(diff) - 60} more diff lines" if len(diff) > 60 else ""
        pytest.fail(
            f"{shown} differs from what the code renders now; if the change is meant, run `make snapshots` "
            f"and commit the files.\n" + "\n".join(diff[:60]) + more,
            pytrace=False,
        )


@pytest.fixture
def snapshot(request) -> Snapshot:
    return Snapshot(request.config.getoption("snapshot_update"))


# --- browser tests: run where the tools are, otherwise one line says how to run them ---------------------


def _browser_tests_asked_for(config) -> bool:
    """True when the command line selects the browser tests by name (make test-browser: -m browser)."""
    expression = config.getoption("markexpr") or ""
    return "browser" in expression and "not browser" not in expression


def pytest_collection_modifyitems(config, items):
    from browser_support import missing_tools

    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if not browser_tests or _browser_tests_asked_for(config):
        return  # asked for by name, a missing tool fails them loudly instead
    missing = missing_tools()
    if missing:
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        config.hook.pytest_deselected(items=browser_tests)


def pytest_terminal_summary(terminalreporter, config):
    from browser_support import SKIP_LINE, missing_tools

    expression = config.getoption("markexpr") or ""
    if "not browser" in expression or _browser_tests_asked_for(config):
        return
    missing = missing_tools()
    if missing:
        terminalreporter.write_line(SKIP_LINE.format(missing=", ".join(missing)), yellow=True, bold=True)


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright per test process: its sync API cannot be started twice in one process (the
    browser checks and the JupyterLab checks may share a worker)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright
