"""Every section of the reports, as HTML, compared with the files in tests/snapshots/.

Three reports (Kuldīga, Saldus and the region) in both languages, on the shipped sample at the
notebooks' default date; one file per report, language and section. What varies between runs is
masked first (images, the time of generation, the software version), and the HTML is broken into
lines at block tags so that a diff reads like the page. A change that alters a report, meant or
not, fails here until the snapshots are updated on purpose:

    make snapshots        # = pytest tests/test_snapshots.py --snapshot-update

The sections are the ``report.<section>()`` calls of the notebooks, so a section added to a
notebook is covered without editing this file. No kernel is started: the library is called
directly, as the notebooks' cells do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from di_eval import paths
from di_eval.analysis import evaluation as evaluation_module
from di_eval.analysis import indicators
from di_eval.report import Report, parameters

# All in one xdist worker: the reports share one loaded dataset and one evaluation per language.
pytestmark = pytest.mark.xdist_group("snapshots")

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOTEBOOKS = {"municipality": paths.PROJECT_ROOT / "notebooks" / "municipality.ipynb"}
NOTEBOOKS["region"] = paths.PROJECT_ROOT / "notebooks" / "region.ipynb"
# (snapshot folder prefix, notebook kind, scope); the notebooks' defaults for everything else
REPORTS = [("kuldiga", "municipality", "Kuldīga"), ("saldus", "municipality", "Saldus"), ("region", "region", None)]
LANGUAGES = ("lv", "en")


def notebook_sections(kind: str) -> list[str]:
    """The report methods a notebook calls, in order: ``report.summary()`` → "summary"."""
    notebook = nbformat.read(NOTEBOOKS[kind], as_version=4)
    calls = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            calls += re.findall(r"^report\.(\w+)\(\)\s*$", cell.source, flags=re.MULTILINE)
    return calls


SECTIONS = {kind: notebook_sections(kind) for kind in NOTEBOOKS}
CASES = [
    (f"{name}-{lang}", kind, scope, lang, section)
    for name, kind, scope in REPORTS
    for lang in LANGUAGES
    for section in SECTIONS[kind]
]


def namespace(kind: str, scope: str | None, lang: str) -> dict:
    """The notebook's parameters as papermill would inject them: the defaults, a scope and a language."""
    values = {"lang": lang}
    if kind == "municipality":
        values["municipality"] = scope
    return values


# --- making a section's HTML comparable and readable ---------------------------------------------------

_BLOCK = (
    "section|header|footer|nav|div|h[1-6]|p|ul|ol|li|dl|dt|dd|table|caption|thead|tbody|tfoot|tr|figure"
    "|figcaption|img|details|summary|svg|style|script|blockquote"
)
_BLOCK_OPEN = re.compile(rf"\s*(<(?:{_BLOCK})\b)")
_BLOCK_CLOSE = re.compile(r"(</(?:section|header|footer|nav|div|ul|ol|dl|table|thead|tbody|tfoot|figure|details)>)\s*")
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+);base64,[A-Za-z0-9+/=]+")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")
_GENERATED = re.compile(r"<dd>[^<]*\[timestamp\][^<]*</dd>")  # the human date written beside the stamp
_VERSION = re.compile(r"\bdi-eval\s+v?\d+(\.\d+)+\S*?(?=[\s<\"'),;]|$)")
_RANDOM_ID = re.compile(r"\b([A-Za-z_][\w-]*?[-_])([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})\b")


def normalise(html: str) -> str:
    """What varies between runs masked; one block element per line."""
    html = _DATA_URI.sub(r"data:\1;base64,[data]", html)
    html = _TIMESTAMP.sub("[timestamp]", html)
    html = _GENERATED.sub("<dd>[generated]</dd>", html)
    html = _VERSION.sub("di-eval [version]", html)
    html = _RANDOM_ID.sub(r"\1[id]", html)
    html = _BLOCK_OPEN.sub(r"\n\1", html)
    html = _BLOCK_CLOSE.sub(r"\1\n", html)
    return "\n".join(line.rstrip() for line in html.strip().splitlines() if line.strip()) + "\n"


def rendered(report: Report, section: str) -> str:
    fragment = getattr(report, section)()
    head = f"<!-- metadata: {json.dumps(fragment.metadata, ensure_ascii=False, sort_keys=True)} -->\n"
    return normalise((head if fragment.metadata else "") + fragment.html)


