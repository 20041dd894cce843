"""Shared fixtures: a private copy of the sample dataset that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import di_eval
from di_eval import paths


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
