"""The app starts and draws in a real headless Chromium, with no console errors."""

import pytest

from tests.conftest import SHOTS, wait_idle

pytestmark = pytest.mark.browser


def test_app_loads_without_console_errors(page, app_url):
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    wait_idle(page)
    assert "LR Lab" in page.inner_text("h1")
    assert not page.locator("[data-testid='stException']").count()
    page.screenshot(path=str(SHOTS / "smoke.png"))
    assert page.console_errors == []
