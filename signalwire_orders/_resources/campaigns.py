"""
10DLC campaigns: ``client.campaigns`` (get, list, pages, list_all, create, update).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from uuid import UUID

from signalwire_orders._config import Settings
from signalwire_orders._engine import Engine
from signalwire_orders._models import Campaign, CampaignState, CampaignStateValue, Page
from signalwire_orders._protocol import parse_id, path_id, query_string, state_filter, text_filter
from signalwire_orders._requests import (
    ManagedCampaignRequest,
    PartnerCampaignRequest,
    campaign_name,
    request_body,
)

from .base import Resource, typed_pages
from .brands import Brands

__all__ = ["Campaigns"]


class Campaigns(Resource):
    """
    10DLC campaigns: ``client.campaigns``.

    Example::

        campaign = await client.campaigns.get(campaign_id)
    """

    __slots__ = ("_brands",)

    def __init__(self, engine: Engine, settings: Settings, brands: Brands) -> None:
        super().__init__(engine, settings)
        self._brands = brands

    async def get(self, campaign_id: UUID | str) -> Campaign:
        """
        Fetch one campaign.

        Example::

            campaign = await client.campaigns.get(campaign_id)
        """
        return await self._get(Campaign, f"/campaigns/{path_id(campaign_id, 'campaign_id')}")

    async def create(
        self, brand_id: UUID | str, request: ManagedCampaignRequest | PartnerCampaignRequest
    ) -> Campaign:
        """
        Register a campaign under a brand.

        A `ManagedCampaignRequest` has SignalWire register it with TCR for a
        managed brand; a `PartnerCampaignRequest` brings one you registered
        yourself, for a CSP brand. The request names its brand too: it must be
        ``brand_id``. Like ``orders.create``, this is retried only when it
        cannot have been processed (429, or the connection was refused before
        sending), never on a 5xx.

        Raises:
            TypeError: ``request`` is not one of the two campaign requests.
            ValueError: ``brand_id`` is not a UUID, or not the request's brand.
            NotFoundError: No such brand.
            UnprocessableEntityError: The API rejected the request; ``items``
                say which field and why.
            OutcomeUnknownError: The request was sent but its answer was lost:
                look the campaign up (``campaigns.list(brand_id, name=...)``)
                before sending again.

        Example::

            campaign = await client.campaigns.create(
                brand.id,
                PartnerCampaignRequest(
                    name="Alerts", brand_id=brand.id, csp_campaign_reference="C1"
                ),
            )
        """
        if not isinstance(request, ManagedCampaignRequest | PartnerCampaignRequest):
            msg = (
                "campaigns.create takes a ManagedCampaignRequest or a PartnerCampaignRequest, "
                f"not {type(request).__name__}"
            )
            raise TypeError(msg)
        brand = parse_id(brand_id, "brand_id")
        if request.brand_id != brand:
            msg = (
                f"brand_id: the request is for brand {request.brand_id}, "
                f"not {brand}: build it with brand_id={brand}"
            )
            raise ValueError(msg)
        path = f"/brands/{brand}/campaigns"
        return await self._send(Campaign, "POST", self._root + path, request_body(request))

    async def update(self, campaign_id: UUID | str, *, name: str) -> Campaign:
        """
        Rename a campaign; return it as it is now.

        Setting a name is idempotent, so this is retried like a read (5xx,
        429, connection errors).

        Raises:
            TypeError: ``name`` is not a string.
            ValueError: ``campaign_id`` is not a UUID, or ``name`` is not 3 to
                64 characters.
            NotFoundError: No such campaign.
            UnprocessableEntityError: The API rejected the name.

        Example::

            campaign = await client.campaigns.update(campaign_id, name="Appointment reminders")
        """
        path = f"/campaigns/{path_id(campaign_id, 'campaign_id')}"
        body = {"name": campaign_name(name)}
        return await self._send(Campaign, "PUT", self._root + path, body)

    def pages(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[Campaign], None]:
        """
        Yield each page of a brand's campaigns.

        Args:
            brand_id: The brand's UUID.
            name: Only campaigns whose name contains this (``filter_name``).
            state: Only campaigns in this state (``filter_state``).
            page_size: Items per page, 1..1000.
            resume_from: A ``resume_from`` link from an earlier error of this
                listing, as for ``orders.pages()``.

        Example::

            async for page in client.campaigns.pages(brand_id):
                print(len(page.data))
        """
        path = f"/brands/{path_id(brand_id, 'brand_id')}/campaigns"
        query = query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, CampaignState),
            page_size=page_size,
        )
        return self._walk(typed_pages(Campaign), path, query, resume_from)

    def list(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Campaign, None]:
        """
        Yield every campaign of a brand.

        Example::

            async for campaign in client.campaigns.list(brand_id, state="active"):
                print(campaign.name)
        """
        return self.items(
            self.pages(
                brand_id, name=name, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    async def list_all(
        self,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
    ) -> AsyncGenerator[Campaign, None]:
        """
        Yield every campaign of every brand of the project.

        Example::

            ids = [campaign.id async for campaign in client.campaigns.list_all()]
        """
        # Checked before the first request, not at the first brand's campaigns.
        query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, CampaignState),
            page_size=page_size,
        )
        brands = self._brands.list(page_size=page_size)
        async with contextlib.aclosing(brands):  # closing list_all closes both walks now
            async for brand in brands:
                campaigns = self.list(brand.id, name=name, state=state, page_size=page_size)
                async with contextlib.aclosing(campaigns):
                    async for campaign in campaigns:
                        yield campaign
