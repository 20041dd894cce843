"""Incremental runs: a report is made again only when something it depends on changed.

A report's *input key* is a hash of everything its page can show or depend on:

- the notebook file, the library's code (every file of the ``di_eval`` package) and the report's
  parameters (the run's private cache folder excepted);
- its commentary file (``<data>/commentary/<code>.md``, or that there is none);
- the published figures of its page: for a municipal report, its own rows of every table of the
  evaluation (as published, after disclosure control), its disclosure-controlled cells and the
  rule, the region's target achievement and the plan's targets (which every municipal page
  prints), its headline figures and its findings (as printed, so a finding that compares with the
  region carries the region's figure), and the dataset rows the page reads directly (its own rows
  where a table has ``atvk_code``, whole tables otherwise); the region report's key covers the
  whole evaluation and every table. Another municipality's new data therefore change a municipal
  report's key only if they change what that page prints (``tests/test_incremental_scope.py``).

A report whose key equals the one recorded in the manifest of the release ``--out`` shows now is
reused: its page and notebook are hard-linked (or copied) into the new release. Only a release
that was published with every report made is a source; failed and partial runs never are.

The evaluation itself is cached beside the releases (``.releases/<name>/.cache``), keyed by the
bytes of every dataset file (commentary excepted), the earlier releases passed with
``--previous``, the code and the evaluation's parameters, so a run whose data did not change
neither loads nor evaluates them again. The cache holds the raw dataset: it sits beside the
releases, never in one. Beside it, each run's plan (``plan-*.json``: its jobs and the digest of
each page's figures) lets a run in which nothing changed publish again from the files alone
(``run_if_unchanged``), without importing pandas, papermill or the charts.
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
from di_eval.run.outcome import Job, Outcome, RunResult
from di_eval.run_options import MANIFEST, MARKER, releases_dir

CACHE = ".cache"
# The hidden notebook parameter that names a run's private cache folder (di_eval.report.cache, where
# it is defined too: that module imports the analysis stage, this one must not).
CACHE_PARAMETER = "_di_eval_cache"
KEEP_PLANS = 8
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


def has_cached(out: Path, key: str) -> bool:
    return _cache_file(out, key).is_file()


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
    if hasattr(value, "findings") and hasattr(value, "ok"):
        # An audit: its verdict and what fails, not how long it took or how many programmes it
        # needed (those vary with the machine's load, and no page prints them).
        return f"{type(value).__name__}:{value.ok}:" + ";".join(str(f) for f in value.findings)
    return _ADDRESS.sub("", repr(value))


# What a municipal page shows of the evaluation beyond its own rows (``tests/test_incremental_scope.py``
# renders a page with everything else of the region changed and finds it the same):
# - of the tables ``Evaluation.for_scope`` restricts (``SCOPED_TABLES``), only its own rows (the region's rows are not printed);
# - the region's target achievement (``achievement``, printed under the services) and the plan's
#   targets (``target_history``), in full;
# - none of the fields below.
REGION_NOT_SHOWN = ("municipalities_served_by_year",)


def _own_rows(table, scope: str):
    if "scope" not in getattr(table, "columns", ()):
        return table
    return table[table["scope"] == scope]


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
        from di_eval.analysis.evaluation import SCOPED_TABLES

        full = self.evaluation
        regional = scope == "region"
        keep = None if regional else {scope}
        parts = []
        for field in dataclasses.fields(full):
            name = field.name
            if not regional and name in REGION_NOT_SHOWN:
                continue
            if name == "protected":
                value = self._protected(keep)
            elif not regional and name in SCOPED_TABLES:
                value = _text(_own_rows(getattr(full, name), scope))
            else:
                value = _text(getattr(full, name))
            parts += [name, value]
        parts.append(json.dumps(self.headline(scope), sort_keys=True, default=str, ensure_ascii=False))
        parts.append(json.dumps(self.findings(scope), sort_keys=True, default=str, ensure_ascii=False))
        own_rows = not regional and str(full.structure) == "2017"
        for name, table in sorted(self.dataset.tables.items()):
            if own_rows and "atvk_code" in table.columns:
                table = table[table["atvk_code"] == scope]
            parts += [name, _text(table)]
        return _digest(*parts)

    def of(self, job, cache_parameter: str = CACHE_PARAMETER, commentary: str | None = None) -> str:
        return job_key(job, self.data_root, self.figures(job.name), cache_parameter, self.code, commentary)


def commentary_hash(data_root: Path, name: str) -> str:
    """The hash of a report's commentary file (``<data>/commentary/<name>.md``), "absent" without one."""
    return file_hash(Path(data_root) / "commentary" / f"{name}.md")


