"""
The compact records behind `FakeData`, and how they are drawn from a seed.

A brand or campaign is a few fields; a campaign's orders and number
assignments are not stored at all but derived from ``(seed, index)``, their
states drawn lazily, a byte each, the first time they are listed. Brands and
orders created through the API are kept whole (`CreatedBrand`, `CreatedOrder`);
a created campaign is a `CampaignRecord` with no seeded orders or numbers and
the fields it was given. Each created object carries its `Progress`.
"""

from __future__ import annotations

import array
import random
from collections.abc import Sequence
from typing import Any

import attrs

from ._ids import Ids, IdSpace, random_uuid
from ._lifecycle import Progress

__all__ = [
    "AREA_CODES",
    "NUMBER_STATES",
    "ORDER_STATES",
    "BrandRecord",
    "CampaignRecord",
    "CreatedBrand",
    "CreatedOrder",
    "draw_records",
]

ORDER_STATES = ("pending", "processing", "processed", "failed")
NUMBER_STATES = ("pending", "completed", "failed")
BRAND_STATES = ("completed", "pending", "unverified")
CAMPAIGN_STATES = ("active", "pending", "inactive")
AREA_CODES = (212, 312, 415, 512, 617, 702, 808, 919)
_BASE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Wonka", "Stark")
_VERTICALS = ("HEALTHCARE", "RETAIL", "FINANCIAL", "TECHNOLOGY", "EDUCATION", "HOSPITALITY")
_ENTITY_TYPES = ("PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT")
_TOPICS = ("Alerts", "Reminders", "Promotions", "Support", "Updates", "Surveys")
_USE_CASES = ("ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "MARKETING", "MIXED", "2FA")


def _state_table(weights: Sequence[int]) -> bytes:
    # Maps a random byte to a state code with the given weights (out of 256).
    return bytes(code for code, weight in enumerate(weights) for _ in range(weight))


_ORDER_TABLE = _state_table((40, 30, 150, 36))  # pending, processing, processed, failed
_NUMBER_TABLE = _state_table((50, 180, 26))  # pending, completed, failed


@attrs.define
class BrandRecord:
    """
    One seeded brand: what its ``Brand`` wire dict is rendered from.

    Example::

        brand = draw_records(random.Random(0), brands=1).brands[0]
    """

    index: int
    id: str
    name: str
    company: str
    state: str
    created: int
    vertical: str
    entity_type: str
    ein: str
    phone: str
    callback: bool
    campaigns: list[int] = attrs.Factory(list)


@attrs.define
class CreatedBrand:
    """
    A brand created through the API: the fields it was given, kept whole.

    Example::

        brand = CreatedBrand(7, brand_id, "Acme", "pending", now, now, {"ein": "12-3456789"})
    """

    index: int
    id: str
    name: str
    state: str
    created: int
    updated: int
    fields: dict[str, Any]
    progress: Progress = attrs.Factory(lambda: Progress("completed"))
    campaigns: list[int] = attrs.Factory(list)


@attrs.define
class CreatedOrder:
    """
    An order created through the API, kept whole since polling changes it.

    Example::

        order = CreatedOrder(order_id, campaign.index, "pending", now, now, None, None)
    """

    id: str
    campaign: int
    state: str
    created: int
    updated: int
    processed: int | None
    status_callback_url: str | None
    progress: Progress = attrs.Factory(lambda: Progress("processed", middle="processing"))


@attrs.define
class CampaignRecord:
    """
    One campaign, with the id spaces and seed its seeded orders and numbers derive from.

    A campaign created through the API has none of those (both counts are 0),
    its given ``fields`` and its ``progress``; ``updated`` is set once a
    campaign is changed (``None``: the seeded time).

    Example::

        campaign = draw_records(random.Random(0), brands=1).campaigns[0]
        states = campaign.order_states()  # one state code (ORDER_STATES index) per order
    """

    index: int
    id: str
    brand: int
    name: str
    state: str
    created: int
    use_case: str
    callback: bool
    order_count: int
    orders: IdSpace
    number_count: int
    numbers: IdSpace
    phones: IdSpace
    seed: int
    created_orders: list[CreatedOrder] = attrs.Factory(list)
    deleted_numbers: set[int] = attrs.Factory(set)
    updated: int | None = None
    fields: dict[str, Any] | None = None
    progress: Progress | None = None
    _order_states: bytes | None = None
    _number_states: bytes | None = None
    _filtered: dict[tuple[str, int], Sequence[int]] = attrs.Factory(dict)

    def order_states(self) -> bytes:
        """
        Return the state code of each seeded order, drawn on first use.

        Example::

            state = ORDER_STATES[campaign.order_states()[index]]
        """
        if self._order_states is None:
            raw = random.Random(self.seed).randbytes(self.order_count)
            self._order_states = raw.translate(_ORDER_TABLE)
        return self._order_states

    def number_states(self) -> bytes:
        """
        Return the state code of each seeded number assignment, drawn on first use.

        Example::

            state = NUMBER_STATES[campaign.number_states()[index]]
        """
        if self._number_states is None:
            raw = random.Random(self.seed + 1).randbytes(self.number_count)
            self._number_states = raw.translate(_NUMBER_TABLE)
        return self._number_states

    def indices(self, kind: str, states: bytes, code: int | None) -> Sequence[int]:
        """
        Return the indices whose state is ``code`` (all for ``None``), cached per ``kind``.

        Example::

            pending = campaign.indices("orders", campaign.order_states(), 0)
        """
        if code is None:
            return range(len(states))
        key = (kind, code)
        if key not in self._filtered:
            matching = (i for i, state in enumerate(states) if state == code)
            self._filtered[key] = array.array("I", matching)
        return self._filtered[key]


@attrs.frozen
class SeededRecords:
    """
    Every seeded brand and campaign, and the id spaces of their orders and numbers.

    Example::

        records = draw_records(random.Random(0), brands=2)
        assert len(records.campaigns) == 8
    """

    brands: list[BrandRecord]
    campaigns: list[CampaignRecord]
    order_ids: Ids
    number_ids: Ids


def draw_records(
    rng: random.Random,
    *,
    brands: int = 3,
    campaigns_per_brand: int = 4,
    orders_per_campaign: int | tuple[int, int] = 120,
    numbers_per_campaign: int | tuple[int, int] = 10,
) -> SeededRecords:
    """
    Draw the brands and campaigns from ``rng``, in an order that never changes.

    Raises:
        ValueError: A count is negative or a ``(min, max)`` range is reversed.

    Example::

        records = draw_records(random.Random(seed), brands=1, orders_per_campaign=(50, 150))
    """
    records = SeededRecords([], [], Ids(), Ids())
    for b in range(brands):
        records.brands.append(_new_brand(rng, b))
        for _ in range(campaigns_per_brand):
            campaign = _new_campaign(rng, records, b, orders_per_campaign, numbers_per_campaign)
            records.brands[b].campaigns.append(campaign.index)
            records.campaigns.append(campaign)
    return records


def _new_brand(rng: random.Random, index: int) -> BrandRecord:
    company = _COMPANIES[index % len(_COMPANIES)]
    vertical = rng.choice(_VERTICALS)
    return BrandRecord(
        index=index,
        id=random_uuid(rng),
        name=f"{company} {vertical.title()}",
        company=company,
        state="completed" if index == 0 else rng.choices(BRAND_STATES, (6, 3, 1))[0],
        created=_BASE_EPOCH + index * 86400 + rng.randrange(86400),
        vertical=vertical,
        entity_type=rng.choice(_ENTITY_TYPES),
        ein=f"{rng.randrange(10, 99)}-{rng.randrange(10**6, 10**7)}",
        phone=f"+1{rng.choice(AREA_CODES)}555{rng.randrange(10**4):04d}",
        callback=rng.random() < 0.5,
    )


def _new_campaign(
    rng: random.Random,
    records: SeededRecords,
    brand: int,
    orders: int | tuple[int, int],
    numbers: int | tuple[int, int],
) -> CampaignRecord:
    index = len(records.campaigns)
    owner = records.brands[brand]
    return CampaignRecord(
        index=index,
        id=random_uuid(rng),
        brand=brand,
        name=f"{owner.company} {rng.choice(_TOPICS)} {index + 1}",
        state="active" if not owner.campaigns else rng.choices(CAMPAIGN_STATES, (6, 3, 1))[0],
        created=owner.created + 86400 + rng.randrange(86400 * 30),
        use_case=rng.choice(_USE_CASES),
        callback=rng.random() < 0.5,
        order_count=_draw_count(rng, orders),
        orders=records.order_ids.allocate(rng, index),
        number_count=_draw_count(rng, numbers),
        numbers=records.number_ids.allocate(rng, index),
        phones=IdSpace.draw(rng, index),
        seed=rng.getrandbits(64),
    )


def _draw_count(rng: random.Random, count: int | tuple[int, int]) -> int:
    low, high = (count, count) if isinstance(count, int) else count
    if not 0 <= low <= high:
        msg = f"a count must be an int >= 0 or a (min, max) tuple, got {count!r}"
        raise ValueError(msg)
    return rng.randint(low, high)
