"""The `figures` command: the headline figures of the region or one municipality as JSON."""

from __future__ import annotations

import json

from di_eval import dataset
from di_eval.analysis.evaluation import evaluate
from di_eval.analysis.indicators import REGION, check_structure, parse_as_of
from di_eval.cli.data import add_data_option
from di_eval.errors import ChoiceError


def register(subparsers) -> None:
    figures = subparsers.add_parser("figures", help="print the headline figures as JSON, after disclosure control")
    figures.add_argument("--as-of", required=True, metavar="DATE", help="the date the figures are for (YYYY-MM-DD)")
    figures.add_argument("--municipality", metavar="M", help="a municipality's name or code (default: the region)")
    figures.add_argument("--structure", default="2017", help="municipal structure: 2017 (20) or 2021 (7)")
    add_data_option(figures)
    figures.add_argument("--threshold", type=int, default=5, help="counts 1..N-1 are hidden (default: 5)")
    figures.set_defaults(handler=run_figures)


def run_figures(args) -> int:
    # A wrong date or structure is reported before a large dataset is loaded.
    as_of = parse_as_of(args.as_of)
    structure = check_structure(args.structure)
    if args.municipality is not None and not args.municipality.strip():
        raise ChoiceError(
            "municipality",
            args.municipality,
            hint="a municipality's name or code; leave out --municipality for the region",
        )
    data = dataset.load(args.data)
    evaluation = evaluate(data, as_of=as_of, structure=structure, threshold=args.threshold)
    scope = evaluation.resolve(args.municipality) if args.municipality is not None else REGION
    print(json.dumps(evaluation.figures(scope), ensure_ascii=False, indent=2))
    return 0
