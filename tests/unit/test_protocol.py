"""The wire protocol without I/O: path ids, queries, phone numbers, headers, status errors."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from uuid import UUID

import pytest

from signalwire_orders import (
    APIErrorItem,
    APIStatusError,
    AssignmentState,
    AuthenticationError,
    BadRequestError,
    BrandState,
    CampaignState,
    NotFoundError,
    OrderState,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from signalwire_orders._protocol import (
    error_items,
    parse_rate_limit,
    parse_retry_after,
    path_id,
    phone_numbers,
    query_string,
    raise_for_status,
    state_filter,
)
from support import API, ORDER_ID, sample

ID = ORDER_ID
URL = f"{API}/campaigns/{ID}/orders"
NOW = datetime(2024, 1, 15, 9, 30, 0, tzinfo=UTC)
HTML_502 = sample("nginx_502.html")
UNPROCESSABLE = sample("unprocessable_422.json")


def status_error(
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    attempts: int = 1,
) -> APIStatusError:
    """Return the error ``raise_for_status`` raises for this answer."""
    with pytest.raises(APIStatusError) as info:
        raise_for_status(status, headers or {}, body, method=method, url=URL, attempts=attempts)
    return info.value


class TestPathId:
    def test_uuid_instance_is_canonical(self) -> None:
        """A ``UUID`` instance gives its canonical string."""
        expected = ID

        actual = path_id(UUID(ID), "campaign_id")

        assert expected == actual

    def test_string_is_canonicalised(self) -> None:
        """A UUID string without hyphens comes back in canonical form."""
        expected = ID

        actual = path_id(ID.replace("-", ""), "campaign_id")

        assert expected == actual

    def test_upper_case_is_accepted_and_lowered(self) -> None:
        """An upper-case UUID string is accepted and lower-cased."""
        expected = ID

        actual = path_id(ID.upper(), "campaign_id")

        assert expected == actual

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("../x", id="dot-dot"),
            pytest.param("", id="empty"),
            pytest.param("not-a-uuid", id="word"),
            pytest.param(f"{ID}/../../brands", id="uuid-then-traversal"),
            pytest.param(f"{ID}?page_size=1", id="uuid-then-query"),
            pytest.param(f"{ID}#x", id="uuid-then-fragment"),
            pytest.param("%2e%2e%2f", id="encoded-dot-dot"),
            pytest.param(ID[:-1], id="too-short"),
        ],
    )
    def test_non_uuid_string_is_a_value_error(self, value: str) -> None:
        """A string that is not a UUID raises ``ValueError`` before any request."""
        with pytest.raises(ValueError, match="campaign_id"):
            path_id(value, "campaign_id")

    def test_int_is_a_type_error(self) -> None:
        """An int id raises ``TypeError`` naming the argument."""
        with pytest.raises(TypeError, match="order_id"):
            path_id(42, "order_id")  # type: ignore[arg-type]  # the mistake under test

    def test_none_is_a_type_error(self) -> None:
        """``None`` as an id raises ``TypeError``."""
        with pytest.raises(TypeError):
            path_id(None, "order_id")  # type: ignore[arg-type]  # the mistake under test


class TestQueryString:
    def test_no_parameters_give_an_empty_string(self) -> None:
        """Without parameters there is no ``?``."""
        expected = ""

        actual = query_string()

        assert expected == actual

    def test_none_and_empty_values_are_dropped(self) -> None:
        """``None`` and ``""`` values leave the query."""
        expected = "?filter_state=pending"

        actual = query_string(filter_name=None, filter_state="pending", page_number="")

        assert expected == actual

    def test_only_none_values_give_an_empty_string(self) -> None:
        """When every value is dropped there is no ``?`` at all."""
        expected = ""

        actual = query_string(filter_state=None, filter_name="")

        assert expected == actual

    def test_parameters_keep_their_order(self) -> None:
        """Parameters appear in the order given."""
        expected = "?filter_state=pending&page_size=50"

        actual = query_string(filter_state="pending", page_size=50)

        assert expected == actual

    @pytest.mark.parametrize(
        ("value", "encoded"),
        [
            pytest.param("Acme Inc", "Acme%20Inc", id="space"),
            pytest.param("A&B", "A%26B", id="ampersand"),
            pytest.param("a+b", "a%2Bb", id="plus"),
            pytest.param("x=y", "x%3Dy", id="equals"),
            pytest.param("50%", "50%25", id="percent"),
            pytest.param("a#b", "a%23b", id="hash"),
            pytest.param("café", "caf%C3%A9", id="non-ascii"),
        ],
    )
    def test_values_are_percent_quoted(self, value: str, encoded: str) -> None:
        """Special characters in values are percent-encoded, a space as ``%20``."""
        expected = f"?filter_name={encoded}"

        actual = query_string(filter_name=value)

        assert expected == actual

    @pytest.mark.parametrize("size", [1, 50, 1000])
    def test_page_size_in_range_is_kept(self, size: int) -> None:
        """``page_size`` from 1 to 1000 is accepted."""
        expected = f"?page_size={size}"

        actual = query_string(page_size=size)

        assert expected == actual

    @pytest.mark.parametrize("size", [0, -1, 1001, 10**9])
    def test_page_size_out_of_range_is_a_value_error(self, size: int) -> None:
        """``page_size`` outside 1..1000 raises ``ValueError``."""
        with pytest.raises(ValueError, match="page_size"):
            query_string(page_size=size)

    @pytest.mark.parametrize("size", [True, False])
    def test_bool_page_size_is_a_value_error(self, size: bool) -> None:
        """A bool is not a page size, though it is an int subclass."""
        with pytest.raises(ValueError, match="page_size"):
            query_string(page_size=size)

    def test_string_page_size_is_a_value_error(self) -> None:
        """A numeric string is not a page size."""
        with pytest.raises(ValueError, match="page_size"):
            query_string(page_size="50")


class TestStateFilter:
    @pytest.mark.parametrize(
        ("states", "value"),
        [
            (OrderState, "pending"),
            (OrderState, OrderState.FAILED),
            (AssignmentState, "completed"),
            (BrandState, BrandState.UNVERIFIED),
            (CampaignState, "inactive"),
        ],
    )
    def test_documented_values_and_members_are_sent_as_their_value(
        self, states: type[OrderState], value: str
    ) -> None:
        """A documented value, or a member, becomes the plain wire value."""
        expected = str(value)

        actual = state_filter(value, states)

        assert expected == actual
        assert type(actual) is str

    def test_a_member_for_a_state_added_later_is_sent(self) -> None:
        """``OrderState("new_state")`` asks for a state the library does not know yet."""
        expected = "new_state"

        actual = state_filter(OrderState("new_state"), OrderState)

        assert expected == actual

    def test_none_is_no_filter(self) -> None:
        """``None`` means no ``filter_state``."""
        assert state_filter(None, OrderState) is None

    @pytest.mark.parametrize("typo", ["pendng", "Pending", "", " pending", "completed"])
    def test_any_other_string_is_refused_with_the_allowed_values(self, typo: str) -> None:
        """A typo (or another object's state) is a ValueError naming every allowed value."""
        with pytest.raises(ValueError, match=r"'pending', 'processing', 'processed', 'failed'"):
            state_filter(typo, OrderState)

    def test_a_member_of_another_enum_with_a_shared_value_is_accepted(self) -> None:
        """``AssignmentState.PENDING`` is the string "pending", which orders document too."""
        expected = "pending"

        actual = state_filter(AssignmentState.PENDING, OrderState)

        assert expected == actual

    @pytest.mark.parametrize("value", [1, b"pending", ["pending"]])
    def test_a_non_string_is_a_type_error(self, value: object) -> None:
        """Something that is not a string at all is a TypeError."""
        with pytest.raises(TypeError, match="state must be"):
            state_filter(value, OrderState)  # type: ignore[arg-type]  # the point


class TestPhoneNumbers:
    def test_e164_numbers_are_returned_as_a_list(self) -> None:
        """Valid E.164 numbers come back as a list, in order."""
        expected = ["+15558675309", "+442071838750"]

        actual = phone_numbers(iter(["+15558675309", "+442071838750"]))

        assert expected == actual

    @pytest.mark.parametrize(
        "number",
        [
            pytest.param("15558675309", id="no-plus"),
            pytest.param("+0123456789", id="leading-zero"),
            pytest.param("+1 555 867 5309", id="spaces"),
            pytest.param("+1-555-867-5309", id="dashes"),
            pytest.param("+1234567890123456", id="sixteen-digits"),
            pytest.param("+1", id="too-short"),
            pytest.param("+15558675309\n", id="trailing-newline"),
            pytest.param("", id="empty"),
        ],
    )
    def test_non_e164_number_is_a_value_error(self, number: str) -> None:
        """A number that is not E.164 raises ``ValueError`` quoting it."""
        with pytest.raises(ValueError, match=r"E\.164"):
            phone_numbers(["+15558675309", number])

    def test_non_ascii_digits_are_a_value_error(self) -> None:
        """Digits from other scripts (Arabic-Indic here) are not E.164 digits."""
        with pytest.raises(ValueError, match=r"E\.164"):
            phone_numbers(["+1\u0665\u0665\u0665\u0668\u0666\u0667\u0665\u0663\u0660\u0669"])

    def test_non_string_number_is_a_value_error(self) -> None:
        """An int in the list raises ``ValueError``."""
        with pytest.raises(ValueError, match=r"E\.164"):
            phone_numbers([15558675309])  # type: ignore[list-item]  # the mistake under test

    def test_empty_list_is_a_value_error(self) -> None:
        """An order needs at least one number."""
        with pytest.raises(ValueError, match="empty"):
            phone_numbers([])

    def test_single_string_is_a_type_error(self) -> None:
        """One string instead of a list raises ``TypeError`` rather than iterating characters."""
        with pytest.raises(TypeError, match="list"):
            phone_numbers("+15558675309")


class TestParseRetryAfter:
    def test_absent_header_is_none(self) -> None:
        """No header gives ``None``."""
        actual = parse_retry_after(None, now=NOW)

        assert actual is None

    def test_integer_seconds(self) -> None:
        """Delay-seconds give that many seconds."""
        expected = 120.0

        actual = parse_retry_after("120", now=NOW)

        assert expected == actual

    def test_surrounding_whitespace_is_ignored(self) -> None:
        """Whitespace around the value does not matter."""
        expected = 7.0

        actual = parse_retry_after("  7 ", now=NOW)

        assert expected == actual

    def test_zero_seconds(self) -> None:
        """``0`` means retry now."""
        expected = 0.0

        actual = parse_retry_after("0", now=NOW)

        assert expected == actual

    def test_fractional_seconds(self) -> None:
        """Fractional seconds are accepted."""
        expected = 1.5

        actual = parse_retry_after("1.5", now=NOW)

        assert expected == actual

    def test_http_date_in_the_future(self) -> None:
        """An HTTP date gives the seconds from ``now`` until then."""
        expected = 90.0

        actual = parse_retry_after("Mon, 15 Jan 2024 09:31:30 GMT", now=NOW)

        assert expected == actual

    def test_http_date_in_the_past_is_zero(self) -> None:
        """An HTTP date already passed gives 0, never a negative wait."""
        expected = 0.0

        actual = parse_retry_after("Mon, 15 Jan 2024 09:00:00 GMT", now=NOW)

        assert expected == actual

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("", id="empty"),
            pytest.param("   ", id="blank"),
            pytest.param("soon", id="word"),
            pytest.param("12 seconds", id="with-unit"),
            pytest.param("Mon, 99 Foo 2024 25:61:00 GMT", id="bad-date"),
        ],
    )
    def test_garbage_is_none(self, value: str) -> None:
        """A value that is neither seconds nor an HTTP date gives ``None``."""
        actual = parse_retry_after(value, now=NOW)

        assert actual is None

    def test_negative_seconds_are_none(self) -> None:
        """A negative delay is not valid delay-seconds (RFC 9110 10.2.3), so it gives ``None``."""
        actual = parse_retry_after("-5", now=NOW)

        assert actual is None

    @pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan", "NaN", "1e400"])
    def test_non_finite_is_none(self, value: str) -> None:
        """Infinities and NaN give ``None``, never an endless wait."""
        actual = parse_retry_after(value, now=NOW)

        assert actual is None

    def test_huge_digit_string_does_not_raise(self) -> None:
        """A 5000-digit header gives a finite number or ``None`` instead of raising."""
        actual = parse_retry_after("9" * 5000, now=NOW)

        assert actual is None or math.isfinite(actual)


