"""
Shared by the examples: a client for your space, or for the embedded fake server.

With ``--fake`` (or no credentials in the environment) the examples start the
fake server in-process, so they run with no SignalWire account.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import aiohttp

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer


@contextlib.asynccontextmanager
async def environment(*, fake: bool, **sizes: int) -> AsyncIterator[dict[str, str]]:
    """Yield the settings to build a client from: the environment, or a started fake's."""
    if not fake and os.environ.get("SIGNALWIRE_API_TOKEN"):
        yield dict(os.environ)
        return
    async with FakeServer(seed=11, **sizes) as server:  # type: ignore[arg-type]  # sizes
        yield server.env


@contextlib.asynccontextmanager
async def client(
    *, fake: bool, session: aiohttp.ClientSession | None = None, **sizes: int
) -> AsyncIterator[Client]:
    """Yield an open client for the environment's space or the fake."""
    async with environment(fake=fake, **sizes) as env, Client(env=env, session=session) as c:
        yield c
