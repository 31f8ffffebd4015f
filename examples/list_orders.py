"""
List every order of one campaign, page after page.

Run against your space (SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID and
SIGNALWIRE_API_TOKEN set):

    python examples/list_orders.py 3fa85f64-5717-4562-b3fc-2c963f66afa6 --state pending

or, with no account, against the embedded fake server:

    python examples/list_orders.py --fake
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer


@contextlib.asynccontextmanager
async def open_client(*, fake: bool) -> AsyncIterator[tuple[Client, list[str]]]:
    """Yield a client and some campaign ids: the fake's, or none for a real space."""
    if not fake:
        async with Client() as client:
            yield client, []
        return
    async with FakeServer(seed=7, brands=1, campaigns_per_brand=2) as server:
        client = Client(
            project_id=server.project_id,
            api_token=server.api_token,
            base_url=server.base_url,
            env={},
        )
        async with client:
            yield client, [str(cid) for cid in server.data.campaign_ids()]


async def main() -> None:
    """List the orders of the campaign given, or of the fake's first campaign."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("campaign_id", nargs="?")
    parser.add_argument("--state", default=None)
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    args = parser.parse_args()
    async with open_client(fake=args.fake) as (client, fake_ids):
        campaign_id = args.campaign_id or (fake_ids[0] if fake_ids else None)
        if campaign_id is None:
            parser.error("give a campaign id, or --fake")
        count = 0
        async for order in client.orders.list(campaign_id, state=args.state):
            count += 1
            print(order.id, order.state, order.created_at.isoformat() if order.created_at else "-")
        print(f"{count} orders in campaign {campaign_id}")


if __name__ == "__main__":
    asyncio.run(main())
