"""
The catalog commands: ``campaigns`` and ``brands`` (list, get), ``numbers`` (list, delete).

Defined as free-standing click groups; ``__init__`` attaches them to the root group.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import click

from signalwire_orders import (
    AssignedNumber,
    AssignmentState,
    BrandState,
    Campaign,
    CampaignState,
    Client,
)

from .common import (
    FORMAT_OPTION,
    NAME_OPTION,
    ONE_FORMAT_OPTION,
    CliSettings,
    collected,
    state_option,
    with_client,
)
from .output import BRAND_FIELDS, CAMPAIGN_FIELDS, NUMBER_FIELDS, print_one, print_rows

__all__ = ["brands", "campaigns", "numbers"]


@click.group()
def campaigns() -> None:
    """List and show 10DLC campaigns."""


@campaigns.command("get")
@click.argument("campaign_id", type=click.UUID)
@ONE_FORMAT_OPTION
@click.pass_obj
def campaigns_get(settings: CliSettings, campaign_id: UUID, fmt: str) -> None:
    """Show one campaign, every field."""
    print_one(with_client(settings, lambda c: c.campaigns.get(campaign_id)), fmt)


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

    def listing(client: Client) -> AsyncIterator[Campaign]:
        if brand_id is None:
            return client.campaigns.list_all(name=name, state=state)
        return client.campaigns.list(brand_id, name=name, state=state)

    title = "Campaigns" + (f" of brand {brand_id}" if brand_id else " of every brand")
    found = with_client(settings, collected(listing))
    print_rows(found, CAMPAIGN_FIELDS, fmt=fmt, title=title)


@click.group()
def brands() -> None:
    """List and show 10DLC brands."""


@brands.command("get")
@click.argument("brand_id", type=click.UUID)
@ONE_FORMAT_OPTION
@click.pass_obj
def brands_get(settings: CliSettings, brand_id: UUID, fmt: str) -> None:
    """Show one brand, every field."""
    print_one(with_client(settings, lambda c: c.brands.get(brand_id)), fmt)


@brands.command("list")
@state_option(BrandState, "Only brands in this state.")
@NAME_OPTION
@FORMAT_OPTION
@click.pass_obj
def brands_list(
    settings: CliSettings, state: BrandState | None, name: str | None, fmt: str
) -> None:
    """List the project's brands."""
    found = with_client(settings, collected(lambda c: c.brands.list(name=name, state=state)))
    print_rows(found, BRAND_FIELDS, fmt=fmt, title="Brands")


@click.group()
def numbers() -> None:
    """List and delete the phone number assignments of campaigns."""


def _number_of(assignment: AssignedNumber) -> dict[str, object]:
    phone = assignment.phone_number
    return {"number": None if phone is None else phone.number}


@numbers.command("list")
@click.argument("campaign_id", type=click.UUID)
@state_option(AssignmentState, "Only assignments in this state.")
@FORMAT_OPTION
@click.pass_obj
def numbers_list(
    settings: CliSettings, campaign_id: UUID, state: AssignmentState | None, fmt: str
) -> None:
    """List the phone numbers assigned to a campaign."""
    found = with_client(settings, collected(lambda c: c.numbers.list(campaign_id, state=state)))
    title = f"Phone numbers of campaign {campaign_id}"
    print_rows(found, NUMBER_FIELDS, fmt=fmt, title=title, given=_number_of)


@numbers.command("delete")
@click.argument("number_id", metavar="NUMBER_ASSIGNMENT_ID", type=click.UUID)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.pass_obj
def numbers_delete(settings: CliSettings, number_id: UUID, *, yes: bool) -> None:
    """
    Remove a phone number from its campaign (asks first, unless --yes).

    A number assignment that does not exist (or was deleted already) is exit code 5.
    """
    if not yes:
        click.confirm(f"Delete the number assignment {number_id}?", abort=True, err=True)

    with_client(settings, lambda c: c.numbers.delete(number_id))
    click.echo(f"deleted the number assignment {number_id}", err=True)
