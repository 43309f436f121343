"""`airelay dev --upstream`: the flag and variables as the command line reads them."""

from __future__ import annotations

import pytest

from airelay.cli import LOCAL_MODEL_LINE, main
from tests.test_cli import Served, served

__all__ = ["served"]


@pytest.fixture(autouse=True)
def no_upstream_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UPSTREAM_BASE_URL", "UPSTREAM_API_KEY", "CLOUDFLARE_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)


def test_the_upstream_flag_says_where_answers_come_from(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--upstream", "http://127.0.0.1:9/v1"]) == 0
    out = capsys.readouterr().out
    assert "relay on http://127.0.0.1:8787/v1\nmodel: upstream http://127.0.0.1:9/v1\n" in out
    assert "local model" not in out
    assert len(served.calls) == 1


def test_the_upstream_flag_wins_over_the_variable(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPSTREAM_BASE_URL", "http://127.0.0.1:8/v1")
    assert main(["dev", "--upstream", "http://127.0.0.1:9/v1"]) == 0
    assert "upstream http://127.0.0.1:9/v1" in capsys.readouterr().out


def test_a_preset_without_its_account_stops_the_start_in_one_line(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-secret-token")
    assert main(["dev", "--upstream", "workers-ai"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "airelay dev: the Cloudflare upstream presets need CLOUDFLARE_ACCOUNT_ID\n"
    )
    assert "cf-secret-token" not in captured.out + captured.err
    assert served.calls == []


def test_the_preset_line_names_no_token(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "acct1")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-secret-token")
    assert main(["dev", "--upstream", "workers-ai"]) == 0
    out = capsys.readouterr().out
    assert (
        "model: upstream https://api.cloudflare.com/client/v4/accounts/acct1/ai/v1 "
        "(workers-ai preset)\n"
    ) in out
    assert "cf-secret-token" not in out


def test_without_an_upstream_the_model_line_names_the_local_model(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev"]) == 0
    assert f"model: {LOCAL_MODEL_LINE}\n" in capsys.readouterr().out


def test_a_keyless_upstream_relay_says_no_web_page_may_call_it(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--upstream", "http://127.0.0.1:9/v1"]) == 0
    assert "set CORS_ALLOW_ORIGINS" in capsys.readouterr().out
    assert served.app is not None
