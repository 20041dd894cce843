"""Naming municipalities: by ATVK or ISO code, official name or an unambiguous alias."""

from __future__ import annotations

import unicodedata

import pandas as pd

from di_eval.errors import ChoiceError

# Genitive stems of the two cities, which have no "novads" to strip.
_CITY_GENITIVE = {"Liepāja": "Liepājas", "Ventspils": "Ventspils"}


def fold(text: str) -> str:
    """Lower-case, without diacritics and surplus spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace('"', " ").split())


def aliases(row: pd.Series) -> set[str]:
    """Every name a person may use for a 2017 municipality."""
    names = {row["atvk_code"], row["name"], row["name_short"]}
    if row["kind"] == "novads":
        stem = row["name"].split(" novads")[0]
        names |= {f"{stem} novads", f"{stem} novada pašvaldība", f"{stem} novada dome"}
    else:
        stem = _CITY_GENITIVE.get(row["name"], row["name"] + "s")
        names |= {
            f"{stem} pilsēta",
            f"{stem} pilsētas pašvaldība",
            f"{stem} valstspilsēta",
            f"{stem} republikas pilsēta",
            f"{stem} pilsētas dome",
            f"{row['name']} city",
        }
    return {fold(n) for n in names}


def aliases_2021(row: pd.Series) -> set[str]:
    names = {row["iso_code"], row["name"], row["name_short"]}
    stem = row["name"].split(" novads")[0]
    if row["kind"] == "novads":
        names |= {stem, f"{stem} novada pašvaldība", f"{stem} novads"}
    else:
        genitive = _CITY_GENITIVE.get(row["name"], row["name"] + "s")
        names |= {f"{genitive} valstspilsēta", f"{genitive} pilsēta", f"{genitive} valstspilsētas pašvaldība"}
    return {fold(n) for n in names}


def alias_table(municipalities: pd.DataFrame, structure: str = "2017") -> dict[str, str]:
    """Map every folded alias to its code; an alias shared by two municipalities is left out."""
    seen: dict[str, set[str]] = {}
    code_column, make = ("atvk_code", aliases) if structure == "2017" else ("iso_code", aliases_2021)
    for _, row in municipalities.iterrows():
        for alias in make(row):
            seen.setdefault(alias, set()).add(row[code_column])
    # the official short name wins over the same words used for another (Ventspils city vs novads)
    table = {alias: next(iter(codes)) for alias, codes in seen.items() if len(codes) == 1}
    for _, row in municipalities.iterrows():
        table[fold(row["name"])] = row[code_column]
    return table


def resolve(name: str, municipalities: pd.DataFrame, structure: str = "2017") -> str:
    """The code of the municipality ``name`` refers to; ChoiceError listing the valid names if none."""
    table = alias_table(municipalities, structure)
    code = table.get(fold(name))
    if code is None:
        column = "name"
        raise ChoiceError(
            "municipality",
            name,
            sorted(municipalities[column].tolist()),
            hint=f"structure {structure}: give an ATVK/ISO code or a municipality's name",
        )
    return code
