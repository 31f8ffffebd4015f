"""10DLC status callbacks: ``parse_event`` decodes every documented event and keeps growth."""

from __future__ import annotations

import inspect
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import BrandState, CampaignState, OrderState, ResponseError, webhooks
from signalwire_orders.webhooks import (
    EventCategory,
    EventType,
    StatusCallbackReceiver,
    StatusEvent,
    parse_event,
    secret_path,
)
from support import BRAND_ID, CAMPAIGN_ID, OPENAPI, ORDER_ID, PROJECT_ID
from support import NUMBER_ID as ASSIGNMENT_ID

PHONE_NUMBER_ID = "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7"
EVENT_AT = "2024-01-15T09:30:00Z"
REQUIRED = ("project_id", "event_at", "event_category", "event_type", "state", "brand_id")

# The fields each category carries, per the payload schema's descriptions.
_BY_CATEGORY: dict[str, dict[str, str]] = {
    "brand": {},
    "campaign": {"campaign_id": CAMPAIGN_ID},
    "number_assignment_order": {
        "campaign_id": CAMPAIGN_ID,
        "number_assignment_order_id": ORDER_ID,
    },
    "number_assignment": {
        "campaign_id": CAMPAIGN_ID,
        "number_assignment_order_id": ORDER_ID,
        "number_assignment_id": ASSIGNMENT_ID,
        "phone_number_id": PHONE_NUMBER_ID,
        "phone_number": "+15558675309",
    },
}
# One row per event type of the webhook description's tables: (category, type, new state).
DOCUMENTED = [
    ("brand", "brand_activated", "completed"),
    ("brand", "brand_unverified", "unverified"),
    ("campaign", "campaign_activated", "active"),
    ("campaign", "campaign_deactivated", "inactive"),
    ("number_assignment_order", "number_assignment_order_processed", "processed"),
    ("number_assignment", "number_assignment_failed", "failed"),
    ("number_assignment", "number_assignment_pending", "pending"),
    ("number_assignment", "number_assignment_activated", "completed"),
]


def payload(category: str, event_type: str, state: str, **changes: Any) -> dict[str, Any]:
    """A callback body as SignalWire documents it, with ``changes`` applied."""
    body: dict[str, Any] = {
        "project_id": PROJECT_ID,
        "event_at": EVENT_AT,
        "event_category": category,
        "event_type": event_type,
        "state": state,
        "brand_id": BRAND_ID,
        **_BY_CATEGORY[category],
    }
    body.update(changes)
    return body


def encode(body: object) -> bytes:
    return json.dumps(body).encode()


ORDER_PROCESSED = payload(
    "number_assignment_order", "number_assignment_order_processed", "processed"
)
ASSIGNMENT_ACTIVATED = payload("number_assignment", "number_assignment_activated", "completed")


class TestSamples:
    @pytest.mark.parametrize(("category", "event_type", "state"), DOCUMENTED)
    def test_sample_follows_the_openapi_schema(
        self, category: str, event_type: str, state: str
    ) -> None:
        """Each hand-written payload validates against ``TenDlcStatusCallbackPayload``."""
        if not OPENAPI.is_file():
            pytest.skip(f"the vendor OpenAPI is not at {OPENAPI}")
        import yaml  # noqa: PLC0415  # only with the OpenAPI file
        from jsonschema import Draft202012Validator  # noqa: PLC0415

        document = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
        schema = document["components"]["schemas"]["Webhooks.Messaging.TenDlcStatusCallbackPayload"]
        expected: list[str] = []

        actual = [
            e.message
            for e in Draft202012Validator(schema).iter_errors(payload(category, event_type, state))
        ]

        assert expected == actual


