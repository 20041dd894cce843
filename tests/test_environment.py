"""environment.yml and pyproject.toml list the same dependencies at the same versions, extras included."""

from __future__ import annotations

import re
import tomllib

import yaml

from di_eval import paths


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project() -> dict:
    return tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"]


def pins(requirements: list[str]) -> dict[str, str]:
    return {normalise(name): version for name, version in (x.split("==") for x in requirements)}


def conda_sections() -> dict[str, dict[str, str]]:
    """environment.yml's pins by section: "core" up to the first comment, then one per ``# <extra>`` comment."""
    sections: dict[str, dict[str, str]] = {"core": {}}
    current = "core"
    for line in (paths.PROJECT_ROOT / "environment.yml").read_text().splitlines():
        if comment := re.fullmatch(r"\s+# (\w+)\s*", line):
            current = comment.group(1)
            sections.setdefault(current, {})
        elif item := re.fullmatch(r"\s+- ([\w.-]+)=([^=\s]+)\s*", line):
            if item.group(1) != "python":
                sections[current][normalise(item.group(1))] = item.group(2)
    return sections


def test_every_pin_is_exact():
    requirements = [
        *project()["dependencies"],
        *(x for extra in project()["optional-dependencies"].values() for x in extra),
    ]
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", x) for x in requirements), requirements


def test_environment_yml_matches_pyproject():
    extras = project()["optional-dependencies"]
    wanted = pins([*project()["dependencies"], *(x for extra in extras.values() for x in extra)])
    env = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and "=" in item and not item.startswith("python="):
            name, version = item.split("=", 1)
            conda[normalise(name)] = version
    assert conda == wanted
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip


def test_each_extra_has_its_section_in_environment_yml():
    extras = project()["optional-dependencies"]
    sections = conda_sections()
    assert set(sections) == {"core", *extras}
    assert sections["core"] == pins(project()["dependencies"])
    for name, requirements in extras.items():
        assert sections[name] == pins(requirements), name


def test_the_extras_hold_what_only_tests_benchmarks_and_the_lab_need():
    core = pins(project()["dependencies"])
    extras = {name: pins(requirements) for name, requirements in project()["optional-dependencies"].items()}
    assert {"test", "bench", "lab"} <= set(extras)
    assert {"pytest", "hypothesis", "playwright", "ruff"} <= set(extras["test"])
    assert "psutil" in extras["bench"] and "jupyterlab" in extras["lab"]
    assert not core.keys() & {"pytest", "psutil", "jupyterlab", "ruff"}


def test_make_install_installs_every_extra():
    makefile = (paths.PROJECT_ROOT / "Makefile").read_text()
    installed = re.search(r"pip install\b.*-e \"?\.\[([\w,-]+)\]", makefile)
    assert installed, "the Makefile installs the package with its extras"
    assert set(installed.group(1).split(",")) == set(project()["optional-dependencies"])


def test_licence_is_an_spdx_expression_with_its_file():
    assert project()["license"] == "MIT"
    assert project()["license-files"] == ["LICENSE"]
    text = (paths.PROJECT_ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "di-eval contributors" in text
    build = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["build-system"]
    assert any(
        re.fullmatch(r"setuptools>=(\d+).*", x) and int(x.split(">=")[1].split(".")[0]) >= 77 for x in build["requires"]
    )


def test_python_version_agrees():
    env = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert project()["requires-python"] == ">=3.11"
