"""`di-eval run`: every report, the region report and the index."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from di_eval import paths
from di_eval.run_options import DEFAULT_TIMEOUT, MAX_WORKERS, check_arguments

if TYPE_CHECKING:
    from di_eval.run.outcome import RunResult


class _Methods:
    """The choices of --disclosure (``di_eval.analysis.disclosure.METHODS``), imported from the analysis
    stage only when argparse needs them: the option is given, or the help is shown."""

    def __iter__(self):
        from di_eval.run_options import disclosure_methods

        return iter(disclosure_methods())

    def __contains__(self, value) -> bool:
        return value in list(self)


def register(subparsers) -> None:
    run = subparsers.add_parser("run", help="make every municipality report, the region report and the index")
    run.add_argument("--data", type=Path, default=None, help="dataset folder (default: the shipped sample)")
    run.add_argument(
        "--out",
        default=str(paths.OUTPUTS_DIR / "reports"),
        help="where to publish: a link to this run's release, replaced in one step (default: outputs/reports); "
        "must be new or a previous di-eval output",
    )
    run.add_argument("--as-of", default="2023-12-31", help="evaluation date YYYY-MM-DD (default: 2023-12-31)")
    run.add_argument("--lang", choices=("lv", "en"), default="lv", help="report language (default: lv)")
    run.add_argument("--only", nargs="+", metavar="M", help="only these municipalities (code or name; 'region' too)")
    run.add_argument("--structure", choices=("2017", "2021"), default="2017", help="municipal structure")
    run.add_argument(
        "--workers", type=int, default=None, help=f"parallel workers (default: one per core; at most {MAX_WORKERS})"
    )
    run.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="time limit per report, seconds (default: 300)"
    )
    run.add_argument("--threshold", type=int, default=5, help="disclosure threshold (default: 5, shows 1-4 as <5)")
    run.add_argument(
        "--disclosure",
        choices=_Methods(),
        default=None,
        metavar="METHOD",
        help="disclosure control method: %(choices)s (default: the method DisclosureRule uses by default)",
    )
    run.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every report (slow; the same time limit and results)",
    )
    run.add_argument(
        "--publish-partial",
        action="store_true",
        help="publish even if some reports failed (the index and the summary name them)",
    )
    run.add_argument(
        "--previous",
        nargs="+",
        type=Path,
        default=[],
        metavar="DIR",
        help="earlier published runs (their figures.json): protect this release so that together they reveal nothing",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="make every report again (default: reuse the pages of the last release whose inputs did not change)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--final",
        action="store_true",
        help="publish only if every report has the evaluator's conclusions (<data>/commentary/<code>.md); "
        "otherwise name the reports without them and publish nothing",
    )
    run.set_defaults(handler=run_reports)


def run_reports(args) -> int:
    options = {
        "as_of": args.as_of,
        "lang": args.lang,
        "only": args.only,
        "structure": args.structure,
        "workers": args.workers,
        "timeout": args.timeout,
        "threshold": args.threshold,
        "disclosure": getattr(args, "disclosure", None),
    }
    # refuse a bad argument before the heavy imports (papermill, kernels, charts)
    data_path, out, as_of, scopes, _ = check_arguments(args.data, args.out, **options)
    if getattr(args, "final", False):
        missing = final_refusals(data_path, scopes, str(args.structure))
        if missing:
            print(
                f"di-eval run --final: {len(missing)} report(s) have no evaluator's conclusions "
                f"(<data>/commentary/<code>.md); nothing was published:\n  " + "\n  ".join(missing),
                file=sys.stderr,
            )
            return 1
    force = getattr(args, "force", False)
    result = None if force else _unchanged(args, data_path, out, as_of, options)
    if result is None:
        result = _make(args, options, force, _early_kernel(args, data_path, out, as_of, options, force))
    print(summary_table(result))
    return 0 if result.ok else 1


def _unchanged(args, data_path, out, as_of, options) -> RunResult | None:
    """Every report unchanged: the release again, all pages reused, decided without pandas or papermill."""
    from di_eval.run import incremental
    from di_eval.run_options import check_disclosure

    evaluation = incremental.evaluation_parameters(
        as_of, options["structure"], options["threshold"], check_disclosure(options["disclosure"])
    )
    parameters = incremental.manifest_parameters(
        data_path, as_of, options, fresh_kernels=args.fresh_kernels, publish_partial=args.publish_partial, force=False
    )
    return incremental.run_if_unchanged(
        data_path, out, evaluation=evaluation, lang=options["lang"], only=options["only"], previous=args.previous,
        parameters=parameters,
    )  # fmt: skip


def _early_kernel(args, data_path, out, as_of, options, force: bool):
    """A kernel launched now, before the heavy imports, when the data did not change (an edit: likely one
    report, made in this process); None otherwise (workers start their own kernels)."""
    if force or args.fresh_kernels:
        return None
    try:
        from di_eval.run import engine, incremental
        from di_eval.run_options import check_disclosure

        evaluation = incremental.evaluation_parameters(
            as_of, options["structure"], options["threshold"], check_disclosure(options["disclosure"])
        )
        if not incremental.has_cached(
            out, incremental.data_key(data_path or paths.SAMPLE_DIR, evaluation, args.previous)
        ):
            return None
        kernel = engine.WarmKernel()
        return kernel if kernel.launch(engine.WARMUP_REPORT) else None
    except Exception:  # noqa: BLE001 — only time is lost: the run starts its kernels as usual
        return None


def _make(args, options: dict, force: bool, kernel=None) -> RunResult:
    from di_eval.run import site

    bar = None

    def progress(outcome):
        nonlocal bar
        if args.no_progress:
            return
        if bar is None:  # made at the first report: a refused run prints no empty bar
            from tqdm import tqdm

            bar = tqdm(desc="reports", unit="report", file=sys.stderr)
        bar.update(1)
        bar.set_postfix_str(f"{outcome.name}: {outcome.status}")

    try:
        return site.run(
            args.data,
            args.out,
            **options,
            fresh_kernels=args.fresh_kernels,
            publish_partial=args.publish_partial,
            progress=progress,
            previous=args.previous,
            force=force,
            kernel=kernel,
        )
    finally:
        if bar is not None:
            bar.close()


def final_refusals(data_path: Path | None, scopes: list[str] | None, structure: str) -> list[str]:
    """The reports (code and name) a final run would publish without the evaluator's conclusions."""
    from di_eval.report.commentary import missing_conclusions
    from di_eval.run_options import _read_reference

    own = (data_path / "reference") if data_path else None
    reference = own if own is not None and own.is_dir() else paths.REFERENCE_DIR
    table = _read_reference(reference / ("municipalities.csv" if structure == "2017" else "municipalities_2021.csv"))
    code_column = "atvk_code" if structure == "2017" else "iso_code"
    names = dict(zip(table[code_column], table["name"] if "name" in table.columns else table[code_column]))
    codes = scopes if scopes else ["region", *table[code_column]]
    missing = missing_conclusions(data_path, codes)
    return [f"{code} ({names[code]})" if code in names else code for code in missing]


