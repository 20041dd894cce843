"""environment.yml and pyproject.toml list the same dependencies at the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml

from di_eval import paths


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pins = {normalise(name): version for name, version in (x.split("==") for x in wanted)}
    env = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and "=" in item and not item.startswith("python="):
            name, version = item.split("=", 1)
            conda[normalise(name)] = version
    assert conda == pins
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip


def test_python_version_agrees():
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert project["requires-python"] == ">=3.11"
