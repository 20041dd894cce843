"""The reports on the sample: structure, language, numbers, commentary, and batch ≡ fresh kernels."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from di_eval import paths
from di_eval.run import site

pytestmark = pytest.mark.kernel
ONLY = ["Kuldīga", "Alsunga", "region"]
AS_OF = "2020-12-31"


class Page(HTMLParser):
    """What a test needs to know about a page: lang, title, headings, images, scripts, tables."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = self.title = None
        self.headings, self.images, self.scripts, self.numbers = [], [], [], []
        self.tables = self.captions = 0
        self._in = None
        self._cell_num = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "title":
            self._in = "title"
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "tbody":
            self._in = "tbody"
        elif tag == "td" and self._in == "tbody":
            self._cell_num = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell_num = False
        if tag in ("title", "tbody"):
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title = (self.title or "") + data
        if self._cell_num and data.strip():
            value = normalise_number(data.strip())
            if re.fullmatch(r"[<+−-]?\d+(\.\d+)?|x", value):
                self.numbers.append(value)


def normalise_number(text: str) -> str:
    """'1 234,5' (lv) and '1,234.5' (en) both become '1234.5'; '<5', 'x' stay."""
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("%", "")
    if re.fullmatch(r"-?[\d,]*\.\d+|-?\d{1,3}(,\d{3})+", text):
        return text.replace(",", "")
    return text.replace(",", ".")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    lv = site.run(None, base / "lv", as_of=AS_OF, lang="lv", only=ONLY, workers=2)
    en = site.run(None, base / "en", as_of=AS_OF, lang="en", only=ONLY, workers=2)
    assert lv.ok and en.ok, [o.error for o in lv.outcomes + en.outcomes]
    return {"lv": lv, "en": en}


def pages(result):
    return {o.name: (result.out / o.html_path).read_text(encoding="utf-8") for o in result.outcomes}


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_html_structure(runs, lang):
    for name, text in pages(runs[lang]).items():
        page = Page(text)
        assert page.lang == lang, name
        assert page.title and ("izvērtējums" in page.title if lang == "lv" else "evaluation" in page.title)
        assert page.headings[0] == 1 and page.headings.count(1) == 1, name
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:])), f"heading levels skip in {name}"
        assert page.images, name
        assert all(len(img.get("alt", "")) > 40 for img in page.images), "alt text says what the chart shows"
        assert all(img["src"].startswith("data:image/png;base64,") for img in page.images), "images are inline"
        assert page.scripts == [], "no scripts at all"
        assert page.tables == page.captions, "every table has a caption"
        assert "<details>" in text, "the data behind the charts"
        assert 'href="#' in text and 'class="toc"' in text, "a table of contents"
        for code in ("Report.open", "report.summary()", "from di_eval", "In&nbsp;[", "jp-InputArea"):
            assert code not in text, f"code leaked into {name}: {code}"
        assert "@media print" in text


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_size_without_images(runs, lang):
    # the region page carries the comparison tables (needs, availability, ranking): its own budget
    for name, text in pages(runs[lang]).items():
        lean = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
        budget = 90_000 if name == "region" else 60_000
        assert len(lean.encode("utf-8")) <= budget, f"{name}: {len(lean.encode())} bytes besides images"


def test_languages_differ_in_words_not_numbers(runs):
    lv, en = pages(runs["lv"]), pages(runs["en"])
    for name in lv:
        numbers_lv, numbers_en = Page(lv[name]).numbers, Page(en[name]).numbers
        assert numbers_lv and numbers_lv == numbers_en, name
        assert "personas" in lv[name] and "persons" in en[name]


def test_region_report_has_the_comparison_and_history(runs):
    text = pages(runs["lv"])["region"]
    assert "Pašvaldību salīdzinājums" in text and "Plāna redakcijas" in text
    assert text.count("<figure") >= 8
    assert "grozījumi Nr. 8" in text or "2020-01-15" in text or "15.01.2020" in text


def test_index_links_every_report(runs):
    index = (runs["lv"].out / "index.html").read_text(encoding="utf-8")
    page = Page(index)
    assert page.lang == "lv" and page.title
    assert 'href="pasvaldibas/0620200.html"' in index and 'href="region.html"' in index
    assert "Vaiņodes novads" in index, "every municipality is listed, with or without a report"


def test_manifest_and_figures(runs):
    import json

    manifest = json.loads((runs["lv"].out / "manifest.json").read_text())
    assert manifest["parameters"]["as_of"] == AS_OF and manifest["parameters"]["lang"] == "lv"
    assert {r["name"] for r in manifest["reports"]} == {"region", "0620200", "0624200"}
    figures = json.loads((runs["lv"].out / "figures.json").read_text())
    assert figures["region"]["persons_cumulative"]["GRT"]["any"] == 91


