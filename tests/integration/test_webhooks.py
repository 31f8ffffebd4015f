"""The status callback receiver and the order watcher, end to end over loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from aiohttp import web

from signalwire_orders import APITimeoutError, Client, Order, OrderState
from signalwire_orders.testing import FakeServer
from signalwire_orders.webhooks import (
    EventType,
    StatusCallbackReceiver,
    StatusEvent,
    secret_path,
    wait_for_order,
)
from support import ORDER_ID, sample_json, serving

NUMBERS = ["+15558675309"]
#: How long a wait for an event may take before the test fails: never reached when all works.
DEADLINE = 30.0


def event_body(event_type: str = "number_assignment_order_processed", **changes: Any) -> bytes:
    """A documented callback body of an order or number assignment event."""
    body: dict[str, Any] = sample_json("status_callback.json")
    body.update(event_type=event_type, **changes)
    return json.dumps(body).encode()


def processed(order_id: UUID | str) -> bytes:
    """The ``number_assignment_order_processed`` callback of one order."""
    return event_body(number_assignment_order_id=str(order_id))


class Hook:
    """A running receiver and a session to POST callbacks to it."""

    def __init__(
        self, receiver: StatusCallbackReceiver, origin: str, session: aiohttp.ClientSession
    ) -> None:
        self.receiver = receiver
        self.url = origin + receiver.path
        self.session = session

    async def post(self, body: Any, **kwargs: Any) -> tuple[int, Any]:
        """POST a body; return the status and the JSON answer (or None)."""
        async with self.session.post(self.url, data=body, **kwargs) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None


@contextlib.asynccontextmanager
async def hooked(receiver: StatusCallbackReceiver) -> AsyncIterator[Hook]:
    """Serve ``receiver.app()`` over loopback with a client session beside it."""
    async with serving(receiver.app()) as origin, aiohttp.ClientSession() as session:
        yield Hook(receiver, origin, session)


def collector() -> tuple[list[StatusEvent], Callable[[StatusEvent], Awaitable[None]]]:
    """A list and an ``on_event`` callback that appends to it."""
    seen: list[StatusEvent] = []

    async def on_event(event: StatusEvent) -> None:
        seen.append(event)

    return seen, on_event


async def first(receiver: StatusCallbackReceiver, count: int) -> list[StatusEvent]:
    """The first ``count`` events of ``receiver.events()``, or a timeout."""
    events: list[StatusEvent] = []
    async with asyncio.timeout(DEADLINE):
        async for event in receiver.events():
            events.append(event)
            if len(events) == count:
                break
    return events


class TestReceiver:
    async def test_callback_gets_typed_events(self) -> None:
        """Each POSTed payload reaches ``on_event`` as a typed ``StatusEvent``."""
        seen, on_event = collector()
        types = ["number_assignment_order_processed", "number_assignment_failed", "brand_x"]
        expected = ([200] * 3, types, [UUID(ORDER_ID)] * 3)

        async with hooked(StatusCallbackReceiver(on_event)) as hook:
            statuses = [(await hook.post(event_body(t)))[0] for t in types]
        actual = (
            statuses,
            [e.event_type for e in seen],
            [e.number_assignment_order_id for e in seen],
        )

        assert expected == actual

    async def test_ok_answer_is_json(self) -> None:
        """A valid callback is answered 200 ``{"ok": true}``."""
        _, on_event = collector()
        expected = (200, {"ok": True})

        async with hooked(StatusCallbackReceiver(on_event)) as hook:
            actual = await hook.post(event_body())

        assert expected == actual

    async def test_iterator_gets_events_in_order(self) -> None:
        """Without ``on_event``, events queue for ``events()``, oldest first."""
        receiver = StatusCallbackReceiver()
        types = ["brand_activated", "campaign_activated", "number_assignment_activated"]
        expected = types

        async with hooked(receiver) as hook:
            for event_type in types:
                await hook.post(event_body(event_type))
            actual = [e.event_type for e in await first(receiver, 3)]

        assert expected == actual

    async def test_iterator_waits_for_events(self) -> None:
        """An iterator started before any callback gets the ones that come later."""
        receiver = StatusCallbackReceiver()
        expected = [EventType.CAMPAIGN_DEACTIVATED]

        async with hooked(receiver) as hook:
            reader = asyncio.create_task(first(receiver, 1))
            await asyncio.sleep(0)
            await hook.post(event_body("campaign_deactivated"))
            actual = [e.event_type for e in await reader]

        assert expected == actual

    async def test_bad_json_is_400_with_a_json_error(self) -> None:
        """A body that is not JSON is answered 400 ``{"error": ...}`` and delivered nowhere."""
        seen, on_event = collector()

        async with hooked(StatusCallbackReceiver(on_event)) as hook:
            status, answer = await hook.post(b"{not json")

        assert 400 == status
        assert "not JSON" in answer["error"]
        assert [] == seen

    async def test_wrong_shape_is_400_naming_the_field(self) -> None:
        """A JSON body missing a required field is answered 400 naming it."""
        body = json.loads(event_body())
        del body["brand_id"]

        async with hooked(StatusCallbackReceiver(queue_size=1)) as hook:
            status, answer = await hook.post(json.dumps(body))

        assert 400 == status
        assert "brand_id" in answer["error"]

    async def test_body_over_the_cap_is_413(self) -> None:
        """A body larger than ``max_body_size`` (declared length) is answered 413."""
        seen, on_event = collector()
        receiver = StatusCallbackReceiver(on_event, max_body_size=1024)

        async with hooked(receiver) as hook:
            status, answer = await hook.post(event_body(padding="x" * 2048))

        assert 413 == status
        assert "1024" in answer["error"]
        assert [] == seen

    async def test_chunked_body_over_the_cap_is_413(self) -> None:
        """A chunked body with no declared length is cut off at the cap too."""
        receiver = StatusCallbackReceiver(max_body_size=1024)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(8):
                yield b" " * 512

        async with hooked(receiver) as hook:
            status, _ = await hook.post(chunks())

        assert 413 == status

    async def test_body_at_the_cap_is_accepted(self) -> None:
        """A body of exactly ``max_body_size`` bytes is accepted."""
        body = event_body()
        _, on_event = collector()

        async with hooked(StatusCallbackReceiver(on_event, max_body_size=len(body))) as hook:
            status, _ = await hook.post(body)

        assert 200 == status

    async def test_other_methods_are_405(self) -> None:
        """GET on the callback route is answered 405 by aiohttp."""
        async with (
            hooked(StatusCallbackReceiver(queue_size=1)) as hook,
            hook.session.get(hook.url) as response,
        ):
            status = response.status

        assert 405 == status

    async def test_full_queue_is_503_until_read(self) -> None:
        """With the queue full, callbacks get 503 (SignalWire retries); reading makes room."""
        receiver = StatusCallbackReceiver(queue_size=2)
        expected = [200, 200, 503, 200]

        async with hooked(receiver) as hook:
            actual = [(await hook.post(event_body()))[0] for _ in range(3)]
            await first(receiver, 1)
            actual.append((await hook.post(event_body()))[0])

        assert expected == actual

    async def test_failing_callback_is_500(self) -> None:
        """When ``on_event`` raises, the answer is 500 so that SignalWire may retry."""

        async def on_event(event: StatusEvent) -> None:
            raise RuntimeError(event.state)

        async with hooked(StatusCallbackReceiver(on_event)) as hook:
            status, _ = await hook.post(event_body())

        assert 500 == status

    async def test_callback_and_queue_both_get_the_event(self) -> None:
        """With ``on_event`` and a ``queue_size``, each event goes to both."""
        seen, on_event = collector()
        receiver = StatusCallbackReceiver(on_event, queue_size=4)

        async with hooked(receiver) as hook:
            await hook.post(event_body())
            queued = await first(receiver, 1)

        assert seen == queued

    async def test_closed_receiver_is_503_and_ends_iterators(self) -> None:
        """After ``close()``, callbacks get 503 and iterators end once drained."""
        receiver = StatusCallbackReceiver()

        async with hooked(receiver) as hook:
            await hook.post(event_body())
            receiver.close()
            status, _ = await hook.post(event_body())
            async with asyncio.timeout(DEADLINE):
                drained = [event async for event in receiver.events()]

        assert 503 == status
        assert 1 == len(drained)

    async def test_handle_mounts_on_your_own_app_and_path(self) -> None:
        """``handle`` serves on your application, at the (secret) path you choose."""
        seen, on_event = collector()
        receiver = StatusCallbackReceiver(on_event)
        path = secret_path()
        app = web.Application()
        app.router.add_post(path, receiver.handle)

        async with serving(app) as origin, aiohttp.ClientSession() as session:
            async with session.post(origin + path, data=event_body()) as response:
                status = response.status
            async with session.post(origin + "/", data=event_body()) as response:
                elsewhere = response.status

        assert (200, 404, 1) == (status, elsewhere, len(seen))

    async def test_body_already_read_by_a_middleware_is_used(self) -> None:
        """``handle`` works after your own middleware has read the body (e.g. to check it)."""
        seen, on_event = collector()
        receiver = StatusCallbackReceiver(on_event)

        @web.middleware
        async def reads_first(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            await request.read()
            return await handler(request)

        app = web.Application(middlewares=[reads_first])
        app.router.add_post("/", receiver.handle)

        async with (
            serving(app) as origin,
            aiohttp.ClientSession() as session,
            session.post(origin + "/", data=event_body()) as response,
        ):
            status = response.status

        assert (200, [UUID(ORDER_ID)]) == (status, [e.number_assignment_order_id for e in seen])

    async def test_app_serves_the_configured_path(self) -> None:
        """``app()`` routes ``POST path`` only."""
        seen, on_event = collector()
        receiver = StatusCallbackReceiver(on_event, path="/hooks/s3cr3t")

        async with hooked(receiver) as hook:
            status, _ = await hook.post(event_body())
            async with hook.session.post(hook.url.rsplit("/", 1)[0], data=event_body()) as wrong:
                elsewhere = wrong.status

        assert (200, 404, 1) == (status, elsewhere, len(seen))

    def test_repr_hides_the_path(self) -> None:
        """The repr never shows the path, which may be the endpoint's only secret."""
        path = secret_path()

        actual = repr(StatusCallbackReceiver(path=path))

        assert path.rsplit("/", 1)[1] not in actual

    def test_events_without_a_queue_raise(self) -> None:
        """``events()`` on a receiver without a queue raises at once."""
        _, on_event = collector()

        with pytest.raises(RuntimeError, match="queue_size"):
            StatusCallbackReceiver(on_event).events()


