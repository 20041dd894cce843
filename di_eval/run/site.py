"""All reports of one evaluation: the jobs for the batch runner, and the index page that links them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from di_eval import __version__, paths
from di_eval.analysis.evaluation import Evaluation, evaluate
from di_eval.dataset import Dataset, load
from di_eval.errors import ChoiceError
from di_eval.report import page as report
from di_eval.report.export import stylesheet, write_atomic
from di_eval.report.html import escape, table
from di_eval.report.parameters import parse_date
from di_eval.run import batch
from di_eval.text import formats as fmt
from di_eval.vocabulary import LANGUAGES, STRUCTURES

MUNICIPALITY_DIR = "pasvaldibas"
_INDEX = {
    "lv": {
        "title": "DI plāna ieviešanas izvērtējums: ziņojumi",
        "lead": "Kurzemes plānošanas reģiona deinstitucionalizācijas plāna ieviešanas izvērtējums. Dati līdz {date}.",
        "region": "Reģiona ziņojums",
        "table": "Pašvaldību ziņojumi un galvenie rādītāji",
        "municipality": "Pašvaldība",
        "ft": "Bērni ar FT (kopā)",
        "grt": "Personas ar GRT (kopā)",
        "data": "Dati par {year}. gadu",
        "report": "Ziņojums",
        "failed": "✖ neizdevās",
        "ok": "✔ gatavs",
        "open": "atvērt",
        "skip": "Pāriet uz saturu",
        "manifest": "Izpildes apraksts (manifest.json)",
        "rule": "Skaitļi pēc datu atklāšanas kontroles.",
        "footer": "Sagatavots ar di-eval {version}.",
    },
    "en": {
        "title": "DI plan implementation evaluation: reports",
        "lead": "Evaluation of the Kurzeme Planning Region's deinstitutionalisation plan. Data up to {date}.",
        "region": "Region report",
        "table": "Municipal reports and headline figures",
        "municipality": "Municipality",
        "ft": "Children with FT (cumulative)",
        "grt": "Persons with GRT (cumulative)",
        "data": "Data for {year}",
        "report": "Report",
        "failed": "✖ failed",
        "ok": "✔ ready",
        "open": "open",
        "skip": "Skip to content",
        "manifest": "Run record (manifest.json)",
        "rule": "Figures after disclosure control.",
        "footer": "Prepared with di-eval {version}.",
    },
}
_SUBMISSION = {
    "lv": {"received": "✔ saņemti laikā", "late": "◷ saņemti ar nokavējumu", "missing": "✖ nav saņemti"},
    "en": {"received": "✔ received on time", "late": "◷ received late", "missing": "✖ not received"},
}


def plan_jobs(
    evaluation: Evaluation,
    *,
    data_dir: Path | None,
    lang: str,
    only: list[str] | None = None,
    notebooks: Path = paths.NOTEBOOKS_DIR,
) -> list[batch.Job]:
    """The region report and one report per municipality (or only those named), longest first."""
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
    }
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


def index_page(evaluation: Evaluation, outcomes: list[batch.Outcome], lang: str) -> str:
    """The index: every municipality with headline figures, its data status and a link to its report."""
    text = _INDEX[lang]
    by_name = {o.name: o for o in outcomes}
    cumulative = evaluation.persons_cumulative
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
        elif outcome.status == "ok":
            link = f'<a href="{escape(outcome.html_path)}">{escape(name)}</a>'
        else:
            link = f"{escape(name)} — {escape(text['failed'])}"
        data_status = _submission_status(completeness, scope, year, lang)
        rows.append(
            {
                text["municipality"]: link,
                text["ft"]: escape(fmt.format_number(anyrows.get((scope, "FT")), lang)),
                text["grt"]: escape(fmt.format_number(anyrows.get((scope, "GRT")), lang)),
                text["data"].format(year=year): escape(data_status),
            }
        )
    frame = pd.DataFrame(rows)
    body = _raw_table(frame, text["table"])
    region = by_name.get("region")
    region_link = ""
    if region is not None:
        region_link = (
            f'<p><a href="{escape(region.html_path)}">{escape(text["region"])}</a></p>'
            if region.status == "ok"
            else f"<p>{escape(text['region'])} — {escape(text['failed'])}</p>"
        )
    date = fmt.format_date(evaluation.as_of, lang, case="dat")  # "līdz" takes the dative
    css = stylesheet()
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text['title'])}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<a class="skip-link" href="#saturs">{escape(text["skip"])}</a>\n<main id="saturs">\n'
        f'<h1>{escape(text["title"])}</h1>\n<p class="lead">{escape(text["lead"].format(date=date))}</p>\n'
        f'{region_link}<p class="note">{escape(text["rule"])} {escape(evaluation.rule.text(lang))}</p>\n'
        f'{body}\n{report.catalogue_table(lang)}\n<p><a href="manifest.json">{escape(text["manifest"])}</a></p>\n</main>\n'
        f"<footer><p>{escape(text['footer'].format(version=__version__))}</p></footer>\n</body>\n</html>\n"
    )


def _submission_status(completeness: pd.DataFrame, scope: str, year: int, lang: str) -> str:
    rows = completeness[(completeness["scope"] == scope) & (completeness["year"] == year)]
    if not len(rows):
        return "—"
    row = rows.iloc[0]
    if row["missing"]:
        return _SUBMISSION[lang]["missing"]
    if row["late"]:
        return _SUBMISSION[lang]["late"]
    return _SUBMISSION[lang]["received"]


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
        f'<div class="table-wrap"><table class="data"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


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
    progress=None,
) -> batch.RunResult:
    """Every report, the region report and the index, published atomically into ``out``."""
    if lang not in LANGUAGES:
        raise ChoiceError("language", lang, list(LANGUAGES))
    if str(structure) not in STRUCTURES:
        raise ChoiceError("structure", structure, list(STRUCTURES))
    as_of = parse_date(as_of)
    data_path = Path(data_dir).resolve() if data_dir else None
    out = Path(out) if out else paths.OUTPUTS_DIR / "reports"
    workers = workers or (os.cpu_count() or 1)
    cache = Path(tempfile.mkdtemp(prefix="di-eval-cache-"))
    # Workers and their kernels start first, so they boot while this process evaluates.
    pool = None
    if workers > 1 and not fresh_kernels:
        pool = batch.Workers(workers, environment={report.CACHE_ENV: str(cache)}, warmup=WARMUP)
    try:
        dataset: Dataset = load(data_path or paths.SAMPLE_DIR)
        evaluation = evaluate(dataset, as_of=as_of, structure=str(structure), threshold=threshold)
        jobs = plan_jobs(evaluation, data_dir=data_path, lang=lang, only=only)
        if not fresh_kernels:
            report.prime_cache(cache, dataset, evaluation)
        parameters = {
            "data_dir": str(data_path or paths.SAMPLE_DIR),
            "as_of": as_of.isoformat(),
            "lang": lang,
            "only": only or [],
            "structure": str(structure),
            "threshold": threshold,
            "timeout": timeout,
            "fresh_kernels": fresh_kernels,
        }

        def finish(staging: Path, outcomes: list[batch.Outcome]) -> None:
            write_atomic(staging / "index.html", index_page(evaluation, outcomes, lang))
            figures = {o.name: evaluation.figures(o.name) for o in outcomes}
            write_atomic(staging / "figures.json", json.dumps(figures, ensure_ascii=False, indent=2))

        environment = {report.CACHE_ENV: str(cache)} if not fresh_kernels else {}
        with _environment(environment):
            return batch.run(
                jobs,
                out,
                parameters=parameters,
                fingerprint=dataset.fingerprint,
                workers=min(workers, len(jobs)),
                timeout=timeout,
                fresh_kernels=fresh_kernels,
                progress=progress,
                finish=finish,
                pool=pool,
            )
    finally:
        if pool is not None:
            pool.__exit__(None, None, None)
        shutil.rmtree(cache, ignore_errors=True)


# What every report imports: done once per kernel while the data are being evaluated.
WARMUP = "import di_eval.report.page, di_eval.report.charts, di_eval.report.sentences"


@contextlib.contextmanager
def _environment(values: dict):
    """Set environment variables for kernels this process starts (the one-worker path), then restore."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


__all__ = ["index_page", "plan_jobs", "run", "table"]
