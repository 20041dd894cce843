"""The published reports in a real browser: Debian's Chromium through Playwright, offline.

One sample run per test session (every municipality, the region and the index in Latvian; the
region, Kuldīga and the index in English), then for every page: no console error, no failed
request, no request leaving the file; axe-core (WCAG 2.2 A/AA and best practice) and the Nu Html
Checker find nothing; images with alt text and data tables, headings in order, tables with
captions and header cells, the right language; it reflows at 320 CSS px; it prints to A4 with no
figure cut across pages. A full-page screenshot of each page is saved under outputs/screenshots/
and its print under outputs/print/ for a person to look at.

Needs Chromium, Java, poppler-utils and node_modules (``make test-browser`` installs them).
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import (
    PRINTS,
    SCREENSHOTS,
    Visit,
    axe_violations,
    describe_violations,
    heading_problems,
    horizontal_overflow,
    image_problems,
    language_problems,
    launch,
    link_problems,
    missing_tools,
    once,
    open_page,
    page_facts,
    pdf_images,
    print_overflow,
    print_pdf,
    print_problems,
    table_problems,
    vnu_errors,
)

from di_eval import paths
from di_eval.run import site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AS_OF = "2023-12-31"
ENGLISH_MUNICIPALITY = "0620200"  # Kuldīgas novads: an infrastructure project, suppressed and zero counts
FIGURE_LABEL = {"lv": "{n}. attēls", "en": "Figure {n}"}  # as the page names a figure


def _municipalities() -> list[str]:
    with open(paths.REFERENCE_DIR / "municipalities.csv", encoding="utf-8") as handle:
        return [row["atvk_code"] for row in csv.DictReader(handle)]


RUNS = {"lv": None, "en": ["region", ENGLISH_MUNICIPALITY]}
PAGES = [
    *[("lv", page) for page in ["index.html", "region.html", *[f"pasvaldibas/{c}.html" for c in _municipalities()]]],
    *[("en", page) for page in ["index.html", "region.html", f"pasvaldibas/{ENGLISH_MUNICIPALITY}.html"]],
]
PAGE_IDS = [f"{lang}/{page.removesuffix('.html')}" for lang, page in PAGES]


# --- the sample run, made once per test run (shared by pytest-xdist workers) ---------------------------


def _shared_temp(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_sample(target: Path) -> None:
    """Both runs; a report that fails is listed in failed.txt (and its page is missing), the others go on."""
    timings, failed = [], []
    for lang, only in RUNS.items():
        started = time.monotonic()
        result = site.run(None, target / lang, as_of=AS_OF, lang=lang, only=only, workers=2)
        timings.append(f"{lang}: {len(result.outcomes)} reports in {time.monotonic() - started:.1f} s")
        failed += [f"{lang}/{o.html_path}: {o.error} (cell {o.failing_cell})" for o in result.failed]
    (target / "timings.txt").write_text("\n".join(timings) + "\n", encoding="utf-8")
    (target / "failed.txt").write_text("".join(f"{line}\n" for line in failed), encoding="utf-8")


@pytest.fixture(scope="session")
def tools() -> None:
    """Fails, saying what to install, when a tool the checks need is missing."""
    missing = missing_tools()
    if missing:
        pytest.fail("the browser checks need " + "; ".join(missing) + " (make test-browser installs them)")


@pytest.fixture(scope="session")
def sample_site(tools, tmp_path_factory) -> Path:
    """The published folders of the sample run: ``<site>/lv`` and ``<site>/en``."""
    return once(_shared_temp(tmp_path_factory), "sample-site", _build_sample)


@pytest.fixture(scope="session")
def browser(tools, playwright_session):
    chromium = launch(playwright_session)
    yield chromium
    chromium.close()


@dataclass
class Inspection:
    """Everything found on one page, gathered in one visit."""

    path: Path
    visit: Visit
    violations: list[dict]
    facts: dict
    overflow_320: int
    wider_than_print: list[str]
    pdf: Path
    screenshot: Path


@pytest.fixture(scope="session")
def inspect(sample_site, browser):
    """``inspect(lang, page)``: the page's Inspection, made on first use and kept for the session."""
    done: dict[tuple[str, str], Inspection] = {}

    def inspection(lang: str, page_path: str) -> Inspection:
        if not (sample_site / lang / page_path).is_file():
            pytest.fail(f"{lang}/{page_path} was not published: " + (sample_site / "failed.txt").read_text())
        if (lang, page_path) not in done:
            done[(lang, page_path)] = _inspect(browser, sample_site / lang / page_path, lang)
        return done[(lang, page_path)]

    return inspection


