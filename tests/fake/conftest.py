"""Fixtures of the fake's own tests: a plain aiohttp session that the fake accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from signalwire_orders.testing import FakeServer
from support import auth_headers


@pytest.fixture
async def http(server: FakeServer) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session with the credentials ``server`` accepts."""
    async with aiohttp.ClientSession(headers=auth_headers(server)) as session:
        yield session


@pytest.fixture
def campaign_id(server: FakeServer) -> str:
    """The first campaign of ``server``."""
    return server.data.campaign_ids()[0]
