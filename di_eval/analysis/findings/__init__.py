"""Findings: ranked statements of what the published numbers mean, each with its evidence.

``findings(evaluation, scope)`` reads an ``Evaluation`` (every person count already passed
disclosure control: an int, a marker such as "<5"/"x", or None) and says, in Latvian and
English, what went well or wrong: progress against the targets and what it would take to
reach them, late infrastructure, needs against services, money paid where nobody was served,
cost per person served, services that stopped, data that are missing. A rate is stated only
when its numerator and denominator are both published whole numbers; a hidden value is never
worked out, summed or compared as a number. Each finding carries its evidence: the numbers it
states and the table they come from.

The catalogue (code, rule, importance) is ``CATALOGUE`` and README "Findings and conclusions".
"""

from __future__ import annotations

from di_eval.analysis.findings.base import CATALOGUE, IMPORTANCE_ORDER, Finding, known, positive
from di_eval.analysis.findings.delivery import (
    completeness_findings,
    infrastructure_findings,
    money_findings,
    needs_findings,
    stopped_findings,
)
from di_eval.analysis.findings.progress import (
    municipal_plan_findings,
    municipal_plan_rows,
    municipal_share_findings,
    target_findings,
)
from di_eval.analysis.indicators import REGION

# --- all of them, ranked --------------------------------------------------------------------------------------


def findings(evaluation, scope: str | None = None, plan=None) -> list[Finding]:
    """Every finding about ``scope`` (default: the evaluation's own scope), most important first.
    ``plan``: the dataset's ``municipal_plan`` table (each municipality's own plan), if any."""
    from di_eval.report.rounded import mark

    # counts published rounded marked as the page marks them, so that a finding says "apmēram 35"
    # in findings.json as on the page (a marked evaluation is taken as it is)
    if hasattr(evaluation, "rounded"):  # an Evaluation (a table-only stand-in is taken as it is)
        evaluation = mark(evaluation)
    scope = evaluation.resolve(scope) if scope is not None else evaluation.scope
    out: list[Finding] = []
    if scope == REGION:
        out += target_findings(evaluation)
    own = municipal_plan_findings(evaluation, plan, scope)
    out += own if own else municipal_share_findings(evaluation, scope)
    out += infrastructure_findings(evaluation, scope)
    out += needs_findings(evaluation, scope)
    out += money_findings(evaluation, scope)
    out += stopped_findings(evaluation, scope)
    out += completeness_findings(evaluation, scope)
    codes = list(CATALOGUE)
    return sorted(out, key=lambda f: (IMPORTANCE_ORDER.index(f.importance), codes.index(f.code)))


def findings_json(evaluation, scope: str | None = None, plan=None) -> list[dict]:
    """The findings of ``scope`` as JSON objects (scope, code, importance, text_lv, text_en, evidence)."""
    return [f.as_json() for f in findings(evaluation, scope, plan)]


__all__ = [
    "CATALOGUE",
    "IMPORTANCE_ORDER",
    "Finding",
    "completeness_findings",
    "findings",
    "findings_json",
    "infrastructure_findings",
    "known",
    "money_findings",
    "municipal_plan_findings",
    "municipal_plan_rows",
    "municipal_share_findings",
    "needs_findings",
    "positive",
    "stopped_findings",
    "target_findings",
]
