"""Shared fixtures: a clean environment, fast retries, aioresponses, the fake server."""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from hypothesis import settings

from signalwire_orders import Client, RetryPolicy

pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]

settings.register_profile("fast", max_examples=60, deadline=None)
settings.load_profile("fast")

SPACE_ENV = {
    "SIGNALWIRE_SPACE": "example",
    "SIGNALWIRE_PROJECT_ID": "b4a4bd0c-2c8a-4cf3-9a0b-2d6c4b7b1b11",
    "SIGNALWIRE_API_TOKEN": "PT-test-secret-token-4c2f",
}
API = "https://example.signalwire.com/api/relay/rest/registry/beta"
#: Retries with no waiting, so retry tests run in milliseconds.
FAST_RETRY = RetryPolicy(attempts=4, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.0)


class _CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates aiohttp 3.14's required ``stream_writer`` argument."""

    def __init__(self, method: str, url: Any, *, stream_writer: Any = None, **kwargs: Any) -> None:
        # Only .output_size is read from it when the request was already sent.
        writer: Any = stream_writer or types.SimpleNamespace(output_size=0)
        super().__init__(method, url, stream_writer=writer, **kwargs)


class MockAPI(aioresponses):
    """aioresponses with a response class that works on aiohttp 3.14."""

    def add(self, url: Any, method: str = "GET", *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_class", _CompatResponse)
        super().add(url, method, *args, **kwargs)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SIGNALWIRE_* variable from the machine leaks into a test."""
    import os  # noqa: PLC0415

    for name in list(os.environ):
        if name.startswith("SIGNALWIRE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def mock_api() -> Iterator[MockAPI]:
    """Intercept aiohttp requests (unit tests of request shapes)."""
    mocked = MockAPI()
    with mocked:
        yield mocked


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    """A client for the ``example`` space with instant retries (use with ``mock_api``)."""
    async with Client(env=SPACE_ENV, retry=FAST_RETRY) as c:
        yield c
