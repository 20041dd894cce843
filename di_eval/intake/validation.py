"""Reading and checking one filled form: identity (municipality, year), rows cell by cell, rules across cells.

A file is read into grids (``read``), checked for personal data (``privacy``), matched to the sheets
of the form by sheet name or column headers and parsed cell by cell (``parse``); the rules across
cells come from ``di_eval.rules``. Every finding names the file, sheet, cell and header as the
spreadsheet shows them, in Latvian (default) or English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from di_eval import dataset, journal, paths, rules
from di_eval import vocabulary as v
from di_eval.errors import DiEvalError
from di_eval.intake import form as forms
from di_eval.intake import privacy
from di_eval.intake.messages import Finding, printable
from di_eval.intake.parse import (
    HEADER_SEARCH_COLUMNS,
    TOTAL_WORDS,
    SheetMatch,
    identify,
    normal,
    other_sheet,
    parse_choice,
    parse_count,
    parse_date,
    parse_money,
)
from di_eval.intake.read import Grid, cell_name, read_grids, sha256_of
from di_eval.municipalities import alias_table, fold
from di_eval.text import LANGUAGES, Text
from di_eval.text.grammar import count_text

# --- a submission: one file, read and checked -------------------------------------------------


@dataclass
class FormRow:
    """A data row of a sheet: its codes and values, and where each came from."""

    sheet: str
    number: int  # the row number as the spreadsheet shows it
    keys: dict[str, str]
    values: dict[str, object]
    cells: dict[str, str]
    headers: dict[str, str]


@dataclass
class Submission:
    """A read and checked file: who and which year it is for, its rows per form sheet, and its findings."""

    path: Path
    kind: str
    sha256: str | None
    atvk_code: str | None = None
    name: str | None = None
    year: int | None = None
    sheets: dict[str, list[FormRow]] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def covered(self) -> frozenset[str]:
        """The form sheets this file reports."""
        return frozenset(self.sheets)


@dataclass(frozen=True)
class Context:
    """What checking a file needs to know: the municipalities and the infrastructure projects."""

    municipalities: dict[str, str]  # atvk_code -> official name
    aliases: dict[str, str]  # folded alias -> atvk_code
    projects: dict[str, str]  # project_id -> atvk_code
    reference_dir: Path

    @classmethod
    def load(cls, data_dir: str | Path | None = None, reference_dir: str | Path | None = None) -> Context:
        """The context from a dataset folder (if given and present) and its reference facts."""
        data_dir = Path(data_dir) if data_dir is not None else None
        if data_dir is not None:
            journal.recover(data_dir)  # an ingest interrupted earlier is completed or rolled back first
            if not data_dir.is_dir():
                raise DiEvalError(f"{data_dir}: no such dataset folder (give --data an existing dataset folder)")
        if reference_dir is None:
            own = data_dir / "reference" if data_dir is not None else None
            reference_dir = own if own is not None and own.is_dir() else paths.REFERENCE_DIR
        reference_dir = Path(reference_dir)
        municipalities = _read_table(reference_dir / "municipalities.csv", ("atvk_code", "name"))
        projects = {}
        for folder in (reference_dir, data_dir):
            path = folder / "infrastructure_projects.csv" if folder is not None else None
            if path is not None and path.is_file():
                frame = _read_table(path, ("project_id", "atvk_code"))
                projects.update(zip(frame["project_id"], frame["atvk_code"]))
        return cls(
            dict(zip(municipalities["atvk_code"], municipalities["name"])),
            alias_table(municipalities),
            projects,
            reference_dir,
        )


def _read_table(path: Path, columns: tuple[str, ...]):
    """A reference table the checks need, or DiEvalError naming it when it cannot be read."""
    try:
        frame = dataset.read_csv_text(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        detail = getattr(err, "strerror", None) or err.__class__.__name__
        raise DiEvalError(f"{path}: cannot be read ({detail}); di-eval check --data {path.parent} says more") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DiEvalError(f"{path}: column {missing[0]!r} is missing; di-eval check --data {path.parent} says more")
    return frame


def read_form(path: str | Path, context: Context | None = None) -> Submission:
    """Read and check one filled form (.xlsx) or one sheet of it (CSV); the findings list every problem."""
    context = context or Context.load()
    path = Path(path)
    kind, grids, findings = read_grids(path)
    submission = Submission(path, kind, None, findings=list(findings))
    if findings:
        return submission
    try:
        submission.sha256 = sha256_of(path)
    except OSError as err:
        submission.findings.append(
            Finding(str(path), None, None, None, None, "file_unreadable", (("detail", err.strerror),))
        )
        return submission
    shown = str(path)
    known = _known_text(context)
    for grid in grids:
        submission.findings += _privacy_findings(shown, grid, known)
    matches = [m for m in (identify(g) for g in grids) if m is not None]
    if kind == "csv" and not matches:
        other = other_sheet(grids[0].name) if grids else None
        if other:
            submission.findings.append(
                Finding(shown, None, None, None, None, "not_data_sheet", (("sheet_name", other),))
            )
        else:
            rule = "table_unknown" if path.suffix.lower() in (".csv", ".txt", ".tsv") else "not_spreadsheet"
            submission.findings.append(Finding(shown, None, None, None, None, rule))
        return submission
    _check_identity(submission, grids, matches, context)
    if kind == "xlsx":
        present = {m.sheet.key for m in matches}
        for sheet in forms.FORM_SHEETS:
            if sheet.key not in present:
                submission.findings.append(
                    Finding(
                        shown, None, None, None, None, "sheet_missing", (("sheet_name", f"{sheet.lv} / {sheet.en}"),)
                    )
                )
    seen: set[str] = set()
    for match in matches:
        if match.sheet.key in seen:
            continue  # a second copy of a sheet (e.g. "Pakalpojumi (2)") is not read twice
        seen.add(match.sheet.key)
        rows = _read_rows(submission, match, context)
        if rows is not None:
            submission.sheets[match.sheet.key] = rows
            submission.sheet_names[match.sheet.key] = match.grid.name
    check_rules(submission)
    if not submission.findings and not _has_any_value(submission):
        submission.findings.append(Finding(shown, None, None, None, None, "form_blank"))
    return submission


def _privacy_findings(file: str, grid: Grid, known: frozenset[str]) -> list[Finding]:
    found = []
    for hit in privacy.scan(grid.rows, known):
        if hit.kind == "personal_code":
            value, params = hit.shown, (("masked", hit.shown),)
        else:  # person names: how many cells hold them, the number agreeing with its noun
            value, params = None, (("count", hit.count), ("cells", count_text(hit.count, "cell")))
        found.append(Finding(file, grid.name, cell_name(hit.row, hit.column), None, value, hit.kind, params))
    return found


def _known_text(context: Context) -> frozenset[str]:
    names = set(context.aliases) | {fold(n) for n in context.municipalities.values()}
    for vocabulary in forms.VOCABULARIES.values():
        for lv, en in vocabulary.values():
            names |= {fold(lv), fold(en)}
    return frozenset(names)


# Labels of the identity cells (folded, without punctuation).
_IDENTITY = {
    "municipality": {"pasvaldiba", "municipality", "pasvaldibas nosaukums", "novads", "pasvaldiba novads"},
    "atvk_code": {"atvk kods", "atvk", "atvk code"},
    "year": {"gads", "year", "parskata gads", "reporting year", "parskata periods"},
}


def _identity_mentions(grid: Grid, until: int | None) -> list[tuple[str, object, str]]:
    """(kind, value, cell) for every "Pašvaldība: X", "ATVK kods: N", "Gads: Y" above the headers."""
    found = []
    last = until if until is not None else min(len(grid.rows), 10)
    for r in range(min(last, len(grid.rows))):
        row = grid.rows[r]
        for c, value in enumerate(row[:HEADER_SEARCH_COLUMNS]):
            if not isinstance(value, str):
                continue
            label, _, rest = value.partition(":")
            kind = next((k for k, labels in _IDENTITY.items() if normal(label) in labels), None)
            if kind is None:
                continue
            if rest.strip():
                found.append((kind, rest.strip(), cell_name(r, c)))
                continue
            # the value stands next to its label (one empty cell between is tolerated), never another label
            after = next(((cc, x) for cc, x in enumerate(row[c + 1 : c + 3], start=c + 1) if x is not None), None)
            if after is not None and not _is_identity_label(after[1]):
                found.append((kind, after[1], cell_name(r, after[0])))
    return found


def _is_identity_label(value: object) -> bool:
    if not isinstance(value, str):
        return False
    label = value.partition(":")[0]
    return value.strip().endswith(":") or any(normal(label) in labels for labels in _IDENTITY.values())


def _check_identity(submission: Submission, grids: list[Grid], matches: list[SheetMatch], context: Context) -> None:
    file = str(submission.path)
    headers = {id(m.grid): m.header_row for m in matches}
    codes: list[tuple[str, str, str]] = []  # (code, sheet, cell)
    years: list[tuple[int, str, str]] = []
    for grid in grids:
        if grid.name == forms.LISTS_SHEET:
            continue
        for kind, value, cell in _identity_mentions(grid, headers.get(id(grid))):
            if kind in ("municipality", "atvk_code"):
                code = _municipality_code(value, context)
                if code is None:
                    submission.findings.append(
                        Finding(file, grid.name, cell, None, printable(value), "municipality_unknown")
                    )
                else:
                    codes.append((code, grid.name, cell))
            else:
                year, rule = parse_count(value)
                if rule or year is None:
                    year = _year_from_text(value)
                if year is None:
                    submission.findings.append(Finding(file, grid.name, cell, None, printable(value), "year_invalid"))
                elif year not in v.YEARS:
                    submission.findings.append(
                        Finding(
                            file,
                            grid.name,
                            cell,
                            None,
                            year,
                            "year_outside",
                            (("year", year), ("first", v.FIRST_YEAR), ("last", v.LAST_YEAR)),
                        )
                    )
                else:
                    years.append((year, grid.name, cell))
    submission.atvk_code = _agree(submission, codes, "municipality", context)
    submission.name = context.municipalities.get(submission.atvk_code) if submission.atvk_code else None
    submission.year = _agree(submission, years, "year", context)


def _year_from_text(value: object) -> int | None:
    match = re.fullmatch(r"\s*(\d{4})\.?\s*(g\.|gads|gadā)?\s*", str(value))
    return int(match.group(1)) if match else None


def _municipality_code(value: object, context: Context) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = f"{int(value):07d}"  # an ATVK code that a spreadsheet turned into a number lost its 0
    text = str(value).strip()
    if re.fullmatch(r"\d{6,7}", text):
        text = text.zfill(7)
        return text if text in context.municipalities else None
    return context.aliases.get(fold(text))


def _agree(submission: Submission, mentions: list, kind: str, context: Context):
    file = str(submission.path)
    if not mentions:
        if not any(f.rule in (f"{kind}_unknown", "year_invalid", "year_outside") for f in submission.findings):
            submission.findings.append(Finding(file, None, None, None, None, f"{kind}_missing"))
        return None
    first = mentions[0]
    for other in mentions[1:]:
        if other[0] != first[0]:
            show = (lambda c: context.municipalities.get(c, c)) if kind == "municipality" else str
            submission.findings.append(
                Finding(
                    file,
                    other[1],
                    other[2],
                    None,
                    None,
                    f"{kind}_conflict",
                    (("first", f"{show(first[0])}, {first[1]} {first[2]}"), ("second", show(other[0]))),
                )
            )
            return None
    return first[0]


def _read_rows(submission: Submission, match: SheetMatch, context: Context) -> list[FormRow] | None:
    file, grid, sheet = str(submission.path), match.grid, match.sheet
    required = [c for c in sheet.columns if c.kind != "info"]
    missing = [c for c in required if c.name not in match.columns]
    if match.header_row is None:
        submission.findings.append(Finding(file, grid.name, None, None, None, "header_missing"))
        return None
    if missing:
        unknown = [(cell_name(match.header_row, c), grid.value(match.header_row, c)) for c in match.unknown]
        for column in missing:
            note = Text("", "")
            if unknown:
                listed = ", ".join(f"{cell} “{privacy.redact(text)}”" for cell, text in unknown)
                note = Text(f"; neatpazītas galvenes: {listed}", f"; unrecognised headers: {listed}")
            submission.findings.append(
                Finding(
                    file,
                    grid.name,
                    cell_name(match.header_row, 0),
                    None,
                    None,
                    "column_missing",
                    (
                        ("expected", f"{column.lv} / {column.en}"),
                        ("unrecognised", note),
                    ),
                )
            )
        return None
    rows = []
    for r in range(match.header_row + 1, len(grid.rows)):
        row = _read_row(submission, match, r, context)
        if row is not None:
            rows.append(row)
    return rows


def _read_row(submission: Submission, match: SheetMatch, r: int, context: Context) -> FormRow | None:
    file, grid, sheet = str(submission.path), match.grid, match.sheet
    raw = {name: grid.value(r, c) for name, c in match.columns.items()}
    cells = {name: cell_name(r, c) for name, c in match.columns.items()}
    headers = {name: str(grid.value(match.header_row, c)) for name, c in match.columns.items()}
    pending = {name for name, c in match.columns.items() if (r, c) in grid.pending_formulas}
    if all(raw[c.name] is None for c in sheet.columns if c.name in raw) and not pending:
        return None
    first_key = raw.get(sheet.key_columns[0].name)
    if first_key is not None and normal(first_key) in TOTAL_WORDS:
        return None  # a total a person added; totals are computed, never read
    row = FormRow(sheet.key, r + 1, {}, {}, cells, headers)

    def problem(name: str, rule: str, value: object = None, **params) -> None:
        submission.findings.append(
            Finding(file, grid.name, cells[name], headers[name], printable(value), rule, tuple(params.items()))
        )

    for column in sheet.key_columns:
        value = raw[column.name]
        if value is None:
            if any(raw[c.name] is not None for c in sheet.value_columns):
                problem(column.name, "key_missing", expected=headers[column.name])
            continue
        code = _parse_key(column, value, context, submission)
        if code is None:
            if column.name == "service" and parse_choice(_ANY_SERVICE, value) == "any":
                new_persons = forms.SHEETS_BY_KEY["new_persons"]
                problem(column.name, "any_on_services", value, sheet_name=Text(new_persons.lv, new_persons.en))
            elif column.kind == "project":
                _project_problem(problem, column, value, context, submission)
            else:
                problem(column.name, "choice_unknown", value, **_choices(column, column.choices))
            continue
        row.keys[column.name] = code
    if row.keys.get("fund") == "total":
        return None
    for column in sheet.value_columns:
        value = raw[column.name]
        if column.name in pending:
            problem(column.name, "formula_no_value")
            continue
        parser = {"count": parse_count, "money": parse_money, "date": parse_date}[column.kind]
        parsed, rule = parser(value)
        if rule:
            problem(column.name, rule, value)
        row.values[column.name] = parsed
    if len(row.keys) < len(sheet.key_columns):
        return None  # an incomplete key: reported above if the row holds data, else an unused line
    return row


def _choices(column: forms.FormColumn, codes) -> dict[str, Text]:
    """The allowed labels, as a message parameter in both languages."""
    return {"choices": Text(*("; ".join(forms.choice_label(column, c, lang) for c in codes) for lang in LANGUAGES))}


_ANY_SERVICE = forms.FormColumn("service", "choice", "", "", choices=("any",), vocabulary="SERVICES")


def _parse_key(column: forms.FormColumn, value: object, context: Context, submission: Submission) -> str | None:
    if column.kind == "project":
        project = str(value).strip().upper()
        owner = context.projects.get(project)
        return project if owner is not None and owner == submission.atvk_code else None
    if column.name == "fund" and normal(value) in TOTAL_WORDS | {"total"}:
        return "total"
    return parse_choice(column, value)


def _project_problem(problem, column, value, context: Context, submission: Submission) -> None:
    own = sorted(p for p, owner in context.projects.items() if owner == submission.atvk_code)
    choices = ", ".join(own) or "—"
    owner = context.projects.get(str(value).strip().upper())
    if owner is not None and submission.atvk_code is not None:
        problem(
            column.name, "project_elsewhere", value, owner=context.municipalities.get(owner, owner), choices=choices
        )
    elif owner is None:
        problem(column.name, "project_unknown", value, choices=choices)


# --- rules across cells -----------------------------------------------------------------------


def check_rules(submission: Submission) -> None:
    """The rules of ``di_eval.rules`` on the rows read, each broken one a finding on its cell."""
    for key, rows in submission.sheets.items():
        _duplicates(submission, rows)
        table = forms.SHEETS_BY_KEY[key].table
        for bound in rules.ROW_BOUNDS:
            if bound.table == table:
                _row_bound(submission, rows, bound)
        if key == "services":
            _services_in_plan(submission, rows)
        if key == "infrastructure":
            _milestone_order(submission, rows)
    if "new_persons" in submission.sheets:
        _any_bounds(submission)


def _finding_at(submission: Submission, row: FormRow, name: str, cell_value, rule: str, **params) -> Finding:
    sheet = submission.sheet_names.get(row.sheet, row.sheet)
    return Finding(
        str(submission.path), sheet, row.cells[name], row.headers[name], cell_value, rule, tuple(params.items())
    )


def _row_key(row: FormRow) -> tuple:
    return tuple(sorted(row.keys.items()))


def _duplicates(submission: Submission, rows: list[FormRow]) -> None:
    sheet = forms.SHEETS_BY_KEY[rows[0].sheet] if rows else None
    if sheet is None:
        return
    seen: dict[tuple, FormRow] = {}
    wanted = len(sheet.key_columns)
    for row in rows:
        if len(row.keys) < wanted:
            continue
        key = _row_key(row)
        if key in seen:
            first = sheet.key_columns[0].name
            submission.findings.append(
                _finding_at(submission, row, first, None, "duplicate_row", first_row=seen[key].number)
            )
        else:
            seen[key] = row


def _row_bound(submission: Submission, rows: list[FormRow], bound: rules.Bound) -> None:
    for row in rows:
        low, high = row.values.get(bound.low), row.values.get(bound.high)
        if rules.broken(bound, low, high):
            submission.findings.append(
                _finding_at(
                    submission, row, bound.low, low, bound.finding, low=low, high=high, other=row.cells[bound.high]
                )
            )


def _services_in_plan(submission: Submission, rows: list[FormRow]) -> None:
    column = forms.SHEETS_BY_KEY["services"].columns[1]
    for row in rows:
        group, service = row.keys.get("target_group"), row.keys.get("service")
        if group and service and not rules.service_in_plan(group, service):
            shown = v.label(v.SERVICES, service)
            choices = _choices(column, rules.services_of(group))
            submission.findings.append(_finding_at(submission, row, "service", shown, "service_not_in_plan", **choices))


def _any_bounds(submission: Submission) -> None:
    """'any' (sheet new persons) against the services of its group (sheet services), if that sheet came too."""
    if "services" not in submission.sheets:
        return
    services_sheet = submission.sheet_names["services"]
    for row in submission.sheets["new_persons"]:
        group = row.keys.get("target_group")
        parts = [s for s in submission.sheets["services"] if s.keys.get("target_group") == group]
        for measure in rules.UNIQUE_MEASURES:
            value = row.values.get(measure)
            # every service of the group, as the dataset will hold it: one not on the sheet is blank
            services = dict.fromkeys(rules.services_of(group))
            services.update({s.keys["service"]: s.values.get(measure) for s in parts if "service" in s.keys})
            broken = rules.any_check(value, services)
            if broken is None:
                continue
            rule, bound = broken
            params = {"largest": bound} if rule == rules.ANY_BELOW_LARGEST else {"total": bound}
            submission.findings.append(
                _finding_at(submission, row, measure, value, rule, value=value, sheet_name=services_sheet, **params)
            )


def _milestone_order(submission: Submission, rows: list[FormRow]) -> None:
    for column in rules.MILESTONE_DATES:
        by_project: dict[str, dict[str, FormRow]] = {}
        for row in rows:
            if row.keys.get("milestone") and row.values.get(column) is not None:
                by_project.setdefault(row.keys.get("project_id", ""), {})[row.keys["milestone"]] = row
        for found in by_project.values():
            dates = {m: r.values[column] for m, r in found.items()}
            for later, earlier in rules.milestone_order(dates):
                submission.findings.append(
                    _finding_at(
                        submission,
                        found[later],
                        column,
                        dates[later].isoformat(),
                        "milestone_order",
                        previous=dates[earlier].strftime("%d.%m.%Y"),
                        other=found[earlier].cells[column],
                    )
                )


def _has_any_value(submission: Submission) -> bool:
    return any(
        value is not None for rows in submission.sheets.values() for row in rows for value in row.values.values()
    )


def validate(
    files: Iterable[str | Path], *, data_dir: str | Path | None = None, reference_dir: str | Path | None = None
) -> list[Submission]:
    """Read and check every file; each Submission lists its own findings (none means it can be ingested)."""
    context = Context.load(data_dir, reference_dir)
    return [read_form(path, context) for path in files]
