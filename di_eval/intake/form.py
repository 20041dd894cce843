"""The yearly data-collection form: its layout (shared with the reader) and what a form for one municipality holds.

One sheet per table a municipality reports. Every data sheet has the same shape: row 1 a
merged title, row 2 the municipality, its ATVK code and the year, row 3 what to enter and in
which unit, row 4 the column headers (protected), data from row 5. The municipality and year
are repeated on every sheet so that a sheet exported alone as CSV still says whose it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from di_eval import dataset, paths
from di_eval import vocabulary as v
from di_eval.errors import ChoiceError
from di_eval.municipalities import resolve
from di_eval.text import Text

TITLE_ROW, IDENTITY_ROW, NOTE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5
SPARE_ROWS = 6  # empty rows with dropdowns where a municipality may add lines (finance, infrastructure)
LISTS_SHEET = "Saraksti"
DATE_FORMAT = "DD.MM.YYYY"  # the cells' number format
DATE_PATTERN = Text("DD.MM.GGGG", DATE_FORMAT)  # the same, as a person is told to type it

# Labels of the identity cells on row 2 (and on the instructions sheet).
IDENTITY_LABELS = {
    "municipality": Text("Pašvaldība:", "Municipality:"),
    "atvk_code": Text("ATVK kods:", "ATVK code:"),
    "year": Text("Gads:", "Year:"),
}


@dataclass(frozen=True)
class FormColumn:
    """A column of a form sheet: the canonical column it fills, its kind, headers and accepted aliases."""

    name: str
    kind: str  # "choice", "project", "info", "count", "money", "date"
    lv: str
    en: str
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # allowed codes for a "choice" column
    vocabulary: str = ""  # which vocabulary dictionary labels the codes
    width: int = 18

    def header(self, lang: str) -> str:
        return Text(self.lv, self.en)(lang)


@dataclass(frozen=True)
class FormSheet:
    """A sheet of the form and the canonical table its rows go to."""

    key: str
    table: str
    lv: str
    en: str
    title_lv: str
    title_en: str
    note_lv: str
    note_en: str
    columns: tuple[FormColumn, ...]
    spare_rows: int = 0
    aliases: tuple[str, ...] = field(default=())

    def name(self, lang: str) -> str:
        return Text(self.lv, self.en)(lang)

    def title(self, lang: str) -> str:
        return Text(self.title_lv, self.title_en)(lang)

    def note(self, lang: str) -> str:
        return Text(self.note_lv, self.note_en)(lang)

    @property
    def key_columns(self) -> tuple[FormColumn, ...]:
        return tuple(c for c in self.columns if c.kind in ("choice", "project"))

    @property
    def value_columns(self) -> tuple[FormColumn, ...]:
        return tuple(c for c in self.columns if c.kind in ("count", "money", "date"))


VOCABULARIES = {
    "TARGET_GROUPS": v.TARGET_GROUPS,
    "SERVICES": v.SERVICES,
    "TRANSITIONS": v.TRANSITIONS,
    "MILESTONES": v.MILESTONES,
    "PROGRAMMES": v.PROGRAMMES,
    "FUNDS": v.FUNDS,
}

# Other ways people write the codes (compared folded: lower case, no diacritics, no punctuation).
CHOICE_ALIASES = {
    "FT": (
        "bērni ar FT",
        "FT bērni",
        "children with FT",
        "functional impairments",
    ),
    "GRT": (
        "personas ar GRT",
        "pieaugušie ar GRT",
        "pieaugušas personas ar GRT",
        "adults with GRT",
        "persons with GRT",
        "mental disorders",
        "adults with mental disorders",  # the English name until 2026: forms already filled in
    ),
    "BSAC": ("BSAC bērni", "bērni BSAC", "children in BSAC", "children's social care centres"),
    "social_rehabilitation": ("soc. rehabilitācija", "rehabilitācija", "social rehab", "rehabilitation"),
    "care": ("aprūpe mājās", "home care"),
    "respite": ("atelpa", "atelpas brīža pakalpojums", "respite care"),
    "day_care": ("dienas aprūpes centrs", "day-care", "daycare", "day care centre", "dienas centrs"),
    "group_apartment": ("grupu dzīvokļi", "grupu māja", "group apartments", "group home"),
    "specialised_workshop": ("specializētās darbnīcas", "darbnīca", "workshop", "specialized workshop"),
    "family_like_care": ("ģimeniskai videi pietuvināts", "family like care", "ģimeniska vide"),
    "youth_home": ("jauniešu mājas", "youth homes"),
    "vsac_to_municipality": ("VSAC", "no VSAC uz pašvaldību", "VSAC Kurzeme"),
    "bsac_to_family_like_care": ("no BSAC uz ģimenisku vidi", "BSAC to family-like care"),
    "construction_start": ("būvdarbu uzsākšana", "būvniecības sākums", "start of construction"),
    "construction_end": ("būvdarbu beigas", "būvniecības pabeigšana", "end of construction", "construction end"),
    "service_opened": ("pakalpojuma sākums", "atvēršana", "atklāšana", "opening", "opened"),
    "ESF_services": ("ESF", "ESF pakalpojumi", "Kurzeme visiem", "ESF project"),
    "ERDF_infrastructure": ("ERAF", "ERDF", "ERAF infrastruktūra", "ERDF infrastructure", "9.3.1.1"),
    "ESF": ("ESF",),
    "ERDF": ("ERAF", "ERDF"),
    "state": ("valsts", "valsts finansējums", "state"),
    "municipal": ("pašvaldība", "pašvaldības", "pašvaldības finansējums", "municipality"),
}

_GROUP = FormColumn(
    "target_group",
    "choice",
    "Mērķa grupa",
    "Target group",
    ("merka grupa", "target group", "grupa", "group"),
    tuple(v.TARGET_GROUPS),
    "TARGET_GROUPS",
    width=44,
)
_COUNT_NOTE_LV = "Ierakstiet personu skaitu (vesels skaitlis). Tukša šūna — nav ziņu; 0 — neviena persona."
_COUNT_NOTE_EN = "Enter numbers of persons (whole numbers). A blank cell means not reported; 0 means none."

FORM_SHEETS: tuple[FormSheet, ...] = (
    FormSheet(
        "services",
        "service_uptake",
        "Pakalpojumi",
        "Services",
        "1. Sabiedrībā balstīto pakalpojumu saņēmēji",
        "1. Persons served by community-based services",
        _COUNT_NOTE_LV + " Personu skaits gada laikā katrā pakalpojumā.",
        _COUNT_NOTE_EN + " Unique persons in the year, per service.",
        (
            _GROUP,
            FormColumn(
                "service",
                "choice",
                "Pakalpojums",
                "Service",
                ("pakalpojums", "pakalpojuma veids", "service"),
                tuple(s for s in v.SERVICES if s != "any"),
                "SERVICES",
                width=36,
            ),
            FormColumn(
                "persons_served",
                "count",
                "Personas, kas saņēma pakalpojumu (skaits)",
                "Persons served (number)",
                ("sanemeji", "personu skaits", "sanemeju skaits", "persons served", "served"),
            ),
            FormColumn(
                "persons_new",
                "count",
                "No tām — pirmo reizi (skaits)",
                "Of them, first time (number)",
                ("pirmo reizi", "no tam pirmo reizi", "jauni", "first time", "of them first time", "new"),
            ),
        ),
    ),
    FormSheet(
        "new_persons",
        "service_uptake",
        "Jaunās personas",
        "New persons",
        "2. Personas (katra skaitīta vienu reizi) un jaunās personas (jebkurš pakalpojums)",
        "2. Unique and new persons (any service)",
        _COUNT_NOTE_LV + " Persona, kas saņēma vairākus pakalpojumus, skaitāma vienu reizi.",
        _COUNT_NOTE_EN + " A person who used several services counts once.",
        (
            _GROUP,
            FormColumn(
                "persons_served",
                "count",
                "Personas (katra skaitīta vienu reizi), kas saņēma kādu pakalpojumu (skaits)",
                "Unique persons served by any service (number)",
                (
                    "unikalas personas",
                    "unique persons",
                    "persons served any",
                    "any served",
                    # the Latvian header of forms sent before 2026, so forms already filled in stay readable
                    "Unikālās personas, kas saņēma kādu pakalpojumu (skaits)",
                ),
                width=34,
            ),
            FormColumn(
                "persons_new",
                "count",
                "No tām — jaunas personas (skaits)",
                "Of them, new persons (number)",
                ("jaunas personas", "no tam jaunas personas", "new persons", "of them new persons", "any new"),
                width=26,
            ),
        ),
        aliases=("jaunas personas", "unikalas personas", "new persons", "unique persons"),
    ),
    FormSheet(
        "transitions",
        "transitions",
        "Pārejas",
        "Transitions",
        "3. Pārejas no institūcijām uz dzīvi sabiedrībā",
        "3. Moves out of institutions",
        _COUNT_NOTE_LV + " Personas, kas gada laikā pārcēlās.",
        _COUNT_NOTE_EN + " Persons who moved during the year.",
        (
            FormColumn(
                "transition",
                "choice",
                "Pāreja",
                "Transition",
                ("pareja", "transition", "parejas veids"),
                tuple(v.TRANSITIONS),
                "TRANSITIONS",
                width=60,
            ),
            FormColumn("persons", "count", "Personas (skaits)", "Persons (number)", ("personas", "persons", "skaits")),
        ),
        aliases=("parejas", "transitions"),
    ),
    FormSheet(
        "needs_assessments",
        "needs_assessments",
        "Izvērtējumi",
        "Needs assessments",
        "4. Individuālo vajadzību izvērtējumi un atbalsta plāni",
        "4. Individual needs assessments and support plans",
        "Ierakstiet gadā veikto izvērtējumu un izstrādāto atbalsta plānu skaitu. Tukša šūna — nav ziņu.",
        "Enter the assessments made and support plans drawn up in the year. A blank cell means not reported.",
        (
            FormColumn(
                "target_group",
                "choice",
                "Mērķa grupa",
                "Target group",
                ("merka grupa", "target group", "grupa", "group"),
                ("FT", "GRT"),
                "TARGET_GROUPS",
                width=44,
            ),
            FormColumn(
                "assessments",
                "count",
                "Individuālo vajadzību izvērtējumi (skaits)",
                "Individual needs assessments (number)",
                ("izvertejumi", "vajadzibu izvertejumi", "assessments", "needs assessments"),
                width=26,
            ),
            FormColumn(
                "support_plans",
                "count",
                "Izstrādāti atbalsta plāni (skaits)",
                "Support plans drawn up (number)",
                ("atbalsta plani", "support plans"),
                width=24,
            ),
        ),
        aliases=("izvertejumi", "vajadzibu izvertejumi", "needs assessments", "assessments"),
    ),
    FormSheet(
        "infrastructure",
        "infrastructure_milestones",
        "Infrastruktūra",
        "Infrastructure",
        "5. ERAF infrastruktūras projektu posmi",
        "5. ERDF infrastructure milestones",
        f"Datumi formā {DATE_PATTERN.lv}. Tukša šūna — nav ziņu (iepriekš zināmais datums paliek spēkā).",
        f"Dates as {DATE_PATTERN.en}. A blank cell means not reported (a date already known stays).",
        (
            FormColumn(
                "project_id",
                "project",
                "Projekta kods",
                "Project code",
                ("projekta kods", "projekts", "project code", "project", "project id"),
                width=14,
            ),
            FormColumn(
                "project_name",
                "info",
                "Projekta nosaukums",
                "Project name",
                ("projekta nosaukums", "nosaukums"),
                width=44,
            ),
            FormColumn(
                "milestone",
                "choice",
                "Posms",
                "Milestone",
                ("posms", "milestone", "projekta posms"),
                tuple(v.MILESTONES),
                "MILESTONES",
                width=28,
            ),
            FormColumn(
                "planned_date",
                "date",
                "Plānotais datums",
                "Planned date",
                ("planotais datums", "planots", "planned date", "planned"),
                width=16,
            ),
            FormColumn(
                "actual_date",
                "date",
                "Faktiskais datums",
                "Actual date",
                ("faktiskais datums", "faktiski", "actual date", "actual"),
                width=16,
            ),
        ),
        spare_rows=SPARE_ROWS,
        aliases=("infrastruktura", "infrastructure", "infrastructure milestones"),
    ),
    FormSheet(
        "finance",
        "finance",
        "Finanses",
        "Finance",
        "6. Finansējums (EUR)",
        "6. Finance (EUR)",
        "Summas eiro (EUR) par pārskata gadu katram finansējuma avotam. Kopsummu neievadiet — to aprēķina.",
        "Amounts in euro (EUR) for the year, per fund. Do not enter the total: it is computed.",
        (
            FormColumn(
                "programme",
                "choice",
                "Programma",
                "Programme",
                ("programma", "programme", "program", "projekts"),
                tuple(v.PROGRAMMES),
                "PROGRAMMES",
                width=44,
            ),
            FormColumn(
                "fund",
                "choice",
                "Finansējuma avots",
                "Fund",
                ("finansejuma avots", "avots", "fonds", "fund", "source of funds"),
                tuple(f for f in v.FUNDS if f != "total"),
                "FUNDS",
                width=38,
            ),
            FormColumn(
                "planned_eur",
                "money",
                "Plānots, EUR",
                "Planned, EUR",
                ("planots", "planned", "planned eur", "plans"),
                width=16,
            ),
            FormColumn(
                "contracted_eur",
                "money",
                "Līgumos noslēgts, EUR",
                "Contracted, EUR",
                ("ligumos nosleg", "ligumos noslegts", "contracted", "contracted eur", "noslegti ligumi"),
                width=18,
            ),
            FormColumn(
                "paid_eur",
                "money",
                "Izmaksāts, EUR",
                "Paid, EUR",
                ("izmaksats", "samaksats", "paid", "paid eur"),
                width=16,
            ),
        ),
        spare_rows=SPARE_ROWS,
        aliases=("finanses", "finansejums", "finance"),
    ),
)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in FORM_SHEETS}
INSTRUCTIONS = Text("Norādījumi", "Instructions")

# The fund rows a form offers for each programme (more can be added on spare rows).
PROGRAMME_FUNDS = {"ESF_services": ("ESF", "state"), "ERDF_infrastructure": ("ERDF", "state", "municipal")}


def choice_label(column: FormColumn, code: str, lang: str) -> str:
    """How a code is shown in the form: its name, and for target groups the code too."""
    label = v.label(VOCABULARIES[column.vocabulary], code, lang)
    return f"{label} ({code})" if column.vocabulary == "TARGET_GROUPS" else label


def due_date(year: int) -> dt.date:
    """The date a year's form is due: 31 January of the next year."""
    return dt.date(year + 1, 1, 31)


