"""HTML fragments for reports: every piece of text from data is escaped here, once."""

from __future__ import annotations

import base64
import html as _html
import re
from dataclasses import dataclass, field

import pandas as pd

from di_eval.text import formats as fmt

MIME_METADATA_KEY = "di_eval"


def escape(value) -> str:
    """Text from data (names, labels, values) made safe for HTML."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return _html.escape(str(value), quote=True)


def slug(text: str) -> str:
    """An id for a heading: ascii letters, digits and dashes."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "sadala"


@dataclass
class Fragment:
    """A piece of a report: HTML for the page, with metadata the exporter reads (lang, title)."""

    html: str
    metadata: dict = field(default_factory=dict)

    def _repr_html_(self):
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html, "text/plain": re.sub(r"<[^>]+>", "", self.html)[:2000]}
        return data, ({MIME_METADATA_KEY: self.metadata} if self.metadata else {})

    def __add__(self, other: Fragment) -> Fragment:
        return Fragment(self.html + other.html, {**self.metadata, **other.metadata})


def heading(text: str, level: int = 2, anchor: str | None = None) -> str:
    return f'<h{level} id="{escape(anchor or slug(text))}">{escape(text)}</h{level}>'


def paragraph(text: str, css: str | None = None) -> str:
    klass = f' class="{css}"' if css else ""
    return f"<p{klass}>{escape(text)}</p>"


def table_wrap(caption: str) -> str:
    """The opening of a table's scrolling box: keyboard-reachable and named after the table (WCAG 2.1.1),
    so that a table wider than the screen can be scrolled without a mouse."""
    return f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    row_header: bool = True,
    numeric: set[str] | None = None,
    css: str = "data",
    languages: dict[str, str] | None = None,
) -> str:
    """An accessible table: a caption, header cells with scope, the first column as row headers.

    ``languages`` marks the cells of a column written in another language than the page
    (``{"Project": "lv"}`` for Latvian project names in an English report), so screen readers say them right.
    """
    languages = languages or {}
    numeric = (
        numeric
        if numeric is not None
        else {
            c for c in frame.columns if frame[c].map(lambda x: isinstance(x, (int, float)) or _looks_numeric(x)).all()
        }
    )
    data_columns = list(frame.columns[1:] if row_header else frame.columns)
    if data_columns and set(data_columns) <= numeric:
        # every data column is numeric: one class on the table aligns them all (keeps pages lean)
        css, numeric = f"{css} numeric", set()
    head = "".join(f'<th scope="col"{_num(c, numeric)}>{escape(c)}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for i, (column, value) in enumerate(zip(frame.columns, values)):
            tag = "th" if (i == 0 and row_header) else "td"
            scope = ' scope="row"' if tag == "th" else ""
            lang = f' lang="{escape(languages[column])}"' if column in languages else ""
            cells.append(f"<{tag}{scope}{_num(column, numeric)}{lang}>{escape(value)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'{table_wrap(caption)}<table class="{css}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# markers that stand in for a count or a rate: aligned with the numbers around them
_NUMBER_WORDS = {"x", "—", *fmt.NOT_REPORTED, *fmt.NOT_COMPUTABLE}  # "nav iesniegts", "nav aprēķināms", …


def _looks_numeric(value) -> bool:
    if str(value).strip() in _NUMBER_WORDS:
        return True
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", "").replace(".", "").replace("%", "")
    text = (
        text.replace("<", "")
        .replace("−", "")
        .replace("-", "")
        .replace("\u2248", "")
        .replace("+", "")
        .replace("\u2013", "")
    )  # "≈35", "+414", "25–34" (a count shown as its range)
    return text.isdigit()


def _num(column, numeric) -> str:
    return ' class="num"' if column in numeric else ""


def figure(
    number: int,
    png: bytes,
    alt: str,
    caption: str,
    data: pd.DataFrame,
    *,
    label: str,
    data_label: str,
    width: int | None = None,
    height: int | None = None,
) -> str:
    """A numbered figure: its caption, the image with its alt text and the data table beneath it, collapsed.

    ``label`` names the figure with ``{n}`` for its number ("{n}. attēls", "Figure {n}": ``figure_name``).

    The caption comes first because HTML allows a figcaption only as a figure's first or last child.
    """
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    size = f' width="{width}" height="{height}"' if width and height else ""
    named = figure_name(label, number)  # "3. attēls", "Figure 3"
    # lowercase after the colon: "3. attēls: attēla dati tabulā"
    table_html = table(data, f"{named}: {data_label[:1].lower()}{data_label[1:]}")
    return (
        f'<figure id="attels-{number}">'
        f'<figcaption><span class="fig-no">{escape(named)}.</span> {escape(caption)}</figcaption>'
        f'<img src="{src}" alt="{escape(alt)}"{size}>'
        f"<details><summary>{escape(data_label)}</summary>{table_html}</details></figure>"
    )


def figure_name(label: str, number: int) -> str:
    """A figure's name from its label: "{n}. attēls" (Latvian puts the ordinal before the noun) or
    "Figure {n}"; a label without "{n}" takes the number after it."""
    return label.format(n=number) if "{n}" in label else f"{label} {number}"


def status_badge(status: str | None, text: str) -> str:
    klass = f"status status-{escape(status)}" if status else "status"
    return f'<span class="{klass}">{escape(text)}</span>'


def definition_list(items: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    return f"<dl>{body}</dl>"


_TAG = re.compile(r"(<[^>]+>)")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9]+)")


def mark_latvian_names(html: str, names) -> str:
    """In an English page, each Latvian place name of ``names`` in the text (not in a tag or an
    attribute, not already inside an element with lang="lv") wrapped in ``<span lang="lv">``, so
    that screen readers pronounce "Saldus novads" as Latvian (WCAG 3.1.2)."""
    names = sorted({str(n) for n in names if str(n).strip()}, key=len, reverse=True)
    if not names:
        return html
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(escape(n)) for n in names) + r")(?![\w])")
    out, inside, depth = [], None, 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            match = _TAG_NAME.match(part)
            name = match.group(1).lower() if match else ""
            if inside is None and 'lang="lv"' in part and not part.startswith("</") and not part.endswith("/>"):
                inside, depth = name, 1
            elif inside is not None and name == inside:
                depth += -1 if part.startswith("</") else 1
                if depth == 0:
                    inside = None
            out.append(part)
        elif inside is None and part:
            out.append(pattern.sub(r'<span lang="lv">\1</span>', part))
        else:
            out.append(part)
    return "".join(out)
