"""
Registered 10DLC brands: ``client.brands`` (get, list, pages, create).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from signalwire_orders._models import Brand, BrandState, BrandStateValue, Page
from signalwire_orders._protocol import path_id, query_string, state_filter, text_filter
from signalwire_orders._requests import CspBrandRequest, ManagedBrandRequest, request_body

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

    async def create(self, request: ManagedBrandRequest | CspBrandRequest) -> Brand:
        """
        Register a brand: `ManagedBrandRequest`, or your own with `CspBrandRequest`.

        A `ManagedBrandRequest` has SignalWire register the brand with TCR; a
        `CspBrandRequest` imports one you registered yourself. The request was
        checked when it was built, so bad input never reaches the API. Like
        ``orders.create``, this is retried only when it cannot have been
        processed (429, or the connection was refused before sending), never
        on a 5xx: a brand is never registered twice by accident.

        Raises:
            TypeError: ``request`` is not one of the two brand requests.
            UnprocessableEntityError: The API rejected the request; ``items``
                say which field and why.
            OutcomeUnknownError: The request was sent but its answer was lost:
                look the brand up (``brands.list(name=...)``) before sending again.

        Example::

            brand = await client.brands.create(
                ManagedBrandRequest(
                    name="Acme Dental",
                    company_name="Acme Dental LLC",
                    contact_email="ops@acme.example",
                    contact_phone="+15558675309",
                    ein_issuing_country="US",
                    legal_entity_type="PRIVATE_PROFIT",
                    ein="12-3456789",
                    company_address="1 Main St, Springfield, IL 62701",
                    company_vertical="HEALTHCARE",
                    company_website="www.acme.example",
                )
            )
        """
        if not isinstance(request, ManagedBrandRequest | CspBrandRequest):
            msg = (
                "brands.create takes a ManagedBrandRequest or a CspBrandRequest, "
                f"not {type(request).__name__}"
            )
            raise TypeError(msg)
        return await self._send(Brand, "POST", self._root + "/brands", request_body(request))

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

        Filters, ``page_size``, ``resume_from`` and errors as for ``orders.pages()``.

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
