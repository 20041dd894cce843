"""`di-eval run`: every report, the region report and the index."""

from __future__ import annotations

import sys
from pathlib import Path

from di_eval import paths
from di_eval.run import batch


def register(subparsers) -> None:
    run = subparsers.add_parser("run", help="make every municipality report, the region report and the index")
    run.add_argument("--data", type=Path, default=None, help="dataset folder (default: the shipped sample)")
    run.add_argument(
        "--out",
        type=Path,
        default=paths.OUTPUTS_DIR / "reports",
        help="folder to publish into, replaced as a whole at the end (default: outputs/reports)",
    )
    run.add_argument("--as-of", default="2023-12-31", help="evaluation date YYYY-MM-DD (default: 2023-12-31)")
    run.add_argument("--lang", choices=("lv", "en"), default="lv", help="report language (default: lv)")
    run.add_argument("--only", nargs="+", metavar="M", help="only these municipalities (code or name; 'region' too)")
    run.add_argument("--structure", choices=("2017", "2021"), default="2017", help="municipal structure")
    run.add_argument("--workers", type=int, default=None, help="parallel workers (default: one per core)")
    run.add_argument("--timeout", type=float, default=batch.DEFAULT_TIMEOUT, help="time limit per report, seconds")
    run.add_argument("--threshold", type=int, default=5, help="disclosure threshold (default: 5, shows 1-4 as <5)")
    run.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every report (slow; the plain papermill way)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=run_reports)


def run_reports(args) -> int:
    from tqdm import tqdm

    from di_eval.run import site

    if args.workers is not None and args.workers < 1:
        print("di-eval run: --workers must be at least 1", file=sys.stderr)
        return 2
    bar = None if args.no_progress else tqdm(desc="reports", unit="report", file=sys.stderr)

    def progress(outcome):
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{outcome.name}: {outcome.status}")

    try:
        result = site.run(
            args.data,
            args.out,
            as_of=args.as_of,
            lang=args.lang,
            only=args.only,
            structure=args.structure,
            workers=args.workers,
            timeout=args.timeout,
            threshold=args.threshold,
            fresh_kernels=args.fresh_kernels,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    print(summary_table(result))
    return 0 if result.ok else 1


def summary_table(result: batch.RunResult) -> str:
    width = max([len(o.name) for o in result.outcomes] + [6])
    lines = [f"{'report':<{width}}  {'status':<8} {'seconds':>8}  detail"]
    for o in result.outcomes:
        detail = o.html_path if o.status == "ok" else f"{o.error} (notebook kept: {o.notebook_path})"
        lines.append(f"{o.name:<{width}}  {o.status:<8} {o.seconds:>8.2f}  {detail}")
    failed = len(result.failed)
    lines.append(
        f"{len(result.outcomes) - failed} of {len(result.outcomes)} reports made in {result.seconds:.1f} s; "
        f"published to {result.out}/index.html" + (f"; {failed} failed" if failed else "")
    )
    return "\n".join(lines)