class TestParseRateLimit:
    def test_x_ratelimit_headers_are_read(self) -> None:
        """``X-RateLimit-*`` headers give a ``RateLimit``."""
        headers = {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "7",
            "X-RateLimit-Reset": "30",
        }
        expected = RateLimit(limit=100, remaining=7, reset=30.0)

        actual = parse_rate_limit(headers)

        assert expected == actual

    def test_standard_ratelimit_headers_are_read(self) -> None:
        """The IETF ``RateLimit-*`` names work too."""
        headers = {"RateLimit-Limit": "50", "RateLimit-Remaining": "0", "RateLimit-Reset": "12"}
        expected = RateLimit(limit=50, remaining=0, reset=12.0)

        actual = parse_rate_limit(headers)

        assert expected == actual

    def test_partial_headers_leave_the_rest_none(self) -> None:
        """Only the headers present are filled in."""
        expected = RateLimit(remaining=3)

        actual = parse_rate_limit({"X-RateLimit-Remaining": "3"})

        assert expected == actual

    def test_no_headers_is_none(self) -> None:
        """A response without rate-limit headers gives ``None``."""
        actual = parse_rate_limit({"Content-Type": "application/json"})

        assert actual is None

    def test_malformed_value_is_none(self) -> None:
        """A value that is not an integer is ignored rather than raising."""
        expected = RateLimit(limit=None, remaining=5)

        actual = parse_rate_limit({"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "5"})

        assert expected == actual


class TestErrorItems:
    def test_single_error_string(self) -> None:
        """``{"error": "..."}`` gives one item with that detail."""
        expected = (APIErrorItem(detail="Unauthorized"),)

        actual = error_items(b'{"error": "Unauthorized"}')

        assert expected == actual

    def test_errors_list(self) -> None:
        """``{"errors": [...]}`` gives one item per entry with every field."""
        expected = (
            APIErrorItem(
                detail="+15550000000 is not a number of this project",
                title="Invalid Parameter",
                code="phone_number_not_found",
                status="422",
            ),
            APIErrorItem(detail="status_callback_url must be https", title="Invalid Parameter"),
        )

        actual = error_items(UNPROCESSABLE)

        assert expected == actual

    def test_entry_without_detail_uses_the_title(self) -> None:
        """An entry with only a title uses it as the detail."""
        expected = (APIErrorItem(detail="Invalid Parameter", title="Invalid Parameter"),)

        actual = error_items(b'{"errors": [{"title": "Invalid Parameter"}]}')

        assert expected == actual

    def test_numeric_status_becomes_text(self) -> None:
        """A numeric ``status`` in an entry is kept as text."""
        expected = "422"

        actual = error_items(b'{"errors": [{"detail": "bad", "status": 422}]}')[0].status

        assert expected == actual

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param(b"", id="empty"),
            pytest.param(b"<html>502</html>", id="html"),
            pytest.param(b"\xff\xfe", id="not-utf8"),
            pytest.param(b"[1, 2]", id="array"),
            pytest.param(b'"error"', id="string"),
            pytest.param(b'{"error": 5}', id="error-not-string"),
            pytest.param(b'{"errors": "bad"}', id="errors-string"),
            pytest.param(b'{"errors": {"detail": "x"}}', id="errors-object"),
            pytest.param(b'{"errors": [1, "x", null]}', id="errors-junk-entries"),
            pytest.param(b'{"message": "nope"}', id="other-key"),
        ],
    )
    def test_junk_gives_no_items(self, body: bytes) -> None:
        """A body without the documented error shape gives no items and never raises."""
        expected: tuple[APIErrorItem, ...] = ()

        actual = error_items(body)

        assert expected == actual


