"""
Fetch the orders of every campaign of every brand, many campaigns at once.

    python examples/bulk_fetch.py            # your space, from the environment
    python examples/bulk_fetch.py --fake     # the embedded fake server, no account
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from _fake import client

from signalwire_orders import Client


async def fetch_everything(client: Client, *, concurrency: int) -> None:
    """Discover campaigns through brands, then stream their orders."""
    campaign_ids = [campaign.id async for campaign in client.campaigns.list_all()]
    states: Counter[str] = Counter()
    failed = 0
    async with client.orders.list_many(campaign_ids, concurrency=concurrency) as results:
        async for result in results:
            if result.error is not None:
                failed += 1
                print(f"{result.campaign_id}: {result.error}")
                continue
            states.update(str(order.state) for order in result.orders)
    print(f"{len(campaign_ids)} campaigns, {sum(states.values())} orders, {failed} failed")
    for state, count in sorted(states.items()):
        print(f"  {state:<12} {count}")
    print(f"{client.stats.requests} requests, {client.stats.retries} retries")


async def main() -> None:
    """Run against the environment's space, or the embedded fake with --fake."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    async with client(fake=args.fake, brands=3, campaigns_per_brand=8) as c:
        await fetch_everything(c, concurrency=args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
