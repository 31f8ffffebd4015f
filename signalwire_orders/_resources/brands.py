"""
Registered 10DLC brands: ``client.brands`` (get, list, pages, create).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from signalwire_orders._models import Brand, BrandState, BrandStateValue, Page
from signalwire_orders._protocol import path_id, query_string, state_filter, text_filter

from .base import Resource, typed_pages

__all__ = ["Brands"]


class Brands(Resource):
    """
    Registered 10DLC brands: ``client.brands``.

    Example::

        async for brand in client.brands.list():
            print(brand.name)
    """

    __slots__ = ()

    async def get(self, brand_id: UUID | str) -> Brand:
        """
        Fetch one brand.

        Example::

            brand = await client.brands.get(brand_id)
        """
        return await self._get(Brand, f"/brands/{path_id(brand_id, 'brand_id')}")

    def pages(
        self,
        *,
        name: str | None = None,
        state: BrandState | BrandStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[Brand], None]:
        """
        Yield each page of the project's brands.

        Example::

            async for page in client.brands.pages(state="completed"):
                print(len(page.data))
        """
        query = query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, BrandState),
            page_size=page_size,
        )
        return self._walk(typed_pages(Brand), "/brands", query, resume_from)

    def list(
        self,
        *,
        name: str | None = None,
        state: BrandState | BrandStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Brand, None]:
        """
        Yield every brand of the project.

        Example::

            names = [brand.name async for brand in client.brands.list(name="Acme")]
        """
        return self.items(
            self.pages(name=name, state=state, page_size=page_size, resume_from=resume_from)
        )