class TestParseEvent:
    @pytest.mark.parametrize(("category", "event_type", "state"), DOCUMENTED)
    def test_documented_event_is_typed(self, category: str, event_type: str, state: str) -> None:
        """Every documented event type parses into known enum members and its state."""
        expected = (EventCategory(category), EventType(event_type), state, True, True)

        event = parse_event(encode(payload(category, event_type, state)))
        actual = (
            event.event_category,
            event.event_type,
            event.state,
            event.event_category.is_known,
            event.event_type.is_known,
        )

        assert expected == actual

    @pytest.mark.parametrize(("category", "event_type", "state"), DOCUMENTED)
    def test_documented_event_has_its_category_ids(
        self, category: str, event_type: str, state: str
    ) -> None:
        """Each event carries exactly the ids its category documents, as UUIDs."""
        body = payload(category, event_type, state)
        id_fields = [
            "campaign_id",
            "number_assignment_order_id",
            "number_assignment_id",
            "phone_number_id",
        ]
        expected = (UUID(BRAND_ID), *(UUID(body[f]) if f in body else None for f in id_fields))

        event = parse_event(encode(body))
        actual = (event.brand_id, *(getattr(event, f) for f in id_fields))

        assert expected == actual

    def test_number_assignment_event_decodes_every_field(self) -> None:
        """A number assignment event, the fullest one, decodes field by field."""
        expected = StatusEvent(
            project_id=PROJECT_ID,
            event_at=datetime(2024, 1, 15, 9, 30, tzinfo=UTC),
            event_category=EventCategory.NUMBER_ASSIGNMENT,
            event_type=EventType.NUMBER_ASSIGNMENT_ACTIVATED,
            state="completed",
            brand_id=UUID(BRAND_ID),
            campaign_id=UUID(CAMPAIGN_ID),
            number_assignment_order_id=UUID(ORDER_ID),
            number_assignment_id=UUID(ASSIGNMENT_ID),
            phone_number_id=UUID(PHONE_NUMBER_ID),
            phone_number="+15558675309",
        )

        actual = parse_event(encode(ASSIGNMENT_ACTIVATED))

        assert expected == actual

    def test_brand_event_leaves_other_ids_none(self) -> None:
        """A brand event has no campaign, order, assignment or phone number."""
        expected = (None, None, None, None, None)

        event = parse_event(encode(payload("brand", "brand_activated", "completed")))
        actual = (
            event.campaign_id,
            event.number_assignment_order_id,
            event.number_assignment_id,
            event.phone_number_id,
            event.phone_number,
        )

        assert expected == actual

    def test_state_compares_with_the_state_enums(self) -> None:
        """``state`` is a plain str, equal to the matching ``OrderState``/``BrandState`` value."""
        order = parse_event(encode(ORDER_PROCESSED))
        brand = parse_event(encode(payload("brand", "brand_unverified", "unverified")))
        campaign = parse_event(encode(payload("campaign", "campaign_activated", "active")))

        assert OrderState.PROCESSED == order.state
        assert BrandState.UNVERIFIED == brand.state
        assert CampaignState.ACTIVE == campaign.state

    def test_null_optional_fields_are_none(self) -> None:
        """An optional field sent as ``null`` decodes to ``None``."""
        body = payload("brand", "brand_activated", "completed", campaign_id=None, phone_number=None)
        expected = (None, None)

        event = parse_event(encode(body))
        actual = (event.campaign_id, event.phone_number)

        assert expected == actual