def job_key(
    job,
    data_root: Path,
    figures: str,
    cache_parameter: str = CACHE_PARAMETER,
    code: str | None = None,
    commentary: str | None = None,
) -> str:
    """A report's input key: its notebook, the code, its parameters, its commentary and ``figures`` (a digest).

    ``commentary``: that hash instead of the file's (whether only the commentary changed)."""
    parameters = {k: v for k, v in job.parameters.items() if k != cache_parameter}
    return _digest(
        "notebook",
        file_hash(job.notebook),
        "code",
        code or code_hash(),
        "parameters",
        json.dumps(parameters, sort_keys=True, default=str),
        "commentary",
        commentary if commentary is not None else commentary_hash(data_root, job.name),
        "figures",
        figures,
    )


# --- reuse from the release shown now ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Source:
    """A published release whose reports were all made: pages may be reused from it."""

    folder: Path
    fingerprint: str
    reports: dict  # name -> its manifest entry
    data_key: str = ""  # what its evaluation came from (``data_key``)


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
    return Source(current, str(content.get("data_fingerprint") or ""), reports, str(content.get("data_key") or ""))


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


# --- a re-run with nothing to do -------------------------------------------------------------
#
# A run leaves its plan beside the releases (``.cache/plan-<key>.json``): its jobs and the digest of
# each report's figures, under a key of the data key and the run's options. A later run with the
# same key computes every report's input key from the plan and the files (notebooks, code,
# commentary): when all equal the manifest of the release shown, it publishes a release of links
# to those pages without loading the data, evaluating, or importing pandas, papermill or a kernel.


def plan_key(data_key: str, options: dict) -> str:
    return _digest("plan", data_key, json.dumps(options, sort_keys=True, default=str))


def _plan_file(out: Path, key: str) -> Path:
    return releases_dir(out) / CACHE / f"plan-{key[:32]}.json"


