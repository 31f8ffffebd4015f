"""
`RecordStore`: the records the fake serves, looked up and listed (`FakeData` changes them).

Orders and number assignments are derived on demand from ``(seed, campaign,
index)`` (`_records`), so a million orders cost a few bytes each; their ids
encode campaign and index reversibly (`_ids`), so a lookup needs no index.
Every dict returned is an OpenAPI schema (`_wire`); a list route's result is
a `Listing`, paged with this data's own page tokens (`_paging`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from typing import Self

from ._ids import Ids
from ._lifecycle import Progress, StateChange
from ._paging import Listing, PageTokens
from ._records import (
    NUMBER_STATES,
    ORDER_STATES,
    BrandRecord,
    CampaignRecord,
    CreatedBrand,
    CreatedOrder,
    draw_records,
)
from ._wire import (
    Wire,
    brand_wire,
    campaign_wire,
    created_brand_wire,
    created_order_wire,
    number_wire,
    order_wire,
)

__all__ = ["RecordStore"]


class RecordStore(PageTokens):
    """
    The records of `FakeData` (its reading half): seeded ones, and those created since.

    Example::

        store = RecordStore(seed=1, brands=2)
        brand_id = store.brands[0]["id"]
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        brands: int = 3,
        campaigns_per_brand: int = 4,
        orders_per_campaign: int | tuple[int, int] = 120,
        numbers_per_campaign: int | tuple[int, int] = 10,
    ) -> None:
        rng = random.Random(seed)
        super().__init__(rng.randbytes(16))  # the key of this data's page tokens
        self.seed = seed
        self._created_rng = random.Random(rng.getrandbits(64))
        records = draw_records(
            rng,
            brands=brands,
            campaigns_per_brand=campaigns_per_brand,
            orders_per_campaign=orders_per_campaign,
            numbers_per_campaign=numbers_per_campaign,
        )
        self._order_ids = records.order_ids
        self._number_ids = records.number_ids
        self._brands: list[BrandRecord | CreatedBrand] = [*records.brands]
        self._campaigns = records.campaigns
        self._created: dict[str, CreatedOrder] = {}
        # Created objects not in their final state yet, by id: what time still moves.
        self._moving: dict[str, tuple[CreatedBrand | CampaignRecord | CreatedOrder, Progress]] = {}
        self._observers: list[Callable[[StateChange], None]] = []
        self._revision = 0
        self._brand_by_id = {brand.id: brand for brand in self._brands}
        self._campaign_by_id = {campaign.id: campaign for campaign in self._campaigns}

    @classmethod
    def generate(
        cls,
        seed: int = 0,
        brands: int = 3,
        campaigns_per_brand: int = 4,
        orders_per_campaign: int | tuple[int, int] = 120,
        numbers_per_campaign: int | tuple[int, int] = 10,
    ) -> Self:
        """
        Generate the records for a seed and sizes (same as calling the class).

        Example::

            data = FakeData.generate(seed=0, brands=1000, campaigns_per_brand=1)
        """
        return cls(
            seed=seed,
            brands=brands,
            campaigns_per_brand=campaigns_per_brand,
            orders_per_campaign=orders_per_campaign,
            numbers_per_campaign=numbers_per_campaign,
        )

    @property
    def revision(self) -> int:
        """
        How many changes the records have had: each creation, update, move of a state, deletion.

        Anything rendered from the records stays valid while this is unchanged:
        the fake server caches rendered pages under it.

        Example::

            before = data.revision
            data.create_order(campaign_id, ["+15558675309"])
            assert data.revision == before + 1
        """
        return self._revision

    def __repr__(self) -> str:
        return (
            f"FakeData(seed={self.seed}, brands={len(self._brands)}, "
            f"campaigns={len(self._campaigns)}, orders={self.count_orders()})"
        )

    # -- lookups ----------------------------------------------------------------------------

    @property
    def brands(self) -> list[Wire]:
        """
        Every brand, as the API returns it, in listing order.

        Example::

            brand_id = data.brands[0]["id"]
        """
        return [_brand_wire(brand) for brand in self._brands]

    def brand(self, brand_id: str) -> Wire:
        """
        Return one brand; raise `KeyError` for an unknown id.

        Example::

            assert data.brand(brand_id)["id"] == brand_id
        """
        return _brand_wire(self._brand_by_id[brand_id.lower()])

    def campaign(self, campaign_id: str) -> Wire:
        """
        Return one campaign; raise `KeyError` for an unknown id.

        Example::

            assert data.campaign(campaign_id)["id"] == campaign_id
        """
        return campaign_wire(self._campaign_by_id[campaign_id.lower()])

    def campaigns_of(self, brand_id: str) -> list[Wire]:
        """
        Return every campaign of a brand; raise `KeyError` for an unknown brand.

        Example::

            names = [c["name"] for c in data.campaigns_of(brand_id)]
        """
        listing = self.list_campaigns(brand_id)
        return listing.slice(0, len(listing))

    def campaign_ids(self) -> list[str]:
        """
        Return the id of every campaign of every brand, in order.

        Example::

            assert len(data.campaign_ids()) == 12  # 3 brands x 4 campaigns
        """
        return [campaign.id for campaign in self._campaigns]

    def brand_of(self, campaign_id: str) -> str:
        """
        Return the id of a campaign's brand; raise `KeyError` for an unknown campaign.

        Example::

            assert campaign_id in data.campaign_ids_of(data.brand_of(campaign_id))
        """
        return self._brands[self._campaign_by_id[campaign_id.lower()].brand].id

    def campaign_ids_of(self, brand_id: str) -> list[str]:
        """
        Return the ids of a brand's campaigns; raise `KeyError` for an unknown brand.

        Example::

            ids = data.campaign_ids_of(data.brands[0]["id"])
        """
        brand = self._brand_by_id[brand_id.lower()]
        return [self._campaigns[c].id for c in brand.campaigns]

    def orders_of(self, campaign_id: str, state: str | None = None) -> list[Wire]:
        """
        Return every order of a campaign as list_orders returns them across all pages.

        Example::

            failed = data.orders_of(campaign_id, state="failed")
        """
        listing = self.list_orders(campaign_id, state)
        return listing.slice(0, len(listing))

    def numbers_of(self, campaign_id: str, state: str | None = None) -> list[Wire]:
        """
        Return every number assignment of a campaign, as list_number_assignments does.

        Example::

            numbers = data.numbers_of(campaign_id, state="completed")
        """
        listing = self.list_numbers(campaign_id, state)
        return listing.slice(0, len(listing))

    def count_orders(self, campaign_id: str | None = None, state: str | None = None) -> int:
        """
        Count the orders of one campaign, or of all; cheap even for a million orders.

        Example::

            assert data.count_orders() == 12 * 120
        """
        ids = self.campaign_ids() if campaign_id is None else [campaign_id]
        return sum(len(self.list_orders(c, state)) for c in ids)

    def order(self, order_id: str) -> Wire:
        """
        Return one order (seeded or created); raise `KeyError` for an unknown id.

        Example::

            order = data.order(data.orders_of(campaign_id)[0]["id"])
        """
        order_id = order_id.lower()
        created = self._created.get(order_id)
        if created is not None:
            return created_order_wire(created)
        campaign, index = self._locate(self._order_ids, order_id, "order_count")
        return order_wire(campaign, index)

    def _locate(self, ids: Ids, item_id: str, count: str) -> tuple[CampaignRecord, int]:
        found = ids.locate(item_id)
        if found is None or not 0 <= found[1] < getattr(self._campaigns[found[0]], count):
            raise KeyError(item_id)
        return self._campaigns[found[0]], found[1]

    # -- listings (one per list route) ------------------------------------------------------

    def list_brands(self, name: str | None = None, state: str | None = None) -> Listing:
        """
        List brands whose name contains ``name`` (any case) and whose state is ``state``.

        Example::

            listing = data.list_brands(name="acme")
        """
        picked = [b.index for b in self._brands if _matches(b.name, b.state, name, state)]
        return Listing(picked, lambda i: _brand_wire(self._brands[i]))

    def list_campaigns(
        self, brand_id: str, name: str | None = None, state: str | None = None
    ) -> Listing:
        """
        List a brand's campaigns by name substring and state; `KeyError` for an unknown brand.

        Example::

            listing = data.list_campaigns(brand_id, state="active")
        """
        brand = self._brand_by_id[brand_id.lower()]
        picked = [
            c
            for c in brand.campaigns
            if _matches(self._campaigns[c].name, self._campaigns[c].state, name, state)
        ]
        return Listing(picked, lambda i: campaign_wire(self._campaigns[i]))

    def list_orders(self, campaign_id: str, state: str | None = None) -> Listing:
        """
        List a campaign's orders, oldest first, created ones last; `KeyError` if unknown.

        Example::

            listing = data.list_orders(campaign_id, state="pending")
        """
        campaign = self._campaign_by_id[campaign_id.lower()]
        code = _state_code(ORDER_STATES, state)
        indices = campaign.indices("orders", campaign.order_states(), code) if code != -1 else ()
        created = [
            created_order_wire(o) for o in campaign.created_orders if state in {None, o.state}
        ]
        return Listing(indices, functools.partial(order_wire, campaign), created)

    def list_numbers(self, campaign_id: str, state: str | None = None) -> Listing:
        """
        List a campaign's number assignments (deleted ones excluded); `KeyError` if unknown.

        Example::

            listing = data.list_numbers(campaign_id)
        """
        campaign = self._campaign_by_id[campaign_id.lower()]
        code = _state_code(NUMBER_STATES, state)
        indices = campaign.indices("numbers", campaign.number_states(), code) if code != -1 else ()
        if campaign.deleted_numbers:
            indices = [i for i in indices if i not in campaign.deleted_numbers]
        return Listing(indices, functools.partial(number_wire, campaign))


def _state_code(states: Sequence[str], state: str | None) -> int | None:
    # None: no filter; -1: a state no record has (the listing is empty).
    if state is None:
        return None
    return states.index(state) if state in states else -1


def _matches(name: str, state: str, want_name: str | None, want_state: str | None) -> bool:
    if want_state is not None and state != want_state:
        return False
    return want_name is None or want_name.casefold() in name.casefold()


def _brand_wire(brand: BrandRecord | CreatedBrand) -> Wire:
    return brand_wire(brand) if isinstance(brand, BrandRecord) else created_brand_wire(brand)
