"""The suite's copies of the model cards' examples match the project's shared folder."""

from __future__ import annotations

import pytest

from tests.conftest import MODEL_CARDS, SHARED_MODEL_CARDS

CARDS = ("gpt-5.4-mini", "gpt-5.4-pro")


@pytest.mark.parametrize("card", CARDS)
def test_the_copied_examples_match_the_shared_model_card(card: str) -> None:
    name = f"{card}.examples.json"
    if not SHARED_MODEL_CARDS.is_dir():
        pytest.skip(f"no shared/model-cards folder beside the checkout ({SHARED_MODEL_CARDS})")
    shared = (SHARED_MODEL_CARDS / name).read_bytes()
    assert (MODEL_CARDS / name).read_bytes() == shared, (
        f"tests/data/model-cards/{name} differs from the shared copy: copy it again"
    )


@pytest.mark.parametrize("card", CARDS)
def test_the_copied_examples_are_present(card: str) -> None:
    assert (MODEL_CARDS / f"{card}.examples.json").is_file()
