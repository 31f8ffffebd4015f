"""The codec: JSON bodies into typed models, strict about types and lenient about growth."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import (
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Links,
    Order,
    OrderState,
    ResponseError,
)
from signalwire_orders._codec import decode, decode_page
from support import API, CAMPAIGN_ID, ORDER_ID, sample_json

ORDER_ID_2 = "9b8d3c21-7f1e-4e6a-8a57-0e2f3b9c4d10"
ORDERS_URL = f"{API}/campaigns/{CAMPAIGN_ID}/orders"
ORDER_URL = f"{API}/orders/{ORDER_ID}"
#: A page of one processed order, as the API lists it.
PAGE: dict[str, Any] = sample_json("page_of_orders.json")
LINKS: dict[str, str] = PAGE["links"]
ORDER: dict[str, Any] = PAGE["data"][0]
ASSIGNED_NUMBER: dict[str, Any] = {
    "id": "0f2c8a34-5c1d-4b55-9a0e-6d7e8f9a0b1c",
    "state": "completed",
    "campaign_id": CAMPAIGN_ID,
    "phone_number": {
        "id": "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7",
        "name": "Main line",
        "number": "+15558675309",
        "status_callback_url": "https://example.com/numbers",
    },
    "created_at": "2024-01-15T09:30:00Z",
    "updated_at": "2024-01-15T09:32:00Z",
}
BRAND: dict[str, Any] = {
    "id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
    "state": "completed",
    "name": "Acme Alerts",
    "company_name": "Acme Inc",
    "contact_email": "ops@acme.example",
    "contact_phone": "+15551230000",
    "ein_issuing_country": "US",
    "legal_entity_type": "PRIVATE_PROFIT",
    "ein": "12-3456789",
    "company_address": "1 Main St, Springfield",
    "company_vertical": "RETAIL",
    "company_website": "https://acme.example",
    "csp_brand_reference": "BRAND123",
    "csp_self_registered": False,
    "status_callback_url": "https://example.com/brands",
    "created_at": "2024-01-10T08:00:00Z",
    "updated_at": "2024-01-11T08:00:00Z",
}
CAMPAIGN: dict[str, Any] = {
    "id": CAMPAIGN_ID,
    "name": "Appointment reminders",
    "state": "active",
    "sms_use_case": "MIXED",
    "sub_use_cases": ["ACCOUNT_NOTIFICATION", "CUSTOMER_CARE"],
    "description": "Reminders for booked appointments",
    "sample1": "Your appointment is tomorrow at 9am.",
    "number_pooling_required": False,
    "direct_lending": False,
    "embedded_link": True,
    "embedded_phone": False,
    "age_gated_content": False,
    "lead_generation": False,
    "csp_campaign_reference": "CAMP123",
    "created_at": "2024-01-12T10:00:00Z",
}


def body(doc: Any) -> bytes:
    """Serialise a document the way a server would."""
    return json.dumps(doc).encode()


def order_with(**fields: Any) -> bytes:
    """A single-order body: the documented order with some fields replaced."""
    return body({**ORDER, **fields})


def page_of(*items: Any, links: Any = LINKS) -> bytes:
    """A list body with the given items and links."""
    return body({"links": links, "data": list(items)})


def decode_order(raw: bytes) -> Order:
    """Decode a single-order body as the client does for ``orders.get``."""
    return decode(Order, raw, where=ORDER_URL, status=200)


def decode_error(model: type[Any], raw: bytes, *, page: bool = False) -> ResponseError:
    """Return the ``ResponseError`` that decoding ``raw`` raises."""
    decoder: Callable[..., object] = decode_page if page else decode
    where = ORDERS_URL if page else ORDER_URL
    with pytest.raises(ResponseError) as info:
        decoder(model, raw, where=where, status=200)
    return info.value


class TestDecodeOrder:
    def test_documented_order_decodes_every_field(self) -> None:
        """The OpenAPI example order decodes into typed values."""
        expected = Order(
            id=UUID(ORDER_ID),
            state=OrderState.PROCESSED,
            processed_at=datetime(2024, 1, 15, 9, 31, tzinfo=UTC),
            created_at=datetime(2024, 1, 15, 9, 30, tzinfo=UTC),
            updated_at=datetime(2024, 1, 15, 9, 31, tzinfo=UTC),
            status_callback_url="https://example.com/handle_callback",
        )

        actual = decode_order(body(ORDER))

        assert expected == actual

    def test_id_is_a_uuid_instance(self) -> None:
        """The order id is a ``uuid.UUID``, not a string."""
        expected = UUID

        actual = type(decode_order(body(ORDER)).id)

        assert expected is actual

    def test_upper_case_id_gives_the_same_uuid(self) -> None:
        """An upper-case id decodes to the same UUID as its lower-case form."""
        expected = UUID(ORDER_ID)

        actual = decode_order(order_with(id=ORDER_ID.upper())).id

        assert expected == actual

    def test_z_suffix_gives_utc(self) -> None:
        """A ``Z`` time is timezone-aware with a zero offset."""
        expected = timedelta(0)

        actual = decode_order(order_with(created_at="2024-01-15T09:30:00Z")).created_at

        assert actual is not None
        assert expected == actual.utcoffset()

    def test_offset_is_kept(self) -> None:
        """A ``+02:00`` time keeps its offset and its instant."""
        created = decode_order(order_with(created_at="2024-01-15T11:30:00+02:00")).created_at
        expected = (timedelta(hours=2), datetime(2024, 1, 15, 9, 30, tzinfo=UTC))

        actual = (created.utcoffset() if created else None, created)

        assert expected == actual

    def test_fractional_seconds_are_kept(self) -> None:
        """Fractional seconds survive decoding."""
        expected = datetime(2024, 1, 15, 9, 30, 0, 123000, tzinfo=UTC)

        actual = decode_order(order_with(created_at="2024-01-15T09:30:00.123Z")).created_at

        assert expected == actual

    @pytest.mark.parametrize("page", [False, True], ids=["order", "page"])
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-01-15T09:30:00.1234564Z", datetime(2024, 1, 15, 9, 30, 0, 123456, tzinfo=UTC)),
            ("2024-01-15T09:30:00.1234565Z", datetime(2024, 1, 15, 9, 30, 0, 123457, tzinfo=UTC)),
            ("2024-01-15T09:30:00.123456999Z", datetime(2024, 1, 15, 9, 30, 0, 123457, tzinfo=UTC)),
            ("2024-01-15T09:30:00.0000005Z", datetime(2024, 1, 15, 9, 30, 0, 1, tzinfo=UTC)),
            ("2024-12-31T23:59:59.9999995Z", datetime(2025, 1, 1, tzinfo=UTC)),
            ("2024-12-31t23:59:59.9999995z", datetime(2025, 1, 1, tzinfo=UTC)),
            (
                "2024-01-15T09:30:00.99999949+02:00",
                datetime(2024, 1, 15, 7, 30, 0, 999999, tzinfo=UTC),
            ),
            ("2024-01-15T09:30:00,1234565Z", datetime(2024, 1, 15, 9, 30, 0, 123457, tzinfo=UTC)),
            ("20240115T093000.1234565", datetime(2024, 1, 15, 9, 30, 0, 123457, tzinfo=UTC)),
        ],
    )
    def test_digits_past_the_microsecond_round_on_the_seventh(
        self, text: str, expected: datetime, page: bool
    ) -> None:
        """A time finer than a microsecond rounds half up, carrying into the second and year."""
        if page:
            actual = decode_page(Order, page_of({"id": ORDER_ID, "created_at": text}), where="/o")
            created = actual.data[0].created_at
        else:
            created = decode_order(order_with(created_at=text)).created_at

        assert expected == created

    def test_rounding_past_the_largest_time_is_a_response_error(self) -> None:
        """The last representable microsecond cannot round up: a ResponseError, not a crash."""
        error = decode_error(Order, order_with(created_at="9999-12-31T23:59:59.9999995Z"))

        assert "rounds past the largest time" in str(error)

    def test_naive_time_is_taken_as_utc(self) -> None:
        """A time without an offset (a sloppy server) is read as UTC, never left naive."""
        expected = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

        actual = decode_order(order_with(created_at="2024-01-15T09:30:00")).created_at

        assert actual is not None
        assert actual.tzinfo is not None
        assert expected == actual

    def test_lower_case_t_and_z_are_accepted(self) -> None:
        """RFC 3339 section 5.6 allows lower-case ``t`` and ``z``; they decode like upper-case."""
        expected = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

        actual = decode_order(order_with(created_at="2024-01-15t09:30:00z")).created_at

        assert expected == actual

    def test_only_id_gives_defaults(self) -> None:
        """Every field but ``id`` may be absent."""
        expected = Order(id=UUID(ORDER_ID))

        actual = decode_order(body({"id": ORDER_ID}))

        assert expected == actual

    def test_null_fields_become_none(self) -> None:
        """Explicit ``null`` values decode to ``None``."""
        expected = Order(id=UUID(ORDER_ID))

        actual = decode_order(
            order_with(
                state=None,
                processed_at=None,
                created_at=None,
                updated_at=None,
                status_callback_url=None,
            )
        )

        assert expected == actual

    def test_known_state_is_the_enum_member(self) -> None:
        """A documented state decodes to the very enum member."""
        expected = OrderState.PENDING

        actual = decode_order(order_with(state="pending")).state

        assert expected is actual

    def test_unknown_state_is_kept(self) -> None:
        """An undocumented state is kept as an ``OrderState`` equal to its string."""
        state = decode_order(order_with(state="archived")).state
        expected = (True, "archived", False)

        actual = (isinstance(state, OrderState), state, state.is_known if state else None)

        assert expected == actual

    def test_unknown_fields_are_kept_in_extra(self) -> None:
        """Fields the API adds later land in ``extra`` with their JSON values."""
        expected = {"priority": 3, "labels": ["a", "b"]}

        actual = dict(decode_order(order_with(priority=3, labels=["a", "b"])).extra)

        assert expected == actual

    def test_no_unknown_fields_gives_empty_extra(self) -> None:
        """A body of documented fields only has an empty ``extra``."""
        expected: dict[str, Any] = {}

        actual = dict(decode_order(body(ORDER)).extra)

        assert expected == actual

    def test_number_for_a_string_field_is_refused(self) -> None:
        """A number where a string belongs is a ``ResponseError``, never ``str()``-ed."""
        error = decode_error(Order, order_with(status_callback_url=5))

        assert "expected str, got int" in str(error)

    def test_number_for_state_is_refused(self) -> None:
        """A number as the state is a ``ResponseError``."""
        decode_error(Order, order_with(state=3))

    def test_number_for_a_time_is_refused(self) -> None:
        """A Unix timestamp where an RFC 3339 string belongs is a ``ResponseError``."""
        decode_error(Order, order_with(created_at=1705311000))

    def test_malformed_time_is_refused(self) -> None:
        """A string that is not a date-time is a ``ResponseError``."""
        decode_error(Order, order_with(created_at="yesterday"))

    def test_missing_id_is_refused(self) -> None:
        """An order without ``id`` is a ``ResponseError`` naming the field."""
        error = decode_error(Order, body({"state": "pending"}))

        assert "id" in str(error)

    def test_id_that_is_not_a_uuid_is_refused(self) -> None:
        """A non-UUID id is a ``ResponseError``."""
        decode_error(Order, order_with(id="not-a-uuid"))

    def test_numeric_id_is_refused(self) -> None:
        """A numeric id is a ``ResponseError``, not a UUID built from an int."""
        decode_error(Order, order_with(id=42))

    def test_json_array_is_refused(self) -> None:
        """A JSON array where an object belongs is a ``ResponseError``."""
        decode_error(Order, body([ORDER]))

    def test_error_names_url_status_and_snippet(self) -> None:
        """The error carries the URL, the status and the start of the body."""
        raw = b"<html>oops</html>"
        expected = (ORDER_URL, 200, "<html>oops</html>")

        error = decode_error(Order, raw)
        actual = (error.url, error.status, error.body_snippet)

        assert expected == actual

    def test_error_message_names_url_and_status(self) -> None:
        """The message alone says which URL and status gave the bad body."""
        error = decode_error(Order, b"not json")

        assert ORDER_URL in str(error)
        assert "200" in str(error)


class TestDecodeAssignedNumber:
    def test_nested_phone_number_is_decoded(self) -> None:
        """The nested ``phone_number`` object becomes an ``AssignedPhoneNumber``."""
        expected = AssignedPhoneNumber(
            id=UUID("a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7"),
            name="Main line",
            number="+15558675309",
            status_callback_url="https://example.com/numbers",
        )

        actual = decode(AssignedNumber, body(ASSIGNED_NUMBER), where=ORDER_URL).phone_number

        assert expected == actual

    def test_documented_assignment_decodes_every_field(self) -> None:
        """State, campaign id and times decode to their types."""
        number = decode(AssignedNumber, body(ASSIGNED_NUMBER), where=ORDER_URL)
        expected = (
            UUID("0f2c8a34-5c1d-4b55-9a0e-6d7e8f9a0b1c"),
            AssignmentState.COMPLETED,
            UUID(CAMPAIGN_ID),
            datetime(2024, 1, 15, 9, 32, tzinfo=UTC),
        )

        actual = (number.id, number.state, number.campaign_id, number.updated_at)

        assert expected == actual

    def test_unknown_fields_of_the_phone_number_are_kept(self) -> None:
        """Unknown fields of the nested object land in its own ``extra``."""
        raw = body({**ASSIGNED_NUMBER, "phone_number": {"number": "+15558675309", "carrier": "X"}})
        expected = {"carrier": "X"}

        phone = decode(AssignedNumber, raw, where=ORDER_URL).phone_number
        actual = dict(phone.extra) if phone else None

        assert expected == actual

    def test_phone_number_that_is_not_an_object_is_refused(self) -> None:
        """A string where the ``phone_number`` object belongs is a ``ResponseError``."""
        decode_error(AssignedNumber, body({**ASSIGNED_NUMBER, "phone_number": "+15558675309"}))

    def test_unknown_assignment_state_is_kept(self) -> None:
        """An undocumented assignment state is kept."""
        expected = "revoked"

        actual = decode(
            AssignedNumber, body({**ASSIGNED_NUMBER, "state": "revoked"}), where=ORDER_URL
        ).state

        assert expected == actual


class TestDecodeBrand:
    def test_documented_brand_decodes(self) -> None:
        """The documented brand fields decode, the boolean included."""
        brand = decode(Brand, body(BRAND), where=ORDER_URL)
        expected = (
            UUID(BRAND["id"]),
            BrandState.COMPLETED,
            "Acme Alerts",
            False,
            datetime(2024, 1, 10, 8, tzinfo=UTC),
        )

        actual = (brand.id, brand.state, brand.name, brand.csp_self_registered, brand.created_at)

        assert expected == actual

    def test_string_true_for_a_boolean_is_refused(self) -> None:
        """``"true"`` where a boolean belongs is a ``ResponseError``."""
        decode_error(Brand, body({**BRAND, "csp_self_registered": "true"}))

    def test_integer_for_a_boolean_is_refused(self) -> None:
        """``1`` where a boolean belongs is a ``ResponseError``."""
        decode_error(Brand, body({**BRAND, "csp_self_registered": 1}))

    def test_boolean_for_a_string_is_refused(self) -> None:
        """``true`` where a string belongs is a ``ResponseError``."""
        decode_error(Brand, body({**BRAND, "name": True}))


class TestDecodeCampaign:
    def test_sub_use_cases_become_a_tuple(self) -> None:
        """``sub_use_cases`` decodes to a tuple of strings."""
        expected = ("ACCOUNT_NOTIFICATION", "CUSTOMER_CARE")

        actual = decode(Campaign, body(CAMPAIGN), where=ORDER_URL).sub_use_cases

        assert expected == actual

    def test_absent_sub_use_cases_give_an_empty_tuple(self) -> None:
        """A campaign without ``sub_use_cases`` has an empty tuple."""
        expected: tuple[str, ...] = ()

        actual = decode(Campaign, body({"id": CAMPAIGN_ID}), where=ORDER_URL).sub_use_cases

        assert expected == actual

    def test_string_for_sub_use_cases_is_refused(self) -> None:
        """A single string where the list belongs is refused, not split into characters."""
        decode_error(Campaign, body({**CAMPAIGN, "sub_use_cases": "MARKETING"}))

    def test_object_for_sub_use_cases_is_refused(self) -> None:
        """An object where the list belongs is refused, not reduced to its keys."""
        decode_error(Campaign, body({**CAMPAIGN, "sub_use_cases": {"MARKETING": True}}))

    def test_number_in_sub_use_cases_is_refused(self) -> None:
        """A number inside ``sub_use_cases`` is a ``ResponseError``."""
        decode_error(Campaign, body({**CAMPAIGN, "sub_use_cases": ["MIXED", 2]}))

    def test_documented_campaign_decodes(self) -> None:
        """Names, state, booleans and times decode to their types."""
        campaign = decode(Campaign, body(CAMPAIGN), where=ORDER_URL)
        expected = (
            UUID(CAMPAIGN_ID),
            "Appointment reminders",
            CampaignState.ACTIVE,
            True,
            False,
            datetime(2024, 1, 12, 10, tzinfo=UTC),
        )

        actual = (
            campaign.id,
            campaign.name,
            campaign.state,
            campaign.embedded_link,
            campaign.direct_lending,
            campaign.created_at,
        )

        assert expected == actual

    def test_string_false_for_a_boolean_is_refused(self) -> None:
        """``"false"`` where a boolean belongs is a ``ResponseError``."""
        decode_error(Campaign, body({**CAMPAIGN, "embedded_link": "false"}))


class TestDecodePage:
    def test_page_of_orders_is_typed(self) -> None:
        """A list body decodes into a page of ``Order`` in wire order."""
        expected = (UUID(ORDER_ID), UUID(ORDER_ID_2))

        page = decode_page(Order, page_of(ORDER, {"id": ORDER_ID_2}), where=ORDERS_URL)
        actual = tuple(order.id for order in page.data)

        assert expected == actual

    def test_data_is_a_tuple(self) -> None:
        """The page's ``data`` is an immutable tuple."""
        expected = tuple

        actual = type(decode_page(Order, page_of(ORDER), where=ORDERS_URL).data)

        assert expected is actual

    def test_links_self_is_read_into_self_link(self) -> None:
        """The wire key ``self`` becomes ``Links.self_link``; links are kept as given."""
        expected = Links(self_link=LINKS["self"], first=LINKS["first"], next=LINKS["next"])

        actual = decode_page(Order, page_of(ORDER), where=ORDERS_URL).links

        assert expected == actual

    def test_absent_next_is_none(self) -> None:
        """The last page has no ``next`` link."""
        links = {"self": LINKS["self"], "first": LINKS["first"]}

        actual = decode_page(Order, page_of(ORDER, links=links), where=ORDERS_URL).links.next

        assert actual is None

    def test_null_next_and_prev_are_none(self) -> None:
        """Explicit ``null`` links decode to ``None``."""
        links = {**LINKS, "next": None, "prev": None}
        expected = (None, None)

        page = decode_page(Order, page_of(ORDER, links=links), where=ORDERS_URL)
        actual = (page.links.next, page.links.prev)

        assert expected == actual

    def test_empty_data_is_an_empty_page(self) -> None:
        """``data: []`` is an empty page, not an error."""
        expected: tuple[Order, ...] = ()

        actual = decode_page(Order, page_of(), where=ORDERS_URL).data

        assert expected == actual

    @pytest.mark.parametrize(
        ("model", "item"),
        [(AssignedNumber, ASSIGNED_NUMBER), (Brand, BRAND), (Campaign, CAMPAIGN)],
    )
    def test_every_list_model_decodes_in_a_page(self, model: type[Any], item: Any) -> None:
        """Pages of number assignments, brands and campaigns decode to their models."""
        expected = [model]

        actual = [type(x) for x in decode_page(model, page_of(item), where=ORDERS_URL).data]

        assert expected == actual

    def test_unknown_top_level_fields_are_ignored(self) -> None:
        """A page with extra top-level fields (e.g. ``meta``) still decodes."""
        raw = body({"links": LINKS, "data": [ORDER], "meta": {"total": 1}})
        expected = 1

        actual = len(decode_page(Order, raw, where=ORDERS_URL).data)

        assert expected == actual

    def test_missing_id_names_the_item(self) -> None:
        """An item without ``id`` fails the page with a message naming ``data[i]``."""
        error = decode_error(Order, page_of(ORDER, {"state": "pending"}), page=True)

        assert "data[1]" in str(error)

    def test_bad_item_after_good_ones_fails_the_whole_page(self) -> None:
        """One bad item raises; no partial page is returned."""
        raw = page_of(ORDER, {"id": ORDER_ID_2}, {"id": 7})

        error = decode_error(Order, raw, page=True)

        assert "data[2]" in str(error)

    def test_item_that_is_not_an_object_is_refused(self) -> None:
        """A string where an order object belongs is a ``ResponseError``."""
        error = decode_error(Order, page_of(ORDER_ID), page=True)

        assert "data[0]" in str(error)

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param(b"<html><body>502 Bad Gateway</body></html>", id="html"),
            pytest.param(b'{"links": {}, "data": [', id="truncated"),
            pytest.param(b"", id="empty"),
            pytest.param(b"\xff\xfe\x00{", id="not-utf8"),
            pytest.param(b"[]", id="array"),
            pytest.param(b'"data"', id="string"),
            pytest.param(b"null", id="null"),
            pytest.param(b'{"links": {"self": "/a", "first": "/a"}}', id="data-missing"),
            pytest.param(b'{"links": {"self": "/a", "first": "/a"}, "data": {}}', id="data-object"),
            pytest.param(b'{"links": {"self": "/a", "first": "/a"}, "data": null}', id="data-null"),
            pytest.param(b'{"data": []}', id="links-missing"),
            pytest.param(b'{"links": null, "data": []}', id="links-null"),
            pytest.param(b'{"links": [], "data": []}', id="links-array"),
            pytest.param(b'{"links": {"first": "/a"}, "data": []}', id="links-self-missing"),
            pytest.param(b'{"links": {"self": 1, "first": "/a"}, "data": []}', id="links-self-int"),
        ],
    )
    def test_malformed_body_is_a_response_error_with_context(self, raw: bytes) -> None:
        """A body that is not a documented page raises naming URL, status and a snippet."""
        with pytest.raises(ResponseError) as info:
            decode_page(Order, raw, where=ORDERS_URL, status=200)
        expected = (ORDERS_URL, 200, True, True)

        error = info.value
        actual = (error.url, error.status, ORDERS_URL in str(error), "200" in str(error))

        assert expected == actual

    def test_missing_links_are_named(self) -> None:
        """A page without ``links`` says that ``links`` is the problem."""
        error = decode_error(Order, body({"data": [ORDER]}), page=True)

        assert "links" in str(error)

    def test_status_given_is_reported(self) -> None:
        """The status passed by the caller is the one the error carries."""
        with pytest.raises(ResponseError) as info:
            decode_page(Order, b"nope", where=ORDERS_URL, status=203)
        expected = 203

        actual = info.value.status

        assert expected == actual

    def test_snippet_is_one_short_line(self) -> None:
        """A long multi-line body gives a one-line snippet of at most 200 characters."""
        raw = b"<html>\n" + b"x" * 5000 + b"\n</html>"

        snippet = decode_error(Order, raw, page=True).body_snippet

        assert "\n" not in snippet
        assert 0 < len(snippet) <= 200

    def test_snippet_of_non_utf8_body_is_printable(self) -> None:
        """Bytes that are not UTF-8 still give a text snippet."""
        snippet = decode_error(Order, b"\xff\xfeoops", page=True).body_snippet

        assert "oops" in snippet


