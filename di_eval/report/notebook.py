"""Working in JupyterLab: what the report notebooks need beyond papermill.

- which names are parameters: the ones the notebook's parameters cell and papermill's injected
  cell assign (read from the kernel's input history), never every global, so a scratch variable
  is fine and a corrected typo is fine without a restart;
- stale sections: a section run after the parameters changed says which cell to run again;
- the report's styles travel with each output, scoped under ``.di-eval-report`` so that they
  touch nothing else of JupyterLab (the exporter takes the wrapper off again: pages stay as they were);
- errors as their message, in the report's language (IPython's ``_render_traceback_``);
- ``preview``: the page exactly as ``di-eval run`` makes it, shown in an inline frame;
- ``picker``: a municipality picker (ipywidgets), or a printed hint without it.
"""

from __future__ import annotations

import ast
import functools
import html as _html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from di_eval import paths
from di_eval.errors import ChoiceError, DiEvalError, error_lines, render_error, set_notebook_language  # noqa: F401
from di_eval.report.export import _OPEN, WRAPPER_CLASS, for_export, unwrap  # noqa: F401
from di_eval.report.html import Fragment
from di_eval.text import Text

PARAMETERS_HEADER = "# Parameters (papermill"  # the first line of the notebooks' parameters cell
INJECTED_HEADER = "# Parameters"  # the first line of the cell papermill injects (tagged injected-parameters)
PREVIEW_ENV = "DI_EVAL_PREVIEW_DIR"
_MISSING = object()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    return get_ipython()


def _text(lang: str, lv: str, en: str) -> str:
    return Text(lv, en)(lang)  # no values: the words as they are (braces in them stay)


# --- which names are parameters ------------------------------------------------------------------


def assigned_names(source: str) -> list[str]:
    """The names a cell assigns at its top level (``x = 1``, ``x: int = 1``), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            continue
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id not in names:
                    names.append(name.id)
    return names


def parameter_names(history: list[str]) -> list[str] | None:
    """The parameters as the notebook last set them: the names assigned by the last run of its
    parameters cell and by papermill's injected cell run after it. None when neither was run."""
    return _parameter_cells(history)[0]


def _parameter_cells(history: list[str]) -> tuple[list[str] | None, bool]:
    """The parameter names (as ``parameter_names``) and whether papermill injected any."""
    last_parameters = last_injected = None
    for index, source in enumerate(history):
        first = source.lstrip().split("\n", 1)[0].strip()
        if first.startswith(PARAMETERS_HEADER):
            last_parameters, last_injected = index, None
        elif first == INJECTED_HEADER:
            last_injected = index
    if last_parameters is None and last_injected is None:
        return None, False
    names: list[str] = []
    for index in (last_parameters, last_injected):
        if index is not None:
            names += [n for n in assigned_names(history[index]) if n not in names]
    return names, last_injected is not None


def parameters_in(kind: str, namespace: dict) -> dict:
    """The notebook's parameters out of its namespace (what ``parameters.check`` then checks).

    In a kernel: the names the parameters cell and papermill's injected cell assign; without a
    parameters cell in the history, the known parameter names found in the namespace. Outside
    IPython (a script, a test), ``namespace`` is taken as it is.
    """
    from di_eval.report.parameters import SPECS

    lang = namespace.get("lang")
    set_notebook_language(lang)
    shell = _shell()
    if shell is None or namespace is not getattr(shell, "user_ns", None):
        return dict(namespace)
    names, _ = _parameter_cells(list(shell.history_manager.input_hist_raw))
    if names is None:
        names = [spec.name for spec in SPECS[kind]]
    return {name: namespace[name] for name in names if name in namespace}


def driven_by_person(namespace: dict) -> bool:
    """Whether ``namespace`` is a kernel's own, run by a person rather than by papermill (which
    injects its parameters and runs each report once: nothing to reuse)."""
    shell = _shell()
    if shell is None or namespace is not getattr(shell, "user_ns", None):
        return False
    return not _parameter_cells(list(shell.history_manager.input_hist_raw))[1]


