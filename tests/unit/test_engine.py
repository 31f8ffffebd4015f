"""The request engine against a fake ``send``: retries, the 429 pause, slots, counters, hooks."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping, Sequence

import pytest

from signalwire_orders import (
    APIConnectionError,
    AuthenticationError,
    Hooks,
    OutcomeUnknownError,
    RateLimit,
    RateLimitError,
    RequestEvent,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from signalwire_orders._engine import Engine
from signalwire_orders._protocol import Response
from support import API, ORDER_ID, instant

URL = f"{API}/orders/x"
#: Instant computed backoff; a ``Retry-After`` is honoured (the injected sleep records it).
NO_WAIT = instant(4, max_retry_after=60.0)
OK = b'{"id": "%s"}' % ORDER_ID.encode()

Answer = tuple[int, bytes] | tuple[int, bytes, Mapping[str, str]] | BaseException


class FakeSend:
    """A scripted ``send``: one answer (status and body, or an error) per call."""

    def __init__(self, *answers: Answer, gate: asyncio.Event | None = None) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, bytes | None, int]] = []
        self.in_flight = 0
        self.peak = 0
        self.gate = gate

    async def __call__(
        self, method: str, url: str, body: bytes | None, *, attempt: int
    ) -> Response:
        self.calls.append((method, url, body, attempt))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0)
            answer = self.answers.pop(0) if self.answers else (200, OK)
            if isinstance(answer, BaseException):
                raise answer
            status, data, *rest = answer
            headers = rest[0] if rest else {}
            return Response(status=status, headers=headers, body=data, url=url)
        finally:
            self.in_flight -= 1


class Sleeps:
    """The injected ``sleep``: records each delay, optionally blocking on a gate."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.delays: list[float] = []
        self.until: list[float] = []  # the loop time each sleep would have ended at
        self.gate = gate
        self.called = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.until.append(asyncio.get_running_loop().time() + seconds)
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()


def engine(
    send: FakeSend,
    sleep: Sleeps | None = None,
    *,
    retry: RetryPolicy = NO_WAIT,
    max_concurrency: int = 4,
    hooks: Hooks | None = None,
    adaptive: bool = False,
    requests_per_second: float | None = None,
) -> Engine:
    """An engine over ``send`` with instant waits unless told otherwise."""
    return Engine(
        send,
        max_concurrency=max_concurrency,
        retry=retry,
        hooks=hooks,
        adaptive_concurrency=adaptive,
        requests_per_second=requests_per_second,
        sleep=sleep or Sleeps(),
    )


def reset(method: str = "GET") -> APIConnectionError:
    """A connection reset after the request was sent."""
    return APIConnectionError("connection reset", method=method, url=URL, sent=True)


class TestRequest:
    async def test_a_2xx_answer_is_returned_whole(self) -> None:
        """The response of the first attempt comes back as ``send`` gave it."""
        send = FakeSend((200, OK))

        response = await engine(send).request("GET", URL)

        assert (200, OK, URL) == (response.status, response.body, response.url)
        assert [("GET", URL, None, 1)] == send.calls

    async def test_json_is_sent_as_compact_bytes(self) -> None:
        """A JSON body reaches ``send`` serialised once."""
        send = FakeSend((200, OK))

        await engine(send).request("POST", URL, json={"phone_numbers": ["+15558675309"]})

        assert b'{"phone_numbers":["+15558675309"]}' == send.calls[0][2]

    async def test_a_non_2xx_answer_is_our_error(self) -> None:
        """A 401 is raised as ``AuthenticationError`` after one attempt, never retried."""
        send = FakeSend((401, b'{"error": "Unauthorized"}'))

        with pytest.raises(AuthenticationError) as caught:
            await engine(send).request("GET", URL)

        assert (1, 1) == (len(send.calls), caught.value.attempts)


