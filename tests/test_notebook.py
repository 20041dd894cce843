"""JupyterLab support (di_eval.report.notebook): which names are parameters, stale sections, scoped
styles, errors as their message, the picker without ipywidgets; a kernel run as JupyterLab does it."""

from __future__ import annotations

import builtins
import html
import json
import re
import time

import nbformat
import pytest

from di_eval import ChoiceError, paths
from di_eval.report import export, notebook
from di_eval.report.page import Report

PARAMETERS = "# Parameters (papermill: -r/-p NAME VALUE). Each line: name: type = default  # help\n"


def test_assigned_names_are_the_cells_top_level_assignments():
    source = 'municipality: str = "Saldus"  # help\nlang = "lv"\nx, (y, z) = 1, (2, 3)\nfor i in []: pass\nn += 1'
    assert notebook.assigned_names(source) == ["municipality", "lang", "x", "y", "z", "n"]
    assert notebook.assigned_names("this is not python") == []


def test_parameter_names_come_from_the_last_parameters_cell_and_what_papermill_injected():
    history = ["", PARAMETERS + 'municipalty = "Saldus"', "gadi = [2021]", PARAMETERS + 'municipality = "Saldus"']
    assert notebook.parameter_names(history) == ["municipality"]  # the typo was corrected: no restart
    injected = [*history, '# Parameters\nmunicipality = "Talsi"\ngadi = 3\n', "report = 1"]
    assert notebook.parameter_names(injected) == ["municipality", "gadi"]  # papermill's own are checked
    # an injected cell of an earlier run (before the last run of the parameters cell) is not
    assert notebook.parameter_names([*injected, PARAMETERS + "lang = 'en'"]) == ["lang"]
    assert notebook.parameter_names(["a = 1", "report.summary()"]) is None


class _History:
    def __init__(self, cells):
        self.input_hist_raw = ["", *cells]


class _Shell:
    def __init__(self, namespace, cells):
        self.user_ns = namespace
        self.history_manager = _History(cells)
        self.execution_count = len(cells)


@pytest.fixture
def kernel(monkeypatch):
    """``kernel(namespace, cells)``: a stand-in IPython shell whose history holds ``cells``."""

    def make(namespace, cells):
        import IPython

        shell = _Shell(namespace, cells)
        monkeypatch.setattr(notebook, "_shell", lambda: shell)
        monkeypatch.setattr(IPython, "get_ipython", lambda: shell)  # the kernel's Memory lives on its shell
        return shell

    return make


def test_scratch_variables_are_not_parameters(kernel):
    namespace = {"municipality": "Saldus", "gadi": [2021, 2022], "tabula": object()}
    kernel(namespace, [PARAMETERS + 'municipality = "Saldus"', "gadi = [2021, 2022]"])
    assert notebook.parameters_in("municipality", namespace) == {"municipality": "Saldus"}


def test_unknown_papermill_parameter_is_refused_with_the_close_match(kernel):
    namespace = {"municipality": "Saldus", "municipalty": "Talsi"}
    kernel(namespace, [PARAMETERS + 'municipality = "Saldus"', '# Parameters\nmunicipalty = "Talsi"\n'])
    with pytest.raises(ChoiceError) as caught:
        Report.open("municipality", namespace)
    assert caught.value.what == "parameter" and caught.value.suggestions == ["municipality"]


def test_a_changed_parameter_makes_a_section_say_what_to_run_again(kernel):
    namespace = {"municipality": "Kuldīgas novads", "lang": "lv"}
    kernel(namespace, [PARAMETERS + 'municipality = "Kuldīgas novads"\nlang = "lv"'])
    report = Report.open("municipality", namespace)
    fresh = report.summary()
    assert "Parametri mainīti" not in fresh._repr_html_() and "headline" in fresh._repr_html_()
    namespace["municipality"] = "Saldus"
    for section in (report.summary(), report.method(), report.title()):
        shown = html.unescape(section._repr_html_())
        assert "Parametri mainīti pēc Report.open" in shown and "'Kuldīgas novads' → 'Saldus'" in shown
        assert 'class="headline"' not in shown and "<h2" not in shown  # nothing stale is shown
        assert "Parametri mainīti" in section._repr_mimebundle_()[0]["text/plain"]
    namespace["municipality"] = "Kuldīgas novads"
    assert "Parametri mainīti" not in report.summary()._repr_html_()


def test_sections_are_drawn_once_per_parameters_in_an_interactive_kernel(kernel):
    namespace = {"municipality": "Saldus"}
    kernel(namespace, [PARAMETERS + 'municipality = "Saldus"'])
    first = Report.open("municipality", namespace)
    services = first.services()
    started = time.perf_counter()
    again = Report.open("municipality", namespace)
    assert again.services() is services and time.perf_counter() - started < 0.5
    assert again._figures == first._figures  # figure numbers go on as they did
    namespace["municipality"] = "Talsi"
    other = Report.open("municipality", namespace)
    assert other.services().html != services.html


def test_errors_show_their_message_in_the_reports_language(kernel):
    kernel({}, [])
    with pytest.raises(ChoiceError) as caught:
        Report.open("municipality", {"municipality": "Talsi novads", "lang": "lv"})
    lines = caught.value._render_traceback_()
    assert "Nezināma pašvaldība: 'Talsi novads'" in lines[0]
    assert lines[1] == "Vai domājāt: Talsu novads?"
    assert lines[2].startswith("Derīgās vērtības: region, Aizputes novads")
    with pytest.raises(ChoiceError) as caught:
        Report.open("municipality", {"municipality": "Kuldiga", "as_of": "31.12.2020", "lang": "en"})
    assert (
        caught.value._render_traceback_()[0]
        == "\x1b[31mUnknown date: '31.12.2020' (write it as YYYY-MM-DD, e.g. 2020-12-31)\x1b[0m"
    )
    lv = notebook.error_lines(caught.value, "lv")
    assert lv == ["Nederīgs datums: '31.12.2020' (rakstiet to kā GGGG-MM-DD, piemēram, 2020-12-31)"]