# --- the tests -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports():
    """Each report's sections, rendered as its notebook renders them: opened once, every section in order
    (figures are numbered as they are drawn, so a section alone would not be numbered as on the page)."""
    opened: dict[str, dict[str, str]] = {}

    def get(key: str, kind: str, scope: str | None, lang: str) -> dict[str, str]:
        if key not in opened:
            report = Report.open(kind, namespace(kind, scope, lang))
            opened[key] = {section: rendered(report, section) for section in SECTIONS[kind]}
        return opened[key]

    return get


def test_the_notebooks_name_their_sections():
    # a guard for the parametrisation: an empty list would make this file pass while testing nothing
    for kind, sections in SECTIONS.items():
        assert sections[0] == "title" and {"summary", "data_quality", "method"} <= set(sections), kind
        assert len(sections) == len(set(sections)), kind
    assert {"comparison", "history"} <= set(SECTIONS["region"])


@pytest.mark.parametrize(("report", "kind", "scope", "lang", "section"), CASES, ids=[f"{c[0]}/{c[4]}" for c in CASES])
def test_section_matches_snapshot(reports, snapshot, report, kind, scope, lang, section):
    snapshot.check(reports(report, kind, scope, lang)[section], SNAPSHOTS / report / f"{section}.html")


def test_no_stale_snapshots(request):
    """Every file in tests/snapshots/ belongs to a section; --snapshot-update removes those that do not."""
    wanted = {SNAPSHOTS / case[0] / f"{case[4]}.html" for case in CASES}
    stale = sorted(p for p in SNAPSHOTS.rglob("*") if p.is_file() and p not in wanted)
    if request.config.getoption("snapshot_update"):
        for path in stale:
            path.unlink()
        for folder in sorted((p for p in SNAPSHOTS.iterdir() if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        return
    assert not stale, f"snapshots of no section (remove them with `make snapshots`): {[str(p) for p in stale]}"


# --- the snapshots catch the regressions they are for ------------------------------------------------------


def _fresh_region_data_quality(lang: str) -> str:
    """The region's data-quality section evaluated afresh (no cached evaluation), as the notebook shows it."""
    params = parameters.check("region", namespace("region", None, lang))
    data = Report.open("region", namespace("region", None, lang)).dataset
    full = evaluation_module.evaluate(data, params["as_of"], params["structure"], params["threshold"])
    # the section draws no figure, so it needs none of the sections before it for its numbering
    return rendered(Report("region", params, data, full, "region"), "data_quality")


# One language each: a fresh evaluation takes seconds.


def test_a_tenfold_error_in_warning_percentages_changes_the_snapshot(monkeypatch):
    lang = "lv"
    expected = (SNAPSHOTS / f"region-{lang}" / "data_quality.html").read_text(encoding="utf-8")
    assert _fresh_region_data_quality(lang) == expected  # the fresh path renders what the snapshot holds
    # the formatter of the warnings' percentages; if it moves, patch the new one here
    percent = evaluation_module._percent
    monkeypatch.setattr(evaluation_module, "_percent", lambda rate, lang: percent(rate * 10, lang))
    changed = _fresh_region_data_quality(lang)
    assert changed != expected
    assert "573\u00a0%" in changed  # GRT: 57 % of the target, ten times over


def test_a_changed_warning_threshold_changes_the_snapshot(monkeypatch):
    lang = "en"
    expected = (SNAPSHOTS / f"region-{lang}" / "data_quality.html").read_text(encoding="utf-8")
    # "on track" from 85 % of the expected rate instead of 90 %: VSAC's 86 % is no longer at risk
    bands = tuple((status, 0.85 if status == "on_track" else lowest) for status, lowest in indicators.STATUS_BANDS)
    monkeypatch.setattr(indicators, "STATUS_BANDS", bands)
    changed = _fresh_region_data_quality(lang)
    assert changed != expected
    assert "VSAC" in expected and "VSAC" not in changed


def test_normalise_masks_what_varies_between_runs():
    html = (
        '<section><p>a</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="x"><dl><dt>Generated</dt>'
        "<dd>1 December 2026, 2026-12-01T14:14:22+00:00</dd><dt>Software</dt><dd>di-eval 0.1.0</dd></dl>"
        '<div id="chart-1b4e28ba-2fa1-11d2-883f-0016d3cca427"></div></section>'
    )
    out = normalise(html)
    assert "iVBOR" not in out and "data:image/png;base64,[data]" in out
    assert "2026" not in out and "<dd>[generated]</dd>" in out
    assert "0.1.0" not in out and "di-eval [version]" in out
    assert 'id="chart-[id]"' in out
    assert out.splitlines()[:2] == ["<section>", "<p>a</p>"]
