"""The options of a batch run, checked before anything starts: limits, --only, and what --out may be.

This module is light (no papermill, no kernels, no charts), so that ``di-eval run`` refuses a
misspelt municipality or an unsafe ``--out`` at once, before the heavy imports and long before
any worker starts. ``di_eval.run`` uses the same checks.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

from di_eval import paths
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report.parameters import parse_date
from di_eval.vocabulary import LANGUAGES, STRUCTURES

DEFAULT_TIMEOUT = 300.0
# More workers than this only adds memory (each holds a kernel of ~300 MiB) and contention.
MAX_WORKERS = min(32, max(4, 2 * (os.cpu_count() or 1)))
MARKER = ".di-eval-release"
MANIFEST = "manifest.json"
RELEASES = ".releases"


class OutputRefused(DiEvalError):
    """Raised when ``--out`` names something a run must not replace (a wrong argument: exit 2)."""

    usage = True


class BadArgument(DiEvalError):
    """A `di-eval run` argument that cannot be used (exit status 2)."""

    usage = True


REGION_WORDS = ("region", "reģions", "regions")


def disclosure_methods() -> tuple[str, ...]:
    """``di_eval.analysis.disclosure.METHODS`` (imported only when asked: it pulls in numpy and HiGHS)."""
    from di_eval.analysis.disclosure import METHODS

    return tuple(METHODS)


def default_disclosure() -> str:
    """The method ``DisclosureRule`` uses when none is given."""
    import dataclasses

    from di_eval.analysis.disclosure import DisclosureRule

    return next(f.default for f in dataclasses.fields(DisclosureRule) if f.name == "method")


def check_disclosure(method) -> str | None:
    """``--disclosure``: None (the rule's default) or one of the methods; BadArgument otherwise."""
    if method is None or method == "":
        return None
    methods = disclosure_methods()
    if method not in methods:
        raise BadArgument(f"--disclosure {method!r}: must be one of {', '.join(methods)}")
    return str(method)


def resolve_only(names: list[str] | None, data_dir: Path | None, structure: str) -> list[str] | None:
    """The scope codes ``--only`` names ("region" included), checked without loading the dataset."""
    if not names:
        return None
    own = (data_dir / "reference") if data_dir else None
    reference = own if own is not None and own.is_dir() else paths.REFERENCE_DIR
    table = _read_reference(reference / ("municipalities.csv" if structure == "2017" else "municipalities_2021.csv"))
    from di_eval import municipalities as muni

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
    data_dir, out, *, as_of, lang, only, structure, workers, timeout, threshold, disclosure=None
) -> tuple[Path | None, Path, object, list[str] | None, int]:
    """Every argument of a run checked before any process starts; a clear message for each.

    ``disclosure`` is checked too (``check_disclosure``); the caller uses that function's answer.
    """
    if lang not in LANGUAGES:
        raise ChoiceError("language", lang, list(LANGUAGES))
    if str(structure) not in STRUCTURES:
        raise ChoiceError("structure", structure, list(STRUCTURES))
    as_of = parse_date(as_of)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise BadArgument(f"--threshold {threshold!r}: must be a whole number of at least 1")
    check_disclosure(disclosure)
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise BadArgument(f"--timeout {timeout!r}: must be a number of seconds above 0 (e.g. 300)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BadArgument(f"--workers {workers!r}: must be a whole number of at least 1")
    if workers is not None and workers > MAX_WORKERS:
        raise BadArgument(
            f"--workers {workers}: at most {MAX_WORKERS} on this machine (each worker holds a kernel "
            f"of about 300 MiB; more than the {os.cpu_count() or 1} cores only adds waiting)"
        )
    data_path = Path(data_dir).resolve() if data_dir else None
    if data_path is not None and not data_path.is_dir():
        raise BadArgument(f"--data {data_dir}: no such dataset folder")
    scopes = resolve_only(only, data_path, str(structure))
    out = check_out(paths.OUTPUTS_DIR / "reports" if out is None else out, data_path or paths.SAMPLE_DIR)
    return data_path, out, as_of, scopes, workers or (os.cpu_count() or 1)


def _read_reference(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


# --- what is at --out -----------------------------------------------------------------------


def releases_dir(out: Path) -> Path:
    """Where the releases of ``out`` live: ``<parent>/.releases/<name>/``."""
    return out.parent / RELEASES / out.name


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _manifest_of(folder: Path) -> dict | None:
    try:
        content = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def is_release(folder: Path) -> bool:
    """A folder a di-eval run published: its marker and its manifest."""
    return folder.is_dir() and (folder / MARKER).is_file() and _manifest_of(folder) is not None


def is_legacy_output(folder: Path) -> bool:
    """A folder an older di-eval published as a plain folder: its manifest names di-eval."""
    content = _manifest_of(folder) if folder.is_dir() and not folder.is_symlink() else None
    return bool(content) and str(content.get("generator", "")).startswith("di-eval") and "reports" in content


def _our_link(out: Path) -> bool:
    """``out`` is a link this module made: to a release folder of its own name in ``.releases``."""
    try:
        target = os.readlink(out)
    except OSError:
        return False
    return re.fullmatch(rf"{re.escape(RELEASES)}[/\\]{re.escape(out.name)}[/\\][\w.-]+", target) is not None


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def check_out(out, data_dir: Path | None = None) -> Path:
    """The absolute ``--out`` if a run may publish there; OutputRefused saying why and what to do.

    Checked before any worker starts. ``out`` may be missing (its parents are made), a link to
    a release, a release, or a folder an older di-eval wrote; nothing else.
    """
    if out is None or str(out).strip() == "":
        raise OutputRefused("--out is empty: give the folder to publish into, e.g. --out outputs/reports")
    out = Path(os.path.abspath(os.path.expanduser(str(out))))
    if out.parent == out:
        raise OutputRefused(f"--out {out}: cannot publish at the root of a file system; name a folder inside it")
    resolved = out.resolve() if out.exists() and not out.is_symlink() else out
    if Path.cwd().resolve() == resolved or _inside(Path.cwd().resolve(), resolved):
        raise OutputRefused(f"--out {out}: that is the current folder (or contains it); name a new folder")
    if data_dir is not None:
        data = Path(data_dir).resolve()
        if _inside(resolved, data) or _inside(data, resolved) or _inside(out, data) or _inside(data, out):
            raise OutputRefused(
                f"--out {out}: the output folder must be outside the dataset folder {data} and must not contain it"
            )
    if out.is_symlink():
        if _our_link(out):
            return out
        raise OutputRefused(f"--out {out} is a link di-eval did not make; choose another --out or remove the link")
    if not out.exists():
        return out
    if not out.is_dir():
        raise OutputRefused(f"--out {out} is a file, not a folder di-eval published; choose another --out")
    if is_release(out) or is_legacy_output(out):
        return out
    raise OutputRefused(
        f"--out {out} is a folder that di-eval did not publish (no {MARKER} and {MANIFEST} in it); "
        "it is left untouched: choose a new --out, or remove the folder yourself"
    )
