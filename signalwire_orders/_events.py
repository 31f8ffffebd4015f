"""
The 10DLC status callback payload (OpenAPI ``webhooks/tenDlcStatusCallback``).

Pure: attrs models only, so that ``_codec`` can register them. Decoding and the
aiohttp receiver live in the public ``signalwire_orders.webhooks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from ._models import EMPTY, KeepsExtra, OpenStrEnum
from ._names import publish_names

__all__ = ["EventCategory", "EventType", "StatusEvent"]


class EventCategory(OpenStrEnum):
    """
    What kind of 10DLC object a status event is about; unknown values are kept.

    Example::

        if event.event_category is EventCategory.NUMBER_ASSIGNMENT_ORDER:
            ...
    """

    BRAND = "brand"
    CAMPAIGN = "campaign"
    NUMBER_ASSIGNMENT_ORDER = "number_assignment_order"
    NUMBER_ASSIGNMENT = "number_assignment"


class EventType(OpenStrEnum):
    """
    Which state change a status event reports; unknown values are kept.

    The OpenAPI ``webhooks`` tables: a brand is activated or left unverified, a
    campaign is activated or deactivated, an order is processed, and a number
    assignment fails, is retried (pending again) or is activated.

    Example::

        if event.event_type is EventType.NUMBER_ASSIGNMENT_ORDER_PROCESSED:
            order = await client.orders.get(event.number_assignment_order_id)
        EventType("brand_vetted").is_known  # False, but no error
    """

    BRAND_ACTIVATED = "brand_activated"
    BRAND_UNVERIFIED = "brand_unverified"
    CAMPAIGN_ACTIVATED = "campaign_activated"
    CAMPAIGN_DEACTIVATED = "campaign_deactivated"
    NUMBER_ASSIGNMENT_ORDER_PROCESSED = "number_assignment_order_processed"
    NUMBER_ASSIGNMENT_FAILED = "number_assignment_failed"
    NUMBER_ASSIGNMENT_PENDING = "number_assignment_pending"
    NUMBER_ASSIGNMENT_ACTIVATED = "number_assignment_activated"


@attrs.frozen
class StatusEvent(KeepsExtra):
    """
    One 10DLC status callback (OpenAPI ``Webhooks.Messaging.TenDlcStatusCallbackPayload``).

    ``state`` is the object's state after the event; its values depend on the
    object (compare it with ``OrderState``, ``BrandState`` and friends, which
    are str enums). ``brand_id`` is in every event; ``campaign_id`` in campaign,
    order and number assignment events; ``number_assignment_order_id`` in order
    and number assignment events; ``number_assignment_id``, ``phone_number_id``
    and ``phone_number`` in number assignment events only. Fields SignalWire
    adds later are kept in ``extra``.

    Example::

        event = parse_event(await request.read())
        if event.event_type is EventType.NUMBER_ASSIGNMENT_FAILED:
            alert(event.phone_number, event.campaign_id)
    """

    project_id: str
    event_at: datetime
    event_category: EventCategory
    event_type: EventType
    state: str
    brand_id: UUID
    campaign_id: UUID | None = None
    number_assignment_order_id: UUID | None = None
    number_assignment_id: UUID | None = None
    phone_number_id: UUID | None = None
    phone_number: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


# Named after signalwire_orders.webhooks, which re-exports them, from the start:
# the client imports this module (to decode callbacks) before any webhooks import.
publish_names(globals(), private=__name__, module="signalwire_orders.webhooks")
