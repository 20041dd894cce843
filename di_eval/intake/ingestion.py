"""Lossless, atomic ingestion of checked submissions into a dataset folder.

The folder is copied, the copy written and validated with ``di_eval.load``, then swapped into
place. Raw files are kept, unmodified, in ``raw/`` with their SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from di_eval import dataset, fs, journal
from di_eval import vocabulary as v
from di_eval.errors import DataValidationError, DiEvalError, Problem
from di_eval.intake import form as forms
from di_eval.intake.canonical import canonical_rows
from di_eval.intake.messages import Finding, IntakeError, printable
from di_eval.intake.validation import Context, Submission, read_form
from di_eval.schemas import DATA_TABLES, TABLES

# --- ingestion --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file: ingested, replaced an earlier file, or unchanged (already there)."""

    file: str
    atvk_code: str
    name: str
    year: int
    action: str  # "ingested", "replaced", "unchanged"
    status: str  # the submissions log status: received or late
    sheets: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class IngestResult:
    into: Path
    outcomes: tuple[IngestOutcome, ...]

    @property
    def changed(self) -> bool:
        return any(o.action != "unchanged" for o in self.outcomes)


class _Tables:
    """The canonical tables of a dataset folder as text rows, read lazily, written only if changed.

    Each row read keeps its bytes as the file held them: a table that is written again keeps
    every row that did not change byte for byte (quoting, line ending, a BOM at the start);
    new and changed rows take the file's line ending.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, list[dict]] = {}
        self.headers: dict[str, list[str]] = {}
        self.form: dict[str, tuple[str, str, str, str]] = {}  # name -> (BOM, header line, line ending, tail)
        self.changed: set[str] = set()
        self.fresh = not any((folder / TABLES[n].filename).is_file() for n in DATA_TABLES)

    def get(self, name: str) -> list[dict]:
        if name not in self.rows:
            path = self.folder / TABLES[name].filename
            if path.is_file():
                self._read(name, path)
            else:
                self.headers[name] = list(TABLES[name].schema.columns)
                self.form[name] = ("", "", "\n", "")
                self.rows[name] = []
        return self.rows[name]

    def _read(self, name: str, path: Path) -> None:
        raw = path.read_bytes()
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        text = raw[len(bom.encode()) :].decode("utf-8")  # a damaged table was refused before
        lines = _LINE.findall(text)
        consumed: list[str] = []

        def feed():
            for line in lines:
                consumed.append(line)
                yield line

        reader = csv.reader(feed())
        header_row = next(reader, None) or list(TABLES[name].schema.columns)
        header_text = "".join(consumed)
        consumed.clear()
        ending = "\r\n" if header_text.endswith("\r\n") else "\n"
        rows = []
        pending_blank = ""
        for record in reader:
            text_of = "".join(consumed)
            consumed.clear()
            if not record:
                pending_blank += text_of  # a blank line stays with the row after it
                continue
            values = {k: (x if x != "" else None) for k, x in zip(header_row, record)}
            values[_RAW] = (pending_blank + text_of, tuple(values.get(k) for k in header_row))
            pending_blank = ""
            rows.append(values)
        self.headers[name] = header_row
        self.form[name] = (bom, header_text, ending, pending_blank)
        self.rows[name] = rows

    def set(self, name: str, rows: list[dict]) -> None:
        self.rows[name] = rows
        self.changed.add(name)

    def text(self, name: str) -> str:
        """The table as it is to be written: unchanged rows as they were, others in the file's form."""
        self.get(name)
        headers = self.headers[name]
        bom, header_text, ending, tail = self.form[name]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=ending)
        if header_text:
            parts = [bom + header_text]
        else:
            writer.writerow(headers)
            parts = [bom + out.getvalue()]
        for row in self.rows[name]:
            kept = row.get(_RAW)
            if kept is not None and tuple(row.get(k) for k in headers) == kept[1]:
                piece = kept[0]
            else:
                out.seek(0)
                out.truncate()
                writer.writerow(["" if row.get(k) is None else row.get(k) for k in headers])
                piece = out.getvalue()
            if not parts[-1].endswith(("\n", "\r")):
                parts[-1] += ending  # the last line of the file had no line ending; more follows
            parts.append(piece)
        if tail:
            parts.append(tail)  # blank lines at the end of the file
        return "".join(parts)

    def write(self, folder: Path) -> None:
        names = self.changed | ({n for n in DATA_TABLES} if self.fresh else set())
        for name in sorted(names):
            fs.write_atomic(folder / TABLES[name].filename, self.text(name).encode("utf-8"))


