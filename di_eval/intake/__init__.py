"""Collecting data from municipalities: the form, reading what comes back, validating and ingesting it.

The modules, in the order a file flows through them: ``form`` (the layout) and ``writer`` (the
.xlsx a municipality fills in); ``read`` (a file into grids of cells), ``privacy`` (personal data),
``parse`` (cells into values, headers into columns), ``validation`` (one form read and checked,
with the rules of ``di_eval.rules``), ``canonical`` (a form as rows of the canonical tables) and
``ingestion`` (merged into a dataset folder in one atomic step); ``messages`` holds what they say.
"""

from di_eval.intake.canonical import canonical_rows
from di_eval.intake.form import (
    FIRST_DATA_ROW,
    FORM_SHEETS,
    HEADER_ROW,
    INSTRUCTIONS,
    LISTS_SHEET,
    SHEETS_BY_KEY,
    FormColumn,
    FormContent,
    FormSheet,
    choice_label,
    due_date,
    form_content,
)
from di_eval.intake.ingestion import IngestOutcome, IngestResult, ingest
from di_eval.intake.messages import MESSAGES, Finding, IntakeError
from di_eval.intake.parse import parse_choice, parse_count, parse_date, parse_money
from di_eval.intake.read import MAX_BYTES, OLE2_MAGIC, Grid, read_grids, sha256_of
from di_eval.intake.validation import Context, FormRow, Submission, read_form, validate
from di_eval.intake.writer import build_workbook, default_filename, write_form

__all__ = [
    "FIRST_DATA_ROW",
    "FORM_SHEETS",
    "HEADER_ROW",
    "INSTRUCTIONS",
    "LISTS_SHEET",
    "MAX_BYTES",
    "MESSAGES",
    "OLE2_MAGIC",
    "SHEETS_BY_KEY",
    "Context",
    "Finding",
    "FormColumn",
    "FormContent",
    "FormRow",
    "FormSheet",
    "Grid",
    "IngestOutcome",
    "IngestResult",
    "IntakeError",
    "Submission",
    "build_workbook",
    "canonical_rows",
    "choice_label",
    "default_filename",
    "due_date",
    "form_content",
    "ingest",
    "parse_choice",
    "parse_count",
    "parse_date",
    "parse_money",
    "read_form",
    "read_grids",
    "sha256_of",
    "validate",
    "write_form",
]