class TestRetries:
    async def test_get_is_retried_after_a_5xx_with_the_next_attempt_number(self) -> None:
        """Two 503s then a 200: three sends numbered 1, 2 and 3, two waits."""
        sleep = Sleeps()
        send = FakeSend((503, b"<html>"), (503, b"<html>"), (200, OK))

        response = await engine(send, sleep).request("GET", URL)

        assert 200 == response.status
        assert [1, 2, 3] == [call[3] for call in send.calls]
        assert 2 == len(sleep.delays)

    async def test_post_is_not_retried_after_a_5xx(self) -> None:
        """A POST answered 500 is raised after one send."""
        send = FakeSend((500, b'{"error": "Internal Server Error"}'))

        with pytest.raises(ServerError):
            await engine(send).request("POST", URL, json={})

        assert 1 == len(send.calls)

    async def test_a_lost_post_answer_is_raised_at_once(self) -> None:
        """``OutcomeUnknownError`` from ``send`` is never retried."""
        lost = OutcomeUnknownError("lost", method="POST", url=URL, sent=True)
        send = FakeSend(lost)

        with pytest.raises(OutcomeUnknownError):
            await engine(send).request("POST", URL, json={})

        assert 1 == len(send.calls)

    async def test_a_refused_post_is_retried(self) -> None:
        """A POST refused before sending cannot have been processed: it is retried."""
        refused = APIConnectionError("refused", method="POST", url=URL, sent=False)
        send = FakeSend(refused, (200, OK))

        await engine(send).request("POST", URL, json={})

        assert 2 == len(send.calls)

    async def test_past_the_budget_the_last_error_is_raised(self) -> None:
        """Four resets with four attempts: the fourth reset is raised, not tenacity's error."""
        errors = [reset() for _ in range(4)]
        send = FakeSend(*errors)

        with pytest.raises(APIConnectionError) as caught:
            await engine(send).request("GET", URL)

        assert errors[-1] is caught.value
        assert 4 == len(send.calls)

    async def test_cancellation_is_not_retried(self) -> None:
        """A ``CancelledError`` from ``send`` propagates after one send."""
        send = FakeSend(asyncio.CancelledError())

        with pytest.raises(asyncio.CancelledError):
            await engine(send).request("GET", URL)

        assert 1 == len(send.calls)

    async def test_retries_are_counted_by_reason(self) -> None:
        """A 503, a reset and a 429 before success show in the counters by reason."""
        send = FakeSend((503, b""), reset(), (429, b""), (200, OK))
        client = engine(send)

        await client.request("GET", URL)

        expected = {"503": 1, "connection": 1, "429": 1}
        assert expected == dict(client.stats.retry_reasons)
        assert (4, 3, 1) == (client.stats.requests, client.stats.retries, client.stats.rate_limited)


class TestRateLimitPause:
    async def test_retry_after_is_waited_before_the_retry(self) -> None:
        """A 429 with ``Retry-After: 7`` makes the retry wait 7 s."""
        sleep = Sleeps()
        send = FakeSend((429, b"", {"Retry-After": "7"}), (200, OK))

        await engine(send, sleep).request("GET", URL)

        assert 7.0 in sleep.delays

    async def test_a_429_pauses_every_task_of_the_client(self) -> None:
        """After a 429 with ``Retry-After: 5``, a new request waits out the pause before sending."""
        sleep = Sleeps()
        send = FakeSend((429, b"", {"Retry-After": "5"}), (200, OK), (200, OK))
        client = engine(send, sleep, retry=RetryPolicy(attempts=1))

        with pytest.raises(RateLimitError):
            await client.request("GET", URL)
        await client.request("GET", URL)

        assert 1 == len(sleep.delays)
        assert 4.0 < sleep.delays[0] <= 5.0
        assert 2 == len(send.calls)

    async def test_retry_after_is_capped(self) -> None:
        """A ``Retry-After`` longer than ``max_retry_after`` pauses only that long."""
        sleep = Sleeps()
        policy = RetryPolicy(attempts=2, initial_backoff=0.0, max_retry_after=2.0)
        send = FakeSend((429, b"", {"Retry-After": "3600"}), (200, OK))

        await engine(send, sleep, retry=policy).request("GET", URL)

        assert all(delay <= 2.0 for delay in sleep.delays)

    async def test_rate_limit_headers_are_exposed(self) -> None:
        """``X-RateLimit-*`` headers of the latest answer become ``rate_limit``."""
        headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "7"}
        client = engine(FakeSend((200, OK, headers)))

        await client.request("GET", URL)

        assert RateLimit(limit=100, remaining=7) == client.rate_limit

    async def test_adaptive_concurrency_halves_the_limit_on_a_429(self) -> None:
        """With adaptive concurrency, a 429 halves the requests allowed in flight."""
        client = engine(FakeSend((429, b""), (200, OK)), max_concurrency=8, adaptive=True)

        await client.request("GET", URL)

        assert client.stats.concurrency_limit < 8


