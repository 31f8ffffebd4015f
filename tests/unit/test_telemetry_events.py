"""
``signalwire_orders.telemetry`` fed events by hand: span names, attributes, statuses, metrics.

No event loop and no server: the hooks are plain callables, so each test
calls them with a `RequestEvent` or `RetryEvent` and reads what the SDK's
in-memory exporter and reader kept (private providers, never the global ones).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, StatusCode

from signalwire_orders import Hooks, RequestEvent, RetryEvent
from signalwire_orders.telemetry import opentelemetry_hooks, url_template
from support import PREFIX, uid
from support_otel import DURATION, RATE_LIMITED, RETRIES, Recorded, attributes_of, recording

ORIGIN = "https://example.signalwire.com"
ORDERS_ROUTE = f"{PREFIX}/campaigns/{{id}}/orders"
ORDERS_URL = f"{ORIGIN}{PREFIX}/campaigns/{uid(7)}/orders"
NEXT_URL = f"{ORDERS_URL}?page_number=1&page_size=50&page_token=PAabc"


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    """Private providers with in-memory exporter and reader."""
    with recording() as r:
        yield r


@pytest.fixture
def hooks(recorded: Recorded) -> Hooks:
    """`opentelemetry_hooks` on the private providers."""
    return recorded.hooks()


def request(  # noqa: PLR0917  # a test builder: the event's fields in their order
    url: str = ORDERS_URL,
    status: int | None = 200,
    attempt: int = 1,
    elapsed: float = 0.25,
    method: str = "GET",
    error: str | None = None,
) -> RequestEvent:
    """A `RequestEvent` as the client makes one."""
    return RequestEvent(
        method=method, url=url, attempt=attempt, status=status, elapsed=elapsed, error=error
    )


def on_request(hooks: Hooks, *events: RequestEvent) -> None:
    """Hand each event to ``hooks.on_request``."""
    assert hooks.on_request is not None
    for event in events:
        hooks.on_request(event)


class TestUrlTemplate:
    def test_a_uuid_segment_becomes_id(self) -> None:
        """The campaign's UUID is replaced by ``{id}``."""
        expected = ORDERS_ROUTE

        actual = url_template(ORDERS_URL)

        assert expected == actual

    def test_the_query_is_left_out(self) -> None:
        """A next link's cursor is not part of the template."""
        expected = ORDERS_ROUTE

        actual = url_template(NEXT_URL)

        assert expected == actual

    @pytest.mark.parametrize(
        "segment",
        [uid(3).upper(), uid(3).replace("-", ""), "not-a-uuid", "12345", "%2e%2e"],
        ids=["upper-case", "no-hyphens", "word", "number", "encoded"],
    )
    def test_any_segment_after_a_collection_is_an_id(self, segment: str) -> None:
        """Whatever its form, the segment after ``orders`` is replaced: no raw id in a name."""
        expected = f"{PREFIX}/orders/{{id}}"

        actual = url_template(f"{ORIGIN}{PREFIX}/orders/{segment}")

        assert expected == actual

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            (f"/brands/{uid(1)}/campaigns", "/brands/{id}/campaigns"),
            (f"/campaigns/{uid(1)}/numbers", "/campaigns/{id}/numbers"),
            (f"/numbers/{uid(1)}", "/numbers/{id}"),
            ("/brands", "/brands"),
            (f"/other/{uid(1)}/x", "/other/{id}/x"),
        ],
    )
    def test_every_route_of_the_api(self, path: str, expected: str) -> None:
        """Each route keeps its collection names and loses its ids."""
        actual = url_template(ORIGIN + path)

        assert expected == actual

    def test_a_url_without_a_path_is_the_root(self) -> None:
        """An origin alone has the template ``/``."""
        expected = "/"

        actual = url_template(ORIGIN)

        assert expected == actual


