"""Numbers, money, percents and dates as the reports print them (Latvian CLDR forms via Babel).

Published person counts arrive as an int, the string ``"<5"`` (suppressed), a marker such as
``"x"`` (hidden) or None/NA (not reported); every formatter reads well for all of them. Rounding
is half up everywhere (12.5 -> 13), as a reader of published statistics expects.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from di_eval.errors import ChoiceError, DiEvalError
from di_eval.text import Text, check_case, check_lang

NBSP = "\u00a0"  # keeps "1 234" and "45 %" on one line
_BABEL_LOCALE = {"lv": "lv", "en": "en_GB"}  # en_GB writes "31 December 2020"

NOT_REPORTED = Text("nav iesniegts", "not submitted")  # a value whose data were not submitted
NOT_COMPUTABLE = Text("nav aprēķināms", "not computable")
UNKNOWN = Text("nav zināms", "unknown")
FEWER_THAN = Text("mazāk nekā {n}", "fewer than {n}")
NOT_PUBLISHED = Text("skaits nav publicējams", "number not published")
PERCENT = Text("{n}\u00a0%", "{n}%")  # lv "45 %" with a no-break space, en "45%"
MONEY = Text("{n}\u00a0EUR", "EUR\u00a0{n}")
MONEY_THOUSANDS = Text("{n}\u00a0tūkst.\u00a0EUR", "EUR\u00a0{n}k")
MONEY_MILLIONS = Text("{n}\u00a0milj.\u00a0EUR", "EUR\u00a0{n}m")
YEAR = Text("{year}. {word}", "{year}")  # word: "gads" in the case asked for

# --- published values --------------------------------------------------------------------

_SUPPRESSED = re.compile(r"^<\s*(\d+)$")


def value_kind(value) -> str:
    """What a published value is: ``"number"``; ``"suppressed"`` ("<5": 1 to 4); ``"hidden"``
    (a secondary-suppression marker such as "x": not 0, size not told); ``"missing"`` (not reported)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "missing"
    if isinstance(value, str):
        text = value.strip()
        if _SUPPRESSED.match(text):
            return "suppressed"
        if not text:
            return "missing"
        if len(text) <= 3 and text[0] != "<" and not any(ch.isdigit() for ch in text):
            return "hidden"
        raise DiEvalError(f"not a published value: {value!r} (expected a number, '<N', a marker such as 'x' or blank)")
    if isinstance(value, bool):
        raise DiEvalError(f"not a published value: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise DiEvalError(f"not a published value: {value!r}") from err
    return "missing" if math.isnan(number) else "number"


def suppression_threshold(value) -> int | None:
    """The N of a suppressed value "<N"; None for anything else."""
    if isinstance(value, str):
        match = _SUPPRESSED.match(value.strip())
        if match:
            return int(match.group(1))
    return None


# --- numbers, money, dates ---------------------------------------------------------------


def percent_points(rate) -> int:
    """A share as the whole percent it is shown as (0.5714 -> 57), for agreement with "procents"."""
    return int(_round(float(rate) * 100, 0))


def fewer_than(value, lang: str) -> str:
    """A suppressed value in words: "<5" -> "mazāk nekā 5" / "fewer than 5"."""
    return FEWER_THAN(lang, n=suppression_threshold(value))


def _round(number, decimals: int) -> Decimal:
    # Half up, as published statistics round; babel alone would round half to even.
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded + 0  # turns -0 into 0


def format_number(value, lang: str, decimals: int | None = None) -> str:
    """A published value as text: lv "1 234,5" (no-break space), en "1,234.5".

    A suppressed "<5" is returned as it is; None/NA gives "nav iesniegts" / "not submitted"; a
    count that knows its ``span`` (a range, ``di_eval.report.rounded.Rounded``) gives "25–34".
    Without ``decimals`` whole numbers have none and others up to two.
    """
    check_lang(lang)
    kind = value_kind(value)
    if kind == "missing":
        return NOT_REPORTED(lang)
    if kind in ("suppressed", "hidden"):
        return value.strip()
    span = getattr(value, "span", None)  # a count published as the range it lies in: "25–34"
    if span:
        return "\u2013".join(format_number(int(end), lang) for end in span)
    if decimals is None:
        number = _round(value, 2)
        pattern = "#,##0" if number == number.to_integral_value() else "#,##0.##"
    else:
        number = _round(value, decimals)
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=_BABEL_LOCALE[lang])


