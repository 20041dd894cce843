"""The indicator catalogue: every indicator documented once, in Latvian and English.

Reports, the README and the `Evaluation` tables draw their names and definitions from here.
Each entry's names are ``Text`` pairs (Latvian, English), written in one style; ``CATALOGUE`` is
the table of them, a DataFrame with one row per indicator: code, table (the ``Evaluation``
attribute that holds it), name_lv, name_en, definition_lv, definition_en, numerator,
denominator, unit, disclosure ("suppressed": person counts after disclosure control;
"derived": shown only where its inputs are published; "not suppressed").
"""

from __future__ import annotations

import pandas as pd

from di_eval.analysis.indicators import STATUS_BANDS
from di_eval.text import LANGUAGES, Text, check_lang

_ROWS = [
    # --- persons served -----------------------------------------------------------------------
    {
        "code": "persons_served",
        "table": "persons_by_year",
        "name": Text("Pakalpojumus saņēmušās personas gadā", "Persons served in a year"),
        "definition": Text(
            "Personas (katra skaitīta vienu reizi), kas gada laikā saņēmušas projekta apmaksātu "
            "pakalpojumu, pēc mērķa grupas un pakalpojuma; „jebkurš pakalpojums“ – personas, kas "
            "saņēmušas kādu no grupas pakalpojumiem, katra skaitīta vienu reizi.",
            "Unique persons who received a project-paid service during the year, by target "
            "group and service; “any service”: unique persons across all services of the group.",
        ),
        "numerator": "persons_served",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "persons_new",
        "table": "persons_by_year",
        "name": Text("Jaunas personas gadā", "New persons in a year"),
        "definition": Text(
            "No gadā pakalpojumu saņēmušajām personām tās, kas pakalpojumu saņēmušas pirmo reizi plāna ietvaros.",
            "Of the persons served in the year, those served for the first time under the plan.",
        ),
        "numerator": "persons_new",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "persons_cumulative",
        "table": "persons_cumulative",
        "name": Text(
            "Pakalpojumu saņēmušās personas kopš plāna sākuma (katra skaitīta vienu reizi)",
            "Persons served since the plan began (each counted once)",
        ),
        "definition": Text(
            "Jauno personu summa pa gadiem, kuru 31. decembris nav vēlāks par izvērtējuma datumu "
            "(nekad – gadā pakalpojumu saņēmušo personu summa).",
            "Sum of new persons over the years whose 31 December is on or before the as-of date "
            "(never the sum of persons served per year).",
        ),
        "numerator": "sum of persons_new",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "municipalities_served",
        "table": "municipalities_served_by_year",
        "name": Text("Pašvaldības, kurās sniegti pakalpojumi", "Municipalities where services were given"),
        "definition": Text(
            "Izvēlētās struktūras pašvaldību skaits, kurās gadā pakalpojumu saņēmusi vismaz viena "
            "persona ar FT vai GRT (slēpts skaits nav 0, tāpēc tiek skaitīts).",
            "Number of municipalities of the chosen structure where at least one person with FT "
            "or GRT was served in the year (a hidden count is not 0, so it counts).",
        ),
        "numerator": "municipalities with persons_served('any') > 0",
        "denominator": "",
        "unit": "municipalities",
        "disclosure": "derived",
    },
    # --- targets ------------------------------------------------------------------------------
    {
        "code": "target_value",
        "table": "target_history",
        "name": Text("Plāna mērķis", "Plan target"),
        "definition": Text(
            "Reģiona mērķis (FT, GRT, VSAC) plāna redakcijā, kas ir spēkā izvērtējuma datumā; "
            "iepriekšējās redakcijas un to maiņas datumi ir mērķu vēstures tabulā.",
            "The region's target (FT, GRT, VSAC) in the plan version in force at the as-of date; "
            "earlier versions and the dates they changed are in target_history.",
        ),
        "numerator": "value",
        "denominator": "",
        "unit": "persons",
        "disclosure": "not suppressed",
    },
    {
        "code": "achievement_rate",
        "table": "achievement",
        "name": Text("Mērķa izpilde", "Achievement against target"),
        "definition": Text(
            "FT un GRT: kopējais personu skaits visos pakalpojumos (katra skaitīta vienu reizi); VSAC: iemītnieku pārcelšanās uz "
            "pašvaldību kopskaits; dalīts ar spēkā esošās redakcijas mērķi. Nav rādīts, ja skaitītājs ir slēpts.",
            "FT and GRT: cumulative unique persons (any service); VSAC: cumulative moves of residents to "
            "a municipality; divided by the target of the version in force. Not shown when the numerator is hidden.",
        ),
        "numerator": "achieved",
        "denominator": "target_value",
        "unit": "share",
        "disclosure": "derived",
    },
    {
        "code": "expected_rate",
        "table": "achievement",
        "name": Text("Sagaidāmā izpilde pēc laika", "Expected progress from time elapsed"),
        "definition": Text(
            "Pagājušo dienu daļa laikposmā no 2017. gada 1. janvāra līdz 2023. gada 31. decembrim "
            "(projekts ilgst līdz 2023. gadam, grozījumu Nr. 8 mērķi attiecas uz 2023. gadu; tas pats "
            "laikposms visām redakcijām).",
            "Share of days elapsed between 1 January 2017 and 31 December 2023 (the project runs "
            "to 2023 and amendment No. 8 sets its targets for 2023; the same period for every version).",
        ),
        "numerator": "days 2017-01-01..as_of",
        "denominator": "days 2017-01-01..2023-12-31",
        "unit": "share",
        "disclosure": "not suppressed",
    },
    {
        "code": "status",
        "table": "achievement",
        "name": Text("Izpildes statuss", "Progress status"),
        "definition": Text(
            "Izpilde salīdzinājumā ar sagaidāmo: apsteidz plānoto (≥ 1,10), atbilst plānotajam ([0,90; 1,10)), "
            "pastāv risks ([0,70; 0,90)), atpaliek no plānotā (< 0,70); ja sagaidāmā ir 0 – apsteidz plānoto, ja "
            "izpilde > 0, citādi atbilst plānotajam.",
            "Achievement over expected progress: ahead of plan (≥ 1.10), on track ([0.90, 1.10)), at risk "
            "([0.70, 0.90)), behind plan (< 0.70); with nothing expected yet: ahead of plan if anything is achieved, "
            "else on track.",
        ),
        "numerator": "achievement_rate",
        "denominator": "expected_rate",
        "unit": "band",
        "disclosure": "derived",
    },
    # --- transitions, needs ---------------------------------------------------------------------
    {
        "code": "vsac_to_municipality",
        "table": "transitions",
        "name": Text(
            "VSAC „Kurzeme“ iemītnieki, kas pārcēlušies uz pašvaldību",
            "VSAC “Kurzeme” residents moved to a municipality",
        ),
        "definition": Text(
            "Pārcelšanās gadā pēc uzņēmējas pašvaldības; kopskaits – gadu summa; reģionā salīdzina ar VSAC mērķi.",
            "Moves in the year by receiving municipality; cumulative = sum over the years; "
            "compared with the VSAC target for the region.",
        ),
        "numerator": "persons",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "bsac_to_family_like_care",
        "table": "transitions",
        "name": Text(
            "Bērni no BSAC ģimeniskai videi pietuvinātā pakalpojumā", "Children from BSAC moved to family-like care"
        ),
        "definition": Text(
            "Pārcelšanās gadā pēc pašvaldības; kopskaits – gadu summa.",
            "Moves in the year by municipality; cumulative = sum over the years.",
        ),
        "numerator": "persons",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "needs_assessments",
        "table": "needs",
        "name": Text("Individuālo vajadzību izvērtējumi", "Individual needs assessments"),
        "definition": Text(
            "Gadā veiktie izvērtējumi pēc mērķa grupas (FT, GRT).",
            "Assessments made in the year, by target group (FT, GRT).",
        ),
        "numerator": "assessments",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "support_plans",
        "table": "needs",
        "name": Text("Atbalsta plāni", "Support plans"),
        "definition": Text(
            "Gadā sagatavotie atbalsta plāni pēc mērķa grupas.",
            "Support plans drawn up in the year, by target group.",
        ),
        "numerator": "support_plans",
        "denominator": "",
        "unit": "persons",
        "disclosure": "suppressed",
    },
    {
        "code": "support_plan_rate",
        "table": "needs",
        "name": Text("Atbalsta plānu īpatsvars", "Share with a support plan"),
        "definition": Text(
            "Atbalsta plāni, dalīti ar izvērtējumiem; rādīts tikai tad, ja abi skaitļi ir publicēti.",
            "Support plans over assessments; shown only where both counts are published.",
        ),
        "numerator": "support_plans",
        "denominator": "assessments",
        "unit": "share",
        "disclosure": "derived",
    },
    # --- infrastructure ---------------------------------------------------------------------------
    {
        "code": "places_planned",
        "table": "infrastructure",
        "name": Text("Plānotās vietas", "Places planned"),
        "definition": Text(
            "ERAF infrastruktūras projektā plānotās vietas.",
            "Places planned in an ERDF infrastructure project.",
        ),
        "numerator": "places_planned",
        "denominator": "",
        "unit": "places",
        "disclosure": "not suppressed",
    },
    {
        "code": "places_created",
        "table": "infrastructure",
        "name": Text("Izveidotās vietas", "Places created"),
        "definition": Text(
            "Vietas projektos, kuru būvdarbi pabeigti līdz izvērtējuma datumam (citādi 0).",
            "Places in projects whose construction finished by the as-of date (else 0).",
        ),
        "numerator": "places_created",
        "denominator": "",
        "unit": "places",
        "disclosure": "not suppressed",
    },
    {
        "code": "infrastructure_status",
        "table": "infrastructure",
        "name": Text("Projekta statuss", "Project status"),
        "definition": Text(
            "Pakalpojums darbojas, uzbūvēts, būvniecībā, plānots vai izslēgts no plāna "
            "(pašvaldība vairs nav spēkā esošā plāna infrastruktūras sarakstā).",
            "In service (the service opened), built (construction finished), under construction, planned, "
            "or dropped from the plan (the municipality left the infrastructure list of the plan in force).",
        ),
        "numerator": "",
        "denominator": "",
        "unit": "status",
        "disclosure": "not suppressed",
    },
    {
        "code": "milestone_slippage",
        "table": "milestones",
        "name": Text("Posma nobīde", "Milestone slippage"),
        "definition": Text(
            "Faktiskais datums mīnus plānotais; ja posms kavējas, izvērtējuma datums mīnus plānotais. "
            "Statuss: izpildīts agrāk, izpildīts laikā, izpildīts ar nokavējumu, nokavēts, termiņš vēl nav "
            "pienācis (ja plānotā datuma nav — izpildīts).",
            "Actual date minus planned date; for an overdue milestone, the as-of date minus planned. "
            "Status: done early, done on time, done late, overdue, not yet due (done, when there is no planned "
            "date).",
        ),
        "numerator": "actual_date (or as_of) - planned_date",
        "denominator": "",
        "unit": "days",
        "disclosure": "not suppressed",
    },
    {
        "code": "infrastructure_plan_change",
        "table": "infrastructure_plan_changes",
        "name": Text("Izmaiņas infrastruktūras pašvaldību sarakstā", "Changes to the infrastructure list"),
        "definition": Text(
            "Pašvaldības, kas pievienotas vai izņemtas starp secīgām plāna redakcijām "
            "(2017: 11, 2020. gada janvārī: 10 – bez Dundagas).",
            "Municipalities added or removed between consecutive plan versions "
            "(2017: 11, January 2020: 10, without Dundaga).",
        ),
        "numerator": "",
        "denominator": "",
        "unit": "municipalities",
        "disclosure": "not suppressed",
    },
    # --- finance ----------------------------------------------------------------------------------
    {
        "code": "finance",
        "table": "finance",
        "name": Text("Finansējums pa fondiem", "Finance per fund"),
        "definition": Text(
            "Plānotā, līgumos noteiktā un izmaksātā summa pa programmām un fondiem (ESF, ERAF, "
            "valsts, pašvaldības, kopā) par gadiem līdz izvērtējuma datumam.",
            "Planned, contracted and paid amounts per programme and fund (ESF, ERDF, state, "
            "municipal, total) over the years up to the as-of date.",
        ),
        "numerator": "planned_eur, contracted_eur, paid_eur",
        "denominator": "",
        "unit": "EUR",
        "disclosure": "not suppressed",
    },
    {
        "code": "absorption_rate",
        "table": "finance",
        "name": Text("Apguves līmenis", "Absorption rate"),
        "definition": Text(
            "Izmaksātā summa, dalīta ar plānoto.",
            "Amount paid over amount planned.",
        ),
        "numerator": "paid_eur",
        "denominator": "planned_eur",
        "unit": "share",
        "disclosure": "not suppressed",
    },
    # --- data quality -------------------------------------------------------------------------------
    {
        "code": "submissions",
        "table": "completeness",
        "name": Text("Datu pilnīgums", "Data completeness"),
        "definition": Text(
            "Gada veidlapas: gaidītās (viena uz katru 2017. gada pašvaldību), saņemtās, laikā, "
            "ar nokavējumu, nesaņemtās; par gadiem, kuru dati izmantoti.",
            "Yearly forms: expected (one per 2017 municipality), received, on time, late, missing; "
            "for the years whose data are used.",
        ),
        "numerator": "received",
        "denominator": "expected",
        "unit": "forms",
        "disclosure": "not suppressed",
    },
    {
        "code": "warnings",
        "table": "warnings",
        "name": Text("Datu brīdinājumi", "Validation warnings"),
        "definition": Text(
            "Pazīmes, kas prasa pārbaudi, ar svarīgumu (augsts, vidējs, zems); aprēķinātas tikai no "
            "publicētajām vērtībām. Brīdinājumu veidi – datu kvalitātes sadaļā.",
            "Signs that need checking, with importance (high, medium, low); computed from published "
            "values only. Codes: WARNINGS.",
        ),
        "numerator": "",
        "denominator": "",
        "unit": "warnings",
        "disclosure": "derived",
    },
]


