"""The texts of a report page's sections, each a Text(lv, en) pair."""

from __future__ import annotations

from di_eval.text import Text

T = {
    "title": Text("{name}: DI plāna ieviešanas izvērtējums", "{name}: evaluation of the DI plan's implementation"),
    "lead": Text(
        "{region_of} deinstitucionalizācijas (DI) plāna 2017.–2020. gadam un projekta "
        "\u201eKurzeme visiem\u201c ieviešana. Dati līdz {date}; mērķi no plāna redakcijas \u201e{version}\u201c.",
        "Implementation of {region_of} deinstitutionalisation (DI) plan 2017–2020 and the "
        "project \u201cKurzeme visiem\u201d. Data up to {date}; targets from the plan version \u201c{version}\u201d.",
    ),
    "synthetic": Text(
        "Uzmanību: šis ziņojums veidots no sintētiskiem parauga datiem, kas atveido publiski zināmos "
        "reģiona kopskaitļus; pašvaldību skaitļi ir izdomāti.",
        "Note: this report is made from the synthetic sample dataset, which reproduces the region's "
        "published totals; the municipal figures are invented.",
    ),
    "summary": Text("Kopsavilkums", "Summary"),
    "commentary": Text("Izvērtētāja komentārs", "Evaluator's commentary"),
    "target_groups": Text("Mērķa grupas un vajadzības", "Target groups and needs"),
    "services": Text("Aktivitātes un sasniegtie rādītāji", "Activities and indicators achieved"),
    "infrastructure": Text("Pakalpojumu un infrastruktūras pieejamība", "Availability of services and infrastructure"),
    "implementation": Text(
        "Ieviešana, plāna izmaiņas un finansējums", "Implementation, changes to the plan and finance"
    ),
    "comparison": Text("Pašvaldību salīdzinājums", "Comparison of municipalities"),
    "history": Text("Plāna redakcijas un notikumu hronoloģija", "Plan versions and timeline"),
    "data_quality": Text("Datu kvalitāte", "Data quality"),
    "method": Text(
        "Metode, konfidencialitātes aizsardzība un izcelsme", "Method, statistical confidentiality and provenance"
    ),
    "key_findings": Text("Galvenie secinājumi", "Key findings"),
    "sample_data": Text("parauga datu kopa (sintētiski dati)", "the sample dataset (synthetic data)"),
    "abbreviations": Text(
        "Saīsinājumi: FT — bērni ar funkcionāliem traucējumiem; GRT — personas ar garīga rakstura traucējumiem; "
        "BSAC — bērnu sociālās aprūpes centri; VSAC „Kurzeme“ — valsts sociālās aprūpes centrs „Kurzeme“; "
        "ERAF — Eiropas Reģionālās attīstības fonds; ESF — Eiropas Sociālais fonds.",
        "Abbreviations: FT — children with functional impairments; GRT — persons with mental disorders; "
        "BSAC — children's social care centres (bērnu sociālās aprūpes centri); VSAC “Kurzeme” — the "
        "state social care centre “Kurzeme”; ERDF — the European Regional Development Fund; ESF — the European "
        "Social Fund. Municipality names are given in Latvian.",
    ),
    "served_short": Text("pakalpojumus saņēmušas personas", "persons served"),
    "needs_by_municipality_caption": Text(
        "Vajadzības un pakalpojumi pa pašvaldībām: izvērtējumi un atbalsta plāni (visi gadi), pakalpojumus "
        "saņēmušas personas (katra skaitīta vienu reizi)",
        "Needs and services by municipality: assessments and support plans (all years), persons served (each "
        "counted once)",
    ),
    "availability_caption": Text(
        "Sabiedrībā balstītu pakalpojumu pieejamība: pakalpojumu saņēmušas personas kopš plāna sākuma",
        "Availability of community-based services: persons served since the plan began",
    ),
    "availability_places": Text(
        "Aiz personu skaita — vietas ERAF projektos, kuru pakalpojums atvērts līdz {date} ({ids}): izveidotās "
        "vietas vai, ja to skaits nav zināms, plānotās. Projekta vietas ir pie katra tā pakalpojuma, tāpēc tās nav "
        "saskaitāmas. Vietu skaits netiek slēpts (konfidencialitātes aizsardzība uz to neattiecas).",
        "After the persons: the places of the ERDF projects whose service had opened by {date} ({ids}): the places "
        "created or, where their number is not known, the places planned. A project's places stand at each of its "
        "services, so they are not to be added up. Numbers of places are not hidden (disclosure control does not "
        "apply to them).",
    ),
    "planned_unused": Text(
        "Pašvaldības plāns paredz pakalpojumu, bet neviens to nav saņēmis: {places}.",
        "The municipality's plan gives the service, but nobody has received it: {places}.",
    ),
    "needs_sum_note": Text(
        "„—“ — summa nav aprēķināta, jo kāda gada skaitlis nav publicējams.",
        "“—”: no sum, because a year's figure is not published.",
    ),
    "own_plan_caption": Text(
        "Pašvaldības plāns un sasniegtais (plāna redakcija: {version})",
        "The municipality's plan and achievement (plan version: {version})",
    ),
    "own_plan_synthetic": Text(
        "Pašvaldības plāna skaitļi ir sintētiski dati (parauga datu kopa), nevis DI plāna patiesie skaitļi.",
        "The municipality's plan figures are synthetic data (the sample dataset), not the DI plan's real figures.",
    ),
    "planned_persons": Text("Plānots personām", "Persons planned"),
    "share_of_region": Text("Daļa reģiona mērķī", "Share of the region's target"),
    "planned_services": Text("Plānotie pakalpojumi", "Services planned"),
    "conclusions": Text("Secinājumi un ieteikumi", "Conclusions and recommendations"),
    "main_findings": Text("Svarīgākie konstatējumi", "The most important findings"),
    "evaluator_text": Text("Izvērtētāja secinājumi un ieteikumi", "The evaluator's conclusions and recommendations"),
    "draft": Text(
        "Melnraksts: izvērtētājs vēl nav uzrakstījis secinājumus.",
        "Draft: the evaluator has not yet written the conclusions.",
    ),
    "draft_hint": Text(
        "Secinājumus raksta failā {path}; kamēr tā nav, ziņojumu nevar publicēt kā galīgo (di-eval run --final).",
        "The conclusions are written in the file {path}; until it exists the report cannot be published as final "
        "(di-eval run --final).",
    ),
    "importance_is": Text("Svarīgums: {level}", "Importance: {level}"),
    "evidence": Text("Avots: {source}", "Source: {source}"),
    "no_findings": Text("Secinājumu no skaitļiem nav.", "The figures give no findings."),
    "more_findings": Text("Mazāk svarīgie secinājumi (kopā: {n})", "Findings of low importance (in all: {n})"),
    "projection_note": Text(
        "Prognozes ir aprēķini, pieņemot, ka pēdējo trīs gadu temps nemainās; tās nav plāna mērķi.",
        "Projections assume that the pace of the last three years stays the same; they are not targets of the plan.",
    ),
    "figure": Text("{n}. attēls", "Figure {n}"),  # Latvian: the ordinal before the noun
    "data_behind": Text("Attēla dati tabulā", "The chart's data as a table"),
    "no_projects": Text(
        "Pašvaldībā nav ERAF infrastruktūras projektu.",
        "The municipality has no ERDF infrastructure project.",
    ),
    "no_warnings": Text("Brīdinājumu nav.", "No warnings."),
    "low_warnings": Text(
        "Mazāk svarīgie brīdinājumi (kopā: {n}), piemēram, par datiem, kas iesniegti ar nokavējumu, ir "
        "uzskaitīti katras pašvaldības ziņojumā.",
        "Low-importance warnings (in all: {n}), such as data submitted late, are listed in each municipality's report.",
    ),
    "needs_caption": Text(
        "Individuālo vajadzību izvērtējumi un atbalsta plāni pa gadiem",
        "Individual needs assessments and support plans by year",
    ),
    "baseline_caption": Text("Situācija pirms plāna", "The situation before the plan"),
    "transitions_caption": Text(
        "Pārejas no institūcijām (kopā līdz datumam)", "Moves out of institutions (cumulative)"
    ),
    "targets_caption": Text("Mērķi un sasniegtais (reģions)", "Targets and achievement (region)"),
    "projects_caption": Text("ERAF infrastruktūras projekti", "ERDF infrastructure projects"),
    "history_caption": Text("Mērķi pa plāna redakcijām", "Targets by plan version"),
    "plan_changes_caption": Text(
        "Izmaiņas infrastruktūras pašvaldību sarakstā",
        "Changes to the list of municipalities with infrastructure",
    ),
    "finance_caption": Text("Finansējums pa fondiem (EUR)", "Finance by fund (EUR)"),
    "completeness_caption": Text("Pašvaldību iesniegtie dati pa gadiem", "Data submitted by municipalities, by year"),
    "warnings_caption": Text("Datu pārbaudes brīdinājumi", "Data check warnings"),
    "ranking_caption": Text(
        "Pašvaldības pēc pakalpojumus saņēmušo personu skaita (kopā)",
        "Municipalities by persons served (cumulative)",
    ),
    "events_caption": Text("Galvenie notikumi", "Key events"),
    "ranking_note": Text(
        "Pašvaldības sakārtotas pēc pakalpojumus saņēmušo bērnu ar FT un personu ar GRT skaita kopā. Vietas "
        "piešķirtas tikai pašvaldībām, kuru abi skaitļi ir publicēti; vienādam skaitam — vienāda vieta. Pašvaldība "
        "ar slēptu skaitli („<5“ vai „x“ — vismaz viena persona) ir bez vietas un novietota pēc tā, cik personu "
        "tajā noteikti ir (publicētais skaitlis un vismaz viena persona par katru slēpto), tāpēc tā nekad nav "
        "zemāk par pašvaldību, kurā personu noteikti ir mazāk. Pašvaldības, kurās pakalpojumus nesaņēma neviens, "
        "ir saraksta beigās.",
        "Municipalities are ordered by the children with FT and persons with GRT served, together. Only those with "
        "both figures published are ranked; equal figures share a rank. A municipality with a hidden figure (“<5” "
        "or “x”: at least one person) has no rank and stands where what it certainly has places it (its published "
        "figure and at least one person for each hidden one), so never below one that certainly has fewer. "
        "Municipalities where nobody was served come last.",
    ),
    "ranking_rounded_note": Text(
        "Noapaļots skaitlis („≈“) sakārtots pēc publicētās vērtības: pašvaldībām, kuru skaitļi atšķiras mazāk par "
        "noapaļošanas soli, patiesā secība var būt citāda.",
        "A rounded figure (“≈”) is placed by its published value: municipalities whose figures differ by less than "
        "the rounding step may in truth stand the other way round.",
    ),
    "activities_caption": Text(
        "Aktivitātes: apmācības, nometnes un komunikācijas pasākumi (pasākumi / dalībnieki)",
        "Activities: trainings, camps and communication events (events / participants)",
    ),
    "public_caption": Text(
        "Jau publiskotie skaitļi un tas, ko rāda dati tagad", "Figures already published and what the data say now"
    ),
    "public_figure": Text("Publiskotais skaitlis", "Published figure"),
    "data_now": Text("Dati tagad", "The data now"),
    "more_than": Text("vairāk nekā {n}", "more than {n}"),
    "public_served": Text("{year}. gadā pakalpojumus saņēma: {group}", "{group} served in {year}"),
    "public_cumulative": Text(
        "Līdz {year}. gada beigām kopā: {group}, {service}", "{group}, {service}, in all to the end of {year}"
    ),
    "public_municipalities": Text(
        "{year}. gadā pašvaldības, kurās sniegti pakalpojumi", "municipalities where services were given in {year}"
    ),
    "contribution": Text(
        "Mērķi DI plānā noteikti reģionam kopumā; pašvaldības skaitļi rāda tās devumu.",
        "The DI plan sets its targets for the region as a whole; a municipality's figures show its contribution.",
    ),
    "method_text": Text(
        "Personu skaits līdz datumam (katra persona skaitīta vienu reizi) ir jaunu (pirmo reizi plāna ietvaros "
        "pakalpojumu saņēmušu) personu summa pa gadiem, nevis gada pakalpojumu saņēmušo personu summa. Tukša "
        "vērtība nozīmē \u201enav iesniegts\u201c (dati nav iesniegti), "
        "un tā atšķiras no nulles. Sasniegtais tiek salīdzināts ar plāna redakcijas, kas bija spēkā "
        "izvērtējuma datumā, mērķi un ar laika proporciju kopš plāna sākuma.",
        "Persons up to a date (each counted once) are the sum of new persons (served for the first time "
        "under the plan) over the years, never the sum of persons served per year. A blank means \u201cnot "
        "submitted\u201d (no data were submitted), which differs from zero. Achievement is compared with the target of the plan "
        "version in force on the evaluation date and with the share of the plan's time elapsed.",
    ),
    "indicators_caption": Text("Rādītāju katalogs", "Indicator catalogue"),
    "in_all": Text("(kopā kopš plāna sākuma)", "(in all since the plan began)"),
    "catalogue_link": Text(
        "Rādītāju katalogs (definīcijas, skaitītājs un saucējs, mērvienības) ir ziņojumu sarakstā.",
        "The indicator catalogue (definitions, numerators and denominators, units) is on the list of reports.",
    ),
}


# In an English page the Latvian municipality names are marked lang="lv" (WCAG 3.1.2): "" in Latvian.
_NAMES_LANG = Text("", "lv")


def names_marked(lang: str, *columns: str) -> dict | None:
    """``table(..., languages=...)`` for columns of Latvian names: marked only in an English page."""
    return {column: _NAMES_LANG(lang) for column in columns} if _NAMES_LANG(lang) else None


def t(key: str, lang: str, **values) -> str:
    return T[key](lang, **values)
