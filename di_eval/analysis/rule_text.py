"""The disclosure rule and its guarantee in words, for the method section of every report and
the index: what the markers mean, how counts are rounded, what the lean tables leave out, and
exactly what the audit proves."""

from __future__ import annotations

from di_eval.analysis.rounding import rounded_range
from di_eval.text import Text, check_lang

_SMALL = Text(
    "Lai nevienu personu nevarētu atpazīt, skaits no 1 līdz {low} ir rādīts kā „<{t}“, bet nulle tiek rādīta. ",
    "So that no person can be identified, counts from 1 to {low} are shown as “<{t}”; 0 is shown. ",
)
_ROUNDED = Text(
    "Pārējie pašvaldību skaiti ir noapaļoti līdz tuvākajam {b} daudzkārtnim („{two_b}“ nozīmē no {lo} līdz {hi}); "
    "reģiona skaiti ir precīzi, ja nav atzīmēti kā noapaļoti. Ar „{x}“ apzīmētās vērtības (kas nav nulle) ir "
    "slēptas. ",
    "Other counts of municipalities are rounded to the nearest multiple of {b} (“{two_b}” means {lo} to {hi}); the "
    "region's counts are exact unless marked as rounded. Values marked “{x}” (not 0) are hidden. ",
)
_COARSE = Text(
    "Ja, noapaļojot līdz {b} daudzkārtnim, varētu aprēķināt kādu mazu skaitu, pašvaldības kopējais pakalpojumu "
    "saņēmušo personu skaits ir noapaļots līdz tuvākajam {c} daudzkārtnim un norādīts kā intervāls, kurā tas ir "
    "(piemēram, „{lo}–{hi}“). ",
    "Where rounding to a multiple of {b} would let a small count be worked out, a municipality's total of persons "
    "served is rounded to the nearest multiple of {c} and shown as the range it lies in (for example, “{lo}–{hi}”). ",
)
_HIDDEN = Text(
    "Ar „{x}“ apzīmētās vērtības (kas nav nulle, bet var būt jebkura lieluma) ir slēptas. ",
    "Values marked “{x}” (not 0, but of any size) are hidden. ",
)
_HEURISTIC = Text(
    "Ar „{x}“ apzīmētās vērtības (kas nav nulle, bet var būt jebkura lieluma) ir slēptas, lai slēpto skaitu "
    "nevarētu aprēķināt, atņemot no kopsummām. ",
    "Values marked “{x}” (not 0, but of any size) are hidden so that a hidden count cannot be worked out by "
    "subtracting from totals. ",
)
_LEAN = Text(
    "Pašvaldībām publicēts katra pakalpojuma saņēmēju kopskaits un visu pakalpojumu saņēmēju skaits pa gadiem; "
    "katra pakalpojuma saņēmēju skaits pa gadiem un pāreju skaits pa gadiem publicēts tikai reģionam. ",
    "For municipalities, each service's total persons and the persons of all services by year are published; "
    "each service by year and transitions by year are published for the region only. ",
)
_CHECKED = Text(
    "Pārbaudīts ar lineāro programmēšanu pār visiem publicētajiem skaitiem, to sakarībām (kopsummas, gadi, "
    "pakalpojumi, abas pašvaldību struktūras), jau publiskotajiem skaitiem un visām šī izvērtējuma iepriekšējām "
    "publikācijām: nevienu slēptu skaitu nevar aprēķināt precīzi, un katram skaitam no 1 līdz {low} (arī tiem, "
    "kas nav publicēti) paliek vismaz 3 iespējamas vērtības. ",
    "Checked by linear programming over every published count, the relations between them (totals, years, "
    "services, both municipal structures), the figures already public and every earlier publication of this "
    "evaluation: no hidden count can be worked out exactly, and every count from 1 to {low} (those not published "
    "too) keeps at least 3 possible values. ",
)
_MONEY = Text("Naudas summas un vietu skaits netiek slēpti.", "Money and numbers of places are not hidden.")


def rule_text(rule, lang: str = "lv") -> str:
    """``rule`` (a DisclosureRule) and its guarantee in words."""
    check_lang(lang)
    t, x, b = rule.threshold, rule.secondary_marker, rule.rounding_base
    out = _SMALL(lang, low=t - 1, t=t)
    if rule.method == "rounding":
        lo, hi = rounded_range(2 * b, b, 0)
        out += _ROUNDED(lang, b=b, two_b=2 * b, lo=lo, hi=hi, x=x)
        c = rule.coarse_base
        lo, hi = rounded_range(3 * c, c, 0)
        out += _COARSE(lang, b=b, c=c, lo=lo, hi=hi)
    elif rule.method == "heuristic":
        out += _HEURISTIC(lang, x=x)
    else:
        out += _HIDDEN(lang, x=x)
    if rule.detail == "lean":
        out += _LEAN(lang)
    if rule.method != "heuristic":
        out += _CHECKED(lang, low=t - 1)
    return out + _MONEY(lang)
