"""The headline figures of one scope as the `di-eval figures` JSON object (DESIGN.md)."""

from __future__ import annotations

import pandas as pd

from di_eval import vocabulary as v
from di_eval.analysis.indicators import REGION
from di_eval.errors import ChoiceError

TARGET_KEYS = ("FT", "GRT", "VSAC")


def _services(group: str) -> tuple[str, ...]:
    return ("any", *v.GROUP_SERVICES[group])


def _nested(rows, value_column: str) -> dict:
    """{target_group: {service: published value}} in the vocabulary's order."""
    values = {(g, s): x for g, s, x in zip(rows["target_group"], rows["service"], rows[value_column])}
    return {
        group: {service: values[(group, service)] for service in _services(group) if (group, service) in values}
        for group in v.TARGET_GROUPS
        if any((group, service) in values for service in _services(group))
    }


def municipalities_served(rows: pd.DataFrame) -> dict:
    """Per year, how many scopes of ``rows`` served any FT or GRT person (a hidden count is >= 1)."""
    rows = rows[rows["target_group"].isin(["FT", "GRT"]) & (rows["service"] == "any")]
    served = rows["persons_served"].map(lambda x: isinstance(x, str) or (x is not None and not pd.isna(x) and x > 0))
    counted = rows.assign(served=served).groupby(["year", "scope"])["served"].any()
    per_year = counted.groupby(level="year").sum()
    return {int(year): int(n) for year, n in per_year.items()}


def figures(evaluation, scope: str = REGION) -> dict:
    """The numbers a report on ``scope`` states, after disclosure control.

    Values are whole numbers where published, the marker (e.g. "<5") where hidden, and None
    where not reported. Targets are the region's, from the plan version in force at ``as_of``;
    a municipality has none. ``municipalities_served_by_year`` counts the municipalities of
    the structure that served any FT or GRT person; for one municipality it is 1 or 0.
    """
    code = evaluation.resolve(scope)
    shown = set(evaluation.scopes["scope"])
    if code not in shown:
        names = sorted(evaluation.scopes["name"])
        raise ChoiceError("scope", scope, names, hint="this evaluation was restricted with for_scope")
    cumulative = evaluation.persons_cumulative
    by_year = evaluation.persons_by_year
    cumulative = cumulative[cumulative["scope"] == code]
    by_year = by_year[by_year["scope"] == code]
    if code == REGION:
        targets = dict(zip(evaluation.achievement["target"], evaluation.achievement["target_value"]))
        served = evaluation.municipalities_served_by_year
    else:
        targets = {}
        served = municipalities_served(by_year)
    return {
        "scope": code,
        "name": evaluation.name_of(code),
        "as_of": evaluation.as_of.date().isoformat(),
        "structure": evaluation.structure,
        "plan_version": evaluation.plan_version,
        "targets": {key: (int(targets[key]) if key in targets else None) for key in TARGET_KEYS},
        "persons_cumulative": _nested(cumulative, "persons"),
        "persons_by_year": {
            str(int(year)): _nested(rows, "persons_served") for year, rows in by_year.groupby("year", sort=True)
        },
        "municipalities_served_by_year": {str(year): int(n) for year, n in sorted(served.items())},
    }
