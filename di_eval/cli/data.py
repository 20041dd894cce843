"""Commands about datasets: `check` and `sample`."""

from __future__ import annotations

import json
from pathlib import Path

from di_eval import dataset, paths, sample


def add_data_option(parser) -> None:
    """``--data``: the dataset a command reads (default: the shipped sample)."""
    parser.add_argument("--data", type=Path, default=paths.SAMPLE_DIR, help="dataset folder (default: the sample)")


def register(subparsers) -> None:
    check = subparsers.add_parser("check", help="validate a dataset and print a summary")
    add_data_option(check)
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(handler=run_check)

    make = subparsers.add_parser("sample", help="write the synthetic sample dataset")
    make.add_argument("--out", type=Path, default=paths.SAMPLE_DIR, help="folder to write (default: data/sample)")
    make.add_argument("--seed", type=int, default=sample.DEFAULT_SEED, help="random seed")
    make.add_argument(
        "--scale",
        choices=("kurzeme", "national"),
        default="kurzeme",
        help="kurzeme: the 20 municipalities; national: about 119 in 5 regions",
    )
    make.set_defaults(handler=run_sample)


def run_check(args) -> int:
    summary = dataset.load(args.data).summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{summary['data_dir']}: valid (fingerprint {summary['fingerprint']})")
    print(
        f"  municipalities: {summary['municipalities']}, years: {'–'.join(map(str, summary['years']))}, "
        f"plan versions: {', '.join(summary['plan_versions'])}"
    )
    for name, rows in summary["rows"].items():
        print(f"  {name:<26} {rows:>6} rows")
    return 0


def run_sample(args) -> int:
    out = sample.generate(args.out, seed=args.seed, scale=args.scale)
    print(f"wrote the synthetic {args.scale} dataset to {out} (seed {args.seed})")
    return 0
