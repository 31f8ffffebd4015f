"""The fake's status callbacks: POSTed to loopback receivers only, recorded, cleaned up on close."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from openapi import SPEC, needs_openapi
from signalwire_orders.testing import FakeServer
from signalwire_orders.testing._background import is_loopback
from support import (
    call,
    closed_port,
    csp_brand_body,
    eventually,
    in_a_thread,
    partner_campaign_body,
)

pytestmark = pytest.mark.signalwire_fake_server(
    brands=1, campaigns_per_brand=1, orders_per_campaign=3, numbers_per_campaign=1
)
PAYLOAD = "#/components/schemas/Webhooks.Messaging.TenDlcStatusCallbackPayload"
NUMBERS = ["+15551234567"]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Receiver:
    """A loopback HTTP server that records the JSON POSTed to it and answers ``status``."""

    def __init__(self) -> None:
        self.url = ""
        self.bodies: list[Any] = []
        self.status = 200
        self.hang = False
        self.release = asyncio.Event()
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record the body; answer (after ``release`` when hanging)."""
        self.bodies.append(await request.json())
        if self.hang:
            await self.release.wait()
        if 300 <= self.status < 400:
            return web.Response(status=self.status, headers={"Location": self.url + "/elsewhere"})
        return web.Response(status=self.status, text="ok")

    @property
    def connections(self) -> int:
        """Connections open to the receiver now."""
        assert self.runner is not None
        assert self.runner.server is not None
        return len(self.runner.server.connections)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A started `Receiver` on 127.0.0.1."""
    receiving = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiving.handle)
    receiving.runner = web.AppRunner(app, access_log=None)
    await receiving.runner.setup()
    await web.TCPSite(receiving.runner, "127.0.0.1", 0).start()
    receiving.url = f"http://127.0.0.1:{receiving.runner.addresses[0][1]}/cb"
    try:
        yield receiving
    finally:
        receiving.release.set()
        await receiving.runner.cleanup()


def brand_with(server: FakeServer, url: str, **options: Any) -> dict[str, Any]:
    """A created CSP brand whose callbacks go to ``url``."""
    return server.data.create_brand(csp_brand_body() | {"status_callback_url": url}, **options)


def campaign_with(server: FakeServer, url: str) -> dict[str, Any]:
    """A created partner campaign (of a seeded brand) whose callbacks go to ``url``."""
    brand_id = server.data.brands[0]["id"]
    body = partner_campaign_body(brand_id) | {"status_callback_url": url}
    return server.data.create_campaign(brand_id, body)


async def only_callback(receiver: Receiver) -> Any:
    """Wait for the receiver's first callback; return its body."""
    assert await eventually(lambda: len(receiver.bodies) >= 1)
    return receiver.bodies[0]


def payload(server: FakeServer, event_at: str, **fields: str) -> dict[str, str]:
    """The callback body the fake is expected to send."""
    return {"project_id": server.project_id, "event_at": event_at, **fields}


