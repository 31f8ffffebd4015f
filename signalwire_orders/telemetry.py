"""
OpenTelemetry spans and metrics for the client, through its `Hooks`.

``pip install 'signalwire-orders[otel]'``, then give the client the hooks that
`opentelemetry_hooks` returns (SPEC section 3). They follow the OpenTelemetry
semantic conventions for HTTP clients:

* one span of kind ``CLIENT`` per request attempt, named by method and route
  template (``GET /api/relay/rest/registry/beta/campaigns/{id}/orders``: ids
  are never in a name), with ``http.request.method``, ``url.full``,
  ``url.template``, ``server.address``, ``server.port``,
  ``http.response.status_code`` when an answer came, ``error.type`` and an
  ``ERROR`` status when the attempt failed, and ``http.request.resend_count``
  on a retry;
* the histogram ``http.client.request.duration`` (seconds, one point per
  attempt) with the same attributes except ``url.full`` and the resend count;
* the counters ``signalwire_orders.client.retries`` (by ``reason``: ``"429"``,
  ``"500"``, ``"timeout"``, ``"connection"``...) and
  ``signalwire_orders.client.rate_limited`` (429 answers).

The API token is in none of them: the client never puts credentials in a URL,
and ``url.full`` would show any userinfo as ``REDACTED:REDACTED`` all the same.
This module imports OpenTelemetry only when `opentelemetry_hooks` is called,
so ``import signalwire_orders.telemetry`` works without the extra.

Example::

    from signalwire_orders import Client
    from signalwire_orders.telemetry import opentelemetry_hooks

    async with Client(hooks=opentelemetry_hooks()) as client:  # the global providers
        async for order in client.orders.list(campaign_id):
            ...
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit, urlunsplit

import attrs

from ._client import package_version
from ._config import origin_of
from ._hooks import Hooks, RequestEvent, RetryEvent

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, MeterProvider
    from opentelemetry.trace import SpanKind, Status, Tracer, TracerProvider

__all__ = ["MISSING_EXTRA", "opentelemetry_hooks", "url_template"]

#: The message of the ``ImportError`` `opentelemetry_hooks` raises without the ``otel`` extra.
MISSING_EXTRA: Final = (
    "signalwire_orders.telemetry needs OpenTelemetry: pip install 'signalwire-orders[otel]'"
)

_SCOPE: Final = "signalwire_orders"
# The semantic conventions' advice for http.client.request.duration, in seconds.
_DURATION_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip
_UUID: Final = re.compile(r"[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}", re.IGNORECASE)
# The API's collections (SPEC section 2): the segment after one is an id, whatever its form.
_COLLECTIONS: Final = frozenset({"brands", "campaigns", "numbers", "orders"})
_ID: Final = "{id}"
_RATE_LIMITED: Final = 429

_Attributes = dict[str, str | int]


def url_template(url: str) -> str:
    """
    Return the path of ``url`` with each id replaced by ``{id}``, without the query.

    An id is a UUID-shaped segment, or the segment after one of the API's
    collections (``brands``, ``campaigns``, ``numbers``, ``orders``): the
    result is a low-cardinality route, fit for a span name or a metric
    attribute (``url.template``).

    Args:
        url: An absolute URL or a path, as in a `RequestEvent` or `RetryEvent`.

    Example::

        url_template(
            "https://example.signalwire.com/api/relay/rest/registry/beta"
            "/campaigns/3fa85f64-5717-4562-b3fc-2c963f66afa6/orders?page_size=50"
        )  # "/api/relay/rest/registry/beta/campaigns/{id}/orders"
    """
    segments = urlsplit(url).path.split("/")
    after_collection = False
    for index, segment in enumerate(segments):
        if segment and (after_collection or _UUID.fullmatch(segment)):
            segments[index] = _ID
            after_collection = False
        else:
            after_collection = segment in _COLLECTIONS
    return "/".join(segments) or "/"


def _url_full(url: str) -> str:
    # The client never sends credentials in a URL; should one ever hold
    # userinfo, show it as the semantic conventions say: REDACTED:REDACTED.
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"REDACTED:REDACTED@{host}"))


def _common(method: str, url: str) -> _Attributes:
    _, host, port = origin_of(url)
    return {
        "http.request.method": method,
        "server.address": host,
        "server.port": port,
        "url.template": url_template(url),
    }


def _error_type(event: RequestEvent) -> str | None:
    # Semantic conventions: the status code as a string for an error answer,
    # else the error's class; None for an attempt that succeeded.
    if event.status is not None and not 200 <= event.status < 300:  # noqa: PLR2004  # 2xx
        return str(event.status)
    return event.error


@attrs.frozen(repr=False)
class _Recorder:
    """The instruments of one `opentelemetry_hooks` call, fed by the client's hooks."""

    tracer: Tracer
    duration: Histogram
    retries: Counter
    rate_limited: Counter
    client_kind: SpanKind
    error_status: Status

    def __repr__(self) -> str:
        return "<OpenTelemetry recorder of signalwire_orders.telemetry>"

    def on_request(self, event: RequestEvent) -> None:
        # The event comes once the attempt is over: the span starts `elapsed` ago, ends now.
        end = time.time_ns()
        common = _common(event.method, event.url)
        attributes = dict(common)
        if event.status is not None:
            attributes["http.response.status_code"] = event.status
        error_type = _error_type(event)
        if error_type is not None:
            attributes["error.type"] = error_type
        self.duration.record(event.elapsed, attributes)
        if event.status == _RATE_LIMITED:
            self.rate_limited.add(1, common)
        span_attributes = {**attributes, "url.full": _url_full(event.url)}
        if event.attempt > 1:
            span_attributes["http.request.resend_count"] = event.attempt - 1
        span = self.tracer.start_span(
            f"{event.method} {common['url.template']}",
            kind=self.client_kind,
            attributes=span_attributes,
            start_time=end - max(0, round(event.elapsed * 1e9)),
        )
        if error_type is not None:
            span.set_status(self.error_status)
        span.end(end_time=end)

    def on_retry(self, event: RetryEvent) -> None:
        self.retries.add(1, {**_common(event.method, event.url), "reason": event.reason})


