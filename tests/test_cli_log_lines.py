"""`airelay dev`'s log writer: every line, in order, written once the step's answers are out."""

from __future__ import annotations

import asyncio

import pytest

from airelay.cli import LogLines


def test_lines_logged_in_one_loop_step_are_written_together_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = LogLines()

    async def scenario() -> tuple[str, str]:
        log('{"n":1}')
        log('{"n":2}')
        during = capsys.readouterr().err
        await asyncio.sleep(0)
        log('{"n":3}')
        await asyncio.sleep(0)
        return during, capsys.readouterr().err

    during, after = asyncio.run(scenario())
    assert during == ""
    assert after == '{"n":1}\n{"n":2}\n{"n":3}\n'


def test_a_line_logged_outside_an_event_loop_is_written_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    LogLines()('{"n":1}')
    assert capsys.readouterr().err == '{"n":1}\n'


def test_a_pending_line_is_written_by_flush(capsys: pytest.CaptureFixture[str]) -> None:
    log = LogLines()

    async def scenario() -> None:
        log('{"n":1}')
        log.flush()

    asyncio.run(scenario())
    assert capsys.readouterr().err == '{"n":1}\n'
