"""
OpenTelemetry against the fake server: a span per attempt, the metrics, and never the token.

The client runs listings through scripted and random faults (500s, 429s with
``Retry-After``, a wrong token) with `opentelemetry_hooks` on private providers
(support_otel), and every span and metric point is read back from the SDK's
in-memory exporter and reader. The ``otel`` extra is optional: without it the
library imports, and only `opentelemetry_hooks` says what to install.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import requires
from typing import Final

import aiohttp
import pytest

from signalwire_orders import AuthenticationError, Client, Hooks, RequestEvent
from signalwire_orders.telemetry import MISSING_EXTRA
from signalwire_orders.testing import FakeServer
from support import NO_WAIT, PATIENT, PREFIX, client_for, drain
from support_otel import RATE_LIMITED, RETRIES, Recorded, attributes_of, recording

PROJECT: Final = "6e2d1b63-9b1f-4a10-8d8f-4b3c2d1e0f90"
TOKEN: Final = "PTotel8Vn3Qs6Lx1Jd4Wr7Bk2Zm9Hc5"
WRONG: Final = "PTwrongotel5Fg8Hj3Kl6Mn1Pq4Rs7"
ORDERS_ROUTE: Final = f"GET {PREFIX}/campaigns/{{id}}/orders"

#: 2 brands x 3 campaigns x 30 orders: one page per campaign at the default page size.
pytestmark = pytest.mark.signalwire_fake_server(
    seed=41,
    brands=2,
    campaigns_per_brand=3,
    orders_per_campaign=30,
    project_id=PROJECT,
    api_token=TOKEN,
)


def _forms(token: str) -> list[str]:
    """The token and every way the client encodes it on the wire."""
    header = aiohttp.encode_basic_auth(PROJECT, token)
    return [token, header, header.removeprefix("Basic "), base64.b64encode(token.encode()).decode()]


SECRETS: Final = _forms(TOKEN) + _forms(WRONG)


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    """Private providers with in-memory exporter and reader."""
    with recording() as r:
        yield r


class TestSpans:
    async def test_a_failed_attempt_and_its_retry_are_two_spans(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """A 500 then a 200: two spans named by the route, the second a resend."""
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("list_orders", ["500"])
        expected = [
            (ORDERS_ROUTE, 500, "500", None),
            (ORDERS_ROUTE, 200, None, 1),
        ]

        async with client_for(server, hooks=recorded.hooks()) as client:
            await drain(client.orders.list(campaign_id))
        actual = [
            (
                span.name,
                attributes_of(span)["http.response.status_code"],
                attributes_of(span).get("error.type"),
                attributes_of(span).get("http.request.resend_count"),
            )
            for span in recorded.spans()
        ]

        assert expected == actual

    async def test_a_span_names_the_server_and_the_url_sent(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """``url.full`` is the URL requested; ``server.*`` the fake's loopback address and port."""
        campaign_id = server.data.campaign_ids()[0]
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"
        port = int(server.base_url.rpartition(":")[2])
        expected = {
            "http.request.method": "GET",
            "url.full": url,
            "url.template": ORDERS_ROUTE.removeprefix("GET "),
            "server.address": "127.0.0.1",
            "server.port": port,
            "http.response.status_code": 200,
        }

        async with client_for(server, hooks=recorded.hooks()) as client:
            await drain(client.orders.list(campaign_id))
        (span,) = recorded.spans()
        actual = attributes_of(span)

        assert expected == actual

    async def test_every_span_lasts_a_while_and_has_no_raw_id_in_its_name(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """Gets, listings and a fan-out: ends never precede starts, names carry ``{id}``."""
        campaign_ids = server.data.campaign_ids()
        order_id = server.data.orders_of(campaign_ids[0])[0]["id"]
        async with client_for(server, hooks=recorded.hooks()) as client:
            await client.orders.get(order_id)
            await client.campaigns.get(campaign_ids[0])
            await drain(client.brands.list())
            await drain(client.orders.list_many(campaign_ids))
        spans = recorded.spans()
        expected: list[str] = []

        too_short = [s.name for s in spans if (s.end_time or 0) < (s.start_time or 0)]
        raw_ids = [
            s.name for s in spans if any(str(i) in s.name for i in [*campaign_ids, order_id])
        ]

        assert expected == too_short + raw_ids
        assert len(spans) == len(server.requests)
        assert {
            f"GET {PREFIX}/orders/{{id}}",
            f"GET {PREFIX}/campaigns/{{id}}",
            f"GET {PREFIX}/brands",
            ORDERS_ROUTE,
        } == {s.name for s in spans}

    async def test_spans_join_the_callers_trace(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """Every attempt of a fan-out is a child of the span current when it started."""
        tracer = recorded.tracer_provider.get_tracer("test")
        async with client_for(server, hooks=recorded.hooks()) as client:
            with tracer.start_as_current_span("export") as job:
                await drain(client.orders.list_many(server.data.campaign_ids()))
        expected = {job.get_span_context().span_id}

        attempts = [s for s in recorded.spans() if s.name != "export"]
        actual = {s.parent.span_id if s.parent else None for s in attempts}

        assert expected == actual
        assert len(server.data.campaign_ids()) == len(attempts)


class TestMetrics:
    async def test_the_histogram_counts_every_attempt(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """Through 500s and 429s, scripted then random, one duration count per request made."""
        server.faults.script("list_orders", ["500", "429"])
        server.faults.route("list_orders").error_rate = 0.3
        server.faults.route("list_orders").rate_limit_rate = 0.1
        server.faults.route("*").retry_after = "0"
        async with client_for(server, retry=PATIENT, hooks=recorded.hooks()) as client:
            await drain(client.orders.list_many(server.data.campaign_ids()))
        expected = len(server.requests)

        points = recorded.histogram()
        actual = sum(point.count for point in points)

        assert expected == actual
        assert all(point.sum >= 0 for point in points)
        assert {200, 429, 500} == {
            (p.attributes or {})["http.response.status_code"] for p in points
        }

    async def test_retries_are_counted_by_reason(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """The retries counter agrees with the client's own ``stats.retry_reasons``."""
        server.faults.script("list_orders", ["500", "429", "502", "500"])
        server.faults.route("*").retry_after = "0"
        async with client_for(server, retry=PATIENT, hooks=recorded.hooks()) as client:
            await drain(client.orders.list_many(server.data.campaign_ids()))
            expected = dict(client.stats.retry_reasons)

        actual = recorded.counts(RETRIES, "reason")

        assert {"500": 2, "429": 1, "502": 1} == expected
        assert expected == actual

    async def test_rate_limited_answers_are_counted(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """Two 429s with ``Retry-After``: the rate-limited counter says 2, as the stats do."""
        server.faults.script("list_orders", ["429", "429"])
        server.faults.route("*").retry_after = "0"
        async with client_for(server, hooks=recorded.hooks()) as client:
            await drain(client.orders.list(server.data.campaign_ids()[0]))
            expected = {ORDERS_ROUTE.removeprefix("GET "): client.stats.rate_limited}

        actual = recorded.counts(RATE_LIMITED, "url.template")

        assert {ORDERS_ROUTE.removeprefix("GET "): 2} == expected
        assert expected == actual


class TestNoToken:
    async def test_the_token_is_in_no_span_and_no_metric(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """Listings through 500s, 429s, a drop and a wrong token leave no secret in any signal."""
        campaign_ids = server.data.campaign_ids()
        server.faults.script("list_orders", ["500", "429", "drop", "500"])
        server.faults.script("list_campaigns", ["503"])
        server.faults.route("*").retry_after = "0"
        hooks = recorded.hooks()
        async with client_for(server, retry=PATIENT, hooks=hooks) as client:
            await drain(client.orders.list_many(campaign_ids))
            await drain(client.campaigns.list_all())
            attempts = client.stats.requests
        async with client_for(server, api_token=WRONG, retry=NO_WAIT, hooks=hooks) as client:
            with pytest.raises(AuthenticationError):
                await drain(client.orders.list(campaign_ids[0]))
            attempts += client.stats.requests
        spans = recorded.spans()
        data = recorded.metrics_data()
        assert data is not None
        signals = [span.to_json() for span in spans] + [data.to_json()]
        expected: list[str] = []

        actual = [secret for secret in SECRETS if any(secret in text for text in signals)]

        assert expected == actual
        assert attempts == len(spans) == len(server.requests)
        assert {401, 429, 500, 503} <= {
            attributes_of(s).get("http.response.status_code") for s in spans
        }


class TestComposition:
    async def test_user_hooks_and_opentelemetry_both_see_every_attempt(
        self, server: FakeServer, recorded: Recorded
    ) -> None:
        """``Hooks.combine``: a raising user hook stops neither OpenTelemetry nor the next one."""
        seen: list[RequestEvent] = []

        def broken(_: object) -> None:
            msg = "user hook bug"
            raise RuntimeError(msg)

        hooks = Hooks.combine(
            Hooks(on_request=broken), recorded.hooks(), Hooks(on_request=seen.append)
        )
        server.faults.script("list_orders", ["500"])
        async with Client(env=server.env, retry=NO_WAIT, hooks=hooks) as client:
            await drain(client.orders.list(server.data.campaign_ids()[0]))
        expected = [500, 200]

        actual = [attributes_of(s)["http.response.status_code"] for s in recorded.spans()]

        assert expected == actual
        assert expected == [event.status for event in seen]


#: Runs a snippet with OpenTelemetry made unimportable, as a default install has it.
BLOCKED: Final = "import sys; sys.modules['opentelemetry'] = None; {code}"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own interpreter and snippet
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


class TestWithoutTheExtra:
    def test_the_library_imports_without_opentelemetry(self) -> None:
        """``signalwire_orders`` and its telemetry module import in a default install."""
        code = "import signalwire_orders, signalwire_orders.sync, signalwire_orders.telemetry"

        result = _run(BLOCKED.format(code=code))

        assert (0, "") == (result.returncode, result.stderr)

    def test_the_hooks_say_to_install_the_extra(self) -> None:
        """``opentelemetry_hooks()`` raises ``ImportError`` naming ``signalwire-orders[otel]``."""
        code = (
            "from signalwire_orders.telemetry import opentelemetry_hooks\n"
            "try:\n    opentelemetry_hooks()\n"
            "except ImportError as exc:\n    print(type(exc).__name__, exc, sep=': ')"
        )

        result = _run(BLOCKED.format(code=code))

        assert (0, f"ImportError: {MISSING_EXTRA}") == (result.returncode, result.stdout.strip())
        assert "pip install 'signalwire-orders[otel]'" in MISSING_EXTRA

    def test_nothing_imports_opentelemetry_until_asked(self) -> None:
        """Importing the library, even its telemetry module, loads no OpenTelemetry package."""
        code = (
            "import sys, signalwire_orders, signalwire_orders.telemetry\n"
            "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
        )

        result = _run(code)

        assert (0, "[]") == (result.returncode, result.stdout.strip())


class TestMetadata:
    def test_the_otel_extra_brings_the_api_and_the_sdk(self) -> None:
        """``pip install 'signalwire-orders[otel]'`` requires opentelemetry-api and -sdk."""
        declared = requires("signalwire-orders") or []

        otel = {r.split(">")[0].strip() for r in declared if 'extra == "otel"' in r}

        assert {"opentelemetry-api", "opentelemetry-sdk"} == otel
