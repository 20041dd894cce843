"""A report page: one method per section, each returning HTML built from the published figures.

The notebooks call these methods, one per cell. Every number shown comes from an
``Evaluation``, which has passed disclosure control; every text from data is escaped.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from di_eval import __version__, dataset, paths
from di_eval import vocabulary as v
from di_eval.analysis.disclosure import as_number
from di_eval.analysis.evaluation import Evaluation
from di_eval.report import charts, conclusions, notebook, parameters, sentences
from di_eval.report import rounded as rd
from di_eval.report.cache import CACHE_PARAMETER, Memory, cached_evaluate, cached_load, memory, prime_cache  # noqa: F401
from di_eval.report.html import (
    Fragment,
    definition_list,
    escape,
    figure,
    heading,
    mark_latvian_names,
    paragraph,
    status_badge,
    table,
)
from di_eval.report.labels import T, names_marked, t  # noqa: F401
from di_eval.report.tables import (
    _agreeing,
    _generated,
    _pick,
    _short_dates,
    _sum_label,
    _years_across,
    catalogue_table,
    opened_places,
    ranking,
)
from di_eval.text import formats as fmt
from di_eval.text import grammar, terms

_kernel_memory = memory  # Report.open's parameter of the same name hides the function


class Report:
    """The report of one scope (a municipality or the region), section by section."""

    def __init__(
        self, kind: str, params: dict, data: dataset.Dataset, full: Evaluation, scope: str, memory: Memory | None = None
    ):
        self.kind = kind
        self.memory = memory if memory is not None else Memory()  # what the kernel keeps between cells
        self.params = params
        self.lang = params["lang"]
        self.dataset = data
        self.scope = scope
        self.source = full  # the evaluation as given (cached per kernel: its identity names it)
        self.full = full = rd.mark(full)  # counts published rounded are shown as such ("≈10")
        self.evaluation = full.for_scope(scope) if scope != "region" else full
        self._figures: dict[str, int] = {}
        self.name = terms.scope_name(scope, self.lang, full.scopes)

    @classmethod
    def open(cls, kind: str, namespace: dict, memory: Memory | None = None) -> Report:
        """Check the notebook's parameters, load and evaluate, and make the report.

        What is loaded, evaluated and drawn is kept in ``memory``: by default the kernel's own
        (``di_eval.report.cache.memory()``; outside IPython a new one each time).
        """
        params = parameters.check(kind, notebook.parameters_in(kind, namespace))
        memory = memory if memory is not None else _kernel_memory()
        cache = namespace.get(CACHE_PARAMETER) or None  # set by `di-eval run` (di_eval.run.site)
        data = memory.dataset(params["data_dir"], cache)
        full = memory.evaluation(
            data, params["as_of"], params["structure"], params["threshold"], cache, params.get("disclosure")
        )
        scope = full.resolve(params["municipality"]) if kind == "municipality" else "region"
        report = cls(kind, params, data, full, scope, memory)
        # a section run after the parameters change says so; a person's kernel draws each once
        notebook.remember(report, namespace, notebook.driven_by_person(namespace))
        return report

    def preview(self, **options):
        """The page exactly as `di-eval run` makes it, written under outputs/preview/ and shown inline."""
        return notebook.preview(self, **options)

    # --- helpers -------------------------------------------------------------------------
    @property
    def is_region(self) -> bool:
        return self.scope == "region"

    def _chart(self, key: str, chart) -> str:
        number = self._figures.setdefault(key, len(self._figures) + 1)
        width, height = chart.pixel_size()
        return figure(
            number,
            chart.png_bytes(),
            chart.alt,
            chart.caption,
            chart.data,
            label=t("figure", self.lang),
            data_label=t("data_behind", self.lang),
            width=width,
            height=height,
        )

    def _section(self, key: str, body: str) -> Fragment:
        rule = self.full.rule
        if rule.method == "rounding":  # a table with a rounded count gets the note under it
            body = rd.annotate_tables(body, self.lang, rule.rounding_base, rule.coarse_base)
        html = f'<section aria-labelledby="{key}">{heading(t(key, self.lang), 2, key)}{body}</section>'
        return notebook.section(self, Fragment(self._lang_marked(html)))

    def _lang_marked(self, html: str) -> str:
        """An English page's Latvian municipality names marked lang="lv" (screen readers say them right)."""
        if self.lang == "lv":
            return html
        scopes = self.full.scopes
        municipal = scopes[scopes["scope"] != "region"]
        return mark_latvian_names(html, [*municipal["name"], *municipal["name_short"]])

    def _scope_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["scope"] == self.scope]

    def _date(self, value) -> str:
        return fmt.format_date(value, self.lang)

    def _num(self, value) -> str:
        return rd.shown(value, self.lang)

    # --- sections ------------------------------------------------------------------------
    def title(self) -> Fragment:
        lang = self.lang
        title = t("title", lang, name=self.name)
        until = fmt.format_date(self.full.as_of, lang, case="dat")  # "līdz" takes the dative
        lead = t(
            "lead", lang, region_of=v.REGION_OF(lang), date=until, version=self._version_name(self.full.plan_version)
        )
        body = f"<header><h1>{escape(title)}</h1>{paragraph(lead, 'lead')}{paragraph(t('abbreviations', lang), 'note')}"
        if Path(self.dataset.data_dir).resolve() == paths.SAMPLE_DIR.resolve():
            body += paragraph(t("synthetic", lang), "note")
        body += "</header>"
        meta = {"lang": lang, "title": f"{title} ({self._date(self.full.as_of)})"}
        return notebook.section(self, Fragment(self._lang_marked(body), meta))

    def summary(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        items = []
        cumulative = self._scope_rows(ev.persons_cumulative)
        for group in ("FT", "GRT"):
            value = _pick(cumulative, target_group=group, service="any", column="persons")
            label = terms.term(group, lang)
            items.append((self._num(value), f"{label} {t('in_all', lang)}", None))
        if self.is_region:
            for row in ev.achievement.itertuples():
                status = terms.status_label(row.status, lang) if row.status else ""
                items.append(
                    (
                        rd.percent(row.rate, lang),
                        f"{terms.term(row.target, lang)} — {self._target_phrase(row)}",
                        (row.status, status),
                    )
                )
        year = self.full.as_of.year
        by_year = self._scope_rows(ev.persons_by_year)
        served = {
            g: _pick(by_year, year=year, target_group=g, service="any", column="persons_served")
            for g in ("FT", "GRT", "BSAC")
        }
        listing = "".join(
            f'<li><span class="value">{escape(value)}</span><span class="label">{escape(label)}</span>'
            + (status_badge(*badge) if badge else "")
            + "</li>"
            for value, label, badge in items
        )
        said = [sentences.persons_year_sentence(self.name, year, served, lang)]
        if self.is_region:
            for row in ev.achievement.itertuples():
                said.append(
                    sentences.achievement_sentence(
                        row.target,
                        row.achieved,
                        row.target_value,
                        row.rate,
                        row.expected_rate,
                        row.status,
                        self._version_name(row.plan_version),
                        self.full.as_of,
                        lang,
                    )
                )
            n = self.full.municipalities_served_by_year.get(year)
            if n is not None:
                said.append(sentences.municipalities_served_sentence(year, n, lang))
        body = f'<ul class="headline">{listing}</ul>' + "".join(paragraph(s) for s in said)
        if not self.is_region:
            body += self._own_plan()
        if self.is_region:
            body += self._chart("achievement", charts.achievement_chart(ev.achievement, lang, as_of=self.full.as_of))
        return self._section("summary", body)

    def _own_plan(self) -> str:
        """The municipality's own plan (persons planned, services) against its achievement, with the
        region's status bands and its share of the region's target; the region's targets stay in the
        region report."""
        from di_eval.analysis.findings import municipal_plan_rows
        from di_eval.analysis.findings.progress import percent_range

        lang = self.lang
        rows = municipal_plan_rows(self.full, getattr(self.dataset, "municipal_plan", None), self.scope)
        if not rows:
            return paragraph(t("contribution", lang))
        frame = pd.DataFrame(
            {
                terms.column_label("target_group", lang): [terms.term(r["target_group"], lang) for r in rows],
                t("planned_persons", lang): [self._num(r["planned"]) for r in rows],
                terms.column_label("achieved", lang): [self._num(r["achieved"]) for r in rows],
                terms.column_label("rate", lang): [
                    percent_range(r["rate_span"], lang)
                    if r.get("rate_span")
                    else rd.percent(r["rate"], lang, approximate=rd.is_rounded(r["achieved"]))
                    for r in rows
                ],
                terms.column_label("expected_rate", lang): [fmt.format_percent(r["expected_rate"], lang) for r in rows],
                terms.column_label("status", lang): [terms.status_label(r["status"], lang) for r in rows],
                t("share_of_region", lang): [
                    f"{fmt.format_percent(r['share_of_region_target'], lang)} ({self._num(r['region_target'])})"
                    for r in rows
                ],
                t("planned_services", lang): [terms.term_list(";".join(r["services"]), lang, "service") for r in rows],
            }
        )
        body = table(frame, t("own_plan_caption", lang, version=self._version_name(self.full.plan_version)))
        if any("synthetic" in r["source"] for r in rows):
            body += paragraph(t("own_plan_synthetic", lang), "note")
        return body

    def _findings(self) -> list:
        from di_eval.analysis.findings import findings

        return findings(self.full, self.scope, getattr(self.dataset, "municipal_plan", None))

    def _finding_items(self, items) -> str:
        lang = self.lang
        out = ""
        for f in items:
            level = t("importance_is", lang, level=terms.term(f.importance, lang, "importance"))
            source = t("evidence", lang, source=terms.source_tables(f.evidence.get("source", ""), lang))
            out += (
                f'<li class="finding finding-{escape(f.importance)}"><span class="importance">{escape(level)}</span> '
                f'{escape(f.text(lang))} <span class="source">{escape(source)}</span></li>'
            )
        return out

    def key_findings(self) -> Fragment:
        """ "Galvenie secinājumi": the findings from the numbers, most important first."""
        lang = self.lang
        found = self._findings()
        if not found:
            return self._section("key_findings", paragraph(t("no_findings", lang)))
        main = [f for f in found if f.importance != "low"]
        low = [f for f in found if f.importance == "low"]
        if not main:  # nothing of high or medium importance: the low ones are the findings
            main, low = low, []
        body = f'<ol class="findings">{self._finding_items(main)}</ol>'
        if low:
            summary = escape(t("more_findings", lang, n=fmt.format_number(len(low), lang)))
            body += (
                f'<details><summary>{summary}</summary><ul class="findings">{self._finding_items(low)}</ul></details>'
            )
        if any(f.evidence.get("projected_year") for f in found):
            body += paragraph(t("projection_note", lang), "note")
        return self._section("key_findings", body)

    def conclusions(self) -> Fragment:
        """ "Secinājumi un ieteikumi": the main findings, then the evaluator's own text (or a visible draft note)."""
        lang = self.lang
        main = [f for f in self._findings() if f.importance == "high"][:5]
        body = ""
        if main:
            body += heading(t("main_findings", lang), 3) + f'<ul class="findings">{self._finding_items(main)}</ul>'
        body += heading(t("evaluator_text", lang), 3)
        body += conclusions.evaluator_text(self.dataset.data_dir, self.scope, lang)  # marked: see its module
        return self._section("conclusions", body)

    def commentary(self) -> Fragment:
        """The evaluator's text now lives in ``conclusions()``; kept so older notebooks still run."""
        return self.conclusions()

    def target_groups(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        body = self._chart(
            "persons_by_year",
            charts.persons_by_year_chart(self._scope_rows(ev.persons_by_year), lang, names=self.full.scopes),
        )
        needs = self._scope_rows(ev.needs)
        if len(needs):
            wide = needs.pivot_table(
                index="year", columns="target_group", values=["assessments", "support_plans"], aggfunc="first"
            )
            rows = []
            for year in sorted(needs["year"].unique()):
                row = {terms.column_label("year", lang): str(year)}
                for group in ("FT", "GRT"):
                    for measure in ("assessments", "support_plans"):
                        known = year in wide.index and (measure, group) in wide.columns
                        value = wide.at[year, (measure, group)] if known else None  # a year not reported
                        # lowercase after a colon: "FT: vajadzību izvērtējumi"
                        label = terms.column_label(measure, lang)
                        row[f"{group}: {label[:1].lower()}{label[1:]}"] = self._num(value)
                rows.append(row)
            body += table(pd.DataFrame(rows), t("needs_caption", lang))
        if self.is_region:
            baseline = self.dataset.baseline
            frame = pd.DataFrame(
                {
                    terms.column_label("measure", lang): [terms.baseline_label(m, lang) for m in baseline["measure"]],
                    terms.column_label("value", lang): [self._num(x) for x in baseline["value"]],
                    terms.column_label("source", lang): [terms.public_source(x, lang) for x in baseline["source"]],
                }
            )
            body += table(frame, t("baseline_caption", lang))
            body += self._needs_by_municipality()
        return self._section("target_groups", body)

    def _needs_by_municipality(self) -> str:
        """Needs against services per municipality: assessments and support plans (all years) and persons
        served (cumulative), for FT and GRT. A sum with a hidden year is not computed."""
        lang, ev = self.lang, self.full
        needs, served = ev.needs, ev.persons_cumulative
        rows = []
        for scope in [s for s in ev.scopes["scope"] if s != "region"] + ["region"]:
            row = {terms.column_label("municipality", lang): self._scope_name(scope)}
            for group in ("FT", "GRT"):
                mine = needs[(needs["scope"] == scope) & (needs["target_group"] == group)]
                for measure in ("assessments", "support_plans"):
                    label = terms.column_label(measure, lang)
                    row[f"{group}: {label[:1].lower()}{label[1:]}"] = self._sum(mine[measure])
                persons = _pick(served[served["scope"] == scope], target_group=group, service="any", column="persons")
                row[f"{group}: {t('served_short', lang)}"] = self._num(persons)
            rows.append(row)
        return table(
            pd.DataFrame(rows),
            t("needs_by_municipality_caption", lang),
            languages=names_marked(lang, terms.column_label("municipality", lang)),
        ) + paragraph(t("needs_sum_note", lang), "note")

    def _sum(self, values) -> str:
        values = list(values)
        if values and all(isinstance(x, int) or (hasattr(x, "dtype") and not isinstance(x, str)) for x in values):
            return self._num(rd.rounded_sum(values))  # "≈" when a rounded count is in it
        return "—" if values else self._num(None)  # a hidden year: no sum (the note says so)

    def _availability(self) -> str:
        """Availability of community-based services: per municipality and service, the persons (each
        counted once) who received it since the plan began and the places of the ERDF projects whose service
        has opened by the evaluation date; a service the municipality's plan gives it but nobody received is
        marked."""
        lang, ev = self.lang, self.full
        served = ev.persons_cumulative
        plan = getattr(self.dataset, "municipal_plan", None)
        planned = set()
        if plan is not None and len(plan):
            plan = plan[(plan["plan_version"] == ev.plan_version) & (plan["service"] != "any")]
            planned = {
                (ev.successors.get(c, c) if ev.structure == "2021" else c, g, x)
                for c, g, x in zip(plan["atvk_code"], plan["target_group"], plan["service"])
            }
        columns = [(g, x) for g in ("FT", "GRT") for x in v.GROUP_SERVICES[g]]
        places, ids = opened_places(ev.infrastructure, columns)
        rows, unused = [], []
        for scope in [s for s in ev.scopes["scope"] if s != "region"]:
            row = {terms.column_label("municipality", lang): self._scope_name(scope)}
            mine = served[served["scope"] == scope]
            for group, service in columns:
                value = _pick(mine, target_group=group, service=service, column="persons")
                if value == 0 and (scope, group, service) in planned:
                    unused.append(f"{self._scope_name(scope)} ({group}: {terms.term(service, lang, 'service')})")
                cell = self._num(value)
                if (scope, group, service) in places:  # persons as published, then the opened places
                    cell += f" · {grammar.count_phrase(places[scope, group, service], 'place', lang)}"
                row[f"{group}: {terms.term(service, lang, 'service')}"] = cell
            rows.append(row)
        frame = pd.DataFrame(rows)
        body = table(
            frame,
            t("availability_caption", lang),
            numeric=set(frame.columns[1:]),
            languages=names_marked(lang, terms.column_label("municipality", lang)),
        )
        body += paragraph(
            t("availability_places", lang, date=fmt.format_date(ev.as_of, lang, case="dat"), ids=", ".join(ids) or "—"),
            "note",
        )
        if unused:
            body += paragraph(t("planned_unused", lang, places="; ".join(unused)), "note")
        return body

    def services(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        cumulative = self._scope_rows(ev.persons_cumulative)
        body = ""
        for group in ("FT", "GRT"):
            body += self._chart(
                f"services_{group}",
                charts.services_chart(cumulative, group, lang, as_of=self.full.as_of, names=self.full.scopes),
            )
        achievement = self.full.achievement
        rows = [
            {
                terms.column_label("target", lang): terms.term(r.target, lang),
                terms.column_label("target_value", lang): self._num(r.target_value),
                terms.column_label("plan_version", lang): self._version_name(r.plan_version),
                terms.column_label("achieved", lang): self._num(r.achieved),
                terms.column_label("rate", lang): rd.percent(r.rate, lang),
                terms.column_label("expected_rate", lang): fmt.format_percent(r.expected_rate, lang),
                terms.column_label("status", lang): terms.status_label(r.status, lang) if r.status else "—",
            }
            for r in achievement.itertuples()
        ]
        body += table(pd.DataFrame(rows), t("targets_caption", lang))
        transitions = self._scope_rows(ev.transitions_cumulative)
        if len(transitions):
            frame = pd.DataFrame(
                {
                    terms.column_label("transition", lang): [terms.term(x, lang) for x in transitions["transition"]],
                    terms.column_label("persons", lang): [self._num(x) for x in transitions["persons"]],
                    terms.column_label("target_value", lang): [
                        self._num(x) if x is not None and not pd.isna(x) else "—" for x in transitions["target_value"]
                    ],
                }
            )
            body += table(frame, t("transitions_caption", lang))
        if self.is_region:
            body += self._activities_table() + self._public_figures_table()
        return self._section("services", body)

    def _activities_table(self) -> str:
        lang = self.lang
        activities = getattr(self.dataset, "activities", None)
        if activities is None or not len(activities):
            return ""
        activities = activities[activities["year"] <= self.full.as_of.year]
        wide = activities.pivot_table(
            index="activity", columns="year", values=["events", "participants"], aggfunc="sum"
        )
        years = sorted(activities["year"].unique())
        rows = []
        for code in [c for c in v.ACTIVITIES if c in wide.index]:
            row = {terms.column_label("activity", lang): terms.term(code, lang, "activity")}
            for year in years:
                row[str(year)] = f"{self._num(int(wide.at[code, ('events', year)]))} / " + self._num(
                    int(wide.at[code, ("participants", year)])
                )
            rows.append(row)
        return table(pd.DataFrame(rows), t("activities_caption", lang))

    def _public_figures_table(self) -> str:
        """The figures already in public (press releases) beside what this run's published data say."""
        lang, ev = self.lang, self.full
        public = getattr(self.dataset, "public_figures", None)
        if public is None or not len(public):
            return ""
        by_year = ev.persons_by_year[ev.persons_by_year["scope"] == "region"]
        rows = []
        for r in public.itertuples():
            year = int(r.year) if not pd.isna(r.year) else pd.Timestamp(r.as_of).year
            if pd.Timestamp(r.as_of) > ev.as_of:
                continue
            group = None if pd.isna(r.target_group) else r.target_group
            shown = self._num(int(r.value))
            if r.comparison == "gt":
                shown = t("more_than", lang, n=shown)
            now = None
            if r.measure == "persons_served":
                label = t("public_served", lang, year=year, group=terms.term(group, lang))
                now = _pick(by_year, year=year, target_group=group, service=r.service, column="persons_served")
            elif r.measure == "municipalities_served":
                label = t("public_municipalities", lang, year=year)
                now = ev.municipalities_served_by_year.get(year)
            else:
                service = terms.term(r.service, lang, "service")
                label = t("public_cumulative", lang, year=year, group=terms.term(group, lang), service=service)
                new = by_year[
                    (by_year["target_group"] == group) & (by_year["service"] == r.service) & (by_year["year"] <= year)
                ]["persons_new"]
                # a sum of published counts only: a hidden one leaves it unknown
                known = [x for x in new if isinstance(x, (int,)) or (hasattr(x, "item") and not isinstance(x, str))]
                now = int(sum(int(x) for x in known)) if len(new) and len(known) == len(new) else None
            rows.append(
                {
                    terms.column_label("measure", lang): label,
                    t("public_figure", lang): shown,
                    t("data_now", lang): self._num(now) if now is not None else fmt.NOT_COMPUTABLE(lang),
                    terms.column_label("source", lang): terms.public_source(r.source, lang),
                }
            )
        if not rows:
            return ""
        return table(pd.DataFrame(rows), t("public_caption", lang))

    def infrastructure(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        projects = ev.infrastructure if self.is_region else self._scope_rows(ev.infrastructure)
        availability = self._availability() if self.is_region else ""
        if not len(projects):
            return self._section("infrastructure", availability + paragraph(t("no_projects", lang)))
        frame = pd.DataFrame(
            {
                terms.column_label("project", lang): [
                    fmt.typographic_quotes(f"{r.project_id}: {r.name}", lang) for r in projects.itertuples()
                ],
                terms.column_label("municipality", lang): [self._scope_name(s) for s in projects["scope"]],
                terms.column_label("facility_types", lang): [
                    terms.term_list(x, lang) for x in projects["facility_types"]
                ],
                terms.column_label("places_planned", lang): [self._num(x) for x in projects["places_planned"]],
                terms.column_label("places_created", lang): [self._num(x) for x in projects["places_created"]],
                terms.column_label("status", lang): [terms.term(x, lang) for x in projects["status"]],
            }
        )
        # project names are Latvian proper names: marked so screen readers say them right in English
        names_lv = {terms.column_label("project", lang): "lv"} if lang == "en" else None
        body = table(frame, t("projects_caption", lang), languages=names_lv)
        ids = set(projects["project_id"])
        milestones = ev.milestones[ev.milestones["project_id"].isin(ids)]
        if len(milestones):
            chart = charts.milestones_chart(milestones, lang, as_of=self.full.as_of)
            body += self._chart(
                "milestones", dataclasses.replace(chart, data=_short_dates(chart.data, milestones, lang))
            )
            for r in projects.itertuples():
                rows = milestones[milestones["project_id"] == r.project_id]
                opened = rows[rows["milestone"] == "service_opened"]
                slip = opened["slippage_days"].iloc[0] if len(opened) else None
                name = fmt.typographic_quotes(f"{r.project_id}: {r.name}", lang, inner=True)  # it stands in „…“
                sentence = escape(sentences.infrastructure_sentence(name, r.status, slip, lang))
                if lang == "en":  # a Latvian proper name in an English sentence (WCAG 3.1.2)
                    sentence = sentence.replace(escape(name), f'<span lang="lv">{escape(name)}</span>', 1)
                body += f"<p>{sentence}</p>"
        return self._section("infrastructure", availability + body)

    def implementation(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        body = ""
        for target, rows in self.full.target_history.groupby("target", sort=False):
            if rows["changed"].any():
                body += paragraph(sentences.target_change_sentence(target, rows, lang))
        changes = self.full.infrastructure_plan_changes
        if len(changes):
            frame = pd.DataFrame(
                {
                    terms.column_label("municipality", lang): changes["name"].tolist(),
                    terms.column_label("change", lang): [
                        terms.term(_agreeing(x, name), lang, "plan_change")
                        for x, name in zip(changes["change"], changes["name"])
                    ],
                    terms.column_label("plan_version", lang): [
                        f"{self._version_name(a)} → {self._version_name(b)}"
                        for a, b in zip(changes["plan_version_from"], changes["plan_version_to"])
                    ],
                }
            )
            body += table(
                frame,
                t("plan_changes_caption", lang),
                languages=names_marked(lang, terms.column_label("municipality", lang)),
            )
        finance = self._scope_rows(ev.finance)
        if len(finance):
            body += self._chart(
                "finance", charts.finance_chart(finance, lang, as_of=self.full.as_of, names=self.full.scopes)
            )
            for programme, rows in finance.groupby("programme", sort=False):
                total = rows[rows["fund"] == "total"]
                if len(total):
                    r = total.iloc[0]
                    body += paragraph(
                        sentences.finance_sentence(
                            programme, r["planned_eur"], r["paid_eur"], r["absorption_rate"], lang
                        )
                    )
        return self._section("implementation", body)

    def data_quality(self) -> Fragment:
        lang, ev = self.lang, self.evaluation
        completeness = self._scope_rows(ev.completeness)
        body = ""
        if len(completeness):
            sums = completeness[["expected", "received", "late", "missing"]].sum()
            body += paragraph(
                sentences.completeness_sentence(
                    int(sums["expected"]), int(sums["received"]), int(sums["late"]), int(sums["missing"]), lang
                )
            )
            frame = completeness[["year", "expected", "received", "on_time", "late", "missing"]].copy()
            frame["year"] = frame["year"].astype(str)
            frame.columns = [terms.column_label(c, lang) for c in frame.columns]
            body += table(frame, t("completeness_caption", lang))
        warnings = ev.warnings if self.is_region else self._scope_rows(ev.warnings)
        low = 0
        if self.is_region:
            # the region lists what matters; each municipality's report lists all of its own
            low = int((warnings["importance"] == "low").sum())
            warnings = warnings[warnings["importance"] != "low"]
        if len(warnings):
            message = f"message_{lang}"
            frame = pd.DataFrame(
                {
                    terms.column_label("importance", lang): [terms.term(x, lang) for x in warnings["importance"]],
                    terms.column_label("municipality", lang): [self._scope_name(s) for s in warnings["scope"]],
                    terms.column_label("year", lang): ["—" if pd.isna(x) else str(x) for x in warnings["year"]],
                    terms.column_label("message", lang): warnings[message].tolist(),
                }
            )
            body += table(
                frame,
                t("warnings_caption", lang),
                languages=names_marked(lang, terms.column_label("municipality", lang)),
            )
        else:
            body += paragraph(t("no_warnings", lang))
        if low:
            body += paragraph(t("low_warnings", lang, n=fmt.format_number(low, lang)))
        return self._section("data_quality", body)

    def method(self) -> Fragment:
        lang = self.lang
        rule = self.full.rule  # the rule this evaluation was protected with (rounding says so)
        body = paragraph(t("method_text", lang)) + paragraph(rule.text(lang))
        provenance = [
            (terms.column_label("as_of", lang), self._date(self.full.as_of)),
            (terms.column_label("plan_version", lang), self._version_name(self.full.plan_version)),
            (terms.column_label("structure", lang), self.full.structure),
            (terms.column_label("data", lang), self._data_name()),
            (terms.column_label("fingerprint", lang), self.dataset.fingerprint),
            (terms.column_label("version", lang), f"di-eval {__version__}"),
            (terms.column_label("generated", lang), _generated(lang)),
        ]
        body += definition_list(provenance)
        if self.is_region:
            # the region page is the densest; its catalogue sits on the index page beside it
            body += f'<p><a href="index.html#raditaju-katalogs">{escape(t("catalogue_link", lang))}</a></p>'
        else:
            body += catalogue_table(lang)
        return self._section("method", body)

    def comparison(self) -> Fragment:
        lang, ev = self.lang, self.full
        municipal = ev.persons_cumulative[
            (ev.persons_cumulative["scope"] != "region") & (ev.persons_cumulative["service"] == "any")
        ]
        wide = municipal.pivot_table(index="scope", columns="target_group", values="persons", aggfunc="first")
        scopes = ev.scopes.set_index("scope")
        wide = wide.reindex([s for s in scopes.index if s != "region"])
        # ranked by the published sum; a row with a hidden count stands by what it certainly has
        # (di_eval.report.tables.ranking), so a known smaller count never stands above a known larger
        groups = [g for g in ("FT", "GRT") if g in wide.columns]
        rows = []
        for scope, rank in ranking(wide[groups], dict(zip(scopes.index, scopes["name"]))):
            rows.append(
                {
                    terms.column_label("rank", lang): "—" if rank is None else str(rank),
                    terms.column_label("municipality", lang): scopes.at[scope, "name"],
                    terms.term("FT", lang): self._num(wide.at[scope, "FT"] if "FT" in wide.columns else None),
                    terms.term("GRT", lang): self._num(wide.at[scope, "GRT"] if "GRT" in wide.columns else None),
                }
            )
        body = table(
            pd.DataFrame(rows),
            t("ranking_caption", lang),
            row_header=False,
            languages=names_marked(lang, terms.column_label("municipality", lang)),
        )
        note = t("ranking_note", lang)
        if any(rd.is_rounded(x) for g in groups for x in wide[g]):
            note += " " + t("ranking_rounded_note", lang)
        body += paragraph(note, "note")
        multiples = charts.small_multiples_chart(
            ev.persons_by_year[ev.persons_by_year["scope"] != "region"], lang, names=self.full.scopes
        )
        body += self._chart("small_multiples", dataclasses.replace(multiples, data=_years_across(multiples.data)))
        if any(set(wide.index) <= set(layout) for layout in (charts.TILES_2017, charts.TILES_2021)):
            # the hand-placed map knows Kurzeme's municipalities (2017 and 2021); other data get none
            total = as_number(wide.get("FT")).fillna(0) + as_number(wide.get("GRT")).fillna(0)
            tiles = pd.DataFrame(
                {
                    "scope": wide.index,
                    "name_short": [scopes.at[s, "name_short"] for s in wide.index],
                    "value": total.values,
                    "label": [_sum_label(wide.at[s, "FT"], wide.at[s, "GRT"], lang) for s in wide.index],
                }
            )
            body += self._chart(
                "tile_map", charts.tile_map_chart(tiles, lang, terms.tile_map_title(lang), names=self.full.scopes)
            )
            # the caption says what colours a tile when one of its figures is hidden
        return self._section("comparison", body)

    def history(self) -> Fragment:
        lang = self.lang
        history = self.full.target_history
        frame = pd.DataFrame(
            {
                terms.column_label("plan_version", lang): [self._version_name(x) for x in history["plan_version"]],
                terms.column_label("in_force_from", lang): [self._date(x) for x in history["in_force_from"]],
                terms.column_label("target", lang): [terms.term(x, lang) for x in history["target"]],
                terms.column_label("target_value", lang): [self._num(x) for x in history["value"]],
            }
        )
        body = table(frame, t("history_caption", lang))
        events = self.dataset.events
        body += self._chart("timeline", charts.timeline_chart(events, lang))
        return self._section("history", body)

    # --- small lookups ---------------------------------------------------------------------
    def _data_name(self) -> str:
        """The dataset as a reader knows it: the shipped sample in words, else its folder's name."""
        if Path(self.dataset.data_dir).resolve() == paths.SAMPLE_DIR.resolve():
            return t("sample_data", self.lang)
        return Path(self.dataset.data_dir).name

    def _version_name(self, plan_version: str | None) -> str:
        if plan_version is None:
            return "—"
        versions = self.dataset.plan_versions.set_index("plan_version")
        return str(versions.at[plan_version, f"name_{self.lang}"])

    def _scope_name(self, scope: str) -> str:
        return terms.scope_name(scope, self.lang, self.full.scopes)

    def _target_phrase(self, row) -> str:
        return f"{self._num(row.achieved)} / {self._num(row.target_value)}"


__all__ = ["Report", "cached_evaluate", "cached_load", "v"]
