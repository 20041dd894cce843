"""The synthetic sample dataset, generated from a fixed seed.

A small person-level simulation decides when each synthetic person starts, how long they
stay and which services they use; only the aggregates are written. The numbers are chosen
so that the region reproduces the figures the project has published (public_figures.csv)
exactly. Everything here that is not in data/reference is synthetic and marked so.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from di_eval import fs, paths
from di_eval import vocabulary as v
from di_eval.dataset import read_csv_text

DEFAULT_SEED = 20200115

# Relative size of each municipality's target groups: synthetic, for plausibility only
# (larger towns have more clients); not a population figure.
SIZE_WEIGHT = {
    "0170000": 30,
    "0270000": 16,
    "0880200": 13,
    "0620200": 11,
    "0840200": 11,
    "0980200": 6,
    "0640600": 5,
    "0641000": 5,
    "0840601": 3.5,
    "0621200": 3,
    "0641600": 3,
    "0885100": 2.5,
    "0888301": 2,
    "0640801": 1.5,
    "0647900": 1.5,
    "0641401": 1.2,
    "0648500": 1,
    "0649300": 1.2,
    "0624200": 0.8,
    "0887600": 0.8,
}
# Municipalities where no project-paid service was given in 2019 (six, so that 14 were served).
NOT_SERVED_2019 = ("0624200", "0887600", "0649300", "0641401", "0648500", "0647900")

# New persons per year, by target group; chosen so the published figures hold exactly.
NEW_PERSONS = {
    "FT": {2017: 25, 2018: 80, 2019: 110, 2020: 25, 2021: 40, 2022: 35, 2023: 30},
    "GRT": {2017: 10, 2018: 28, 2019: 25, 2020: 28, 2021: 38, 2022: 42, 2023: 45},
    "BSAC": {2022: 4, 2023: 14},
}
ACTIVE_2019 = {"FT": 206, "GRT": 57}  # persons served in 2019 (GRT = 57, FT > 200)
FT_SERVICES_BY_2020 = {"social_rehabilitation": 159, "care": 39, "respite": 52}
VSAC_MOVES = {2018: 2, 2019: 5, 2020: 4, 2021: 6, 2022: 7, 2023: 6}
MISSING_SUBMISSIONS = (("0624200", 2023),)  # a form never received: its numbers stay blank
BSAC_HOMES = {"0170000": 2022, "0270000": 2023}  # youth home in Liepāja, family-like home in Ventspils
GROUP_APARTMENTS = ("0170000", "0648500", "0621200")


@dataclass
class Person:
    target_group: str
    atvk_code: str
    start: int
    end: int
    services: tuple[str, ...]


def _pick(rng, codes, weights, size):
    weights = np.asarray(weights, dtype=float)
    return list(rng.choice(codes, size=size, p=weights / weights.sum()))


def simulate_persons(
    rng: np.random.Generator, municipalities: list[str], weight: dict[str, float], scale: int = 1
) -> list[Person]:
    """Synthetic persons, constructed so that the published Kurzeme figures hold (scale 1)."""
    served_2019 = [m for m in municipalities if m not in NOT_SERVED_2019]
    persons: list[Person] = []
    for group in ("FT", "GRT"):
        starts = [y for y, n in NEW_PERSONS[group].items() for _ in range(n * scale)]
        starts = np.array(sorted(starts))
        ends = np.empty_like(starts)
        early = np.flatnonzero(starts <= 2018)
        staying = set(rng.choice(early, size=ACTIVE_2019[group] * scale - int((starts == 2019).sum()), replace=False))
        for i, s in enumerate(starts):
            if s <= 2018 and i not in staying:
                ends[i] = rng.integers(s, 2019)  # left before 2019
            else:
                ends[i] = rng.integers(max(s, 2019), v.LAST_YEAR + 1)
        # who lives where: persons active up to 2019 only in the 14 municipalities served then
        codes = np.empty(len(starts), dtype=object)
        early_all = np.flatnonzero(starts <= 2019)
        in_2019 = [i for i in early_all if ends[i] >= 2019]
        rng.shuffle(in_2019)
        for i, code in zip(in_2019, served_2019):  # every one of the 14 has somebody in 2019
            codes[i] = code
        rest_early = [i for i in early_all if codes[i] is None]
        codes[rest_early] = _pick(rng, served_2019, [weight[m] for m in served_2019], len(rest_early))
        late = np.flatnonzero(starts >= 2020)
        codes[late] = _pick(rng, municipalities, [weight[m] for m in municipalities], len(late))
        services = _services(rng, group, starts, codes, scale)
        persons += [Person(group, codes[i], int(starts[i]), int(ends[i]), services[i]) for i in range(len(starts))]
    for code, opened in BSAC_HOMES.items():
        for year, n in NEW_PERSONS["BSAC"].items():
            if year < opened:
                continue
            share = n * scale // 2 if len(BSAC_HOMES) > 1 and code == "0170000" and year == 2023 else n * scale
            if code == "0270000":
                share = n * scale - (n * scale // 2 if year == 2023 else 0)
            kind = "youth_home" if code == "0170000" else "family_like_care"
            persons += [Person("BSAC", code, year, v.LAST_YEAR, (kind,)) for _ in range(share)]
    return persons


def _services(rng, group, starts, codes, scale):
    n = len(starts)
    chosen: list[set] = [set() for _ in range(n)]
    if group == "FT":
        by_2020 = rng.permutation(np.flatnonzero(starts <= 2020))
        sr = FT_SERVICES_BY_2020["social_rehabilitation"] * scale
        care = FT_SERVICES_BY_2020["care"] * scale
        respite = FT_SERVICES_BY_2020["respite"] * scale
        for i in by_2020[:sr]:
            chosen[i].add("social_rehabilitation")
        others = by_2020[sr:]
        for i in others[:care]:
            chosen[i].add("care")
        for i in others[care:]:
            chosen[i].add("respite")
        extra_respite = respite - len(others[care:])
        for i in rng.choice(by_2020[:sr], size=extra_respite, replace=False):
            chosen[i].add("respite")
        for i in np.flatnonzero(starts > 2020):
            for service, p in (("social_rehabilitation", 0.7), ("care", 0.2), ("respite", 0.25), ("day_care", 0.2)):
                if rng.random() < p:
                    chosen[i].add(service)
            if not chosen[i]:
                chosen[i].add("social_rehabilitation")
    else:
        for i in range(n):
            for service, p in (
                ("social_rehabilitation", 0.55),
                ("day_care", 0.4),
                ("specialised_workshop", 0.25),
                ("care", 0.2),
            ):
                if rng.random() < p:
                    chosen[i].add(service)
            if starts[i] >= 2022 and codes[i] in GROUP_APARTMENTS and rng.random() < 0.4:
                chosen[i].add("group_apartment")
            if not chosen[i]:
                chosen[i].add("social_rehabilitation")
    return [tuple(sorted(c)) for c in chosen]


def service_uptake(persons: list[Person], municipalities: list[str]) -> pd.DataFrame:
    """Aggregate persons into the service_uptake table: served and new per year and service."""
    counts: dict[tuple, list[int]] = {}
    for p in persons:
        for year in range(p.start, p.end + 1):
            for service in (*p.services, "any"):
                cell = counts.setdefault((year, p.atvk_code, p.target_group, service), [0, 0])
                cell[0] += 1
                cell[1] += year == p.start
    rows = []
    for year in v.YEARS:
        for code in municipalities:
            for group, services in v.GROUP_SERVICES.items():
                for service in (*services, "any"):
                    served, new = counts.get((year, code, group, service), (0, 0))
                    rows.append((year, code, group, service, served, new))
    return pd.DataFrame(rows, columns=["year", "atvk_code", "target_group", "service", "persons_served", "persons_new"])


def _spread(rng, total: int, codes: list[str], weight: dict[str, float]) -> dict[str, int]:
    shares = np.array([weight[c] for c in codes], dtype=float)
    return dict(zip(codes, rng.multinomial(total, shares / shares.sum())))


def transitions(rng, persons, municipalities, weight, scale) -> pd.DataFrame:
    rows = []
    grt = [m for m in municipalities if m not in NOT_SERVED_2019]
    for year in v.YEARS:
        moves = _spread(rng, VSAC_MOVES.get(year, 0) * scale, grt, weight)
        bsac = pd.Series([p.atvk_code for p in persons if p.target_group == "BSAC" and p.start == year]).value_counts()
        for code in municipalities:
            rows.append((year, code, "vsac_to_municipality", int(moves.get(code, 0))))
            rows.append((year, code, "bsac_to_family_like_care", int(bsac.get(code, 0))))
    return pd.DataFrame(rows, columns=["year", "atvk_code", "transition", "persons"])


def needs_assessments(rng, municipalities, weight, scale) -> pd.DataFrame:
    profile = {2017: 0.35, 2018: 0.35, 2019: 0.15, 2020: 0.05, 2021: 0.04, 2022: 0.03, 2023: 0.03}
    totals = {"FT": 300, "GRT": 330}
    rows = []
    for group, total in totals.items():
        for year, share in profile.items():
            done = _spread(rng, round(total * share * scale), municipalities, weight)
            for code in municipalities:
                plans = int(rng.binomial(done[code], 0.9))
                rows.append((year, code, group, int(done[code]), plans))
    return pd.DataFrame(rows, columns=["year", "atvk_code", "target_group", "assessments", "support_plans"])


def infrastructure(rng, reference_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public projects, with what is not public filled in synthetically (and marked so)."""
    projects = read_csv_text(reference_dir / "infrastructure_projects.csv")
    milestones = read_csv_text(reference_dir / "infrastructure_milestones.csv")
    filled = []
    synthetic_defaults = {
        "AIZ-1": ("day_care_centre", "FT;GRT"),
        "SAL-1": ("day_care_centre;group_apartment", "GRT"),
        "VNO-1": ("group_apartment", "GRT"),
        "TAL-1": (None, "FT;GRT"),
    }
    for _, p in projects.iterrows():
        p = p.copy()
        marks = []
        kinds, groups = synthetic_defaults.get(p["project_id"], (None, None))
        if pd.isna(p["facility_types"]) and kinds and p["project_id"] != "DUN-1":
            p["facility_types"], marks = kinds, marks + ["facility_types"]
        if pd.isna(p["target_groups"]) and groups:
            p["target_groups"], marks = groups, marks + ["target_groups"]
        if p["project_id"] == "DUN-1":
            filled.append({**p.to_dict(), "synthetic_fields": None})
            continue
        if pd.isna(p["places_planned"]):
            p["places_planned"], marks = str(int(rng.integers(8, 30))), marks + ["places_planned"]
        if pd.isna(p["cost_total_eur"]):
            p["cost_total_eur"], marks = f"{rng.integers(300, 900) * 1000:.2f}", marks + ["cost_total_eur"]
        if pd.isna(p["erdf_eur"]):
            p["erdf_eur"], marks = f"{float(p['cost_total_eur']) * 0.85:.2f}", marks + ["erdf_eur"]
        filled.append({**p.to_dict(), "synthetic_fields": ";".join(marks) or None})
    projects = pd.DataFrame(filled).astype(object)

    rows = []
    known = {(m.project_id, m.milestone): m for m in milestones.itertuples()}
    for p in projects.itertuples():
        if p.project_id == "DUN-1":
            continue
        start = pd.Timestamp(f"{int(rng.integers(2019, 2021))}-{int(rng.integers(3, 10)):02d}-01")
        planned = {
            "construction_start": start,
            "construction_end": start + pd.Timedelta(days=int(rng.integers(240, 420))),
        }
        planned["service_opened"] = planned["construction_end"] + pd.Timedelta(days=int(rng.integers(60, 180)))
        slip = int(rng.integers(0, 500))
        for milestone in v.MILESTONES:
            real = known.get((p.project_id, milestone))
            actual = real.actual_date if real is not None and not pd.isna(real.actual_date) else None
            source = "synthetic"
            if actual is not None:
                source = f"{real.source}; planned_date synthetic"
                planned[milestone] = min(planned[milestone], pd.Timestamp(actual))
            else:
                guess = planned[milestone] + pd.Timedelta(days=slip)
                actual = guess.date().isoformat() if guess <= pd.Timestamp("2023-06-30") else None
            rows.append((p.project_id, milestone, planned[milestone].date().isoformat(), actual, source))
    milestones = pd.DataFrame(rows, columns=["project_id", "milestone", "planned_date", "actual_date", "source"])
    milestones = _order_actual_dates(milestones)
    return _places_created(projects, milestones, rng)


