"""Benchmark: disclosure-control methods side by side on the shipped sample (issue 10).

Run: `.venv/bin/python benchmarks/disclosure.py [--methods a,a+,c,c1] [--years 2019,...,2023] [--data DIR] [--json FILE]`

(`--data`: another dataset folder, e.g. the national-scale sample of `di-eval sample --scale
national --out DIR`; the headline count then follows its municipalities.)

For the five yearly releases as_of 2019-12-31 ... 2023-12-31 and each method it measures:
  - hidden %: of the municipalities' non-zero person counts (both structures), the share shown
    as "<5" or "x"; small %: the share that is truly 1..4 (the floor any method must hide);
  - rounded %: the share shown rounded (the rounding methods; ranges included);
  - headline hidden: of the 54 headline figures (a municipality's cumulative FT or GRT `any`,
    20 + 7 municipalities), how many are hidden, and how many of those are 5 or more;
  - headline ranges: how many headline figures are shown as a range (rounded to `coarse_base`
    where rounding to `rounding_base` would give a small count away);
  - audit alone: counts failing the guarantee in the release read alone (pinned exactly, or a
    count that may be 1..4 with fewer than 3 possible whole values), by the full reader of
    `di_eval.analysis.audit` (every relation, the public figures);
  - audit of all five releases read together (the last row of each method);
  - seconds: protecting (and, for the protecting methods, the audit rounds inside it).

Methods (the tables: every count of the cube, `detail="full"`):
  a   today's heuristic (`disclosure.protect`), published as it is
  a+  the heuristic, then widened until the full audit passes (`method="suppression"`),
      each release protected with the earlier ones as `previous` (the yearly workflow)
  c   rounding to base 5, the region exact, each release protected with the earlier ones
      as `previous` (the yearly workflow; `method="rounding"`)
  c1  rounding, each release protected alone (no `previous`)
With a `d` (ad, a+d, cd, cd1): the same on the leaner tables (d) of `detail="lean"`: a
municipality's persons by year of each service and its transitions by year are not published
(its page shows neither), only the region's; hidden % is then of what is published.

Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

METHODS = ("a", "a+", "c", "c1", "ad", "a+d", "cd", "cd1")


def measures(cells, status) -> dict:
    from di_eval.analysis.protect import headline_mask

    values = cells["value"].to_numpy(dtype=float, na_value=np.nan)
    # Of what the release publishes: a count not published at this detail (lean) is not counted.
    municipal = (cells["scope"] != "region").to_numpy() & (values > 0) & (status != "omitted")
    hidden = np.isin(status, ("primary", "secondary"))
    head = headline_mask(cells)
    return {
        "hidden_pct": 100.0 * hidden[municipal].mean(),
        "small_pct": 100.0 * ((values >= 1) & (values <= 4))[municipal].mean(),
        "rounded_pct": 100.0 * np.isin(status, ("rounded", "rounded_coarse"))[municipal].mean(),
        "published_counts": int(municipal.sum()),
        "headline": int(head.sum()),
        "headline_hidden": int((hidden & head).sum()),
        "headline_hidden_5_plus": int((hidden & head & (values >= 5)).sum()),
        "headline_ranges": int((head & (status == "rounded_coarse")).sum()),
    }


def run(methods, years, data=None) -> list[dict]:
    import di_eval
    from di_eval.analysis import audit as au
    from di_eval.analysis import indicators as ind
    from di_eval.analysis import release as rel
    from di_eval.analysis.disclosure import DisclosureRule, ProtectedCube, protect
    from di_eval.analysis.protect import omitted_mask, protect_release

    dataset = di_eval.load(data or ROOT / "data" / "sample")
    successors = ind.successor_map(dataset)
    public = dataset.public_figures

    def cube_for(year):
        return ind.person_cube(
            dataset.service_uptake,
            dataset.transitions,
            dataset.needs_assessments,
            successors,
            [y for y in ind.complete_years(ind.parse_as_of(f"{year}-12-31"))],
        )

    rows = []
    for method in methods:
        releases = []
        for year in years:
            as_of = f"{year}-12-31"
            cube = cube_for(year)
            started = time.perf_counter()
            detail = "lean" if method.endswith(("d", "d1")) else "full"
            if method in ("a", "ad"):
                rule = DisclosureRule(5, detail=detail)
                protected = protect(cube, rule)
                omitted = omitted_mask(cube.cells, rule)
                protected = ProtectedCube(cube, rule, np.where(omitted, "omitted", protected.status).astype(object))
            else:
                rule = DisclosureRule(5, method="suppression" if method.startswith("a+") else "rounding", detail=detail)
                previous = releases if not method.endswith("1") else []
                protected, _ = protect_release(
                    cube, rule, as_of, successors, previous=previous, public=public, cube_for=cube_for
                )
            seconds = time.perf_counter() - started
            release = rel.from_protected(protected, as_of, successors)
            releases.append(release)
            alone = au.audit_releases([release], public)
            row = {"method": method, "as_of": as_of, "seconds": seconds, **measures(cube.cells, protected.status)}
            row |= {"audit_alone": len(alone.findings), "audit_seconds": alone.seconds, "peak_rss_mb": peak_rss_mb()}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        together = au.audit_releases(releases, public)
        rows.append(
            {
                "method": method,
                "as_of": "all together",
                "audit_together": len(together.findings),
                "audit_seconds": together.seconds,
                "conflicts": together.conflicts,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, MB (Linux: ru_maxrss in KiB; NaN elsewhere)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown(rows) -> str:
    lines = [
        "| method | as_of | hidden % (small %) | rounded % | headline hidden (≥ 5) | headline ranges | fails alone "
        "| protect s | audit s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["as_of"] == "all together":
            lines.append(
                f"| {r['method']} | five releases together | | | | | **{r['audit_together']}** | | "
                f"{r['audit_seconds']:.1f} |"
            )
            continue
        lines.append(
            f"| {r['method']} | {r['as_of']} | {r['hidden_pct']:.0f} ({r['small_pct']:.0f}) | {r['rounded_pct']:.0f} | "
            f"{r['headline_hidden']} of {r['headline']} ({r['headline_hidden_5_plus']}) | {r['headline_ranges']} | "
            f"{r['audit_alone']} | "
            f"{r['seconds']:.1f} | {r['audit_seconds']:.1f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--years", default="2019,2020,2021,2022,2023")
    parser.add_argument("--data", type=Path, help="dataset folder (default: data/sample)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    rows = run(methods, [int(y) for y in args.years.split(",")], args.data)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