_RAW = "__raw__"  # a row's text as read, and its values then: the row is written back as it was
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")  # lines with their endings


def ingest(
    files: Iterable[str | Path],
    into: str | Path,
    *,
    replace: bool = False,
    received: dt.date | None = None,
    reference_dir: str | Path | None = None,
) -> IngestResult:
    """Validate ``files`` and merge them into the dataset folder ``into`` in one atomic step.

    Raises IntakeError listing every finding if any file is refused, DataValidationError if
    ``into`` is a damaged dataset (what ``di_eval.load`` refuses: ingest does not repair it);
    then ``into`` is unchanged. A file already ingested changes nothing; a different file for
    a municipality and year already received is refused unless ``replace``, which keeps both
    in the submissions log. An ingest interrupted earlier is completed or rolled back first.
    """
    into = Path(into)
    received = check_received(received)
    files = [Path(f) for f in files]
    if not into.parent.is_dir():
        # check before creating folders, so that a refused ingest leaves no trace
        context = Context.load(None, reference_dir)
        findings = [f for path in files for f in read_form(path, context).findings]
        if findings:
            raise IntakeError(findings, str(into))
    try:
        fs.make_dir(into.parent)
        with journal.hold(into):
            journal.recover_locked(into)
            journal.clean_stale(into)
            _check_target(into)
            return _ingest_locked(files, into, replace, received, reference_dir)
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        raise DiEvalError(f"cannot write the dataset {into}{where}: {err.strerror or err}") from None


def check_received(received: dt.date | None) -> dt.date:
    """The date files were received: today if not given; refused before the plan began or after today."""
    today = dt.date.today()
    if received is None:
        return today
    first = dt.date(v.FIRST_YEAR, 1, 1)
    if not first <= received <= today:
        raise DiEvalError(
            f"received date {received.isoformat()} is outside {first.isoformat()} … {today.isoformat()} "
            "(the plan's first year to today): give the date the files came in"
        )
    return received


def _check_target(into: Path) -> None:
    """Refuse a target that is a file, or a folder that holds something other than a dataset."""
    if into.exists() and not into.is_dir():
        raise DiEvalError(f"{into} is a file, not a dataset folder")
    if into.is_dir() and any(into.iterdir()):
        if not any((into / TABLES[n].filename).is_file() for n in DATA_TABLES):
            raise DiEvalError(f"{into} is not empty and holds no dataset tables: give a dataset folder or a new one")


def _check_intact(into: Path, reference_dir) -> None:
    """Refuse a damaged dataset (what ``di-eval check`` refuses) rather than rewrite it."""
    if not into.is_dir() or _Tables(into).fresh:
        return
    try:
        dataset.load(into, reference_dir)
    except DataValidationError as err:
        advice = Problem(
            str(into),
            None,
            None,
            None,
            "ingest does not repair a damaged dataset: correct these problems (di-eval check --data "
            f"{into} lists them) and ingest again; nothing was changed",
        )
        raise DataValidationError([*err.problems, advice], f"{into}: the dataset is damaged") from None


def _ingest_locked(files, into, replace, received, reference_dir) -> IngestResult:
    _check_intact(into, reference_dir)
    context = Context.load(into if into.is_dir() else None, reference_dir)
    submissions = [read_form(path, context) for path in files]
    findings = [f for s in submissions for f in s.findings]
    if findings:
        raise IntakeError(findings, str(into))
    tables = _Tables(into)
    plan, findings = _plan(submissions, tables, into, replace, context)
    if findings:
        raise IntakeError(findings, str(into))
    if all(action == "unchanged" for _, action, _ in plan):
        return IngestResult(into, tuple(_outcome(s, a, r, tables) for s, a, r in plan))
    return _apply(plan, tables, into, received, reference_dir, context)


STOP_VARIABLE = "DI_EVAL_TEST_STOP_INGEST"  # a test hook: the step at which an ingest dies, as if killed
STOP_EXIT = 75