def store_plan(out: Path, key: str, data_key: str, jobs, figures: dict, names=()) -> None:
    """Keep a run's plan for the next run (the newest few are kept). ``names``: the municipalities'
    Latvian names, which an English page marks (what ``di_eval.run.rewrite`` needs of the evaluation)."""
    content = {
        "data_key": data_key,
        "names": [str(n) for n in names],
        "jobs": [
            {
                "name": job.name,
                "notebook": str(job.notebook),
                "parameters": {k: v for k, v in job.parameters.items() if k != CACHE_PARAMETER},
                "html_path": job.html_path,
                "title": job.title,
            }
            for job in jobs
        ],
        "figures": figures,
    }
    path = _plan_file(out, key)
    try:
        fs.make_dir(path.parent)
        fs.write_atomic(path, json.dumps(content, ensure_ascii=False, default=str))
        plans = sorted(path.parent.glob("plan-*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in plans[KEEP_PLANS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a plan that cannot be written only costs time next run


def load_plan(out: Path, key: str, data_key: str) -> tuple[list[Job], dict, list] | None:
    """The jobs, the figures' digests and the names a run left under ``key``, or None."""
    try:
        content = json.loads(_plan_file(out, key).read_text(encoding="utf-8"))
        if content.get("data_key") != data_key:
            return None
        jobs = [
            Job(j["name"], Path(j["notebook"]), dict(j["parameters"]), j["html_path"], j.get("title", ""))
            for j in content["jobs"]
        ]
        return jobs, dict(content["figures"]), [str(n) for n in content.get("names") or []]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclasses.dataclass
class Unchanged:
    """A run whose data did not change: its jobs, their keys, the release to reuse from, and the
    reports of which only the commentary changed (``edited``: made by ``di_eval.run.rewrite``)."""

    jobs: list
    keys: dict
    source: Source
    commentaries: dict
    edited: list
    names: list


def unchanged(out: Path, data_root: Path, data_key: str, options: dict) -> Unchanged | None:
    """What ``run_if_unchanged`` needs, if every report of this run is unchanged but for its commentary."""
    from di_eval.run import publish

    source = reuse_source(publish.current_release(out))
    if source is None or not source.data_key or source.data_key != data_key:
        return None
    planned = load_plan(out, plan_key(data_key, options), data_key)
    if planned is None:
        return None
    jobs, figures, names = planned
    if set(source.reports) != {job.name for job in jobs} or set(figures) != set(source.reports):
        return None
    commentaries = {job.name: commentary_hash(data_root, job.name) for job in jobs}
    keys = {job.name: job_key(job, data_root, figures[job.name], commentary=commentaries[job.name]) for job in jobs}
    edited = []
    for job in jobs:
        if reusable(job, keys[job.name], source):
            continue
        entry = source.reports[job.name]
        before = entry.get("commentary")
        if (
            not before
            or entry.get("html_path") != job.html_path
            or job_key(job, data_root, figures[job.name], commentary=before) != entry.get("key")
        ):
            return None  # something other than the commentary changed: the report is executed
        edited.append(job.name)
    return Unchanged(jobs, keys, source, commentaries, edited, names)


class _NotRewritten(Exception):
    """A report of which only the commentary changed could not be rewritten: it is executed."""


def publish_unchanged(
    out: Path, found: Unchanged, parameters: dict, data_key: str, data_root: Path, lang: str
) -> RunResult | None:
    """A new release of every page of ``found.source`` (reused, or rewritten where only the commentary
    changed), with its index and figures; published. None if a page could not be rewritten."""
    import datetime as dt
    import time

    from di_eval.run import publish

    jobs, keys, source = found.jobs, found.keys, found.source
    started_at = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    staging = publish.new_staging(out)
    try:
        outcomes = []
        for job in jobs:
            if job.name in found.edited:
                from di_eval.run.rewrite import rewrite

                outcome = rewrite(job, source.reports[job.name], source.folder, staging, data_root, lang, found.names)
                if outcome is None:
                    raise _NotRewritten(job.name)
            else:
                outcome = reuse(job, source, staging, source.fingerprint)
            outcomes.append(outcome)
        for outcome in outcomes:
            outcome.key = keys[outcome.name]
            outcome.commentary = found.commentaries[outcome.name]
        for path in sorted(source.folder.rglob("*")):  # the index, figures.json, findings.json, …
            target = staging / path.relative_to(source.folder)
            if path.is_file() and path.name not in (MANIFEST, MARKER) and not target.exists():
                _link_or_copy(path, target)
        seconds = time.monotonic() - started
        content = publish.manifest(parameters, source.fingerprint, outcomes, started_at, seconds, 0)
        content["data_key"] = data_key
        content["published"] = True
        publish.write_manifest(staging, content)
        previous = publish.current_release(out)
        release = publish.publish(staging, out)
    except _NotRewritten:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunResult(out, outcomes, seconds, content, True, release, previous)


def evaluation_parameters(as_of, structure, threshold: int, disclosure: str | None) -> dict:
    """What the evaluation depends on besides the files: part of the data key."""
    return {
        "as_of": as_of.isoformat(),
        "structure": str(structure),
        "threshold": threshold,
        "disclosure": disclosure or "",  # "": the rule's default method (its code is in the key)
    }


def manifest_parameters(data_dir: Path | None, as_of, options: dict, **flags) -> dict:
    """The run's parameters as its manifest records them (``options``: lang, only, structure, threshold, timeout)."""
    return {
        "data_dir": str(data_dir or paths.SAMPLE_DIR),
        "as_of": as_of.isoformat(),
        "lang": options["lang"],
        "only": options["only"] or [],
        "structure": str(options["structure"]),
        "threshold": options["threshold"],
        "timeout": float(options["timeout"]),
        **flags,
    }


def plan_options(data_dir: Path | None, lang: str, only) -> dict:
    """The run's options that choose its jobs, beside the data key."""
    return {
        "data_dir": str(data_dir or ""),
        "lang": lang,
        "only": list(only or []),
        "notebooks": str(paths.NOTEBOOKS_DIR),
    }


def run_if_unchanged(
    data_dir: Path | None,
    out: Path,
    *,
    evaluation: dict,
    lang: str,
    only,
    previous=(),
    parameters: dict,
    lock_held: bool = False,
) -> RunResult | None:
    """Publish the release ``out`` shows again, every page reused, if no report's inputs changed; else None.

    A report whose only changed input is its commentary is rewritten from its page before
    (``di_eval.run.rewrite``), not executed. ``evaluation``: ``evaluation_parameters(...)``;
    ``parameters``: the manifest's (the disclosure method is added from the plan). Reads the files
    and the plan only: nothing is loaded or evaluated.
    """
    data_root = Path(data_dir) if data_dir else paths.SAMPLE_DIR
    lock = contextlib.nullcontext()
    if not lock_held:
        from di_eval.run import publish

        lock = fs.locked(publish.lock_path(out), what=f"the output folder {out}", timeout=0)
    with lock:
        key = data_key(data_root, evaluation, previous)
        found = unchanged(out, data_root, key, plan_options(data_dir, lang, only))
        if found is None:
            return None
        method = next((job.parameters.get("disclosure") for job in found.jobs), None) or evaluation["disclosure"]
        return publish_unchanged(out, found, {**parameters, "disclosure": method}, key, data_root, lang)
