"""Incremental runs: a report is made again only when something it depends on changed.

A report's *input key* is a hash of everything its page can show or depend on:

- the notebook file, the library's code (every file of the ``di_eval`` package) and the report's
  parameters (the run's private cache folder excepted);
- its commentary file (``<data>/commentary/<code>.md``, or that there is none);
- the published figures of its scope: the evaluation restricted to the scope and the region
  (``Evaluation.for_scope``, every table as published, the disclosure-controlled cells of those
  scopes and the rule), its headline figures and findings, and the dataset rows the page reads
  directly (its own rows where a table has ``atvk_code``, whole tables otherwise). The region
  report's key covers the whole evaluation and every table. Another municipality's new data
  therefore change a report's key only if they change what that report publishes (complementary
  suppression can).

A report whose key equals the one recorded in the manifest of the release ``--out`` shows now is
reused: its page and notebook are hard-linked (or copied) into the new release. Only a release
that was published with every report made is a source; failed and partial runs never are.

The evaluation itself is cached beside the releases (``.releases/<name>/.cache``), keyed by the
bytes of every dataset file (commentary excepted), the earlier releases passed with
``--previous``, the code and the evaluation's parameters, so a run whose data did not change
neither loads nor evaluates them again. The cache holds the raw dataset: it sits beside the
releases, never in one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import di_eval
from di_eval import fs, paths
from di_eval.run.outcome import Outcome
from di_eval.run_options import MANIFEST, releases_dir

CACHE = ".cache"
_PACKAGE = Path(di_eval.__file__).parent
_code: dict[str, str] = {}


def _digest(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def code_hash() -> str:
    """A hash of the di_eval package's files (sources, templates, styles), once per process."""
    if "code" not in _code:
        files = sorted(
            p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
        _code["code"] = _digest(*(part for p in files for part in (p.relative_to(_PACKAGE).as_posix(), p.read_bytes())))
    return _code["code"]


def file_hash(path: Path) -> str:
    try:
        return _digest(Path(path).read_bytes())
    except FileNotFoundError:
        return "absent"


def _dataset_files(data_root: Path) -> list[Path]:
    own = data_root / "reference"
    reference = own if own.is_dir() else paths.REFERENCE_DIR
    files = [p for p in data_root.rglob("*") if p.is_file() and "commentary" not in p.relative_to(data_root).parts]
    if not own.is_dir():
        files += [p for p in reference.rglob("*") if p.is_file()]
    return sorted(files)


def data_key(data_root: Path, evaluation_parameters: dict, previous=()) -> str:
    """What the dataset snapshot and its evaluation depend on: files, earlier releases, code, parameters."""
    parts = [code_hash(), json.dumps(evaluation_parameters, sort_keys=True, default=str)]
    for path in _dataset_files(Path(data_root)):
        parts += [str(path), path.read_bytes()]
    for folder in previous:
        parts += [str(folder), file_hash(Path(folder) / "figures.json")]
    return _digest(*parts)


# --- the evaluation cache ------------------------------------------------------------------


def _cache_file(out: Path, key: str) -> Path:
    return releases_dir(out) / CACHE / f"evaluation-{key[:32]}.pickle"


def load_cached(out: Path, key: str) -> dict | None:
    """What a run with the same data key left (dataset, evaluation, memo), or None."""
    path = _cache_file(out, key)
    try:
        with open(path, "rb") as handle:
            content = pickle.load(handle)
        if isinstance(content, dict) and {"dataset", "evaluation", "memo"} <= set(content):
            return content
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 — a damaged or outdated cache is made again
        pass
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def store_cached(out: Path, key: str, dataset, evaluation, memo: dict) -> None:
    """Keep this run's snapshot, evaluation and memo for the next run (only the newest is kept)."""
    path = _cache_file(out, key)
    content = {"dataset": dataset, "evaluation": evaluation, "memo": memo}
    try:
        fs.make_dir(path.parent)
        for old in path.parent.glob("evaluation-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        fs.write_atomic(path, pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a cache that cannot be written only costs time next run


# --- a report's input key ------------------------------------------------------------------

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _text(value) -> str:
    if hasattr(value, "to_csv"):
        return value.to_csv(index=False) + repr([str(t) for t in getattr(value, "dtypes", [])])
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_text(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    if hasattr(value, "summary") and callable(value.summary):
        return f"{type(value).__name__}:{value.summary()}"
    return _ADDRESS.sub("", repr(value))


class Keys:
    """The input keys of one run's reports, with what they are computed from memoised.

    ``memo`` holds, per scope, the headline figures, the findings and the figures' digest; it is
    kept in the evaluation cache, so a run whose data did not change computes none of them again.
    """

    def __init__(self, evaluation, dataset, data_root: Path, memo: dict | None = None):
        self.evaluation = evaluation
        self.dataset = dataset
        self.data_root = Path(data_root)
        self.code = code_hash()
        self.memo = memo if memo is not None else {}
        for part in ("digest", "findings", "figures"):
            self.memo.setdefault(part, {})
        self._cells = None

    def size(self) -> int:
        return sum(len(part) for part in self.memo.values())

    def headline(self, scope: str) -> dict:
        """``Evaluation.figures(scope)``, once."""
        memo = self.memo["figures"]
        if scope not in memo:
            memo[scope] = self.evaluation.figures(scope)
        return memo[scope]

    def findings(self, scope: str) -> list:
        """``findings_json`` of the scope, once."""
        from di_eval.analysis.findings import findings_json

        memo = self.memo["findings"]
        if scope not in memo:
            memo[scope] = findings_json(self.evaluation, scope, getattr(self.dataset, "municipal_plan", None))
        return memo[scope]

    def _protected(self, keep: set[str] | None) -> str:
        if self._cells is None:
            self._cells = self.evaluation.protected.cells
        cells = self._cells
        if keep is not None and "scope" in cells.columns:
            cells = cells[cells["scope"].isin(keep)]
        return repr(self.evaluation.rule) + cells.to_csv(index=False)

    def figures(self, scope: str) -> str:
        """A hash of the published figures (and dataset rows) the report of ``scope`` can show."""
        memo = self.memo["digest"]
        if scope not in memo:
            memo[scope] = self._figures(scope)
        return memo[scope]

    def _figures(self, scope: str) -> str:
        full = self.evaluation
        regional = scope == "region"
        ev = full if regional else full.for_scope(scope)
        keep = None if regional else {scope, "region"}
        parts = []
        for field in dataclasses.fields(ev):
            value = self._protected(keep) if field.name == "protected" else _text(getattr(ev, field.name))
            parts += [field.name, value]
        parts.append(json.dumps(self.headline(scope), sort_keys=True, default=str, ensure_ascii=False))
        parts.append(json.dumps(self.findings(scope), sort_keys=True, default=str, ensure_ascii=False))
        own_rows = not regional and str(full.structure) == "2017"
        for name, table in sorted(self.dataset.tables.items()):
            if own_rows and "atvk_code" in table.columns:
                table = table[table["atvk_code"] == scope]
            parts += [name, _text(table)]
        return _digest(*parts)

    def of(self, job, cache_parameter: str) -> str:
        parameters = {k: v for k, v in job.parameters.items() if k != cache_parameter}
        return _digest(
            "notebook",
            file_hash(job.notebook),
            "code",
            self.code,
            "parameters",
            json.dumps(parameters, sort_keys=True, default=str),
            "commentary",
            file_hash(self.data_root / "commentary" / f"{job.name}.md"),
            "figures",
            self.figures(job.name),
        )


# --- reuse from the release shown now ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Source:
    """A published release whose reports were all made: pages may be reused from it."""

    folder: Path
    fingerprint: str
    reports: dict  # name -> its manifest entry


def reuse_source(current: Path | None) -> Source | None:
    """The release ``--out`` shows, if it may be reused: published, with every report made."""
    if current is None:
        return None
    try:
        content = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("published") is not True or content.get("failed"):
        return None
    reports = {}
    for entry in content.get("reports") or []:
        if isinstance(entry, dict) and entry.get("status") in ("ok", "reused") and entry.get("key"):
            reports[entry["name"]] = entry
    return Source(current, str(content.get("data_fingerprint") or ""), reports)


def reusable(job, key: str, source: Source | None) -> bool:
    if source is None:
        return False
    entry = source.reports.get(job.name)
    return (
        entry is not None
        and entry.get("key") == key
        and entry.get("html_path") == job.html_path
        and (source.folder / job.html_path).is_file()
    )


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def reuse(job, source: Source, staging: Path, fingerprint: str):
    """Put the page (and notebook) of ``job`` from ``source`` into ``staging``; its Outcome."""
    entry = source.reports[job.name]
    page = source.folder / job.html_path
    if source.fingerprint and fingerprint and source.fingerprint != fingerprint:
        # the page names the dataset it came from; its figures are the same under the new one
        text = page.read_bytes().replace(source.fingerprint.encode(), fingerprint.encode())
        fs.write_atomic(staging / job.html_path, text)
    else:
        _link_or_copy(page, staging / job.html_path)
    notebook = str(entry.get("notebook_path") or "")
    if notebook and (source.folder / notebook).is_file():
        _link_or_copy(source.folder / notebook, staging / notebook)
    else:
        notebook = ""
    return Outcome(job.name, job.html_path, notebook, "reused", 0.0, title=job.title)
