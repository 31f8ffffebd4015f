"""
The ``campaigns`` and ``brands`` commands of the CLI: list them, filtered by state and name.

Defined as free-standing click groups; ``__init__`` attaches them to the root group.
"""

from __future__ import annotations

from uuid import UUID

import click

from signalwire_orders import Brand, BrandState, Campaign, CampaignState

from .common import FORMAT_OPTION, NAME_OPTION, CliSettings, run, state_option
from .output import BRAND_FIELDS, CAMPAIGN_FIELDS, print_rows

__all__ = ["brands", "campaigns"]


@click.group()
def campaigns() -> None:
    """List 10DLC campaigns."""


@campaigns.command("list")
@click.option("--brand", "brand_id", type=click.UUID, help="Only this brand's (default: all).")
@state_option(CampaignState, "Only campaigns in this state.")
@NAME_OPTION
@FORMAT_OPTION
@click.pass_obj
def campaigns_list(
    settings: CliSettings,
    brand_id: UUID | None,
    state: CampaignState | None,
    name: str | None,
    fmt: str,
) -> None:
    """List the campaigns of one brand, or of every brand."""

    async def fetch() -> list[Campaign]:
        async with settings.client() as client:
            if brand_id is None:
                found = client.campaigns.list_all(name=name, state=state)
            else:
                found = client.campaigns.list(brand_id, name=name, state=state)
            return [campaign async for campaign in found]

    title = "Campaigns" + (f" of brand {brand_id}" if brand_id else " of every brand")
    print_rows(run(settings, fetch()), CAMPAIGN_FIELDS, fmt=fmt, title=title)


@click.group()
def brands() -> None:
    """List 10DLC brands."""


@brands.command("list")
@state_option(BrandState, "Only brands in this state.")
@NAME_OPTION
@FORMAT_OPTION
@click.pass_obj
def brands_list(
    settings: CliSettings, state: BrandState | None, name: str | None, fmt: str
) -> None:
    """List the project's brands."""

    async def fetch() -> list[Brand]:
        async with settings.client() as client:
            return [brand async for brand in client.brands.list(name=name, state=state)]

    print_rows(run(settings, fetch()), BRAND_FIELDS, fmt=fmt, title="Brands")