def _inspect(browser, path: Path, lang: str) -> Inspection:
    name = path.stem
    page, visit = open_page(browser, path)
    try:
        screenshot = SCREENSHOTS / lang / f"{name}.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        violations = axe_violations(page)
        facts = page_facts(page)
        pdf = print_pdf(page, PRINTS / lang / f"{name}.pdf")
        wider_than_print = print_overflow(page)
        overflow = horizontal_overflow(page, 320)
    finally:
        page.context.close()
    return Inspection(path, visit, violations, facts, overflow, wider_than_print, pdf, screenshot)


@pytest.fixture(scope="session")
def vnu_findings(sample_site) -> dict[str, list[str]]:
    """The Nu Html Checker's errors for every page (one Java start for all of them)."""
    return vnu_errors([sample_site / lang / page for lang, page in PAGES if (sample_site / lang / page).is_file()])


# --- the run itself ----------------------------------------------------------------------------------------


def test_the_sample_run_published_every_page(sample_site):
    assert (sample_site / "failed.txt").read_text(encoding="utf-8") == "", "reports failed"
    for lang, page in PAGES:
        assert (sample_site / lang / page).is_file(), f"{lang}/{page} missing"
    published = sorted(p.stem for p in (sample_site / "lv" / site.MUNICIPALITY_DIR).glob("*.html"))
    assert published == sorted(_municipalities())
    print((sample_site / "timings.txt").read_text(encoding="utf-8"))


# --- every page --------------------------------------------------------------------------------------------

pages = pytest.mark.parametrize(("lang", "page"), PAGES, ids=PAGE_IDS)


@pages
def test_page_opens_offline_without_errors(inspect, lang, page):
    visit = inspect(lang, page).visit
    assert visit.console_errors == []
    assert visit.failed_requests == []
    assert visit.outside_requests == [], "the page asked for something outside its own file"


@pages
def test_axe_finds_no_violation(inspect, lang, page):
    violations = inspect(lang, page).violations
    assert violations == [], describe_violations(violations)


@pages
def test_nu_html_checker_finds_no_error(vnu_findings, sample_site, lang, page):
    assert (sample_site / lang / page).is_file(), f"{lang}/{page} was not published"
    errors = vnu_findings[str((sample_site / lang / page).resolve())]
    assert errors == [], "\n".join(errors[:20])


@pages
def test_every_image_has_alt_text_and_a_data_table(inspect, lang, page):
    facts = inspect(lang, page).facts
    if page != "index.html":
        assert len(facts["images"]) >= 3, "a report shows its figures"
    assert image_problems(facts) == []


@pages
def test_headings_are_in_order(inspect, lang, page):
    assert heading_problems(inspect(lang, page).facts) == []


@pages
def test_tables_have_captions_and_header_cells(inspect, lang, page):
    facts = inspect(lang, page).facts
    assert facts["tables"], "every page has at least one table"
    assert table_problems(facts) == []


@pages
def test_the_language_is_declared_and_right(inspect, lang, page):
    assert language_problems(inspect(lang, page).facts, lang) == []


@pages
def test_every_link_leads_somewhere(inspect, lang, page):
    inspection = inspect(lang, page)
    assert link_problems(inspection.facts, inspection.path) == []


