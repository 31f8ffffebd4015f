"""
Receive 10DLC status callbacks, and wait for an order with callbacks plus polling.

    python examples/webhook_receiver.py --port 8080      # print every callback received

``--fake --self-test`` creates an order on the embedded fake server, which
processes it and POSTs the documented "processed" callback to the receiver,
as SignalWire does, and shows that the wait ends on it (used by the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer
from signalwire_orders.webhooks import StatusCallbackReceiver, secret_path, wait_for_order


@contextlib.asynccontextmanager
async def serving(receiver: StatusCallbackReceiver, port: int) -> AsyncIterator[str]:
    """Serve the receiver on 127.0.0.1; yield the callback URL."""
    runner = web.AppRunner(receiver.app(), access_log=None)  # keep the secret path out of logs
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}{receiver.path}"
    finally:
        await runner.cleanup()


async def self_test() -> None:
    """Create an order on the fake; its processed callback ends the wait."""
    receiver = StatusCallbackReceiver(path=secret_path(), queue_size=0)
    # advance_after: the fake processes created orders after 0.2 s by itself, and
    # POSTs the documented callback to the order's (loopback) status_callback_url.
    async with (
        serving(receiver, 0) as url,
        FakeServer(seed=11, brands=1, campaigns_per_brand=1, advance_after=0.2) as server,
        Client(env=server.env) as c,
    ):
        campaign = [campaign async for campaign in c.campaigns.list_all()][0]
        order = await c.orders.create(campaign.id, ["+15558675309"], status_callback_url=url)
        # Polls a minute apart: only the callback can end this wait in time.
        done = await wait_for_order(
            c, order.id, receiver=receiver, timeout=30, poll_interval=60, max_poll_interval=60
        )
        print(f"order {done.id}: wait ended on the callback, state {done.state}")
        print(f"the fake POSTed {len(server.state.callbacks)} callback(s) to {receiver!r}")


async def main() -> None:
    """Print callbacks as they come, or run the self-test."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        await self_test()
        return
    receiver = StatusCallbackReceiver(path=secret_path())
    async with serving(receiver, args.port) as url:
        print(f"set status_callback_url to {url} (behind HTTPS in production)")
        async for event in receiver.events():
            print(event.event_at, event.event_type, event.state, event.number_assignment_order_id)


if __name__ == "__main__":
    asyncio.run(main())
