"""
Lifecycle mistakes get clear errors: a client moved between event loops, a redirect.

A client belongs to the event loop it first runs in. Used again after that
loop ended (a second ``asyncio.run``), it says to create the client inside
the loop that uses it, and the first loop's end closed its session, so
nothing warns about an unclosed session. A 3xx answer is never followed
(credentials go only to the configured origin) and is reported as an
unexpected redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import AsyncIterator, Iterator

import pytest

from signalwire_orders import APIStatusError, Client, RetryPolicy
from signalwire_orders.testing import FakeServer

ONE_TRY = RetryPolicy(attempts=1)


@contextlib.contextmanager
def fake_in_a_thread() -> Iterator[FakeServer]:
    """A FakeServer on its own event loop in a daemon thread, for tests that run asyncio.run."""
    loop = asyncio.new_event_loop()
    server = FakeServer(seed=8, brands=1, campaigns_per_brand=1)
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


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


@contextlib.asynccontextmanager
async def redirecting(status: int, location: str | None) -> AsyncIterator[str]:
    """A loopback HTTP server answering every request with ``status`` and ``Location``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        where = f"Location: {location}\r\n" if location else ""
        writer.write(f"HTTP/1.1 {status} Moved\r\n{where}Content-Length: 0\r\n\r\n".encode())
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


class TestRedirects:
    @pytest.mark.parametrize("status", [301, 302, 307, 308])
    async def test_a_redirect_is_reported_as_unexpected_and_not_followed(self, status: int) -> None:
        """A 3xx is an APIStatusError saying "unexpected redirect" and where it pointed."""
        async with (
            redirecting(status, "https://elsewhere.example/login?token=abc") as base_url,
            Client(
                project_id="p", api_token="PT-token", base_url=base_url, env={}, retry=ONE_TRY
            ) as c,
        ):
            with pytest.raises(APIStatusError) as caught:
                await c.brands.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")

        message = str(caught.value)
        assert status == caught.value.status
        assert "unexpected redirect to https://elsewhere.example/login" in message
        assert "token=abc" not in message  # a Location's query is not shown
        assert "HTTP error" not in message
