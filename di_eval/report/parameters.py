"""The parameters of the report notebooks, validated before any work is done."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass

from di_eval import vocabulary as v
from di_eval.errors import ChoiceError

# Names IPython and Jupyter put in a kernel's namespace, which are never parameters.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}

FIRST_DATE = dt.date(v.FIRST_YEAR, 1, 1)
LAST_DATE = dt.date(v.LAST_YEAR, 12, 31)


@dataclass(frozen=True)
class Spec:
    """A notebook parameter: its name, type, default and the help line shown to users."""

    name: str
    type: type
    default: object
    help: str


MUNICIPALITY = (
    Spec("municipality", str, "Kuldīgas novads", "municipality: ATVK code, official name or alias"),
    Spec("as_of", str, "2023-12-31", "evaluation date YYYY-MM-DD, within 2017-01-01..2023-12-31"),
    Spec("lang", str, "lv", "report language: lv or en"),
    Spec("data_dir", str, "", "dataset folder; empty means the shipped synthetic sample"),
    Spec("structure", str, "2017", "municipal structure: 2017 (20 municipalities) or 2021 (7)"),
    Spec("threshold", int, 5, "disclosure control: counts 1..threshold-1 are shown as <threshold"),
    Spec("disclosure", str, "", "disclosure method: heuristic, suppression or rounding; empty: the rule's default"),
)
REGION = tuple(spec for spec in MUNICIPALITY if spec.name != "municipality")
EXPLORE = REGION

SPECS = {"municipality": MUNICIPALITY, "region": REGION, "explore": EXPLORE}


def parse_date(value) -> dt.date:
    """A date within the plan period, from 'YYYY-MM-DD' or a date; ChoiceError otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ChoiceError(
                "date",
                value,
                [],
                hint="write it as YYYY-MM-DD, e.g. 2020-12-31",
                hint_lv="rakstiet to kā GGGG-MM-DD, piemēram, 2020-12-31",
            ) from None
    if not FIRST_DATE <= value <= LAST_DATE:
        period = f"{FIRST_DATE.isoformat()}..{LAST_DATE.isoformat()}"
        raise ChoiceError(
            "date", value.isoformat(), [], hint=f"it must be within {period}", hint_lv=f"tam jābūt robežās {period}"
        )
    return value


def check(kind: str, namespace: dict) -> dict:
    """The parameters in ``namespace``, typed and checked; unknown names refused, with the closest
    parameter names ("did you mean").

    In a notebook, ``Report.open`` passes only what the parameters cell and papermill's injected
    cell assign (``notebook.parameters_in``), so that a misspelt parameter fails at once instead of
    being silently ignored, while the notebook's other variables are none of its business.
    """
    specs = {spec.name: spec for spec in SPECS[kind]}
    values = {}
    for name, value in namespace.items():
        if name.startswith("_") or name in _KERNEL_NAMES or _is_module_or_callable(value):
            continue
        if name not in specs:
            raise ChoiceError(
                "parameter",
                name,
                [f"{s.name} ({s.help})" for s in SPECS[kind]],
                suggestions=difflib.get_close_matches(name, list(specs), n=2, cutoff=0.6),
            )
        values[name] = value
    for name, spec in specs.items():
        values.setdefault(name, spec.default)
        values[name] = _coerce(spec, values[name])
    values["as_of"] = parse_date(values["as_of"])
    if values["lang"] not in v.LANGUAGES:
        raise ChoiceError("language", values["lang"], list(v.LANGUAGES))
    if str(values["structure"]) not in v.STRUCTURES:
        raise ChoiceError("structure", values["structure"], list(v.STRUCTURES))
    values["structure"] = str(values["structure"])
    if values["disclosure"]:
        from di_eval.analysis.disclosure import METHODS

        if values["disclosure"] not in METHODS:
            raise ChoiceError("disclosure method", values["disclosure"], list(METHODS))
    if values["threshold"] < 1:
        raise ChoiceError(
            "threshold",
            values["threshold"],
            [],
            hint="a whole number of at least 1",
            hint_lv="vesels skaitlis, vismaz 1",
        )
    return values


def _is_module_or_callable(value) -> bool:
    import types

    # the report object a notebook makes after this check is not a parameter either, so the
    # check cell can be re-run in JupyterLab
    made_here = type(value).__module__.startswith("di_eval")
    return isinstance(value, types.ModuleType) or callable(value) or made_here


def _coerce(spec: Spec, value):
    if spec.type is int and not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ChoiceError(spec.name, value, [], hint="a whole number", hint_lv="vesels skaitlis") from None
    if spec.type is str:
        return "" if value is None else str(value)
    return value


def parameters_cell(kind: str) -> str:
    """The source of a notebook's parameters cell: `name: type = value  # help` per line."""
    lines = ["# Parameters (papermill: -r/-p NAME VALUE). Each line: name: type = default  # help"]
    for spec in SPECS[kind]:
        default = json.dumps(spec.default, ensure_ascii=False) if isinstance(spec.default, str) else spec.default
        lines.append(f"{spec.name}: {spec.type.__name__} = {default}  # {spec.help}")
    return "\n".join(lines)
