"""`di-eval run --disclosure`: checked before anything starts, passed to the evaluation, the notebooks and the keys.

No kernel: the run's workers are the stand-ins of tests/reliability/fakes.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import shutil
import sys
from pathlib import Path

import pytest

from di_eval import cli, paths
from di_eval.analysis.disclosure import METHODS, DisclosureRule
from di_eval.report import cache, parameters
from di_eval.run import batch, incremental, site
from di_eval.run_options import BadArgument, check_disclosure, default_disclosure

sys.path.insert(0, str(Path(__file__).parent / "reliability"))
import fakes  # noqa: E402


def test_the_choices_and_the_default_are_the_rules():
    assert default_disclosure() == next(f.default for f in dataclasses.fields(DisclosureRule) if f.name == "method")
    assert cache.DEFAULT_METHOD == DisclosureRule().method
    assert check_disclosure(None) is None and check_disclosure("") is None
    assert [check_disclosure(m) for m in METHODS] == list(METHODS)
    with pytest.raises(BadArgument, match="--disclosure 'round': must be one of heuristic, suppression, rounding"):
        check_disclosure("round")
    specs = {s.name: s for s in parameters.SPECS["municipality"]}
    assert specs["disclosure"].default == "" and "disclosure" in {s.name for s in parameters.SPECS["region"]}
    assert parameters.check("region", {"disclosure": "rounding"})["disclosure"] == "rounding"
    with pytest.raises(Exception, match="disclosure method"):
        parameters.check("region", {"disclosure": "guess"})
    for kind in ("municipality", "region", "explore"):
        notebook = json.loads((paths.NOTEBOOKS_DIR / f"{kind}.ipynb").read_text(encoding="utf-8"))
        cell = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
        assert "".join(cell["source"]) == parameters.parameters_cell(kind), f"{kind}.ipynb: its parameters cell"


def test_a_bad_method_is_refused_before_anything_starts(capsys, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(batch, "execute", lambda *a, **k: started.append(1) or [])
    with pytest.raises(SystemExit) as caught:
        cli.main(["run", "--disclosure", "guess", "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "invalid choice: 'guess'" in err and "rounding" in err
    with pytest.raises(BadArgument, match="--disclosure"):
        site.run(None, tmp_path / "out", disclosure="guess")
    assert not started and not (tmp_path / "out").exists()


def test_the_method_reaches_the_evaluation_the_notebooks_the_manifest_and_the_keys(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, data)
    monkeypatch.setattr(batch, "Workers", fakes.FakeWorkers)
    seen = []
    inner = fakes.fake_execute()

    def execute(jobs, staging, **kwargs):
        seen.append({job.name: job.parameters for job in jobs})
        return inner(jobs, staging, **kwargs)

    monkeypatch.setattr(batch, "execute", execute)
    rules, real = [], {}

    def evaluate(data, **options):  # the heuristic's figures under the rule asked for: fast, and enough here
        rules.append(options["rule"])
        if not real:
            real["ev"] = site.evaluate.__wrapped__(data, as_of=options["as_of"], structure=options["structure"])
        ev = real["ev"]
        return dataclasses.replace(ev, protected=dataclasses.replace(ev.protected, rule=options["rule"]))

    evaluate.__wrapped__ = site.evaluate
    monkeypatch.setattr(site, "evaluate", evaluate)
    out = tmp_path / "reports"
    only = ["Saldus", "region"]
    default = site.run(data, out, only=only)
    other = site.run(data, out, only=only, disclosure="suppression")
    assert [r.method for r in rules] == [DisclosureRule().method, "suppression"]
    assert {p["disclosure"] for p in seen[0].values()} == {DisclosureRule().method}
    assert {p["disclosure"] for p in seen[1].values()} == {"suppression"}, "every report, as a notebook parameter"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["parameters"]["disclosure"] == "suppression"
    assert all(a.key != b.key for a, b in zip(default.outcomes, other.outcomes)), "another method: every key"
    again = site.run(data, out, only=only, disclosure="suppression")
    assert {o.status for o in again.outcomes} == {"reused"} and len(rules) == 2, "the same method: nothing again"
    plain = incremental.evaluation_parameters(datetime.date(2023, 12, 31), "2017", 5, None)
    named = {**plain, "disclosure": "suppression"}
    assert plain["disclosure"] == "", "no method named: the rule's default, whose code is in the key"
    assert incremental.data_key(data, plain) != incremental.data_key(data, named), "the evaluation cache's key"


def test_the_report_cache_is_keyed_by_the_method(monkeypatch):
    made = []
    monkeypatch.setattr(cache, "evaluate", lambda data, **k: made.append(k["rule"].method) or object())
    memory = cache.Memory()

    class Data:
        fingerprint = "f"

    for method in (None, "", "suppression", "suppression", DisclosureRule().method):
        memory.evaluation(Data(), "2023-12-31", "2017", 5, None, method)
    assert made == [DisclosureRule().method, "suppression"], "the default and the method named: one evaluation each"


def test_a_release_the_audit_fails_publishes_nothing_and_says_why(tmp_path, monkeypatch):
    # The heuristic protects against sums of one table only; the run audits its pattern against the full
    # reader (every relation, the public figures) before anything is published, and refuses it.
    from di_eval.errors import DiEvalError

    monkeypatch.setattr(batch, "Workers", fakes.FakeWorkers)
    executed = []
    monkeypatch.setattr(batch, "execute", lambda jobs, *a, **k: executed.append(jobs) or [])
    out = tmp_path / "reports"
    with pytest.raises(DiEvalError) as caught:
        site.run(paths.SAMPLE_DIR, out, as_of="2019-12-31", only=["Saldus", "region"], disclosure="heuristic")
    message = str(caught.value)
    assert "disclosure audit of this release" in message and "fail the guarantee" in message
    assert "nothing was published" in message and "--disclosure rounding" in message
    assert not executed, "no report was made"
    assert not (out / "index.html").exists() and not (out / "figures.json").exists()
    assert not out.exists() or not list(out.glob("**/*.html"))
