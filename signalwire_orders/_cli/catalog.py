"""
The catalog commands: ``campaigns`` (list, get, create, update), ``brands`` (list, get,
create), ``numbers`` (list, delete).

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
from .forms import FILE_OPTION, RequestFile, brand_request, campaign_request, check_name
from .output import BRAND_FIELDS, CAMPAIGN_FIELDS, NUMBER_FIELDS, print_one, print_rows

__all__ = ["brands", "campaigns", "numbers"]


@click.group()
def campaigns() -> None:
    """List, show, create and rename 10DLC campaigns."""


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


@campaigns.command("create")
@click.argument("brand_id", type=click.UUID)
@FILE_OPTION
@ONE_FORMAT_OPTION
@click.pass_obj
def campaigns_create(
    settings: CliSettings, brand_id: UUID, request_file: RequestFile, fmt: str
) -> None:
    """
    Register a campaign under a brand, from a JSON request file.

    \b
    The file is one of the API's two forms, told apart by its fields:
      managed  sms_use_case, description, samples, messages, the seven yes/no questions
      partner  csp_campaign_reference (registered with TCR yourself, for a CSP brand)
    brand_id may be left out of the file: BRAND_ID is used. A create whose answer
    is lost is never retried: list the brand's campaigns before trying again.
    """
    request = campaign_request(request_file, brand_id)
    print_one(with_client(settings, lambda c: c.campaigns.create(brand_id, request)), fmt)


@campaigns.command("update")
@click.argument("campaign_id", type=click.UUID)
@click.option("--name", required=True, callback=check_name, help="The new name (3-64 characters).")
@ONE_FORMAT_OPTION
@click.pass_obj
def campaigns_update(settings: CliSettings, campaign_id: UUID, name: str, fmt: str) -> None:
    """Rename a campaign; show it as it is now."""
    print_one(with_client(settings, lambda c: c.campaigns.update(campaign_id, name=name)), fmt)


@click.group()
def brands() -> None:
    """List, show and create 10DLC brands."""


@brands.command("create")
@FILE_OPTION
@ONE_FORMAT_OPTION
@click.pass_obj
def brands_create(settings: CliSettings, request_file: RequestFile, fmt: str) -> None:
    """
    Register a brand, from a JSON request file.

    \b
    The file is one of the API's two forms, told apart by its fields:
      managed  company_name, contact_email, contact_phone, ein, ... (SignalWire registers it)
      CSP      csp_brand_reference (registered with TCR yourself)
    A create whose answer is lost is never retried: list the brands before trying again.
    """
    request = brand_request(request_file)
    print_one(with_client(settings, lambda c: c.brands.create(request)), fmt)


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