# --- stale sections -----------------------------------------------------------------------------


@dataclass
class Opened:
    """What a report was opened with: the namespace, the parameters' values then, and the cell."""

    namespace: dict
    values: dict
    cell: int | None


def remember(report, namespace: dict, interactive: bool = False) -> None:
    """Note on ``report`` the parameter values it was opened with, to tell a stale section later;
    in a kernel driven by a person (``interactive``), its sections are drawn once per parameters
    and kept in the report's ``memory``."""
    from di_eval.report.parameters import SPECS

    shell = _shell()
    cell = None
    if shell is not None and namespace is getattr(shell, "user_ns", None):
        cell = len(shell.history_manager.input_hist_raw) - 1  # In[n]: the cell running Report.open
    values = {spec.name: namespace.get(spec.name, _MISSING) for spec in SPECS[report.kind]}
    report._opened = Opened(namespace, values, cell)
    if interactive:
        for name in REUSED_SECTIONS:
            if callable(getattr(report, name, None)):
                setattr(report, name, _reused(report, name, getattr(report, name)))


# Sections drawn again only when something they show changed: a warm Run All with the same
# parameters then takes a fraction of a second. Not the title, the commentary (its file may have
# been edited) or the method (it states when it was generated).
REUSED_SECTIONS = (
    "summary",
    "target_groups",
    "services",
    "infrastructure",
    "implementation",
    "comparison",
    "history",
    "data_quality",
)


def _reused(report, name: str, method):
    @functools.wraps(method)
    def section_method():
        differences = changed(report)
        if differences:
            return Section("", {}, stale_notice(report, differences))
        params = tuple(sorted((k, str(x)) for k, x in report.params.items()))
        key = (report.kind, report.scope, params, report.dataset.fingerprint, id(report.source), name)
        key += (tuple(report._figures.items()),)  # figure numbers go on from the sections before
        fragment, figures = report.memory.section(key, lambda: (method(), dict(report._figures)))
        report._figures = dict(figures)
        return fragment

    return section_method


def changed(report) -> dict:
    """The parameters whose value in the notebook differs from the one the report was opened with."""
    opened = getattr(report, "_opened", None)
    if opened is None:
        return {}
    found = {}
    for name, before in opened.values.items():
        now = opened.namespace.get(name, _MISSING)
        try:
            same = now is before or bool(now == before)
        except Exception:  # noqa: BLE001 - an object that cannot be compared counts as changed
            same = False
        if not same:
            found[name] = (before, now)
    return found


def stale_notice(report, differences: dict) -> str:
    """A warning, in the report's language, naming the changes and the cell to run again."""
    lang = report.lang
    shown = "; ".join(
        f"{name}: {_shown(before)} → {_shown(now)}" for name, (before, now) in sorted(differences.items())
    )
    cell = report._opened.cell
    where = f" [{cell}]" if cell else ""
    text = _text(
        lang,
        f"Parametri mainīti pēc Report.open ({shown}). Šī sadaļa netiek rādīta ar vecajiem parametriem: "
        f"palaidiet atkārtoti šūnu ar report = Report.open(…){where} un tad šo šūnu, vai palaidiet visas "
        "šūnas (Run All).",
        f"Parameters changed after Report.open ({shown}). This section is not shown with the old parameters: "
        f"run the cell with report = Report.open(…){where} again, then this cell, or run all cells (Run All).",
    )
    return f'<div class="stale" role="alert"><p><strong>⚠</strong> {_html.escape(text)}</p></div>'


def _shown(value) -> str:
    return "—" if value is _MISSING else repr(value)


# --- styles that travel with the output ----------------------------------------------------------

# JupyterLab styles every output (tables, lists, description lists, headings, links); its rules are
# first reverted to the browser's own, so that the report's stylesheet applies as it does on the page.
_SCOPE = "." + WRAPPER_CLASS
_STRONG = _SCOPE * 3  # outweighs JupyterLab's own selectors (e.g. .jp-RenderedHTMLCommon tbody tr:nth-child(odd))
_WRAPPER_RULES = (
    "all:revert;display:block;font-size:1rem;font-weight:normal;font-style:normal;text-align:start;"
    "letter-spacing:normal;word-spacing:normal;white-space:normal;color-scheme:light;max-width:62rem;"
    "padding:.1rem 1.25rem .6rem;border-radius:4px"
)


