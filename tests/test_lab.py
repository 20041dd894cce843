"""JupyterLab itself, driven in headless Chromium as an evaluator uses it.

One JupyterLab server runs in a temporary git clone of the repository with the nbstripout filter
installed as `make install` installs it (so saving notebooks cannot touch the real tree, and
`git status` in the clone shows what saving would do to a real one). Each notebook is opened,
run with Run All (timed: cold, then warm), saved; a scratch cell, a changed municipality, a typo
and a stale section are tried; the headline cards' layout is measured in the light and dark
theme; screenshots go to outputs/screenshots/lab-*.png and the times to lab-times.json.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM, ROOT, SCREENSHOTS, launch

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.xdist_group("lab")]

BIN = Path(sys.executable).parent
NOTEBOOKS = ["municipality.ipynb", "region.ipynb", "explore.ipynb"]
TIMES: dict[str, dict[str, float]] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _makefile_value(name: str) -> str:
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith(f"{name} = "):
            return line.split(" = ", 1)[1]
    raise AssertionError(f"{name} not in the Makefile")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of the committed repository with the nbstripout filter set up by the Makefile's own target."""
    repo = tmp_path_factory.mktemp("lab") / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    subprocess.run(["make", "--no-print-directory", "-C", str(repo), "git-filter", f"BIN={BIN}"], check=True)
    assert "nbstripout" in _git(repo, "config", "filter.nbstripout.clean")
    assert _git(repo, "status", "--porcelain") == ""
    return repo


@pytest.fixture(scope="module")
def lab(clone, tmp_path_factory):
    """A JupyterLab server on a free localhost port with a token, in the clone; yields its base URL."""
    if not CHROMIUM.exists():
        pytest.fail(f"the JupyterLab test needs Chromium ({CHROMIUM}; make test-browser installs it)")
    home = tmp_path_factory.mktemp("lab-home")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "DI_EVAL_PREVIEW_DIR": str(clone / "outputs" / "preview"),
    }
    command = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={clone}",
        "--expose-app-in-browser",
        "--LabApp.news_url=None",
        "--ServerApp.terminals_enabled=False",
        *_makefile_value("LAB_HOOK").split(),  # as make lab starts it
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "Would you like to get notified…" over the screenshots
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start:\n" + (home / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"base": base, "token": token, "clone": clone}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        times = SCREENSHOTS / "lab-times.json"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        times.write_text(json.dumps(TIMES, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def browser(lab, playwright_session):
    chromium = launch(playwright_session)
    yield chromium
    chromium.close()


# --- driving JupyterLab: its own commands, as its menus call them --------------------------------------

_PANEL = "window.__panel"  # the notebook under test, found by its path once it is open


