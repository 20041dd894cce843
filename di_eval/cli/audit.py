"""The `audit` command: what a reader of one or more published releases can work out."""

from __future__ import annotations

from pathlib import Path

from di_eval import dataset, paths

EXIT_OK, EXIT_FAILS = 0, 1


def register(subparsers) -> None:
    audit = subparsers.add_parser(
        "audit",
        help="audit published releases (run folders) together: exit 1 if a count can be worked out",
        description=(
            "Reads each folder's figures.json, puts every published count, every relation between the counts "
            "and the public figures together, and prints each count that fails the guarantee (worked out "
            "exactly, or a count that may be 1..t-1 with fewer than 3 possible whole values)."
        ),
    )
    audit.add_argument("releases", nargs="+", type=Path, metavar="DIR", help="run folders (or their figures.json)")
    audit.add_argument(
        "--reference",
        type=Path,
        default=paths.REFERENCE_DIR,
        help="reference folder with public_figures.csv (default: the shipped one)",
    )
    audit.add_argument("--tight", action="store_true", help="print the tightest interval of every count (slower)")
    audit.set_defaults(handler=run_audit)


def _public(reference):
    """The figures already in public (public_figures.csv), or None when the folder has none."""
    import pandas as pd

    path = Path(reference) / "public_figures.csv"
    if not path.is_file():
        return None
    frame = dataset.read_csv_text(path)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["as_of"] = pd.to_datetime(frame["as_of"], errors="coerce")
    return frame.dropna(subset=["value", "as_of"])


def run_audit(args) -> int:
    from di_eval.analysis.audit import audit_releases
    from di_eval.analysis.release import read_release

    releases = [read_release(path) for path in args.releases]
    result = audit_releases(releases, _public(args.reference), tight=args.tight)
    for release in sorted(releases, key=lambda r: r.as_of):
        print(f"release {release.as_of.date().isoformat()} ({release.rule.method}): {release.source}")
    if result.conflicts:
        print(f"{result.conflicts} published value(s) contradict a later release (revised data): the later one is used")
    rows = result.intervals if args.tight else result.intervals[result.intervals["finding"] != ""]
    for row in rows.itertuples():
        where = "cumulative to " + str(row.through) if row.year == 0 else str(row.year)
        high = "∞" if row.high == float("inf") else f"{row.high:g}"
        verdict = {
            "exact": "FAILS: worked out exactly",
            "narrow": "FAILS: fewer than 3 possible values",
            "shown": "FAILS: a small count shown",
        }.get(row.finding, "ok")
        print(
            f"  {row.table}/{row.measure} {row.scope} {where} {row.group} {row.service or '-'}: "
            f"published {row.published}, possible {row.low:g}..{high}: {verdict}"
        )
    print(result.summary())
    return EXIT_OK if result.ok else EXIT_FAILS
