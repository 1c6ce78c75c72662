"""A non-editable install ships every file the browser components serve: build the wheel from a clean
copy of the source (no build/ or egg-info left by an editable install to hide a missing declaration)
and look."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = (".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "tests", "assets")


def test_the_wheel_holds_every_component_file(tmp_path):
    pytest.importorskip("setuptools")
    src, out = tmp_path / "src", tmp_path / "wheel"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*LEFT_OUT))
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(out),
        str(src),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"could not build a wheel here: {done.stderr[-300:]}")
    (wheel,) = out.glob("lrlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "lrlab" / "ui" / "components").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert wanted and wanted <= names, sorted(wanted - names)