def _order_actual_dates(milestones: pd.DataFrame) -> pd.DataFrame:
    """Keep each project's milestone dates in order; real dates win over synthetic ones."""
    out = milestones.copy()
    for _, rows in out.groupby("project_id", sort=False):
        cap = None  # walking back from the last milestone, a synthetic date may not pass a later one
        for i in reversed(rows.index):
            actual = out.at[i, "actual_date"]
            if actual is None or pd.isna(actual):
                continue
            actual = pd.Timestamp(actual)
            if cap is not None and actual > cap and out.at[i, "source"] == "synthetic":
                actual = cap - pd.Timedelta(days=30)
                out.at[i, "actual_date"] = actual.date().isoformat()
            cap = actual if cap is None else min(cap, actual)
        planned = pd.to_datetime(out.loc[rows.index, "planned_date"]).cummax()
        out.loc[rows.index, "planned_date"] = [d.date().isoformat() for d in planned]
    return out


def _places_created(projects, milestones, rng):
    opened = set(
        milestones.loc[(milestones["milestone"] == "service_opened") & milestones["actual_date"].notna(), "project_id"]
    )
    projects = projects.copy()
    for i, p in projects.iterrows():
        if p["project_id"] in opened and pd.isna(p["places_created"]) and not pd.isna(p["places_planned"]):
            planned = int(p["places_planned"])
            projects.at[i, "places_created"] = str(int(max(0, planned - rng.integers(0, 3))))
            existing = "" if pd.isna(p["synthetic_fields"]) else p["synthetic_fields"]
            marks = [m for m in existing.split(";") if m]
            projects.at[i, "synthetic_fields"] = ";".join([*marks, "places_created"])
    return projects, milestones


