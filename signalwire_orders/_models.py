"""
Typed models of the Campaign Registry API (OpenAPI ``components/schemas``).

Every model is a frozen, slotted attrs class. Ids are :class:`uuid.UUID`, times
are timezone-aware :class:`datetime.datetime`, states are str-valued enums that
keep values they do not know, and fields the API adds later are kept in
``extra`` rather than rejected.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, cast
from uuid import UUID

import attrs

if TYPE_CHECKING:
    from ._errors import SignalWireError

__all__ = [
    "EMPTY",
    "AssignedNumber",
    "AssignedPhoneNumber",
    "AssignmentState",
    "AssignmentStateValue",
    "Brand",
    "BrandState",
    "BrandStateValue",
    "Campaign",
    "CampaignResult",
    "CampaignState",
    "CampaignStateValue",
    "CompanyVertical",
    "KeepsExtra",
    "LegalEntityType",
    "Links",
    "OpenStrEnum",
    "Order",
    "OrderState",
    "OrderStateValue",
    "Page",
    "RateLimit",
]

T = TypeVar("T")

EMPTY: Mapping[str, Any] = MappingProxyType({})


def _rebuild(cls: type[T], fields: dict[str, Any]) -> T:
    # What KeepsExtra.__reduce__ pickles: ``extra`` travels as a dict.
    extra = fields["extra"]
    fields["extra"] = MappingProxyType(extra) if extra else EMPTY
    return cls(**fields)


class KeepsExtra:
    """
    A model with unknown fields in a read-only ``extra``: picklable and deep-copyable.

    ``extra`` is a `types.MappingProxyType`, which pickle and `copy.deepcopy`
    refuse, so a model reduces to its ``__init__`` arguments with ``extra`` as
    a plain dict, made read-only again on the way back.

    It also holds the models' ``__weakref__`` slot, so that each model's own
    slots are exactly its fields (what ``_order_codec._Draft`` relies on).
    """

    __slots__ = ("__weakref__",)

    def __reduce__(self) -> tuple[Any, ...]:
        model = cast("type[attrs.AttrsInstance]", type(self))
        fields = {field.alias: getattr(self, field.name) for field in attrs.fields(model)}
        fields["extra"] = dict(fields["extra"])
        return _rebuild, (type(self), fields)


class OpenStrEnum(enum.StrEnum):
    """A str enum that keeps a value it does not know instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        # A pseudo-member: equal to its string, not cached on the class (no
        # global state grows with what a server sends).
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this value is one the library was written for."""
        return any(self._value_ == member._value_ for member in type(self))


class OrderState(OpenStrEnum):
    """
    The state of a phone number assignment order; unknown values are kept.

    Example::

        if order.state is OrderState.FAILED:
            ...
        OrderState("archived").is_known  # False, but no error
    """

    PENDING = "pending"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        """Whether the order will change no more (``processed`` or ``failed``)."""
        return self in (OrderState.PROCESSED, OrderState.FAILED)


class AssignmentState(OpenStrEnum):
    """
    The state of a phone number assignment; unknown values are kept.

    Example::

        pending = [n async for n in client.numbers.list(cid, state=AssignmentState.PENDING)]
    """

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class BrandState(OpenStrEnum):
    """
    The registration state of a brand; unknown values are kept.

    Example::

        async for brand in client.brands.list(state=BrandState.COMPLETED): ...
    """

    PENDING = "pending"
    COMPLETED = "completed"
    UNVERIFIED = "unverified"


class CampaignState(OpenStrEnum):
    """
    The registration state of a campaign; unknown values are kept.

    Example::

        active = [c async for c in client.campaigns.list(brand_id, state=CampaignState.ACTIVE)]
    """

    PENDING = "pending"
    ACTIVE = "active"
    INACTIVE = "inactive"


class LegalEntityType(OpenStrEnum):
    """
    What kind of legal entity a brand is (OpenAPI ``LegalEntityType``); unknown values are kept.

    Example::

        ManagedBrandRequest(..., legal_entity_type=LegalEntityType.NON_PROFIT)
    """

    PRIVATE_PROFIT = "PRIVATE_PROFIT"
    PUBLIC_PROFIT = "PUBLIC_PROFIT"
    NON_PROFIT = "NON_PROFIT"
    GOVERNMENT = "GOVERNMENT"


class CompanyVertical(OpenStrEnum):
    """
    A brand's industry (OpenAPI ``CompanyVertical``); unknown values are kept.

    Example::

        if brand.company_vertical is CompanyVertical.HEALTHCARE:
            ...
    """

    AGRICULTURE = "AGRICULTURE"
    COMMUNICATION = "COMMUNICATION"
    CONSTRUCTION = "CONSTRUCTION"
    EDUCATION = "EDUCATION"
    ENERGY = "ENERGY"
    ENTERTAINMENT = "ENTERTAINMENT"
    FINANCIAL = "FINANCIAL"
    GAMBLING = "GAMBLING"
    GOVERNMENT = "GOVERNMENT"
    HEALTHCARE = "HEALTHCARE"
    HOSPITALITY = "HOSPITALITY"
    HUMAN_RESOURCES = "HUMAN_RESOURCES"
    INSURANCE = "INSURANCE"
    LEGAL = "LEGAL"
    MANUFACTURING = "MANUFACTURING"
    NGO = "NGO"
    POLITICAL = "POLITICAL"
    POSTAL = "POSTAL"
    PROFESSIONAL = "PROFESSIONAL"
    REAL_ESTATE = "REAL_ESTATE"
    RETAIL = "RETAIL"
    TECHNOLOGY = "TECHNOLOGY"
    TRANSPORTATION = "TRANSPORTATION"


# The documented values of each state, as ``state=`` filters accept them beside
# the enum members: a typo in a literal then fails a type check (``mypy --strict``).
OrderStateValue = Literal["pending", "processing", "processed", "failed"]
AssignmentStateValue = Literal["pending", "completed", "failed"]
BrandStateValue = Literal["pending", "completed", "unverified"]
CampaignStateValue = Literal["pending", "active", "inactive"]


@attrs.frozen
class Links:
    """
    Paging links of a list response (OpenAPI ``PaginationLinks``).

    ``self_link`` is the wire field ``self``. ``next`` is present only while
    more pages exist; links may be relative to the space or absolute.

    Example::

        page.links.next  # "/api/relay/rest/...?page_number=1&page_token=PA..." or None
    """

    self_link: str
    first: str
    next: str | None = None
    prev: str | None = None


@attrs.frozen
class Page(Generic[T]):
    """
    One page of a list: its items and its links.

    Example::

        async for page in client.orders.pages(campaign_id):
            print(len(page.data), page.links.next)
    """

    data: tuple[T, ...]
    links: Links


@attrs.frozen
class Order(KeepsExtra):
    """
    A phone number assignment order (OpenAPI ``Order``).

    Example::

        order = await client.orders.get(order_id)
        order.state, order.created_at
    """

    id: UUID
    state: OrderState | None = None
    processed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    status_callback_url: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


@attrs.frozen
class AssignedPhoneNumber(KeepsExtra):
    """
    The phone number of an assignment (OpenAPI ``AssignedPhoneNumber``).

    Example::

        assignment.phone_number.number  # "+15558675309"
    """

    id: UUID | None = None
    name: str | None = None
    number: str | None = None
    status_callback_url: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


@attrs.frozen
class AssignedNumber(KeepsExtra):
    """
    A phone number assigned to a campaign (OpenAPI ``AssignedNumber``).

    Example::

        async for assignment in client.numbers.list(campaign_id):
            print(assignment.phone_number.number, assignment.state)
    """

    id: UUID
    state: AssignmentState | None = None
    campaign_id: UUID | None = None
    phone_number: AssignedPhoneNumber | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


@attrs.frozen
class Brand(KeepsExtra):
    """
    A registered 10DLC brand (OpenAPI ``Brand``).

    Example::

        brand = await client.brands.get(brand_id)
        brand.name, brand.state
    """

    id: UUID
    state: BrandState | None = None
    name: str | None = None
    company_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    ein_issuing_country: str | None = None
    legal_entity_type: LegalEntityType | None = None
    ein: str | None = None
    company_address: str | None = None
    company_vertical: CompanyVertical | None = None
    company_website: str | None = None
    csp_brand_reference: str | None = None
    csp_self_registered: bool | None = None
    status_callback_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


@attrs.frozen
class Campaign(KeepsExtra):
    """
    A 10DLC campaign (OpenAPI ``Campaign``).

    Example::

        campaign = await client.campaigns.get(campaign_id)
        campaign.name, campaign.sms_use_case
    """

    id: UUID
    name: str | None = None
    state: CampaignState | None = None
    sms_use_case: str | None = None
    sub_use_cases: tuple[str, ...] = ()
    campaign_verify_token: str | None = None
    description: str | None = None
    sample1: str | None = None
    sample2: str | None = None
    sample3: str | None = None
    sample4: str | None = None
    sample5: str | None = None
    dynamic_templates: str | None = None
    message_flow: str | None = None
    opt_in_message: str | None = None
    opt_out_message: str | None = None
    help_message: str | None = None
    opt_in_keywords: str | None = None
    opt_out_keywords: str | None = None
    help_keywords: str | None = None
    number_pooling_required: bool | None = None
    number_pooling_per_campaign: str | None = None
    direct_lending: bool | None = None
    embedded_link: bool | None = None
    embedded_phone: bool | None = None
    age_gated_content: bool | None = None
    lead_generation: bool | None = None
    csp_campaign_reference: str | None = None
    status_callback_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, eq=False)


@attrs.frozen
class CampaignResult:
    """
    The outcome of fetching one campaign's orders in ``orders.list_many``.

    Exactly one of ``orders`` (complete) and ``error`` is meaningful: on error,
    ``orders`` is empty and nothing partial is reported.

    Example::

        async with client.orders.list_many(campaign_ids) as results:
            async for result in results:
                if result.ok:
                    total += len(result.orders)
                else:
                    failed.append((result.campaign_id, result.error))
    """

    campaign_id: UUID
    orders: tuple[Order, ...] = ()
    error: SignalWireError | None = None

    @property
    def ok(self) -> bool:
        """Whether every order of the campaign was fetched."""
        return self.error is None


@attrs.frozen
class RateLimit:
    """
    The rate-limit headers of the latest response that carried any.

    Example::

        if client.rate_limit and client.rate_limit.remaining == 0:
            ...
    """

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
