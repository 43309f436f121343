"""The bounded store of responses: unique ids, a cap, an age limit, and OpenAI's not-found error."""

from __future__ import annotations

import pytest

from airelay.backends.local.response_store import ResponseStore, new_response_id, not_found
from airelay.core.errors import BackendError

USER = {"role": "user", "content": "hi"}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_new_ids_are_unique_and_shaped_like_openais() -> None:
    ids = {new_response_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("resp_") and len(i) == len("resp_local") + 48 for i in ids)


def test_a_stored_response_is_returned_with_its_context() -> None:
    store = ResponseStore()
    store.put("resp_1", {"id": "resp_1"}, [USER, {"type": "message", "role": "assistant"}])
    held = store.get("resp_1")
    assert held.response == {"id": "resp_1"}
    assert held.context[0] == USER
    assert len(held.context) == 2


def test_an_unknown_id_gets_openais_previous_response_not_found() -> None:
    with pytest.raises(BackendError) as caught:
        ResponseStore().get("resp_abc")
    error = caught.value
    assert error.status == 400
    assert error.message == "Previous response with id 'resp_abc' not found."
    assert error.type == "invalid_request_error"
    assert error.param == "previous_response_id"
    assert error.code == "previous_response_not_found"


def test_a_response_past_its_age_is_not_found_and_is_dropped() -> None:
    clock = Clock()
    store = ResponseStore(ttl=60, clock=clock)
    store.put("resp_1", {}, [USER])
    clock.now += 59.9
    store.get("resp_1")
    clock.now += 0.1
    with pytest.raises(BackendError):
        store.get("resp_1")
    assert len(store) == 0


def test_beyond_the_cap_the_least_recently_used_response_goes_first() -> None:
    store = ResponseStore(max_count=2)
    store.put("resp_1", {}, [])
    store.put("resp_2", {}, [])
    store.get("resp_1")  # now resp_2 is the least recently used
    store.put("resp_3", {}, [])
    assert len(store) == 2
    store.get("resp_1")
    store.get("resp_3")
    with pytest.raises(BackendError):
        store.get("resp_2")


def test_storing_drops_expired_responses_so_they_hold_no_memory() -> None:
    clock = Clock()
    store = ResponseStore(ttl=10, clock=clock)
    store.put("resp_1", {}, [])
    clock.now += 11
    store.put("resp_2", {}, [])
    assert len(store) == 1


def test_delete_forgets_a_response_and_says_whether_it_was_held() -> None:
    store = ResponseStore()
    store.put("resp_1", {}, [])
    assert store.delete("resp_1") is True
    assert store.delete("resp_1") is False
    with pytest.raises(BackendError):
        store.get("resp_1")


def test_an_expired_response_cannot_be_deleted_either() -> None:
    clock = Clock()
    store = ResponseStore(ttl=10, clock=clock)
    store.put("resp_1", {}, [])
    clock.now += 10
    assert store.delete("resp_1") is False


@pytest.mark.parametrize(("count", "ttl"), [(0, 10.0), (1, 0.0)])
def test_a_store_that_could_hold_nothing_is_refused(count: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="at least one"):
        ResponseStore(max_count=count, ttl=ttl)


def test_the_not_found_error_names_the_id_it_was_given() -> None:
    assert "'resp_x'" in not_found("resp_x").message
