"""Incremental runs: how long `di-eval run` takes when nothing, one commentary, or one form changed.

    python benchmarks/incremental.py [--data DIR] [--workers N]

On a copy of the dataset (default: the shipped sample), into a temporary output folder:
(1) a cold run, (2) the same run again, nothing changed, (3) after one municipality's commentary
file is written, (4) after one municipality's needs assessments changed and (5) after its service
counts changed (as a re-ingest of its form would change them), (6) the same again with --force. Each is the whole command, in a new process,
as `make reports` runs it. Prints the wall time of each, how many reports were executed and
reused, and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DI_EVAL = Path(sys.executable).parent / "di-eval"


def run(data: Path, out: Path, workers: int | None, *extra: str) -> tuple[float, dict]:
    command = [str(DI_EVAL), "run", "--data", str(data), "--out", str(out), "--no-progress", *extra]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"di-eval run failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = {"executed": 0, "reused": 0}
    for report in manifest["reports"]:
        counts["reused" if report["status"] == "reused" else "executed"] += 1
    counts["executed_names"] = [
        r["name"] + (" (commentary part rewritten, no kernel)" if r.get("how") == "commentary" else "")
        for r in manifest["reports"]
        if r["status"] != "reused"
    ]
    return seconds, counts


def change_counts(data: Path, code: str) -> None:
    """Seven more persons in one service of ``code`` (and in its "any" row), as a new form would say."""
    path = data / "service_uptake.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = {c: header.index(c) for c in ("year", "atvk_code", "target_group", "service", "persons_served")}
    rows = [line.split(",") for line in lines[1:]]
    candidates = [
        r
        for r in rows
        if r[at["atvk_code"]] == code and r[at["service"]] != "any" and r[at["persons_served"]].isdigit()
    ]
    if not candidates:
        raise SystemExit(f"{path}: municipality {code} has no count of a service to change")
    # Its first count of 10 or more; where it has none (at national scale), its largest.
    large = [r for r in candidates if int(r[at["persons_served"]]) >= 10]
    chosen = large[0] if large else max(candidates, key=lambda r: int(r[at["persons_served"]]))
    for row in rows:
        same = all(row[at[c]] == chosen[at[c]] for c in ("year", "atvk_code", "target_group"))
        if same and (row is chosen or row[at["service"]] == "any"):
            row[at["persons_served"]] = str(int(row[at["persons_served"]]) + 7)
    path.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")


def change_needs(data: Path, code: str) -> None:
    """Three more needs assessments of ``code`` in its first year, as a corrected form would say."""
    path = data / "needs_assessments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = {c: header.index(c) for c in ("atvk_code", "assessments")}
    rows = [line.split(",") for line in lines[1:]]
    row = next(r for r in rows if r[at["atvk_code"]] == code and r[at["assessments"]].isdigit())
    row[at["assessments"]] = str(int(row[at["assessments"]]) + 3)
    path.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--code", default="0840200", help="the municipality whose commentary and counts change")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="di-eval-incremental-"))
    try:
        data, out = folder / "data", folder / "out" / "reports"
        shutil.copytree(args.data, data)
        codes = {
            line.split(",")[1] for line in (data / "needs_assessments.csv").read_text(encoding="utf-8").split()[1:]
        }
        if args.code not in codes:  # another dataset (e.g. national scale): its first municipality
            args.code = sorted(codes)[0]
        rows = []
        print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        rows.append(("cold run", *run(data, out, args.workers)))
        rows.append(("unchanged re-run", *run(data, out, args.workers)))
        (data / "commentary").mkdir(exist_ok=True)
        (data / "commentary" / f"{args.code}.md").write_text("Dati pārbaudīti.\n", encoding="utf-8")
        rows.append((f"commentary of {args.code} edited", *run(data, out, args.workers)))
        change_needs(data, args.code)
        rows.append((f"needs of {args.code} changed", *run(data, out, args.workers)))
        change_counts(data, args.code)
        rows.append((f"counts of {args.code} changed", *run(data, out, args.workers)))
        rows.append(("--force", *run(data, out, args.workers, "--force")))
        print(f"{'case':<34} {'seconds':>8} {'executed':>9} {'reused':>7}")
        for name, seconds, counts in rows:
            print(f"{name:<34} {seconds:>8.2f} {counts['executed']:>9} {counts['reused']:>7}")
            if 0 < counts["executed"] < 6:
                print(f"{'':<34} executed: {', '.join(counts['executed_names'])}")
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
