"""What became of one report of a run: made, reused, failed or timed out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    """What became of one job."""

    name: str
    html_path: str
    notebook_path: str  # "" when no notebook was written (e.g. the kernel never started)
    status: str  # ok | reused (from the release before, its inputs unchanged) | failed | timeout
    seconds: float
    attempts: int = 1
    error: str | None = None
    failing_cell: int | None = None
    title: str = ""
    key: str = ""  # the report's input key (di_eval.run.incremental)


MADE = ("ok", "reused")  # the statuses of a report that is in the release