class TestGrowth:
    def test_unknown_event_type_is_kept(self) -> None:
        """An event type the library does not know is kept, equal to its string."""
        body = payload("brand", "brand_vetted", "vetted")
        expected = ("brand_vetted", False)

        event = parse_event(encode(body))
        actual = (event.event_type, event.event_type.is_known)

        assert expected == actual

    def test_unknown_event_type_is_still_an_event_type(self) -> None:
        """A kept unknown event type is an ``EventType`` instance, not a bare str."""
        event = parse_event(encode(payload("brand", "brand_vetted", "vetted")))

        assert isinstance(event.event_type, EventType)

    def test_unknown_event_category_is_kept(self) -> None:
        """An event category the library does not know is kept."""
        body = payload("brand", "toll_free_verified", "verified", event_category="toll_free")
        expected = ("toll_free", False, EventCategory)

        event = parse_event(encode(body))
        actual = (
            event.event_category,
            event.event_category.is_known,
            type(event.event_category),
        )

        assert expected == actual

    def test_unknown_fields_are_kept_in_extra(self) -> None:
        """Fields SignalWire adds later land in ``extra``, with their JSON values."""
        body = {**ORDER_PROCESSED, "reason": "done", "attempt": 2}
        expected = {"reason": "done", "attempt": 2}

        actual = dict(parse_event(encode(body)).extra)

        assert expected == actual

    def test_extra_is_empty_without_unknown_fields(self) -> None:
        """A documented payload has nothing in ``extra``."""
        expected: dict[str, Any] = {}

        actual = dict(parse_event(encode(ORDER_PROCESSED)).extra)

        assert expected == actual

    @given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=40))
    def test_any_event_type_string_round_trips(self, value: str) -> None:
        """Whatever string ``event_type`` holds, the parsed value is equal to it."""
        body = payload("brand", value, "completed")

        actual = parse_event(encode(body)).event_type

        assert value == actual


class TestEventAt:
    def test_utc_designator_is_utc(self) -> None:
        """``Z`` decodes to a UTC-aware datetime."""
        expected = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

        actual = parse_event(encode(ORDER_PROCESSED)).event_at

        assert expected == actual

    def test_offset_is_kept(self) -> None:
        """An explicit offset is kept as the datetime's tzinfo."""
        body = {**ORDER_PROCESSED, "event_at": "2024-01-15T04:30:00-05:00"}
        expected = timezone(timedelta(hours=-5))

        actual = parse_event(encode(body)).event_at.tzinfo

        assert expected == actual

    def test_fractional_seconds_are_kept(self) -> None:
        """Sub-second precision survives decoding."""
        body = {**ORDER_PROCESSED, "event_at": "2024-01-15T09:30:00.123456Z"}
        expected = datetime(2024, 1, 15, 9, 30, 0, 123456, tzinfo=UTC)

        actual = parse_event(encode(body)).event_at

        assert expected == actual

    def test_naive_time_is_taken_as_utc(self) -> None:
        """A time without an offset is taken as UTC, as the codec does for the API."""
        body = {**ORDER_PROCESSED, "event_at": "2024-01-15T09:30:00"}
        expected = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

        actual = parse_event(encode(body)).event_at

        assert expected == actual

    def test_lower_case_designators_are_accepted(self) -> None:
        """RFC 3339's lower-case ``t`` and ``z`` are accepted."""
        body = {**ORDER_PROCESSED, "event_at": "2024-01-15t09:30:00z"}
        expected = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

        actual = parse_event(encode(body)).event_at

        assert expected == actual

    @pytest.mark.parametrize("value", ["yesterday", "", "2024-13-45T99:00:00Z", 1705311000, None])
    def test_garbage_time_is_a_response_error(self, value: object) -> None:
        """An ``event_at`` that is not an ISO 8601 string is rejected."""
        body = {**ORDER_PROCESSED, "event_at": value}

        with pytest.raises(ResponseError):
            parse_event(encode(body))


