"""A report to make (Job), what became of it (Outcome: made, reused, failed or timed out), and of the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Job:
    """One report to make: which notebook, with which parameters, published under which name."""

    name: str  # "region" or a municipality code
    notebook: Path
    parameters: dict
    html_path: str  # relative to the published folder, e.g. "pasvaldibas/0620200.html"
    title: str = ""


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
    commentary: str = ""  # the hash of its commentary file in that key
    how: str = ""  # "commentary": only its commentary changed, the page before rewritten (di_eval.run.rewrite)


MADE = ("ok", "reused")  # the statuses of a report that is in the release


@dataclass
class RunResult:
    """The outcomes of a run and where it was published (or kept, when it was not)."""

    out: Path
    outcomes: list[Outcome]
    seconds: float
    manifest: dict = field(default_factory=dict)
    published: bool = True
    release: Path | None = None  # the folder that holds this run's pages
    previous: Path | None = None  # the release ``out`` showed before, if any

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status not in MADE]

    @property
    def reused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "reused"]

    @property
    def ok(self) -> bool:
        return not self.failed