class TestRaiseForStatus:
    @pytest.mark.parametrize("status", [200, 201, 204, 299])
    def test_2xx_returns(self, status: int) -> None:
        """A 2xx status raises nothing."""
        actual = raise_for_status(status, {}, b"", method="GET", url=URL)  # type: ignore[func-returns-value]  # the None return is the point

        assert actual is None

    @pytest.mark.parametrize(
        ("status", "cls"),
        [
            (400, BadRequestError),
            (401, AuthenticationError),
            (403, PermissionDeniedError),
            (404, NotFoundError),
            (422, UnprocessableEntityError),
            (429, RateLimitError),
            (500, ServerError),
            (501, ServerError),
            (502, ServerError),
            (503, ServerError),
            (504, ServerError),
            (418, APIStatusError),
            (409, APIStatusError),
            (302, APIStatusError),
        ],
    )
    def test_class_per_status(self, status: int, cls: type[APIStatusError]) -> None:
        """Each status maps to its error class; other statuses give the base class."""
        expected = cls

        actual = type(status_error(status))

        assert expected is actual

    def test_attributes_are_filled(self) -> None:
        """The error carries status, method, URL, items, snippet, request id and attempts."""
        error = status_error(
            422, UNPROCESSABLE, {"X-Request-Id": "req-123"}, method="POST", attempts=1
        )
        expected = (422, "POST", URL, error_items(UNPROCESSABLE), "req-123", 1, None)

        actual = (
            error.status,
            error.method,
            error.url,
            error.errors,
            error.request_id,
            error.attempts,
            error.retry_after,
        )

        assert expected == actual

    def test_body_snippet_is_the_body_text(self) -> None:
        """A short JSON body is its own snippet."""
        expected = '{"error": "Not Found"}'

        actual = status_error(404, b'{"error": "Not Found"}').body_snippet

        assert expected == actual

    def test_missing_request_id_is_none(self) -> None:
        """Without ``X-Request-Id`` the request id is ``None``."""
        actual = status_error(500, b'{"error": "Internal Server Error"}').request_id

        assert actual is None

    def test_retry_after_seconds_are_carried(self) -> None:
        """A 429's ``Retry-After`` is parsed into ``retry_after``."""
        expected = 30.0

        actual = status_error(429, b"", {"Retry-After": "30"}).retry_after

        assert expected == actual

    def test_message_names_method_url_and_status(self) -> None:
        """The message alone says which request failed and how."""
        message = str(status_error(404, b'{"error": "Not Found"}', method="GET"))

        assert f"GET {URL}" in message
        assert "404" in message
        assert "Not Found" in message

    def test_message_includes_the_api_detail(self) -> None:
        """A 422 message shows the API's detail."""
        message = str(status_error(422, UNPROCESSABLE, method="POST"))

        assert "is not a number of this project" in message

    @pytest.mark.parametrize("status", [401, 403])
    def test_auth_messages_hint_at_the_scopes(self, status: int) -> None:
        """401 and 403 messages name the Messaging and Numbers scopes."""
        message = str(status_error(status, b'{"error": "Unauthorized"}'))

        assert "Messaging" in message
        assert "Numbers" in message

    @pytest.mark.parametrize("status", [404, 500])
    def test_other_messages_do_not_hint_at_scopes(self, status: int) -> None:
        """Only authentication and permission errors carry the scopes hint."""
        message = str(status_error(status, b'{"error": "x"}'))

        assert "scope" not in message

    def test_html_502_gives_a_one_line_snippet(self) -> None:
        """A proxy's HTML 502 body gives a one-line snippet for diagnosis."""
        error = status_error(502, HTML_502)

        assert "502 Bad Gateway" in error.body_snippet
        assert "\n" not in error.body_snippet
        assert "\r" not in error.body_snippet

    def test_html_502_message_shows_the_body_start(self) -> None:
        """With no JSON error items, the message shows the start of the body."""
        message = str(status_error(502, HTML_502))

        assert "502 Bad Gateway" in message

    def test_empty_body_is_said_so(self) -> None:
        """An empty error body is described rather than left blank."""
        message = str(status_error(503, b""))

        assert "empty body" in message

    def test_several_attempts_are_mentioned(self) -> None:
        """After retries the message says how many attempts were made."""
        error = status_error(503, b"", attempts=5)
        expected = 5

        actual = error.attempts

        assert expected == actual
        assert "5 attempts" in str(error)

    def test_one_attempt_is_not_mentioned(self) -> None:
        """A first-attempt failure does not talk about attempts."""
        message = str(status_error(503, b""))

        assert "attempt" not in message

    def test_message_is_one_line(self) -> None:
        """The message stands alone on one line whatever the body."""
        message = str(status_error(502, HTML_502))

        assert "\n" not in message

    def test_huge_retry_after_still_raises_the_status_error(self) -> None:
        """A 429 with an absurd ``Retry-After`` still raises ``RateLimitError``."""
        expected = RateLimitError

        actual = type(status_error(429, b"", {"Retry-After": "9" * 5000}))

        assert expected is actual
