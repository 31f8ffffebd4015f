"""
List every order of one campaign, page after page.

Against your space (SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN set):

    python examples/list_orders.py 3fa85f64-5717-4562-b3fc-2c963f66afa6 --state pending

or, with no account, against the embedded fake server:

    python examples/list_orders.py --fake
"""

from __future__ import annotations

import argparse
import asyncio

from _fake import client


async def main() -> None:
    """List the orders of the campaign given, or of the first campaign found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("campaign_id", nargs="?")
    parser.add_argument("--state", default=None)
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    args = parser.parse_args()
    async with client(fake=args.fake, brands=1, campaigns_per_brand=2) as c:
        campaign_id = args.campaign_id
        if campaign_id is None:
            campaign_id = [campaign.id async for campaign in c.campaigns.list_all()][0]
        count = 0
        async for order in c.orders.list(campaign_id, state=args.state):
            count += 1
            created = order.created_at.isoformat() if order.created_at else "-"
            print(order.id, order.state, created)
        print(f"{count} orders in campaign {campaign_id}")


if __name__ == "__main__":
    asyncio.run(main())
