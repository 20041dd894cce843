"""Every path the project uses, in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = Path(os.environ.get("DI_EVAL_REFERENCE", DATA_DIR / "reference"))
SAMPLE_DIR = DATA_DIR / "sample"
FORMS_DIR = DATA_DIR / "forms"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TEMPLATES_DIR = Path(__file__).resolve().parent / "report" / "templates"