class TestSlots:
    async def test_max_concurrency_is_never_exceeded(self) -> None:
        """Twenty requests through four slots: at most four sends at once."""
        send = FakeSend(*[(503, b"") if i % 3 == 0 else (200, OK) for i in range(40)])
        client = engine(send, max_concurrency=4)

        await asyncio.gather(*(client.request("GET", URL) for _ in range(20)))

        assert 4 == send.peak

    async def test_a_request_waiting_out_a_backoff_holds_no_slot(self) -> None:
        """With one slot, a request sleeping before its retry lets another one send."""
        napping = asyncio.Event()
        sleep = Sleeps(gate=napping)
        send = FakeSend((503, b""), (200, OK), (200, OK))
        client = engine(send, sleep, max_concurrency=1)

        first = asyncio.create_task(client.request("GET", URL))
        await sleep.called.wait()  # the first request is now sleeping before its retry
        async with asyncio.timeout(5):  # a held slot would block this forever
            second = await client.request("GET", URL + "?second")
        napping.set()
        await first

        assert 200 == second.status
        assert [URL, URL + "?second", URL] == [call[1] for call in send.calls]


class TestPace:
    async def test_starts_are_paced_across_tasks(self) -> None:
        """Twenty concurrent requests at 50 per second start 20 ms apart: the last 0.38 s in."""
        sleep = Sleeps()
        send = FakeSend()
        client = engine(send, sleep, max_concurrency=32, requests_per_second=50.0)

        await asyncio.gather(*(client.request("GET", URL) for _ in range(20)))

        starts = sorted(sleep.until)
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        assert 19 == len(starts)  # the first starts at once
        assert pytest.approx([0.02] * 18, abs=1e-3) == gaps
        assert pytest.approx(0.38, abs=1e-3) == starts[-1] - (starts[0] - 0.02)
        assert 20 == len(send.calls)


class TestHooks:
    async def test_every_attempt_is_told_to_on_request(self) -> None:
        """A 503 then a 200: two request events, with status and error class."""
        events: list[RequestEvent] = []
        client = engine(FakeSend((503, b"x"), (200, OK)), hooks=Hooks(on_request=events.append))

        await client.request("GET", URL)

        expected = [(1, 503, "ServerError", 1), (2, 200, None, len(OK))]
        assert expected == [(e.attempt, e.status, e.error, e.size) for e in events]

    async def test_a_failed_send_is_told_without_a_status(self) -> None:
        """A reset: a request event with no status and the error's class name."""
        events: list[RequestEvent] = []
        client = engine(FakeSend(reset(), (200, OK)), hooks=Hooks(on_request=events.append))

        await client.request("GET", URL)

        assert (None, "APIConnectionError") == (events[0].status, events[0].error)

    async def test_each_retry_is_told_to_on_retry(self) -> None:
        """A retry event names the attempt that failed, the delay and the reason."""
        events: list[RetryEvent] = []
        send = FakeSend((429, b"", {"Retry-After": "2"}), (200, OK))
        client = engine(send, hooks=Hooks(on_retry=events.append))

        await client.request("GET", URL)

        assert [RetryEvent("GET", URL, 1, 2.0, "429")] == events

    async def test_a_hook_that_raises_is_logged_and_ignored(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A broken hook does not fail the request; the library logs it."""

        def broken(_: object) -> None:
            raise RuntimeError

        client = engine(FakeSend((200, OK)), hooks=Hooks(on_request=broken))

        with caplog.at_level(logging.ERROR, logger="signalwire_orders"):
            response = await client.request("GET", URL)

        assert 200 == response.status
        assert "hook" in caplog.text

    async def test_pages_are_counted_and_told_to_on_page(self) -> None:
        """``note_page`` counts a page and tells the hook its size."""
        seen: list[tuple[int, bool]] = []
        client = engine(
            FakeSend(), hooks=Hooks(on_page=lambda e: seen.append((e.items, e.has_next)))
        )

        client.note_page(URL, 50, has_next=True)

        assert ([(50, True)], 1) == (seen, client.stats.pages)


class TestCounters:
    @pytest.mark.parametrize("answers", [[(200, OK)], [(503, b"abc"), (200, OK)]])
    async def test_bytes_received_counts_every_body(self, answers: Sequence[Answer]) -> None:
        """Every complete body counts, error answers included."""
        client = engine(FakeSend(*answers))

        await client.request("GET", URL)

        expected = sum(len(a[1]) for a in answers if isinstance(a, tuple))
        assert expected == client.stats.bytes_received
