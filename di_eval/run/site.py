"""All reports of one evaluation: the jobs for the batch runner, and the index page that links them."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from di_eval import __version__, fs, paths
from di_eval import municipalities as muni
from di_eval.analysis.evaluation import Evaluation, evaluate
from di_eval.dataset import Dataset, load, read_csv_text
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report import page as report
from di_eval.report.export import stylesheet
from di_eval.report.html import escape, table
from di_eval.report.parameters import parse_date
from di_eval.run import batch, publish
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
    }
    if cache_dir is not None:
        common[report.CACHE_PARAMETER] = str(cache_dir)
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


class BadArgument(DiEvalError):
    """A `di-eval run` argument that cannot be used (exit status 2)."""

    usage = True


REGION_WORDS = ("region", "reģions", "regions")


def resolve_only(names: list[str] | None, data_dir: Path | None, structure: str) -> list[str] | None:
    """The scope codes ``--only`` names ("region" included), checked without loading the dataset."""
    if not names:
        return None
    own = (data_dir / "reference") if data_dir else None
    reference = own if own is not None and own.is_dir() else paths.REFERENCE_DIR
    table = read_csv_text(reference / ("municipalities.csv" if structure == "2017" else "municipalities_2021.csv"))
    codes = []
    for name in names:
        if str(name).strip().casefold() in REGION_WORDS:
            codes.append("region")
            continue
        try:
            codes.append(muni.resolve(name, table, structure))
        except ChoiceError as err:
            raise ChoiceError(err.what, err.value, ["region", *err.choices], err.hint, err.suggestions) from None
    return list(dict.fromkeys(codes))


def check_arguments(
    data_dir, out, *, as_of, lang, only, structure, workers, timeout, threshold
) -> tuple[Path | None, Path, object, list[str] | None, int]:
    """Every argument of a run checked before any process starts; a clear message for each."""
    if lang not in LANGUAGES:
        raise ChoiceError("language", lang, list(LANGUAGES))
    if str(structure) not in STRUCTURES:
        raise ChoiceError("structure", structure, list(STRUCTURES))
    as_of = parse_date(as_of)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise BadArgument(f"--threshold {threshold!r}: must be a whole number of at least 1")
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise BadArgument(f"--timeout {timeout!r}: must be a number of seconds above 0 (e.g. 300)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BadArgument(f"--workers {workers!r}: must be a whole number of at least 1")
    if workers is not None and workers > batch.MAX_WORKERS:
        raise BadArgument(
            f"--workers {workers}: at most {batch.MAX_WORKERS} on this machine (each worker holds a kernel "
            f"of about 300 MiB; more than the {os.cpu_count() or 1} cores only adds waiting)"
        )
    data_path = Path(data_dir).resolve() if data_dir else None
    if data_path is not None and not data_path.is_dir():
        raise BadArgument(f"--data {data_dir}: no such dataset folder")
    scopes = resolve_only(only, data_path, str(structure))
    out = publish.check_out(paths.OUTPUTS_DIR / "reports" if out is None else out, data_path or paths.SAMPLE_DIR)
    return data_path, out, as_of, scopes, workers or (os.cpu_count() or 1)


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
) -> batch.RunResult:
    """Every report, the region report and the index, published atomically into ``out``.

    Arguments are checked, and ``out`` locked, before any worker starts. The dataset is loaded
    and evaluated once; every report reads that snapshot (through a private cache folder passed
    to each notebook), so all pages and the manifest carry one data fingerprint.
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
    )
    data_root = data_path or paths.SAMPLE_DIR
    expected = len(scopes) if scopes else 21
    with fs.locked(publish.lock_path(out), what=f"the output folder {out}", timeout=0):
        cache = Path(tempfile.mkdtemp(prefix="di-eval-cache-"))
        # Workers and their kernels start first, so they boot while this process evaluates.
        pool = batch.Workers(max(1, min(workers, expected)), warmup=WARMUP, start_kernel=not fresh_kernels)
        try:
            dataset: Dataset = load_snapshot(data_root)
            evaluation = evaluate(dataset, as_of=as_of, structure=str(structure), threshold=threshold)
            jobs = plan_jobs(evaluation, data_dir=data_path, lang=lang, only=only, cache_dir=cache)
            report.prime_cache(cache, dataset, evaluation)
            parameters = {
                "data_dir": str(data_root),
                "as_of": as_of.isoformat(),
                "lang": lang,
                "only": only or [],
                "structure": str(structure),
                "threshold": threshold,
                "timeout": float(timeout),
                "fresh_kernels": fresh_kernels,
                "publish_partial": publish_partial,
            }

            def finish(staging: Path, outcomes: list[batch.Outcome]) -> None:
                fs.write_atomic(staging / "index.html", index_page(evaluation, outcomes, lang))
                figures = {o.name: evaluation.figures(o.name) for o in outcomes}
                fs.write_atomic(staging / "figures.json", json.dumps(figures, ensure_ascii=False, indent=2))

            result = batch.run(
                jobs,
                out,
                parameters=parameters,
                fingerprint=dataset.fingerprint,
                workers=pool.count,
                timeout=float(timeout),
                fresh_kernels=fresh_kernels,
                progress=progress,
                finish=finish,
                pool=pool,
                publish_partial=publish_partial,
                data_dir=data_root,
                lock_held=True,
            )
        except BaseException:
            pool.terminate()
            raise
        else:
            pool.close()
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return result


# What every report imports: done once per kernel while the data are being evaluated.
WARMUP = "import di_eval.report.page, di_eval.report.charts, di_eval.report.sentences"


__all__ = ["check_arguments", "index_page", "plan_jobs", "run", "table"]
