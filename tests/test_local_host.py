"""`airelay dev`'s log writer: every record, in order, rendered once the step's answers are out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from airelay.hosts.local import LogLines


@dataclass
class Record:
    """A log record that counts how often it is rendered."""

    n: int
    rendered: int = 0

    def line(self) -> str:
        self.rendered += 1
        return f'{{"n":{self.n}}}'


def test_records_logged_in_one_loop_step_are_written_together_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = LogLines()
    records = [Record(1), Record(2), Record(3)]

    async def scenario() -> tuple[str, list[int], str]:
        log(records[0])
        log(records[1])
        during = capsys.readouterr().err
        rendered_during = [record.rendered for record in records]
        await asyncio.sleep(0)
        log(records[2])
        await asyncio.sleep(0)
        return during, rendered_during, capsys.readouterr().err

    during, rendered_during, after = asyncio.run(scenario())
    assert during == ""
    assert rendered_during == [0, 0, 0]
    assert after == '{"n":1}\n{"n":2}\n{"n":3}\n'
    assert [record.rendered for record in records] == [1, 1, 1]


def test_a_record_logged_outside_an_event_loop_is_written_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    LogLines()(Record(1))
    assert capsys.readouterr().err == '{"n":1}\n'


def test_a_pending_record_is_written_by_flush(capsys: pytest.CaptureFixture[str]) -> None:
    log = LogLines()

    async def scenario() -> None:
        log(Record(1))
        log.flush()

    asyncio.run(scenario())
    assert capsys.readouterr().err == '{"n":1}\n'
