"""
Create a phone number assignment order and wait until it is processed.

    python examples/wait_for_order.py --fake
    python examples/wait_for_order.py CAMPAIGN_ID +15558675309
"""

from __future__ import annotations

import argparse
import asyncio

from _fake import client


async def main() -> None:
    """Create the order, then poll it until it is processed or failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("campaign_id", nargs="?")
    parser.add_argument("numbers", nargs="*", default=["+15558675309"])
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    args = parser.parse_args()
    async with client(fake=args.fake, brands=1, campaigns_per_brand=1) as c:
        campaign_id = args.campaign_id
        if campaign_id is None:
            campaign_id = [campaign.id async for campaign in c.campaigns.list_all()][0]
        order = await c.orders.create(campaign_id, args.numbers)
        print(f"created order {order.id}: {order.state}")
        order = await c.orders.wait(order.id, timeout=120, poll_interval=0.5)
        print(f"order {order.id} is {order.state} (processed at {order.processed_at})")


if __name__ == "__main__":
    asyncio.run(main())
