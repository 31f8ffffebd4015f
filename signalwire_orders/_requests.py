"""
The write requests of the Campaign Registry, checked when they are built.

One frozen attrs class per request schema of the vendor's OpenAPI
(``CreateManagedBrandRequest``, ``CreateCspBrandRequest``,
``CreateManagedCampaignRequest``, ``CreatePartnerCampaignRequest``), one
keyword field per schema property with the wire's names, required ones
without defaults. Each is validated in ``__init__`` with the schema's rules
(lengths, formats, types), so bad input raises `ValueError` or `TypeError`
naming the field and the rule, and never reaches the API. `request_body`
gives the JSON body: unset optional fields are left out, not sent as null.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, NoReturn, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import attrs

from ._models import CompanyVertical, LegalEntityType, OpenStrEnum

__all__ = [
    "CspBrandRequest",
    "ManagedBrandRequest",
    "ManagedCampaignRequest",
    "PartnerCampaignRequest",
    "campaign_name",
    "request_body",
]

# RFC 5322 is far looser; this is the shape the API (and a person) means by an email.
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
# A web address as the vendor's own example gives it ("www.example.com"): an
# optional http(s) scheme, a host with a dot, an optional port and path.
_WEBSITE: Final = re.compile(
    r"(?:https?://)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?::[0-9]{1,5})?(?:[/?#][^\s]*)?",
    re.IGNORECASE,
)
E = TypeVar("E", bound=OpenStrEnum)
_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
_USE_CASES_WITH_SUBS: Final = {"MIXED": (2, 5), "LOW_VOLUME_MIXED": (1, 5)}
_NAME_LENGTH: Final = (3, 64)  # of a brand's or a campaign's name, at creation and update


def _refuse(field: str, rule: str, value: object) -> NoReturn:
    shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."  # noqa: PLR2004
    msg = f"{field} must be {rule}, got {shown!r}"
    raise ValueError(msg)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        msg = f"{field} must be a str, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _required_text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not _text(attribute.name, value).strip():
        _refuse(attribute.name, "a non-empty string", value)


def _length(field: str, value: object, low: int, high: int | None) -> str:
    """``value`` as a string of ``low`` to ``high`` characters (or at least ``low``)."""
    length = len(text := _text(field, value))
    if length < low or (high is not None and length > high):
        rule = f"{low} to {high} characters" if high is not None else f"at least {low} characters"
        _refuse(field, rule, value)
    return text


def _between(low: int, high: int | None = None) -> _Validator:
    """A validator: a string of ``low`` to ``high`` characters (or at least ``low``)."""

    def check(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is not None:
            _length(attribute.name, value, low, high)

    return check


def _matching(pattern: re.Pattern[str], rule: str) -> _Validator:
    """A validator: a string that ``pattern`` matches whole."""

    def check(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is not None and not pattern.fullmatch(_text(attribute.name, value)):
            _refuse(attribute.name, rule, value)

    return check


def _http_url(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    text = _text(attribute.name, value)
    try:
        parts = urlsplit(text)
        absolute = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # a malformed port or IPv6 host
        absolute = False
    if not absolute or any(c.isspace() for c in text):
        _refuse(attribute.name, "an absolute http(s) URL such as 'https://example.com/cb'", text)


def _boolean(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = f"{attribute.name} must be True or False, got {type(value).__name__}"
        raise TypeError(msg)


def _uuid(value: UUID | str) -> UUID:
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str):
        msg = f"brand_id must be a UUID or str, got {type(value).__name__}"
        raise TypeError(msg)
    try:
        return UUID(value)
    except ValueError:
        pass  # refused below, without the parser's error chained to ours
    _refuse("brand_id", "a UUID", value)


def _strings(value: Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        _refuse("sub_use_cases", "a list of strings", value)
    return tuple(value)


def _member(field: str, kind: type[E], value: object) -> E:
    # A member (made from a value the API added later, too) or a documented value:
    # a typo in a string is refused, as for the state= filters.
    if isinstance(value, kind):
        return value
    allowed = [member.value for member in kind]
    text = _text(field, value)
    if text in allowed:
        return kind(text)
    rule = f"one of {', '.join(allowed)} (or a {kind.__name__} member)"
    _refuse(field, rule, value)


def _legal_entity_type(value: LegalEntityType | str) -> LegalEntityType:
    return _member("legal_entity_type", LegalEntityType, value)


def _vertical(value: CompanyVertical | str | None) -> CompanyVertical | None:
    return None if value is None else _member("company_vertical", CompanyVertical, value)


_EMAIL_RULE: Final = "an email address such as 'info@example.com'"
_PHONE_RULE: Final = "an E.164 phone number such as '+18995551212'"


@attrs.frozen(kw_only=True)
class ManagedBrandRequest:
    """
    A brand for SignalWire to register with TCR (OpenAPI ``CreateManagedBrandRequest``).

    Every field is checked when the request is built: a violation raises
    ``ValueError`` (or ``TypeError``) naming the field and the rule.

    Example::

        request = ManagedBrandRequest(
            name="Acme Alerts",
            company_name="Acme Inc",
            contact_email="it@acme.example",
            contact_phone="+18995551212",
            ein_issuing_country="United States",
            legal_entity_type=LegalEntityType.PRIVATE_PROFIT,
            ein="12-3456789",
            company_address="123 Main St, Hill Valley CA, 91905",
            company_website="www.acme.example",
        )
        brand = await client.brands.create(request)
    """

    name: str = attrs.field(validator=_between(*_NAME_LENGTH))
    company_name: str = attrs.field(validator=_between(3, 64))
    contact_email: str = attrs.field(validator=[_between(3, 64), _matching(_EMAIL, _EMAIL_RULE)])
    contact_phone: str = attrs.field(validator=[_between(3, 64), _matching(_E164, _PHONE_RULE)])
    ein_issuing_country: str = attrs.field(validator=_required_text)
    legal_entity_type: LegalEntityType = attrs.field(converter=_legal_entity_type)
    ein: str = attrs.field(validator=_required_text)
    company_address: str = attrs.field(validator=_required_text)
    company_website: str = attrs.field(
        validator=_matching(_WEBSITE, "a web address such as 'www.example.com'")
    )
    company_vertical: CompanyVertical | None = attrs.field(default=None, converter=_vertical)
    status_callback_url: str | None = attrs.field(default=None, validator=_http_url)


@attrs.frozen(kw_only=True)
class CspBrandRequest:
    """
    A brand you registered with TCR yourself, to import (OpenAPI ``CreateCspBrandRequest``).

    ``csp_self_registered`` is always ``True``: it is what tells this form apart.

    Example::

        brand = await client.brands.create(
            CspBrandRequest(name="Acme Alerts", csp_brand_reference="B123456")
        )
    """

    name: str = attrs.field(validator=_between(*_NAME_LENGTH))
    csp_brand_reference: str = attrs.field(validator=_required_text)
    status_callback_url: str | None = attrs.field(default=None, validator=_http_url)
    csp_self_registered: Literal[True] = attrs.field(default=True, init=False)


def _sub_use_cases(
    request: ManagedCampaignRequest, _: object, value: tuple[str, ...] | None
) -> None:
    bounds = _USE_CASES_WITH_SUBS.get(request.sms_use_case)
    count = len(value or ())
    if bounds is not None and not bounds[0] <= count <= bounds[1]:
        rule = f"{bounds[0]} to {bounds[1]} sub use cases for sms_use_case {request.sms_use_case}"
        _refuse("sub_use_cases", rule, value)
    if bounds is None and count:
        rule = f"left out for sms_use_case {request.sms_use_case} (only MIXED and LOW_VOLUME_MIXED)"
        _refuse("sub_use_cases", rule, value)


def _pooling_reason(request: ManagedCampaignRequest, _: object, value: str | None) -> None:
    if request.number_pooling_required and not (value and value.strip()):
        rule = "given (why pooling is needed) when number_pooling_required is True"
        _refuse("number_pooling_per_campaign", rule, value)


@attrs.frozen(kw_only=True)
class ManagedCampaignRequest:
    """
    A campaign for SignalWire to register under a managed brand (``CreateManagedCampaignRequest``).

    Lengths are the schema's: ``name`` 3 to 64 characters, ``description``
    and ``message_flow`` at least 40, samples and messages at least 20; the
    seven yes/no questions are required booleans. ``sub_use_cases`` is for
    ``MIXED`` (2 to 5) and ``LOW_VOLUME_MIXED`` (1 to 5) only, and
    ``number_pooling_per_campaign`` is required when pooling is.

    Example::

        request = ManagedCampaignRequest(
            name="Appointment reminders",
            brand_id=brand.id,
            sms_use_case="ACCOUNT_NOTIFICATION",
            description="Reminders of appointments to patients who asked for them by text.",
            sample1="Hi Ana, your appointment is tomorrow at 2pm. Reply STOP to opt out.",
            sample2="Reminder: your visit is on Friday at 10am. Reply STOP to opt out.",
            message_flow="Patients opt in on a paper form at the front desk of the clinic.",
            opt_out_message="You are unsubscribed and will get no more messages.",
            help_message="For help call 1-800-555-0123. Reply STOP to opt out.",
            number_pooling_required=False,
            direct_lending=False,
            embedded_link=False,
            embedded_phone=False,
            age_gated_content=False,
            lead_generation=False,
            terms_and_conditions=True,
        )
        campaign = await client.campaigns.create(brand.id, request)
    """

    name: str = attrs.field(validator=_between(*_NAME_LENGTH))
    brand_id: UUID = attrs.field(converter=_uuid)
    sms_use_case: str = attrs.field(validator=_required_text)
    description: str = attrs.field(validator=_between(40))
    sample1: str = attrs.field(validator=_between(20))
    sample2: str = attrs.field(validator=_between(20))
    message_flow: str = attrs.field(validator=_between(40))
    opt_out_message: str = attrs.field(validator=_between(20))
    help_message: str = attrs.field(validator=_between(20))
    number_pooling_required: bool = attrs.field(validator=_boolean)
    direct_lending: bool = attrs.field(validator=_boolean)
    embedded_link: bool = attrs.field(validator=_boolean)
    embedded_phone: bool = attrs.field(validator=_boolean)
    age_gated_content: bool = attrs.field(validator=_boolean)
    lead_generation: bool = attrs.field(validator=_boolean)
    terms_and_conditions: bool = attrs.field(validator=_boolean)
    sub_use_cases: tuple[str, ...] | None = attrs.field(
        default=None, converter=_strings, validator=_sub_use_cases
    )
    campaign_verify_token: str | None = attrs.field(default=None, validator=_between(1))
    sample3: str | None = attrs.field(default=None, validator=_between(20))
    sample4: str | None = attrs.field(default=None, validator=_between(20))
    sample5: str | None = attrs.field(default=None, validator=_between(20))
    dynamic_messages: str | None = attrs.field(default=None, validator=_between(1))
    opt_in_message: str | None = attrs.field(default=None, validator=_between(20))
    opt_in_keywords: str | None = attrs.field(default=None, validator=_between(1))
    opt_out_keywords: str | None = attrs.field(default=None, validator=_between(1))
    help_keywords: str | None = attrs.field(default=None, validator=_between(1))
    number_pooling_per_campaign: str | None = attrs.field(default=None, validator=_pooling_reason)
    status_callback_url: str | None = attrs.field(default=None, validator=_http_url)


@attrs.frozen(kw_only=True)
class PartnerCampaignRequest:
    """
    A campaign you registered with TCR yourself, for a CSP brand (``CreatePartnerCampaignRequest``).

    Example::

        campaign = await client.campaigns.create(
            brand.id,
            PartnerCampaignRequest(name="Alerts", brand_id=brand.id, csp_campaign_reference="C1"),
        )
    """

    name: str = attrs.field(validator=_between(*_NAME_LENGTH))
    brand_id: UUID = attrs.field(converter=_uuid)
    csp_campaign_reference: str = attrs.field(validator=_required_text)
    status_callback_url: str | None = attrs.field(default=None, validator=_http_url)


def campaign_name(name: object) -> str:
    """
    Check the ``name`` of a campaign update (OpenAPI ``UpdateCampaignRequest``).

    Raises:
        TypeError: Not a string.
        ValueError: Not 3 to 64 characters (the rule of a campaign's name).
    """
    return _length("name", name, *_NAME_LENGTH)


_Request = ManagedBrandRequest | CspBrandRequest | ManagedCampaignRequest | PartnerCampaignRequest


def _wire(value: object) -> object:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value  # str and bool


def request_body(request: _Request) -> dict[str, object]:
    """The JSON body of a request: the wire's names, unset optional fields left out."""
    fields = attrs.fields(type(request))
    return {
        field.name: _wire(value)
        for field in fields
        if (value := getattr(request, field.name)) is not None
    }
