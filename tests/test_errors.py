"""Errors in a notebook: told in the report's language, held in a context variable rather than a module global."""

from __future__ import annotations

import contextvars

from di_eval import errors
from di_eval.errors import ChoiceError, error_lines


def _in_a_fresh_context(fn):
    """Run ``fn`` as a new kernel would: nothing set yet (other tests may have opened reports)."""
    return contextvars.Context().run(fn)


def test_errors_are_told_in_latvian_until_a_report_says_otherwise():
    error = ChoiceError("date", "31.12.2020", hint="write it as YYYY-MM-DD", hint_lv="rakstiet to kā GGGG-MM-DD")

    def run():
        before = error_lines(error)
        errors.set_notebook_language("en")
        after = error_lines(error)
        errors.set_notebook_language("de")  # not a report language: Latvian, as the reports default to
        return before, after, error_lines(error)

    before, after, other = _in_a_fresh_context(run)
    assert before == other == ["Nederīgs datums: '31.12.2020' (rakstiet to kā GGGG-MM-DD)"]
    assert after == ["Unknown date: '31.12.2020' (write it as YYYY-MM-DD)"]
    assert error_lines(error, "en") == after  # an explicit language wins over the context


def test_the_language_set_in_one_context_is_not_seen_in_another():
    first = contextvars.Context()
    first.run(errors.set_notebook_language, "en")
    assert first.run(errors.NOTEBOOK_LANGUAGE.get) == "en"
    assert _in_a_fresh_context(errors.NOTEBOOK_LANGUAGE.get) == "lv"
    assert not hasattr(errors, "_notebook_language")  # the module global it replaced


def test_a_block_in_another_language_and_back():
    error = ChoiceError("municipality", "Talsi novads", ["region"], suggestions=["Talsu novads"])

    def run():
        errors.set_notebook_language("en")
        with errors.notebook_language("lv"):
            inside = error._render_traceback_()
        return inside, error._render_traceback_(), errors.NOTEBOOK_LANGUAGE.get()

    inside, after, lang = _in_a_fresh_context(run)
    assert inside == [
        "\x1b[31mNezināma pašvaldība: 'Talsi novads'\x1b[0m",
        "Vai domājāt: Talsu novads?",
        "Derīgās vērtības: region",
    ]
    assert after[0] == "\x1b[31mUnknown municipality: 'Talsi novads'\x1b[0m" and lang == "en"
