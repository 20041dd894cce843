"""The yearly data-collection form: its layout (shared with the reader in intake) and writing it as .xlsx.

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
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from di_eval import dataset, paths
from di_eval import vocabulary as v
from di_eval.errors import ChoiceError
from di_eval.municipalities import fold, resolve

TITLE_ROW, IDENTITY_ROW, NOTE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5
SPARE_ROWS = 6  # empty rows with dropdowns where a municipality may add lines (finance, infrastructure)
LISTS_SHEET = "Saraksti"
DATE_FORMAT = "DD.MM.YYYY"

# Labels of the identity cells on row 2 (and on the instructions sheet).
IDENTITY_LABELS = {
    "municipality": ("Pašvaldība:", "Municipality:"),
    "atvk_code": ("ATVK kods:", "ATVK code:"),
    "year": ("Gads:", "Year:"),
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
        return self.lv if lang == "lv" else self.en


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
        return self.lv if lang == "lv" else self.en

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
        "bērni ar funkcionāliem traucējumiem",
    ),
    "GRT": (
        "personas ar GRT",
        "pieaugušie ar GRT",
        "pieaugušas personas ar GRT",
        "adults with GRT",
        "persons with GRT",
        "adults with mental disorders",
        "mental disorders",
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
        "2. Unikālās personas un jaunās personas (jebkurš pakalpojums)",
        "2. Unique and new persons (any service)",
        _COUNT_NOTE_LV + " Persona, kas saņēma vairākus pakalpojumus, skaitāma vienu reizi.",
        _COUNT_NOTE_EN + " A person who used several services counts once.",
        (
            _GROUP,
            FormColumn(
                "persons_served",
                "count",
                "Unikālās personas, kas saņēma kādu pakalpojumu (skaits)",
                "Unique persons served by any service (number)",
                ("unikalas personas", "unique persons", "persons served any", "any served"),
                width=30,
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
        "Datumi formā DD.MM.GGGG. Tukša šūna — nav ziņu (iepriekš zināmais datums paliek spēkā).",
        "Dates as DD.MM.YYYY. A blank cell means not reported (a date already known stays).",
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
INSTRUCTIONS = ("Norādījumi", "Instructions")

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


# --- writing the workbook ---------------------------------------------------------------------

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_form(
    out: str | Path,
    municipality: str,
    year: int,
    *,
    lang: str = "lv",
    prefill_from: str | Path | None = None,
    reference_dir: str | Path | None = None,
) -> Path:
    """Write the .xlsx form for one municipality and year to ``out`` (atomically) and return its path.

    If ``out`` is an existing folder, the file in it is named by ``default_filename``.
    """
    if lang not in v.LANGUAGES:
        raise ChoiceError("language", lang, list(v.LANGUAGES))
    content = form_content(municipality, year, prefill_from, reference_dir)
    workbook = build_workbook(content, lang)
    out = Path(out)
    if out.is_dir():
        out = out / default_filename(content)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        workbook.save(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def default_filename(content: FormContent) -> str:
    """A file name that sorts by year and says whose form it is, in plain ASCII."""
    short = "".join(ch if ch.isalnum() else "_" for ch in fold(content.name)).strip("_")
    return f"{content.year}_{content.atvk_code}_{short}.xlsx"


def build_workbook(content: FormContent, lang: str = "lv") -> Workbook:
    """The form as an openpyxl workbook: instructions, one protected sheet per table, a hidden lists sheet."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS[0] if lang == "lv" else INSTRUCTIONS[1]
    _write_instructions(instructions, content, lang)
    lists = _ListsSheet(workbook)
    for sheet in FORM_SHEETS:
        _write_sheet(workbook.create_sheet(sheet.name(lang)), sheet, content, lang, lists)
    lists.finish()
    # a fixed timestamp keeps forms written from the same content identical
    stamp = dt.datetime(content.year + 1, 1, 1)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = "di-eval"
    workbook.properties.title = _title(content, lang)
    return workbook


def _title(content: FormContent, lang: str) -> str:
    if lang == "lv":
        return f"DI plāna uzraudzības veidlapa — {content.name}, {content.year}. gads"
    return f"DI plan monitoring form — {content.name}, {content.year}"