class TestDelivered:
    @pytest.mark.parametrize("event_type", ["brand_activated", "brand_unverified"])
    async def test_a_brand_s_move_is_announced(
        self, server: FakeServer, receiver: Receiver, event_type: str
    ) -> None:
        """A created brand that becomes completed (or unverified) POSTs its event with its id."""
        state = "completed" if event_type == "brand_activated" else "unverified"
        brand = brand_with(server, receiver.url, final_state=state)

        server.data.poll_brand(brand["id"], process_after_polls=1)

        body = await only_callback(receiver)
        expected = {"event_category": "brand", "state": state, "brand_id": brand["id"]}
        assert body == payload(server, body["event_at"], event_type=event_type, **expected)
        assert RFC3339.match(body["event_at"])

    async def test_an_activated_campaign_is_announced_with_its_brand(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """A created campaign that becomes active POSTs campaign_activated with both ids."""
        campaign = campaign_with(server, receiver.url)

        server.data.poll_campaign(campaign["id"], process_after_polls=1)

        body = await only_callback(receiver)
        assert body == payload(
            server,
            body["event_at"],
            event_category="campaign",
            event_type="campaign_activated",
            state="active",
            brand_id=server.data.brands[0]["id"],
            campaign_id=campaign["id"],
        )

    async def test_a_processed_order_is_announced_once_through_the_api(
        self, server: FakeServer, receiver: Receiver, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Polling a created order to processed POSTs one number_assignment_order_processed."""
        _, order = await call(
            http,
            "POST",
            f"{server.api_url}/campaigns/{campaign_id}/orders",
            {"phone_numbers": NUMBERS, "status_callback_url": receiver.url},
        )
        for _ in range(3):  # pending -> processing -> processed, then processed again
            await call(http, "GET", f"{server.api_url}/orders/{order['id']}")

        body = await only_callback(receiver)
        await server.close()
        assert len(receiver.bodies) == 1
        assert body == payload(
            server,
            body["event_at"],
            event_category="number_assignment_order",
            event_type="number_assignment_order_processed",
            state="processed",
            brand_id=server.data.brand_of(campaign_id),
            campaign_id=campaign_id,
            number_assignment_order_id=order["id"],
        )

    @pytest.mark.signalwire_fake_server(brands=1, advance_after=0.01, process_after_polls=None)
    async def test_moves_in_time_are_announced_too(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """With advance_after set, a brand nobody polls still gets its callback."""
        brand_with(server, receiver.url)

        assert await eventually(lambda: len(receiver.bodies) == 1)
        assert receiver.bodies[0]["event_type"] == "brand_activated"

    async def test_each_attempt_is_recorded(self, server: FakeServer, receiver: Receiver) -> None:
        """ServerState.callbacks keeps the URL, payload and answer of each delivery."""
        brand = brand_with(server, receiver.url)
        server.data.poll_brand(brand["id"], process_after_polls=1)
        assert await eventually(lambda: len(server.state.callbacks) == 1)

        [delivery] = server.state.callbacks

        assert (delivery.url, delivery.status, delivery.error, delivery.ok) == (
            receiver.url,
            200,
            None,
            True,
        )
        assert delivery.payload == receiver.bodies[0]
        assert server.state.callback_failures == 0

    @needs_openapi
    async def test_every_payload_is_the_documented_schema(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """Brand, campaign and order payloads validate against TenDlcStatusCallbackPayload."""
        assert SPEC is not None
        brand = brand_with(server, receiver.url)
        campaign = campaign_with(server, receiver.url)
        order = server.data.create_order(campaign["id"], NUMBERS, receiver.url)
        server.data.advance_due(0)

        assert await eventually(lambda: len(receiver.bodies) == 3)
        assert [SPEC.problems(PAYLOAD, body) for body in receiver.bodies] == [[], [], []]
        assert {b.get("number_assignment_order_id") for b in receiver.bodies} == {None, order["id"]}
        assert {b["brand_id"] for b in receiver.bodies} == {
            brand["id"],
            server.data.brands[0]["id"],
        }


class TestNotDelivered:
    @pytest.mark.parametrize("reached", ["failed", "processing"])
    async def test_moves_the_tables_do_not_list_are_silent(
        self, server: FakeServer, receiver: Receiver, campaign_id: str, reached: str
    ) -> None:
        """An order that fails, or only starts processing, POSTs nothing."""
        order = server.data.create_order(campaign_id, NUMBERS, receiver.url, final_state="failed")
        polls = 2 if reached == "failed" else 1
        for _ in range(polls):
            server.data.poll_order(order["id"], process_after_polls=2)

        await server.close()  # deliveries in flight would finish here

        assert server.data.order(order["id"])["state"] == reached
        assert (receiver.bodies, server.state.callbacks) == ([], [])

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com/cb",
            "http://192.0.2.1/cb",
            "http://10.0.0.1:8080/cb",
            "http://[::2]/cb",
            "http://localhost.example.com/cb",
            "http://127.0.0.1.nip.io/cb",
        ],
    )
    async def test_no_callback_leaves_the_machine(
        self, server: FakeServer, caplog: pytest.LogCaptureFixture, url: str
    ) -> None:
        """A status_callback_url on any host but loopback gets nothing, said at DEBUG."""
        brand = brand_with(server, url)

        with caplog.at_level(logging.DEBUG, logger="signalwire_orders.testing"):
            server.data.poll_brand(brand["id"], process_after_polls=1)
        await server.close()

        assert server.data.brand(brand["id"])["state"] == "completed"
        assert server.state.callbacks == []
        assert f"status callback to {url} not sent: not a loopback host" in caplog.messages

    async def test_a_redirect_is_not_followed(self, server: FakeServer, receiver: Receiver) -> None:
        """A receiver's redirect is recorded as its answer, never followed."""
        receiver.status = 307
        brand = brand_with(server, receiver.url)

        server.data.poll_brand(brand["id"], process_after_polls=1)

        assert await eventually(lambda: len(server.state.callbacks) == 1)
        assert (server.state.callbacks[0].status, len(receiver.bodies)) == (307, 1)


class TestFailures:
    async def test_a_refused_connection_is_recorded_and_counted(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """A receiver that is not there: the GET still answers 200, the failure is recorded."""
        url = await closed_port() + "/cb"
        brand = brand_with(server, url)

        with caplog.at_level(logging.DEBUG, logger="signalwire_orders.testing"):
            status, body = await call(http, "GET", f"{server.api_url}/brands/{brand['id']}")
            status, body = await call(http, "GET", f"{server.api_url}/brands/{brand['id']}")
            assert await eventually(lambda: server.state.callback_failures == 1)

        [delivery] = server.state.callbacks
        assert (status, body["state"]) == (200, "completed")
        assert (delivery.status, delivery.ok) == (None, False)
        assert delivery.error is not None
        assert delivery.error.startswith("ClientConnectorError")
        assert any("brand_activated" in m and "failed" in m for m in caplog.messages)

    async def test_an_error_answer_is_a_failure(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """A receiver answering 500 is recorded with that status and counted as failed."""
        receiver.status = 500
        brand = brand_with(server, receiver.url)

        server.data.poll_brand(brand["id"], process_after_polls=1)

        assert await eventually(lambda: server.state.callback_failures == 1)
        assert server.state.callbacks[0].status == 500


class TestClose:
    async def test_close_leaves_no_task_and_no_connection(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """After close, no fake task runs and the callbacks' connection to the receiver is gone."""
        brand = brand_with(server, receiver.url)
        server.data.poll_brand(brand["id"], process_after_polls=1)
        assert await eventually(lambda: len(server.state.callbacks) == 1)

        await server.close()

        left = [t for t in asyncio.all_tasks() if t.get_name().startswith("fake-server")]
        assert left == []
        assert await eventually(lambda: receiver.connections == 0)

    async def test_a_delivery_still_hanging_at_close_is_cancelled(
        self, server: FakeServer, receiver: Receiver
    ) -> None:
        """A receiver that never answers does not hold close() up: the delivery is cancelled."""
        receiver.hang = True
        brand = brand_with(server, receiver.url)
        server.data.poll_brand(brand["id"], process_after_polls=1)
        assert await eventually(lambda: len(receiver.bodies) == 1)

        await server.close()

        [delivery] = server.state.callbacks
        assert (delivery.status, delivery.error) == (None, "cancelled: the server closed")
        assert [t for t in asyncio.all_tasks() if t.get_name() == "fake-server-callback"] == []

    def test_changes_made_from_another_thread_are_delivered(self) -> None:
        """A test thread changing the data of a server running in its own loop gets callbacks."""
        server = FakeServer(brands=1)
        with in_a_thread(server):
            brand = brand_with(server, "http://127.0.0.1:9/cb")  # discard: nobody listens
            server.data.poll_brand(brand["id"], process_after_polls=1)
            deadline = time.monotonic() + 10
            while not server.state.callbacks and time.monotonic() < deadline:
                time.sleep(0.01)

        assert [d.payload["brand_id"] for d in server.state.callbacks] == [brand["id"]]


class TestIsLoopback:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("http://127.0.0.1/cb", True),
            ("http://127.255.0.9:81/", True),
            ("https://[::1]:8443/cb", True),
            ("http://localhost/cb", True),
            ("http://LOCALHOST:8080/cb", True),
            ("http://0.0.0.0/cb", False),
            ("http://[::ffff:127.0.0.1]/cb", False),
            ("http://128.0.0.1/cb", False),
            ("http://[::1/cb", False),
            ("/cb", False),
        ],
    )
    def test_only_this_machine_is_loopback(self, url: str, expected: bool) -> None:
        """localhost, 127.0.0.0/8 and ::1 are loopback; nothing else is."""
        assert is_loopback(url) is expected
