"""What intake says: a Finding (file, sheet, cell, header, value, rule), its Latvian and English texts, IntakeError."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from di_eval.errors import DataValidationError, Problem
from di_eval.intake import privacy
from di_eval.intake.form import DATE_PATTERN, HEADER_ROW, IDENTITY_LABELS, IDENTITY_ROW
from di_eval.text import Text

# --- messages ---------------------------------------------------------------------------------

_MUNICIPALITY, _YEAR = IDENTITY_LABELS["municipality"], IDENTITY_LABELS["year"]  # the form's own labels
# one rule, two messages: unique persons below the largest service or above the sum of services
_ANY_BOUNDS_ADVICE = (
    "Pakalpojumu saņēmušo personu (katra skaitīta vienu reizi) ir vismaz tik, cik lielākajā pakalpojumā, un ne vairāk "
    "kā visu pakalpojumu summa, ja ziņots par visiem pakalpojumiem.",
    "Unique persons are at least the largest service and, when every service is reported, at most their sum.",
)

# rule: (Latvian message, English message, Latvian advice, English advice); {names} come from params.
_MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "file_missing": (
        "fails nav atrasts",
        "file not found",
        "Pārbaudiet faila nosaukumu un atrašanās vietu.",
        "Check the file's name and location.",
    ),
    "file_unreadable": (
        "failu nevar nolasīt ({detail})",
        "the file cannot be read ({detail})",
        "Pārbaudiet, vai failam (un tā mapei) ir lasīšanas tiesības, un mēģiniet vēlreiz.",
        "Check that the file (and its folder) may be read, and try again.",
    ),
    "too_many_rows": (
        "lapā “{sheet_name}” ir vairāk nekā {limit} rindu: tā nav veidlapas lapa",
        "the sheet '{sheet_name}' has more than {limit} rows: it is not a sheet of the form",
        "Izdzēsiet lieko lapu (arī paslēptu) vai rindas un nosūtiet failu vēlreiz.",
        "Delete the extra sheet (hidden ones too) or rows, and send the file again.",
    ),
    "too_many_columns": (
        "lapā “{sheet_name}” ir aizpildītas vairāk nekā {limit} kolonnas: tā nav veidlapas lapa",
        "the sheet '{sheet_name}' uses more than {limit} columns: it is not a sheet of the form",
        "Izdzēsiet liekās kolonnas vai lapu un nosūtiet failu vēlreiz.",
        "Delete the extra columns or sheet, and send the file again.",
    ),
    "file_empty": (
        "fails ir tukšs (0 baitu)",
        "the file is empty (0 bytes)",
        "Lūdziet pašvaldību nosūtīt aizpildīto veidlapu vēlreiz.",
        "Ask the municipality to send the filled form again.",
    ),
    "file_too_large": (
        "fails ir pārāk liels ({size_mb} MB; atļauts līdz {limit_mb} MB)",
        "the file is too large ({size_mb} MB; the limit is {limit_mb} MB)",
        "Iesniedziet tikai veidlapu: izdzēsiet liekās lapas, attēlus un rindas un saglabājiet no jauna.",
        "Send only the form: remove extra sheets, pictures and rows, then save it again.",
    ),
    "password_protected": (
        "fails ir aizsargāts ar paroli (šifrēts), to nevar nolasīt",
        "the file is password-protected (encrypted) and cannot be read",
        "Atveriet failu, saglabājiet to bez paroles un nosūtiet vēlreiz.",
        "Open the file, save it without a password and send it again.",
    ),
    "legacy_xls": (
        "vecais Excel 97–2003 (.xls) formāts netiek pieņemts",
        "the old Excel 97–2003 (.xls) format is not accepted",
        "Saglabājiet failu kā Excel darbgrāmatu (.xlsx).",
        "Save the file as an Excel workbook (.xlsx).",
    ),
    "ods": (
        "OpenDocument (.ods) izklājlapa netiek pieņemta",
        "an OpenDocument (.ods) spreadsheet is not accepted",
        "LibreOffice: Fails → Saglabāt kā → Excel 2007-365 (.xlsx).",
        "LibreOffice: File → Save As → Excel 2007-365 (.xlsx).",
    ),
    "not_spreadsheet": (
        "fails nav izklājlapa (.xlsx) vai CSV",
        "the file is not a spreadsheet (.xlsx) or CSV",
        "Iesniedziet aizpildīto veidlapu .xlsx vai CSV formātā.",
        "Send the filled form as .xlsx or CSV.",
    ),
    "corrupt": (
        "failu nevar atvērt: tas ir bojāts vai nepilnīgs ({detail})",
        "the file cannot be opened: it is corrupt or incomplete ({detail})",
        "Atveriet to izklājlapu programmā, saglabājiet no jauna un nosūtiet vēlreiz.",
        "Open it in a spreadsheet program, save it again and send it again.",
    ),
    "csv_unreadable": (
        "CSV failu nevar nolasīt ({detail})",
        "the CSV file cannot be read ({detail})",
        "Saglabājiet lapu kā CSV (UTF-8 vai Windows-1257, atdalītājs komats vai semikols).",
        "Save the sheet as CSV (UTF-8 or Windows-1257, comma or semicolon separated).",
    ),
    "sheet_missing": (
        "trūkst lapas “{sheet_name}”",
        "sheet '{sheet_name}' is missing",
        "Izmantojiet veidlapu ar visām lapām; lapas nedzēsiet un nepārdēvējiet.",
        "Use the form with all its sheets; do not delete or rename sheets.",
    ),
    "header_missing": (
        "lapā nav atrasta kolonnu galvenes rinda",
        "no row of column headers found on the sheet",
        f"Atjaunojiet galvenes rindu ({HEADER_ROW}. rinda) tādu, kāda tā ir tukšajā veidlapā.",
        f"Restore the header row (row {HEADER_ROW}) as it is in the blank form.",
    ),
    "not_data_sheet": (
        "šis ir veidlapas lapas “{sheet_name}” eksports: tajā nav datu",
        "this is an export of the form's sheet '{sheet_name}': it holds no data",
        "Šo failu ielādēt nav vajadzīgs; ielādējiet datu lapu CSV failus.",
        "There is no need to ingest this file; ingest the CSV files of the data sheets.",
    ),
    "table_unknown": (
        "nevar noteikt, kurai veidlapas lapai atbilst šie dati: nav atpazīstamas kolonnu galvenes",
        "cannot tell which sheet of the form this is: no recognised column headers",
        "Saglabājiet CSV no veidlapas lapas, nemainot kolonnu nosaukumus.",
        "Export the CSV from a sheet of the form without changing its column names.",
    ),
    "column_missing": (
        "trūkst kolonnas “{expected}”{unrecognised}",
        "column '{expected}' is missing{unrecognised}",
        "Atjaunojiet veidlapas kolonnas nosaukumu “{expected}” galvenes rindā; kolonnu secība var būt jebkura.",
        "Restore the form's column name '{expected}' in the header row; the columns may be in any order.",
    ),
    "municipality_missing": (
        "nav norādīta pašvaldība",
        "the municipality is not stated",
        f"Ierakstiet pašvaldības nosaukumu vai ATVK kodu šūnā aiz “{_MUNICIPALITY.lv}” ({IDENTITY_ROW}. rinda).",
        f"Enter the municipality's name or ATVK code in the cell after '{_MUNICIPALITY.en}' (row {IDENTITY_ROW}).",
    ),
    "municipality_unknown": (
        "nezināma pašvaldība",
        "unknown municipality",
        "Norādiet Kurzemes plānošanas reģiona pašvaldību ar nosaukumu vai ATVK kodu, piem., “Saldus novads” vai 0840200.",
        "Name a municipality of the Kurzeme planning region or give its ATVK code, e.g. 'Saldus novads' or 0840200.",
    ),
    "municipality_conflict": (
        "veidlapā norādītas dažādas pašvaldības ({first} un {second})",
        "the form names different municipalities ({first} and {second})",
        "Vienā veidlapā drīkst būt tikai vienas pašvaldības dati; izlabojiet pašvaldību visās lapās.",
        "A form holds one municipality's data; correct the municipality on every sheet.",
    ),
    "year_missing": (
        "nav norādīts gads",
        "the year is not stated",
        f"Ierakstiet pārskata gadu šūnā aiz “{_YEAR.lv}” ({IDENTITY_ROW}. rinda).",
        f"Enter the reporting year in the cell after '{_YEAR.en}' (row {IDENTITY_ROW}).",
    ),
    "year_invalid": (
        "gads nav skaitlis",
        "the year is not a number",
        "Ierakstiet gadu ar četriem cipariem, piem., 2020.",
        "Enter the year with four digits, e.g. 2020.",
    ),
    "year_outside": (
        "gads {year} ir ārpus plāna perioda {first}–{last}",
        "year {year} is outside the plan's period {first}–{last}",
        "Norādiet pārskata gadu no {first} līdz {last}.",
        "Give a reporting year from {first} to {last}.",
    ),
    "year_conflict": (
        "veidlapā norādīti dažādi gadi ({first} un {second})",
        "the form states different years ({first} and {second})",
        "Vienā veidlapā drīkst būt tikai viena gada dati; izlabojiet gadu visās lapās.",
        "A form holds one year's data; correct the year on every sheet.",
    ),
    "not_a_number": (
        "nav skaitlis",
        "not a number",
        "Ierakstiet skaitli, piem., 12 (bez teksta un mērvienībām); ja datu nav, atstājiet šūnu tukšu.",
        "Enter a number, e.g. 12 (no text or units); leave the cell blank if not known.",
    ),
    "fractional": (
        "personu skaitam jābūt veselam skaitlim",
        "a number of persons must be a whole number",
        "Ierakstiet veselu skaitli bez daļām (piem., 3, nevis 3,5).",
        "Enter a whole number without a fraction (e.g. 3, not 3.5).",
    ),
    "negative": (
        "nevar būt negatīvs",
        "must not be negative",
        "Ierakstiet 0 vai lielāku skaitli; ja datu nav, atstājiet šūnu tukšu.",
        "Enter 0 or more; leave the cell blank if not known.",
    ),
    "date_outside": (
        "datums ārpus 2000.–2100. gada",
        "a date outside 2000–2100",
        f"Pārbaudiet gadu: ierakstiet datumu formā {DATE_PATTERN.lv}, piem., 30.09.2020.",
        f"Check the year: enter a date as {DATE_PATTERN.en}, e.g. 30.09.2020.",
    ),
    "not_a_date": (
        "nav datums",
        "not a date",
        f"Ierakstiet datumu formā {DATE_PATTERN.lv}, piem., 30.09.2020.",
        f"Enter a date as {DATE_PATTERN.en}, e.g. 30.09.2020.",
    ),
    "formula_no_value": (
        "formulai nav aprēķinātas vērtības",
        "the formula has no computed value",
        "Atveriet failu izklājlapu programmā (lai formulas tiktu aprēķinātas) un saglabājiet no jauna, vai ierakstiet skaitli.",
        "Open the file in a spreadsheet program (so that formulas are computed) and save it again, or type the number.",
    ),
    "formula_error": (
        "formulas kļūda",
        "formula error",
        "Izlabojiet formulu vai ierakstiet skaitli.",
        "Correct the formula or type the number.",
    ),
    "choice_unknown": (
        "vērtība nav atļauto sarakstā",
        "not one of the allowed values",
        "Izvēlieties no saraksta: {choices}.",
        "Choose from the list: {choices}.",
    ),
    "key_missing": (
        "rindā ir dati, bet kolonna “{expected}” ir tukša",
        "the row has data but '{expected}' is blank",
        "Izvēlieties vērtību no saraksta vai izdzēsiet rindu.",
        "Choose a value from the list or delete the row.",
    ),
    "service_not_in_plan": (
        "plāns šai mērķa grupai neparedz šo pakalpojumu",
        "the plan does not give this service to this target group",
        "Šai mērķa grupai izvēlieties: {choices}.",
        "For this target group choose: {choices}.",
    ),
    "any_on_services": (
        "personas, kas saņēma kādu pakalpojumu (katra skaitīta vienu reizi), šajā lapā neraksta",
        "unique persons (any service) do not belong on this sheet",
        "Ierakstiet tās lapā “{sheet_name}”.",
        "Enter them on the sheet '{sheet_name}'.",
    ),
    "duplicate_row": (
        "šī rinda atkārto rindu {first_row}",
        "this row repeats row {first_row}",
        "Atstājiet vienu rindu ar šo kombināciju.",
        "Keep one row for this combination.",
    ),
    "new_exceeds_served": (
        "jauno personu ({low}) ir vairāk nekā saņēmēju ({high}, šūna {other})",
        "more new persons ({low}) than persons served ({high}, cell {other})",
        "Pārbaudiet abus skaitļus: jaunās personas ir daļa no visiem saņēmējiem.",
        "Check both numbers: the new persons are part of all persons served.",
    ),
    "support_exceeds_assessments": (
        "atbalsta plānu ({low}) ir vairāk nekā izvērtējumu ({high}, šūna {other})",
        "more support plans ({low}) than assessments ({high}, cell {other})",
        "Atbalsta plānu izstrādā pēc izvērtējuma: pārbaudiet abus skaitļus.",
        "A support plan follows an assessment: check both numbers.",
    ),
    "any_below_largest": (
        "personu, kas saņēma kādu pakalpojumu ({value}), ir mazāk nekā lielākajā pakalpojumā ({largest}, lapa “{sheet_name}”)",
        "fewer unique persons ({value}) than in the largest single service ({largest}, sheet '{sheet_name}')",
        *_ANY_BOUNDS_ADVICE,
    ),
    "any_above_sum": (
        "personu, kas saņēma kādu pakalpojumu ({value}), ir vairāk nekā visu pakalpojumu summa ({total}, lapa “{sheet_name}”)",
        "more unique persons ({value}) than the sum over services ({total}, sheet '{sheet_name}')",
        *_ANY_BOUNDS_ADVICE,
    ),
    "project_unknown": (
        "nezināms infrastruktūras projekts",
        "unknown infrastructure project",
        "Izvēlieties pašvaldības projektu no saraksta ({choices}); par jaunu projektu sazinieties ar plānošanas reģionu.",
        "Choose one of the municipality's projects ({choices}); for a new project contact the planning region.",
    ),
    "project_elsewhere": (
        "projekts pieder citai pašvaldībai ({owner})",
        "the project belongs to another municipality ({owner})",
        "Ierakstiet tikai savas pašvaldības projektus: {choices}.",
        "Enter only your municipality's projects: {choices}.",
    ),
    "milestone_order": (
        "posma datums ir agrāks par iepriekšējā posma datumu ({previous}, šūna {other})",
        "the milestone is dated before the previous milestone ({previous}, cell {other})",
        "Pārbaudiet datumus: būvdarbu sākums ≤ būvdarbu pabeigšana ≤ pakalpojuma uzsākšana.",
        "Check the dates: construction start ≤ construction end ≤ service opened.",
    ),
    "form_blank": (
        "veidlapā nav neviena skaitļa vai datuma",
        "the form holds no number or date at all",
        "Aizpildiet veidlapu; ja pašvaldība datus neiesniedz, failu neielādējiet.",
        "Fill in the form; if the municipality sends no data, do not ingest the file.",
    ),
    "personal_code": (
        "šūnā ir personas kods ({masked}); fails netiek pieņemts",
        "the cell holds a personal identity code ({masked}); the file is refused",
        "Izdzēsiet personas kodus: veidlapā drīkst būt tikai kopskaiti. Nosūtiet failu no jauna.",
        "Delete personal codes: the form holds totals only. Send the file again.",
    ),
    "person_names": (
        "kolonnā ir personu vārdi ({cells}); fails netiek pieņemts",
        "the column holds person names ({cells}); the file is refused",
        "Izdzēsiet vārdus un uzvārdus: veidlapā drīkst būt tikai kopskaiti. Nosūtiet failu no jauna.",
        "Delete names: the form holds totals only. Send the file again.",
    ),
    "already_received": (
        "par {name} {year}. gadu jau saņemts cits fails ({received}, {earlier})",
        "a different file for {name}, {year} was already received ({received}, {earlier})",
        "Ja šis fails aizstāj iepriekšējo, ielādējiet ar --replace (iepriekšējais fails tiek saglabāts).",
        "If this file replaces the earlier one, ingest with --replace (the earlier file is kept).",
    ),
    "duplicate_in_batch": (
        "šajā ielādē ir vēl viens fails par {name} {year}. gadu ({other})",
        "another file in this ingest is for {name}, {year} too ({other})",
        "Ielādējiet vienu failu par katru pašvaldību un gadu.",
        "Ingest one file per municipality and year.",
    ),
    "dataset_rule": (
        "pēc apvienošanas datu kopa neatbilst noteikumam: {detail}",
        "after merging, the dataset breaks a rule: {detail}",
        "Izlabojiet vērtību veidlapā vai datu kopā (pārbaude: di-eval check).",
        "Correct the value in the form or in the dataset (check: di-eval check).",
    ),
}

# rule: (message, advice), each said in both languages.
MESSAGES: dict[str, tuple[Text, Text]] = {
    rule: (Text(lv, en), Text(advice_lv, advice_en)) for rule, (lv, en, advice_lv, advice_en) in _MESSAGES.items()
}
_IN_SHEET = Text("lapa “{sheet}”", "sheet “{sheet}”")
_IN_CELL = Text("šūna {cell}", "cell {cell}")
_VALUE = Text(" (vērtība: “{value}”)", " (value: “{value}”)")
_TEXT = Text("{where}: {message}{value}. Ko darīt: {advice}", "{where}: {message}{value}. What to do: {advice}")

# Rules whose message already states the value: the text does not repeat it.
_VALUE_IN_MESSAGE = {
    "personal_code",
    "new_exceeds_served",
    "support_exceeds_assessments",
    "any_below_largest",
    "any_above_sum",
    "year_outside",
}


@dataclass(frozen=True)
class Finding:
    """One problem with a submitted file: where it is (file, sheet, cell, header), the value and the rule."""

    file: str
    sheet: str | None
    cell: str | None
    header: str | None
    value: object
    rule: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def row(self) -> int | None:
        """The row number as the spreadsheet shows it."""
        match = re.fullmatch(r"[A-Z]+(\d+)", self.cell or "")
        return int(match.group(1)) if match else None

    def _params(self, lang: str) -> dict:
        """The message parameters in ``lang``: a parameter given as a ``Text`` is said in that language."""
        return {k: x(lang) if isinstance(x, Text) else x for k, x in self.params}

    def message(self, lang: str = "lv") -> str:
        return MESSAGES[self.rule][0](lang, **self._params(lang))

    def advice(self, lang: str = "lv") -> str:
        return MESSAGES[self.rule][1](lang, **self._params(lang))

    def where(self, lang: str = "lv") -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(_IN_SHEET(lang, sheet=self.sheet))
        cell = _IN_CELL(lang, cell=self.cell) if self.cell else ""
        header = f"“{self.header}”" if self.header else ""
        if cell or header:
            parts.append(" ".join(x for x in (cell, header) if x))
        return ", ".join(parts)

    def text(self, lang: str = "lv") -> str:
        shown = self.value not in (None, "") and self.rule not in _VALUE_IN_MESSAGE
        value = _VALUE(lang, value=self.value) if shown else ""
        return _TEXT(lang, where=self.where(lang), message=self.message(lang), value=value, advice=self.advice(lang))

    def __str__(self) -> str:
        return self.text("lv")

    def as_dict(self, lang: str = "lv") -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "header": self.header,
            "value": self.value,
            "rule": self.rule,
            "message": self.message(lang),
            "advice": self.advice(lang),
        }

    def problem(self, lang: str = "lv") -> Problem:
        """The finding as a Problem of the package's error type."""
        file = f"{self.file} [{self.sheet}]" if self.sheet else self.file
        column = " ".join(x for x in (self.cell, self.header and f"“{self.header}”") if x) or None
        return Problem(file, self.row, column, self.value, f"{self.message(lang)}. {self.advice(lang)}")


class IntakeError(DataValidationError):
    """Raised when submitted files cannot be accepted; carries every finding (file, sheet, cell, rule)."""

    def __init__(self, findings: Sequence[Finding], source: str = "intake", lang: str = "lv"):
        self.findings = list(findings)
        self.lang = lang
        super().__init__([f.problem(lang) for f in self.findings], source)

    def __reduce__(self):
        return (self.__class__, (self.findings, self.source, self.lang))


def printable(value: object) -> object:
    """A cell's value as it may be printed: personal codes masked, names hidden, long text cut."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return privacy.redact(value) if privacy.find_personal_codes(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if privacy.looks_like_person_name(value):
        return "***"
    text = privacy.redact(value)
    return text if len(text) <= 60 else text[:57] + "..."