@pages
def test_the_page_reflows_at_320_css_px(inspect, lang, page):
    # WCAG 1.4.10: 400 % zoom of a 1280 px window; wide tables scroll inside their own box
    assert inspect(lang, page).overflow_320 <= 0


@pages
def test_the_page_prints_to_a4_with_no_figure_cut(inspect, lang, page):
    inspection = inspect(lang, page)
    assert print_problems(inspection.pdf, len(inspection.facts["images"]), FIGURE_LABEL[lang]) == []


@pages
def test_every_table_fits_the_printed_page(inspect, lang, page):
    assert inspect(lang, page).wider_than_print == [], "cut off at the right edge of the paper"


@pages
def test_a_screenshot_is_saved_for_a_person_to_look_at(inspect, lang, page):
    from PIL import Image

    with Image.open(inspect(lang, page).screenshot) as image:
        assert image.width == 1280 and image.height >= 600


# --- the checks can fail: a page with known faults is caught by each of them -------------------------------

BROKEN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title></title></head>
<body>
<h1>Report</h1><h3>Skipped a level</h3><h1>Second h1</h1>
<p style="color:#bbbbbb">Low contrast text, and the the and of to in the report.</p>
<figure><img src="{tall}" width="600" height="1500"><figcaption>Figure 1. A tall chart</figcaption>
<details><summary>Data</summary><p>no table</p></details></figure>
<img src="https://example.invalid/chart.png" alt="chart.png">
<table><tr><td>1</td><td>2</td></tr></table>
<div style="overflow-x:auto"><table><caption>Too wide</caption><tr><td style="white-space:nowrap">{wide}</td></tr></table></div>
<a href="#nowhere">x</a> <a href="missing.html">a missing page</a>
<script>console.error("broken")</script>
</body></html>
"""


@pytest.fixture(scope="module")
def broken_page(tmp_path_factory, browser):
    import base64
    import io

    from PIL import Image

    folder = tmp_path_factory.mktemp("broken")
    buffer = io.BytesIO()
    Image.new("RGB", (600, 1500), "#336699").save(buffer, format="PNG")
    tall = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    path = folder / "broken.html"
    path.write_text(BROKEN_PAGE.format(tall=tall, wide="a very wide cell " * 20), encoding="utf-8")
    page, visit = open_page(browser, path)
    try:
        found = {
            "visit": visit,
            "violations": {v["id"] for v in axe_violations(page)},
            "facts": page_facts(page),
            "pdf": print_pdf(page, folder / "broken.pdf"),
            "wider_than_print": print_overflow(page),
        }
    finally:
        page.context.close()
    return path, found


def test_the_browser_checks_catch_a_broken_page(broken_page):
    path, found = broken_page
    assert found["visit"].outside_requests == ["https://example.invalid/chart.png"]
    assert any("broken" in message for message in found["visit"].console_errors)
    assert {"image-alt", "color-contrast", "html-has-lang", "document-title", "heading-order"} <= found["violations"]
    facts = found["facts"]
    assert len(image_problems(facts)) >= 3
    assert any("h1 headings" in p for p in heading_problems(facts))
    assert any("followed by h3" in p for p in heading_problems(facts))
    assert any("no caption" in p for p in table_problems(facts))
    assert language_problems(facts, "lv")[0].startswith('<html lang="None">')
    assert len(link_problems(facts, path)) == 2


def test_the_print_check_catches_a_cut_figure_and_a_wide_table(broken_page):
    _, found = broken_page
    assert found["wider_than_print"] == ["no @page rule with margins in mm"]
    pages = {image.page for image in pdf_images(found["pdf"])}
    assert len(pages) == 2, "the tall picture is drawn on two pages"
    problems = print_problems(found["pdf"], 1, "Figure {n}")
    assert any("cut across pages" in p for p in problems)


def test_the_nu_html_checker_catches_invalid_html(broken_page):
    path, _ = broken_page
    errors = vnu_errors([path])[str(path.resolve())]
    assert any("alt" in e for e in errors)
    assert any("details" in e for e in errors)