def finance(rng, municipalities, weight, projects, scale) -> pd.DataFrame:
    rows = []
    esf_profile = {2017: 0.04, 2018: 0.12, 2019: 0.18, 2020: 0.18, 2021: 0.18, 2022: 0.16, 2023: 0.14}
    esf_total = 6_600_000 * scale
    shares = {c: weight[c] / sum(weight.values()) for c in municipalities}
    for year, ys in esf_profile.items():
        for code in municipalities:
            planned = round(esf_total * ys * shares[code], 2)
            rows += _fund_rows(rng, "ESF_services", year, code, planned, {"ESF": 0.85, "state": 0.15})
    erdf_total = 7_300_000 * scale
    by_code = (
        projects.dropna(subset=["cost_total_eur"])
        .groupby("atvk_code")["cost_total_eur"]
        .apply(lambda s: s.astype(float).sum())
    )
    by_code = by_code * (erdf_total / by_code.sum())
    erdf_profile = {2019: 0.1, 2020: 0.3, 2021: 0.3, 2022: 0.2, 2023: 0.1}
    for code, amount in by_code.items():
        for year, ys in erdf_profile.items():
            rows += _fund_rows(
                rng,
                "ERDF_infrastructure",
                year,
                code,
                round(amount * ys, 2),
                {"ERDF": 0.85, "state": 0.05, "municipal": 0.10},
            )
    return pd.DataFrame(
        rows, columns=["programme", "year", "atvk_code", "fund", "planned_eur", "contracted_eur", "paid_eur"]
    )