def summary_table(result: RunResult) -> str:
    width = max([len(o.name) for o in result.outcomes] + [6])
    lines = [f"{'report':<{width}}  {'status':<8} {'seconds':>8}  detail"]
    for o in result.outcomes:
        if o.status == "ok" and getattr(o, "how", "") == "commentary":
            detail = f"{o.html_path} (only its commentary changed: that part of the page before made again)"
        elif o.status == "ok":
            detail = o.html_path
        elif o.status == "reused":
            detail = f"{o.html_path} (inputs unchanged: the page of the release before)"
        elif o.notebook_path and result.release is not None:
            detail = f"{o.error} (executed notebook: {result.release / o.notebook_path})"
        else:
            detail = f"{o.error} (no notebook was written)"
        lines.append(f"{o.name:<{width}}  {o.status:<8} {o.seconds:>8.2f}  {detail}")
    failed = len(result.failed)
    reused = len(getattr(result, "reused", []))
    made = f"{len(result.outcomes) - failed} of {len(result.outcomes)} reports made in {result.seconds:.1f} s"
    if reused:
        made += f" ({reused} reused, {len(result.outcomes) - failed - reused} executed)"
    if result.published:
        lines.append(
            f"{made}; published to {result.out}/index.html"
            + (f"; {failed} failed ({', '.join(o.name for o in result.failed)})" if failed else "")
        )
    else:
        kept = (
            f"{result.out} still shows the last good release ({result.previous})"
            if result.previous is not None
            else f"nothing is at {result.out} yet"
        )
        lines.append(
            f"{made}; {failed} failed, so nothing was published: {kept}. "
            f"This run's pages and notebooks are kept in {result.release}. "
            "Fix the failures, or publish anyway with --publish-partial."
        )
    return "\n".join(lines)
