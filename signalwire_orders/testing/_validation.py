"""
The request bodies of the writes, checked with the rules of the vendor's request schemas.

Each check takes a JSON object (the routes answer any other body with
`NOT_AN_OBJECT`) and returns every violation at once, as ``(code, detail)``
pairs: the items of a 422 ``Types.StatusCodes.ValidationError``
(`_responses.invalid`). The
rules are the schemas' own (``required``, ``unevaluatedProperties: not {}``,
types, ``minLength``/``maxLength``, enums, formats) plus the shapes their
descriptions and examples give: E.164 phones, ``local@domain.tld`` emails,
web addresses such as ``www.example.com``, absolute http(s) callback URLs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import attrs

__all__ = [
    "E164",
    "NOT_AN_OBJECT",
    "RequestError",
    "brand_problems",
    "campaign_problems",
    "check",
    "update_problems",
]

Problem = tuple[str, str]
NOT_AN_OBJECT: Final = ("invalid_json", "the request body must be a JSON object")

E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# The vendor's example is "www.example.com": an optional http(s) scheme, a host with a dot,
# an optional port, path, query or fragment.
_WEBSITE: Final = re.compile(
    r"(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[0-9]{1,5})?(?:[/?#]\S*)?", re.IGNORECASE
)
_UUID: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
# OpenAPI components/schemas LegalEntityType and CompanyVertical.
_LEGAL_ENTITY_TYPES: Final = ("PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT", "GOVERNMENT")
_COMPANY_VERTICALS: Final = (
    "AGRICULTURE",
    "COMMUNICATION",
    "CONSTRUCTION",
    "EDUCATION",
    "ENERGY",
    "ENTERTAINMENT",
    "FINANCIAL",
    "GAMBLING",
    "GOVERNMENT",
    "HEALTHCARE",
    "HOSPITALITY",
    "HUMAN_RESOURCES",
    "INSURANCE",
    "LEGAL",
    "MANUFACTURING",
    "NGO",
    "POLITICAL",
    "POSTAL",
    "PROFESSIONAL",
    "REAL_ESTATE",
    "RETAIL",
    "TECHNOLOGY",
    "TRANSPORTATION",
)
_VALUE: Final = "invalid_value"
_TYPE_NAMES: Final = {str: "a string", bool: "a boolean", list: "a list of strings"}


class RequestError(ValueError):
    """
    A request body the API would answer with 422; ``problems`` are the items of its body.

    Example::

        try:
            data.create_brand({"name": "x"})
        except ValueError as exc:
            print(exc)  # every violation, one after the other
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(detail for _, detail in problems))
        self.problems = problems


def check(problems: list[Problem]) -> None:
    """
    Raise `RequestError` with ``problems``, if there are any.

    Example::

        check(brand_problems(body))
    """
    if problems:
        raise RequestError(problems)


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:  # that, or a malformed IPv6 host
        return False
    absolute = parts.scheme in {"http", "https"} and bool(parts.hostname)
    return absolute and not any(c.isspace() for c in value)


@attrs.frozen
class _Rule:
    # One property of a request schema: its JSON type, length bounds and format (or enum).
    kind: type
    low: int = 0
    high: int | None = None
    check: Callable[[Any], object] | None = None
    expected: str = ""
    code: str = "invalid_format"

    def problems(self, name: str, value: object) -> list[Problem]:
        if not _has_type(self.kind, value):
            return [("invalid_type", f"{name} must be {_TYPE_NAMES[self.kind]}")]
        found = []
        if isinstance(value, str) and _outside(len(value), self.low, self.high):
            bounds = f"{self.low} to {self.high}" if self.high else f"at least {self.low}"
            found.append(("invalid_length", f"{name} must be {bounds} characters"))
        if self.check is not None and not self.check(value):
            found.append((self.code, f"{name} must be {self.expected}"))
        return found


def _has_type(kind: type, value: object) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, kind)


def _outside(length: int, low: int, high: int | None) -> bool:
    return length < low or (high is not None and length > high)


def _one_of(values: tuple[str, ...]) -> _Rule:
    return _Rule(
        str, check=values.__contains__, expected=f"one of {', '.join(values)}", code=_VALUE
    )


def _matching(
    pattern: re.Pattern[str], expected: str, low: int = 0, high: int | None = None
) -> _Rule:
    return _Rule(str, low, high, pattern.fullmatch, expected)


_TEXT = _Rule(str)
_FLAG = _Rule(bool)
_NAME = _Rule(str, 3, 64)
_SAMPLE = _Rule(str, 20)
_CALLBACK = _Rule(str, check=_is_http_url, expected="an absolute http or https URL")
_BRAND_ID = _matching(_UUID, "a UUID")