# -- properties ---------------------------------------------------------------

_KNOWN_ORDER_FIELDS = {
    "id",
    "state",
    "processed_at",
    "created_at",
    "updated_at",
    "status_callback_url",
}
_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001  # hypothesis bounds are naive
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=_offsets,
)
_states = st.sampled_from(["pending", "processing", "processed", "failed"]) | st.text(max_size=12)
_json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats() | st.text(max_size=8)
)
#: Values that survive a JSON round trip unchanged (no NaN or infinities).
_valid_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_json = st.recursive(
    _json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def order_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid wire order: an id, any subset of the documented fields, maybe unknown fields."""
    doc: dict[str, Any] = {"id": str(draw(st.uuids()))}
    if draw(st.booleans()):
        doc["state"] = draw(_states)
    for name in ("processed_at", "created_at", "updated_at"):
        if draw(st.booleans()):
            doc[name] = draw(_aware_times).isoformat()
    if draw(st.booleans()):
        doc["status_callback_url"] = draw(st.text(max_size=30))
    extra = draw(
        st.dictionaries(
            st.text(min_size=1, max_size=8).filter(lambda k: k not in _KNOWN_ORDER_FIELDS),
            _valid_json_scalars,
            max_size=3,
        )
    )
    doc.update(extra)
    return doc


_field_names = st.sampled_from(
    [
        "id",
        "state",
        "created_at",
        "status_callback_url",
        "phone_number",
        "campaign_id",
        "sub_use_cases",
        "csp_self_registered",
        "embedded_link",
        "name",
    ]
)
_junk_items = st.dictionaries(_field_names | st.text(max_size=4), _json, max_size=6)
_models = st.sampled_from([Order, AssignedNumber, Brand, Campaign])


class TestDecodeProperties:
    @given(order_dicts())
    def test_valid_orders_round_trip_their_values(self, doc: dict[str, Any]) -> None:
        """Any valid order decodes, and every field keeps its value."""
        order = decode(Order, json.dumps(doc).encode(), where=ORDER_URL)
        times = {
            name: datetime.fromisoformat(doc[name]) if name in doc else None
            for name in ("processed_at", "created_at", "updated_at")
        }
        expected = (
            UUID(doc["id"]),
            doc.get("state"),
            times,
            doc.get("status_callback_url"),
            {k: v for k, v in doc.items() if k not in _KNOWN_ORDER_FIELDS},
        )

        actual = (
            order.id,
            None if order.state is None else str(order.state),
            {
                "processed_at": order.processed_at,
                "created_at": order.created_at,
                "updated_at": order.updated_at,
            },
            order.status_callback_url,
            dict(order.extra),
        )

        assert expected == actual

    @given(order_dicts())
    def test_decoded_times_are_always_aware(self, doc: dict[str, Any]) -> None:
        """Every decoded time carries an offset."""
        order = decode(Order, json.dumps(doc).encode(), where=ORDER_URL)

        times = [order.processed_at, order.created_at, order.updated_at]

        assert all(t.tzinfo is not None for t in times if t is not None)

    @given(st.lists(order_dicts(), max_size=5))
    def test_valid_pages_keep_every_item_in_order(self, docs: list[dict[str, Any]]) -> None:
        """A page of valid orders decodes to the same ids in the same order."""
        expected = [UUID(doc["id"]) for doc in docs]

        page = decode_page(Order, page_of(*docs), where=ORDERS_URL)
        actual = [order.id for order in page.data]

        assert expected == actual

    @given(_models, st.binary(max_size=64))
    def test_arbitrary_bytes_raise_only_response_error(self, model: type[Any], raw: bytes) -> None:
        """Random bytes as a page body either decode or raise ``ResponseError``, nothing else."""
        with contextlib.suppress(ResponseError):
            decode_page(model, raw, where=ORDERS_URL)

    @given(_models, _json)
    def test_arbitrary_json_raises_only_response_error(self, model: type[Any], doc: Any) -> None:
        """Any JSON document as a page body either decodes or raises ``ResponseError``."""
        with contextlib.suppress(ResponseError):
            decode_page(model, json.dumps(doc).encode(), where=ORDERS_URL)

    @given(_models, _json, st.lists(_junk_items, max_size=3))
    def test_page_shaped_junk_raises_only_response_error(
        self, model: type[Any], links: Any, items: list[dict[str, Any]]
    ) -> None:
        """A page with odd links and odd item values only ever raises ``ResponseError``."""
        raw = body({"links": links, "data": items})

        with contextlib.suppress(ResponseError):
            decode_page(model, raw, where=ORDERS_URL)

    @given(_models, st.lists(_junk_items, min_size=1, max_size=3))
    def test_item_junk_with_valid_links_raises_only_response_error(
        self, model: type[Any], items: list[dict[str, Any]]
    ) -> None:
        """Odd item field values under valid links only ever raise ``ResponseError``."""
        with contextlib.suppress(ResponseError):
            decode_page(model, page_of(*items), where=ORDERS_URL)

    @given(_models, _junk_items)
    def test_single_object_junk_raises_only_response_error(
        self, model: type[Any], doc: dict[str, Any]
    ) -> None:
        """A single-object body of odd field values only ever raises ``ResponseError``."""
        with contextlib.suppress(ResponseError):
            decode(model, body(doc), where=ORDER_URL)
