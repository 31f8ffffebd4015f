"""
A client belongs to the event loop it runs in; moved to another, it says so clearly.

Used again after its loop ended (a second ``asyncio.run``), a client says to
create it inside the loop that uses it, and the first loop's end closed its
session, so nothing warns about an unclosed session.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator

import pytest

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer
from support import in_a_thread


@contextlib.contextmanager
def fake_in_a_thread() -> Iterator[FakeServer]:
    """A small FakeServer served from another thread, for tests that run asyncio.run."""
    server = FakeServer(seed=8, brands=1, campaigns_per_brand=1)
    with in_a_thread(server):
        yield server


def _client(server: FakeServer) -> Client:
    return Client(
        project_id=server.project_id, api_token=server.api_token, base_url=server.base_url, env={}
    )


class TestAClientMovedBetweenEventLoops:
    def test_a_second_asyncio_run_says_to_create_the_client_inside_the_loop(self) -> None:
        """The second loop gets a RuntimeError naming the fix, not "Event loop is closed"."""
        with fake_in_a_thread() as server:
            brand_id = server.data.brands[0]["id"]
            client = _client(server)
            asyncio.run(client.brands.get(brand_id))

            with pytest.raises(RuntimeError, match="create the client inside the event loop"):
                asyncio.run(client.brands.get(brand_id))

    def test_the_first_loops_end_closed_the_session_so_nothing_warns(
        self, recwarn: pytest.WarningsRecorder
    ) -> None:
        """A client used without ``async with`` closes its session as its loop ends."""
        with fake_in_a_thread() as server:
            client = _client(server)
            asyncio.run(client.brands.get(server.data.brands[0]["id"]))
            del client
            gc.collect()

        assert [] == [str(w.message) for w in recwarn if "nclosed" in str(w.message)]

    def test_a_client_used_with_async_with_in_each_loop_is_refused_once_closed(self) -> None:
        """Closed by ``async with`` in the first loop, the client says it is closed."""
        with fake_in_a_thread() as server:
            client = _client(server)

            async def use() -> None:
                async with client:
                    await client.brands.list().__anext__()

            asyncio.run(use())
            with pytest.raises(RuntimeError, match="the client is closed"):
                asyncio.run(use())