@attrs.frozen
class _Form:
    # One request schema: the rule of each required property, then of each optional one.
    required: Mapping[str, _Rule]
    optional: Mapping[str, _Rule] = attrs.Factory(dict)

    def problems(self, body: Mapping[str, Any]) -> list[Problem]:
        found = [(_MISSING, f"{name} is required") for name in self.required if name not in body]
        for name, value in body.items():
            rule = self.required.get(name) or self.optional.get(name)
            if rule is None:
                found.append(("unknown_attribute", f"unknown attribute {name!r}"))
            else:
                found += rule.problems(name, value)
        return found


_MISSING = "missing_attribute"
# The managed campaign's seven required yes/no questions.
_YES_NO = (
    "number_pooling_required",
    "direct_lending",
    "embedded_link",
    "embedded_phone",
    "age_gated_content",
    "lead_generation",
    "terms_and_conditions",
)
# OpenAPI components/schemas, one form each, properties in the schema's order.
_MANAGED_BRAND = _Form(
    required={
        "name": _NAME,
        "company_name": _NAME,
        "contact_email": _matching(_EMAIL, "an email address such as info@example.com", 3, 64),
        "contact_phone": _matching(E164, "an E.164 phone number such as +18995551212", 3, 64),
        "ein_issuing_country": _TEXT,
        "legal_entity_type": _one_of(_LEGAL_ENTITY_TYPES),
        "ein": _TEXT,
        "company_address": _TEXT,
        "company_website": _matching(_WEBSITE, "a web address such as www.example.com"),
    },
    optional={"company_vertical": _one_of(_COMPANY_VERTICALS), "status_callback_url": _CALLBACK},
)
_CSP_BRAND = _Form(
    required={
        "csp_self_registered": _Rule(bool, check=lambda v: v is True, expected="true", code=_VALUE),
        "name": _NAME,
        "csp_brand_reference": _TEXT,
    },
    optional={"status_callback_url": _CALLBACK},
)
_MANAGED_CAMPAIGN = _Form(
    required={
        "name": _NAME,
        "brand_id": _BRAND_ID,
        "sms_use_case": _TEXT,
        "description": _Rule(str, 40),
        **dict.fromkeys(("sample1", "sample2"), _SAMPLE),
        "message_flow": _Rule(str, 40),
        **dict.fromkeys(("opt_out_message", "help_message"), _SAMPLE),
        **dict.fromkeys(_YES_NO, _FLAG),
    },
    optional={
        "sub_use_cases": _Rule(list),
        "campaign_verify_token": _TEXT,
        **dict.fromkeys(("sample3", "sample4", "sample5", "opt_in_message"), _SAMPLE),
        "dynamic_messages": _TEXT,
        **dict.fromkeys(("opt_in_keywords", "opt_out_keywords", "help_keywords"), _TEXT),
        "number_pooling_per_campaign": _TEXT,
        "status_callback_url": _CALLBACK,
    },
)
_PARTNER_CAMPAIGN = _Form(
    required={"name": _NAME, "brand_id": _BRAND_ID, "csp_campaign_reference": _TEXT},
    optional={"status_callback_url": _CALLBACK},
)
# UpdateCampaignRequest gives name no length bounds (unlike the create forms): a name of
# any length is a valid update there, so the fake does not refuse one.
_UPDATE_CAMPAIGN = _Form(required={}, optional={"name": _TEXT})


def brand_problems(body: Mapping[str, Any]) -> list[Problem]:
    """
    Check a ``create_brand`` body: a ``CreateCspBrandRequest`` or a ``CreateManagedBrandRequest``.

    A body with ``csp_self_registered`` or ``csp_brand_reference`` is taken for
    the CSP form (and ``csp_self_registered`` must then be ``true``), any other
    for the managed form.

    Example::

        problems = brand_problems({"name": "Acme"})
        assert problems[0] == ("missing_attribute", "company_name is required")
    """
    csp = "csp_self_registered" in body or "csp_brand_reference" in body
    return (_CSP_BRAND if csp else _MANAGED_BRAND).problems(body)


def campaign_problems(body: Mapping[str, Any], brand_id: str) -> list[Problem]:
    """
    Check a ``create_campaign`` body for the brand ``brand_id`` (the path's).

    A body with ``csp_campaign_reference`` is a ``CreatePartnerCampaignRequest``,
    any other a ``CreateManagedCampaignRequest``; in both, ``brand_id`` must be
    the path's brand.

    Example::

        problems = campaign_problems(body, brand_id)
    """
    form = _PARTNER_CAMPAIGN if "csp_campaign_reference" in body else _MANAGED_CAMPAIGN
    found = form.problems(body)
    given = body.get("brand_id")
    if isinstance(given, str) and _UUID.fullmatch(given) and given.lower() != brand_id.lower():
        found.append(
            ("brand_mismatch", f"brand_id {given} is not the brand {brand_id} of the path")
        )
    return found


def update_problems(body: Mapping[str, Any]) -> list[Problem]:
    """
    Check an ``update_campaign`` body (``UpdateCampaignRequest``: an optional string ``name``).

    Example::

        assert update_problems({"name": 7}) == [("invalid_type", "name must be a string")]
    """
    return _UPDATE_CAMPAIGN.problems(body)
