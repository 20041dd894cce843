"""Incremental runs: what is reused, what is executed again, and that the result equals a full run.

Most cases use the stand-in workers of tests/reliability/fakes.py (no kernel); the last one runs
real reports and compares the pages of a full run and of incremental runs.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from di_eval import paths
from di_eval.run import batch, incremental, site

sys.path.insert(0, str(Path(__file__).parent / "reliability"))
import fakes  # noqa: E402

ONLY = ["Saldus", "Kuldīga", "region"]


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, target)
    return target


@pytest.fixture
def executed(monkeypatch):
    """Stand-in workers; the names of the jobs each run executed are appended to the list."""
    fakes.install(monkeypatch)
    names: list[list[str]] = []
    inner = batch.execute

    def execute(jobs, staging, **kwargs):
        names.append([job.name for job in jobs])
        return inner(jobs, staging, **kwargs)

    monkeypatch.setattr(batch, "execute", execute)
    return names


def run(data, out, **options):
    return site.run(data, out, only=ONLY, **options)


def statuses(result) -> dict:
    return {o.name: o.status for o in result.outcomes}


def test_an_unchanged_run_reuses_every_page_and_records_why(data, tmp_path, executed):
    out = tmp_path / "reports"
    first = run(data, out)
    second = run(data, out)
    assert executed == [["region", "0620200", "0840200"]], "the second run executed nothing"
    assert set(statuses(second).values()) == {"reused"} and second.ok and second.published
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reused"] == ["region", "0620200", "0840200"] and manifest["failed"] == []
    keys = {r["name"]: r["key"] for r in manifest["reports"]}
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys.values())
    assert keys == {o.name: o.key for o in first.outcomes}, "the same inputs give the same keys"
    for o in second.outcomes:
        assert (out / o.html_path).read_bytes() == (first.release / o.html_path).read_bytes()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index == (first.release / "index.html").read_text(encoding="utf-8"), "a reused report is linked as before"
    assert index.count('href="pasvaldibas/') == 4  # the table, and the 2021 structure's parts
    assert manifest["data_key"] == json.loads((first.release / "manifest.json").read_text(encoding="utf-8"))["data_key"]
    from di_eval.cli.run import summary_table

    table = summary_table(second)
    assert "3 reused, 0 executed" in table and "reused       0.00" in table


def test_the_evaluation_is_not_repeated_for_unchanged_data(data, tmp_path, executed, monkeypatch):
    out = tmp_path / "reports"
    run(data, out)

    def refuse(*args, **kwargs):
        raise AssertionError("loaded or evaluated again")

    monkeypatch.setattr(site, "load_snapshot", refuse)
    monkeypatch.setattr(site, "evaluate", refuse)
    assert run(data, out).ok
    (data / "transitions.csv").write_bytes((data / "transitions.csv").read_bytes() + b"\n")
    with pytest.raises(AssertionError, match="again"):
        run(data, out)  # a changed byte in a data file: the snapshot is made again


def test_a_commentary_edit_executes_exactly_that_report(data, tmp_path, executed):
    out = tmp_path / "reports"
    run(data, out)
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0840200.md").write_text("Saldus: dati pārbaudīti.\n", encoding="utf-8")
    result = run(data, out)
    assert executed[-1] == ["0840200"]
    assert statuses(result) == {"region": "reused", "0840200": "ok", "0620200": "reused"}
    (data / "commentary" / "0840200.md").write_text("Saldus: dati pārbaudīti vēlreiz.\n", encoding="utf-8")
    run(data, out)
    assert executed[-1] == ["0840200"]
    run(data, out)
    assert len(executed) == 3, "nothing executed when nothing changed"


def test_force_executes_every_report(data, tmp_path, executed):
    out = tmp_path / "reports"
    run(data, out)
    result = run(data, out, force=True)
    assert executed[-1] == ["region", "0620200", "0840200"] and set(statuses(result).values()) == {"ok"}


def test_parameters_notebook_and_code_are_inputs(data, tmp_path, executed, monkeypatch):
    out = tmp_path / "reports"
    run(data, out)
    run(data, out, threshold=3)
    assert executed[-1] == ["region", "0620200", "0840200"], "another threshold: every report"
    monkeypatch.setitem(incremental._code, "code", "0" * 64)
    run(data, out, threshold=3)
    assert len(executed[-1]) == 3, "other code: every report"
    notebook = tmp_path / "municipality.ipynb"
    shutil.copy(paths.NOTEBOOKS_DIR / "municipality.ipynb", notebook)
    evaluation = _evaluation(data)
    job = site.plan_jobs(evaluation, data_dir=data, lang="lv", only=["Saldus"])[0]
    keys = incremental.Keys(evaluation, _dataset(data), data)
    before = keys.of(job, "_di_eval_cache")
    notebook.write_text(notebook.read_text(encoding="utf-8") + " ", encoding="utf-8")
    moved = batch.Job(job.name, notebook, job.parameters, job.html_path)
    assert keys.of(moved, "_di_eval_cache") != before, "another notebook: another key"
    cached = batch.Job(job.name, job.notebook, {**job.parameters, "_di_eval_cache": "/elsewhere"}, job.html_path)
    assert keys.of(cached, "_di_eval_cache") == keys.of(job, "_di_eval_cache"), "the private cache folder is not"


def _dataset(data):
    return site.load_snapshot(data)


def _evaluation(data):
    return site.evaluate(_dataset(data), as_of="2023-12-31", structure="2017", threshold=5)


def test_a_partial_or_failed_release_is_never_a_source(data, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    fakes.install(monkeypatch)
    assert run(data, out).ok
    fakes.install(monkeypatch, fail=("0840200",))
    partial = run(data, out, force=True, publish_partial=True)
    assert partial.published and not partial.ok
    fakes.install(monkeypatch)
    again = run(data, out)
    assert set(statuses(again).values()) == {"ok"}, "nothing reused from a partial release"
    fakes.install(monkeypatch, fail=("region",))
    failed = run(data, out, force=True)
    assert not failed.published
    fakes.install(monkeypatch)
    after = run(data, out)
    assert set(statuses(after).values()) == {"reused"}, "the failed run is no source; the good release is"
    assert incremental.reuse_source(failed.release) is None


def test_one_municipalitys_new_data_change_the_keys_of_the_reports_that_show_them(data):
    dataset = _dataset(data)
    before = incremental.Keys(_evaluation(data), dataset, data)
    uptake = data / "service_uptake.csv"
    lines = uptake.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    code, served, service = (header.index(c) for c in ("atvk_code", "persons_served", "service"))
    rows = [line.split(",") for line in lines[1:]]
    year, group = header.index("year"), header.index("target_group")
    chosen = next(
        (
            r
            for r in rows
            if r[code] == "0840200" and r[service] != "any" and r[served].isdigit() and int(r[served]) >= 10
        ),
        None,
    )
    assert chosen is not None, "no large Saldus count in the sample to change"
    for row in rows:  # the service and its "any" row, by the same number of persons
        same = row[code] == chosen[code] and row[year] == chosen[year] and row[group] == chosen[group]
        if same and (row is chosen or row[service] == "any"):
            row[served] = str(int(row[served]) + 7)
    lines = [lines[0], *(",".join(r) for r in rows)]
    uptake.write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = incremental.Keys(_evaluation(data), _dataset(data), data)
    scopes = ["region", *sorted(set(dataset.tables["service_uptake"]["atvk_code"]))]
    changed = {s for s in scopes if before.figures(s) != after.figures(s)}
    assert {"region", "0840200"} <= changed
    # The other municipal pages show of the region only what this change leaves as it was (the
    # targets' achievement): tests/test_incremental_scope.py renders one and finds it the same.
    assert before.figures("0170000") == after.figures("0170000")
    same = incremental.Keys(_evaluation(data), _dataset(data), data)
    assert all(same.figures(s) == after.figures(s) for s in scopes), "the same data: the same keys"


GENERATED = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def pages(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): GENERATED.sub(b"<time>", p.read_bytes())
        for p in sorted(folder.rglob("*.html"))
        if p.name != "index.html"
    }


@pytest.mark.kernel
def test_an_incremental_run_equals_a_full_run_page_for_page(data, tmp_path):
    only = ["Saldus", "Kuldīga"]
    out, full = tmp_path / "reports", tmp_path / "full"
    first = site.run(data, out, only=only, workers=1)
    unchanged = site.run(data, out, only=only, workers=1)
    assert set(statuses(unchanged).values()) == {"reused"}
    assert pages(out) == pages(first.release)
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0620200.md").write_text("Kuldīga: pakalpojumi paplašināti.\n", encoding="utf-8")
    edited = site.run(data, out, only=only, workers=1)
    assert statuses(edited) == {"0840200": "reused", "0620200": "ok"}
    # only the commentary changed: its part of the page before made again, no kernel (di_eval.run.rewrite)
    assert {o.name: o.how for o in edited.outcomes} == {"0840200": "", "0620200": "commentary"}
    reference = site.run(data, full, only=only, workers=1, force=True)
    assert set(statuses(reference).values()) == {"ok"}
    assert pages(out) == pages(full), "the incremental release equals a full run, page for page"
    assert "pakalpojumi paplašināti" in (out / "pasvaldibas" / "0620200.html").read_text(encoding="utf-8")


def test_an_audit_enters_a_key_by_its_verdict_not_by_its_time():
    # The release's audit is a field of the evaluation: how long it took, and how many programmes
    # it solved, vary with the machine's load; the same data must give the same keys.
    import dataclasses

    import pandas as pd

    from di_eval.analysis.audit import ReleaseAudit
    from di_eval.analysis.indicators import CUBE_KEYS

    row = {"table": "uptake", "measure": "persons_new", "scope": "0840200", "year": 2020, "group": "FT"}
    row |= {"service": "care", "through": 2020, "uid": 7, "status": "secondary", "low": 3.0, "high": 3.0}
    columns = [*CUBE_KEYS, "through", "uid", "status", "low", "high", "finding"]
    passing = pd.DataFrame([{**row, "high": 6.0, "finding": ""}], columns=columns)
    quick = ReleaseAudit(passing, releases=1, relations=10, linear_programs=3, integer_programs=0, seconds=0.04)
    slow = dataclasses.replace(quick, linear_programs=5, integer_programs=2, seconds=0.12)
    assert quick.summary() != slow.summary()
    assert incremental._text(quick) == incremental._text(slow)
    failing = dataclasses.replace(quick, intervals=pd.DataFrame([{**row, "finding": "exact"}], columns=columns))
    assert incremental._text(failing) != incremental._text(quick)