def test_the_scoped_stylesheet_touches_only_the_wrapper():
    css = notebook.scoped_stylesheet()
    rules = [rule for rule in css.replace("}", "}\n").splitlines() if "{" in rule and not rule.startswith("@")]
    for rule in rules:
        for selector in rule.split("{", 1)[0].split(","):
            assert selector.startswith(".di-eval-report.di-eval-report.di-eval-report"), selector
    assert "@page" not in css and ":root" not in css and not re.search(r"(^|[,}\s])body[{,\s]", css)
    assert "background:var(--bg)" in css and "color:var(--text)" in css  # dark theme stays readable
    assert ".headline{display:grid" in css.replace(" .headline", ".headline")


def test_the_page_is_exported_without_the_notebooks_wrapper():
    report = Report.open("municipality", {"municipality": "Saldus"})
    cells = []
    for section in (report.title(), report.summary(), report.method()):
        data, metadata = section._repr_mimebundle_()
        assert data["text/html"].startswith('<div class="di-eval-report"><style>')
        cells.append(
            nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data=data, metadata=metadata)])
        )
    page = export.to_html(nbformat.v4.new_notebook(cells=cells))
    assert "di-eval-report" not in page and page.count("<style>") == 1
    assert '<section aria-labelledby="summary">' in page
    assert notebook.unwrap(notebook.wrap("<p>x</p>")) == "<p>x</p>" and notebook.unwrap("<p>y</p>") == "<p>y</p>"


def test_the_picker_prints_a_hint_without_ipywidgets(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name.startswith("ipywidgets"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    report = Report.open("region", {"lang": "lv"})
    monkeypatch.setattr(builtins, "__import__", no_widgets)
    assert notebook.picker(report) is None
    out = capsys.readouterr().out
    assert "ipywidgets" in out and "municipality.ipynb" in out and "Talsu novads" in out


def test_the_picker_offers_every_municipality():
    pytest.importorskip("ipywidgets")
    report = Report.open("region", {"lang": "en"})
    picker = notebook.picker(report).children[0]
    assert len(picker.options) == 20 and picker.description == "Municipality"
    picker.value = "0880200"
    chosen = notebook.municipality_report(report, "0880200")
    assert chosen.scope == "0880200" and "Talsu novads" in chosen.title().html


@pytest.mark.parametrize("name", ["municipality", "region", "explore"])
def test_notebooks_are_as_jupyterlab_writes_them(name):
    path = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert text == nbformat.writes(nb) + "\n"  # indent, key order, unicode, final newline
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    info = nb.metadata.language_info
    # as the kernel reports it, so JupyterLab has nothing to change on opening (the project's Python, 3.11)
    assert info["name"] == "python" and info["pygments_lexer"] == "ipython3" and info["version"].startswith("3.11.")


def test_gitattributes_sends_notebooks_through_nbstripout():
    attributes = (paths.PROJECT_ROOT / ".gitattributes").read_text()
    assert "*.ipynb filter=nbstripout" in attributes
    makefile = (paths.PROJECT_ROOT / "Makefile").read_text()
    assert "--keep-id" in makefile and "filter.nbstripout.clean" in makefile


# --- in a kernel, as JupyterLab runs the cells ---------------------------------------------------------


@pytest.mark.kernel
def test_a_kernel_session_as_an_evaluator_has_it():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(paths.NOTEBOOKS_DIR))

    def run(code):
        reply = client.execute_interactive(code, timeout=300, output_hook=outputs.append)
        return reply["content"]["status"]

    try:
        cells = [
            "".join(c["source"])
            for c in json.loads((paths.NOTEBOOKS_DIR / "municipality.ipynb").read_text())["cells"]
            if c["cell_type"] == "code"
        ]
        outputs: list = []
        assert all(run(cell) == "ok" for cell in cells)
        assert run("gadi = [2021, 2022, 2023]") == "ok"
        assert all(run(cell) == "ok" for cell in cells), "a scratch variable broke Run All"
        outputs.clear()
        assert run(cells[0] + '\nmunicipalty = "Saldus"') == "ok" and run(cells[1]) == "error"
        error = next(m["content"] for m in outputs if m["msg_type"] == "error")
        assert error["traceback"][0] == "\x1b[31mNezināms parametrs: 'municipalty'\x1b[0m"
        assert error["traceback"][1] == "Vai domājāt: municipality?" and len(error["traceback"]) == 3
        assert run(cells[0]) == "ok" and run(cells[1]) == "ok", "a corrected typo needed a restart"
        outputs.clear()
        assert run(cells[0].replace('"Kuldīgas novads"', '"Saldus"')) == "ok" and run(cells[2]) == "ok"
        shown = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        assert "Parametri mainīti pēc Report.open" in shown[0] and "'Saldus'" in shown[0]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.kernel
def test_papermill_refuses_an_unknown_parameter_before_any_work(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        papermill.execute_notebook(
            str(paths.NOTEBOOKS_DIR / "municipality.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"municipality": "Saldus", "gadi": 3},
            progress_bar=False,
        )
    assert caught.value.ename == "ChoiceError" and "gadi" in caught.value.evalue
    assert caught.value.exec_count == 3  # the Report.open cell, after the parameters and papermill's
