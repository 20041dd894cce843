"""Loading a dataset: every table validated once, cross-table rules checked, one error for all."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pandera.errors

from di_eval import journal, paths, rules
from di_eval.errors import DataValidationError, Problem
from di_eval.schemas import DATA_TABLES, REFERENCE_TABLES, TABLES


@dataclass(frozen=True)
class Dataset:
    """A validated, typed, read-only dataset: the reference facts plus what municipalities reported.

    Tables are reached as attributes (``dataset.service_uptake``); each access returns a
    copy-on-write view, so nothing done to it changes the dataset.
    """

    data_dir: Path
    reference_dir: Path
    tables: Mapping[str, pd.DataFrame]
    fingerprint: str

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name].copy(deep=False)
        raise AttributeError(name)

    def __dir__(self):
        return [*super().__dir__(), *self.tables]

    def __reduce__(self):
        # a mapping proxy does not pickle; worker processes receive a dataset this way
        return (_rebuild, (self.data_dir, self.reference_dir, dict(self.tables), self.fingerprint))

    def summary(self) -> dict:
        """A short description of what the dataset holds."""
        uptake = self.tables["service_uptake"]
        return {
            "data_dir": str(self.data_dir),
            "fingerprint": self.fingerprint,
            "municipalities": int(self.tables["municipalities"].shape[0]),
            "years": [int(uptake["year"].min()), int(uptake["year"].max())] if len(uptake) else [],
            "plan_versions": self.tables["plan_versions"]["plan_version"].tolist(),
            "rows": {name: int(df.shape[0]) for name, df in self.tables.items()},
        }


def _rebuild(data_dir, reference_dir, tables, fingerprint) -> Dataset:
    return Dataset(data_dir, reference_dir, MappingProxyType(tables), fingerprint)


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a canonical CSV as text, so that coercion problems can be reported per cell."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


def _not_utf8(file: str, err: UnicodeDecodeError) -> Problem:
    """The row and byte of the first byte that is not UTF-8 (pandas reports a position in its buffer)."""
    try:
        raw = Path(file).read_bytes()
        raw.decode("utf-8")
        at, row = err.start, None
    except UnicodeDecodeError as found:
        at, row = found.start, raw.count(b"\n", 0, found.start) + 1
    except OSError:
        at, row = err.start, None
    utf16 = " (it is UTF-16)" if row and raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
    return Problem(file, row, None, None, f"not UTF-8 text{utf16} (byte {at}): save the file as CSV UTF-8")


def _unreadable(file: str, err: Exception) -> Problem:
    """Why a table cannot be read, with the row where the parser stopped."""
    if isinstance(err, UnicodeDecodeError):
        return _not_utf8(file, err)
    if isinstance(err, pd.errors.EmptyDataError):
        return Problem(file, None, None, None, "the file is empty: it needs at least the header row")
    if isinstance(err, OSError):
        return Problem(file, None, None, None, f"cannot be read ({err.strerror or err.__class__.__name__})")
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
    if found:
        expected, line, saw = found.groups()
        return Problem(file, int(line), None, None, f"this row has {saw} fields, the header {expected}")
    detail = str(err).strip().splitlines()[-1] if str(err).strip() else err.__class__.__name__
    return Problem(file, None, None, None, f"not a readable CSV file ({detail})")


def _rule_text(check: str) -> str:
    check = str(check)
    if check.startswith("coerce_dtype"):
        wanted = check.split("'")[1] if "'" in check else check
        return {
            "Int64": "must be a whole number",
            "Float64": "must be a number",
            "datetime64[ns]": "must be a date (YYYY-MM-DD)",
        }.get(wanted, f"must be of type {wanted}")
    if check == "not_nullable":
        return "must not be blank"
    if check == "column_in_dataframe":
        return "column is missing"
    if check == "column_in_schema":
        return "column is not expected in this table"
    return check


def validate_table(name: str, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Coerce and check one table against its schema; return the typed table and the problems."""
    table = TABLES[name]
    try:
        typed = table.schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        return None, _problems_from_pandera(err, frame, file)
    problems = _duplicate_keys(typed, table.key, file)
    return (typed if not problems else None), problems