def _step(name: str) -> None:
    """Where a test may stop an ingest (``DI_EVAL_TEST_STOP_INGEST=<name>``): no clean-up runs, as with SIGKILL."""
    if os.environ.get(STOP_VARIABLE) == name:
        os._exit(STOP_EXIT)


def _raw_name(submission: Submission) -> str:
    safe = re.sub(r"[^\w.\- ]", "_", submission.path.name).strip() or "form"
    return f"raw/{submission.sha256[:12]}_{safe}"


def _active(rows: list[dict], atvk: str, year: int) -> list[dict]:
    return [
        r for r in rows if r["atvk_code"] == atvk and r["year"] == str(year) and r["status"] in ("received", "late")
    ]


def _covered_by(row: dict, into: Path, context: Context) -> frozenset[str]:
    """Which form sheets an earlier submission reported: read from its raw file, all if unknown."""
    every = frozenset(forms.SHEETS_BY_KEY)
    if not row.get("file"):
        return every
    earlier = read_form(into / row["file"], context)
    return earlier.covered or every


def _plan(submissions, tables: _Tables, into: Path, replace: bool, context: Context):
    """Decide per file: unchanged, ingested or replaced; refuse clashes. Returns (plan, findings)."""
    log = tables.get("submissions")
    plan, findings = [], []
    batch: dict[tuple[str, int], list[Submission]] = {}
    for s in submissions:
        others = batch.setdefault((s.atvk_code, s.year), [])
        if any(o.sha256 == s.sha256 for o in others):
            continue  # the same file twice in one call
        clash = [o for o in others if o.covered & s.covered]
        if clash:
            findings.append(
                Finding(
                    str(s.path),
                    None,
                    None,
                    None,
                    None,
                    "duplicate_in_batch",
                    (("name", s.name), ("year", s.year), ("other", str(clash[0].path))),
                )
            )
            continue
        others.append(s)
        active = _active(log, s.atvk_code, s.year)
        if any(r.get("sha256") == s.sha256 for r in active):
            plan.append((s, "unchanged", []))
            continue
        overlapping = [r for r in active if _covered_by(r, into, context) & s.covered]
        if overlapping and not replace:
            earlier = overlapping[-1]
            findings.append(
                Finding(
                    str(s.path),
                    None,
                    None,
                    None,
                    None,
                    "already_received",
                    (
                        ("name", s.name),
                        ("year", s.year),
                        ("received", earlier.get("received_date") or "?"),
                        ("earlier", earlier.get("file") or "—"),
                    ),
                )
            )
            continue
        plan.append((s, "replaced" if overlapping else "ingested", overlapping))
    return plan, findings


def _status(year: int, received: dt.date) -> str:
    return "late" if received > forms.due_date(year) else "received"


def _outcome(s: Submission, action: str, _replaced, tables: _Tables, status: str | None = None) -> IngestOutcome:
    raw = _raw_name(s)
    if status is None:  # already there: report what the log says about it
        row = next(r for r in _active(tables.get("submissions"), s.atvk_code, s.year) if r.get("sha256") == s.sha256)
        status, raw = row["status"], row.get("file") or raw
    return IngestOutcome(str(s.path), s.atvk_code, s.name, s.year, action, status, tuple(sorted(s.covered)), raw)


def _apply(plan, tables: _Tables, into: Path, received: dt.date, reference_dir, context: Context) -> IngestResult:
    outcomes = []
    staging = fs.staging_dir(into.parent, journal.STAGING.format(name=into.name))
    started = False
    try:
        _step("staging")
        if into.is_dir():
            _copy_dataset(into, staging)
            shutil.copystat(into, staging)
        fs.make_dir(staging / "raw")
        _step("copied")
        for s, action, replaced in plan:
            if action == "unchanged":
                outcomes.append(_outcome(s, action, replaced, tables))
                continue
            _merge(tables, s, context)
            status = _status(s.year, received)
            _log(tables, s, replaced, received, status)
            _keep_raw(s, staging)
            outcomes.append(_outcome(s, action, replaced, tables, status))
        tables.write(staging)
        _step("written")
        _check_staged(staging, into, tables, reference_dir)
        previous = into.parent / f"{journal.REPLACED.format(name=into.name)}{uuid.uuid4().hex[:8]}"
        journal.begin(into, staging, previous)
        started = True
        _step("journal")
        _swap(staging, into, previous)
        _step("swapped")
        if previous.is_dir():
            shutil.rmtree(previous, ignore_errors=True)
        journal.finish(into)
    except BaseException:
        if started:
            journal.recover_locked(into)  # before the swap: rolled back; after it: completed
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IngestResult(into, tuple(outcomes))


