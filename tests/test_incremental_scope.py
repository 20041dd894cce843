"""What a report's key covers: a municipal page's own figures and exactly the region figures it prints.

The pages are rendered in this process (the notebook's sections, no kernel); the runs use the
stand-in workers of tests/reliability/fakes.py. The last case checks that a re-run with nothing to
do decides so without pandas, papermill or matplotlib.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from di_eval import paths
from di_eval.analysis.evaluation import SCOPED_TABLES
from di_eval.report import parameters
from di_eval.report.page import Report
from di_eval.run import incremental, site

sys.path.insert(0, str(Path(__file__).parent / "reliability"))
import fakes  # noqa: E402

# the cells of notebooks/municipality.ipynb after the parameters, in order
SECTIONS = [
    "title", "key_findings", "summary", "target_groups", "services", "infrastructure", "implementation",
    "conclusions", "data_quality", "method",
]  # fmt: skip
_MADE_AT = re.compile(r"[^<>]*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")  # when the page was made


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, target)
    return target


def _evaluate(data):
    return site.evaluate(site.load_snapshot(data), as_of="2023-12-31", structure="2017", threshold=5)


def page(evaluation, dataset, scope: str) -> str:
    params = parameters.check("municipality", {"municipality": scope, "as_of": "2023-12-31"})
    report = Report("municipality", params, dataset, evaluation, scope)
    return _MADE_AT.sub("", "".join(getattr(report, name)().html for name in SECTIONS))


def _more_served(data: Path, code: str, persons: int = 7) -> None:
    """``persons`` more in one service of ``code`` and in its "any" row, as a corrected form would say."""
    uptake = data / "service_uptake.csv"
    frame = pd.read_csv(uptake, dtype=str, keep_default_na=False)
    mine = frame[(frame["atvk_code"] == code) & (frame["service"] != "any") & frame["persons_served"].str.isdigit()]
    chosen = mine[mine["persons_served"].astype(int) >= 10].iloc[0]
    same = (frame["atvk_code"] == code) & (frame["year"] == chosen["year"])
    same &= frame["target_group"] == chosen["target_group"]
    rows = same & frame["service"].isin([chosen["service"], "any"])
    frame.loc[rows, "persons_served"] = (frame.loc[rows, "persons_served"].astype(int) + persons).astype(str)
    frame.to_csv(uptake, index=False, lineterminator="\n")


def test_a_municipalitys_new_counts_remake_only_the_reports_whose_figures_changed(data):
    before_ev = _evaluate(data)
    before = incremental.Keys(before_ev, site.load_snapshot(data), data)
    _more_served(data, "0840200")
    after_ev = _evaluate(data)
    dataset = site.load_snapshot(data)
    after = incremental.Keys(after_ev, dataset, data)
    scopes = ["region", "0840200", "0620200", "0170000", "0980200"]  # benchmarks/incremental.py measures all 21
    changed = {s for s in scopes if before.figures(s) != after.figures(s)}
    assert changed == {"region", "0840200"}, "only Saldus's own page and the region's show what changed"
    assert page(before_ev, dataset, "0620200") == page(after_ev, dataset, "0620200"), "the same key, the same page"
    assert page(before_ev, dataset, "0840200") != page(after_ev, dataset, "0840200")


def _region_changed(table: pd.DataFrame) -> pd.DataFrame:
    """Every number of the region's rows changed (a text cell such as "<5" or "x" is left)."""
    table = table.copy()
    rows = table["scope"] == "region"
    for column in table.columns:
        if column in ("scope", "year") or pd.api.types.is_bool_dtype(table[column]):
            continue
        values = table.loc[rows, column]
        table[column] = table[column].astype(object)
        table.loc[rows, column] = [
            v * 3 + 17 if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v else v for v in values
        ]
    return table


def _findings_of(evaluation, dataset):
    from di_eval.analysis.findings import findings

    fixed = {}

    def of(report):
        if report.scope not in fixed:
            fixed[report.scope] = findings(evaluation, report.scope, getattr(dataset, "municipal_plan", None))
        return fixed[report.scope]

    return of


def test_a_municipal_page_shows_nothing_of_the_region_its_key_leaves_out(data, monkeypatch):
    """The key leaves out the region's rows of the scoped tables and ``REGION_NOT_SHOWN``: change them all,
    and the page is the same."""
    evaluation = _evaluate(data)
    dataset = site.load_snapshot(data)
    changed = {name: _region_changed(getattr(evaluation, name)) for name in SCOPED_TABLES}
    changed["municipalities_served_by_year"] = {y: n + 5 for y, n in evaluation.municipalities_served_by_year.items()}
    assert set(incremental.REGION_NOT_SHOWN) <= set(changed)
    other = dataclasses.replace(evaluation, **changed)
    assert not other.persons_cumulative.equals(evaluation.persons_cumulative)
    # The findings may compare with the region ("in the region EUR 7,994"): the key takes them as
    # they are printed (``Keys.findings``), so here they are the same on both pages.
    from di_eval.report import page as page_module

    monkeypatch.setattr(page_module.Report, "_findings", _findings_of(evaluation, dataset))
    assert page(evaluation, dataset, "0620200") == page(other, dataset, "0620200")


def test_a_rerun_with_nothing_to_do_imports_no_pandas_papermill_or_matplotlib(data, tmp_path, monkeypatch):
    fakes.install(monkeypatch)
    out = tmp_path / "reports"
    code = (
        "import sys\n"
        "sys.modules['di_eval.run.site'] = None  # the slow path would fail here, not start kernels\n"
        "sys.modules['di_eval.run.engine'] = None  # nor launch one early\n"
        "from di_eval.cli import main\n"
        f"status = main(['run', '--data', {str(data)!r}, '--out', {str(out)!r}, '--no-progress'])\n"
        "heavy = sorted(m for m in ('pandas', 'papermill', 'matplotlib', 'numpy') if m in sys.modules)\n"
        "print(status, ','.join(heavy) or '-')\n"
    )
    for _ in range(3):  # the package's files are in the key: an edit of the tree meanwhile means another try
        first = site.run(data, out, force=True)
        assert first.ok and len(first.outcomes) == 21
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        if "import of di_eval.run.site halted" not in done.stderr or incremental.code_hash() == _fresh_code_hash():
            break
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "0 -", done.stdout[-2000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reused"] == [o.name for o in first.outcomes] and manifest["published"]
    assert (out / "index.html").read_bytes() == (first.release / "index.html").read_bytes()
    assert (out / "figures.json").read_bytes() == (first.release / "figures.json").read_bytes()
    assert [r["key"] for r in manifest["reports"]] == [o.key for o in first.outcomes]
    (data / "commentary").mkdir(exist_ok=True)
    (data / "commentary" / "0840200.md").write_text("Saldus: dati pārbaudīti.\n", encoding="utf-8")
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "di_eval.run.site" in again.stderr, "a changed input: the full path"


def _fresh_code_hash() -> str:
    incremental._code.clear()
    return incremental.code_hash()
