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


def test_ci_lints_and_runs_the_suite_at_the_lower_bounds():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "ruff check ." in ci and "ruff format --check ." in ci
    assert any("lower_bounds.py" in line for line in ci)
    assert 'python -m pytest -q -m "not browser"' in ci
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(dep.startswith("ruff==") for dep in test_extra["test"])  # a pinned ruff


def test_lower_bounds_pin_every_runtime_dependency_to_its_floor():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lower_bounds", ROOT / ".ci" / "lower_bounds.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.lower_bounds(["numpy>=2.0", "plotly>=6.0,<8", "streamlit >= 1.55"]) == [
        "numpy==2.0.*",
        "plotly==6.0.*",
        "streamlit==1.55.*",
    ]
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert len(mod.lower_bounds(deps)) == len(deps)


def test_streamlit_config_skips_the_first_run_email_prompt():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["showEmailPrompt"] is False