def test_commentary_is_rendered_and_inert(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.SAMPLE_DIR, data)
    (data / "commentary").mkdir()
    (data / "commentary" / "0620200.md").write_text(
        "# Vērtējums\n\nDienas centrs **darbojas**.\n\n<script>alert('x')</script>\n\n"
        '<img src="http://example.org/x.png" onerror="alert(1)">\n\n[saite](javascript:alert(1))\n',
        encoding="utf-8",
    )
    result = site.run(data, tmp_path / "out", as_of=AS_OF, only=["Kuldīga"], workers=1)
    assert result.ok, result.outcomes
    text = (result.out / "pasvaldibas/0620200.html").read_text(encoding="utf-8")
    assert "<strong>darbojas</strong>" in text and "Vērtējums" in text
    elements = Elements(text)
    assert "script" not in elements.tags
    assert not [name for name, _ in elements.attributes if name.startswith("on")], "no event handlers"
    assert not [
        v for n, v in elements.attributes if n in ("href", "src") and v.strip().lower().startswith("javascript")
    ]
    assert not [v for n, v in elements.attributes if n == "src" and v.startswith("http")], "nothing from the network"
    assert "&lt;script&gt;" in text, "the raw HTML is shown as text"


class Elements(HTMLParser):
    """Every element and attribute of a page, as a browser would build them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.attributes = set(), []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def test_batch_is_equivalent_to_fresh_kernels(tmp_path):
    warm = site.run(None, tmp_path / "warm", as_of=AS_OF, only=["Saldus", "region"], workers=2)
    fresh = site.run(None, tmp_path / "fresh", as_of=AS_OF, only=["Saldus", "region"], workers=1, fresh_kernels=True)
    assert warm.ok and fresh.ok
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    for outcome in warm.outcomes:
        a = stamp.sub("<time>", (warm.out / outcome.html_path).read_text(encoding="utf-8"))
        b = stamp.sub("<time>", (fresh.out / outcome.html_path).read_text(encoding="utf-8"))
        assert a == b, f"{outcome.name}: warm and fresh kernels differ"


def test_plain_papermill_works_as_users_know_it(tmp_path):
    out = tmp_path / "saldus.ipynb"
    command = [
        str(Path(sys.executable).parent / "papermill"),
        str(paths.NOTEBOOKS_DIR / "municipality.ipynb"),
        str(out),
        "-r",
        "municipality",
        "Saldus novads",
        "-r",
        "as_of",
        AS_OF,
        "--no-progress-bar",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Saldus novads" in out.read_text(encoding="utf-8")


def test_plain_papermill_refuses_an_unknown_municipality(tmp_path):
    command = [
        str(Path(sys.executable).parent / "papermill"),
        str(paths.NOTEBOOKS_DIR / "municipality.ipynb"),
        str(tmp_path / "x.ipynb"),
        "-r",
        "municipality",
        "Rīga",
        "--no-progress-bar",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode != 0
    # the message is in the report's language (Latvian by default), with the names to choose from
    assert "Nezināma pašvaldība: 'Rīga'" in done.stderr and "Saldus novads" in done.stderr


@pytest.mark.parametrize("notebook", ["municipality", "region", "explore"])
def test_notebooks_run_top_to_bottom_with_their_defaults(tmp_path, notebook):
    import papermill

    executed = papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"), str(tmp_path / f"{notebook}.ipynb"), progress_bar=False
    )
    assert all(c.get("execution_count") for c in executed.cells if c.cell_type == "code")


def test_lead_uses_the_dative_after_lidz(runs):
    text = pages(runs["lv"])["0620200"]
    assert "Dati līdz 2020. gada 31. decembrim" in text
    index = (runs["lv"].out / "index.html").read_text(encoding="utf-8")
    assert "līdz 2020. gada 31. decembrim" in index


def test_reports_in_the_2021_structure(tmp_path):
    result = site.run(
        None, tmp_path / "out", as_of="2022-12-31", structure="2021", only=["Dienvidkurzeme", "region"], workers=1
    )
    assert result.ok, result.outcomes
    page = (result.out / "pasvaldibas/LV-112.html").read_text(encoding="utf-8")
    assert "Dienvidkurzemes novads" in Page(page).title
    region = (result.out / "region.html").read_text(encoding="utf-8")
    assert "Talsu novads" in region and "Rojas novads" not in region, "the 7 municipalities after the reform"


def test_latvian_project_names_are_marked_in_english_pages(runs):
    text = pages(runs["en"])["0620200"]
    assert '<span lang="lv">KUL-1: ' in text
    assert '<span lang="lv">' not in pages(runs["lv"])["0620200"]
