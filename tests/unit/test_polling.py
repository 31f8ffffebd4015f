"""The one polling core behind ``orders.wait`` and ``webhooks.wait_for_order``."""

from __future__ import annotations

import asyncio
import math
from uuid import UUID

import pytest

from signalwire_orders import APITimeoutError, Order, OrderState
from signalwire_orders._polling import check_poll, poll_until_final
from support import API
from support import ORDER_ID as ORDER_TEXT

ORDER_ID = UUID(ORDER_TEXT)
URL = f"{API}/orders/{ORDER_ID}"


class Polls:
    """A fake ``get``: the order in each state given, then the last one forever."""

    def __init__(self, *states: OrderState | None, hang: bool = False) -> None:
        self.states = list(states)
        self.calls = 0
        self.hang = hang

    async def __call__(self) -> Order:
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return Order(id=ORDER_ID, state=state)


class Sleeps:
    """The injected ``sleep``: records each delay; with ``forever`` it never returns."""

    def __init__(self, *, forever: bool = False) -> None:
        self.delays: list[float] = []
        self.forever = forever

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.forever:
            await asyncio.Event().wait()


async def poll(
    get: Polls,
    sleep: Sleeps,
    *,
    deadline: float = 60.0,
    poll_interval: float = 2.0,
    max_poll_interval: float = 30.0,
    wake: asyncio.Future[object] | None = None,
) -> Order:
    """Run the core with the public waits' defaults (``deadline`` is its ``timeout``)."""
    return await poll_until_final(
        get,
        order_id=ORDER_ID,
        url=URL,
        timeout=deadline,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        sleep=sleep,
        wake=wake,
    )


class TestPollUntilFinal:
    async def test_an_order_already_final_is_returned_without_sleeping(self) -> None:
        """A processed order on the first poll: one request, no sleep."""
        get, sleep = Polls(OrderState.PROCESSED), Sleeps()

        order = await poll(get, sleep)

        assert (OrderState.PROCESSED, 1, []) == (order.state, get.calls, sleep.delays)

    async def test_pauses_grow_by_half_up_to_the_cap(self) -> None:
        """Pauses of 2, 3, 4.5, 5, 5 s with a cap of 5 s, until the order fails."""
        states = [OrderState.PENDING] * 5 + [OrderState.FAILED]
        get, sleep = Polls(*states), Sleeps()

        order = await poll(get, sleep, poll_interval=2.0, max_poll_interval=5.0)

        assert OrderState.FAILED == order.state
        assert [2.0, 3.0, 4.5, 5.0, 5.0] == sleep.delays
        assert 6 == get.calls

    async def test_on_poll_sees_the_order_of_every_poll(self) -> None:
        """``on_poll`` is called once per request, with the order as that poll found it."""
        states = [OrderState.PENDING, OrderState.PROCESSING, OrderState.PROCESSED]
        seen: list[OrderState | None] = []

        await poll_until_final(
            Polls(*states),
            order_id=ORDER_ID,
            url=URL,
            timeout=60.0,
            poll_interval=0.0,
            max_poll_interval=0.0,
            sleep=Sleeps(),
            on_poll=lambda order: seen.append(order.state),
        )

        assert states == seen

    async def test_an_unknown_state_is_not_final(self) -> None:
        """A state the library does not know keeps the wait going."""
        get, sleep = Polls(OrderState("queued"), OrderState.PROCESSED), Sleeps()

        await poll(get, sleep)

        assert 2 == get.calls

    async def test_a_wake_ends_the_wait_with_one_more_fetch(self) -> None:
        """When ``wake`` completes during a pause, the order is fetched once more and returned."""
        get, sleep = Polls(OrderState.PROCESSING), Sleeps(forever=True)
        wake: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(wake.set_result, None)

        order = await poll(get, sleep, wake=wake)

        assert (OrderState.PROCESSING, 2) == (order.state, get.calls)

    async def test_a_cancelled_wake_does_not_end_the_wait(self) -> None:
        """A wake future cancelled by its owner is no callback: polling goes on."""
        get, sleep = Polls(OrderState.PENDING, OrderState.PROCESSED), Sleeps()
        wake: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        wake.cancel()

        order = await poll(get, sleep, wake=wake)

        assert (OrderState.PROCESSED, 2) == (order.state, get.calls)

    async def test_the_deadline_names_the_order_and_its_last_state(self) -> None:
        """An order that stays pending past ``timeout`` is an ``APITimeoutError`` saying so."""
        get, sleep = Polls(OrderState.PENDING), Sleeps(forever=True)

        with pytest.raises(APITimeoutError) as caught:
            await poll(get, sleep, deadline=0.05)

        assert f"order {ORDER_ID} is still pending after 0.05s" == str(caught.value)
        assert URL == caught.value.url

    async def test_the_deadline_covers_the_requests(self) -> None:
        """A request that never answers is cut off by the deadline, which says so."""
        get = Polls(OrderState.PENDING, hang=True)

        with pytest.raises(APITimeoutError, match=r"no answer within 0\.05s"):
            await poll(get, Sleeps(), deadline=0.05)

    async def test_a_request_timeout_is_not_mistaken_for_the_deadline(self) -> None:
        """A ``TimeoutError`` raised by the request itself propagates as it is."""

        async def fails() -> Order:
            raise TimeoutError

        with pytest.raises(TimeoutError) as caught:
            await poll_until_final(
                fails,
                order_id=ORDER_ID,
                url=URL,
                timeout=60.0,
                poll_interval=1.0,
                max_poll_interval=1.0,
                sleep=Sleeps(),
            )

        assert not isinstance(caught.value, APITimeoutError)


class TestCheckPoll:
    @pytest.mark.parametrize(
        ("timeout", "poll_interval", "max_poll_interval"),
        [(0.0, 1.0, 2.0), (-1.0, 1.0, 2.0), (10.0, -1.0, 2.0), (10.0, 3.0, 2.0), (math.nan, 1, 2)],
    )
    def test_impossible_waits_are_refused(
        self, timeout: float, poll_interval: float, max_poll_interval: float
    ) -> None:
        """A deadline that is not positive, or intervals out of order, are a ValueError."""
        with pytest.raises(ValueError, match="need timeout > 0"):
            check_poll(timeout, poll_interval, max_poll_interval)

    def test_zero_interval_is_allowed(self) -> None:
        """Polling back to back (tests, the fake server) is allowed."""
        check_poll(1.0, 0.0, 0.0)
