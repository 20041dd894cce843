"""What the browser checks use: the tools they need, a guarded Chromium page, axe-core, the Nu Html
Checker and the printed PDF, each returning plain findings that a test can assert on.

Nothing here decides pass or fail: the tests in ``test_browser.py`` do.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "outputs" / "screenshots"
PRINTS = ROOT / "outputs" / "print"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP_LINE = "browser tests skipped: {missing}; run them with: make test-browser"


def missing_tools() -> list[str]:
    """What the browser checks need and this machine lacks, each said as what to install."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    if not AXE_JS.exists() or not VNU_JAR.exists():
        missing.append("axe-core and vnu-jar (node_modules; npm ci)")
    if shutil.which("java") is None:
        missing.append("Java (apt-get install default-jre-headless)")
    if shutil.which("pdfimages") is None or shutil.which("pdftotext") is None:
        missing.append("pdfimages and pdftotext (apt-get install poppler-utils)")
    return missing


def once(folder: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``folder/name``, built by ``build(path)`` by the first process to get here; the others wait and reuse it.

    pytest-xdist workers share ``folder``, so the sample reports are made once per test run.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    done = folder / f"{name}.done"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                if target.exists():
                    shutil.rmtree(target) if target.is_dir() else target.unlink()
                build(target)
                done.write_text("ok\n")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


# --- Chromium ----------------------------------------------------------------------------------------


def launch(playwright):
    """Debian's Chromium, headless, with everything that would phone home turned off."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Visit:
    """What happened while a page loaded: what went wrong, and every request that left the file system."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


_LOCAL = ("file:", "data:", "about:")


def open_page(browser, path: Path, *, width: int = 1280, height: int = 900):
    """A new page showing ``path`` from disk; any request that is not file:// or data: is recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    visit = Visit(path.resolve().as_uri())

    def refuse(route):
        _note_outside(visit, route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda url: not url.startswith(_LOCAL), refuse)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(message.text))
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: visit.failed_requests.append(f"{request.url} ({request.failure})"))
    page.on("request", lambda request: _note_outside(visit, request.url))
    page.goto(visit.url, wait_until="load")
    return page, visit


def _note_outside(visit: Visit, url: str) -> None:
    if not url.startswith(_LOCAL) and url not in visit.outside_requests:
        visit.outside_requests.append(url)


def axe_violations(page) -> list[dict]:
    """axe-core's violations for the page (the WCAG 2.2 A/AA tags and best practice), injected from node_modules."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"]]
    return "\n".join(lines)


_FACTS = """() => {
    const text = (element) => element ? element.textContent.replace(/\\s+/g, " ").trim() : null;
    const images = [...document.querySelectorAll("img")].map((img) => {
        const figure = img.closest("figure");
        const table = figure ? figure.querySelector("table") : null;
        return {
            alt: img.getAttribute("alt"), src: img.getAttribute("src").slice(0, 30),
            loaded: img.complete && img.naturalWidth > 0,
            caption: figure ? text(figure.querySelector("figcaption")) : null,
            table_caption: table ? text(table.caption) : null,
            table_rows: table && table.tBodies.length ? table.tBodies[0].rows.length : 0,
        };
    });
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => ({
        level: Number(h.tagName[1]), text: text(h), id: h.id,
    }));
    const tables = [...document.querySelectorAll("table")].map((table) => {
        const head = table.tHead ? [...table.tHead.rows].pop() : null;
        const columns = table.tBodies.length && table.tBodies[0].rows.length ? table.tBodies[0].rows[0].cells.length : 0;
        return {
            caption: text(table.caption),
            header_cells: head ? [...head.cells].filter((c) => c.tagName === "TH" && c.scope === "col").length : 0,
            columns: columns,
            unscoped_th: [...table.querySelectorAll("th")].filter((th) => !th.scope).length,
            body_rows: table.tBodies.length ? table.tBodies[0].rows.length : 0,
        };
    });
    const links = [...document.querySelectorAll("a[href]")].map((a) => ({href: a.getAttribute("href"), text: text(a)}));
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const parts = [...document.querySelectorAll("body [lang]")].map((e) => e.getAttribute("lang"));
    return {lang: document.documentElement.getAttribute("lang"), title: document.title, images, headings,
            tables, links, ids, parts, text: document.body.innerText};
}"""


def page_facts(page) -> dict:
    """The page's language, title, images (alt, caption, data table), headings, tables, links and text."""
    return page.evaluate(_FACTS)


_PRINT_WIDTH = """() => {
    for (const sheet of document.styleSheets) {
        for (const rule of sheet.cssRules) {
            if (rule instanceof CSSPageRule) { return [rule.style.marginLeft, rule.style.marginRight]; }
        }
    }
    return null;
}"""

_WIDER_THAN_PAGE = """() => {
    const width = document.documentElement.clientWidth;
    const name = (e) => (e.caption ? e.caption.textContent : e.getAttribute("alt") || e.tagName).slice(0, 60);
    return [...document.querySelectorAll("table, img, pre, dl")].filter((e) => {
        const box = e.getBoundingClientRect();
        if (box.width === 0) { return false; }  // not printed (inside a closed details, display: none)
        const wrap = e.parentElement;
        const clipped = getComputedStyle(wrap).overflowX !== "visible" && e.offsetWidth > wrap.clientWidth + 1;
        return clipped || box.right > width + 1;
    }).map(name);
}"""


def print_overflow(page) -> list[str]:
    """What is wider than the printed page: laid out with print styles at the width between the
    @page margins of A4 (a printed page cannot scroll, so a wider table is cut off)."""
    margins = page.evaluate(_PRINT_WIDTH)
    if not margins or not all(m.endswith("mm") for m in margins):
        return ["no @page rule with margins in mm"]
    width_mm = 210 - sum(float(m.removesuffix("mm")) for m in margins)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": int(width_mm * 96 / 25.4), "height": 1000})
    try:
        return page.evaluate(_WIDER_THAN_PAGE)
    finally:
        page.emulate_media(media="screen")


def horizontal_overflow(page, width: int) -> int:
    """How many CSS px the page is wider than a ``width`` px viewport (0: it reflows)."""
    page.set_viewport_size({"width": width, "height": 800})
    return int(page.evaluate("() => document.documentElement.scrollWidth")) - width


# --- Nu Html Checker ---------------------------------------------------------------------------------


def vnu_errors(files: list[Path]) -> dict[str, list[str]]:
    """The Nu Html Checker's errors for each file (one Java start for all files)."""
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(run.stderr or run.stdout)
    found: dict[str, list[str]] = {str(Path(f).resolve()): [] for f in files}
    for message in report["messages"]:
        where = message.get("url", "")
        path = str(Path(where.removeprefix("file:")).resolve()) if where else "?"
        line = f"line {message.get('lastLine', '?')}: {message.get('message')} [{message.get('extract', '').strip()}]"
        found.setdefault(path, []).append(line)
    return found


# --- print ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedImage:
    page: int  # 1-based
    object_id: int  # the same picture drawn on two pages has one object id
    width_pt: float
    height_pt: float


def print_pdf(page, target: Path) -> Path:
    """The page printed by Chromium to ``target`` with the page size and margins of the report's @page rule."""
    target.parent.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    return target


def pdf_images(pdf: Path) -> list[PrintedImage]:
    """Every image drawn in the PDF, in order, with its page and printed size (poppler's pdfimages)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = []
    for line in listing.splitlines()[2:]:
        cells = line.split()
        if len(cells) < 14 or cells[2] != "image":  # an smask is the alpha of the image before it
            continue
        width, height, x_ppi, y_ppi = int(cells[3]), int(cells[4]), float(cells[12]), float(cells[13])
        images.append(PrintedImage(int(cells[0]), int(cells[10]), width / x_ppi * 72, height / y_ppi * 72))
    return images


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each printed page (poppler's pdftotext), page 1 first."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_size(pdf: Path) -> tuple[float, float]:
    """Width and height of the PDF's first page in points."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    return float(match.group(1)), float(match.group(2))


def caption_pages(pages: list[str], label: str) -> dict[int, int]:
    """For each figure number, the first printed page (1-based) its caption is on. ``label`` is the
    figure's name with ``{n}`` for its number: "{n}. attēls" ("3. attēls."), "Figure {n}" ("Figure 3.")."""
    found: dict[int, int] = {}
    pattern = re.compile(r"\b" + re.escape(label).replace(re.escape("{n}"), r"(\d+)") + r"\.")
    for number, text in enumerate(pages, start=1):
        for match in pattern.finditer(text):
            found.setdefault(int(match.group(1)), number)
    return found


# --- what is wrong with a page, as lists of findings (empty = nothing wrong) ----------------------------

# Words that occur in almost every paragraph of one language and hardly ever in the other.
_LATVIAN_WORDS = {"un", "ar", "uz", "par", "līdz", "gadā", "gada", "kas", "ir", "nav", "pēc", "vai", "kopā"}
_ENGLISH_WORDS = {"the", "and", "of", "to", "in", "with", "by", "is", "not", "for", "from", "are", "per", "up"}
_NON_ALT = re.compile(r"(^|\W)(image|img|picture|chart|graph|attēls|diagramma)(\W|$)|\.(png|jpe?g|svg)\b", re.I)
# A chart's alt text states its data: a number, or in words that there is none ("Neviens bērns ...").
_STATES_DATA = re.compile(r"\d|\b(neviens|neviena|nav|none|no|nobody)\b", re.I)


def image_problems(facts: dict) -> list[str]:
    """Each image: loaded, with alt text that states its data (a sentence with numbers), and a captioned data table."""
    problems = []
    for number, image in enumerate(facts["images"], start=1):
        alt = (image["alt"] or "").strip()
        where = f"image {number} ({alt[:50]!r})"
        if not image["loaded"]:
            problems.append(f"{where}: did not load")
        if len(alt) < 30 or not _STATES_DATA.search(alt) or (_NON_ALT.search(alt) and len(alt) < 60):
            problems.append(f"{where}: alt text does not state what the picture shows (a sentence with its numbers)")
        if image["caption"] and alt == image["caption"]:
            problems.append(f"{where}: alt text only repeats the caption")
        if not image["caption"]:
            problems.append(f"{where}: not in a figure with a caption")
        if not image["table_caption"] or image["table_rows"] < 1:
            problems.append(f"{where}: no captioned data table with rows in its figure")
    return problems


def heading_problems(facts: dict) -> list[str]:
    """One h1, first; no level skipped on the way down; no empty heading; no id used twice on the page."""
    headings, problems = facts["headings"], []
    levels = [h["level"] for h in headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings (one expected)")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]} {headings[0]['text']!r}, not the h1")
    for before, heading in zip(headings, headings[1:]):
        if heading["level"] > before["level"] + 1:
            problems.append(
                f"h{before['level']} {before['text']!r} is followed by h{heading['level']} {heading['text']!r}"
            )
    problems += [f"empty h{h['level']}" for h in headings if not h["text"]]
    doubled = sorted({i for i in facts["ids"] if facts["ids"].count(i) > 1})
    if doubled:
        problems.append(f"ids used more than once: {doubled}")
    return problems


def table_problems(facts: dict) -> list[str]:
    """Each table: a caption, a header row with a scoped th for every column, scope on every th, some rows."""
    problems = []
    for number, table in enumerate(facts["tables"], start=1):
        where = f"table {number} ({(table['caption'] or '')[:50]!r})"
        if not table["caption"]:
            problems.append(f"{where}: no caption")
        if table["header_cells"] != table["columns"]:
            problems.append(f"{where}: {table['header_cells']} column header cells for {table['columns']} columns")
        if table["unscoped_th"]:
            problems.append(f"{where}: {table['unscoped_th']} th without scope")
        if table["body_rows"] < 1:
            problems.append(f"{where}: no rows")
    return problems


def language_problems(facts: dict, lang: str) -> list[str]:
    """The page declares ``lang`` and its text is written in it (counted by the commonest small words)."""
    problems = []
    if facts["lang"] != lang:
        problems.append(f'<html lang="{facts["lang"]}">, expected "{lang}"')
    if not facts["title"].strip():
        problems.append("no <title>")
    words = re.findall(r"\w+", facts["text"].lower())
    latvian = sum(word in _LATVIAN_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    own, other = (latvian, english) if lang == "lv" else (english, latvian)
    if own < 5 * max(other, 1):
        problems.append(f"text does not read as {lang}: {latvian} common Latvian words, {english} English")
    problems += [f'a part marked lang="{part}"' for part in facts["parts"] if part not in ("lv", "en")]
    return problems


def link_problems(facts: dict, page: Path) -> list[str]:
    """Every link leads somewhere: an anchor on the page, or a file beside it in the published folder."""
    problems, ids = [], set(facts["ids"])
    for link in facts["links"]:
        href = link["href"]
        if not link["text"]:
            problems.append(f"link to {href!r} has no text")
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        target, _, anchor = href.partition("#")
        if not target:
            if anchor not in ids:
                problems.append(f"link to #{anchor}: no such id on the page")
        elif not (page.parent / target).is_file():
            problems.append(f"link to {href!r}: no such file")
    return problems


def print_problems(pdf: Path, figures: int, label: str) -> list[str]:
    """The print is A4, and each figure's image sits whole on one page, on the page of its caption."""
    problems = []
    width, height = pdf_page_size(pdf)
    if abs(width - 595.3) > 2 or abs(height - 841.9) > 2:
        problems.append(f"page size {width:.0f} x {height:.0f} pt, not A4")
    images = pdf_images(pdf)
    by_object: dict[int, list[PrintedImage]] = {}
    for image in images:
        by_object.setdefault(image.object_id, []).append(image)
    printed = list(by_object.values())  # in document order, one entry per image
    if len(printed) != figures:
        problems.append(f"{len(printed)} images printed for {figures} figures")
    captions = caption_pages(pdf_pages_text(pdf), label)
    for number, parts in enumerate(printed, start=1):
        pages = sorted({image.page for image in parts})
        if len(pages) > 1:
            problems.append(f"{label} {number} is cut across pages {pages}")
        if parts[0].height_pt > height:
            problems.append(f"{label} {number} is taller ({parts[0].height_pt:.0f} pt) than a page")
        if number in captions and captions[number] != pages[0]:
            problems.append(f"{label} {number}: image on page {pages[0]}, caption on page {captions[number]}")
        if number not in captions:
            problems.append(f"{label} {number}: caption not found in the printed text")
    return problems