def _identity(ws, content: FormContent, lang: str, row: int, first_column: int = 1) -> None:
    i = 0 if lang == "lv" else 1
    pairs = [
        (IDENTITY_LABELS["municipality"][i], content.name),
        (IDENTITY_LABELS["atvk_code"][i], content.atvk_code),
        (IDENTITY_LABELS["year"][i], content.year),
    ]
    column = first_column
    for label, value in pairs:
        ws.cell(row, column, label).font = _BOLD
        cell = ws.cell(row, column + 1, value)
        cell.number_format = "@" if label == pairs[1][0] else "General"
        cell.alignment = Alignment(horizontal="left")
        column += 2


_INSTRUCTIONS_LV = (
    "Aizpildiet katru lapu par pārskata gadu (1. janvāris–31. decembris). Pašvaldība un gads jau ir ierakstīti.",
    "Norādiet tikai kopskaitus. Neierakstiet personu vārdus, uzvārdus vai personas kodus — "
    "veidlapa ar tiem netiks pieņemta.",
    "Tukša šūna nozīmē “nav ziņu”; ja personu nebija, ierakstiet 0.",
    "Personu skaits ir vesels skaitlis. Naudas summas — eiro (EUR), datumi — DD.MM.GGGG.",
    "“Pirmo reizi” — personas, kas šo pakalpojumu plāna ietvaros saņēma pirmo reizi; "
    "to nevar būt vairāk nekā saņēmēju.",
    "Lapā “Jaunās personas” norādiet unikālās personas: kas saņēma vairākus pakalpojumus, skaitāms vienu reizi.",
    "Mērķa grupu, pakalpojumu, posmu, programmu un finansējuma avotu izvēlieties no saraksta.",
    "Finanšu lapā kopsummu neievadiet — to aprēķina automātiski.",
    "Nepārdēvējiet lapas un kolonnas. Saglabājiet failu .xlsx formātā (der arī katras lapas CSV) "
    "un nosūtiet plānošanas reģionam.",
)
_INSTRUCTIONS_EN = (
    "Fill in every sheet for the reporting year (1 January–31 December). The municipality and year are filled in.",
    "Enter totals only. Never enter names, surnames or personal identity codes — a form holding them is refused.",
    "A blank cell means “not reported”; if there were no persons, enter 0.",
    "Numbers of persons are whole numbers. Money in euro (EUR), dates as DD.MM.YYYY.",
    "“First time” means persons who got the service under the plan for the first time; never more than persons served.",
    "On the “New persons” sheet count unique persons: a person who used several services counts once.",
    "Choose target groups, services, milestones, programmes and funds from the dropdown lists.",
    "Do not enter the total on the finance sheet — it is computed.",
    "Do not rename sheets or columns. Save as .xlsx (a CSV of each sheet is accepted too) "
    "and send it to the planning region.",
)


def _write_instructions(ws, content: FormContent, lang: str) -> None:
    ws.cell(TITLE_ROW, 1, _title(content, lang)).font = _TITLE_FONT
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=8)
    _identity(ws, content, lang, IDENTITY_ROW)
    due = due_date(content.year)
    label = "Iesniegšanas termiņš:" if lang == "lv" else "Due date:"
    ws.cell(NOTE_ROW, 1, label).font = _BOLD
    ws.cell(NOTE_ROW, 2, due).number_format = DATE_FORMAT
    ws.cell(NOTE_ROW, 2).alignment = Alignment(horizontal="left")
    row = NOTE_ROW + 2
    ws.cell(row, 1, "Norādījumi" if lang == "lv" else "Instructions").font = _BOLD
    for number, text in enumerate(_INSTRUCTIONS_LV if lang == "lv" else _INSTRUCTIONS_EN, start=1):
        row += 1
        ws.cell(row, 1, f"{number}.")
        ws.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 32
    row += 2
    ws.cell(row, 1, "Mērķa grupas" if lang == "lv" else "Target groups").font = _BOLD
    for code in v.TARGET_GROUPS:
        row += 1
        ws.cell(row, 1, code)
        ws.cell(row, 2, v.label(v.TARGET_GROUPS, code, lang))
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 22
    for column in "CDEFGH":
        ws.column_dimensions[column].width = 14
    ws.protection.sheet = True


