"""
An async bot loop that embeds the client beside its own aiohttp session.

Every few seconds it checks a campaign for pending orders and reports changes.

    python examples/bot.py --fake --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp
from _fake import client

from signalwire_orders import SignalWireError


async def main() -> None:
    """Run the bot for a number of rounds (forever with --rounds 0)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between rounds")
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    args = parser.parse_args()
    # The bot's own session, shared with the client: the client uses it and
    # never closes it; the bot closes it when it stops.
    async with aiohttp.ClientSession() as session:
        async with client(fake=args.fake, session=session, brands=1, campaigns_per_brand=2) as c:
            campaign_ids = [campaign.id async for campaign in c.campaigns.list_all()]
            seen: dict[str, int] = {}
            round_number = 0
            while args.rounds == 0 or round_number < args.rounds:
                round_number += 1
                for campaign_id in campaign_ids:
                    try:
                        pending = [o async for o in c.orders.list(campaign_id, state="pending")]
                    except SignalWireError as exc:  # report and keep the bot alive
                        print(f"round {round_number}: {campaign_id}: {exc}")
                        continue
                    if seen.get(str(campaign_id)) != len(pending):
                        seen[str(campaign_id)] = len(pending)
                        print(f"round {round_number}: {campaign_id}: {len(pending)} pending")
                await asyncio.sleep(args.every)
        print(f"stopped after {round_number} rounds; session still open: {not session.closed}")


if __name__ == "__main__":
    asyncio.run(main())
