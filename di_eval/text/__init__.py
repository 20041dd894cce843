"""The text layer: every word the reports print, in Latvian first and English.

``Text`` is the one way a thing is said in both languages: ``Text(lv=..., en=...)`` called with the
language (and values for its ``{fields}``) gives the words. ``formats`` writes numbers, money, percents
and dates; ``grammar`` makes Latvian nouns and participles agree with their numbers (Babel's CLDR
plural rule) and gives the cases of place names; ``terms`` names the plan's codes, statuses and
table columns.
"""

from __future__ import annotations

from typing import NamedTuple

from di_eval.errors import ChoiceError

LANGUAGES = ("lv", "en")
CASES = ("nom", "gen", "dat", "acc", "loc")  # Latvian cases a phrase can take


def check_lang(lang: str) -> str:
    """``lang`` itself if it is a report language; ChoiceError otherwise."""
    if lang not in LANGUAGES:
        raise ChoiceError("language", lang, list(LANGUAGES))
    return lang


def check_case(case: str) -> str:
    """``case`` itself if it is a Latvian case the text layer knows; ChoiceError otherwise."""
    if case not in CASES:
        raise ChoiceError("grammatical case", case, list(CASES))
    return case


class Text(NamedTuple):
    """One thing said in Latvian and English. ``Text("{n} dienas", "{n} days")("lv", n=3)`` -> "3 dienas".

    A tuple ``(lv, en)`` underneath, so tables of names keep their shape.
    """

    lv: str
    en: str

    def __call__(self, lang: str, **values) -> str:
        template = self.lv if check_lang(lang) == "lv" else self.en
        return template.format(**values) if values else template
