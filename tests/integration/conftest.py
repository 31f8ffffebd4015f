"""Fixtures of the integration tests: a client of the fake, a loopback origin and its client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer
from support import NO_RETRY, Origin, client_at, client_for, loopback_origin


@pytest.fixture
async def client(server: FakeServer) -> AsyncIterator[Client]:
    """A client of ``server`` with `support.NO_WAIT` retries (three instant attempts)."""
    async with client_for(server) as c:
        yield c


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    """A loopback `support.Origin` on a free port: a server the fake never imitates."""
    async with loopback_origin() as served:
        yield served


@pytest.fixture
async def origin_client(origin: Origin) -> AsyncIterator[Client]:
    """A client of ``origin`` that never retries: one request per page."""
    async with client_at(origin.base_url, retry=NO_RETRY) as c:
        yield c
