"""
Receive 10DLC status callbacks, and wait for an order with callbacks plus polling.

    python examples/webhook_receiver.py --port 8080      # print every callback received

``--fake --self-test`` creates an order on the embedded fake server, plays
SignalWire's part by POSTing the order's "processed" callback to the
receiver, and shows that the wait ends on it (used by the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
from _fake import client
from aiohttp import web

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


async def self_test(*, fake: bool) -> None:
    """Create an order, deliver its processed callback, and wait on it."""
    receiver = StatusCallbackReceiver(path=secret_path(), queue_size=0)
    async with serving(receiver, 0) as url, client(fake=fake, brands=1, campaigns_per_brand=1) as c:
        campaign = [campaign async for campaign in c.campaigns.list_all()][0]
        order = await c.orders.create(campaign.id, ["+15558675309"], status_callback_url=url)
        waiting = asyncio.create_task(
            wait_for_order(c, order.id, receiver=receiver, timeout=30, poll_interval=10)
        )
        callback = {  # what SignalWire POSTs when the order is processed
            "project_id": "example-project",
            "event_at": datetime.now(UTC).isoformat(),
            "event_category": "number_assignment_order",
            "event_type": "number_assignment_order_processed",
            "state": "processed",
            "brand_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "campaign_id": str(campaign.id),
            "number_assignment_order_id": str(order.id),
        }
        async with aiohttp.ClientSession() as http, http.post(url, json=callback) as resp:
            print(f"callback POSTed -> {resp.status}")
        done = await waiting
        print(f"order {done.id}: wait ended on the callback, state {done.state}")


async def main() -> None:
    """Print callbacks as they come, or run the self-test."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        await self_test(fake=args.fake)
        return
    receiver = StatusCallbackReceiver(path=secret_path())
    async with serving(receiver, args.port) as url:
        print(f"set status_callback_url to {url} (behind HTTPS in production)")
        async for event in receiver.events():
            print(event.event_at, event.event_type, event.state, event.number_assignment_order_id)


if __name__ == "__main__":
    asyncio.run(main())
