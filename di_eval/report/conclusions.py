"""The evaluator's part of a report's conclusions: their text (``<data dir>/commentary/<code>.md``)
or, while there is none, the draft note.

``Report.conclusions`` renders it in a kernel. It is marked (``BEGIN`` … ``END``, HTML comments)
so that a run which finds that a report's only changed input is its commentary can render this
part alone, in its own process, and put it in place of the old one in the page and the notebook
of the release before (``di_eval.run.rewrite``): nothing else of the page depends on the commentary.
"""

from __future__ import annotations

from di_eval.report import commentary
from di_eval.report.html import escape, paragraph
from di_eval.report.labels import t

BEGIN = "<!--di-eval:evaluator-->"
END = "<!--/di-eval:evaluator-->"


def evaluator_text(data_dir, scope: str, lang: str) -> str:
    """The evaluator's commentary of ``scope`` as safe HTML, or the visible draft note; marked."""
    text = commentary.read_commentary(data_dir, scope)
    if text and text.strip():
        body = f'<div class="commentary">{commentary.commentary_html(text, lang)}</div>'
    else:
        path = f"commentary/{scope}.md"
        body = f'<p class="draft" role="note"><strong>{escape(t("draft", lang))}</strong></p>'
        body += paragraph(t("draft_hint", lang, path=path), "note")
    return BEGIN + body + END
