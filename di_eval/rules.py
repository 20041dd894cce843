"""The rules that counts of persons and milestone dates obey, each written once.

Three places apply them, and all three take them from here:

- ``di_eval.dataset`` reports a broken rule as a Problem on a row of a canonical table;
- ``di_eval.intake`` reports it as a Finding on the cell of a form;
- ``di_eval.analysis.indicators`` turns the unique-person rules into the inequalities of the
  disclosure cube, the relations a reader could use to narrow down a hidden count.

The rules:

- ``persons_new`` ≤ ``persons_served`` (of the persons served, those new under the plan);
  ``support_plans`` ≤ ``assessments`` (a support plan follows a needs assessment). A bound
  holds between two reported values; a blank (not reported) bounds nothing.
- ``any`` (unique persons over all services of a target group) is at least each reported
  service and at most their sum — the upper bound only when every service was reported: a
  blank service could hold any number of persons. A form lists every service the plan gives
  the group (one left out of a sheet is written to the dataset as blank).
- a service belongs to a target group only if the plan gives it to that group.
- the milestones of a project are dated in their order (construction start, construction
  end, service opened), planned and actual dates each on their own.
- across years (the cube only: one form holds one year): everyone served in a year was new
  in that year or before, so persons served ≤ new persons so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from di_eval import vocabulary as v

ANY = "any"  # the service code of unique persons across all services of a group
UNIQUE_MEASURES = ("persons_served", "persons_new")  # the measures 'any' bounds
MILESTONE_DATES = ("planned_date", "actual_date")


@dataclass(frozen=True)
class Bound:
    """``low`` ≤ ``high``: two columns of one row of a canonical table."""

    kind: str  # the name of the relation in the disclosure cube
    table: str  # the canonical table
    low: str
    high: str
    finding: str  # the intake rule (di_eval.intake.messages)
    text: str  # the dataset's rule text; {high} is the value of the high side


ROW_BOUNDS = (
    Bound(
        "new_at_most_served",
        "service_uptake",
        "persons_new",
        "persons_served",
        "new_exceeds_served",
        "persons_new must not exceed persons_served ({high})",
    ),
    Bound(
        "plans_at_most_assessments",
        "needs_assessments",
        "support_plans",
        "assessments",
        "support_exceeds_assessments",
        "support plans must not exceed needs assessments ({high})",
    ),
)

# The kinds of inequality in the disclosure cube, in the order it builds them.
ANY_AT_LEAST_SERVICE = "any_at_least_service"
ANY_AT_MOST_SERVICES = "any_at_most_services"
SERVED_AT_MOST_NEW_SO_FAR = "served_at_most_new_so_far"
CUBE_INEQUALITIES = (
    ANY_AT_LEAST_SERVICE,
    ANY_AT_MOST_SERVICES,
    *(b.kind for b in ROW_BOUNDS if b.table == "service_uptake"),
    SERVED_AT_MOST_NEW_SO_FAR,
    *(b.kind for b in ROW_BOUNDS if b.table == "needs_assessments"),
)

ANY_BELOW_LARGEST = "any_below_largest"
ANY_ABOVE_SUM = "any_above_sum"
ANY_TEXTS = {
    ANY_BELOW_LARGEST: "'any' must be at least the largest single service ({bound})",
    ANY_ABOVE_SUM: "'any' must not exceed the sum over services ({bound})",
}
SERVICE_NOT_IN_PLAN = "service is not one the plan gives to target group {group}"
MILESTONE_TEXT = "milestone '{milestone}' is dated before an earlier milestone ({previous})"


def broken(bound: Bound, low, high) -> bool:
    """Whether a row breaks ``bound``: both values reported and ``low`` above ``high``."""
    return low is not None and high is not None and low > high


def services_of(group: str) -> tuple[str, ...]:
    """The services the plan gives a target group (the parts of its 'any')."""
    return tuple(v.GROUP_SERVICES.get(group, ()))


def service_in_plan(group: str, service: str) -> bool:
    """Whether ``service`` is one the plan gives ``group`` ('any' belongs to every group)."""
    return service == ANY or service in v.GROUP_SERVICES.get(group, ())


def upper_bound_known(services: Mapping[str, object]) -> bool:
    """Whether the services' sum bounds 'any' from above: every service listed has a value."""
    parts = [x for s, x in services.items() if s != ANY]
    return bool(parts) and all(x is not None for x in parts)


def any_range(services: Mapping[str, int | None]) -> tuple[int | None, int | None]:
    """The range 'any' may take given the count of each service of its group (None = not reported).

    (largest reported service, sum over services); the sum is None unless every service listed
    was reported, the largest None when none was. A form lists every service the plan gives the
    group (one missing from a sheet is written as blank); a dataset lists the rows it holds.
    """
    reported = [x for s, x in services.items() if s != ANY and x is not None]
    low = max(reported) if reported else None
    high = sum(reported) if upper_bound_known(services) else None
    return low, high


def any_check(value: int | None, services: Mapping[str, int | None]) -> tuple[str, int] | None:
    """The rule ``value`` of 'any' breaks, with the bound it crosses, or None if it breaks none."""
    if value is None:
        return None
    low, high = any_range(services)
    if low is not None and value < low:
        return ANY_BELOW_LARGEST, low
    if high is not None and value > high:
        return ANY_ABOVE_SUM, high
    return None


def milestone_order(dates: Mapping[str, dt.date | None]) -> list[tuple[str, str]]:
    """(milestone, earlier milestone) for each dated milestone dated before the dated one before it."""
    dated = [m for m in v.MILESTONES if dates.get(m) is not None]
    return [(later, earlier) for earlier, later in zip(dated, dated[1:]) if dates[later] < dates[earlier]]
