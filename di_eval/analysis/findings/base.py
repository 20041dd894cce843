"""Findings: the Finding type, the catalogue and the helpers every rule uses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from di_eval.text import Text
from di_eval.text.formats import format_number
from di_eval.text.terms import scope_name

IMPORTANCE_ORDER = ("high", "medium", "low")

# code -> (rule in English, importance); README "Findings and conclusions" lists the same.
CATALOGUE = {
    "target_progress": (
        "a region target: achieved against the target and against the time elapsed; what it "
        "would take to reach it by the end of 2023; a projection at the pace of the last three "
        "years",
        "high if behind, medium if at risk, low otherwise",
    ),
    "municipal_progress": (
        "a municipality's own plan (municipal_plan): persons served (cumulative) against the persons planned for "
        "it, status in the region's bands, and its plan's share of the region's target",
        "high if behind, medium if at risk, low otherwise",
    ),
    "municipal_share": ("a municipality's persons served (cumulative) as a share of the region's target", "low"),
    "infrastructure_not_opened": (
        "a project whose service opening date has passed and which has not opened "
        "(not started, under construction or built)",
        "high",
    ),
    "infrastructure_opened_late": ("a project that opened after its planned date", "medium (high from 365 days)"),
    "infrastructure_late_share": (
        "the share of projects with a late or overdue milestone",
        "high from 50 %, medium otherwise",
    ),
    "needs_not_served": ("needs were assessed but nobody of the group was served (a known zero)", "high"),
    "needs_coverage": (
        "persons served (cumulative) per needs assessment, where both are published",
        "medium below 50 %, low otherwise",
    ),
    "paid_nobody_served": ("ESF money paid for services while nobody of FT, GRT or BSAC was served", "high"),
    "cost_per_person": (
        "ESF paid ÷ persons served (FT + GRT, cumulative), against the region's",
        "medium if under half or over 1.5 times the region's, low otherwise",
    ),
    "service_stopped": ("a service that served persons in a year and nobody in every later year", "medium"),
    "forms_missing": ("forms not received", "high"),
    "forms_late": ("half or more of the forms arrived after the due date", "low"),
}


@dataclass(frozen=True)
class Finding:
    """One statement about a scope, in both languages, with the numbers behind it."""

    scope: str
    code: str
    importance: str
    text_lv: str
    text_en: str
    evidence: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return Text(self.text_lv, self.text_en)(lang)

    def as_json(self) -> dict:
        return {
            "scope": self.scope,
            "code": self.code,
            "importance": self.importance,
            "text_lv": self.text_lv,
            "text_en": self.text_en,
            "evidence": _plain(self.evidence),
        }


def _plain(value):
    """Evidence as JSON values: ints, floats, strings, lists, dicts (never NaN or numpy types)."""
    if isinstance(value, dict):
        return {str(k): _plain(x) for k, x in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(x) for x in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 6)
    if value is None or value is pd.NA:
        return None
    return str(value)


ABOUT = Text("apmēram {n}", "about {n}")


def approximately(text: str, value, lang: str) -> str:
    """``text`` (a count, a phrase or a rate made from ``value``) as "apmēram …" / "about …" when
    ``value`` is a count published rounded (on a page, such a count knows its rounding ``base``),
    but not where ``text`` shows the count as its range ("25–34"): a rate or a sum made from
    that count is still "apmēram"."""
    if getattr(value, "span", None) and format_number(value, lang) in text:
        return text  # the count shown as its range ("25–34") says already how exact it is
    return ABOUT(lang, n=text) if getattr(value, "base", None) else text


def known(value) -> bool:
    """A published whole number (not a marker, not missing)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive(value, primary_marker: str) -> bool:
    """Known to be at least 1: a published count above zero, or a small count hidden as "<5"."""
    return (known(value) and value > 0) or value == primary_marker


def _finding(scope, code, importance, texts: dict, evidence: dict) -> Finding:
    return Finding(scope, code, importance, texts["lv"], texts["en"], evidence)


def _name(evaluation, scope: str, lang: str) -> str:
    return scope_name(scope, lang, evaluation.scopes)


def _shown(value, lang: str) -> str:
    """A published value in words: "12", "mazāk nekā 5" (a small hidden count)."""
    from di_eval.text.formats import fewer_than

    return format_number(value, lang) if known(value) else fewer_than(value, lang)


def _iso(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _served(evaluation, scope: str, group: str):
    rows = evaluation.persons_cumulative
    rows = rows[(rows["scope"] == scope) & (rows["target_group"] == group) & (rows["service"] == "any")]
    return rows["persons"].iloc[0] if len(rows) else None