def _swap(staging: Path, into: Path, previous: Path) -> None:
    """Put the staged folder in place of ``into``; the old one waits at ``previous`` (see di_eval.journal)."""
    fs.swap_dir(staging, into, previous=previous)


def _copy_dataset(source: Path, target: Path) -> None:
    """Copy a dataset folder; raw files are hard-linked (they are never modified) to save space."""

    def copy(src, dst):
        if Path(src).parent.name == "raw" and Path(src).name != "SHA256SUMS":
            try:
                os.link(src, dst)
                return dst
            except OSError:
                pass
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=copy, dirs_exist_ok=True)


def _keep_raw(s: Submission, staging: Path) -> None:
    target = staging / _raw_name(s)
    if not target.exists():
        shutil.copyfile(s.path, target)
        target.chmod(0o444)
    sums = staging / "raw" / "SHA256SUMS"
    lines = sums.read_text(encoding="utf-8").splitlines() if sums.exists() else []
    entry = f"{s.sha256}  {target.name}"
    if entry not in lines:
        fs.write_atomic(sums, "\n".join(sorted([*lines, entry])) + "\n")


def _log(tables: _Tables, s: Submission, replaced: list[dict], received: dt.date, status: str) -> None:
    rows = [
        r
        for r in tables.get("submissions")
        if not (r["atvk_code"] == s.atvk_code and r["year"] == str(s.year) and r["status"] == "missing")
    ]
    for row in replaced:
        row["status"] = "replaced"
    key = (s.atvk_code, str(s.year), received.isoformat(), s.sha256)
    existing = next((r for r in rows if (r["atvk_code"], r["year"], r["received_date"], r.get("sha256")) == key), None)
    if existing is not None:
        existing["status"] = status  # the same file sent again the same day after another replaced it
    else:
        rows.append(
            {
                "atvk_code": s.atvk_code,
                "year": str(s.year),
                "due_date": forms.due_date(s.year).isoformat(),
                "received_date": received.isoformat(),
                "status": status,
                "file": _raw_name(s),
                "sha256": s.sha256,
            }
        )
    tables.set("submissions", rows)


def _merge(tables: _Tables, s: Submission, context: Context) -> None:
    """Replace this municipality-year's rows of every sheet the file reports; keep everything else."""
    new = canonical_rows(s)
    year = str(s.year)

    def this(row):
        return row["atvk_code"] == s.atvk_code and row["year"] == year

    if "service_uptake" in new:
        scope_any = "new_persons" in s.sheets
        scope_services = "services" in s.sheets

        def uptake(row):
            is_any = row["service"] == "any"
            return this(row) and ((is_any and scope_any) or (not is_any and scope_services))

        _replace(
            tables, "service_uptake", uptake, new["service_uptake"], ("year", "atvk_code", "target_group", "service")
        )
        _order_block(tables, "service_uptake", this, _uptake_rank)
    for name, key in (
        ("transitions", ("year", "atvk_code", "transition")),
        ("needs_assessments", ("year", "atvk_code", "target_group")),
        ("finance", ("programme", "year", "atvk_code", "fund")),
    ):
        if name in new:
            _replace(tables, name, this, new[name], key)
    if "infrastructure_milestones" in new:
        _merge_milestones(tables, s, new["infrastructure_milestones"], context)


def _uptake_rank(row: dict) -> tuple[int, int]:
    groups = list(v.GROUP_SERVICES)
    services = [*v.GROUP_SERVICES.get(row["target_group"], ()), "any"]
    group = groups.index(row["target_group"]) if row["target_group"] in groups else len(groups)
    service = services.index(row["service"]) if row["service"] in services else len(services)
    return group, service


def _order_block(tables: _Tables, name: str, in_block, rank) -> None:
    """Put a municipality-year's rows together in the canonical order, where the first of them stood."""
    rows = tables.get(name)
    block = [r for r in rows if in_block(r)]
    if not block:
        return
    start = next(i for i, r in enumerate(rows) if in_block(r))
    ordered = sorted(block, key=rank)
    if ordered != block or any(in_block(r) for r in rows[start + len(block) :]):
        others = [r for r in rows if not in_block(r)]
        tables.set(name, others[:start] + ordered + others[start:])


