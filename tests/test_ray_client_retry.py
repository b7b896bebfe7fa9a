"""Connecting to a Ray Client head: a per-client server that failed to start is tried again, any
other failure ends at once with werger's error.

Ray Client's proxy starts one server process per connection; when that process exits before it
is up the head answers "Starting Ray client server failed", and the next connection gets a new
one. That answer cannot be provoked on purpose from a real head, so ``ray.init``'s answers are
played here by a stand-in for the ``ray`` module ``_connect`` is handed.
"""

from __future__ import annotations

import pytest

from translate import distributed
from translate.errors import WergerTranslateError


class RayStandIn:
    """``init`` raises the given errors in turn, then connects; counts calls and shutdowns."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.inits = 0
        self.shutdowns = 0

    def is_initialized(self) -> bool:
        return False

    def init(self, address=None, log_to_driver=True) -> None:
        self.inits += 1
        if self.errors:
            raise self.errors.pop(0)

    def shutdown(self) -> None:
        self.shutdowns += 1


FAILED = RuntimeError(f"Initialization failure from server: {distributed.CLIENT_SERVER_FAILED}. See logs.")


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    monkeypatch.setattr(distributed, "CLIENT_RETRY_S", 0.0)


def test_a_client_server_that_failed_to_start_is_tried_again():
    ray = RayStandIn(FAILED, FAILED)
    assert distributed._connect(ray, "ray://head:10001") is True
    assert ray.inits == 3 and ray.shutdowns == 2


def test_it_gives_up_after_the_last_attempt_with_the_servers_answer():
    ray = RayStandIn(*[FAILED] * distributed.CLIENT_START_ATTEMPTS)
    reached = r"cannot reach the Ray cluster at ray://head:10001: .*client server failed"
    with pytest.raises(WergerTranslateError, match=reached):
        distributed._connect(ray, "ray://head:10001")
    assert ray.inits == distributed.CLIENT_START_ATTEMPTS


@pytest.mark.parametrize(
    "error", [ConnectionError("refused"), RuntimeError("token rejected"), ValueError("bad address")]
)
def test_any_other_failure_ends_at_once(error):
    ray = RayStandIn(error)
    with pytest.raises(WergerTranslateError, match="cannot reach the Ray cluster"):
        distributed._connect(ray, "ray://head:10001")
    assert ray.inits == 1
