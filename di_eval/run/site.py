"""All reports of one evaluation: the jobs for the batch runner, and the index page that links them."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from di_eval import __version__, fs, paths
from di_eval.analysis.disclosure import DisclosureRule
from di_eval.analysis.evaluation import Evaluation, evaluate
from di_eval.dataset import Dataset, load
from di_eval.errors import DiEvalError
from di_eval.report import cache as report_cache
from di_eval.report import rounded as rd
from di_eval.report import tables as report_tables
from di_eval.report.export import stylesheet
from di_eval.report.html import escape, table, table_wrap
from di_eval.run import batch, engine, incremental, publish
from di_eval.run_options import BadArgument, check_arguments, check_disclosure, resolve_only  # noqa: F401 — re-exported
from di_eval.text import Text
from di_eval.text import formats as fmt
from di_eval.vocabulary import REGION_OF

MUNICIPALITY_DIR = "pasvaldibas"
# What the index page says, as Text pairs (lv, en)
_INDEX = {
    "title": Text("DI plāna ieviešanas izvērtējums: ziņojumi", "DI plan implementation evaluation: reports"),
    "lead": Text(
        "{region_of} deinstitucionalizācijas plāna ieviešanas izvērtējums. Dati līdz {date}.",
        "Evaluation of {region_of} deinstitutionalisation plan. Data up to {date}.",
    ),
    "region": Text("Reģiona ziņojums", "Region report"),
    "table": Text("Pašvaldību ziņojumi un galvenie rādītāji", "Municipal reports and headline figures"),
    "municipality": Text("Pašvaldība", "Municipality"),
    "ft": Text("Bērni ar FT (kopā)", "Children with FT (cumulative)"),
    "grt": Text("Personas ar GRT (kopā)", "Persons with GRT (cumulative)"),
    "data": Text("Dati par {year}. gadu", "Data for {year}"),
    "report": Text("Ziņojums", "Report"),
    "failed": Text("✖ neizdevās", "✖ failed"),
    "ok": Text("✔ gatavs", "✔ ready"),
    "open": Text("atvērt", "open"),
    "skip": Text("Pāriet uz saturu", "Skip to content"),
    "manifest": Text("Izpildes apraksts (manifest.json)", "Run record (manifest.json)"),
    "rule": Text(
        "Skaitļi pēc konfidencialitātes aizsardzības.", "Figures after statistical confidentiality protection."
    ),
    "footer": Text("Sagatavots ar di-eval {version}.", "Prepared with di-eval {version}."),
}
_SUBMISSION = {
    "received": Text("✔ saņemti laikā", "✔ received on time"),
    "late": Text("◷ saņemti ar nokavējumu", "◷ received late"),
    "missing": Text("✖ nav saņemti", "✖ not received"),
}


def plan_jobs(
    evaluation: Evaluation,
    *,
    data_dir: Path | None,
    lang: str,
    only: list[str] | None = None,
    notebooks: Path = paths.NOTEBOOKS_DIR,
    cache_dir: Path | None = None,
) -> list[batch.Job]:
    """The region report and one report per municipality (or only those named), longest first.

    ``cache_dir``: the run's snapshot of the data and its evaluation, passed to every notebook.
    """
    scopes = evaluation.scopes
    municipal = [s for s in scopes["scope"] if s != "region"]
    wanted_region = True
    if only:
        chosen = []
        wanted_region = False
        for name in only:
            if name.strip().casefold() in ("region", "reģions", "regions"):
                wanted_region = True
                continue
            chosen.append(evaluation.resolve(name))
        municipal = [s for s in municipal if s in set(chosen)]
    common = {
        "as_of": evaluation.as_of.date().isoformat(),
        "lang": lang,
        "data_dir": str(data_dir) if data_dir else "",
        "structure": evaluation.structure,
        "threshold": int(evaluation.threshold),
        "disclosure": evaluation.rule.method,
    }
    if cache_dir is not None:
        common[report_cache.CACHE_PARAMETER] = str(cache_dir)
    jobs = []
    if wanted_region:
        jobs.append(
            batch.Job(
                "region",
                notebooks / "region.ipynb",
                dict(common),
                "region.html",
                evaluation.name_of("region") if hasattr(evaluation, "name_of") else "region",
            )
        )
    for scope in municipal:
        jobs.append(
            batch.Job(
                scope,
                notebooks / "municipality.ipynb",
                {**common, "municipality": scope},
                f"{MUNICIPALITY_DIR}/{scope}.html",
                evaluation.name_of(scope),
            )
        )
    return jobs


def index_page(evaluation: Evaluation, outcomes: list[batch.Outcome], lang: str, names_2021=None) -> str:
    """The index: every municipality with headline figures, its data status and a link to its report."""
    text = {key: words(lang) for key, words in _INDEX.items()}
    by_name = {o.name: o for o in outcomes}
    cumulative = rd.mark(evaluation).persons_cumulative  # rounded counts "≈30", ranges "25–34"
    anyrows = cumulative[cumulative["service"] == "any"].set_index(["scope", "target_group"])["persons"]
    year = (
        evaluation.as_of.year
        if evaluation.as_of.month == 12 and evaluation.as_of.day == 31
        else evaluation.as_of.year - 1
    )
    completeness = evaluation.completeness
    rows = []
    for scope in [s for s in evaluation.scopes["scope"] if s != "region"]:
        outcome = by_name.get(scope)
        name = evaluation.name_of(scope)
        if outcome is None:
            link = escape(name)  # not in this run: the row still says whose it is
        elif outcome.status in batch.MADE:
            link = f'<a href="{escape(outcome.html_path)}">{escape(name)}</a>'
        else:
            link = f"{escape(name)} — {escape(text['failed'])}"
        data_status = _submission_status(completeness, scope, year, lang)
        rows.append(
            {
                text["municipality"]: link,
                text["ft"]: escape(rd.shown(anyrows.get((scope, "FT")), lang)),
                text["grt"]: escape(rd.shown(anyrows.get((scope, "GRT")), lang)),
                text["data"].format(year=year): escape(data_status),
            }
        )
    frame = pd.DataFrame(rows)
    body = _raw_table(frame, text["table"])
    # the 2021 structure, reachable from a 2017 run's index (its municipalities, parts and figures)
    links = {o.name: o.html_path for o in outcomes if o.status in batch.MADE}
    body += report_tables.structure_2021_section(evaluation, names_2021, links, lang)
    rule = evaluation.rule
    if rule.method == "rounding":  # notes under the tables with rounded counts, as on the pages
        body = rd.annotate_tables(body, lang, rule.rounding_base, rule.coarse_base)
    region = by_name.get("region")
    region_link = ""
    if region is not None:
        region_link = (
            f'<p><a href="{escape(region.html_path)}">{escape(text["region"])}</a></p>'
            if region.status in batch.MADE
            else f"<p>{escape(text['region'])} — {escape(text['failed'])}</p>"
        )
    date = fmt.format_date(evaluation.as_of, lang, case="dat")  # "līdz" takes the dative
    css = stylesheet()
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text['title'])}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<a class="skip-link" href="#saturs">{escape(text["skip"])}</a>\n<main id="saturs">\n'
        f'<h1>{escape(text["title"])}</h1>\n<p class="lead">{escape(text["lead"].format(region_of=REGION_OF(lang), date=date))}</p>\n'
        f'{region_link}<p class="note">{escape(text["rule"])} {escape(evaluation.rule.text(lang))}</p>\n'
        f'{body}\n{report_tables.catalogue_table(lang)}\n<p><a href="manifest.json">{escape(text["manifest"])}</a></p>\n</main>\n'
        f"<footer><p>{escape(text['footer'].format(version=__version__))}</p></footer>\n</body>\n</html>\n"
    )


def _submission_status(completeness: pd.DataFrame, scope: str, year: int, lang: str) -> str:
    rows = completeness[(completeness["scope"] == scope) & (completeness["year"] == year)]
    if not len(rows):
        return "—"
    row = rows.iloc[0]
    if row["missing"]:
        return _SUBMISSION["missing"](lang)
    if row["late"]:
        return _SUBMISSION["late"](lang)
    return _SUBMISSION["received"](lang)


def _raw_table(frame: pd.DataFrame, caption: str) -> str:
    """Like html.table, for cells that are already escaped HTML (links)."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{v}</th>' if i == 0 else f'<td class="num">{v}</td>' if i in (1, 2) else f"<td>{v}</td>")
            for i, v in enumerate(values)
        )
        + "</tr>"
        for values in frame.itertuples(index=False)
    )
    return (
        f'{table_wrap(caption)}<table class="data"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _signature(folder: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*.csv") if p.is_file()))


def load_snapshot(folder: Path, tries: int = 3) -> Dataset:
    """Load the dataset once for the whole run; reload if its files changed while they were read."""
    for _ in range(tries):
        before = _signature(folder)
        loaded = load(folder)
        if _signature(folder) == before:
            return loaded
    raise DiEvalError(f"the dataset {folder} kept changing while it was read (an ingest running?); try again later")


def run(
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    *,
    as_of="2023-12-31",
    lang: str = "lv",
    only: list[str] | None = None,
    structure: str = "2017",
    workers: int | None = None,
    timeout: float = batch.DEFAULT_TIMEOUT,
    threshold: int = 5,
    fresh_kernels: bool = False,
    publish_partial: bool = False,
    progress=None,
    previous=(),
    force: bool = False,
    disclosure: str | None = None,
    kernel=None,
) -> batch.RunResult:
    """Every report, the region report and the index, published atomically into ``out``.

    Arguments are checked, and ``out`` locked, before any worker starts. The dataset is loaded
    and evaluated once; every report reads that snapshot (through a private cache folder passed
    to each notebook), so all pages and the manifest carry one data fingerprint.

    Incremental (``di_eval.run.incremental``): a report whose inputs are those of the release
    ``out`` shows is reused from it, and an unchanged dataset is not evaluated again; ``force``
    makes every report again. ``disclosure``: the method of ``DisclosureRule`` (None: its default).
    ``kernel``: a ``WarmKernel`` launched already (``WarmKernel.launch``), for a run that likely makes
    one report: used if it does, stopped otherwise.
    """
    data_path, out, as_of, scopes, workers = check_arguments(
        data_dir,
        out,
        as_of=as_of,
        lang=lang,
        only=only,
        structure=structure,
        workers=workers,
        timeout=timeout,
        threshold=threshold,
        disclosure=disclosure,
    )
    disclosure = check_disclosure(disclosure)
    data_root = data_path or paths.SAMPLE_DIR
    # Earlier releases (run folders): this one is protected so that together they reveal nothing.
    from di_eval.analysis.release import read_release, release_json

    releases = [read_release(folder) for folder in previous]
    expected = len(scopes) if scopes else 21
    with fs.locked(publish.lock_path(out), what=f"the output folder {out}", timeout=0):
        options = {"lang": lang, "only": only, "structure": structure, "threshold": threshold, "timeout": timeout}
        parameters = incremental.manifest_parameters(
            data_path, as_of, options, fresh_kernels=fresh_kernels, publish_partial=publish_partial, force=force
        )
        key_parameters = incremental.evaluation_parameters(as_of, structure, threshold, disclosure)
        if not force:
            done = incremental.run_if_unchanged(
                data_path, out, evaluation=key_parameters, lang=lang, only=only, previous=previous,
                parameters=parameters, lock_held=True,
            )  # fmt: skip
            if done is not None:
                return done
        cache = Path(tempfile.mkdtemp(prefix="di-eval-cache-"))
        key = incremental.data_key(data_root, key_parameters, previous)
        cached = incremental.load_cached(out, key)
        source = None if force else incremental.reuse_source(publish.current_release(out))
        pool = None
        if kernel is not None:
            batch.adopt_kernel(kernel)
        try:
            if cached is None:
                # Workers and their kernels start first, so they boot while this process evaluates.
                pool = batch.Workers(max(1, min(workers, expected)), warmup=WARMUP, start_kernel=not fresh_kernels)
                dataset: Dataset = load_snapshot(data_root)
                rule = DisclosureRule(threshold) if disclosure is None else DisclosureRule(threshold, method=disclosure)
                evaluation = evaluate(
                    dataset, as_of=as_of, structure=str(structure), threshold=threshold, rule=rule, previous=releases
                )
            else:
                dataset, evaluation = cached["dataset"], cached["evaluation"]
            # Every run audits what it is about to publish (the heuristic does not protect against
            # the full reader: its pattern is audited here); a release the audit fails publishes nothing.
            audit = evaluation.release_audit
            audit = audit if audit is not None else evaluation.full_audit(releases or ())
            if not audit.ok:
                hint = (
                    "`di-eval audit` on the earlier folders shows what they already give away"
                    if releases
                    else f"the {evaluation.rule.method} method does not protect against a reader of every "
                    "relation: use --disclosure rounding (the default) or suppression"
                )
                raise DiEvalError(
                    f"disclosure audit of this release: {audit.summary()}; nothing was published ({hint})"
                )
            jobs = plan_jobs(evaluation, data_dir=data_path, lang=lang, only=only, cache_dir=cache)
            keys = incremental.Keys(evaluation, dataset, data_root, cached["memo"] if cached else None)
            known = keys.size()
            commentaries = {job.name: incremental.commentary_hash(data_root, job.name) for job in jobs}
            keyed = {job.name: keys.of(job, report_cache.CACHE_PARAMETER, commentaries[job.name]) for job in jobs}
            plan = incremental.plan_key(key, incremental.plan_options(data_path, lang, only))
            municipal = evaluation.scopes[evaluation.scopes["scope"] != "region"]
            names = [*municipal["name"], *municipal["name_short"]]  # what an English page marks lang="lv"
            figures = {job.name: keys.figures(job.name) for job in jobs}
            incremental.store_plan(out, plan, key, jobs, figures, names)
            reuse = {job.name: source for job in jobs if incremental.reusable(job, keyed[job.name], source)}
            todo = len(jobs) - len(reuse)
            if todo:
                report_cache.prime_cache(cache, dataset, evaluation)
                if pool is None and todo > 1:
                    batch.drop_kernel()
                    pool = batch.Workers(max(1, min(workers, todo)), warmup=WARMUP, start_kernel=not fresh_kernels)
                # one report (a commentary edit): its kernel in this process, no worker process to start
                # and import papermill again (``batch.execute`` with one worker and no pool)
            parameters["disclosure"] = evaluation.rule.method

            def finish(staging: Path, outcomes: list[batch.Outcome]) -> None:
                fs.write_atomic(
                    staging / "index.html", index_page(evaluation, outcomes, lang, dataset.municipalities_2021)
                )
                figures = {o.name: keys.headline(o.name) for o in outcomes}
                release = release_json(evaluation, figures)  # + rule, release, counts: what `--previous` reads
                fs.write_atomic(staging / "figures.json", json.dumps(release, ensure_ascii=False, indent=2))
                found = {o.name: keys.findings(o.name) for o in outcomes}
                fs.write_atomic(staging / "findings.json", json.dumps(found, ensure_ascii=False, indent=2))

            result = batch.run(
                jobs,
                out,
                parameters=parameters,
                fingerprint=dataset.fingerprint,
                workers=pool.count if pool is not None else min(todo, 1),
                timeout=float(timeout),
                fresh_kernels=fresh_kernels,
                progress=progress,
                finish=finish,
                pool=pool,
                publish_partial=publish_partial,
                data_dir=data_root,
                lock_held=True,
                keys=keyed,
                commentaries=commentaries,
                reuse=reuse,
                data_key=key,
            )
            if keys.size() != known and incremental.data_key(data_root, key_parameters, previous) == key:
                incremental.store_cached(out, key, dataset, evaluation, keys.memo)  # the data did not change meanwhile
        except BaseException:
            if pool is not None:
                pool.terminate()
            batch.drop_kernel()
            raise
        else:
            if pool is not None:
                pool.close()
            batch.drop_kernel()
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return result


WARMUP = engine.WARMUP  # re-exported


__all__ = ["check_arguments", "index_page", "plan_jobs", "run", "table"]
