"""Executed notebook → one self-contained, accessible HTML page (nbconvert, the project's template)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from traitlets import default

from di_eval import __version__, fs, paths
from di_eval.report.html import MIME_METADATA_KEY, escape

TOC_MARK = "<!--di-eval:toc-->"
_TEXTS = {
    "lv": {
        "toc": "Saturs",
        "skip": "Pāriet uz saturu",
        "footer": "Sagatavots ar di-eval {version}. Dati — pašvaldību apkopoti skaitļi; personas dati netiek izmantoti.",
        "title": "DI plāna ieviešanas izvērtējums",
    },
    "en": {
        "toc": "Contents",
        "skip": "Skip to content",
        "footer": "Prepared with di-eval {version}. Data are aggregates reported by municipalities; no personal data are used.",
        "title": "DI plan implementation evaluation",
    },
}


# A report section shown in a notebook is wrapped in this element with its scoped stylesheet
# (see di_eval.report.notebook); the page has the section without it.
WRAPPER_CLASS = "di-eval-report"
_OPEN = f'<div class="{WRAPPER_CLASS}"><style>'


def unwrap(html: str) -> str:
    """The fragment as the page has it: ``wrap`` undone (anything else is returned as it is)."""
    if not (html.startswith(_OPEN) and html.endswith("</div>")):
        return html
    end = html.find("</style>", len(_OPEN))
    return html[end + len("</style>") : -len("</div>")] if end != -1 else html


def for_export(nb):
    """The notebook's report outputs as the page has them (the notebook itself is not changed)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get("text/html"), str) and data["text/html"].startswith(_OPEN):
                data["text/html"] = unwrap(data["text/html"])
    return nb


class ReportExporter(HTMLExporter):
    """HTML without code or prompts, with lang, title and a table of contents; nothing loaded from the network."""

    export_from_notebook = "di-eval report"

    @default("template_name")
    def _template_name_default(self):
        return "di_eval"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(paths.TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    def from_notebook_node(self, nb, resources=None, **kw):
        nb = for_export(nb)  # outputs without the notebook's scoped styles
        meta = page_metadata(nb)
        resources = dict(resources or {})
        texts = _TEXTS[meta["lang"]]
        resources["di_eval"] = {
            "css": stylesheet(),
            "lang": meta["lang"],
            "title": meta.get("title") or texts["title"],
            "version": __version__,
            "skip_text": texts["skip"],
            "footer": texts["footer"].format(version=__version__),
        }
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return add_table_of_contents(output, meta["lang"]), resources


@functools.cache
def stylesheet() -> str:
    """The report CSS, without comments and spare white space (pages stay lean); read once per process."""
    text = (paths.TEMPLATES_DIR / "di_eval" / "report.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*([{}:;,>])\s*", r"\1", text).replace(";}", "}").strip()


def page_metadata(nb) -> dict:
    """The page's language and title, as the report's first output declared them."""
    meta = {"lang": "lv"}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found = output.get("metadata", {}).get(MIME_METADATA_KEY)
            if found:
                meta.update(found)
    if meta["lang"] not in _TEXTS:
        meta["lang"] = "lv"
    return meta


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


def add_table_of_contents(page: str, lang: str) -> str:
    """Insert a linked list of the page's sections (its h2 headings) after the report's title block
    (so that the h1 comes first and headings stay in order), or where the template marked it."""
    entries = [(anchor, title) for anchor, title in _H2.findall(page) if anchor != "saturs-toc"]
    if not entries:
        return page.replace(TOC_MARK, "")
    items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for anchor, title in entries)
    nav = (
        f'<nav class="toc" aria-labelledby="saturs-toc"><h2 id="saturs-toc">{escape(_TEXTS[lang]["toc"])}</h2>'
        f"<ol>{items}</ol></nav>"
    )
    title_end = page.find("</header>")
    if title_end == -1:
        return page.replace(TOC_MARK, nav, 1)
    title_end += len("</header>")
    return (page[:title_end] + nav + page[title_end:]).replace(TOC_MARK, "", 1)


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never a half-written one (see di_eval.fs)."""
    fs.write_atomic(path, content)


@functools.cache
def exporter() -> ReportExporter:
    """One exporter per process: its templates are compiled once and reused."""
    return ReportExporter()


def to_html(notebook: nbformat.NotebookNode | str | Path) -> str:
    """The report page of an executed notebook."""
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    html, _ = exporter().from_notebook_node(notebook)
    return html