# --- what a form holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormContent:
    """The rows of every sheet for one municipality and year, as canonical codes and values."""

    atvk_code: str
    name: str
    year: int
    rows: dict[str, list[dict]]
    projects: dict[str, str]  # project_id -> name


def _reference(name: str, reference_dir: Path) -> pd.DataFrame:
    return dataset.read_csv_text(reference_dir / f"{name}.csv")


def form_content(
    municipality: str, year: int, prefill_from: str | Path | None = None, reference_dir: str | Path | None = None
) -> FormContent:
    """What a form for ``municipality`` and ``year`` lists; with ``prefill_from``, that dataset's values."""
    reference_dir = Path(reference_dir) if reference_dir else None
    data = dataset.load(prefill_from, reference_dir) if prefill_from is not None else None
    reference_dir = data.reference_dir if data is not None else (reference_dir or paths.REFERENCE_DIR)
    municipalities = data.municipalities if data is not None else _reference("municipalities", reference_dir)
    atvk = resolve(str(municipality), municipalities)
    if int(year) not in v.YEARS:
        raise ChoiceError("year", year, [str(y) for y in v.YEARS], hint="the plan's years")
    year = int(year)
    name = municipalities.loc[municipalities["atvk_code"] == atvk, "name"].iloc[0]
    if data is not None:
        projects_frame, milestones = data.infrastructure_projects, data.infrastructure_milestones
    else:
        projects_frame = _reference("infrastructure_projects", reference_dir)
        milestones = _reference("infrastructure_milestones", reference_dir).iloc[0:0]
    projects_frame = projects_frame[projects_frame["atvk_code"] == atvk]
    projects = dict(zip(projects_frame["project_id"], projects_frame["name"]))
    rows = {
        "services": _uptake_rows(data, atvk, year, any_service=False),
        "new_persons": _uptake_rows(data, atvk, year, any_service=True),
        "transitions": _keyed_rows(data, "transitions", atvk, year, "transition", v.TRANSITIONS, ["persons"]),
        "needs_assessments": _keyed_rows(
            data, "needs_assessments", atvk, year, "target_group", ("FT", "GRT"), ["assessments", "support_plans"]
        ),
        "infrastructure": _milestone_rows(projects, milestones),
        "finance": _finance_rows(data, atvk, year, has_infrastructure=bool(projects)),
    }
    return FormContent(atvk, name, year, rows, projects)


