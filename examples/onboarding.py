"""
Onboard a customer for 10DLC: register a brand, a campaign under it, assign a number, wait.

    python examples/onboarding.py --fake
    python examples/onboarding.py --live +15558675309   # your space: edit CUSTOMER first

Each step waits for the one before it, as TCR does: a campaign is for a
registered brand (``completed``), numbers are for an ``active`` campaign.
Against your space this registers a real brand and campaign (registration is
billed): put your customer's details in CUSTOMER and the messages it sends in
CAMPAIGN before using ``--live``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from _fake import client

from signalwire_orders import (
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    ManagedBrandRequest,
    ManagedCampaignRequest,
)

T = TypeVar("T", Brand, Campaign)
PENDING = {BrandState.PENDING, CampaignState.PENDING}
WEEK = 7 * 86400.0  # TCR vets a brand in minutes to days
NEEDS = "--live needs SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN"

#: The customer, as TCR registers it. Every field is checked here, before any request.
CUSTOMER = ManagedBrandRequest(
    name="Acme Dental",
    company_name="Acme Dental LLC",
    contact_email="ops@acme-dental.example",
    contact_phone="+15558675309",
    ein_issuing_country="United States",
    legal_entity_type="PRIVATE_PROFIT",
    ein="12-3456789",
    company_address="1 Main St, Springfield IL, 62701",
    company_vertical="HEALTHCARE",
    company_website="www.acme-dental.example",
)


def campaign_for(brand: Brand) -> ManagedCampaignRequest:
    """What the customer will send, and how people opt in and out."""
    return ManagedCampaignRequest(
        name="Appointment reminders",
        brand_id=brand.id,
        sms_use_case="ACCOUNT_NOTIFICATION",
        description="Reminders of dental appointments to patients who asked for them by text.",
        sample1="Hi Ana, your cleaning is tomorrow at 2pm. Reply STOP to opt out.",
        sample2="Reminder: your check-up is on Friday at 10am. Reply STOP to opt out.",
        message_flow="Patients opt in on the booking form of the practice's web site.",
        opt_out_message="You are unsubscribed from Acme Dental and will get no more messages.",
        help_message="Acme Dental: call 1-800-555-0123 for help. Reply STOP to opt out.",
        number_pooling_required=False,
        direct_lending=False,
        embedded_link=False,
        embedded_phone=False,
        age_gated_content=False,
        lead_generation=False,
        terms_and_conditions=True,
    )


async def settled(get: Callable[[], Awaitable[T]], *, every: float, within: float) -> T:
    """Get a brand or campaign until it is no longer pending; return it as it is then."""
    async with asyncio.timeout(within):
        while (item := await get()).state in PENDING:  # noqa: ASYNC110  # polls the API
            await asyncio.sleep(every)
    return item


async def main() -> None:
    """Brand, then campaign, then a number assignment order, each once the last is final."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("numbers", nargs="*", default=["+15558675309"])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--fake", action="store_true", help="use the embedded fake server")
    mode.add_argument("--live", action="store_true", help="register in your space (billed)")
    parser.add_argument("--every", type=float, default=None, help="seconds between polls")
    args = parser.parse_args()
    if args.live and not os.environ.get("SIGNALWIRE_API_TOKEN"):
        parser.error(NEEDS)
    every = args.every or (0.1 if args.fake else 60.0)
    async with client(fake=args.fake, brands=0) as c:
        brand = await c.brands.create(CUSTOMER)
        print(f"brand {brand.id} registered: {brand.state}")
        brand = await settled(lambda: c.brands.get(brand.id), every=every, within=WEEK)
        if brand.state is not BrandState.COMPLETED:
            msg = f"brand {brand.id} is {brand.state}: see the SignalWire dashboard"
            raise SystemExit(msg)
        print(f"brand {brand.id} is {brand.state}")

        campaign = await c.campaigns.create(brand.id, campaign_for(brand))
        print(f"campaign {campaign.id} submitted: {campaign.state}")
        campaign = await settled(lambda: c.campaigns.get(campaign.id), every=every, within=WEEK)
        if campaign.state is not CampaignState.ACTIVE:
            msg = f"campaign {campaign.id} is {campaign.state}"
            raise SystemExit(msg)
        print(f"campaign {campaign.id} is {campaign.state}")

        order = await c.orders.create(campaign.id, args.numbers)
        order = await c.orders.wait(order.id, timeout=3600, poll_interval=min(every, 10.0))
        print(f"order {order.id} is {order.state}: {', '.join(args.numbers)} on the campaign")


if __name__ == "__main__":
    asyncio.run(main())