class Lab:
    def __init__(self, page):
        self.page = page

    def js(self, body: str, arg=None):
        return self.page.evaluate(f"async (arg) => {{ const panel = {_PANEL}; {body} }}", arg)

    def open(self, base: str, token: str, name: str) -> None:
        # ?reset: a fresh workspace, so only this notebook is open
        self.page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}", wait_until="domcontentloaded")
        self.page.wait_for_function(
            """(path) => {
              if (!window.jupyterapp) return false;
              const found = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
              if (found) window.__panel = found;
              return !!found;
            }""",
            arg=f"notebooks/{name}",
            timeout=120_000,
        )
        self.page.wait_for_function(
            f"window.jupyterapp && {_PANEL} && {_PANEL}.sessionContext && "
            f"{_PANEL}.sessionContext.session && {_PANEL}.sessionContext.session.kernel && "
            f"{_PANEL}.sessionContext.session.kernel.connectionStatus === 'connected' && "
            f"{_PANEL}.sessionContext.session.kernel.status === 'idle'",
            timeout=120_000,
        )
        self.page.wait_for_timeout(1500)  # what JupyterLab does after the kernel is ready (kernel info)

    def command(self, name: str, args: dict | None = None):
        return self.page.evaluate("([n, a]) => window.jupyterapp.commands.execute(n, a || {})", [name, args])

    def run_all(self) -> float:
        """Run All (the Run menu's command); seconds until the kernel has answered every cell.

        The kernel answers each cell it was sent once, whether it ran it, failed or aborted it (after
        an error the kernel aborts the cells queued behind it, and which ones depends on timing): the
        replies are counted, so a run with an error ends as surely as one without.
        """
        started = time.perf_counter()
        self.page.evaluate(
            f"""() => {{
              const kernel = {_PANEL}.sessionContext.session.kernel;
              if (window.__replies) window.__replies.kernel.anyMessage.disconnect(window.__replies.count);
              const replies = {{kernel, seen: 0, count: (_, args) => {{
                if (args.direction === 'recv' && args.msg.header.msg_type === 'execute_reply') replies.seen += 1;
              }}}};
              kernel.anyMessage.connect(replies.count);
              window.__replies = replies;
            }}"""
        )
        sent = self.js(
            "return panel.content.widgets.filter(c => c.model.type === 'code' && "
            "c.model.sharedModel.getSource().trim() !== '').length;"
        )
        self.command("notebook:run-all-cells")
        try:
            self.page.wait_for_function(
                f"([sent]) => window.__replies.seen >= sent && {_PANEL}.sessionContext.session.kernel.status === 'idle'",
                arg=[sent],
                timeout=180_000,
            )
        except Exception as err:  # what the notebook shows then, to say why
            state = self.page.evaluate(
                f"[window.__replies.seen, {_PANEL}.sessionContext.session.kernel.status, {_PANEL}.content.widgets.map(c => "
                "c.model.type + ':' + c.model.executionCount + ':' + c.model.executionState)]"
            )
            raise AssertionError(f"Run All did not finish ({sent} cells sent): {state}") from err
        return time.perf_counter() - started

    def errors(self) -> list[str]:
        return self.js(
            """const found = [];
            for (const cell of panel.content.widgets) {
              if (cell.model.type !== 'code') continue;
              for (const output of cell.model.outputs.toJSON()) {
                if (output.output_type === 'error') found.push(output.ename + ': ' + output.evalue
                  + '\\n' + (output.traceback || []).join('\\n'));
              }
            }
            return found;"""
        )

    def outputs_text(self, index: int) -> str:
        """The text of a cell's outputs, from the notebook's model (cells off screen may not be drawn)."""
        return self.js(
            """return panel.content.widgets[arg].model.outputs.toJSON().map(o =>
                 o.data ? [].concat(o.data['text/plain'] || []).join('') : [].concat(o.text || []).join('')).join('\\n');""",
            index,
        )

    def source(self, index: int) -> str:
        return self.js("return panel.content.widgets[arg].model.sharedModel.getSource();", index)

    def set_source(self, index: int, text: str) -> None:
        self.js("panel.content.widgets[arg[0]].model.sharedModel.setSource(arg[1]);", [index, text])

    def insert_code(self, index: int, text: str) -> None:
        self.js(
            "panel.content.model.sharedModel.insertCell(arg[0], {cell_type: 'code', source: arg[1]});", [index, text]
        )

    def delete(self, index: int) -> None:
        self.js("panel.content.model.sharedModel.deleteCell(arg);", index)

    def cell_count(self) -> int:
        return self.js("return panel.content.widgets.length;")

    def run_cell(self, index: int) -> None:
        self.js("panel.content.activeCellIndex = arg;", index)
        before = self.js("return panel.content.widgets[arg].model.executionCount;", index)
        self.command("notebook:run-cell")
        self.page.wait_for_function(
            f"([i, before]) => {_PANEL}.sessionContext.session.kernel.status === 'idle' && "
            f"{_PANEL}.content.widgets[i].model.executionCount !== before",
            arg=[index, before],
            timeout=120_000,
        )

    def save(self) -> None:
        self.command("docmanager:save")
        self.page.wait_for_function(f"!{_PANEL}.context.model.dirty", timeout=30_000)
        self.page.wait_for_timeout(500)

    def dirty(self) -> bool:
        return self.js("return panel.context.model.dirty;")

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"lab-{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def lab_page(lab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    local = (lab["base"], "data:", "about:", "blob:")
    context.route(lambda url: not url.startswith(local), lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    yield Lab(page)
    context.close()


def _status(lab) -> str:
    return _git(lab["clone"], "status", "--porcelain", "notebooks/")


def _headline_problems(lab_page: Lab) -> list[str]:
    """The headline cards as on the page: grid cards, the number above its label, not run together."""
    return lab_page.js(
        """const problems = [];
        const lists = document.querySelectorAll('.jp-OutputArea .di-eval-report ul.headline');
        if (!lists.length) return ['no headline cards'];
        for (const list of lists) {
          if (getComputedStyle(list).display !== 'grid') problems.push('headline list is not a grid');
          for (const card of list.querySelectorAll(':scope > li')) {
            const value = card.querySelector('.value').getBoundingClientRect();
            const label = card.querySelector('.label').getBoundingClientRect();
            const box = card.getBoundingClientRect();
            const text = card.innerText.replace(/\\s+/g, ' ').slice(0, 60);
            if (label.top < value.bottom - 1) problems.push(`label beside its number: ${text}`);
            if (box.width < 200) problems.push(`card only ${box.width}px wide: ${text}`);
            if (getComputedStyle(card).borderTopStyle !== 'solid') problems.push(`card without its border: ${text}`);
          }
        }
        return problems;"""
    )


# --- the tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_runs_all_saves_clean_and_opens_unmodified(lab, lab_page, name):
    lab_page.open(lab["base"], lab["token"], name)
    assert not lab_page.dirty(), f"{name} shows unsaved changes right after opening"
    cold = lab_page.run_all()
    assert lab_page.errors() == []
    warm = lab_page.run_all()
    assert lab_page.errors() == []
    TIMES[name] = {"cold_s": round(cold, 2), "warm_s": round(warm, 2)}
    lab_page.shot(name.removesuffix(".ipynb"))
    lab_page.save()
    saved = json.loads((lab["clone"] / "notebooks" / name).read_text(encoding="utf-8"))
    assert any(cell.get("outputs") for cell in saved["cells"]), "the saved file should hold the outputs"
    assert _status(lab) == "", "saving a run notebook must leave git status clean (nbstripout filter)"
    assert _git(lab["clone"], "diff", "--", f"notebooks/{name}") == ""


def test_scratch_cells_a_new_municipality_a_typo_and_a_stale_section(lab, lab_page):
    lab_page.open(lab["base"], lab["token"], "municipality.ipynb")
    parameters = lab_page.source(1)
    assert parameters.startswith("# Parameters (papermill")
    lab_page.run_all()
    # a variable of one's own, and Run All twice
    lab_page.insert_code(lab_page.cell_count(), "gadi = [2021, 2022, 2023]\nlen(gadi)")
    lab_page.run_all()
    lab_page.run_all()
    assert lab_page.errors() == []
    # another municipality, written as people write it
    lab_page.set_source(1, parameters.replace('"Kuldīgas novads"', '"talsu"'))
    lab_page.run_all()
    assert lab_page.errors() == []
    assert "Talsu novads" in lab_page.outputs_text(2)
    assert _headline_problems(lab_page) == []
    # a misspelt parameter: the message itself, in Latvian, with the close match; fixed without a restart
    lab_page.set_source(1, parameters + '\nmunicipalty = "Saldus"')
    lab_page.run_all()
    errors = lab_page.errors()
    assert (
        len(errors) == 1
        and "Nezināms parametrs: 'municipalty'" in errors[0]
        and "Vai domājāt: municipality?" in errors[0]
    )
    assert "Traceback" not in errors[0] and "site-packages" not in errors[0]
    lab_page.set_source(1, parameters)
    lab_page.run_all()
    assert lab_page.errors() == []
    # a section run after the parameters changed says what to run again
    lab_page.set_source(1, parameters.replace('"Kuldīgas novads"', '"Saldus"'))
    lab_page.run_cell(1)
    lab_page.run_cell(3)
    text = lab_page.outputs_text(3)
    assert "Parametri mainīti pēc Report.open" in text and "'Saldus'" in text
    opened_at = lab_page.js("return panel.content.widgets[2].model.executionCount;")
    assert f"Report.open(…) [{opened_at}]" in text, "the warning names the cell to run again"
    lab_page.shot("stale-section")
    # back as committed, saved: nothing for git
    lab_page.set_source(1, parameters)
    lab_page.delete(lab_page.cell_count() - 1)
    lab_page.run_all()
    lab_page.save()
    assert _status(lab) == ""


_COMPARED = [
    "ul.headline",
    "ul.headline > li",
    "ul.headline .value",
    "ul.headline .label",
    "h1",
    "section > h2",
    "p",
    "table.data",
    "table.data th",
    "table.data td",
    "caption",
    "dl",
    "dt",
    "dd",
    "figcaption",
    "details summary",
    ".note",
]
_PROPERTIES = [
    "display",
    "fontSize",
    "fontWeight",
    "fontFamily",
    "lineHeight",
    "color",
    "backgroundColor",
    "paddingLeft",
    "paddingTop",
    "marginTop",
    "marginBottom",
    "borderTopStyle",
    "borderTopWidth",
    "textAlign",
    "listStyleType",
    "cssFloat",
]
_STYLES = """([inLab, selectors, properties]) => {
  const found = {};
  const roots = inLab ? [...document.querySelectorAll('.jp-OutputArea .di-eval-report')] : [document];
  for (const selector of selectors) {
    const element = roots.map(root => root.querySelector(selector)).find(e => e);
    if (!element) { found[selector] = null; continue; }
    const style = getComputedStyle(element);
    found[selector] = Object.fromEntries(properties.map(p => [p, style[p]]));
  }
  return found;
}"""


def _page_styles(browser, tmp_path) -> dict:
    """The computed styles of the same elements on the report page, as the exporter writes it."""
    import nbformat

    from di_eval.report import export
    from di_eval.report.page import Report

    report = Report.open("region", {})
    cells = []
    for name in ("title", "summary", "target_groups", "data_quality", "method"):
        data, metadata = getattr(report, name)()._repr_mimebundle_()
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
        cells.append(nbformat.v4.new_code_cell(outputs=[output]))
    path = tmp_path / "region.html"
    path.write_text(export.to_html(nbformat.v4.new_notebook(cells=cells)), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(path.as_uri())
    styles = page.evaluate(_STYLES, [False, _COMPARED, _PROPERTIES])
    page.close()
    return styles


def test_sections_look_as_on_the_page_in_light_and_dark_theme(lab, lab_page, browser, tmp_path):
    lab_page.open(lab["base"], lab["token"], "region.ipynb")
    lab_page.run_all()
    assert _headline_problems(lab_page) == []
    on_page = _page_styles(browser, tmp_path)
    in_lab = lab_page.page.evaluate(_STYLES, [True, _COMPARED, _PROPERTIES])
    differences = {
        selector: {
            p: (on_page[selector][p], in_lab[selector][p])
            for p in _PROPERTIES
            if on_page[selector][p] != in_lab[selector][p]
        }
        for selector in _COMPARED
        if on_page[selector] and in_lab[selector]
    }
    assert all(on_page[s] and in_lab[s] for s in _COMPARED), [s for s in _COMPARED if not (on_page[s] and in_lab[s])]
    assert {s: d for s, d in differences.items() if d} == {}, (
        "styles differ between the page and JupyterLab (page, lab)"
    )
    lab_page.js("panel.content.activeCellIndex = 3; panel.content.widgets[3].node.scrollIntoView();")
    lab_page.page.wait_for_timeout(300)
    lab_page.shot("region-summary-light")
    lab_page.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
    lab_page.page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    lab_page.page.wait_for_timeout(800)
    colours = lab_page.js(
        """const report = document.querySelector('.jp-OutputArea .di-eval-report');
        const cell = document.querySelector('.jp-Notebook');
        return {bg: getComputedStyle(report).backgroundColor, fg: getComputedStyle(report).color,
                th: getComputedStyle(report.querySelector('td') || report).color,
                lab: getComputedStyle(cell).backgroundColor};"""
    )
    assert colours["bg"] == "rgb(255, 255, 255)" and colours["fg"] == "rgb(26, 26, 26)", colours
    assert colours["th"] == "rgb(26, 26, 26)", colours
    assert colours["lab"] != "rgb(255, 255, 255)", "the dark theme did not apply"
    in_dark = lab_page.page.evaluate(_STYLES, [True, _COMPARED, _PROPERTIES])
    assert in_dark == in_lab, "the report's own styles changed with JupyterLab's theme"
    assert _headline_problems(lab_page) == []
    lab_page.shot("region-summary-dark")
    lab_page.command("apputils:change-theme", {"theme": "JupyterLab Light"})


def test_the_municipality_picker_and_the_preview(lab, lab_page):
    lab_page.open(lab["base"], lab["token"], "explore.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []
    picker = lab_page.page.locator(".jp-OutputArea .widget-dropdown select")
    picker.wait_for(timeout=30_000)
    picker.select_option(label="Talsu novads")
    lab_page.page.wait_for_function(
        "[...document.querySelectorAll('.jp-OutputArea .widget-output')].some(o => o.querySelector('h1') && "
        "o.querySelector('h1').innerText.includes('Talsu') && o.querySelector('ul.headline') && "
        "o.querySelector('section[aria-labelledby=services]'))",
        timeout=60_000,
    )
    assert _headline_problems(lab_page) == []
    lab_page.shot("explore-picker")
    # the page as `di-eval run` publishes it, inline
    index = lab_page.cell_count()
    lab_page.insert_code(index, "report.preview()")
    lab_page.run_cell(index)
    assert lab_page.errors() == []
    frame = lab_page.page.frame_locator(".jp-OutputArea iframe")
    frame.locator("h1").wait_for(timeout=60_000)
    assert "Kurzemes plānošanas reģions" in frame.locator("h1").inner_text()
    assert (lab["clone"] / "outputs" / "preview" / "region.html").is_file()
    lab_page.shot("explore-preview")
    lab_page.delete(index)
    lab_page.save()
    assert _status(lab) == ""
