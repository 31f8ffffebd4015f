"""
The wire format the fake writes: OpenAPI-shaped dicts and RFC 3339 times.

Every dict is shaped exactly like the schemas of ``campaign-registry.yaml``
(``Brand``, ``Campaign``, ``AssignedNumber``, ``Order``), and nothing more;
`_responses` sends them (and the error bodies) as JSON. It is written here by
hand, never through the client's decoder, so that the fake can check it.
Rendering a page of 1,000 orders is the fake's hot path: the renderers are
plain functions over the compact records.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import Any

from ._ids import mix
from ._records import (
    AREA_CODES,
    NUMBER_STATES,
    ORDER_STATES,
    BrandRecord,
    CampaignRecord,
    CreatedBrand,
    CreatedOrder,
)

__all__ = [
    "API_PREFIX",
    "Wire",
    "brand_wire",
    "campaign_fields",
    "campaign_wire",
    "created_brand_wire",
    "created_order_wire",
    "kept_fields",
    "number_wire",
    "order_wire",
    "rfc3339",
]

Wire = dict[str, Any]

API_PREFIX = "/api/relay/rest/registry/beta"
_CALLBACK_URL = "https://example.com/handle_callback"


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


# -- OpenAPI components/schemas -------------------------------------------------------------


def brand_wire(brand: BrandRecord) -> Wire:
    """
    Render a brand as the ``Brand`` schema.

    Example::

        assert brand_wire(brand)["id"] == brand.id
    """
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
    return _stamped(wire, brand.created, brand.created + 3600, callback=brand.callback)


def created_brand_wire(brand: CreatedBrand) -> Wire:
    """
    Render a brand created through the API as the ``Brand`` schema: the fields it was given.

    Example::

        assert created_brand_wire(brand)["state"] == "pending"
    """
    given = {"csp_self_registered": False} | brand.fields  # the managed form leaves it out
    wire = {"id": brand.id, "state": brand.state, "name": brand.name}
    wire |= {key: given[key] for key in _BRAND_FIELDS if key in given}
    return _stamped(wire, brand.created, brand.updated, callback=False)


def campaign_fields(body: Mapping[str, Any]) -> Wire:
    """
    Return what the ``Campaign`` schema shows of a valid create_campaign body (name aside).

    The schemas name a few properties apart: the request's ``dynamic_messages``
    is the campaign's ``dynamic_templates``; ``brand_id`` and
    ``terms_and_conditions`` are not shown. A managed campaign's keywords
    default as the ``Campaign`` schema says (``START``, ``STOP``, ``HELP``).

    Example::

        assert campaign_fields({"name": "x", "dynamic_messages": "y"}) == {"dynamic_templates": "y"}
    """
    fields = {_RENAMED.get(key, key): value for key, value in body.items()}
    if "csp_campaign_reference" not in fields:
        fields = _KEYWORD_DEFAULTS | fields
    return {key: fields[key] for key in _CAMPAIGN_FIELDS if key in fields}


def kept_fields(campaign: CampaignRecord) -> Wire:
    """
    Return what a campaign shows besides its id, name, state and times (to keep them as they are).

    A seeded campaign's fields derive from its name: one renamed keeps these instead.

    Example::

        campaign.fields = kept_fields(campaign)
    """
    own = {"id", "name", "state", "created_at", "updated_at"}
    return {key: value for key, value in campaign_wire(campaign).items() if key not in own}


def campaign_wire(campaign: CampaignRecord) -> Wire:
    """
    Render a campaign (seeded, created or updated) as the ``Campaign`` schema.

    Example::

        assert campaign_wire(campaign)["name"] == campaign.name
    """
    head: Wire = {"id": campaign.id, "name": campaign.name, "state": campaign.state}
    if campaign.fields is not None:
        wire = head | campaign.fields
        return _stamped(
            wire, campaign.created, campaign.updated or campaign.created, callback=False
        )
    wire = head | {"sms_use_case": campaign.use_case}
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
        **_KEYWORD_DEFAULTS,
        "number_pooling_required": False,
        "direct_lending": False,
        "embedded_link": False,
        "embedded_phone": False,
        "age_gated_content": False,
        "lead_generation": False,
    }
    updated = campaign.created + 7200 if campaign.updated is None else campaign.updated
    return _stamped(wire, campaign.created, updated, callback=campaign.callback)


# The Brand and Campaign schemas' properties in their order (id, name and state aside).
_BRAND_FIELDS = (
    "company_name",
    "contact_email",
    "contact_phone",
    "ein_issuing_country",
    "legal_entity_type",
    "ein",
    "company_address",
    "company_vertical",
    "company_website",
    "csp_brand_reference",
    "csp_self_registered",
    "status_callback_url",
)
_CAMPAIGN_FIELDS = (
    "sms_use_case",
    "sub_use_cases",
    "campaign_verify_token",
    "description",
    *(f"sample{n}" for n in range(1, 6)),
    "dynamic_templates",
    "message_flow",
    "opt_in_message",
    "opt_out_message",
    "help_message",
    "opt_in_keywords",
    "opt_out_keywords",
    "help_keywords",
    "number_pooling_required",
    "number_pooling_per_campaign",
    "direct_lending",
    "embedded_link",
    "embedded_phone",
    "age_gated_content",
    "lead_generation",
    "csp_campaign_reference",
    "status_callback_url",
)
_RENAMED = {"dynamic_messages": "dynamic_templates"}
_KEYWORD_DEFAULTS = {
    "opt_in_keywords": "START",
    "opt_out_keywords": "STOP",
    "help_keywords": "HELP",
}


def _stamped(wire: Wire, created: int, updated: int, *, callback: bool) -> Wire:
    # The common tail of Brand and Campaign: status_callback_url, created_at, updated_at.
    if callback:  # a seeded record's (a created one's is among its fields)
        wire["status_callback_url"] = _CALLBACK_URL
    wire["created_at"] = rfc3339(created)
    wire["updated_at"] = rfc3339(updated)
    return wire


def order_wire(campaign: CampaignRecord, index: int) -> Wire:
    """
    Render a campaign's seeded order ``index`` as the ``Order`` schema.

    Example::

        render = functools.partial(order_wire, campaign)
        first = render(0)
    """
    low = mix(index, campaign.orders.key)
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


def created_order_wire(order: CreatedOrder) -> Wire:
    """
    Render an order created through the API as the ``Order`` schema.

    Example::

        assert created_order_wire(order)["state"] == order.state
    """
    wire: Wire = {"id": order.id, "state": order.state}
    if order.processed is not None:
        wire["processed_at"] = rfc3339(order.processed)
    wire["created_at"] = rfc3339(order.created)
    wire["updated_at"] = rfc3339(order.updated)
    if order.status_callback_url is not None:
        wire["status_callback_url"] = order.status_callback_url
    return wire


def number_wire(campaign: CampaignRecord, index: int) -> Wire:
    """
    Render a campaign's number assignment ``index`` as the ``AssignedNumber`` schema.

    Example::

        assert number_wire(campaign, 0)["campaign_id"] == campaign.id
    """
    low = mix(index, campaign.numbers.key)
    created = campaign.created + 1800 * (index + 1) + low % 900
    phone: Wire = {
        "id": campaign.phones.id_of(mix(index, campaign.phones.key)),
        "name": f"Line {index + 1}",
        "number": f"+1{AREA_CODES[low % 8]}555{(low >> 3) % 10000:04d}",
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