class TestInvalid:
    @pytest.mark.parametrize("field", REQUIRED)
    def test_missing_required_field_is_a_response_error(self, field: str) -> None:
        """Each of the six required fields is required."""
        body = {k: v for k, v in ORDER_PROCESSED.items() if k != field}

        with pytest.raises(ResponseError, match=field):
            parse_event(encode(body))

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("project_id", 42),
            ("state", ["processed"]),
            ("event_type", 5),
            ("event_category", None),
            ("brand_id", "not-a-uuid"),
            ("number_assignment_order_id", 7),
            ("phone_number", 15558675309),
        ],
    )
    def test_wrong_type_is_a_response_error(self, field: str, value: object) -> None:
        """A field of the wrong type (or an id that is not a UUID) is rejected, not coerced."""
        body = {**ORDER_PROCESSED, field: value}

        with pytest.raises(ResponseError):
            parse_event(encode(body))

    @pytest.mark.parametrize("body", [b"", b"not json", b"{", b"\xff\xfe", b"[]", b"null", b'"x"'])
    def test_body_that_is_not_an_object_is_a_response_error(self, body: bytes) -> None:
        """A body that is not a JSON object is rejected."""
        with pytest.raises(ResponseError):
            parse_event(body)

    def test_error_says_what_was_being_decoded(self) -> None:
        """The message names the status callback, not an API response."""
        body = {k: v for k, v in ORDER_PROCESSED.items() if k != "brand_id"}
        expected = "not a valid 10DLC status callback: missing required field 'brand_id'"

        with pytest.raises(ResponseError) as caught:
            parse_event(encode(body))
        actual = str(caught.value)

        assert expected == actual

    def test_error_keeps_a_snippet_of_the_body(self) -> None:
        """The error carries the start of the offending body, for diagnosis."""
        expected = "not json"

        with pytest.raises(ResponseError) as caught:
            parse_event(b"not json")
        actual = caught.value.body_snippet

        assert expected == actual

    def test_error_pickles(self) -> None:
        """The error survives pickling with its message and snippet."""
        with pytest.raises(ResponseError) as caught:
            parse_event(b"not json")
        expected = (str(caught.value), "not json")

        copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301  # our own bytes
        actual = (str(copy), copy.body_snippet)

        assert expected == actual


class TestStatusEvent:
    def test_is_frozen(self) -> None:
        """Events cannot be changed after decoding."""
        event = parse_event(encode(ORDER_PROCESSED))

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.state = "failed"  # type: ignore[misc]  # the point of the test

    def test_is_slotted(self) -> None:
        """Events have slots, not a ``__dict__``."""
        event = parse_event(encode(ORDER_PROCESSED))

        assert not hasattr(event, "__dict__")

    def test_extra_does_not_affect_equality(self) -> None:
        """Two events equal in their documented fields are equal, whatever ``extra`` holds."""
        plain = parse_event(encode(ORDER_PROCESSED))
        grown = parse_event(encode({**ORDER_PROCESSED, "reason": "x"}))

        assert plain == grown


class TestSecretPath:
    def test_starts_with_the_prefix(self) -> None:
        """The path is the prefix, a slash, then the token."""
        expected = "/hooks/10dlc/"

        actual = secret_path("/hooks/10dlc/")[: len(expected)]

        assert expected == actual

    def test_is_unguessable(self) -> None:
        """Each call returns a new path with at least 256 bits of URL-safe randomness."""
        paths = {secret_path() for _ in range(50)}
        token = next(iter(paths)).rsplit("/", 1)[1]

        assert 50 == len(paths)
        assert len(token) >= 43
        assert token.replace("-", "").replace("_", "").isalnum()


PUBLIC = [
    (name, obj)
    for name, obj in vars(webhooks).items()
    if name in webhooks.__all__ and (inspect.isclass(obj) or inspect.isfunction(obj))
]
RECEIVER_MEMBERS = [
    (f"StatusCallbackReceiver.{name}", member)
    for name, member in vars(StatusCallbackReceiver).items()
    if not name.startswith("_")
]


class TestPublicSurface:
    def test_all_is_sorted(self) -> None:
        """``webhooks.__all__`` is kept sorted."""
        expected = sorted(webhooks.__all__)

        actual = list(webhooks.__all__)

        assert expected == actual

    def test_every_exported_name_exists(self) -> None:
        """Every name in ``webhooks.__all__`` can be imported."""
        expected: list[str] = []

        actual = [name for name in webhooks.__all__ if not hasattr(webhooks, name)]

        assert expected == actual

    @pytest.mark.parametrize(
        ("name", "obj"), PUBLIC + RECEIVER_MEMBERS, ids=[n for n, _ in PUBLIC + RECEIVER_MEMBERS]
    )
    def test_public_name_has_an_example(self, name: str, obj: Any) -> None:
        """Every public class, function and receiver method has a docstring with an example."""
        doc = inspect.getdoc(obj) or ""

        assert "Example" in doc, name
