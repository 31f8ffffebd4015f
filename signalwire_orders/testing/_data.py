"""
Seeded Campaign Registry records, generated lazily, and the paging over them.

Brands and campaigns are kept as compact records; orders and number
assignments are derived on demand from ``(seed, campaign, index)`` so that a
million orders cost a few bytes each. Order and number ids encode their
campaign and index reversibly, so looking one up needs no index. Every dict
returned is shaped exactly like the OpenAPI schemas (``Brand``, ``Campaign``,
``AssignedNumber``, ``Order``), and nothing more.
"""

from __future__ import annotations

import array
import base64
import functools
import hashlib
import hmac
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

__all__ = ["ORDER_STATES", "FakeData", "Listing", "PagingError", "rfc3339"]

Wire = dict[str, Any]

ORDER_STATES = ("pending", "processing", "processed", "failed")
NUMBER_STATES = ("pending", "completed", "failed")
BRAND_STATES = ("completed", "pending", "unverified")
CAMPAIGN_STATES = ("active", "pending", "inactive")
_BASE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
_CALLBACK_URL = "https://example.com/handle_callback"
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Wonka", "Stark")
_VERTICALS = ("HEALTHCARE", "RETAIL", "FINANCIAL", "TECHNOLOGY", "EDUCATION", "HOSPITALITY")
_ENTITY_TYPES = ("PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT")
_TOPICS = ("Alerts", "Reminders", "Promotions", "Support", "Updates", "Surveys")
_USE_CASES = ("ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "MARKETING", "MIXED", "2FA")
_AREA_CODES = (212, 312, 415, 512, 617, 702, 808, 919)
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# Bit layout of a version-4 UUID as an int: version nibble at bits 76-79, variant at 62-63.
_MASK62 = (1 << 62) - 1
_MASK64 = (1 << 64) - 1
_HIGH_MASK = _MASK64 & ~(0xF << 12)
_VERSION_BITS = 4 << 12
_VARIANT_BIT = 1 << 63
_MUL = 0x2545F4914F6CDD1D & _MASK62
_MUL_INV = pow(_MUL, -1, 1 << 62)


def _state_table(weights: Sequence[int]) -> bytes:
    # Maps a random byte to a state code with the given weights (out of 256).
    return bytes(code for code, weight in enumerate(weights) for _ in range(weight))


_ORDER_TABLE = _state_table((40, 30, 150, 36))  # pending, processing, processed, failed
_NUMBER_TABLE = _state_table((50, 180, 26))  # pending, completed, failed


class PagingError(ValueError):
    """
    A page request the API would answer with 422; ``code`` and ``detail`` go in the body.

    Example::

        PagingError("invalid_page_size", "page_size must be an integer from 1 to 1000")
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@functools.cache
def _day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


def rfc3339(epoch: int) -> str:
    """
    Format whole seconds since the epoch as an RFC 3339 UTC time such as ``2024-01-15T09:30:00Z``.

    Example::

        assert rfc3339(1705311000) == "2024-01-15T09:30:00Z"
    """
    day, seconds = divmod(epoch, 86400)
    hours, rest = divmod(seconds, 3600)
    return f"{_day(day)}{_HOURS[hours]}{_MINUTES_SECONDS[rest]}"


# Formatting a page of 1000 orders is the fake's hot path: look the clock parts up.
_HOURS = tuple(f"T{hours:02d}:" for hours in range(24))
_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}Z" for m in range(60) for s in range(60))


def _uuid(value: int) -> str:
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _random_uuid(rng: random.Random) -> str:
    value = (rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62)) | (4 << 76) | _VARIANT_BIT
    return _uuid(value)


def _mix(index: int, key: int) -> int:
    # A bijection on 62 bits, so _unmix can recover the index from an id.
    value = ((index ^ key) * _MUL) & _MASK62
    value ^= value >> 31
    return (value * _MUL) & _MASK62


def _unmix(low: int, key: int) -> int:
    value = (low * _MUL_INV) & _MASK62
    value ^= value >> 31
    return ((value * _MUL_INV) & _MASK62) ^ key


def _spread(low: int) -> int:
    return ((low * 0x9E3779B97F4A7C15) & _MASK64) ^ (low >> 17)


def _draw_count(rng: random.Random, count: int | tuple[int, int]) -> int:
    low, high = (count, count) if isinstance(count, int) else count
    if not 0 <= low <= high:
        msg = f"a count must be an int >= 0 or a (min, max) tuple, got {count!r}"
        raise ValueError(msg)
    return rng.randint(low, high)


@attrs.define
class _IdSpace:
    """One owner's (a campaign's) slice of ids: index <-> UUID, reversibly."""

    owner: int
    prefix: int
    key: int

    def id_of(self, low: int) -> str:
        high = ((self.prefix ^ _spread(low)) & _HIGH_MASK) | _VERSION_BITS
        return _uuid((high << 64) | _VARIANT_BIT | low)


class _Ids:
    """Allocates id spaces and finds the owner and index of an id."""

    def __init__(self) -> None:
        self._spaces: dict[int, _IdSpace] = {}

    def allocate(self, rng: random.Random, owner: int) -> _IdSpace:
        prefix = rng.getrandbits(64) & _HIGH_MASK
        while prefix in self._spaces:
            prefix = rng.getrandbits(64) & _HIGH_MASK
        space = _IdSpace(owner, prefix, rng.getrandbits(62))
        self._spaces[prefix] = space
        return space

    def locate(self, uuid: str) -> tuple[int, int] | None:
        value = int(uuid.replace("-", ""), 16)
        low = value & _MASK62
        space = self._spaces.get(((value >> 64) ^ _spread(low)) & _HIGH_MASK)
        return None if space is None else (space.owner, _unmix(low, space.key))


@attrs.define
class _Brand:
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
class _CreatedOrder:
    id: str
    state: str
    created: int
    updated: int
    processed: int | None
    status_callback_url: str | None
    final_state: str
    polls: int = 0

    def wire(self) -> Wire:
        order: Wire = {"id": self.id, "state": self.state}
        if self.processed is not None:
            order["processed_at"] = rfc3339(self.processed)
        order["created_at"] = rfc3339(self.created)
        order["updated_at"] = rfc3339(self.updated)
        if self.status_callback_url is not None:
            order["status_callback_url"] = self.status_callback_url
        return order


@attrs.define
class _Campaign:
    index: int
    id: str
    brand: int
    name: str
    state: str
    created: int
    use_case: str
    callback: bool
    order_count: int
    orders: _IdSpace
    number_count: int
    numbers: _IdSpace
    phones: _IdSpace
    seed: int
    created_orders: list[_CreatedOrder] = attrs.Factory(list)
    deleted_numbers: set[int] = attrs.Factory(set)
    _order_states: bytes | None = None
    _number_states: bytes | None = None
    _filtered: dict[tuple[str, int], Sequence[int]] = attrs.Factory(dict)

    def order_states(self) -> bytes:
        if self._order_states is None:
            raw = random.Random(self.seed).randbytes(self.order_count)
            self._order_states = raw.translate(_ORDER_TABLE)
        return self._order_states

    def number_states(self) -> bytes:
        if self._number_states is None:
            raw = random.Random(self.seed + 1).randbytes(self.number_count)
            self._number_states = raw.translate(_NUMBER_TABLE)
        return self._number_states

    def indices(self, kind: str, states: bytes, code: int | None) -> Sequence[int]:
        if code is None:
            return range(len(states))
        key = (kind, code)
        if key not in self._filtered:
            matching = (i for i, state in enumerate(states) if state == code)
            self._filtered[key] = array.array("I", matching)
        return self._filtered[key]


@attrs.frozen
class Listing:
    """
    The whole result of a list route, rendered one slice (page) at a time.

    Example::

        listing = data.list_orders(campaign_id, state="pending")
        first_page = listing.slice(0, 50)
    """

    indices: Sequence[int]
    render: Callable[[int], Wire]
    extra: Sequence[Wire] = ()

    def __len__(self) -> int:
        return len(self.indices) + len(self.extra)

    def slice(self, start: int, stop: int) -> list[Wire]:
        """
        Return the items from ``start`` up to ``stop`` as wire dicts.

        Example::

            assert len(listing.slice(0, 10)) <= 10
        """
        seeded = len(self.indices)
        items = [self.render(i) for i in self.indices[start:stop]]
        if stop > seeded:
            items.extend(self.extra[max(start - seeded, 0) : stop - seeded])
        return items


class FakeData:
    """
    Deterministic Campaign Registry records: brands, campaigns, number assignments, orders.

    The same arguments always give the same records (ids, states, times).
    Orders and number assignments are derived on demand, so a million orders
    build in milliseconds and use about a byte each once listed.

    Args:
        seed: Seed of every random choice.
        brands: How many brands.
        campaigns_per_brand: Campaigns of each brand.
        orders_per_campaign: Orders of each campaign, or a ``(min, max)`` range.
        numbers_per_campaign: Number assignments of each campaign, or a range.

    Example::

        data = FakeData.generate(seed=1, brands=2, orders_per_campaign=(50, 150))
        campaign_id = data.campaign_ids()[0]
        pending = data.orders_of(campaign_id, state="pending")
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
        self.seed = seed
        self._token_key = rng.randbytes(16)
        self._created_rng = random.Random(rng.getrandbits(64))
        self._order_ids = _Ids()
        self._number_ids = _Ids()
        self._brands: list[_Brand] = []
        self._campaigns: list[_Campaign] = []
        self._created: dict[str, _CreatedOrder] = {}
        self._revision = 0
        for b in range(brands):
            self._brands.append(self._new_brand(rng, b))
            for _ in range(campaigns_per_brand):
                campaign = self._new_campaign(rng, b, orders_per_campaign, numbers_per_campaign)
                self._brands[b].campaigns.append(campaign.index)
                self._campaigns.append(campaign)
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
    ) -> FakeData:
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
        How many changes the records have had (orders created or advanced, numbers deleted).

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

    def _new_brand(self, rng: random.Random, index: int) -> _Brand:
        company = _COMPANIES[index % len(_COMPANIES)]
        vertical = rng.choice(_VERTICALS)
        return _Brand(
            index=index,
            id=_random_uuid(rng),
            name=f"{company} {vertical.title()}",
            company=company,
            state="completed" if index == 0 else rng.choices(BRAND_STATES, (6, 3, 1))[0],
            created=_BASE_EPOCH + index * 86400 + rng.randrange(86400),
            vertical=vertical,
            entity_type=rng.choice(_ENTITY_TYPES),
            ein=f"{rng.randrange(10, 99)}-{rng.randrange(10**6, 10**7)}",
            phone=f"+1{rng.choice(_AREA_CODES)}555{rng.randrange(10**4):04d}",
            callback=rng.random() < 0.5,
        )

    def _new_campaign(
        self,
        rng: random.Random,
        brand: int,
        orders: int | tuple[int, int],
        numbers: int | tuple[int, int],
    ) -> _Campaign:
        index = len(self._campaigns)
        first = not self._brands[brand].campaigns
        return _Campaign(
            index=index,
            id=_random_uuid(rng),
            brand=brand,
            name=f"{self._brands[brand].company} {rng.choice(_TOPICS)} {index + 1}",
            state="active" if first else rng.choices(CAMPAIGN_STATES, (6, 3, 1))[0],
            created=self._brands[brand].created + 86400 + rng.randrange(86400 * 30),
            use_case=rng.choice(_USE_CASES),
            callback=rng.random() < 0.5,
            order_count=_draw_count(rng, orders),
            orders=self._order_ids.allocate(rng, index),
            number_count=_draw_count(rng, numbers),
            numbers=self._number_ids.allocate(rng, index),
            phones=_IdSpace(index, rng.getrandbits(64) & _HIGH_MASK, rng.getrandbits(62)),
            seed=rng.getrandbits(64),
        )

    # -- wire rendering (OpenAPI components/schemas) ----------------------------------------

    def _brand_wire(self, brand: _Brand) -> Wire:
        domain = f"{brand.company.lower()}.example.com"
        wire: Wire = {
            "id": brand.id,
            "state": brand.state,
            "name": brand.name,
            "company_name": f"{brand.name} LLC",
            "contact_email": f"info@{domain}",
            "contact_phone": brand.phone,
            "ein_issuing_country": "United States",
            "legal_entity_type": brand.entity_type,
            "ein": brand.ein,
            "company_address": f"{100 + brand.index} Main St, Hill Valley CA, 91905",
            "company_vertical": brand.vertical,
            "company_website": f"https://www.{domain}",
            "csp_self_registered": False,
        }
        if brand.callback:
            wire["status_callback_url"] = _CALLBACK_URL
        wire["created_at"] = rfc3339(brand.created)
        wire["updated_at"] = rfc3339(brand.created + 3600)
        return wire

    def _campaign_wire(self, campaign: _Campaign) -> Wire:
        wire: Wire = {
            "id": campaign.id,
            "name": campaign.name,
            "state": campaign.state,
            "sms_use_case": campaign.use_case,
        }
        if campaign.use_case == "MIXED":
            wire["sub_use_cases"] = ["CUSTOMER_CARE", "ACCOUNT_NOTIFICATION"]
        wire |= {
            "description": f"{campaign.name}: messages our customers asked to receive.",
            "sample1": "Your appointment is tomorrow at 10am. Reply STOP to opt out.",
            "sample2": "Your order has shipped and arrives Friday. Reply HELP for help.",
            "message_flow": "Customers opt in on a web form and receive a confirmation message.",
            "opt_in_message": "Thanks for subscribing. Reply STOP to cancel at any time.",
            "opt_out_message": "You have been opted out. Reply START to opt back in.",
            "help_message": "Reply STOP to opt out. Msg&data rates may apply.",
            "opt_in_keywords": "START",
            "opt_out_keywords": "STOP",
            "help_keywords": "HELP",
            "number_pooling_required": False,
            "direct_lending": False,
            "embedded_link": False,
            "embedded_phone": False,
            "age_gated_content": False,
            "lead_generation": False,
        }
        if campaign.callback:
            wire["status_callback_url"] = _CALLBACK_URL
        wire["created_at"] = rfc3339(campaign.created)
        wire["updated_at"] = rfc3339(campaign.created + 7200)
        return wire

    def _order_wire(self, campaign: _Campaign, index: int) -> Wire:
        low = _mix(index, campaign.orders.key)
        created = campaign.created + 600 * (index + 1) + low % 300
        state = ORDER_STATES[campaign.order_states()[index]]
        wire: Wire = {"id": campaign.orders.id_of(low), "state": state}
        if state == "processed":
            processed = created + 60 + (low >> 12) % 3540
            wire["processed_at"] = rfc3339(processed)
            updated = processed
        elif state == "pending":
            updated = created
        else:
            updated = created + 5 + (low >> 24) % 600
        wire["created_at"] = rfc3339(created)
        wire["updated_at"] = rfc3339(updated)
        if (low >> 10) & 3:
            wire["status_callback_url"] = _CALLBACK_URL
        return wire

    def _number_wire(self, campaign: _Campaign, index: int) -> Wire:
        low = _mix(index, campaign.numbers.key)
        created = campaign.created + 1800 * (index + 1) + low % 900
        phone: Wire = {
            "id": campaign.phones.id_of(_mix(index, campaign.phones.key)),
            "name": f"Line {index + 1}",
            "number": f"+1{_AREA_CODES[low % 8]}555{(low >> 3) % 10000:04d}",
        }
        if (low >> 20) & 1:
            phone["status_callback_url"] = _CALLBACK_URL
        return {
            "id": campaign.numbers.id_of(low),
            "state": NUMBER_STATES[campaign.number_states()[index]],
            "campaign_id": campaign.id,
            "phone_number": phone,
            "created_at": rfc3339(created),
            "updated_at": rfc3339(created + 120 + (low >> 24) % 3600),
        }

    # -- lookups ----------------------------------------------------------------------------

    @property
    def brands(self) -> list[Wire]:
        """
        Every brand, as the API returns it, in listing order.

        Example::

            brand_id = data.brands[0]["id"]
        """
        return [self._brand_wire(brand) for brand in self._brands]

    def brand(self, brand_id: str) -> Wire:
        """
        Return one brand; raise `KeyError` for an unknown id.

        Example::

            assert data.brand(brand_id)["id"] == brand_id
        """
        return self._brand_wire(self._brand_by_id[brand_id.lower()])

    def campaign(self, campaign_id: str) -> Wire:
        """
        Return one campaign; raise `KeyError` for an unknown id.

        Example::

            assert data.campaign(campaign_id)["id"] == campaign_id
        """
        return self._campaign_wire(self._campaign_by_id[campaign_id.lower()])

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
            return created.wire()
        campaign, index = self._locate(self._order_ids, order_id, "order_count")
        return self._order_wire(campaign, index)

    def _locate(self, ids: _Ids, item_id: str, count: str) -> tuple[_Campaign, int]:
        found = ids.locate(item_id) if _UUID_RE.match(item_id) else None
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
        return Listing(picked, lambda i: self._brand_wire(self._brands[i]))

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
        return Listing(picked, lambda i: self._campaign_wire(self._campaigns[i]))

    def list_orders(self, campaign_id: str, state: str | None = None) -> Listing:
        """
        List a campaign's orders, oldest first, created ones last; `KeyError` if unknown.

        Example::

            listing = data.list_orders(campaign_id, state="pending")
        """
        campaign = self._campaign_by_id[campaign_id.lower()]
        code = _state_code(ORDER_STATES, state)
        indices = campaign.indices("orders", campaign.order_states(), code) if code != -1 else ()
        created = [o.wire() for o in campaign.created_orders if state in {None, o.state}]
        return Listing(indices, functools.partial(self._order_wire, campaign), created)

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
        return Listing(indices, functools.partial(self._number_wire, campaign))

    # -- changes ----------------------------------------------------------------------------

    def create_order(
        self,
        campaign_id: str,
        phone_numbers: Iterable[str],
        status_callback_url: str | None = None,
        *,
        final_state: str = "processed",
    ) -> Wire:
        """
        Create a pending order in a campaign and return it; `KeyError` for an unknown campaign.

        Args:
            campaign_id: The campaign's id.
            phone_numbers: The E.164 numbers to assign (not kept: orders do not show them).
            status_callback_url: Shown on the order if given.
            final_state: The state polling ends in, ``"processed"`` or ``"failed"``.

        Example::

            order = data.create_order(campaign_id, ["+15558675309"], final_state="failed")
        """
        del phone_numbers  # the Order schema does not include them
        campaign = self._campaign_by_id[campaign_id.lower()]
        now = int(time.time())
        order = _CreatedOrder(
            id=_random_uuid(self._created_rng),
            state="pending",
            created=now,
            updated=now,
            processed=None,
            status_callback_url=status_callback_url,
            final_state=final_state,
        )
        campaign.created_orders.append(order)
        self._created[order.id] = order
        self._revision += 1
        return order.wire()

    def poll_order(self, order_id: str, process_after_polls: int | None = 2) -> Wire:
        """
        Return an order as a GET does, advancing a created one a step per poll.

        A created order is ``processing`` after its first poll and reaches its
        final state after ``process_after_polls`` polls (never, for ``None``).
        Seeded orders never change.

        Example::

            data.poll_order(order_id)  # pending -> processing
        """
        order = self._created.get(order_id.lower())
        if order is None:
            return self.order(order_id)
        order.polls += 1
        if process_after_polls is not None and order.state not in {"processed", "failed"}:
            now = int(time.time())
            if order.polls >= process_after_polls:
                order.state = order.final_state
                order.processed = now if order.state == "processed" else None
            else:
                order.state = "processing"
            order.updated = now
            self._revision += 1
        return order.wire()

    def delete_number(self, number_id: str) -> None:
        """
        Delete a number assignment; `KeyError` if unknown or already deleted.

        Example::

            data.delete_number(data.numbers_of(campaign_id)[0]["id"])
        """
        campaign, index = self._locate(self._number_ids, number_id.lower(), "number_count")
        if index in campaign.deleted_numbers:
            raise KeyError(number_id)
        campaign.deleted_numbers.add(index)
        self._revision += 1

    # -- paging -----------------------------------------------------------------------------

    def page_token(self, scope: str, page_number: int, page_size: int) -> str:
        """
        Return the opaque cursor of one page of one listing (``scope`` names the listing).

        Example::

            token = data.page_token("list_orders|<id>|", 1, 50)
        """
        body = f"{page_number}.{page_size}"
        digest = hmac.new(self._token_key, f"{scope}|{body}".encode(), hashlib.blake2s)
        raw = f"{body}.{digest.hexdigest()[:16]}".encode()
        return "PA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def check_page(
        self, scope: str, page_number: str | None, page_size: str | None, token: str | None
    ) -> tuple[int, int]:
        """
        Validate a page request's parameters and return ``(page_number, page_size)``.

        Raises:
            PagingError: ``page_size`` is not 1..1000, ``page_number`` is not a
                non-negative int, or the ``page_token`` is missing (past page 0)
                or is not the one this listing issued for this page.

        Example::

            number, size = data.check_page(scope, "0", "50", None)
        """
        size = _int_param(page_size, 50)
        if size is None or not 1 <= size <= 1000:
            raise PagingError("invalid_page_size", "page_size must be an integer from 1 to 1000")
        number = _int_param(page_number, 0)
        if number is None or number < 0:
            raise PagingError("invalid_page_number", "page_number must be an integer >= 0")
        if token is None and number > 0:
            raise PagingError("missing_page_token", "page_token is required after the first page")
        if token is not None and not _same(token, self.page_token(scope, number, size)):
            raise PagingError("invalid_page_token", "page_token is invalid for this page")
        return number, size


def _same(token: str, expected: str) -> bool:
    try:
        token.encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(token, expected)


def _int_param(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 9:
        return None
    return int(value)


def _state_code(states: Sequence[str], state: str | None) -> int | None:
    # None: no filter; -1: a state no record has (the listing is empty).
    if state is None:
        return None
    return states.index(state) if state in states else -1


def _matches(name: str, state: str, want_name: str | None, want_state: str | None) -> bool:
    if want_state is not None and state != want_state:
        return False
    return want_name is None or want_name.casefold() in name.casefold()
