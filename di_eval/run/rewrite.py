"""A report whose only changed input is its commentary, made without a kernel.

Its input key (``di_eval.run.incremental``) equals the one in the manifest of the release shown
once the commentary's hash recorded there is put in place of the new one: the notebook, the code,
the parameters and the figures are those of that page. Only the evaluator's part of the
conclusions (``di_eval.report.conclusions``, marked in the page) depends on the commentary, so
it is rendered here with the same code a kernel runs, and put in place of the old part in that
page and in its executed notebook (the section's HTML and its plain text). Whenever the page or
notebook is not as expected (no marks, a part found twice, a notebook this module would not
write back byte for byte, a rounded count in the text), ``rewrite`` returns None and the report
is executed as usual.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from di_eval import fs
from di_eval.run.outcome import Outcome

_TAGS = re.compile(r"<[^>]+>")
_SECTION = '<section aria-labelledby="'
PLAIN_LIMIT = 2000  # the plain text a Fragment gives a notebook (di_eval.report.html.Fragment)


def _plain(html: str) -> str:
    return _TAGS.sub("", html)[:PLAIN_LIMIT]


def _dumps(notebook: dict) -> str:
    """A notebook as the run writes it (nbformat: indent 1, sorted keys, UTF-8 as is)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)


def _lines(text: str) -> list[str]:
    return text.splitlines(True)  # as nbformat keeps multi-line strings


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def marked_section(page: str) -> tuple[str, str] | None:
    """The section of ``page`` holding the evaluator's part, and that part (marks included)."""
    from di_eval.report.conclusions import BEGIN, END

    if page.count(BEGIN) != 1 or page.count(END) != 1:
        return None
    begin, end = page.index(BEGIN), page.index(END) + len(END)
    start = page.rfind(_SECTION, 0, begin)
    stop = page.find("</section>", end)
    if start < 0 or stop < 0 or begin > end:
        return None
    section = page[start : stop + len("</section>")]
    if section.count("<section") != 1:
        return None
    return section, page[begin:end]


def new_part(data_dir: Path, name: str, lang: str, names) -> str:
    """The evaluator's part of ``name``'s page as a kernel renders it now (Latvian names marked on an
    English page, as ``Report._lang_marked`` marks them)."""
    from di_eval.report.conclusions import evaluator_text
    from di_eval.report.html import mark_latvian_names
    from di_eval.text import Text

    part = evaluator_text(data_dir, name, lang)
    return Text(part, mark_latvian_names(part, names))(lang)  # a Latvian page marks none


def rewrite(job, entry: dict, source: Path, staging: Path, data_dir: Path, lang: str, names) -> Outcome | None:
    """The page and notebook of ``job`` from the release ``source``, with its evaluator's part made
    anew, written into ``staging``; its Outcome (``ok``), or None when the report must be executed."""
    from di_eval.report.rounded import MARK

    started = time.monotonic()
    notebook_path = str(entry.get("notebook_path") or "")
    try:
        page = (source / job.html_path).read_text(encoding="utf-8")
        notebook_text = (source / notebook_path).read_text(encoding="utf-8") if notebook_path else ""
        notebook = json.loads(notebook_text) if notebook_text else None
        found = marked_section(page)
        part = new_part(data_dir, job.name, lang, names) if found is not None else ""
    except Exception:  # noqa: BLE001 — an unreadable page or commentary: the kernel says what is wrong
        return None
    if found is None or notebook is None or _dumps(notebook) != notebook_text:
        return None
    section, old = found
    if MARK in old or MARK in part:  # a rounded count gets a note under its table (Report._section)
        return None
    if page.count(section) != 1:
        return None
    new_section = section.replace(old, part)
    outputs = [
        output
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", []) or []
        if section in _joined(output.get("data", {}).get("text/html", ""))
    ]
    if len(outputs) != 1:
        return None
    data = outputs[0]["data"]
    html = _joined(data["text/html"])
    if html.count(section) != 1 or _joined(data.get("text/plain", "")) != _plain(section):
        return None
    data["text/html"] = _lines(html.replace(section, new_section))
    data["text/plain"] = _lines(_plain(new_section))
    fs.write_atomic(staging / job.html_path, page.replace(section, new_section))
    fs.write_atomic(staging / notebook_path, _dumps(notebook))
    seconds = round(time.monotonic() - started, 3)
    return Outcome(job.name, job.html_path, notebook_path, "ok", seconds, title=job.title, how="commentary")