def _fund_rows(rng, programme, year, code, planned, split):
    contracted = planned * float(rng.uniform(0.85, 1.0))
    paid = contracted * (float(rng.uniform(0.5, 0.9)) if year >= 2022 else float(rng.uniform(0.85, 1.0)))
    rows, totals = [], [0.0, 0.0, 0.0]
    for fund, share in split.items():
        parts = [round(planned * share, 2), round(contracted * share, 2), round(paid * share, 2)]
        totals = [round(t + x, 2) for t, x in zip(totals, parts)]
        rows.append((programme, year, code, fund, *parts))
    rows.append((programme, year, code, "total", *totals))
    return rows


def activities(rng, scale) -> pd.DataFrame:
    rows = []
    for year in v.YEARS:
        for activity in v.ACTIVITIES:
            events = int(rng.integers(0, 4)) * scale
            if activity == "integration_camp":
                events = scale if year in (2021, 2022) else 0
            participants = int(events * rng.integers(8, 30))
            rows.append((year, activity, events, participants))
    return pd.DataFrame(rows, columns=["year", "activity", "events", "participants"])


def submissions(rng, municipalities) -> pd.DataFrame:
    rows = []
    for year in v.YEARS:
        due = pd.Timestamp(f"{year + 1}-01-31")
        for code in municipalities:
            if (code, year) in MISSING_SUBMISSIONS:
                rows.append((code, year, due.date().isoformat(), None, "missing", None, None))
                continue
            received = due + pd.Timedelta(days=int(rng.integers(-25, 45)))
            status = "late" if received > due else "received"
            rows.append((code, year, due.date().isoformat(), received.date().isoformat(), status, None, None))
    return pd.DataFrame(rows, columns=["atvk_code", "year", "due_date", "received_date", "status", "file", "sha256"])


