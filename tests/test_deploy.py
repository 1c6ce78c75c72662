"""Deployment files agree with each other (Streamlit Community Cloud reads requirements.txt)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _reqs(lines):
    return sorted(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def test_requirements_txt_matches_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = _reqs((ROOT / "requirements.txt").read_text().splitlines())
    assert reqs == _reqs(project["dependencies"])


def test_torch_is_never_an_app_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]) + (ROOT / "requirements.txt").read_text()
    assert "torch" not in runtime
    assert "torch" not in " ".join(project["optional-dependencies"]["test"])


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install -e ".[test]" && python -m pytest'
    assert command in readme
    assert command in ci.splitlines()
