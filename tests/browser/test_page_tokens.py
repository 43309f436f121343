"""The demo page with a signed token in place of a key, in a real Chromium: the token is sent
as the bearer, and a token that expires mid-session gets a clear message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import relay
from tests.browser.test_chat_page import last_answer, open_page, send, shot
from tests.live_server import LiveServer
from tests.token_support import SECRET, claims, hs256

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright==1.65.2)"
)
expect = sync_api.expect
Page = sync_api.Page

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def token_relay() -> Iterator[LiveServer]:
    """Run a relay that takes HS256 tokens and nothing else."""
    with relay({"TOKEN_SECRETS": SECRET, "ALLOW_ANONYMOUS": "false"}) as server:
        yield server


def test_page_sends_a_token_as_bearer_and_names_its_subject(
    page: Page, token_relay: LiveServer
) -> None:
    token = hs256(claims("alice", ttl=600))
    open_page(page, token_relay)
    page.get_by_label("API key or token").fill(token)
    expect(page.locator("#key-hint")).to_contain_text("Signed token for alice, valid until")
    with page.expect_request("**/v1/chat/completions") as sent:
        send(page, "hello with a token")
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    assert sent.value.headers["authorization"] == f"Bearer {token}"
    assert token not in page.evaluate("() => JSON.stringify(localStorage)")


def test_token_expiring_mid_session_shows_a_clear_message(
    page: Page, token_relay: LiveServer, artifacts: Path
) -> None:
    now = int(time.time())
    open_page(page, token_relay)
    page.get_by_label("API key or token").fill(hs256(claims("bob", ttl=600)))
    send(page, "first message")
    expect(last_answer(page)).to_have_attribute("data-state", "done")

    # The page's clock runs behind: it still takes the token for valid, the relay does not.
    # So the message below comes from the relay's 401, as when a token runs out mid-session.
    page.clock.set_fixed_time(now - 300)
    stale = hs256({"sub": "bob", "iat": now - 700, "exp": now - 100})
    page.get_by_label("API key or token").fill(stale)
    expect(page.locator("#key-hint")).to_contain_text("Signed token for bob, valid until")
    page.get_by_label("Message", exact=True).fill("second message")
    page.get_by_role("button", name="Send").click()
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "error")
    expect(answer.locator(".error-box strong")).to_have_text("Your token has expired (401)")
    expect(answer.locator(".error-box")).to_contain_text("get a fresh one")
    expect(page.locator("#key-hint")).to_contain_text("This token has expired")
    expect(page.locator("#status")).to_contain_text("Your token has expired")
    expect(page.get_by_label("Message", exact=True)).to_have_value("second message")
    shot(page, artifacts, "token-expired.png")

    page.get_by_label("API key or token").fill(hs256(claims("bob", ttl=600)))
    expect(page.locator("#key-hint")).to_contain_text("Signed token for bob")
    page.get_by_role("button", name="Send").click()
    expect(last_answer(page)).to_have_attribute("data-state", "done")


def test_refused_token_gets_a_token_hint_not_a_key_hint(
    page: Page, token_relay: LiveServer
) -> None:
    open_page(page, token_relay)
    page.get_by_label("API key or token").fill(hs256(claims("eve"), secret="x" * 40))
    send(page, "hello")
    box = last_answer(page).locator(".error-box")
    expect(box).to_contain_text("signature does not verify")
    expect(box).to_contain_text("The relay refused this token")
