"""A non-editable install ships every component file: the wheel built from this checkout lists each
file under lrlab/ui/components/ (html, js, css, vendored bundles, licences)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ROOT / "lrlab" / "ui" / "components"


def component_files() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in COMPONENTS.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_ships_every_component_file(tmp_path):
    pytest.importorskip("setuptools")
    # built from a copy: no stale build/ directory of the checkout can supply a file
    src = tmp_path / "src"
    shutil.copytree(ROOT / "lrlab", src / "lrlab", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheel_dir = tmp_path / "wheel"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    (wheel,) = wheel_dir.glob("lrlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    names = {"lrlab/" + n[len("lrlab/") :] for n in names if n.startswith("lrlab/")}
    wanted = component_files()
    assert len(wanted) >= 8  # player, chart, plotlyjs: html, js, css, bundle, licence, loader
    assert wanted - names == set()
