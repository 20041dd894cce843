"""Agreement and cases: a count with its noun ("21 persona", "11 personas"), participles that
agree with their subject, lists joined with "un"/"and", and the locative of place names.

Latvian agreement follows the grammar: a whole number ending in 1 but not in 11 (1, 21, 31,
101 ...) takes the singular noun and the singular participle ("saņēmusi 21 persona"); every
other number, and a suppressed count, the plural ("saņēmušas 11 personas", "<5 personas").
"""

from __future__ import annotations

from dataclasses import dataclass

import babel

from di_eval.errors import ChoiceError
from di_eval.text import CASES, LANGUAGES, Text, check_case, check_lang
from di_eval.text.formats import (
    FEWER_THAN,
    NOT_PUBLISHED,
    NOT_REPORTED,
    format_number,
    suppression_threshold,
    value_kind,
)

# CLDR's plural rule of each report language, from Babel's locale data.
_PLURAL_RULES = {lang: babel.Locale.parse(lang).plural_form for lang in LANGUAGES}


def is_singular(value, lang: str) -> bool:
    """Whether a count takes the singular in ``lang``: CLDR's plural category "one" (Babel), which in
    Latvian is a whole number ending in 1 but not in 11 and in English exactly 1. Fractions and a
    suppressed "<5" read as plurals."""
    check_lang(lang)
    if value_kind(value) != "number":
        return False  # "<5 personas": a suppressed count reads as a plural
    number = float(value)
    if not number.is_integer():
        return False
    return _PLURAL_RULES[lang](abs(int(number))) == "one"


def plural(n, forms: tuple[str, str], lang: str) -> str:
    """The singular or plural of ``forms`` that agrees with ``n`` in ``lang``.

    Latvian: 1, 21, 31, 101 ... take the singular; 11–19 and every other number the plural.
    English: only 1 takes the singular. A suppressed "<5" takes the plural.
    """
    check_lang(lang)
    singular, plural_form = forms
    return singular if is_singular(n, lang) else plural_form


