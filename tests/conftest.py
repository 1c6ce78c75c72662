"""Shared fixtures: a served app and a headless Chromium driven by Playwright.

Browser tests skip, with the reason printed, when Playwright or a Chromium binary is missing
(install Debian's ``chromium`` or set ``LRLAB_CHROMIUM`` to a Chromium/Chrome binary).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
ASSETS = ROOT / "assets"
# The README's pictures in assets/ are refreshed from the browser tests only on request, so a plain
# test run leaves the tracked files alone: LRLAB_UPDATE_ASSETS=1 python -m pytest -m browser
UPDATE_ASSETS = os.environ.get("LRLAB_UPDATE_ASSETS") == "1"


def publish(path: Path) -> None:
    """Copy a screenshot to assets/ (for the README) when LRLAB_UPDATE_ASSETS=1."""
    if UPDATE_ASSETS:
        ASSETS.mkdir(exist_ok=True)
        shutil.copy(path, ASSETS / path.name)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def find_chromium() -> str | None:
    for cand in (
        os.environ.get("LRLAB_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
        "/usr/bin/chromium",
    ):
        if cand and Path(cand).exists():
            return cand
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(port: int | None = None, *, script: str = "app.py"):
    """Start ``streamlit run`` on localhost; returns (process, base url) once /_stcore/health is ok."""
    port = port or _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    raise RuntimeError(f"streamlit did not start on {url}:\n{out[-3000:]}")


def served(script: str = "app.py"):
    """Yield the base url of ``streamlit run script`` for a fixture's scope, then stop the server."""
    proc, url = serve_app(script=script)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url():
    yield from served()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: Playwright is not installed (pip install -e '.[test]')")
    exe = find_chromium()
    if exe is None:
        pytest.skip(
            "browser test skipped: no Chromium found (apt-get install chromium, "
            "or set LRLAB_CHROMIUM to a Chromium binary)"
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh page; fails the test if the browser console logs an error."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    ctx.close()


def charts(at) -> list[dict]:
    """The figures an AppTest page drew with the chart component (:mod:`lrlab.ui.chart`, the page's
    own plotly.js), in page order, read from each instance's arguments."""
    from lrlab.ui.chart import NAME  # here: importing it loads Streamlit, which engine tests never need

    return [
        json.loads(c.proto.json_args)["figure"]
        for c in at.get("component_instance")
        if c.proto.component_name == NAME
    ]


def player_spec(at) -> dict:
    """The descent player's spec an AppTest page drew (the page's other component instances, the lr
    fan's carrier and the charts, carry no "spec")."""
    (spec,) = [
        a["spec"] for c in at.get("component_instance") if "spec" in (a := json.loads(c.proto.json_args))
    ]
    return spec


def url(at) -> dict[str, str]:
    """An AppTest's query parameters as {key: value}: Streamlit 1.55 returns each value as a list,
    newer releases as a string."""
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def wait_idle(pg, timeout: float = 30_000) -> None:
    """Wait until the Streamlit script has finished its run."""
    pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=timeout)
