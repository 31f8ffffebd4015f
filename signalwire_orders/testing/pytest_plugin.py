"""
Opt-in pytest plugin: a started `FakeServer` as the ``signalwire_fake_server`` fixture.

Enable it in a ``conftest.py``::

    pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]

Then size or seed the server per test with the ``signalwire_fake_server`` marker,
whose keyword arguments go to `FakeServer`::

    @pytest.mark.signalwire_fake_server(seed=7, orders_per_campaign=300)
    async def test_walks_every_page(signalwire_fake_server):
        ...

or, equally, with indirect parametrization (a dict of keyword arguments)::

    @pytest.mark.parametrize("signalwire_fake_server", [{"seed": 7}], indirect=True)
    async def test_seeded(signalwire_fake_server):
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from ._server import FakeServer

__all__ = ["pytest_configure", "signalwire_fake_server"]

_MARKER = "signalwire_fake_server"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``signalwire_fake_server`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers", f"{_MARKER}(**kwargs): keyword arguments for the signalwire_fake_server fixture"
    )


@pytest_asyncio.fixture
async def signalwire_fake_server(request: pytest.FixtureRequest) -> AsyncIterator[FakeServer]:
    """
    Yield a started `FakeServer`, closed after the test.

    Keyword arguments for `FakeServer` come from the ``signalwire_fake_server``
    marker and from an indirect parameter (a dict), the parameter winning.

    Example::

        async def test_lists_brands(signalwire_fake_server):
            url = signalwire_fake_server.api_url + "/brands"
    """
    marker = request.node.get_closest_marker(_MARKER)
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    kwargs.update(getattr(request, "param", None) or {})  # indirect parametrization
    async with FakeServer(**kwargs) as server:
        yield server