def is_blank(value) -> bool:
    """True for None, NA, NaT and NaN: a value that is not there."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_percent(rate, lang: str, decimals: int = 0, empty: str | None = None) -> str:
    """A share (0.45) as lv "45 %" (no-break space) or en "45%".

    A rate that cannot be computed (None/NaN) gives ``empty`` if given, else "nav aprēķināms".
    """
    check_lang(lang)
    if is_blank(rate):
        return NOT_COMPUTABLE(lang) if empty is None else empty
    return PERCENT(lang, n=format_number(float(rate) * 100, lang, decimals=decimals))


def format_money(amount, lang: str, decimals: int = 0) -> str:
    """An amount in euro: lv "1 234 567 EUR", en "EUR 1,234,567"; None gives "nav zināms"."""
    check_lang(lang)
    if is_blank(amount):
        return UNKNOWN(lang)
    return MONEY(lang, n=format_number(float(amount), lang, decimals=decimals))


def format_money_short(amount, lang: str) -> str:
    """A compact amount for chart labels: lv "1,23 milj. EUR", en "EUR 1.23m"; "45 tūkst. EUR"."""
    check_lang(lang)
    if is_blank(amount):
        return UNKNOWN(lang)
    amount = float(amount)
    if abs(amount) >= 1_000_000:
        return MONEY_MILLIONS(lang, n=format_number(amount / 1_000_000, lang, decimals=2))
    if abs(amount) >= 1_000:
        return MONEY_THOUSANDS(lang, n=format_number(amount / 1_000, lang, decimals=0))
    return format_money(amount, lang)


# Latvian month names in the cases a date takes in a sentence: "līdz 31. decembrim" (dative),
# "kopš 5. oktobra" (genitive), "uz 31. decembri" (accusative), "15. janvārī" (locative).
_MONTH_NAMES_LV = {
    "nom": "janvāris februāris marts aprīlis maijs jūnijs jūlijs augusts septembris oktobris novembris decembris",
    "gen": "janvāra februāra marta aprīļa maija jūnija jūlija augusta septembra oktobra novembra decembra",
    "dat": "janvārim februārim martam aprīlim maijam jūnijam jūlijam augustam septembrim oktobrim novembrim decembrim",
    "acc": "janvāri februāri martu aprīli maiju jūniju jūliju augustu septembri oktobri novembri decembri",
    "loc": "janvārī februārī martā aprīlī maijā jūnijā jūlijā augustā septembrī oktobrī novembrī decembrī",
}
# Languages whose month names inflect (Babel has only the nominative and genitive forms).
_MONTHS = {"lv": {case: names.split() for case, names in _MONTH_NAMES_LV.items()}}
_YEAR_LV = {"nom": "gads", "gen": "gada", "dat": "gadam", "acc": "gadu", "loc": "gadā"}


def to_date(value) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or "YYYY-MM-DD"; None for blank/NaT."""
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as err:
        raise ChoiceError("date", value, hint="write dates as YYYY-MM-DD") from err


def format_date(date, lang: str, case: str = "nom") -> str:
    """A date in full: lv "2020. gada 31. decembris" (``case`` inflects the month), en "31 December 2020"."""
    check_lang(lang)
    check_case(case)
    day = to_date(date)
    if day is None:
        return UNKNOWN(lang)
    if case == "nom" or lang not in _MONTHS:
        return babel_format_date(day, format="long", locale=_BABEL_LOCALE[lang])
    return f"{day.year}. gada {day.day}. {_MONTHS[lang][case][day.month - 1]}"


def format_month(date, lang: str, case: str = "nom") -> str:
    """A month: lv "2020. gada decembris" (or "decembrī" with case="loc"), en "December 2020"."""
    check_lang(lang)
    check_case(case)
    day = to_date(date)
    if day is None:
        return UNKNOWN(lang)
    if lang not in _MONTHS:
        return babel_format_date(day, format="MMMM y", locale=_BABEL_LOCALE[lang])
    return f"{day.year}. gada {_MONTHS[lang][case][day.month - 1]}"


def format_year(year, lang: str, case: str = "nom") -> str:
    """A year: lv "2020. gads" / "2020. gadā" (case="loc"), en "2020"."""
    check_lang(lang)
    check_case(case)
    if is_blank(year):
        return UNKNOWN(lang)
    year = int(year.year if isinstance(year, dt.date) else year)
    return YEAR(lang, year=year, word=_YEAR_LV[case])


def format_event_date(date, precision: str, lang: str) -> str:
    """A date shown only as precisely as it is known: ``precision`` is day, month or year."""
    if precision == "year":
        return format_year(to_date(date), lang)
    if precision == "month":
        return format_month(date, lang)
    return format_date(date, lang)


QUOTED = Text("\u201e{text}\u201c", "\u201c{text}\u201d")  # „…“ in Latvian, “…” in English: one style a page
QUOTED_INNER = Text("\u2018{text}\u2019", "\u2018{text}\u2019")  # a quote inside a quote: ‘…’
_STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')


def typographic_quotes(text, lang: str, inner: bool = False) -> str:
    """Straight quotation marks in names from the data ('BSAC "Selga"') in the page's one style:
    „Selga“ in Latvian, “Selga” in English; ``inner`` for a name that will itself stand in quotes (‘Selga’)."""
    quoted = QUOTED_INNER if inner else QUOTED
    return _STRAIGHT_QUOTES.sub(lambda m: quoted(lang, text=m.group(1)), str(text))