def _problems_from_pandera(err: pandera.errors.SchemaErrors, frame: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for case in err.failure_cases.itertuples(index=False):
        index = getattr(case, "index", None)
        row = int(index) + 2 if index is not None and not pd.isna(index) else None
        column = case.column if isinstance(case.column, str) else None
        value = case.failure_case
        if case.check == "column_in_dataframe":
            column, value, row = value, None, 1
        elif case.check == "column_in_schema":
            column, value, row = value, None, 1
        else:
            value = _plain(value)  # 2030, not np.int64(2030)
        problems.append(Problem(file, row, column, value, _rule_text(case.check)))
    return sorted(set(problems), key=lambda p: (p.row or 0, p.column or "", p.rule))


def _duplicate_keys(frame: pd.DataFrame, key: tuple[str, ...], file: str) -> list[Problem]:
    duplicated = frame.duplicated(list(key), keep="first")
    return [
        Problem(
            file,
            int(i) + 2,
            ", ".join(key),
            ", ".join(str(frame.at[i, k]) for k in key),
            "duplicate key: this combination already appears in an earlier row",
        )
        for i in frame.index[duplicated]
    ]


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(data_dir: str | Path | None = None, reference_dir: str | Path | None = None) -> Dataset:
    """Load and validate a dataset folder; raise DataValidationError listing every problem."""
    data_dir = Path(data_dir) if data_dir is not None else paths.SAMPLE_DIR
    if reference_dir is None:
        # A dataset may carry its own reference (the national-scale sample does); else the shipped one.
        own = data_dir / "reference"
        reference_dir = own if own.is_dir() else paths.REFERENCE_DIR
    reference_dir = Path(reference_dir)
    journal.recover(data_dir)  # an ingest interrupted earlier is completed or rolled back first
    if not data_dir.is_dir():
        raise DataValidationError([Problem(str(data_dir), None, None, None, "dataset folder not found")], str(data_dir))
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    files: list[Path] = []
    for name in (*REFERENCE_TABLES, *DATA_TABLES):
        folder = reference_dir if TABLES[name].place == "reference" else data_dir
        path = folder / TABLES[name].filename
        shown = str(path)
        if not path.is_file():
            problems.append(Problem(shown, None, None, None, "file is missing"))
            continue
        files.append(path)
        try:
            raw = read_csv_text(path)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as err:
            problems.append(_unreadable(shown, err))
            continue
        typed, found = validate_table(name, raw, shown)
        problems += found
        if typed is not None:
            tables[name] = typed
    optional, found = _optional_tables(data_dir, files)
    problems += found
    if not problems:
        problems += cross_table_problems(tables, data_dir, reference_dir)
    if problems:
        # a blank cell's value is None, not pd.NA (which cannot be compared when the message is written)
        problems = [dataclasses.replace(p, value=_plain(p.value)) for p in problems]
        raise DataValidationError(problems, str(data_dir))
    frozen = MappingProxyType({**{name: tables[name] for name in (*REFERENCE_TABLES, *DATA_TABLES)}, **optional})
    return Dataset(data_dir, reference_dir, frozen, _fingerprint(files))


def _optional_tables(data_dir: Path, files: list[Path]) -> tuple[dict, list[Problem]]:
    """The optional tables (``schemas.OPTIONAL_TABLES``): read and checked when the dataset has the
    file, else empty tables with their columns."""
    from di_eval.schemas import OPTIONAL_TABLES

    tables, problems = {}, []
    for name in OPTIONAL_TABLES:
        path = data_dir / TABLES[name].filename
        if path.is_file():
            files.append(path)
            try:
                raw = read_csv_text(path)
            except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as err:
                problems.append(_unreadable(str(path), err))
                continue
        else:
            raw = pd.DataFrame(columns=list(TABLES[name].schema.columns), dtype=str)
        typed, found = validate_table(name, raw, str(path))
        problems += found
        if typed is not None:
            tables[name] = typed
    return tables, problems


# --- cross-table rules ------------------------------------------------------------------------


def cross_table_problems(tables: Mapping[str, pd.DataFrame], data_dir: Path, reference_dir: Path) -> list[Problem]:
    """Rules that span rows or tables: codes exist, counts agree, sums add up, dates in order."""
    file = {
        name: str((reference_dir if TABLES[name].place == "reference" else data_dir) / TABLES[name].filename)
        for name in tables
    }
    problems: list[Problem] = []
    codes = set(tables["municipalities"]["atvk_code"])
    versions = set(tables["plan_versions"]["plan_version"])
    for name in (
        "service_uptake",
        "transitions",
        "needs_assessments",
        "infrastructure_projects",
        "finance",
        "submissions",
        "infrastructure_plan",
    ):
        problems += _unknown(tables[name], "atvk_code", codes, file[name], "unknown municipality (ATVK code)")
    for name in ("targets", "infrastructure_plan"):
        problems += _unknown(tables[name], "plan_version", versions, file[name], "unknown plan version")
    problems += _unknown(
        tables["targets"], "scope", codes | {"region"}, file["targets"], "scope must be 'region' or an ATVK code"
    )
    problems += _unknown(
        tables["infrastructure_milestones"],
        "project_id",
        set(tables["infrastructure_projects"]["project_id"]),
        file["infrastructure_milestones"],
        "unknown infrastructure project",
    )
    problems += _successors(tables, file)
    problems += person_rule_problems(tables, file)
    problems += _finance_sums(tables["finance"], file["finance"])
    return problems


def person_rule_problems(tables: Mapping[str, pd.DataFrame], file: Mapping[str, str]) -> list[Problem]:
    """The rules of ``di_eval.rules`` on typed tables (service_uptake, needs_assessments,
    infrastructure_milestones), each broken one a Problem on its row; ``file`` names each table's file."""
    problems = _row_bounds(tables, file)
    problems += _uptake_rules(tables["service_uptake"], file["service_uptake"])
    problems += _milestone_order(tables["infrastructure_milestones"], file["infrastructure_milestones"])
    return problems


def _unknown(frame, column, allowed, file, rule):
    bad = frame[column].notna() & ~frame[column].isin(allowed)
    return [Problem(file, int(i) + 2, column, frame.at[i, column], rule) for i in frame.index[bad]]


def _successors(tables, file):
    iso = set(tables["municipalities_2021"]["iso_code"])
    return _unknown(
        tables["municipalities"],
        "successor_iso",
        iso,
        file["municipalities"],
        "successor must be one of the 2021 municipalities",
    )


def _plain(value):
    """A cell as a plain Python value (None for not reported), as the rules and messages take it."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _row_bounds(tables: Mapping[str, pd.DataFrame], file: Mapping[str, str]) -> list[Problem]:
    problems = []
    for bound in rules.ROW_BOUNDS:
        frame = tables[bound.table]
        over = frame[bound.low].gt(frame[bound.high]).fillna(False)
        for i in frame.index[over]:
            low, high = _plain(frame.at[i, bound.low]), _plain(frame.at[i, bound.high])
            if rules.broken(bound, low, high):
                problems.append(Problem(file[bound.table], int(i) + 2, bound.low, low, bound.text.format(high=high)))
    return problems


def _uptake_rules(uptake: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for i, group, service in zip(uptake.index, uptake["target_group"], uptake["service"]):
        if not rules.service_in_plan(group, service):
            problems.append(
                Problem(file, int(i) + 2, "service", service, rules.SERVICE_NOT_IN_PLAN.format(group=group))
            )
    # 'any' counts unique persons: at least the largest single service, at most their sum
    # (the sum only when every service was reported)
    blocks: dict[tuple, dict[str, tuple]] = {}
    columns = [uptake[c].tolist() for c in ("year", "atvk_code", "target_group", "service", *rules.UNIQUE_MEASURES)]
    for i, (year, atvk, group, service, *values) in zip(uptake.index, zip(*columns)):
        blocks.setdefault((year, atvk, group), {})[service] = (i, *(_plain(x) for x in values))
    for block in blocks.values():
        if rules.ANY not in block:
            continue
        i = block[rules.ANY][0]
        for m, measure in enumerate(rules.UNIQUE_MEASURES, start=1):
            services = {s: row[m] for s, row in block.items() if s != rules.ANY}
            value = block[rules.ANY][m]
            broken = rules.any_check(value, services)
            if broken is not None:
                rule, bound = broken
                problems.append(Problem(file, int(i) + 2, measure, value, rules.ANY_TEXTS[rule].format(bound=bound)))
    return problems


def _finance_sums(finance: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    keys = ["programme", "year", "atvk_code"]
    parts = (
        finance[finance["fund"] != "total"]
        .groupby(keys)[["planned_eur", "contracted_eur", "paid_eur"]]
        .sum(min_count=1)
    )
    totals = finance[finance["fund"] == "total"]
    for i, row in totals.iterrows():
        key = (row["programme"], row["year"], row["atvk_code"])
        if key not in parts.index:
            continue
        for column in ("planned_eur", "contracted_eur", "paid_eur"):
            total, summed = row[column], parts.at[key, column]
            if pd.isna(total) and pd.isna(summed):
                continue
            if pd.isna(total) or pd.isna(summed) or abs(float(total) - float(summed)) > 0.01:
                problems.append(
                    Problem(file, int(i) + 2, column, total, f"total must equal the sum of the funds ({summed})")
                )
    return problems


def _milestone_order(milestones: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for column in rules.MILESTONE_DATES:
        for _, rows in milestones.groupby("project_id", sort=False):
            dates = {m: _plain(d) for m, d in zip(rows["milestone"], rows[column])}
            index = dict(zip(rows["milestone"], rows.index))
            for later, earlier in rules.milestone_order(dates):
                problems.append(
                    Problem(
                        file,
                        int(index[later]) + 2,
                        column,
                        dates[later].date().isoformat(),
                        rules.MILESTONE_TEXT.format(milestone=later, previous=dates[earlier].date().isoformat()),
                    )
                )
    return problems