@dataclass
class _Rule:
    selectors: str
    body: str


def _split_rules(css: str) -> list:
    """The top-level rules of minified CSS: plain rules, and @-blocks as (prelude, [rules])."""
    rules: list = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace == -1:
            break
        prelude = css[i:brace].strip()
        depth, j = 1, brace + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        inner = css[brace + 1 : j - 1]
        if prelude.startswith("@"):
            rules.append((prelude, _split_rules(inner) if "{" in inner else inner))
        else:
            rules.append(_Rule(prelude, inner))
        i = j
    return rules


def _scope_selector(selector: str) -> str | None:
    selector = selector.strip()
    if selector in (":root", "body"):
        return _STRONG
    if selector in ("html", "main", "footer"):
        return None
    if selector == "*":
        return f"{_STRONG},{_STRONG} *"
    return f"{_STRONG} {selector}"


def _scope_rules(rules: list) -> str:
    out = []
    for rule in rules:
        if isinstance(rule, tuple):
            prelude, inner = rule
            if prelude.startswith("@media") and isinstance(inner, list):
                out.append(f"{prelude}{{{_scope_rules(inner)}}}")
            continue  # @page and the like are the page's, not an output's
        selectors = [s for s in (_scope_selector(x) for x in rule.selectors.split(",")) if s]
        if selectors:
            out.append(f"{','.join(selectors)}{{{rule.body}}}")
    return "".join(out)


@functools.cache
def scoped_stylesheet() -> str:
    """The report's stylesheet with every rule under ``.di-eval-report`` (and JupyterLab's reverted)."""
    from di_eval.report.export import stylesheet

    reset = f"{_STRONG},{_STRONG} *{{all:revert}}{_STRONG}{{{_WRAPPER_RULES}}}"
    stale = f"{_STRONG} .stale{{border:2px solid #8a4b00;background:#fff4e5;padding:.2rem 1rem;margin:.6rem 0}}"
    return reset + _scope_rules(_split_rules(stylesheet())) + stale


def wrap(html: str) -> str:
    """A report fragment as shown in a notebook: inside the wrapper, with its scoped styles."""
    return f"{_OPEN}{scoped_stylesheet()}</style>{html}</div>"


@dataclass
class Section(Fragment):
    """A report section as a notebook shows it: scoped styles, or a warning when its parameters changed."""

    notice: str = ""

    def _repr_html_(self):
        return wrap(self.notice or self.html)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, metadata = super()._repr_mimebundle_(include, exclude)
        data["text/html"] = self._repr_html_()
        if self.notice:
            data["text/plain"] = _html.unescape(re.sub(r"<[^>]+>", "", self.notice))
        return data, metadata


def section(report, fragment: Fragment) -> Fragment:
    """A section of ``report`` to display: styled for JupyterLab, or a warning if its parameters changed."""
    if not fragment.html:
        return fragment
    differences = changed(report)
    notice = stale_notice(report, differences) if differences else ""
    return Section(fragment.html, fragment.metadata, notice)


# --- errors ------------------------------------------------------------------------------------

# --- git: committed notebooks stay clean ------------------------------------------------------------


def refresh_git(model=None, os_path: str = "", contents_manager=None, **kwargs) -> None:
    """JupyterLab's post-save hook (``make lab`` sets it): after a notebook is saved whose content,
    through git's nbstripout filter, is what git already has, refresh git's record of the file.

    git takes a file whose size changed for a changed file without running the filter, so
    ``git status`` would list a notebook that was only run and saved while ``git diff`` shows nothing.
    Only then, and only for a tracked file, is it added again: its content in git stays the same.
    """
    import subprocess

    if (model or {}).get("type") != "notebook" or not os_path:
        return

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=os.path.dirname(os_path), capture_output=True, timeout=60)

    try:
        attribute = git("check-attr", "filter", "--", os_path).stdout.decode().strip()
        if not attribute.endswith(": nbstripout") or git("ls-files", "--error-unmatch", "--", os_path).returncode:
            return
        if git("diff", "--quiet", "--", os_path).returncode == 0:
            git("add", "--", os_path)
    except (OSError, subprocess.SubprocessError):  # no git, or it is busy: git status just says more
        return