@pytest.fixture
async def fake() -> AsyncIterator[FakeServer]:
    """A fake API whose created orders never finish by polling alone."""
    async with FakeServer(seed=3, brands=1, campaigns_per_brand=1, process_after_polls=None) as s:
        yield s


@pytest.fixture
async def client(fake: FakeServer) -> AsyncIterator[Client]:
    """A client of the fake API."""
    async with Client(env=fake.env) as c:
        yield c


async def new_order(client: Client, fake: FakeServer) -> Order:
    """Create an order in the fake's only campaign."""
    return await client.orders.create(fake.data.campaign_ids()[0], NUMBERS)


async def polled(fake: FakeServer, count: int) -> None:
    """Wait until the fake has answered ``count`` order polls (the waiters are listening)."""
    async with asyncio.timeout(DEADLINE):
        while fake.count("retrieve_order") < count:  # noqa: ASYNC110  # a counter, no event
            await asyncio.sleep(0.001)


class TestWaitForOrder:
    async def test_callback_ends_the_wait_early(self, fake: FakeServer, client: Client) -> None:
        """A processed callback ends an hour-long wait at once: one poll before, one fetch after."""
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)

        async with hooked(receiver) as hook:
            waiter = asyncio.create_task(
                wait_for_order(
                    client,
                    order.id,
                    receiver=receiver,
                    timeout=7200,
                    poll_interval=3600,
                    max_poll_interval=3600,
                )
            )
            await polled(fake, 1)
            status, _ = await hook.post(processed(order.id))
            result = await asyncio.wait_for(waiter, DEADLINE)

        assert (200, order.id, 2) == (status, result.id, fake.count("retrieve_order"))

    async def test_polling_finishes_without_a_callback(
        self, fake: FakeServer, client: Client
    ) -> None:
        """With no callback, the order is polled until final, like ``orders.wait``."""
        fake.state.process_after_polls = 2
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)
        expected = (OrderState.PROCESSED, 2)

        result = await wait_for_order(
            client, order.id, receiver=receiver, timeout=5, poll_interval=0.01
        )
        actual = (result.state, fake.count("retrieve_order"))

        assert expected == actual

    async def test_polling_works_without_a_receiver(self, fake: FakeServer, client: Client) -> None:
        """Without a receiver, ``wait_for_order`` only polls."""
        fake.state.process_after_polls = 3
        order = await new_order(client, fake)
        expected = OrderState.PROCESSED

        actual = (await wait_for_order(client, order.id, timeout=5, poll_interval=0.01)).state

        assert expected == actual

    async def test_deadline_raises_api_timeout_error(
        self, fake: FakeServer, client: Client
    ) -> None:
        """With neither a callback nor a final state, the wait ends at ``timeout``, saying so."""
        # When the deadline falls is pinned with an injected sleep: tests/unit/test_polling.py.
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)

        with pytest.raises(
            APITimeoutError, match=f"{order.id} is still pending after 0.2s"
        ) as caught:
            await wait_for_order(
                client, order.id, receiver=receiver, timeout=0.2, poll_interval=0.05
            )

        assert str(order.id) in caught.value.url
        assert fake.count("retrieve_order") >= 1
        assert {} == receiver._waiters

    async def test_concurrent_waiters_each_get_their_own_event(
        self, fake: FakeServer, client: Client
    ) -> None:
        """Two waiters on one receiver return on their own order's callback, not the other's."""
        receiver = StatusCallbackReceiver(queue_size=0)
        first_order, second_order = await new_order(client, fake), await new_order(client, fake)

        async with hooked(receiver) as hook:
            waiters = [
                asyncio.create_task(
                    wait_for_order(client, o.id, receiver=receiver, timeout=30, poll_interval=10)
                )
                for o in (first_order, second_order)
            ]
            await polled(fake, 2)
            await hook.post(processed(second_order.id))
            second = await asyncio.wait_for(waiters[1], DEADLINE)
            first_still_waiting = not waiters[0].done()
            await hook.post(processed(first_order.id))
            first = await asyncio.wait_for(waiters[0], DEADLINE)

        assert first_still_waiting
        assert (first_order.id, second_order.id) == (first.id, second.id)

    async def test_waiters_on_one_order_all_return(self, fake: FakeServer, client: Client) -> None:
        """One callback ends every wait on that order (fan-out, not a single consumer)."""
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)

        async with hooked(receiver) as hook:
            waiters = [
                asyncio.create_task(
                    wait_for_order(
                        client, order.id, receiver=receiver, timeout=30, poll_interval=10
                    )
                )
                for _ in range(3)
            ]
            await polled(fake, 3)
            await hook.post(processed(order.id))
            async with asyncio.timeout(DEADLINE):
                results = await asyncio.gather(*waiters)

        assert [order.id] * 3 == [r.id for r in results]

    async def test_other_events_of_the_order_do_not_end_the_wait(
        self, fake: FakeServer, client: Client
    ) -> None:
        """A number assignment event that names the order is not its processed event."""
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)
        body = event_body(
            "number_assignment_activated",
            event_category="number_assignment",
            state="completed",
            number_assignment_order_id=str(order.id),
        )

        async with hooked(receiver) as hook:
            waiter = asyncio.create_task(
                wait_for_order(client, order.id, receiver=receiver, timeout=0.3)
            )
            await polled(fake, 1)
            status, _ = await hook.post(body)
            with pytest.raises(APITimeoutError):
                await waiter

        assert 200 == status

    async def test_cancelled_waiter_leaves_nothing_behind(
        self, fake: FakeServer, client: Client
    ) -> None:
        """Cancelling a waiter leaves no task running and no registration on the receiver."""
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)
        before = asyncio.all_tasks()
        waiter = asyncio.create_task(
            wait_for_order(client, order.id, receiver=receiver, timeout=30, poll_interval=10)
        )
        await polled(fake, 1)
        await asyncio.sleep(0.01)

        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        left = [t for t in asyncio.all_tasks() - before if not t.done()]

        assert [] == left
        assert {} == receiver._waiters

    async def test_late_callback_after_cancel_is_harmless(
        self, fake: FakeServer, client: Client
    ) -> None:
        """A callback for an order nobody waits on any more is answered 200 and dropped."""
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)
        waiter = asyncio.create_task(wait_for_order(client, order.id, receiver=receiver))
        await polled(fake, 1)
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter

        async with hooked(receiver) as hook:
            status, _ = await hook.post(processed(order.id))

        assert 200 == status

    async def test_order_already_final_returns_without_waiting(
        self, fake: FakeServer, client: Client
    ) -> None:
        """An order already processed is returned by the first poll."""
        fake.state.process_after_polls = 1
        receiver = StatusCallbackReceiver(queue_size=0)
        order = await new_order(client, fake)

        result = await wait_for_order(client, order.id, receiver=receiver, poll_interval=10)

        assert (OrderState.PROCESSED, 1) == (result.state, fake.count("retrieve_order"))

    async def test_bad_order_id_is_a_value_error(self, client: Client) -> None:
        """An order id that is not a UUID is refused before any request."""
        with pytest.raises(ValueError, match="order_id"):
            await wait_for_order(client, "../brands")
