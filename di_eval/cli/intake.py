"""Commands for collecting data from municipalities: `form`, `validate` and `ingest`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path

from di_eval import dataset, intake, paths
from di_eval import vocabulary as v
from di_eval.text import Text
from di_eval.text.formats import format_year

EXIT_OK, EXIT_PROBLEMS = 0, 1


def register(subparsers) -> None:
    form = subparsers.add_parser("form", help="write the .xlsx data-collection form for a municipality and year")
    form.add_argument(
        "--municipality", required=True, help="name, alias or ATVK code; 'all' writes one form per municipality"
    )
    form.add_argument("--year", required=True, type=int, help=f"the reporting year ({v.FIRST_YEAR}–{v.LAST_YEAR})")
    form.add_argument("--lang", choices=v.LANGUAGES, default="lv", help="language of the form (default: lv)")
    form.add_argument("--prefill-from", type=Path, help="a dataset folder whose values fill the form")
    form.add_argument("--out", type=Path, help="file (or folder) to write; default: outputs/forms/")
    form.add_argument("--force", action="store_true", help="overwrite a form file that exists already")
    form.set_defaults(handler=run_form)

    check = subparsers.add_parser("validate", help="check filled forms and list every problem")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="filled forms (.xlsx or .csv)")
    _output_options(check)
    check.add_argument("--data", type=Path, help="a dataset folder whose infrastructure projects are known")
    check.set_defaults(handler=run_validate)

    ingest = subparsers.add_parser("ingest", help="validate filled forms and merge them into a dataset atomically")
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE", help="filled forms (.xlsx or .csv)")
    ingest.add_argument("--into", type=Path, required=True, help="the dataset folder (created if it does not exist)")
    ingest.add_argument(
        "--replace", action="store_true", help="accept a different file for a municipality and year already received"
    )
    ingest.add_argument("--received", type=_date, help="the date the file was received (YYYY-MM-DD; default: today)")
    _output_options(ingest)
    ingest.set_defaults(handler=run_ingest)


def _output_options(parser) -> None:
    parser.add_argument("--lang", choices=v.LANGUAGES, default="lv", help="language of messages (default: lv)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or a JSON list")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run_form(args) -> int:
    if args.municipality.strip().lower() == "all":
        municipalities = dataset.read_csv_text(paths.REFERENCE_DIR / "municipalities.csv")["atvk_code"].tolist()
        out = args.out or paths.OUTPUTS_DIR / "forms"
        out.mkdir(parents=True, exist_ok=True)
    else:
        municipalities = [args.municipality]
        out = args.out or paths.OUTPUTS_DIR / "forms"
        if args.out is None:
            out.mkdir(parents=True, exist_ok=True)
    for municipality in municipalities:
        written = intake.write_form(
            out, municipality, args.year, lang=args.lang, prefill_from=args.prefill_from, overwrite=args.force
        )
        print(written)
    return EXIT_OK


_PROBLEMS = Text("{file}: {n} problēma(s)", "{file}: {n} problem(s)")
_VALID = Text("{path}: derīgs — {name}, {year}; lapas: {sheets}", "{path}: valid — {name}, {year}; sheets: {sheets}")


def _print_findings(findings, lang: str, stream) -> None:
    by_file: dict[str, list] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    for file, found in by_file.items():
        print(_PROBLEMS(lang, file=file, n=len(found)), file=stream)
        for finding in found:
            print(f"  - {finding.text(lang)}", file=stream)


def run_validate(args) -> int:
    submissions = intake.validate(args.files, data_dir=args.data)
    findings = [f for s in submissions for f in s.findings]
    if args.format == "json":
        print(json.dumps([f.as_dict(args.lang) for f in findings], ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if findings else EXIT_OK
    _print_findings(findings, args.lang, sys.stdout)
    for s in submissions:
        if s.ok:
            sheets = ", ".join(intake.SHEETS_BY_KEY[k].name(args.lang) for k in sorted(s.covered))
            print(_VALID(args.lang, path=s.path, name=s.name, year=format_year(s.year, args.lang), sheets=sheets))
    return EXIT_PROBLEMS if findings else EXIT_OK


_ACTIONS = {
    "ingested": Text("ielādēts", "ingested"),
    "replaced": Text(
        "ielādēts, aizstājot iepriekšējo failu (tas saglabāts)",
        "ingested, replacing the earlier file (kept)",
    ),
    "unchanged": Text("jau ielādēts — nekas nav mainīts", "already ingested — nothing changed"),
}
_NOTHING_CHANGED = Text("{into}: nekas netika mainīts.", "{into}: nothing was changed.")


def run_ingest(args) -> int:
    try:
        result = intake.ingest(args.files, args.into, replace=args.replace, received=args.received)
    except intake.IntakeError as err:
        if args.format == "json":
            print(json.dumps([f.as_dict(args.lang) for f in err.findings], ensure_ascii=False, indent=2))
        else:
            _print_findings(err.findings, args.lang, sys.stderr)
            print(_NOTHING_CHANGED(args.lang, into=args.into), file=sys.stderr)
        return EXIT_PROBLEMS
    if args.format == "json":
        outcomes = [
            {**asdict(o), "status_label": v.label(v.SUBMISSION_STATUSES, o.status, args.lang)} for o in result.outcomes
        ]
        print(
            json.dumps(
                {"into": str(result.into), "changed": result.changed, "outcomes": outcomes},
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    for o in result.outcomes:
        status = v.label(v.SUBMISSION_STATUSES, o.status, args.lang)
        year = format_year(o.year, args.lang)
        print(f"{o.file}: {_ACTIONS[o.action](args.lang)} — {o.name}, {year} ({status}) → {result.into / o.raw}")
    return EXIT_OK
