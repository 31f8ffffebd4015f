"""Retries: which failures are tried again, how many times, how long apart, and what is left."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import aioresponses

from signalwire_orders import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Client,
    Hooks,
    Order,
    OutcomeUnknownError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from support import (
    API,
    CAMPAIGN_ID,
    NUMBER_ID,
    ORDER_ID,
    ORIGIN,
    PREFIX,
    SPACE_ENV,
    TruncatedResponse,
    collect_into,
    order,
    page,
    record_sent,
    sample,
    sample_json,
    uid,
)

ORDER_URL = f"{API}/orders/{ORDER_ID}"
NUMBER_URL = f"{API}/numbers/{NUMBER_ID}"
ORDERS = f"{API}/campaigns/{CAMPAIGN_ID}/orders"
SECOND = f"{PREFIX}/campaigns/{CAMPAIGN_ID}/orders?page_number=1&page_token=PA2"
SECOND_URL = ORIGIN + SECOND
HTML_502 = sample("nginx_502.html").decode()


def refused() -> aiohttp.ClientConnectorError:
    """Connection refused before anything was sent."""
    key = ConnectionKey("example.signalwire.com", 443, True, True, None, None, None)  # noqa: FBT003
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


#: Transport faults, each as a fresh exception, and the error each becomes past the budget.
FAULTS: dict[str, tuple[Callable[[], Exception], type[APIConnectionError]]] = {
    "refused": (refused, APIConnectionError),
    "disconnected": (aiohttp.ServerDisconnectedError, APIConnectionError),
    "payload": (lambda: aiohttp.ClientPayloadError("body cut short"), APIConnectionError),
    "timeout": (TimeoutError, APITimeoutError),
}


def fail(mock_api: aioresponses, method: str, url: str, fault: str, times: int) -> None:
    """Make the next ``times`` requests to ``url`` fail with a transport fault."""
    make, _ = FAULTS[fault]
    for _ in range(times):
        mock_api.add(url, method, exception=make())


def retry_policy(**overrides: Any) -> RetryPolicy:
    """A jitter-free policy: no computed backoff, so only Retry-After makes a wait."""
    settings: dict[str, Any] = {"attempts": 2, "initial_backoff": 0.0, "max_backoff": 0.0}
    return RetryPolicy(**(settings | overrides))


class TestRetriedStatuses:
    async def test_walk_completes_after_500s_on_page_two(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """500 twice then 200 on page 2: page 1 is fetched once and page 2 three times."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=SECOND))
        mock_api.get(SECOND_URL, status=500, payload={"error": "Internal Server Error"}, repeat=2)
        mock_api.get(SECOND_URL, payload=page([order(uid(2))]))
        sent = record_sent()

        walked = [str(o.id) async for o in client.orders.list(CAMPAIGN_ID)]

        assert ([uid(1), uid(2)], [ORDERS, SECOND_URL, SECOND_URL, SECOND_URL]) == (
            walked,
            [r.url for r in sent],
        )

    async def test_500_storm_raises_server_error_after_all_attempts(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 500 on every attempt raises ServerError after exactly 4 requests."""
        mock_api.get(ORDER_URL, status=500, payload={"error": "Internal Server Error"}, repeat=True)
        sent = record_sent()

        with pytest.raises(ServerError):
            await client.orders.get(ORDER_ID)

        assert 4 == len(sent)

    async def test_500_storm_error_carries_the_attempt_count(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The ServerError says 4 attempts in its attribute and its message."""
        mock_api.get(ORDER_URL, status=500, payload={"error": "Internal Server Error"}, repeat=True)

        with pytest.raises(ServerError) as caught:
            await client.orders.get(ORDER_ID)

        assert (500, 4, True) == (
            caught.value.status,
            caught.value.attempts,
            "4 attempts" in str(caught.value),
        )

    async def test_html_502_is_retried_then_raises_with_a_snippet(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A proxy's HTML 502 is retried; if it persists, ServerError shows the HTML."""
        mock_api.get(ORDER_URL, status=502, body=HTML_502, content_type="text/html", repeat=True)
        sent = record_sent()

        with pytest.raises(ServerError) as caught:
            await client.orders.get(ORDER_ID)

        assert (4, 502, " ".join(HTML_502.split()), ()) == (  # the snippet is one line
            len(sent),
            caught.value.status,
            caught.value.body_snippet,
            caught.value.errors,
        )

    @pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
    async def test_retryable_status_then_success_returns_the_result(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """429/500/502/503/504 once, then 200: the GET succeeds on its second request."""
        mock_api.get(ORDER_URL, status=status, body="<html>busy</html>", content_type="text/html")
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()

        got = await client.orders.get(ORDER_ID)

        assert (ORDER_ID, 2) == (str(got.id), len(sent))

    @pytest.mark.parametrize("status", [500, 503])
    async def test_delete_is_retried_on_5xx(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """DELETE is idempotent: a 5xx is retried."""
        mock_api.delete(NUMBER_URL, status=status)
        mock_api.delete(NUMBER_URL, status=204)
        sent = record_sent()

        await client.numbers.delete(NUMBER_ID)

        assert 2 == len(sent)

    async def test_rate_limit_error_carries_retry_after(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 429 storm raises RateLimitError with the Retry-After seconds."""
        mock_api.get(ORDER_URL, status=429, headers={"Retry-After": "7"}, repeat=True)

        with pytest.raises(RateLimitError) as caught:
            await client.orders.get(ORDER_ID)

        assert (7.0, 4) == (caught.value.retry_after, caught.value.attempts)


class TestRetriedFaults:
    @pytest.mark.parametrize("fault", list(FAULTS))
    async def test_get_is_retried_after_a_transport_fault(
        self, client: Client, mock_api: aioresponses, fault: str
    ) -> None:
        """Refused, dropped, cut-short and timed-out GETs are retried."""
        fail(mock_api, "GET", ORDER_URL, fault, times=2)
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()

        got = await client.orders.get(ORDER_ID)

        assert (ORDER_ID, 3) == (str(got.id), len(sent))

    @pytest.mark.parametrize("fault", list(FAULTS))
    async def test_delete_is_retried_after_a_transport_fault(
        self, client: Client, mock_api: aioresponses, fault: str
    ) -> None:
        """Refused, dropped, cut-short and timed-out DELETEs are retried."""
        fail(mock_api, "DELETE", NUMBER_URL, fault, times=1)
        mock_api.delete(NUMBER_URL, status=204)
        sent = record_sent()

        await client.numbers.delete(NUMBER_ID)

        assert 2 == len(sent)

    @pytest.mark.parametrize("fault", list(FAULTS))
    async def test_get_past_the_budget_raises_the_transport_error(
        self, client: Client, mock_api: aioresponses, fault: str
    ) -> None:
        """A fault on every attempt raises APIConnectionError (APITimeoutError for timeouts)."""
        fail(mock_api, "GET", ORDER_URL, fault, times=4)
        sent = record_sent()

        with pytest.raises(APIConnectionError) as caught:
            await client.orders.get(ORDER_ID)

        assert (FAULTS[fault][1], 4, 4) == (type(caught.value), caught.value.attempts, len(sent))

    @pytest.mark.parametrize("fault", list(FAULTS))
    async def test_delete_past_the_budget_raises_the_transport_error(
        self, client: Client, mock_api: aioresponses, fault: str
    ) -> None:
        """A DELETE faulting every time raises the transport error after 4 attempts."""
        fail(mock_api, "DELETE", NUMBER_URL, fault, times=4)
        sent = record_sent()

        with pytest.raises(APIConnectionError) as caught:
            await client.numbers.delete(NUMBER_ID)

        assert (FAULTS[fault][1], 4) == (type(caught.value), len(sent))

    async def test_transport_error_names_method_and_url(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The transport error carries the method and URL of the failed request."""
        fail(mock_api, "GET", ORDER_URL, "disconnected", times=4)

        with pytest.raises(APIConnectionError) as caught:
            await client.orders.get(ORDER_ID)

        assert ("GET", ORDER_URL) == (caught.value.method, caught.value.url)

    async def test_body_cut_short_mid_page_is_retried_and_nothing_partial_is_yielded(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 200 whose body stops halfway is retried; only the complete page's items appear."""
        mock_api.get(ORDERS, response_class=TruncatedResponse)
        mock_api.get(ORDERS, payload=page([order(uid(1)), order(uid(2))]))
        sent = record_sent()

        walked = [str(o.id) async for o in client.orders.list(CAMPAIGN_ID)]

        assert ([uid(1), uid(2)], 2) == (walked, len(sent))

    async def test_body_cut_short_every_time_raises_connection_error_and_yields_nothing(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A body cut short on every attempt raises APIConnectionError with no item yielded."""
        mock_api.get(ORDERS, response_class=TruncatedResponse, repeat=True)
        seen: list[Order] = []

        with pytest.raises(APIConnectionError) as caught:
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert ([], APIConnectionError, 4) == (seen, type(caught.value), caught.value.attempts)


class TestPostRetries:
    async def test_post_500_is_not_retried(self, client: Client, mock_api: aioresponses) -> None:
        """A create answered 500 raises ServerError after exactly one request."""
        mock_api.post(ORDERS, status=500, payload={"error": "Internal Server Error"}, repeat=True)
        sent = record_sent()

        with pytest.raises(ServerError):
            await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert 1 == len(sent)

    @pytest.mark.parametrize("status", [502, 503, 504])
    async def test_post_proxy_5xx_is_not_retried(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """A create answered by a proxy's 5xx is not retried either."""
        mock_api.post(ORDERS, status=status, body=HTML_502, content_type="text/html", repeat=True)
        sent = record_sent()

        with pytest.raises(ServerError):
            await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert 1 == len(sent)

    @pytest.mark.parametrize("fault", ["disconnected", "timeout", "payload"])
    async def test_post_with_lost_answer_raises_outcome_unknown_after_one_request(
        self, client: Client, mock_api: aioresponses, fault: str
    ) -> None:
        """A create whose answer is lost after sending raises OutcomeUnknownError, unretried."""
        fail(mock_api, "POST", ORDERS, fault, times=4)
        sent = record_sent()

        with pytest.raises(OutcomeUnknownError) as caught:
            await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert (1, True) == (len(sent), "may have been processed" in str(caught.value))

    async def test_post_refused_before_sending_is_retried(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A create whose connection was refused is retried and then succeeds."""
        fail(mock_api, "POST", ORDERS, "refused", times=1)
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        created = await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert (ORDER_ID, 2) == (str(created.id), len(sent))

    async def test_post_connect_timeout_is_retried(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A create that timed out while connecting was never sent, so it is retried."""
        mock_api.post(ORDERS, exception=aiohttp.ConnectionTimeoutError("connect timed out"))
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert 2 == len(sent)

    async def test_post_429_is_retried(self, client: Client, mock_api: aioresponses) -> None:
        """A create answered 429 was not processed, so it is retried."""
        mock_api.post(ORDERS, status=429, headers={"Retry-After": "1"})
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        created = await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert (ORDER_ID, 2) == (str(created.id), len(sent))

    async def test_post_retry_sends_the_same_body(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The retried create repeats the same JSON body."""
        mock_api.post(ORDERS, status=429)
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert sent[0].data == sent[1].data

    async def test_get_401_is_never_retried(self, client: Client, mock_api: aioresponses) -> None:
        """A 401 is answered after one request even though the budget allows four."""
        mock_api.get(
            ORDER_URL, status=401, payload=sample_json("unauthorized_401.json"), repeat=True
        )
        sent = record_sent()

        with pytest.raises(AuthenticationError):
            await client.orders.get(ORDER_ID)

        assert 1 == len(sent)


class TestRetryAfter:
    async def test_retry_after_seconds_delays_the_retry(self, mock_api: aioresponses) -> None:
        """A 429 with Retry-After: 0.15 delays the retry by 0.15 s."""
        mock_api.get(ORDER_URL, status=429, headers={"Retry-After": "0.15"})
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()
        retries: list[RetryEvent] = []
        policy = retry_policy(max_retry_after=0.2)

        async with Client(env=SPACE_ENV, retry=policy, hooks=Hooks(on_retry=retries.append)) as c:
            await c.orders.get(ORDER_ID)

        assert ([0.15], 2) == ([e.delay for e in retries], len(sent))

    async def test_http_date_retry_after_is_honoured_and_clamped(
        self, mock_api: aioresponses
    ) -> None:
        """Retry-After as an HTTP date an hour away waits max_retry_after (0.2 s), not an hour."""
        later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
        mock_api.get(ORDER_URL, status=429, headers={"Retry-After": later})
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()
        retries: list[RetryEvent] = []
        policy = retry_policy(max_retry_after=0.2)

        async with Client(env=SPACE_ENV, retry=policy, hooks=Hooks(on_retry=retries.append)) as c:
            await c.orders.get(ORDER_ID)

        assert ([0.2], 2) == ([e.delay for e in retries], len(sent))

    async def test_retry_after_on_a_503_is_honoured(self, mock_api: aioresponses) -> None:
        """A 503 with Retry-After is retried after the advised 0.1 s."""
        mock_api.get(ORDER_URL, status=503, headers={"Retry-After": "0.1"})
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()
        retries: list[RetryEvent] = []
        policy = retry_policy(max_retry_after=0.2)

        async with Client(env=SPACE_ENV, retry=policy, hooks=Hooks(on_retry=retries.append)) as c:
            await c.orders.get(ORDER_ID)

        assert ([(0.1, "503")], 2) == ([(e.delay, e.reason) for e in retries], len(sent))


class TestRetryLogging:
    async def test_each_retry_is_logged_at_info(
        self, client: Client, mock_api: aioresponses, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A retry logs 'retrying GET <url> in ...s (attempt 2 of 4) after 500'."""
        caplog.set_level(logging.INFO, logger="signalwire_orders")
        mock_api.get(ORDER_URL, status=500, payload={"error": "Internal Server Error"})
        mock_api.get(ORDER_URL, payload=order())

        await client.orders.get(ORDER_ID)

        assert [f"retrying GET {ORDER_URL} in 0.00s (attempt 2 of 4) after 500"] == [
            r.getMessage()
            for r in caplog.records
            if r.name == "signalwire_orders" and r.levelno == logging.INFO
        ]

    async def test_transport_retry_is_logged_with_its_reason(
        self, client: Client, mock_api: aioresponses, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A retry after a timeout names the timeout as its reason."""
        caplog.set_level(logging.INFO, logger="signalwire_orders")
        fail(mock_api, "GET", ORDER_URL, "timeout", times=1)
        mock_api.get(ORDER_URL, payload=order())

        await client.orders.get(ORDER_ID)

        assert [f"retrying GET {ORDER_URL} in 0.00s (attempt 2 of 4) after timeout"] == [
            r.getMessage() for r in caplog.records if r.levelno == logging.INFO
        ]

    async def test_stats_count_requests_and_retries(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """client.stats counts each request and each retry by reason."""
        mock_api.get(ORDER_URL, status=500)
        mock_api.get(ORDER_URL, status=429)
        mock_api.get(ORDER_URL, payload=order())

        await client.orders.get(ORDER_ID)

        stats = client.stats
        assert (3, 2, 1, {"500": 1, "429": 1}) == (
            stats.requests,
            stats.retries,
            stats.rate_limited,
            dict(stats.retry_reasons),
        )


class TestNoHiddenResend:
    """aiohttp's own unseen re-send of a dropped GET, PUT or DELETE is off for our session."""

    async def test_aiohttp_still_has_the_switch(self) -> None:
        """The private attribute the transport turns off exists, on by default."""
        async with aiohttp.ClientSession() as session:
            assert True is getattr(session, "_retry_connection", None)

    async def test_the_client_s_own_session_makes_one_send_per_attempt(self) -> None:
        """The session the client opens has the re-send off; a caller's session is left as is."""
        async with (
            aiohttp.ClientSession() as borrowed,
            Client(env=SPACE_ENV) as own,
            Client(env=SPACE_ENV, session=borrowed) as lent,
        ):
            actual = (
                own._transport._get_session()._retry_connection,
                lent._transport._get_session()._retry_connection,
            )

        assert (False, True) == actual