def opentelemetry_hooks(
    *,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> Hooks:
    """
    Return hooks that record a span per request attempt and the client's HTTP metrics.

    The tracer and the instruments are made once, here, from the providers
    given (the global ones otherwise); give each client its own call or share
    one result between clients, as you like. Spans are children of the span
    current where the request is made. To call your own hooks too, join both
    with `signalwire_orders.Hooks.combine`.

    Args:
        tracer_provider: Where spans go; ``opentelemetry.trace``'s global one if ``None``.
        meter_provider: Where metrics go; ``opentelemetry.metrics``'s global one if ``None``.

    Raises:
        ImportError: OpenTelemetry is not installed (`MISSING_EXTRA` says how to get it).

    Example::

        from opentelemetry.sdk.trace import TracerProvider
        from signalwire_orders import Client, Hooks
        from signalwire_orders.telemetry import opentelemetry_hooks

        hooks = opentelemetry_hooks(tracer_provider=TracerProvider())
        async with Client(hooks=Hooks.combine(hooks, my_hooks)) as client:
            ...
    """
    try:
        # Imported here, not at the top: the library works without the extra.
        from opentelemetry import metrics, trace  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(MISSING_EXTRA, name=exc.name) from exc
    version = package_version()
    meter = metrics.get_meter(_SCOPE, version, meter_provider=meter_provider)
    recorder = _Recorder(
        tracer=trace.get_tracer(_SCOPE, version, tracer_provider=tracer_provider),
        duration=meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        ),
        retries=meter.create_counter(
            "signalwire_orders.client.retries",
            unit="{retry}",
            description="Failed request attempts that the client retries, by reason.",
        ),
        rate_limited=meter.create_counter(
            "signalwire_orders.client.rate_limited",
            unit="{response}",
            description="Answers with status 429 (Too Many Requests).",
        ),
        client_kind=trace.SpanKind.CLIENT,
        error_status=trace.Status(trace.StatusCode.ERROR),
    )
    return Hooks(on_request=recorder.on_request, on_retry=recorder.on_retry)
