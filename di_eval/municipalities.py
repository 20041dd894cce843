"""Naming municipalities: by ATVK or ISO code, official name or an unambiguous alias.

People write a municipality as its official name ("Talsu novads"), the genitive alone ("Talsu",
"Kuldīgas", "Saldus": how the name reads before "novads"), the town's nominative ("Talsi",
"Kuldīga") or with "nov." for "novads"; in any case, with or without diacritics.
"""

from __future__ import annotations

import difflib
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
        names |= {stem, f"{stem} novads", f"{stem} nov.", f"{stem} novada pašvaldība", f"{stem} novada dome"}
    else:
        stem = _CITY_GENITIVE.get(row["name"], row["name"] + "s")
        names |= {
            stem,
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
        names |= {stem, f"{stem} novada pašvaldība", f"{stem} novads", f"{stem} nov."}
    else:
        genitive = _CITY_GENITIVE.get(row["name"], row["name"] + "s")
        names |= {genitive, f"{genitive} valstspilsēta", f"{genitive} pilsēta", f"{genitive} valstspilsētas pašvaldība"}
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
    """The code of the municipality ``name`` refers to; ChoiceError listing the valid names if none,
    with the closest names first ("Vai domājāt: Talsu novads?")."""
    table = alias_table(municipalities, structure)
    code = table.get(fold(name))
    if code is None:
        raise ChoiceError(
            "municipality",
            name,
            sorted(municipalities["name"].tolist()),
            hint=f"structure {structure}: give an ATVK/ISO code or a municipality's name",
            suggestions=close_matches(name, municipalities, structure),
            hint_lv=f"struktūra {structure}: norādiet ATVK/ISO kodu vai pašvaldības nosaukumu",
        )
    return code


def close_matches(name: str, municipalities: pd.DataFrame, structure: str = "2017", n: int = 3) -> list[str]:
    """The official names of the municipalities whose names or aliases are closest to ``name``."""
    table = alias_table(municipalities, structure)
    code_column = "atvk_code" if structure == "2017" else "iso_code"
    official = dict(zip(municipalities[code_column], municipalities["name"]))
    wanted = fold(name)
    scored = []
    for alias in difflib.get_close_matches(wanted, list(table), n=10, cutoff=0.7):
        scored.append((difflib.SequenceMatcher(None, wanted, alias).ratio(), official[table[alias]]))
    found: list[str] = []
    for score, official_name in scored:  # best first; only those nearly as close as the best
        if score >= scored[0][0] - 0.08 and official_name not in found:
            found.append(official_name)
    return found[:n]