# --- preview -----------------------------------------------------------------------------------


def preview_dir() -> Path:
    return Path(os.environ.get(PREVIEW_ENV) or paths.OUTPUTS_DIR / "preview")


def preview(report, *, out: str | Path | None = None, height: int = 640):
    """Make the report's page exactly as ``di-eval run`` does (papermill runs the saved notebook in a
    fresh kernel with these parameters, the project's exporter writes the page) and show it."""
    from IPython.display import HTML

    from di_eval.run import batch, site

    out = Path(out) if out else preview_dir()
    data_dir = report.params["data_dir"] or None
    only = ["region"] if report.is_region else [report.scope]
    job = site.plan_jobs(report.full, data_dir=data_dir, lang=report.lang, only=only)[0]
    outcome = batch.run_job(job, out, timeout=batch.DEFAULT_TIMEOUT, fresh_kernel=True)
    page = (out / job.html_path).resolve()
    if outcome.status != "ok":
        raise DiEvalError(f"{job.title}: {outcome.error}")
    try:
        href = os.path.relpath(page, Path.cwd())
    except ValueError:  # another drive (Windows)
        href = page.as_uri()
    link = _html.escape(Path(href).as_posix())
    lang = report.lang
    label = _text(lang, "Publicējamā lapa", "The page as published")
    opened = _text(lang, "atvērt jaunā cilnē", "open in a new tab")
    return HTML(
        f'<p class="di-eval-preview">{label}: <a href="{link}" target="_blank">{_html.escape(str(page))}</a> '
        f"({opened}, {outcome.seconds:.1f} s)</p>"
        f'<iframe src="{link}" title="{label}" style="width:100%;height:{int(height)}px;border:1px solid #767676;'
        'background:#fff"></iframe>'
    )


# --- municipality picker --------------------------------------------------------------------------


def picker(report, sections: tuple[str, ...] = ("title", "summary", "services")):
    """A drop-down of the municipalities; picking one shows its report's sections below it (the
    widget: the drop-down is its first child). Without ipywidgets, prints how to get it and what to
    type instead, and returns None.
    """
    lang = report.lang
    scopes = report.full.scopes
    options = [(name, scope) for scope, name in zip(scopes["scope"], scopes["name"]) if scope != "region"]
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        names = ", ".join(name for name, _ in options)
        print(
            _text(
                lang,
                "Pašvaldību izvēlnei vajag ipywidgets (make install; vai pip install ipywidgets). "
                f'Bez tās atveriet municipality.ipynb un ierakstiet, piemēram, municipality = "{options[0][0]}". '
                f"Pašvaldības: {names}",
                "The municipality picker needs ipywidgets (make install; or pip install ipywidgets). "
                f'Without it, open municipality.ipynb and type e.g. municipality = "{options[0][0]}". '
                f"Municipalities: {names}",
            )
        )
        return None
    choose = widgets.Dropdown(
        options=options,
        value=None,
        description=_text(lang, "Pašvaldība", "Municipality"),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="24rem"),
    )
    shown = widgets.Output()

    def show(change):
        if change["new"] is None:
            return
        chosen = municipality_report(report, change["new"])
        shown.clear_output(wait=True)
        with shown:
            for name in sections:
                display(getattr(chosen, name)())

    choose.observe(show, names="value")
    return widgets.VBox([choose, shown])


def municipality_report(report, scope: str):
    """The report of one municipality from an open report's evaluation (nothing is recomputed)."""
    params = {**report.params, "municipality": scope}
    return type(report)("municipality", params, report.dataset, report.full, report.full.resolve(scope))
