"""The evaluator's commentary: ``<data dir>/commentary/<code>.md`` read and rendered as safe HTML."""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from di_eval import paths
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError, Problem
from di_eval.text import Text, check_lang

# --- the evaluator's commentary ---------------------------------------------------------------

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_LINK_REL = "nofollow noopener noreferrer"
_IMAGE = Text("[attēls: {alt}]", "[image: {alt}]")
_IMAGE_WITHOUT_ALT = Text("[attēls]", "[image]")
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_ALIGNMENT = re.compile(r"text-align:(left|right|center)")


def allowed_link(url: str) -> bool:
    """True for http, https and mailto links only (javascript:, data:, file:, relative ... are not)."""
    cleaned = "".join(ch for ch in str(url) if ch > " ").lower()  # browsers ignore such characters
    return cleaned.startswith(ALLOWED_SCHEMES)


def _make_safe(state) -> None:
    """Demote headings by two levels, unwrap links that are not allowed, mark the others."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
        if token.type == "inline" and token.children:
            token.children = _unwrap_bad_links(token.children)


def _unwrap_bad_links(children: list) -> list:
    kept, depth_dropped = [], []
    for child in children:
        if child.type == "link_open":
            bad = not allowed_link(child.attrGet("href") or "")
            depth_dropped.append(bad)
            if bad:
                continue
            child.attrSet("rel", _LINK_REL)
        elif child.type == "link_close":
            if depth_dropped and depth_dropped.pop():
                continue
        kept.append(child)
    return kept


def _markdown(lang: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Parse every link, then unwrap the ones not allowed, so their text is kept as plain text.
    md.validateLink = lambda url: True
    md.core.ruler.push("di_eval_safe", _make_safe)

    def render_image(renderer, tokens, idx, options, env):
        # Never load an image from elsewhere: the report must work offline and leak nothing.
        token = tokens[idx]
        alt = renderer.renderInlineAsText(token.children or [], options, env).strip()
        src = token.attrGet("src") or ""
        text = escapeHtml(_IMAGE(lang, alt=alt) if alt else _IMAGE_WITHOUT_ALT(lang))
        if allowed_link(src):
            return f'<a href="{escapeHtml(src)}" rel="{_LINK_REL}">{text}</a>'
        return text

    md.add_render_rule("image", render_image)
    return md


class _LinkAudit(HTMLParser):
    """Collects what must never be in commentary HTML: scripts, event handlers, bad links."""

    def __init__(self):
        super().__init__()
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "iframe", "object", "embed", "img", "svg", "form", "input"):
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            if name == "style" and tag in ("th", "td") and _ALIGNMENT.fullmatch(value or ""):
                continue  # table column alignment, written by the renderer itself
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.findings.append(f"{tag}[{name}]")
            if name in ("href", "src") and not allowed_link(value or ""):
                self.findings.append(f"{tag}[{name}={value!r}]")


def commentary_html(markdown_text: str | None, lang: str = "lv") -> str:
    """The evaluator's Markdown as safe HTML: raw HTML escaped, only http/https/mailto links,
    no images loaded (shown as a link), headings starting at <h3>. Empty text gives ""."""
    check_lang(lang)
    if not markdown_text or not str(markdown_text).strip():
        return ""
    rendered = _markdown(lang).render(str(markdown_text))
    audit = _LinkAudit()
    audit.feed(rendered)
    if audit.findings:  # a last line of defence; the rules above should make this unreachable
        raise DiEvalError("commentary rendered unsafe HTML: " + ", ".join(audit.findings))
    return rendered


COMMENTARY_LIMIT = 64 * 1024  # bytes: a page's commentary is a few paragraphs, not a document
# C0 and C1 control characters but tab and newline, DEL, the bidirectional overrides, embeddings,
# isolates and marks (U+202E can make a text read backwards), and stray byte-order marks.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_commentary(text: str) -> str:
    """The commentary without control characters: CRLF and CR become LF, tab and newline are kept."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def read_commentary(data_dir, atvk_code: str) -> str | None:
    """The text of ``<data_dir>/commentary/<atvk_code>.md`` (UTF-8, control characters removed),
    or None if there is none.

    Refused with a message (DataValidationError): a symbolic link (the file or the ``commentary``
    folder), anything but a regular file (a folder, a FIFO, a device), a file above
    ``COMMENTARY_LIMIT`` bytes, an unreadable file or one that is not UTF-8. Refusing, not ignoring,
    so that a report never silently lacks the evaluator's words nor shows another file's."""
    if not _CODE.fullmatch(str(atvk_code)):
        raise ChoiceError("municipality code", atvk_code, hint="an ATVK or ISO code such as 0840200 or LV-088")
    folder = Path(data_dir) / "commentary"
    path = folder / f"{atvk_code}.md"

    def refuse(rule: str, err: Exception | None = None):
        problem = Problem(str(path), None, None, None, rule)
        raise DataValidationError([problem], source=str(path)) from err

    try:
        if folder.is_symlink():
            refuse(f"the folder {folder} is a symbolic link: commentary must be files inside the data folder")
        try:
            info = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(info.st_mode):
            refuse("is a symbolic link: commentary must be a regular file inside the data folder's commentary/")
        if not stat.S_ISREG(info.st_mode):
            refuse("is not a regular file: commentary must be a Markdown text file")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced since the check above
                refuse("is not a regular file: commentary must be a Markdown text file")
            raw = handle.read(COMMENTARY_LIMIT + 1)
    except OSError as err:
        refuse(f"cannot be read ({err.strerror or type(err).__name__})", err)
    if len(raw) > COMMENTARY_LIMIT:
        refuse(f"is larger than {COMMENTARY_LIMIT // 1024} KB: shorten the commentary (a few paragraphs)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        refuse(f"must be UTF-8 text (byte {err.start} is not)", err)
    return clean_commentary(text)


def missing_conclusions(data_dir, codes) -> list[str]:
    """The scope codes (``region`` or a municipality's code) whose ``<data_dir>/commentary/<code>.md``
    is missing or empty: the reports ``di-eval run --final`` refuses to publish."""
    folder = Path(data_dir) if data_dir else paths.SAMPLE_DIR
    missing = []
    for code in codes:
        text = read_commentary(folder, code)
        if not text or not text.strip():
            missing.append(code)
    return missing