class _ListsSheet:
    """A hidden sheet holding the dropdown lists, one column each."""

    def __init__(self, workbook: Workbook):
        self.ws = workbook.create_sheet(LISTS_SHEET)
        self.columns: dict[tuple, str] = {}

    def range_for(self, title: str, labels: list[str]) -> str:
        key = (title, *labels)
        if key not in self.columns:
            column = len(self.columns) + 1
            self.ws.cell(1, column, title).font = _BOLD
            for i, label in enumerate(labels, start=2):
                self.ws.cell(i, column, label)
            letter = get_column_letter(column)
            self.columns[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        return self.columns[key]

    def finish(self) -> None:
        """Hide and lock the lists and move them behind the data sheets."""
        self.ws.sheet_state = "hidden"
        self.ws.protection.sheet = True
        workbook = self.ws.parent
        workbook.move_sheet(self.ws, offset=len(workbook.sheetnames) - 1 - workbook.sheetnames.index(LISTS_SHEET))


def _write_sheet(ws, sheet: FormSheet, content: FormContent, lang: str, lists: _ListsSheet) -> None:
    width = max(len(sheet.columns), 6)
    ws.cell(TITLE_ROW, 1, f"{sheet.title_lv if lang == 'lv' else sheet.title_en} — {content.name}, {content.year}")
    ws.cell(TITLE_ROW, 1).font = _TITLE_FONT
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
    _identity(ws, content, lang, IDENTITY_ROW)
    ws.cell(NOTE_ROW, 1, sheet.note_lv if lang == "lv" else sheet.note_en).alignment = _WRAP
    ws.merge_cells(start_row=NOTE_ROW, start_column=1, end_row=NOTE_ROW, end_column=width)
    ws.row_dimensions[NOTE_ROW].height = 30
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(HEADER_ROW, c, column.header(lang))
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 45
    rows = content.rows[sheet.key]
    last = FIRST_DATA_ROW + len(rows) + sheet.spare_rows - 1
    for r, values in enumerate(rows, start=FIRST_DATA_ROW):
        for c, column in enumerate(sheet.columns, start=1):
            _write_value(ws.cell(r, c), column, values.get(column.name), content, lang)
    if last >= FIRST_DATA_ROW:
        for c, column in enumerate(sheet.columns, start=1):
            _format_column(ws, c, column, FIRST_DATA_ROW, last, content, lang, lists)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.protection.sheet = True
    # people may add or remove lines and widen columns; the header rows stay locked
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_value(cell, column: FormColumn, value, content: FormContent, lang: str) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    if column.kind == "choice":
        cell.value = choice_label(column, value, lang)
    elif column.kind == "count":
        cell.value = int(value)
    elif column.kind == "money":
        cell.value = float(value)
    elif column.kind == "date":
        cell.value = pd.Timestamp(value).to_pydatetime()
    else:
        cell.value = str(value)


def _format_column(ws, c: int, column: FormColumn, first: int, last: int, content, lang, lists) -> None:
    letter = get_column_letter(c)
    area = f"{letter}{first}:{letter}{last}"
    validation = _validation(column, content, lang, lists)
    if validation is not None:
        ws.add_data_validation(validation)
        validation.add(area)
    for r in range(first, last + 1):
        cell = ws.cell(r, c)
        if column.kind == "info":
            continue  # a project's name is shown for orientation; it is locked and not read
        cell.protection = _UNLOCKED
        cell.fill = _INPUT_FILL
        cell.number_format = {"count": "0", "money": "#,##0.00", "date": DATE_FORMAT}.get(column.kind, "@")


def _validation(column: FormColumn, content: FormContent, lang: str, lists: _ListsSheet) -> DataValidation | None:
    lv = lang == "lv"
    if column.kind in ("choice", "project"):
        if column.kind == "project":
            labels = list(content.projects)
        else:
            labels = [choice_label(column, code, lang) for code in column.choices]
        if not labels:
            return None
        return DataValidation(
            type="list",
            formula1=lists.range_for(column.header(lang), labels),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Vērtība nav sarakstā" if lv else "Not in the list",
            error="Izvēlieties vērtību no saraksta." if lv else "Choose a value from the list.",
        )
    if column.kind == "count":
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Vesels skaitlis" if lv else "Whole number",
            error="Ierakstiet veselu skaitli, 0 vai vairāk." if lv else "Enter a whole number, 0 or more.",
        )
    if column.kind == "date":
        return DataValidation(
            type="date",
            operator="between",
            formula1="DATE(2010,1,1)",
            formula2="DATE(2035,12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Datums" if lv else "Date",
            error="Ierakstiet datumu formā DD.MM.GGGG." if lv else "Enter a date as DD.MM.YYYY.",
        )
    if column.kind == "money":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Summa eiro" if lv else "Amount in euro",
            error="Ierakstiet summu eiro, 0 vai vairāk." if lv else "Enter an amount in euro, 0 or more.",
        )
    return None