def _replace(tables: _Tables, name: str, in_scope, new_rows: list[dict], key: tuple[str, ...]) -> None:
    """Rows in scope are replaced by ``new_rows`` where their keys meet (keeping their place), others dropped."""
    by_key = {tuple(r[k] for k in key): r for r in new_rows}
    out, placed, insert_at = [], set(), None
    for row in tables.get(name):
        if in_scope(row):
            k = tuple(row[c] for c in key)
            if k in by_key and k not in placed:
                new = by_key[k]
                same = all(row.get(c) == x for c, x in new.items() if not c.startswith("__"))
                # a row that comes back with the same values keeps its bytes
                out.append({**row, "__origin__": new["__origin__"]} if same else new)
                placed.add(k)
            insert_at = len(out)
            continue
        out.append(row)
    rest = [r for r in new_rows if tuple(r[k] for k in key) not in placed]
    at = len(out) if insert_at is None else insert_at
    tables.set(name, out[:at] + rest + out[at:])


def _merge_milestones(tables: _Tables, s: Submission, new_rows: list[dict], context: Context) -> None:
    """A reported date replaces the one recorded; a blank leaves it (dates are not per year)."""
    rows = [dict(r) for r in tables.get("infrastructure_milestones")]
    source = f"municipal form {s.year}: {_raw_name(s)}"
    for new in new_rows:
        _ensure_project(tables, new["project_id"], context)
        match = next(
            (r for r in rows if (r["project_id"], r["milestone"]) == (new["project_id"], new["milestone"])), None
        )
        if match is None:
            if new["planned_date"] is None and new["actual_date"] is None:
                continue
            last = max((i for i, r in enumerate(rows) if r["project_id"] == new["project_id"]), default=len(rows) - 1)
            rows.insert(last + 1, {**new, "source": source})
            continue
        merged = {c: new[c] if new[c] is not None else match[c] for c in ("planned_date", "actual_date")}
        if any(merged[c] != match[c] for c in merged):
            match.update(merged, source=source, __origin__=new["__origin__"])
    tables.set("infrastructure_milestones", rows)


def _ensure_project(tables: _Tables, project_id: str, context: Context) -> None:
    """A project known only from the reference facts is added to the dataset with them."""
    projects = tables.get("infrastructure_projects")
    if any(p["project_id"] == project_id for p in projects):
        return
    reference = dataset.read_csv_text(context.reference_dir / "infrastructure_projects.csv")
    found = reference[reference["project_id"] == project_id]
    if found.empty:
        return  # the staged load reports the unknown project
    record = {k: (None if x != x else x) for k, x in found.iloc[0].to_dict().items()}
    record.setdefault("synthetic_fields", None)
    tables.set("infrastructure_projects", [*projects, record])


def _check_staged(staging: Path, into: Path, tables: _Tables, reference_dir) -> None:
    """Load the staged dataset; map each problem back to the form cell it came from."""
    try:
        dataset.load(staging, reference_dir)
    except DataValidationError as err:
        raise IntakeError(_map_problems(err.problems, staging, into, tables), str(into)) from None


def _map_problems(problems: list[Problem], staging: Path, into: Path, tables: _Tables) -> list[Finding]:
    found = []
    for problem in problems:
        name = Path(problem.file).stem
        origin = None
        if name in tables.rows and problem.row is not None and 2 <= problem.row < len(tables.rows[name]) + 2:
            origin = tables.rows[name][problem.row - 2].get("__origin__")
        if origin and origin[1] is not None:
            submission, row = origin
            column = problem.column if problem.column in row.cells else next(iter(row.cells))
            sheet = submission.sheet_names.get(row.sheet, row.sheet)
            found.append(
                Finding(
                    str(submission.path),
                    sheet,
                    row.cells[column],
                    row.headers[column],
                    printable(problem.value),
                    "dataset_rule",
                    (("detail", problem.rule),),
                )
            )
        else:
            file = problem.file.replace(str(staging), str(into))
            where = f"{problem.column}, row {problem.row}" if problem.row else problem.column
            found.append(
                Finding(file, None, None, where, printable(problem.value), "dataset_rule", (("detail", problem.rule),))
            )
    return found
