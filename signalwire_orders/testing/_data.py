"""
`FakeData`: the records the fake serves, looked up and listed (`_store`), and the API's writes.

Orders and number assignments are derived on demand from ``(seed, campaign,
index)`` (`_records`), so a million orders cost a few bytes each. What the
API's writes create (brands, campaigns, orders) is kept whole, starts
``pending`` and moves on by polls or by time (`_tracking`). Bodies are
checked with the request schemas' rules (`_validation`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from ._ids import IdSpace, random_uuid
from ._lifecycle import Progress
from ._records import CampaignRecord, CreatedBrand, CreatedOrder
from ._tracking import TrackedStore
from ._validation import brand_problems, campaign_problems, check, update_problems
from ._wire import (
    Wire,
    campaign_fields,
    campaign_wire,
    created_brand_wire,
    created_order_wire,
    kept_fields,
)

__all__ = ["FakeData"]

_BRAND_FINAL_STATES = ("completed", "unverified")  # the webhook table's moves from pending


class FakeData(TrackedStore):
    """
    Deterministic Campaign Registry records: brands, campaigns, number assignments, orders.

    The same arguments always give the same records (ids, states, times).
    Orders and number assignments are derived on demand, so a million orders
    build in milliseconds and use about a byte each once listed. The data
    issues and checks its listings' page tokens (`PageTokens`).

    The API's writes have a method each (`create_brand`, `create_campaign`,
    `update_campaign`, `create_order`, `delete_number`), which a test may also
    call to set up records without HTTP. What they create starts ``pending``
    and reaches its final state after some polls (`poll_brand`,
    `poll_campaign`, `poll_order`) or some seconds (`advance_due`); each
    move is handed to the functions given to `observe`. Every change moves
    `revision`.

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

    # -- brands and campaigns ---------------------------------------------------------------

    def create_brand(self, fields: Mapping[str, Any], *, final_state: str = "completed") -> Wire:
        """
        Create a pending brand from a create_brand body and return it (OpenAPI ``Brand``).

        Args:
            fields: A ``CreateManagedBrandRequest`` or ``CreateCspBrandRequest`` body.
            final_state: Where its progress ends: ``"completed"`` or ``"unverified"``.

        Raises:
            ValueError: ``fields`` break the schema's rules (every violation is
                in the message), or ``final_state`` is neither.

        Example::

            brand = data.create_brand({"csp_self_registered": True, "name": "Acme",
                                       "csp_brand_reference": "B123456"})
        """
        if final_state not in _BRAND_FINAL_STATES:
            msg = (
                f"final_state must be one of {', '.join(_BRAND_FINAL_STATES)}, got {final_state!r}"
            )
            raise ValueError(msg)
        check(brand_problems(fields))
        now = int(time.time())
        given = dict(fields)
        brand = CreatedBrand(
            index=len(self._brands),
            id=random_uuid(self._created_rng),
            name=given.pop("name"),
            state="pending",
            created=now,
            updated=now,
            fields=given,
            progress=Progress(final_state),
        )
        self._brands.append(brand)
        self._brand_by_id[brand.id] = brand
        self._created_one(brand, brand.progress)
        return created_brand_wire(brand)

    def create_campaign(self, brand_id: str, fields: Mapping[str, Any]) -> Wire:
        """
        Create a pending campaign of a brand from a create_campaign body and return it.

        The campaign has no orders or number assignments; orders may be created
        in it. It ends ``active``.

        Args:
            brand_id: The brand (seeded or created).
            fields: A ``CreateManagedCampaignRequest`` or ``CreatePartnerCampaignRequest``
                body, whose ``brand_id`` is ``brand_id``.

        Raises:
            KeyError: No brand has this id.
            ValueError: ``fields`` break the schema's rules (every violation is in the message).

        Example::

            campaign = data.create_campaign(brand_id, {"name": "Alerts", "brand_id": brand_id,
                                                       "csp_campaign_reference": "C123456"})
        """
        brand = self._brand_by_id[brand_id.lower()]
        check(campaign_problems(fields, brand.id))
        index = len(self._campaigns)
        empty = IdSpace(index, 0, 0)  # registered nowhere: no id is ever located in it
        now, progress = int(time.time()), Progress("active")
        campaign = CampaignRecord(
            index=index,
            id=random_uuid(self._created_rng),
            brand=brand.index,
            name=fields["name"],
            state="pending",
            created=now,
            use_case=fields.get("sms_use_case", ""),
            callback=False,
            order_count=0,
            orders=empty,
            number_count=0,
            numbers=empty,
            phones=empty,
            seed=0,
            updated=now,
            fields=campaign_fields({k: v for k, v in fields.items() if k != "name"}),
            progress=progress,
        )
        self._campaigns.append(campaign)
        self._campaign_by_id[campaign.id] = campaign
        brand.campaigns.append(index)
        self._created_one(campaign, progress)
        return campaign_wire(campaign)

    def update_campaign(self, campaign_id: str, name: str | None = None) -> Wire:
        """
        Rename a campaign (seeded or created) and return it, ``updated_at`` set to now.

        Its other fields stay as they were. ``None`` keeps the name (an update
        with an empty body).

        Raises:
            KeyError: No campaign has this id.
            ValueError: ``name`` is not a string.

        Example::

            assert data.update_campaign(campaign_id, "Renamed")["name"] == "Renamed"
        """
        campaign = self._campaign_by_id[campaign_id.lower()]
        check(update_problems({} if name is None else {"name": name}))
        if campaign.fields is None:  # a seeded campaign: its other fields derive from its name
            campaign.fields = kept_fields(campaign)
        if name is not None:
            campaign.name = name
        campaign.updated = int(time.time())
        self._revision += 1
        return campaign_wire(campaign)

    def poll_brand(self, brand_id: str, process_after_polls: int | None = 2) -> Wire:
        """
        Return a brand as a GET does, moving a created one on (`poll_order` says how).

        A created brand stays ``pending`` until its ``process_after_polls``-th poll.

        Example::

            data.poll_brand(brand_id, process_after_polls=1)  # pending -> completed
        """
        brand = self._brand_by_id[brand_id.lower()]
        if isinstance(brand, CreatedBrand):
            self._poll(brand, brand.progress, process_after_polls)
        return self.brand(brand_id)

    def poll_campaign(self, campaign_id: str, process_after_polls: int | None = 2) -> Wire:
        """
        Return a campaign as a GET does, moving a created one on (`poll_order` says how).

        Example::

            data.poll_campaign(campaign_id, process_after_polls=1)  # pending -> active
        """
        campaign = self._campaign_by_id[campaign_id.lower()]
        if campaign.progress is not None:
            self._poll(campaign, campaign.progress, process_after_polls)
        return campaign_wire(campaign)

    # -- orders and numbers -----------------------------------------------------------------

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
        order = CreatedOrder(
            id=random_uuid(self._created_rng),
            campaign=campaign.index,
            state="pending",
            created=now,
            updated=now,
            processed=None,
            status_callback_url=status_callback_url,
            progress=Progress(final_state, middle="processing"),
        )
        campaign.created_orders.append(order)
        self._created[order.id] = order
        self._created_one(order, order.progress)
        return created_order_wire(order)

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
        self._poll(order, order.progress, process_after_polls)
        return created_order_wire(order)

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
