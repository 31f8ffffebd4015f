"""Fixtures of the aioresponses tests: requests intercepted, a client of the example space."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from signalwire_orders import Client
from support import FAST_RETRY, SPACE_ENV, MockAPI


@pytest.fixture
def mock_api() -> Iterator[MockAPI]:
    """Intercept aiohttp requests (exact request shapes, retry sequences)."""
    mocked = MockAPI()
    with mocked:
        yield mocked


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    """A client for the ``example`` space with instant retries (use with ``mock_api``)."""
    async with Client(env=SPACE_ENV, retry=FAST_RETRY) as c:
        yield c
