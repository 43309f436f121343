"""The local model's tokens: they concatenate back to the text, and counting agrees."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airelay.backends.local.turn import token_count, tokens


@pytest.mark.parametrize(
    "text", ["", " ", "one", "  lead and trail  ", "a\n\nb\tc", "caf\u00e9 \U0001f600 x"]
)
def test_tokens_concatenate_back_to_the_text(text: str) -> None:
    assert "".join(tokens(text)) == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(" a\tb\n\u00a0\u3000c"), max_size=12) | st.text())
def test_tokens_split_any_text_as_the_token_pattern_does(text: str) -> None:
    assert tokens(text) == re.findall(r"\s*\S+\s*|\s+", text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(" a\tb\n\u00a0\u3000c"), max_size=12) | st.text())
def test_the_token_count_is_the_number_of_tokens(text: str) -> None:
    # The answer's length is counted without splitting it (turn.token_count).
    assert token_count(text) == len(tokens(text))


@pytest.mark.parametrize(
    "text", ["", " ", "a", " a ", "a b\n c", "\u3000x\u2003y ", "\t\n", "x\u00a0y", "x\x1cy"]
)
def test_prompt_count_equals_the_number_of_tokens(text: str) -> None:
    assert token_count(text) == len(tokens(text))