# --- nouns and agreement -------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """A noun's forms per language: singular and plural, each in the five cases (nom, gen, dat, acc,
    loc; English has one form for all). ``gender`` is the Latvian grammatical gender, "m" or "f"."""

    gender: str
    singular: Text  # per language, a tuple of the five case forms
    plural: Text

    def form(self, value, lang: str, case: str = "nom") -> str:
        """The form that agrees with ``value`` (a count) in ``lang`` and, in Latvian, ``case``."""
        check_case(case)
        forms = self.singular if is_singular(value, lang) else self.plural
        return forms(lang)[CASES.index(case)]


def _noun(gender: str, lv_singular: str, lv_plural: str, en: str) -> Noun:
    en_singular, en_plural = en.split("|")
    cases = len(CASES)
    return Noun(
        gender,
        Text(tuple(lv_singular.split()), (en_singular,) * cases),
        Text(tuple(lv_plural.split()), (en_plural,) * cases),
    )


NOUNS = {
    "person": _noun(
        "f",
        "persona personas personai personu personā",
        "personas personu personām personas personās",
        "person|persons",
    ),
    "child": _noun("m", "bērns bērna bērnam bērnu bērnā", "bērni bērnu bērniem bērnus bērnos", "child|children"),
    "resident": _noun(
        "m",
        "iemītnieks iemītnieka iemītniekam iemītnieku iemītniekā",
        "iemītnieki iemītnieku iemītniekiem iemītniekus iemītniekos",
        "resident|residents",
    ),
    "municipality": _noun(
        "f",
        "pašvaldība pašvaldības pašvaldībai pašvaldību pašvaldībā",
        "pašvaldības pašvaldību pašvaldībām pašvaldības pašvaldībās",
        "municipality|municipalities",
    ),
    "day": _noun("f", "diena dienas dienai dienu dienā", "dienas dienu dienām dienas dienās", "day|days"),
    "place": _noun("f", "vieta vietas vietai vietu vietā", "vietas vietu vietām vietas vietās", "place|places"),
    "submission": _noun(
        "f",
        "veidlapa veidlapas veidlapai veidlapu veidlapā",
        "veidlapas veidlapu veidlapām veidlapas veidlapās",
        "submission|submissions",
    ),
    "year": _noun("m", "gads gada gadam gadu gadā", "gadi gadu gadiem gadus gados", "year|years"),
    "month": _noun(
        "m", "mēnesis mēneša mēnesim mēnesi mēnesī", "mēneši mēnešu mēnešiem mēnešus mēnešos", "month|months"
    ),
    "project": _noun(
        "m",
        "projekts projekta projektam projektu projektā",
        "projekti projektu projektiem projektus projektos",
        "project|projects",
    ),
    "participant": _noun(
        "m",
        "dalībnieks dalībnieka dalībniekam dalībnieku dalībniekā",
        "dalībnieki dalībnieku dalībniekiem dalībniekus dalībniekos",
        "participant|participants",
    ),
    "event": _noun(
        "m",
        "notikums notikuma notikumam notikumu notikumā",
        "notikumi notikumu notikumiem notikumus notikumos",
        "event|events",
    ),
    "activity_event": _noun(
        "m",
        "pasākums pasākuma pasākumam pasākumu pasākumā",
        "pasākumi pasākumu pasākumiem pasākumus pasākumos",
        "event|events",
    ),
    "milestone": _noun(
        "m", "posms posma posmam posmu posmā", "posmi posmu posmiem posmus posmos", "milestone|milestones"
    ),
    "assessment": _noun(
        "m",
        "izvērtējums izvērtējuma izvērtējumam izvērtējumu izvērtējumā",
        "izvērtējumi izvērtējumu izvērtējumiem izvērtējumus izvērtējumos",
        "assessment|assessments",
    ),
    "cell": _noun("f", "šūna šūnas šūnai šūnu šūnā", "šūnas šūnu šūnām šūnas šūnās", "cell|cells"),
    "plan": _noun("m", "plāns plāna plānam plānu plānā", "plāni plānu plāniem plānus plānos", "plan|plans"),
    "percent": _noun(
        "m",
        "procents procenta procentam procentu procentā",
        "procenti procentu procentiem procentus procentos",
        "percent|percent",
    ),
}


def _get_noun(noun: str | Noun) -> Noun:
    if isinstance(noun, Noun):
        return noun
    if noun not in NOUNS:
        raise ChoiceError("noun", noun, sorted(NOUNS))
    return NOUNS[noun]


def count_phrase(
    value, noun: str | Noun, lang: str, case: str = "nom", *, prose: bool = True, before: str = "", after: str = ""
) -> str:
    """A count with its noun in agreement: "21 persona", "11 personas", "2 bērni", "<5 personas".

    ``prose`` writes a suppressed value in words ("mazāk nekā 5 personas"); ``before`` and
    ``after`` wrap the noun ('VSAC "Kurzeme" ' + "iemītnieki", "personas" + " ar GRT").
    A value not reported gives "nav ziņots" / "not reported".
    """
    check_lang(lang)
    kind = value_kind(value)
    if kind == "missing":
        return NOT_REPORTED(lang)
    word = f"{before}{_get_noun(noun).form(value, lang, case)}{after}"
    if kind == "suppressed" and prose:
        return f"{FEWER_THAN(lang, n=suppression_threshold(value))} {word}"
    if kind == "hidden" and prose:
        return f"{word} ({NOT_PUBLISHED(lang)})"
    return f"{format_number(value, lang)} {word}"


def count_text(value, noun: str | Noun, case: str = "nom") -> Text:
    """``count_phrase`` in both languages, for a message said later in either: Text("21 šūna", "21 cells")."""
    return Text(*(count_phrase(value, noun, lang, case) for lang in LANGUAGES))


# How each target group is named around its noun: (noun, words before it, words after it).
_GROUP_NOUNS = {
    "FT": ("child", Text("", ""), Text(" ar FT", " with FT")),
    "GRT": ("person", Text("", ""), Text(" ar GRT", " with GRT")),
    "BSAC": ("child", Text("", ""), Text(" no BSAC", " from BSAC")),
    "VSAC": ("resident", Text("VSAC „Kurzeme“ ", ""), Text("", " of VSAC “Kurzeme”")),  # one quotation style
}


def group_parts(group: str, lang: str) -> tuple[Noun, str, str]:
    """A target group's noun and the words before and after it in ``lang``."""
    if group not in _GROUP_NOUNS:
        raise ChoiceError("target group", group, list(_GROUP_NOUNS))
    noun, before, after = _GROUP_NOUNS[group]
    return NOUNS[noun], before(lang), after(lang)


