"""
Export every order of every campaign to a file, resumably.

    python examples/bulk_export.py orders.jsonl --fake
    python examples/bulk_export.py orders.csv --resume     # your space; carries on a killed run
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Literal

from _fake import client

from signalwire_orders import export_orders


async def main() -> None:
    """Discover the campaigns through brands, then export their orders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("out")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    args = parser.parse_args()
    fmt: Literal["jsonl", "csv"] = "csv" if args.out.endswith(".csv") else "jsonl"
    async with client(fake=args.fake, brands=2, campaigns_per_brand=5) as c:
        ids = [campaign.id async for campaign in c.campaigns.list_all()]
        summary = await export_orders(c, ids, args.out, fmt=fmt, resume=args.resume)
    print(f"{summary.orders} orders from {summary.campaigns} campaigns written to {summary.path}")
    for campaign_id, error in summary.failed:
        print(f"  not exported: {campaign_id}: {error} (run again with --resume)")


if __name__ == "__main__":
    asyncio.run(main())