def _in_columns(rows: list[dict], fields: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose ``fields`` are ``Text`` pairs, as a table with a ``<field>_lv`` and ``<field>_en`` column each."""
    flat = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key in fields:
                out.update({f"{key}_{lang}": value(lang) for lang in LANGUAGES})
            else:
                out[key] = value
        flat.append(out)
    return pd.DataFrame(flat)


CATALOGUE = _in_columns(_ROWS, ("name", "definition"))

STATUS_TABLE = pd.DataFrame(
    [
        {"status": status, "lowest_ratio": lowest, "highest_ratio": highest}
        for (status, lowest), highest in zip(STATUS_BANDS, [float("inf"), *[lowest for _, lowest in STATUS_BANDS[:-1]]])
    ]
)
"""Status bands as [lowest, highest) ranges of achievement_rate / expected_rate: no gaps."""

WARNINGS = _in_columns(
    [
        {"code": code, "importance": importance, "rule": rule}
        for code, importance, rule in [
            (
                "served_fell_by_half",
                "high",
                Text(
                    "Gadā pakalpojumu saņēmušo personu skaits (jebkurš pakalpojums) ir mazāks par pusi no iepriekšējā gada",
                    "Persons served (any service) fell to less than half of the year before",
                ),
            ),
            (
                "not_reported",
                "high",
                Text(
                    "Pašvaldības gada dati nav iesniegti (tukšs, nevis 0)",
                    "A municipality's figures for a year were not reported (blank, not 0)",
                ),
            ),
            ("missing_submission", "high", Text("Gada veidlapa nav saņemta", "The yearly form was not received")),
            (
                "target_behind",
                "high",
                Text(
                    "Mērķa izpilde atpaliek no plānotā (statuss „atpaliek no plānotā“)",
                    "Achievement is behind plan (status “behind plan”)",
                ),
            ),
            (
                "target_at_risk",
                "medium",
                Text("Mērķa izpilde apdraudēta (statuss „pastāv risks“)", "Achievement is at risk (status “at risk”)"),
            ),
            (
                "milestone_overdue",
                "medium",
                Text(
                    "Infrastruktūras posms nav sasniegts līdz plānotajam datumam",
                    "An infrastructure milestone has passed its planned date",
                ),
            ),
            (
                "late_submission",
                "low",
                Text("Gada veidlapa saņemta pēc termiņa", "The yearly form arrived after the due date"),
            ),
        ]
    ],
    ("rule",),
)


def markdown(lang: str = "en") -> str:
    """The catalogue as a compact Markdown table; the README's table is ``markdown("en")``."""
    suffix = check_lang(lang)
    lines = ["| code | indicator | numerator / denominator | unit | in |", "|---|---|---|---|---|"]
    for row in CATALOGUE.itertuples():
        ratio = (row.numerator or "—") + (f" / {row.denominator}" if row.denominator else "")
        lines.append(f"| `{row.code}` | {getattr(row, f'name_{suffix}')} | {ratio} | {row.unit} | `{row.table}` |")
    return "\n".join(lines)
