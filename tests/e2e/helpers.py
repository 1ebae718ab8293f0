"""What the browser journeys share: where Chromium is, where screenshots go, logging in, screenshots and the
phone-width check."""
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "rollout-demo-2026"

#: journey modules set ``pytestmark = NEEDS_CHROMIUM``; the ``chromium`` fixture (tests/e2e/conftest.py) installs
#: Debian's package when it is missing, and otherwise skips (fails under CI)
NEEDS_CHROMIUM = pytest.mark.usefixtures("chromium")


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def note_overflow(page, overflowing: list) -> None:
    """Note the page when it is wider than the viewport: the whole page would scroll sideways on a phone."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        overflowing.append((page.url.split("/", 3)[-1], width))