def group_phrase(group: str, value, lang: str, case: str = "nom", *, prose: bool = True) -> str:
    """A count of a target group: "91 persona ar GRT", "2 bērni ar FT", '14 VSAC "Kurzeme" iemītnieki'."""
    check_lang(lang)
    noun, before, after = group_parts(group, lang)
    return count_phrase(value, noun, lang, case, prose=prose, before=before, after=after)


def group_noun(group: str, lang: str, case: str = "nom", *, singular: bool = False) -> str:
    """A target group named without a number: "personas ar GRT", "bērniem ar FT" (case="dat")."""
    check_lang(lang)
    check_case(case)
    noun, before, after = group_parts(group, lang)
    return f"{before}{noun.form(1 if singular else 2, lang, case)}{after}"


# Past participles agree with the subject's number and gender: "saņēmusi 21 persona",
# "saņēmuši 2 bērni". Keys: the verb; values: gender -> (singular, plural).
_PARTICIPLES = {
    "received": {"m": ("saņēmis", "saņēmuši"), "f": ("saņēmusi", "saņēmušas")},
    "moved": {"m": ("pārcēlies", "pārcēlušies"), "f": ("pārcēlusies", "pārcēlušās")},
    "expected": {"m": ("sagaidāms", "sagaidāmi"), "f": ("sagaidāma", "sagaidāmas")},
    "received_passive": {"m": ("saņemts", "saņemti"), "f": ("saņemta", "saņemtas")},
    "achieved": {"m": ("sasniegts", "sasniegti"), "f": ("sasniegta", "sasniegtas")},
}


_NOBODY = {"m": "neviens", "f": "neviena"}


def nobody(gender: str) -> str:
    """Latvian "neviens" / "neviena" agreeing with the gender of the noun it goes with."""
    return _NOBODY[gender]


def participle(verb: str, value, gender: str) -> str:
    """The Latvian participle of ``verb`` agreeing with a subject counted by ``value``."""
    singular, plural_form = _PARTICIPLES[verb][gender]
    return singular if is_singular(value, "lv") else plural_form


_AND = Text(" un ", " and ")


def join_words(items: list[str], lang: str) -> str:
    """ "A, B un C" / "A, B and C"."""
    conjunction = _AND(lang)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + conjunction + items[-1]


# --- place names --------------------------------------------------------------------------

# Names whose locative does not follow the endings below (plural or -us nouns).
_LOCATIVE_EXCEPTIONS = {
    "Ventspils": "Ventspilī",
    "Talsi": "Talsos",
    "Brocēni": "Brocēnos",
    "Saldus": "Saldū",
    "Mērsrags": "Mērsragā",
}
_LOCATIVE_LAST_WORD = {
    "novads": "novadā",
    "reģions": "reģionā",
    "pilsēta": "pilsētā",
    "valstspilsēta": "valstspilsētā",
    "plānošanas reģions": "plānošanas reģionā",
}


def locative(name: str) -> str | None:
    """The Latvian locative of a place name ("Kuldīgas novads" -> "Kuldīgas novadā", "Liepāja" ->
    "Liepājā"); None when the form is not known, so the caller can build the sentence another way."""
    name = str(name).strip()
    if name in _LOCATIVE_EXCEPTIONS:
        return _LOCATIVE_EXCEPTIONS[name]
    head, _, last = name.rpartition(" ")
    if last in _LOCATIVE_LAST_WORD:
        return f"{head} {_LOCATIVE_LAST_WORD[last]}".strip()
    if head:
        return None
    if name.endswith("a"):
        return name[:-1] + "ā"
    if name.endswith("e"):
        return name[:-1] + "ē"
    return None