class TestSpans:
    def test_one_span_per_attempt_named_by_method_and_template(
        self, recorded: Recorded, hooks: Hooks
    ) -> None:
        """Each event ends one CLIENT span named ``GET <template>``."""
        expected = [(f"GET {ORDERS_ROUTE}", SpanKind.CLIENT)] * 2

        on_request(hooks, request(), request(NEXT_URL))
        actual = [(span.name, span.kind) for span in recorded.spans()]

        assert expected == actual

    def test_a_successful_attempt_has_the_http_client_attributes(
        self, recorded: Recorded, hooks: Hooks
    ) -> None:
        """Method, full URL, template, server address and port, status code; status unset."""
        expected = (
            {
                "http.request.method": "GET",
                "url.full": NEXT_URL,
                "url.template": ORDERS_ROUTE,
                "server.address": "example.signalwire.com",
                "server.port": 443,
                "http.response.status_code": 200,
            },
            StatusCode.UNSET,
        )

        on_request(hooks, request(NEXT_URL))
        (span,) = recorded.spans()
        actual = (attributes_of(span), span.status.status_code)

        assert expected == actual

    def test_the_span_lasts_the_attempt(self, recorded: Recorded, hooks: Hooks) -> None:
        """The span starts ``elapsed`` seconds before it ends."""
        expected = 250_000_000

        on_request(hooks, request(elapsed=0.25))
        (span,) = recorded.spans()
        assert span.start_time is not None
        assert span.end_time is not None
        actual = span.end_time - span.start_time

        assert expected == actual

    def test_a_retry_carries_the_resend_count(self, recorded: Recorded, hooks: Hooks) -> None:
        """Attempt n has ``http.request.resend_count`` n - 1; the first has none."""
        expected = [None, 1, 2]

        on_request(hooks, *(request(attempt=n) for n in (1, 2, 3)))
        actual = [attributes_of(s).get("http.request.resend_count") for s in recorded.spans()]

        assert expected == actual

    @pytest.mark.parametrize(
        ("status", "error", "error_type"),
        [
            (500, "ServerError", "500"),
            (429, "RateLimitError", "429"),
            (404, "NotFoundError", "404"),
            (302, "APIStatusError", "302"),
            (None, "APITimeoutError", "APITimeoutError"),
            (None, "APIConnectionError", "APIConnectionError"),
        ],
    )
    def test_a_failed_attempt_is_an_error_typed_by_status_or_class(
        self, recorded: Recorded, hooks: Hooks, status: int | None, error: str, error_type: str
    ) -> None:
        """Status ERROR; ``error.type`` the status code of a non-2xx answer, else the class."""
        expected = (StatusCode.ERROR, error_type, status)

        on_request(hooks, request(status=status, error=error))
        (span,) = recorded.spans()
        attributes = attributes_of(span)
        actual = (
            span.status.status_code,
            attributes["error.type"],
            attributes.get("http.response.status_code"),
        )

        assert expected == actual

    def test_userinfo_in_a_url_is_redacted(self, recorded: Recorded, hooks: Hooks) -> None:
        """``url.full`` never shows credentials, even if a URL carried them."""
        expected = f"https://REDACTED:REDACTED@example.signalwire.com{PREFIX}/brands?x=1"

        on_request(hooks, request(f"https://me:PTsecret@example.signalwire.com{PREFIX}/brands?x=1"))
        (span,) = recorded.spans()
        actual = attributes_of(span)["url.full"]

        assert expected == actual

    def test_an_explicit_port_is_the_server_port(self, recorded: Recorded, hooks: Hooks) -> None:
        """``server.address`` and ``server.port`` come from the URL, its port if it has one."""
        expected = ("127.0.0.1", 8080)

        on_request(hooks, request(f"http://127.0.0.1:8080{PREFIX}/brands"))
        (span,) = recorded.spans()
        actual = (attributes_of(span)["server.address"], attributes_of(span)["server.port"])

        assert expected == actual

    def test_a_span_is_a_child_of_the_current_span(self, recorded: Recorded, hooks: Hooks) -> None:
        """The attempt's span joins the trace of the code that made the request."""
        tracer = recorded.tracer_provider.get_tracer("test")
        with tracer.start_as_current_span("job") as job:
            on_request(hooks, request())
        expected = job.get_span_context().span_id

        attempt = next(s for s in recorded.spans() if s.name != "job")
        assert attempt.parent is not None
        actual = attempt.parent.span_id

        assert expected == actual


