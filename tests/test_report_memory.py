"""What a kernel keeps between cells is an explicit, bounded object on its IPython shell, never a module's dict."""

from __future__ import annotations

import types

import IPython

from di_eval.report import Report, cache
from di_eval.report.cache import Memory, memory


def test_each_kind_is_bounded_and_the_oldest_goes():
    kept = Memory(evaluations=2, sections=2)
    for n in range(3):
        kept.section(("s", n), lambda n=n: n * 10)
    assert list(kept.sections) == [("s", 1), ("s", 2)], "past the limit the oldest entry goes"
    drawn = []
    assert kept.section(("s", 2), lambda: drawn.append(1)) == 20 and drawn == [], "a kept section is not drawn again"
    kept.clear()
    assert kept.sections == {} and kept.datasets == {} and kept.evaluations == {}


def test_a_kernels_memory_lives_on_its_shell_and_nowhere_else(monkeypatch):
    assert memory() is not memory(), "outside IPython: a new memory each time, nothing shared"
    first, second = types.SimpleNamespace(), types.SimpleNamespace()
    monkeypatch.setattr(IPython, "get_ipython", lambda: first)
    assert memory() is memory() is first.di_eval_memory, "one kernel: one memory, kept on its shell"
    monkeypatch.setattr(IPython, "get_ipython", lambda: second)
    assert memory() is not first.di_eval_memory, "another kernel: its own"


def test_reports_opened_with_one_memory_share_its_dataset_and_evaluation(monkeypatch):
    made = []
    real = cache.evaluate
    monkeypatch.setattr(cache, "evaluate", lambda data, **k: made.append(str(k["as_of"])) or real(data, **k))
    kept = Memory()
    params = {"as_of": "2019-12-31"}
    first = Report.open("municipality", {**params, "municipality": "Saldus"}, kept)
    second = Report.open("municipality", {**params, "municipality": "Talsi"}, kept)
    assert first.memory is second.memory is kept
    assert second.dataset is first.dataset and second.source is first.source and made == ["2019-12-31"]
    assert (first.scope, second.scope) != (first.scope, first.scope), "the same evaluation, sliced per scope"
    other = Report.open("municipality", {**params, "municipality": "Saldus"}, Memory())
    assert other.source is not first.source and len(made) == 2, "another memory evaluates for itself"
