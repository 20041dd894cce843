"""A report whose only changed input is its commentary is rewritten from its page before, not executed.

The pages here are made by a stand-in of the kernel (``marked_execute``) that renders the
conclusions section with the report's own code for the evaluator's part
(``di_eval.report.conclusions``) and keeps it in a notebook as a kernel does (``Section``'s HTML,
wrapped, and its plain text). The kernel test in tests/test_incremental.py compares real pages.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from di_eval import paths
from di_eval.report import conclusions
from di_eval.report.html import Fragment, heading
from di_eval.report.notebook import Section
from di_eval.run import batch, rewrite, site

sys.path.insert(0, str(Path(__file__).parent / "reliability"))
import fakes  # noqa: E402

ONLY = ["Saldus", "Kuldīga", "region"]
NAMES = ["Saldus novads", "Kuldīgas novads"]


def section_html(data_dir, name: str, lang: str = "lv") -> str:
    part = rewrite.new_part(data_dir, name, lang, NAMES)
    return (
        '<section aria-labelledby="conclusions"><h2 id="conclusions">Secinājumi</h2>'
        f"<ul><li>{name}: a finding from the numbers</li></ul>{heading('Izvērtētāja secinājumi', 3)}{part}</section>"
    )


def page_of(name: str, section: str) -> str:
    other = '<section aria-labelledby="method"><h2 id="method">Metode</h2><p>fingerprint</p></section>'
    return f"<!DOCTYPE html><html><body><main>{section}{other}</main></body></html>\n"


def notebook_of(section: str) -> str:
    data, _ = Section(section, {})._repr_mimebundle_()
    cells = [
        {"cell_type": "code", "source": "report.title()", "outputs": [], "metadata": {}, "execution_count": 1},
        {
            "cell_type": "code",
            "source": "report.conclusions()",
            "metadata": {},
            "execution_count": 2,
            "outputs": [
                {
                    "output_type": "execute_result",
                    "execution_count": 2,
                    "metadata": {},
                    "data": {k: v.splitlines(True) for k, v in data.items()},
                }
            ],
        },
    ]
    content = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False)


def marked_execute(data_dir: Path, calls: list):
    """Stand-in workers whose pages and notebooks hold a marked conclusions section."""

    def execute(jobs, staging, *, workers=1, timeout=300.0, fresh_kernels=False, progress=None, pool=None):
        calls.append([job.name for job in jobs])
        outcomes = []
        for job in jobs:
            section = section_html(data_dir, job.name, job.parameters.get("lang", "lv"))
            notebook = Path("notebooks") / f"{job.name}.ipynb"
            (staging / notebook).parent.mkdir(parents=True, exist_ok=True)
            (staging / notebook).write_text(notebook_of(section), encoding="utf-8")
            (staging / job.html_path).parent.mkdir(parents=True, exist_ok=True)
            (staging / job.html_path).write_text(page_of(job.name, section), encoding="utf-8")
            outcomes.append(batch.Outcome(job.name, job.html_path, str(notebook), "ok", 0.01, title=job.title))
        return outcomes

    return execute


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, target)
    return target


@pytest.fixture
def executed(monkeypatch, data):
    fakes.install(monkeypatch)
    calls: list[list[str]] = []
    monkeypatch.setattr(batch, "execute", marked_execute(data, calls))
    return calls


def files(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".ipynb")
    }


def test_a_commentary_edit_rewrites_that_page_and_notebook_and_equals_a_full_run(data, tmp_path, executed):
    out, full = tmp_path / "reports", tmp_path / "full"
    site.run(data, out, only=ONLY)
    assert executed == [["region", "0620200", "0840200"]]
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0840200.md").write_text("Saldus: **dati pārbaudīti**.\n", encoding="utf-8")
    edited = site.run(data, out, only=ONLY)
    assert len(executed) == 1, "no report was executed: the page before was rewritten"
    assert {o.name: (o.status, o.how) for o in edited.outcomes} == {
        "region": ("reused", ""),
        "0620200": ("reused", ""),
        "0840200": ("ok", "commentary"),
    }
    page = (out / "pasvaldibas" / "0840200.html").read_text(encoding="utf-8")
    assert "<strong>dati pārbaudīti</strong>" in page and 'class="draft"' not in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(r for r in manifest["reports"] if r["name"] == "0840200")
    assert entry["status"] == "ok" and entry["how"] == "commentary" and entry["commentary"] != "absent"
    reference = site.run(data, full, only=ONLY, force=True)
    assert {o.status for o in reference.outcomes} == {"ok"} and len(executed) == 2
    assert files(out) == files(full), "the rewritten release equals a full run, page and notebook"
    assert [o.key for o in edited.outcomes] == [o.key for o in reference.outcomes]

    # removed again: the draft note is back, and the release is again that of a full run
    (data / "commentary" / "0840200.md").unlink()
    site.run(data, out, only=ONLY)
    assert len(executed) == 2
    assert 'class="draft"' in (out / "pasvaldibas" / "0840200.html").read_text(encoding="utf-8")
    again = tmp_path / "full-again"
    site.run(data, again, only=ONLY, force=True)
    assert files(out) == files(again)
    site.run(data, out, only=ONLY)
    assert len(executed) == 3 and all(o.status == "reused" for o in site.run(data, out, only=ONLY).outcomes)


def test_a_page_without_the_marks_is_executed_as_before(data, tmp_path, executed, monkeypatch):
    """A release made before the marks (or a page that lost them) is no source of a rewrite."""
    out = tmp_path / "reports"
    site.run(data, out, only=ONLY)
    page = out / "pasvaldibas" / "0840200.html"
    text = page.read_text(encoding="utf-8").replace(conclusions.BEGIN, "")
    page.unlink()  # a hard link of the release: replaced, not written through
    page.write_text(text, encoding="utf-8")
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0840200.md").write_text("Saldus.\n", encoding="utf-8")
    result = site.run(data, out, only=ONLY)
    assert executed[-1] == ["0840200"]
    assert {o.name: o.how for o in result.outcomes if o.status == "ok"} == {"0840200": ""}


def test_another_change_besides_the_commentary_executes_the_report(data, tmp_path, executed, monkeypatch):
    from di_eval.run import incremental

    out = tmp_path / "reports"
    site.run(data, out, only=ONLY)
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0840200.md").write_text("Saldus.\n", encoding="utf-8")
    monkeypatch.setitem(incremental._code, "code", "0" * 64)  # other code too: every key changed
    result = site.run(data, out, only=ONLY)
    assert executed[-1] == ["region", "0620200", "0840200"]
    assert all(o.how == "" for o in result.outcomes)


def write_source(folder: Path, section: str) -> tuple[batch.Job, dict]:
    job = batch.Job("0840200", Path("municipality.ipynb"), {}, "pasvaldibas/0840200.html")
    (folder / "pasvaldibas").mkdir(parents=True)
    (folder / "notebooks").mkdir()
    (folder / job.html_path).write_text(page_of(job.name, section), encoding="utf-8")
    (folder / "notebooks" / "0840200.ipynb").write_text(notebook_of(section), encoding="utf-8")
    return job, {"notebook_path": "notebooks/0840200.ipynb", "html_path": job.html_path}


def test_an_english_page_marks_latvian_names_in_the_new_text(tmp_path):
    data, source, staging = tmp_path / "data", tmp_path / "source", tmp_path / "staging"
    (data / "commentary").mkdir(parents=True)
    job, entry = write_source(source, section_html(data, "0840200", "en"))
    (data / "commentary" / "0840200.md").write_text("Saldus novads did well.\n", encoding="utf-8")
    outcome = rewrite.rewrite(job, entry, source, staging, data, "en", NAMES)
    assert outcome is not None and outcome.how == "commentary"
    page = (staging / job.html_path).read_text(encoding="utf-8")
    assert '<span lang="lv">Saldus novads</span> did well.' in page
    assert page == page_of(job.name, section_html(data, "0840200", "en"))
    assert (staging / entry["notebook_path"]).read_text(encoding="utf-8") == notebook_of(
        section_html(data, "0840200", "en")
    )


@pytest.mark.parametrize(
    "damage",
    ["no marks", "two marks", "notebook not as written", "no notebook", "rounded count"],
)
def test_a_page_that_is_not_as_expected_is_not_rewritten(tmp_path, damage):
    data, source, staging = tmp_path / "data", tmp_path / "source", tmp_path / "staging"
    (data / "commentary").mkdir(parents=True)
    section = section_html(data, "0840200")
    job, entry = write_source(source, section)
    page, notebook = source / job.html_path, source / entry["notebook_path"]
    text = "Saldus: ≈10 personu.\n" if damage == "rounded count" else "Saldus.\n"
    (data / "commentary" / "0840200.md").write_text(text, encoding="utf-8")
    if damage == "no marks":
        page.write_text(page.read_text(encoding="utf-8").replace(conclusions.END, ""), encoding="utf-8")
    elif damage == "two marks":
        page.write_text(page.read_text(encoding="utf-8").replace("</main>", section + "</main>"), encoding="utf-8")
    elif damage == "notebook not as written":
        notebook.write_text(json.dumps(json.loads(notebook.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    elif damage == "no notebook":
        notebook.unlink()
    assert rewrite.rewrite(job, entry, source, staging, data, "lv", NAMES) is None
    assert not staging.exists(), "nothing written"


def test_the_part_is_the_one_report_conclusions_renders(tmp_path):
    """The part ``rewrite`` renders is what ``Report.conclusions`` puts in a page (its own code)."""
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "0840200.md").write_text("# Virsraksts\n\nTeksts.\n", encoding="utf-8")
    part = rewrite.new_part(tmp_path, "0840200", "lv", NAMES)
    assert part.startswith(conclusions.BEGIN) and part.endswith(conclusions.END)
    assert '<div class="commentary"><h3>Virsraksts</h3>' in part
    assert "draft" in rewrite.new_part(tmp_path, "0620200", "lv", NAMES)
    assert isinstance(Section(part, {}), Fragment)