class TestMetrics:
    def test_the_duration_histogram_is_in_seconds(self, recorded: Recorded, hooks: Hooks) -> None:
        """``http.client.request.duration``: unit ``s``, one count per attempt, summing elapsed."""
        expected = ("s", 3, 0.75)

        on_request(hooks, *(request(elapsed=0.25) for _ in range(3)))
        (point,) = recorded.histogram()
        actual = (recorded.metrics()[DURATION].unit, point.count, point.sum)

        assert expected == actual

    def test_the_duration_has_low_cardinality_attributes(
        self, recorded: Recorded, hooks: Hooks
    ) -> None:
        """Method, server, template, status and error type: no URL, no resend count."""
        expected = {
            "http.request.method": "GET",
            "server.address": "example.signalwire.com",
            "server.port": 443,
            "url.template": ORDERS_ROUTE,
            "http.response.status_code": 503,
            "error.type": "503",
        }

        on_request(hooks, request(NEXT_URL, status=503, attempt=2, error="ServerError"))
        (point,) = recorded.histogram()
        actual = dict(point.attributes or {})

        assert expected == actual

    def test_the_duration_buckets_follow_the_conventions(
        self, recorded: Recorded, hooks: Hooks
    ) -> None:
        """The histogram's buckets are the semantic conventions' advice, 5 ms to 10 s."""
        expected = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

        on_request(hooks, request())
        (point,) = recorded.histogram()
        actual = tuple(point.explicit_bounds)

        assert expected == actual

    def test_retries_are_counted_by_reason(self, recorded: Recorded, hooks: Hooks) -> None:
        """``signalwire_orders.client.retries`` adds one per retry, by ``reason``."""
        expected = ({"500": 2, "timeout": 1}, "{retry}")

        assert hooks.on_retry is not None
        for reason in ("500", "timeout", "500"):
            hooks.on_retry(
                RetryEvent(method="GET", url=NEXT_URL, attempt=1, delay=0.5, reason=reason)
            )
        actual = (recorded.counts(RETRIES, "reason"), recorded.metrics()[RETRIES].unit)

        assert expected == actual

    def test_a_retry_names_its_route_not_its_url(self, recorded: Recorded, hooks: Hooks) -> None:
        """A retry's point has method, server, template and reason: no id, no cursor."""
        expected = {
            "http.request.method": "GET",
            "server.address": "example.signalwire.com",
            "server.port": 443,
            "url.template": ORDERS_ROUTE,
            "reason": "429",
        }

        assert hooks.on_retry is not None
        hooks.on_retry(RetryEvent(method="GET", url=NEXT_URL, attempt=1, delay=1.0, reason="429"))
        metric = recorded.metrics()[RETRIES]
        actual = dict(metric.data.data_points[0].attributes or {})

        assert expected == actual

    def test_only_429_answers_count_as_rate_limited(self, recorded: Recorded, hooks: Hooks) -> None:
        """``signalwire_orders.client.rate_limited`` counts 429s, not other errors."""
        expected = {ORDERS_ROUTE: 2}

        on_request(hooks, request(status=429), request(status=500), request(status=429))
        actual = recorded.counts(RATE_LIMITED, "url.template")

        assert expected == actual

    def test_nothing_is_counted_before_anything_happens(self, recorded: Recorded) -> None:
        """Making the hooks records no point: instruments are made, not used."""
        expected: list[object] = []

        recorded.hooks()
        actual = recorded.histogram()

        assert expected == actual


class TestHooks:
    def test_pages_are_not_hooked(self, hooks: Hooks) -> None:
        """Only requests and retries are observed: a page costs nothing more."""
        expected = (True, True, None)

        actual = (hooks.on_request is not None, hooks.on_retry is not None, hooks.on_page)

        assert expected == actual

    def test_the_global_providers_serve_when_none_is_given(self) -> None:
        """Without providers the hooks use the global ones, and set none of them."""
        expected = (trace.get_tracer_provider(), metrics.get_meter_provider())

        on_request(opentelemetry_hooks(), request())
        actual = (trace.get_tracer_provider(), metrics.get_meter_provider())

        assert expected == actual

    def test_the_repr_is_short(self, hooks: Hooks) -> None:
        """A log line naming the hook shows no tracer internals."""
        expected = "<OpenTelemetry recorder of signalwire_orders.telemetry>"

        actual = repr(getattr(hooks.on_request, "__self__", None))

        assert expected == actual
