"""Fixtures for the browser tier: Debian's Chromium under Playwright, and `airelay dev` servers."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO
from tests.live_server import LiveServer, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
# This machine's network is closed: without these, Chromium keeps dialling Google's services.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
ARTIFACTS = REPO / "test-artifacts"
# Slow enough that a short answer takes several frames to stream, fast enough for the budget.
TOKEN_DELAY_MS = "30"
TEST_KEY = "sk-browser-test-key"
# Every variable that changes access, pinned so the caller's environment cannot leak in.
BASE_ENV = {
    "API_KEYS": "",
    "ALLOW_ANONYMOUS": "",
    "CORS_ALLOW_ORIGINS": "",
    "RATE_LIMIT_REQUESTS": "",
    "MAX_OUTPUT_TOKENS": "",
}


@contextmanager
def relay(env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """Run `airelay dev` with streamed tokens paced, ignoring any `.dev.vars` in the checkout."""
    args = ("--token-delay-ms", TOKEN_DELAY_MS, "--env-file", os.devnull)
    with live_server(env={**BASE_ENV, **(env or {})}, args=args) as server:
        yield server


# Module scope, not session: while the sync API runs it holds an asyncio loop in this thread,
# so `asyncio.run` in later test modules would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Start Playwright, or skip the tier naming what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright==1.65.2)")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium headless; `launch` gives it a fresh, empty profile directory."""
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS), headless=True
    )
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def keyless_relay() -> Iterator[LiveServer]:
    """Run a keyless relay that also serves the page."""
    with relay({"ALLOW_ANONYMOUS": "true", "CORS_ALLOW_ORIGINS": "*"}) as server:
        yield server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the folder screenshots are saved to (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Open a page in a fresh context (empty storage); fail the test if the page throws."""
    context = browser.new_context(viewport={"width": 1200, "height": 820})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors
