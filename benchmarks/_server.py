"""
The benchmark's server: the fake's own pages, rendered once, then served from memory.

Invoked by ``benchmarks/run.py`` as ``python benchmarks/_server.py '<json groups>'``.
Each group (campaigns, orders per campaign, page size, latency) gets its own
`signalwire_orders.testing.FakeServer`, in this process, which renders every
page of every campaign once; the bytes are kept, the fake is closed, and a
minimal HTTP/1.1 server (keep-alive, Basic auth, 404 for anything else)
answers each page from memory, after the group's latency. It prints one JSON
line: its base URL and each group's campaign ids.

Why not the fake itself: rendering a 1,000-order page costs the fake about
6 ms of CPU, and aiohttp.web about 0.5 ms a request even from its page cache.
The first starves a CPU-bound client of pages, the second queues requests on
the server's one core under latency: both are the fake's cost, not the
client's, and they would blur the figures of both sides. Here a page costs
the server one dict look-up and one write (see the README, Performance).
"""

from __future__ import annotations

import asyncio
import base64
import json
import selectors
import sys
from typing import Any, Final

import aiohttp

from signalwire_orders.testing import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeServer

API_PREFIX: Final = "/api/relay/rest/registry/beta"
_AUTH: Final = b"basic " + base64.b64encode(f"{DEFAULT_PROJECT_ID}:{DEFAULT_API_TOKEN}".encode())
_NOT_FOUND: Final = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
_UNAUTHORIZED: Final = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
_BAD_REQUEST: Final = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def _answer(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _render(group: dict[str, Any], seed: int) -> tuple[list[str], dict[bytes, bytes]]:
    """Every page of every campaign of one group, as the fake renders them."""
    campaigns, orders = int(group["campaigns"]), int(group["orders"])
    query = f"?page_size={group['page_size']}" if group.get("page_size") else ""
    pages: dict[bytes, bytes] = {}
    fake = FakeServer(
        seed=seed,
        brands=1,
        campaigns_per_brand=campaigns,
        orders_per_campaign=orders,
        numbers_per_campaign=0,
        record=False,
    )
    headers = {"Authorization": aiohttp.encode_basic_auth(fake.project_id, fake.api_token)}
    async with fake, aiohttp.ClientSession(headers=headers) as session:
        ids = fake.data.campaign_ids()
        for campaign_id in ids:
            target: str | None = f"{API_PREFIX}/campaigns/{campaign_id}/orders{query}"
            while target is not None:
                async with session.get(fake.base_url + target) as resp:
                    resp.raise_for_status()
                    body = await resp.read()
                pages[target.encode()] = _answer(body)
                target = json.loads(body)["links"].get("next")
    return ids, pages


class _Replay(asyncio.Protocol):
    """One connection: answer each GET from ``pages`` after its latency."""

    def __init__(self, pages: dict[bytes, tuple[bytes, float]]) -> None:
        self._pages = pages
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101  # TCP: always one
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            self._respond(head)

    def _respond(self, head: bytes) -> None:
        transport = self._transport
        assert transport is not None  # noqa: S101  # data comes after connection_made
        request_line, _, headers = head.partition(b"\r\n")
        method, _, rest = request_line.partition(b" ")
        target = rest.rpartition(b" ")[0]
        lowered = headers.lower()
        if method != b"GET" or b"content-length:" in lowered or b"chunked" in lowered:
            transport.write(_BAD_REQUEST)  # the clients only GET, without a body
            transport.close()
            return
        auth = lowered.partition(b"authorization: ")[2].partition(b"\r\n")[0]
        if auth != _AUTH.lower():
            transport.write(_UNAUTHORIZED)
            return
        answer, latency = self._pages.get(target, (_NOT_FOUND, 0.0))
        if latency > 0:
            self._loop.call_later(latency, self._write, answer)
        else:
            transport.write(answer)

    def _write(self, answer: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(answer)


async def _serve(groups: list[dict[str, Any]]) -> None:
    pages: dict[bytes, tuple[bytes, float]] = {}
    ids: list[list[str]] = []
    for seed, group in enumerate(groups, start=1):
        group_ids, group_pages = await _render(group, seed)
        ids.append(group_ids)
        latency = float(group.get("latency", 0.0))
        pages.update({target: (answer, latency) for target, answer in group_pages.items()})
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Replay(pages), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "ids": ids}), flush=True)
    async with server:
        await server.serve_forever()


def _precise_loop() -> asyncio.AbstractEventLoop:
    # epoll waits in whole milliseconds, rounded up: every 50 ms latency
    # would last 50-51 ms. select() waits to the microsecond, so a response
    # goes out on time, never early (a handful of connections: select is fine).
    return asyncio.SelectorEventLoop(selectors.SelectSelector())


def main() -> None:
    """Render the groups given as JSON in argv[1]; serve them until terminated."""
    with asyncio.Runner(loop_factory=_precise_loop) as runner:
        runner.run(_serve(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