def _blank_missing(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for code, year in MISSING_SUBMISSIONS:
        hit = (frame["atvk_code"] == code) & (frame["year"] == year)
        for column in columns:
            frame[column] = frame[column].astype("Int64")
            frame.loc[hit, column] = pd.NA
    return frame


def national_reference(rng, reference_dir: Path, out: Path, regions: int = 5, per_region: int = 24) -> list[str]:
    """A synthetic reference for a national-scale dataset: about 119 municipalities in 5 regions."""
    for path in reference_dir.glob("*.csv"):
        shutil.copy(path, out / path.name)
    # Kurzeme's published figures say nothing about a synthetic country: none are public here.
    figures = read_csv_text(reference_dir / "public_figures.csv")
    figures.iloc[:0].to_csv(out / "public_figures.csv", index=False)
    rows, successors = [], []
    n = 0
    for region in range(regions):
        count = per_region - (1 if region == regions - 1 else 0)
        for i in range(count):
            n += 1
            code = f"9{region:01d}{i:02d}000"
            successor = f"LV-9{region}{i // 4}"
            rows.append(
                (
                    code,
                    f"Sintētiskais novads {n}",
                    f"Sintētiskais {n}",
                    "novads",
                    f"Sintētiskais apvienotais novads {region}-{i // 4}",
                    successor,
                    None,
                    None,
                    None,
                    "synthetic",
                )
            )
            if successor not in {s[0] for s in successors}:
                successors.append(
                    (
                        successor,
                        f"Sintētiskais apvienotais novads {region}-{i // 4}",
                        f"Sintētiskais apvienotais {region}-{i // 4}",
                        "novads",
                        "synthetic",
                    )
                )
    pd.DataFrame(
        rows,
        columns=[
            "atvk_code",
            "name",
            "name_short",
            "kind",
            "successor_2021",
            "successor_iso",
            "population",
            "population_year",
            "population_source",
            "source",
        ],
    ).to_csv(out / "municipalities.csv", index=False)
    pd.DataFrame(successors, columns=["iso_code", "name", "name_short", "kind", "source"]).to_csv(
        out / "municipalities_2021.csv", index=False
    )
    codes = [r[0] for r in rows]
    plan = pd.DataFrame(
        [(pv, c, "synthetic") for pv in ("2017-10-05", "2020-01-15") for c in codes[::12]],
        columns=["plan_version", "atvk_code", "source"],
    )
    plan.to_csv(out / "infrastructure_plan.csv", index=False)
    pd.DataFrame(columns=["project_id", "milestone", "planned_date", "actual_date", "source"]).to_csv(
        out / "infrastructure_milestones.csv", index=False
    )
    return codes


def generate(out: str | Path | None = None, seed: int = DEFAULT_SEED, scale: str = "kurzeme") -> Path:
    """Write the synthetic dataset to ``out`` atomically and return its path."""
    out = Path(out) if out is not None else paths.SAMPLE_DIR
    if scale not in ("kurzeme", "national"):
        from di_eval.errors import ChoiceError

        raise ChoiceError("scale", scale, ["kurzeme", "national"])
    check_arguments(out, seed)
    rng = np.random.default_rng(seed)
    staging = fs.staging_dir(out.parent, f".{out.name}.")  # mode per umask, not mkdtemp's 0700
    try:
        reference_dir = paths.REFERENCE_DIR
        tables = _tables(rng, reference_dir, staging, scale)
        for name, frame in tables.items():
            frame.to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
        _replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def check_arguments(out: Path, seed) -> None:
    """Refuse a seed below 0 and an ``out`` that is not the sample's to replace.

    ``out`` is replaced only when it does not exist, is an empty folder or holds nothing but what
    this function writes (the tables' CSV files and ``reference/``): never a file, a place without
    a name (``/``, ``.``, ``..``, ``""``) nor a folder holding anything else (a collection's
    commentary, someone's documents)."""
    from di_eval.dataset import TABLES
    from di_eval.errors import DiEvalError

    def refuse(message: str):
        err = DiEvalError(message)
        err.usage = True  # exit status 2, like any other refused argument
        raise err

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        refuse(f"--seed {seed}: must be a whole number of 0 or more")
    if str(out) in ("", ".", "..") or out.name in ("", ".", "..") or out.resolve() == Path(out.resolve().anchor):
        refuse(f"--out {str(out)!r}: name a folder for the dataset, such as data/sample")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        refuse(f"--out {out}: is not a folder; sample writes a folder and replaces only its own")
    if out.is_dir():
        own = {f"{name}.csv" for name in TABLES} | {"reference"}
        foreign = sorted(p.name for p in out.iterdir() if p.name not in own)
        if foreign:
            refuse(
                f"--out {out}: holds what sample did not write ({', '.join(foreign[:3])}"
                f"{', …' if len(foreign) > 3 else ''}); choose an empty or new folder"
            )


def _tables(rng, reference_dir, staging, scale) -> dict[str, pd.DataFrame]:
    if scale == "national":
        (staging / "reference").mkdir()
        codes = national_reference(rng, reference_dir, staging / "reference")
        weight = {c: float(w) for c, w in zip(codes, rng.uniform(0.5, 12, len(codes)))}
        ring = [codes[i : i + 20] for i in range(0, len(codes), 20)]
        persons = []
        for block in ring:
            block_weight = {c: weight[c] for c in block}
            # each block of 20 behaves like one Kurzeme; NOT_SERVED_2019 codes do not occur here
            persons += simulate_persons(rng, block, block_weight)
        projects = pd.DataFrame(
            columns=[
                "project_id",
                "atvk_code",
                "facility_types",
                "target_groups",
                "name",
                "address",
                "places_planned",
                "places_created",
                "cost_total_eur",
                "erdf_eur",
                "notes",
                "source",
                "synthetic_fields",
            ]
        )
        milestones = pd.DataFrame(columns=["project_id", "milestone", "planned_date", "actual_date", "source"])
        projects = pd.DataFrame(
            [
                (
                    f"P-{c}",
                    c,
                    "day_care_centre",
                    "FT;GRT",
                    "Sintētisks projekts",
                    None,
                    20,
                    None,
                    500000.0,
                    425000.0,
                    None,
                    "synthetic",
                    "all",
                )
                for c in codes[::6]
            ],
            columns=projects.columns,
        )
        factor = 6
    else:
        codes = read_csv_text(reference_dir / "municipalities.csv")["atvk_code"].tolist()
        weight = {c: SIZE_WEIGHT[c] for c in codes}
        persons = simulate_persons(rng, codes, weight)
        projects, milestones = infrastructure(rng, reference_dir)
        factor = 1
    uptake = service_uptake(persons, codes)
    tables = {
        "service_uptake": _blank_missing(uptake, ["persons_served", "persons_new"]),
        "transitions": _blank_missing(transitions(rng, persons, codes, weight, factor), ["persons"]),
        "needs_assessments": _blank_missing(
            needs_assessments(rng, codes, weight, factor), ["assessments", "support_plans"]
        ),
        "infrastructure_projects": projects,
        "infrastructure_milestones": milestones,
        "finance": finance(rng, codes, weight, projects, factor),
        "activities": activities(rng, factor),
        "submissions": submissions(rng, codes),
    }
    if factor == 1:  # the Kurzeme sample: each municipality's share of the plan (no random draws)
        tables["municipal_plan"] = municipal_plan(reference_dir, codes, weight, uptake)
    return tables


def _largest_remainder(total: int, weight: dict[str, float]) -> dict[str, int]:
    """``total`` split over the keys in proportion to ``weight``, in whole numbers that add up."""
    whole = sum(weight.values())
    exact = {k: total * w / whole for k, w in weight.items()}
    out = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def municipal_plan(reference_dir: Path, codes: list[str], weight: dict, uptake: pd.DataFrame) -> pd.DataFrame:
    """A synthetic plan per municipality: the region's FT and GRT targets of every plan version split by
    size (persons planned, service 'any'), and the services it is to offer (those it gives in the sample).
    Marked ``synthetic``: the real plan's municipal figures are not public."""
    targets = read_csv_text(reference_dir / "targets.csv")
    targets = targets[(targets["scope"] == "region") & targets["target"].isin(["FT", "GRT"])]
    given = uptake[pd.to_numeric(uptake["persons_served"], errors="coerce").fillna(0) > 0]
    offered = set(zip(given["atvk_code"], given["target_group"], given["service"]))
    rows = []
    for version, group, value in zip(targets["plan_version"], targets["target"], targets["value"]):
        shares = _largest_remainder(int(value), {c: weight[c] for c in codes})
        for code in codes:
            rows.append((version, code, group, "any", shares[code], "synthetic"))
            rows += [
                (version, code, group, service, None, "synthetic")
                for service in v.GROUP_SERVICES[group]
                if (code, group, service) in offered
            ]
    frame = pd.DataFrame(
        rows, columns=["plan_version", "atvk_code", "target_group", "service", "persons_planned", "source"]
    )
    frame["persons_planned"] = frame["persons_planned"].astype("Int64")
    return frame


def _replace_dir(staging: Path, out: Path) -> None:
    """Swap the staged folder into place so readers never see a half-written dataset."""
    fs.swap_dir(staging, out)
