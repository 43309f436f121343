"""The local model's prompt count agrees with its tokenizer."""

from __future__ import annotations

import pytest

from airelay.backends.local.turn import token_count as _count
from airelay.backends.local.turn import tokens


@pytest.mark.parametrize(
    "text", ["", " ", "a", " a ", "a b\n c", "\u3000x\u2003y ", "\t\n", "x\u00a0y", "x\x1cy"]
)
def test_prompt_count_equals_the_number_of_tokens(text: str) -> None:
    assert _count(text) == len(tokens(text))
