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
from signalwire_orders._protocol import path_id, query_string, state_filter, text_filter

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
            resume_from: A ``resume_from`` link from an earlier error.

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
