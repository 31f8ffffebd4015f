"""Error answers: the matching class, its attributes, no retry where none is due, bad bodies."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import pytest
from aioresponses import aioresponses

from signalwire_orders import (
    APIErrorItem,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    Client,
    NotFoundError,
    Order,
    PermissionDeniedError,
    ResponseError,
    UnprocessableEntityError,
)
from support import (
    API,
    CAMPAIGN_ID,
    ORDER_ID,
    PREFIX,
    collect_into,
    order,
    page,
    record_sent,
    sample_json,
    uid,
)

ORDER_URL = f"{API}/orders/{ORDER_ID}"
ORDERS = f"{API}/campaigns/{CAMPAIGN_ID}/orders"
SECOND = f"{PREFIX}/campaigns/{CAMPAIGN_ID}/orders?page_number=1&page_token=PA2"
SECOND_URL = f"https://example.signalwire.com{SECOND}"

CLIENT_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
}
UNPROCESSABLE = sample_json("unprocessable_422.json")


class TestStatusErrors:
    @pytest.mark.parametrize(("status", "cls"), CLIENT_ERRORS.items())
    async def test_client_error_status_raises_its_subclass(
        self, client: Client, mock_api: aioresponses, status: int, cls: type[APIStatusError]
    ) -> None:
        """400/401/403/404/422 raise BadRequest/Authentication/PermissionDenied/NotFound/422."""
        mock_api.get(ORDER_URL, status=status, payload={"error": "nope"}, repeat=True)

        with pytest.raises(APIStatusError) as caught:
            await client.orders.get(ORDER_ID)

        assert cls is type(caught.value)

    @pytest.mark.parametrize("status", CLIENT_ERRORS)
    async def test_client_error_status_is_not_retried(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """A 4xx other than 429 is answered after exactly one request."""
        mock_api.get(ORDER_URL, status=status, payload={"error": "nope"}, repeat=True)
        sent = record_sent()

        with pytest.raises(APIStatusError):
            await client.orders.get(ORDER_ID)

        assert 1 == len(sent)

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
    async def test_client_error_status_on_delete_is_not_retried(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """DELETE answered with a 4xx other than 429 is not retried either."""
        url = f"{API}/numbers/{uid(7)}"
        mock_api.delete(url, status=status, payload={"error": "nope"}, repeat=True)
        sent = record_sent()

        with pytest.raises(APIStatusError):
            await client.numbers.delete(uid(7))

        assert 1 == len(sent)

    @pytest.mark.parametrize("status", [401, 403])
    async def test_post_auth_error_is_not_retried(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """A create answered 401/403 is not retried."""
        mock_api.post(
            ORDERS, status=status, payload=sample_json("unauthorized_401.json"), repeat=True
        )
        sent = record_sent()

        with pytest.raises(APIStatusError):
            await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert 1 == len(sent)

    @pytest.mark.parametrize("status", [401, 403])
    async def test_auth_errors_hint_at_messaging_and_numbers_scopes(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """The 401/403 message tells the user the token needs Messaging and Numbers scopes."""
        mock_api.get(ORDER_URL, status=status, payload=sample_json("unauthorized_401.json"))

        with pytest.raises(APIStatusError) as caught:
            await client.orders.get(ORDER_ID)

        message = str(caught.value)
        assert (True, True) == ("Messaging" in message, "Numbers" in message)


class TestStatusErrorAttributes:
    async def test_status_method_and_url(self, client: Client, mock_api: aioresponses) -> None:
        """The error carries the status, the method and the request URL."""
        mock_api.get(ORDER_URL, status=404, payload=sample_json("not_found_404.json"))

        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(ORDER_ID)

        exc = caught.value
        assert (404, "GET", ORDER_URL) == (exc.status, exc.method, exc.url)

    async def test_single_error_body_is_parsed(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """{"error": "Not Found"} becomes one error item."""
        mock_api.get(ORDER_URL, status=404, payload=sample_json("not_found_404.json"))

        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(ORDER_ID)

        assert (APIErrorItem(detail="Not Found"),) == caught.value.errors

    async def test_error_list_body_is_parsed(self, client: Client, mock_api: aioresponses) -> None:
        """{"errors": [{detail, status, title, code}, ...]} becomes one item each."""
        mock_api.post(ORDERS, status=422, payload=UNPROCESSABLE)

        with pytest.raises(UnprocessableEntityError) as caught:
            await client.orders.create(CAMPAIGN_ID, ["+15550000000"])

        assert (
            APIErrorItem(
                detail="+15550000000 is not a number of this project",
                title="Invalid Parameter",
                code="phone_number_not_found",
                status="422",
            ),
            APIErrorItem(detail="status_callback_url must be https", title="Invalid Parameter"),
        ) == caught.value.errors

    async def test_error_details_appear_in_the_message(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The 422 message repeats the API's detail so a log line stands alone."""
        mock_api.post(ORDERS, status=422, payload=UNPROCESSABLE)

        with pytest.raises(UnprocessableEntityError) as caught:
            await client.orders.create(CAMPAIGN_ID, ["+15550000000"])

        assert "+15550000000 is not a number of this project" in str(caught.value)

    async def test_body_snippet_holds_the_raw_body(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """body_snippet is the start of the response body."""
        mock_api.get(ORDER_URL, status=404, body='{"error":"Not Found"}')

        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(ORDER_ID)

        assert '{"error":"Not Found"}' == caught.value.body_snippet

    async def test_request_id_comes_from_the_x_request_id_header(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """request_id is the X-Request-Id response header."""
        mock_api.get(
            ORDER_URL,
            status=403,
            payload={"error": "Forbidden"},
            headers={"X-Request-Id": "req-8f14e45f"},
        )

        with pytest.raises(PermissionDeniedError) as caught:
            await client.orders.get(ORDER_ID)

        assert "req-8f14e45f" == caught.value.request_id

    async def test_request_id_is_none_without_the_header(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Without X-Request-Id, request_id is None."""
        mock_api.get(ORDER_URL, status=404, payload=sample_json("not_found_404.json"))

        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(ORDER_ID)

        assert caught.value.request_id is None

    async def test_attempts_is_one_for_an_error_not_retried(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """attempts counts the single attempt made."""
        mock_api.get(ORDER_URL, status=401, payload=sample_json("unauthorized_401.json"))

        with pytest.raises(AuthenticationError) as caught:
            await client.orders.get(ORDER_ID)

        assert 1 == caught.value.attempts

    async def test_non_json_error_body_gives_no_items_and_a_snippet(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """An error page that is not JSON still raises the status class, with its text."""
        mock_api.get(ORDER_URL, status=404, body="no such thing", content_type="text/plain")

        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(ORDER_ID)

        assert ((), "no such thing") == (caught.value.errors, caught.value.body_snippet)


class TestMalformedSuccess:
    async def test_malformed_json_raises_response_error_naming_url_and_status(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 200 whose body is not JSON raises ResponseError naming the URL and status."""
        mock_api.get(ORDER_URL, body='{"id": "3fa8')

        with pytest.raises(ResponseError) as caught:
            await client.orders.get(ORDER_ID)

        exc = caught.value
        assert (ORDER_URL, 200, True, True) == (
            exc.url,
            exc.status,
            ORDER_URL in str(exc),
            "200" in str(exc),
        )

    async def test_malformed_json_keeps_a_body_snippet(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The ResponseError carries the start of the bad body."""
        mock_api.get(ORDER_URL, body="<html>maintenance</html>", content_type="text/html")

        with pytest.raises(ResponseError) as caught:
            await client.orders.get(ORDER_ID)

        assert "<html>maintenance</html>" == caught.value.body_snippet

    async def test_malformed_json_is_not_retried(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A complete 200 with a bad body is not fetched again."""
        mock_api.get(ORDER_URL, body="not json", repeat=True)
        sent = record_sent()

        with pytest.raises(ResponseError):
            await client.orders.get(ORDER_ID)

        assert 1 == len(sent)

    async def test_wrong_shape_raises_response_error(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A JSON body of the wrong shape (id not a UUID string) raises ResponseError."""
        mock_api.get(ORDER_URL, payload={"id": 42, "state": "pending"})

        with pytest.raises(ResponseError) as caught:
            await client.orders.get(ORDER_ID)

        assert (ORDER_URL, 200) == (caught.value.url, caught.value.status)

    async def test_list_body_without_data_raises_response_error(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A list body whose data is missing raises ResponseError naming the URL."""
        mock_api.get(ORDERS, payload={"links": {"self": "/", "first": "/"}, "orders": []})

        with pytest.raises(ResponseError) as caught:
            [o async for o in client.orders.list(CAMPAIGN_ID)]

        assert ORDERS in str(caught.value)

    async def test_malformed_second_page_yields_nothing_from_it(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Page 1's orders are yielded; the malformed page 2 yields none before the error."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=SECOND))
        mock_api.get(SECOND_URL, body='{"links": {"self": "/", "first": "/"}, "data": [{"id": ')
        seen: list[Order] = []

        with pytest.raises(ResponseError) as caught:
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert ([uid(1)], SECOND_URL) == ([str(o.id) for o in seen], caught.value.url)

    async def test_wrong_shape_item_keeps_its_valid_neighbours_back(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A page with one bad item yields none of its items, not even the valid ones."""
        mock_api.get(ORDERS, payload=page([order(uid(1)), {"id": 5}, order(uid(3))]))
        seen: list[Order] = []

        with pytest.raises(ResponseError) as caught:
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert ([], True) == (seen, "data[1]" in str(caught.value))

    async def test_data_that_is_not_a_list_yields_nothing(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A JSON object with a non-list data raises ResponseError and yields nothing."""
        mock_api.get(ORDERS, payload={"links": {"self": "/", "first": "/"}, "data": {"id": 1}})
        seen: list[Order] = []

        with pytest.raises(ResponseError):
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert [] == seen
