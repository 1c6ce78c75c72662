"""The README's engine example runs and prints what the README says it prints."""

import doctest
import re
from pathlib import Path

import lrlab

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_engine_example_runs_and_matches_its_comments():
    block = re.search(r"## The engine.*?```python\n(.*?)```", README, re.S).group(1)
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # our own README, not user input
    assert ns["batch"].regime == ("converged", "oscillating", "diverged")
    assert ns["batch"].diverged_at == (None, None, 17)
    assert ns["batch"].explanation[2].startswith("Diverged at step 17: lr = 0.6 > 2/λ = 0.5")
    crit = ns["theory"].critical_lrs(ns["surf"], "momentum")
    assert (crit.lam, crit.diverge, crit.rule) == (4.0, 0.95, "2(1+β)/λ")


def test_package_docstring_example():
    assert doctest.testmod(lrlab, verbose=False).failed == 0
