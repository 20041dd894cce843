"""A checked submission as rows of the canonical tables (text as the CSV files hold it)."""

from __future__ import annotations

import datetime as dt

from di_eval import vocabulary as v
from di_eval.intake.validation import FormRow, Submission

# --- canonical rows ---------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A parsed value as the canonical CSV writes it."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"
    return str(value)


def canonical_rows(submission: Submission) -> dict[str, list[dict]]:
    """The submission as rows of the canonical tables (text, None for blank); each row records its origin."""
    atvk, year = submission.atvk_code, str(submission.year)
    out: dict[str, list[dict]] = {}
    sheets = submission.sheets
    if "services" in sheets or "new_persons" in sheets:
        given = {}
        for key in ("services", "new_persons"):
            for row in sheets.get(key, []):
                service = row.keys.get("service", "any")
                given[(row.keys["target_group"], service)] = row
        rows = []
        for group, services in v.GROUP_SERVICES.items():
            wanted = [*(services if "services" in sheets else ()), *(("any",) if "new_persons" in sheets else ())]
            for service in wanted:
                form_row = given.get((group, service))
                rows.append(
                    _row(
                        submission,
                        form_row,
                        year=year,
                        atvk_code=atvk,
                        target_group=group,
                        service=service,
                        persons_served=_value(form_row, "persons_served"),
                        persons_new=_value(form_row, "persons_new"),
                    )
                )
        out["service_uptake"] = rows
    if "transitions" in sheets:
        given = {row.keys["transition"]: row for row in sheets["transitions"]}
        out["transitions"] = [
            _row(
                submission,
                given.get(code),
                year=year,
                atvk_code=atvk,
                transition=code,
                persons=_value(given.get(code), "persons"),
            )
            for code in v.TRANSITIONS
        ]
    if "needs_assessments" in sheets:
        given = {row.keys["target_group"]: row for row in sheets["needs_assessments"]}
        out["needs_assessments"] = [
            _row(
                submission,
                given.get(group),
                year=year,
                atvk_code=atvk,
                target_group=group,
                assessments=_value(given.get(group), "assessments"),
                support_plans=_value(given.get(group), "support_plans"),
            )
            for group in ("FT", "GRT")
        ]
    if "finance" in sheets:
        out["finance"] = _finance_rows(submission, sheets["finance"], atvk, year)
    if "infrastructure" in sheets:
        out["infrastructure_milestones"] = [
            _row(
                submission,
                row,
                project_id=row.keys["project_id"],
                milestone=row.keys["milestone"],
                planned_date=_value(row, "planned_date"),
                actual_date=_value(row, "actual_date"),
            )
            for row in sheets["infrastructure"]
        ]
    return out


def _value(row: FormRow | None, name: str) -> str | None:
    return None if row is None else _text(row.values.get(name))


def _row(submission: Submission, origin: FormRow | None, **values) -> dict:
    values["__origin__"] = (submission, origin)
    return values


def _finance_rows(submission: Submission, rows: list[FormRow], atvk: str, year: str) -> list[dict]:
    measures = ("planned_eur", "contracted_eur", "paid_eur")
    out = []
    fund_order = list(v.FUNDS)
    for programme in v.PROGRAMMES:
        parts = [
            r
            for r in rows
            if r.keys.get("programme") == programme and any(r.values.get(m) is not None for m in measures)
        ]
        if not parts:
            continue  # a programme with no amount at all is not reported
        parts.sort(key=lambda r: fund_order.index(r.keys["fund"]))
        for r in parts:
            out.append(
                _row(
                    submission,
                    r,
                    programme=programme,
                    year=year,
                    atvk_code=atvk,
                    fund=r.keys["fund"],
                    **{m: _value(r, m) for m in measures},
                )
            )
        totals = {}
        for m in measures:
            known = [r.values[m] for r in parts if r.values.get(m) is not None]
            totals[m] = _text(round(sum(known), 2)) if known else None
        out.append(_row(submission, None, programme=programme, year=year, atvk_code=atvk, fund="total", **totals))
    return out
