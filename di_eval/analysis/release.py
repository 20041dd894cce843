"""A release: every person count one run published, as a reader (or a later run) sees it.

``release_json(evaluation)`` is the content of a run's ``figures.json``: the headline figures of
each scope (the `di-eval figures` objects, keyed by scope code, as before), plus

- ``rule``: what the values mean (method, threshold, markers, and for rounding ``rounding_base``
  and ``exact_scopes``);
- ``release``: ``as_of``, the structure of the reports and the 2017 -> 2021 crosswalk;
- ``counts``: every published person count of every scope of both structures, every year and
  the cumulative (``columns`` + ``rows``; ``year`` null for the cumulative, ``status`` one of
  published, rounded, rounded_coarse, primary, secondary, not_reported, omitted).

``read_release(path)`` reads it back (a folder of a run or the file itself) for ``audit`` and
``evaluate(..., previous=[...])``. ``knowledge`` turns published values into what a reader
knows of each true count: an interval of whole numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from di_eval.analysis.disclosure import (
    COARSE,
    NOT_REPORTED,
    OMITTED,
    PRIMARY,
    PUBLISHED,
    ROUNDED,
    SECONDARY,
    DisclosureRule,
    ProtectedCube,
)
from di_eval.analysis.indicators import CUBE_KEYS, CUMULATIVE
from di_eval.analysis.rounding import rounded_range, rounding_interval
from di_eval.errors import DiEvalError

FILE_NAME = "figures.json"
COUNT_COLUMNS = [*CUBE_KEYS, "value", "status"]
STATUSES = (PUBLISHED, ROUNDED, COARSE, PRIMARY, SECONDARY, NOT_REPORTED, OMITTED)


@dataclass(frozen=True, eq=False)
class Release:
    """What one run published: its date, its rule, the crosswalk and every person count.

    ``cells``: CUBE_KEYS (``year`` 0 for the cumulative) + ``published`` (int, marker or None)
    + ``status``.
    """

    as_of: pd.Timestamp
    rule: DisclosureRule
    successors: dict
    cells: pd.DataFrame
    source: str = ""

    @property
    def last_year(self) -> int:
        return int(self.as_of.year if self.as_of.month == 12 and self.as_of.day == 31 else self.as_of.year - 1)

    def knowledge(self) -> pd.DataFrame:
        """CUBE_KEYS + ``low``, ``high`` (whole numbers, inf for no upper limit) and ``reported``."""
        return self.cells[CUBE_KEYS].assign(**dict(zip(("low", "high", "reported"), _intervals(self))))


def _intervals(release: Release) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rule = release.rule
    t = rule.threshold
    n = len(release.cells)
    low, high = np.zeros(n), np.full(n, np.inf)
    reported = np.ones(n, bool)
    for i, (value, status) in enumerate(zip(release.cells["published"], release.cells["status"])):
        if status == OMITTED:
            pass  # a count that exists and is not published: any whole number of 0 or more
        elif status == NOT_REPORTED or value is None:
            reported[i] = False
        elif status == PRIMARY:
            low[i], high[i] = 1, t - 1
        elif status == SECONDARY:
            low[i] = 1
        elif status in (ROUNDED, COARSE):
            low[i], high[i] = rounded_range(value, rule.coarse_base if status == COARSE else rule.rounding_base, t)
        else:
            low[i] = high[i] = int(value)
    return low, high, reported


def from_protected(protected: ProtectedCube, as_of, successors: dict) -> Release:
    """The release a protected cube makes."""
    cells = protected.cells
    return Release(
        pd.Timestamp(as_of),
        protected.rule,
        dict(successors),
        cells[[*CUBE_KEYS, "published", "status"]].reset_index(drop=True),
    )


def rule_json(rule: DisclosureRule) -> dict:
    out = {
        "method": rule.method,
        "threshold": rule.threshold,
        "primary_marker": rule.primary_marker,
        "secondary_marker": rule.secondary_marker,
        "meaning": {
            "number": "the count",
            rule.primary_marker: f"a count from 1 to {rule.threshold - 1}",
            rule.secondary_marker: "a count of at least 1, size not told",
            "null": "not reported (status not_reported) or not published at this detail (status omitted)",
        },
        "detail": rule.detail,
    }
    if rule.method == "rounding":
        below, above = rounding_interval(rule.rounding_base)
        far_below, far_above = rounding_interval(rule.coarse_base)
        out["rounding_base"] = rule.rounding_base
        out["coarse_base"] = rule.coarse_base
        out["exact_scopes"] = list(rule.exact_scopes)
        out["meaning"]["rounded"] = (
            f"a count status 'rounded' lies from the value - {below} to the value + {above} "
            f"(and is at least {rule.threshold}); counts of exact_scopes are exact unless marked rounded"
        )
        out["meaning"][COARSE] = (
            f"a count status '{COARSE}' is rounded to the nearest multiple of coarse_base: it lies from the "
            f"value - {far_below} to the value + {far_above} (and is at least {rule.threshold})"
        )
    return out


def rule_of(data: dict, source: str) -> DisclosureRule:
    try:
        method = data.get("method", "suppression")
        kwargs = {"threshold": int(data["threshold"]), "secondary_marker": str(data["secondary_marker"])}
        if method == "rounding":
            base = int(data["rounding_base"])
            kwargs |= {
                "rounding_base": base,
                "coarse_base": int(data.get("coarse_base", 2 * base)),
                "exact_scopes": tuple(data["exact_scopes"]),
            }
        return DisclosureRule(method=method, detail=str(data.get("detail", "full")), **kwargs)
    except (KeyError, TypeError, ValueError, DiEvalError) as err:  # DiEvalError: a value the rule refuses
        raise DiEvalError(f"{source}: the 'rule' object is incomplete or wrong ({err})") from None


def release_json(evaluation, figures: dict | None = None) -> dict:
    """The release file of ``evaluation``: figures per scope, ``rule``, ``release``, ``counts``.

    ``figures``: the per-scope figures to include (default: every scope of the structure).
    """
    protected = evaluation.protected
    cells = protected.cells
    rows = []
    for row in cells[[*CUBE_KEYS, "published", "status"]].itertuples(index=False):
        record = list(row)
        record[3] = None if record[3] == CUMULATIVE else int(record[3])
        value = record[6]
        record[6] = int(value) if isinstance(value, (int, np.integer)) else value
        rows.append(record)
    if figures is None:
        figures = {scope: evaluation.figures(scope) for scope in evaluation.scopes["scope"]}
    successors = evaluation.successors
    return {
        **figures,
        "rule": rule_json(protected.rule),
        "release": {
            "as_of": evaluation.as_of.date().isoformat(),
            "structure": evaluation.structure,
            "successors": dict(sorted(successors.items())),
        },
        "counts": {"columns": COUNT_COLUMNS, "rows": rows},
    }


def read_release(path) -> Release:
    """A release from a run's folder or its ``figures.json``; DiEvalError naming the file if it is
    not one (an older ``figures.json`` without ``rule`` and ``counts`` cannot be audited)."""
    path = Path(path)
    file = path / FILE_NAME if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiEvalError(f"{file}: no release file here (a run folder holds {FILE_NAME})") from None
    except (OSError, json.JSONDecodeError) as err:
        raise DiEvalError(f"{file}: not a readable release file ({err})") from None
    missing = [key for key in ("rule", "release", "counts") if key not in data]
    if missing:
        raise DiEvalError(
            f"{file}: not a release file: no {', '.join(repr(k) for k in missing)} "
            "(written by an older di-eval; publish it again to audit it)"
        )
    rule = rule_of(data["rule"], str(file))
    try:
        as_of = pd.Timestamp(data["release"]["as_of"])
        successors = dict(data["release"]["successors"])
        columns = data["counts"]["columns"]
        cells = pd.DataFrame(data["counts"]["rows"], columns=columns)
    except (KeyError, TypeError, ValueError) as err:
        raise DiEvalError(f"{file}: the 'release' or 'counts' object is incomplete ({err})") from None
    if list(cells.columns) != COUNT_COLUMNS:
        raise DiEvalError(f"{file}: 'counts' needs the columns {', '.join(COUNT_COLUMNS)}")
    bad = sorted(set(cells["status"]) - set(STATUSES))
    if bad:
        raise DiEvalError(f"{file}: unknown status {bad[0]!r} in 'counts' (known: {', '.join(STATUSES)})")
    cells["year"] = cells["year"].fillna(CUMULATIVE).astype("int64")
    cells["service"] = cells["service"].fillna("")
    cells["published"] = pd.Series(
        [v if v is None or isinstance(v, str) else int(v) for v in cells.pop("value")], dtype=object
    )
    cells = cells[[*CUBE_KEYS, "published", "status"]]
    return Release(as_of, rule, successors, cells, source=str(file))