def _values(frame: pd.DataFrame | None, mask, columns) -> dict:
    if frame is None:
        return {}
    hit = frame[mask(frame)]
    if hit.empty:
        return {}
    row = hit.iloc[0]
    return {c: (None if pd.isna(row[c]) else row[c]) for c in columns}


def _uptake_rows(data, atvk, year, any_service: bool) -> list[dict]:
    frame = None
    if data is not None:
        frame = data.service_uptake
        frame = frame[(frame["atvk_code"] == atvk) & (frame["year"] == year)]
    rows = []
    for group, services in v.GROUP_SERVICES.items():
        for service in ("any",) if any_service else services:
            found = _values(
                frame,
                lambda f, g=group, s=service: (f["target_group"] == g) & (f["service"] == s),
                ["persons_served", "persons_new"],
            )
            rows.append({"target_group": group, "service": service, **found})
    return rows


def _keyed_rows(data, table, atvk, year, key, codes, columns) -> list[dict]:
    frame = None
    if data is not None:
        frame = getattr(data, table)
        frame = frame[(frame["atvk_code"] == atvk) & (frame["year"] == year)]
    return [{key: code, **_values(frame, lambda f, c=code: f[key] == c, columns)} for code in codes]


def _milestone_rows(projects: dict[str, str], milestones: pd.DataFrame) -> list[dict]:
    rows = []
    for project_id, name in projects.items():
        for milestone in v.MILESTONES:
            found = _values(
                milestones,
                lambda f, p=project_id, m=milestone: (f["project_id"] == p) & (f["milestone"] == m),
                ["planned_date", "actual_date"],
            )
            rows.append({"project_id": project_id, "project_name": name, "milestone": milestone, **found})
    return rows


def _finance_rows(data, atvk, year, has_infrastructure: bool) -> list[dict]:
    wanted = [("ESF_services", f) for f in PROGRAMME_FUNDS["ESF_services"]]
    frame = None
    if data is not None:
        frame = data.finance
        frame = frame[(frame["atvk_code"] == atvk) & (frame["year"] == year) & (frame["fund"] != "total")]
        wanted += [(p, f) for p, f in zip(frame["programme"], frame["fund"]) if (p, f) not in wanted]
    if has_infrastructure:
        wanted += [("ERDF_infrastructure", f) for f in PROGRAMME_FUNDS["ERDF_infrastructure"]]
    order = {p: i for i, p in enumerate(v.PROGRAMMES)}
    fund_order = {f: i for i, f in enumerate(v.FUNDS)}
    wanted = sorted(dict.fromkeys(wanted), key=lambda pf: (order[pf[0]], fund_order[pf[1]]))
    columns = ["planned_eur", "contracted_eur", "paid_eur"]
    return [
        {
            "programme": p,
            "fund": f,
            **_values(frame, lambda d, p=p, f=f: (d["programme"] == p) & (d["fund"] == f), columns),
        }
        for p, f in wanted
    ]
