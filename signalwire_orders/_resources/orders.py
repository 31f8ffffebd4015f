"""
Phone number assignment orders: ``client.orders`` (list, pages, get, create, list_many, wait).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from typing import Final
from uuid import UUID

from signalwire_orders._bulk import ResultStream, stream_bounded
from signalwire_orders._codec import decode_order_stream
from signalwire_orders._errors import AuthenticationError, PermissionDeniedError, SignalWireError
from signalwire_orders._models import CampaignResult, Order, OrderState, OrderStateValue, Page
from signalwire_orders._pagination import PageTrail
from signalwire_orders._polling import poll_until_final
from signalwire_orders._protocol import parse_id, path_id, phone_numbers, query_string, state_filter

from .base import Resource, flatten, typed_pages

__all__ = ["Orders"]

DEFAULT_BULK_CONCURRENCY: Final = 16
#: Errors that every request of a fan-out would meet alike: they stop it (SPEC section 3).
_FATAL: Final = (AuthenticationError, PermissionDeniedError)


def _orders_of(
    campaign_id: UUID | str, state: OrderState | OrderStateValue | None, page_size: int | None
) -> tuple[str, str]:
    path = f"/campaigns/{path_id(campaign_id, 'campaign_id')}/orders"
    return path, query_string(filter_state=state_filter(state, OrderState), page_size=page_size)


async def _distinct_ids(ids: AsyncIterable[UUID | str]) -> AsyncGenerator[UUID, None]:
    seen: set[UUID] = set()
    async for raw in ids:
        campaign_id = parse_id(raw, "campaign_id")
        if campaign_id not in seen:
            seen.add(campaign_id)
            yield campaign_id


class Orders(Resource):
    """
    Phone number assignment orders: ``client.orders``.

    Example::

        async for order in client.orders.list(campaign_id, state="pending"):
            print(order.id, order.created_at)
    """

    __slots__ = ()

    def pages(
        self,
        campaign_id: UUID | str,
        *,
        state: OrderState | OrderStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[Order], None]:
        """
        Yield each page of a campaign's orders, following ``links.next`` as given.

        Args:
            campaign_id: The campaign's UUID.
            state: Only orders in this state (``filter_state``).
            page_size: Items per page, 1..1000 (the API's default when ``None``).
            resume_from: A ``resume_from`` link from an earlier error of this
                listing: start there. The link carries the listing's filters and
                page size, and the walk goes on as the link says: any passed
                with it must agree, and one the link leaves out is not added.

        Raises:
            ValueError: ``campaign_id`` is not a UUID, or ``resume_from`` is a
                page of another listing (before any request).
            PaginationError: ``next`` (or ``resume_from``) leaves the configured
                origin, or loops.
            APIStatusError: The API answered with an error, after retries.

        Example::

            async for page in client.orders.pages(campaign_id, state="pending"):
                print(len(page.data))
        """
        path, query = _orders_of(campaign_id, state, page_size)
        return self._walk(typed_pages(Order), path, query, resume_from)

    def list(
        self,
        campaign_id: UUID | str,
        *,
        state: OrderState | OrderStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Order, None]:
        """
        Yield every order of a campaign, across every page.

        Arguments and errors as for :meth:`pages`. When a walk fails midway,
        the error's ``resume_from`` restarts it at the failed page.

        Example::

            try:
                async for order in client.orders.list(campaign_id):
                    handle(order)
            except SignalWireError as exc:
                async for order in client.orders.list(campaign_id, resume_from=exc.resume_from):
                    handle(order)
        """
        # Orders built as they are yielded, not a page at a time: a streamed
        # order is freed before the next is built, so the GC does not keep
        # promoting a page of them (benchmarks/, stream).
        path, query = _orders_of(campaign_id, state, page_size)
        return flatten(self._walk(decode_order_stream, path, query, resume_from))

    async def get(self, order_id: UUID | str) -> Order:
        """
        Fetch one order.

        Raises:
            ValueError: ``order_id`` is not a UUID.
            NotFoundError: No such order.

        Example::

            order = await client.orders.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        """
        return await self._get(Order, f"/orders/{path_id(order_id, 'order_id')}")

    async def create(
        self,
        campaign_id: UUID | str,
        numbers: Iterable[str],
        *,
        status_callback_url: str | None = None,
    ) -> Order:
        """
        Create an order assigning phone numbers (E.164) to a campaign.

        A create is retried only when it cannot have been processed (429, or
        the connection was refused before sending). When the answer is lost
        after sending, :class:`OutcomeUnknownError` says so instead.

        Raises:
            ValueError: A bad campaign id or phone number (before any request).
            UnprocessableEntityError: The API rejected the numbers.
            OutcomeUnknownError: The request was sent but its answer was lost.

        Example::

            order = await client.orders.create(campaign_id, ["+15558675309"])
        """
        path = f"/campaigns/{path_id(campaign_id, 'campaign_id')}/orders"
        body: dict[str, object] = {"phone_numbers": phone_numbers(numbers)}
        if status_callback_url is not None:
            body["status_callback_url"] = status_callback_url
        return await self._send(Order, "POST", self._root + path, body)

    def list_many(
        self,
        campaign_ids: Iterable[UUID | str] | AsyncIterable[UUID | str],
        *,
        state: OrderState | OrderStateValue | None = None,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        page_size: int | None = None,
    ) -> ResultStream[CampaignResult]:
        """
        Fetch the orders of many campaigns concurrently; yield one result each.

        Results stream as each campaign completes. A campaign that fails is
        reported in its result (``error``), never dropped, and does not stop
        the others, except for a 401 or 403: a bad or under-scoped token would
        fail every campaign, so the first one stops starting campaigns,
        cancels those in flight, and is raised from the iteration (the
        results already yielded stay valid). At most ``concurrency`` campaigns
        are in flight; requests stay within the client's ``max_concurrency``.
        Each distinct campaign is fetched and yielded once, whatever the
        letter case of its id. ``campaign_ids`` may be an async iterable
        (``campaigns.list_all()`` mapped to ids, say): campaigns then start
        as their ids arrive. Leaving ``async with`` (or ``aclose()``, or
        cancelling the consumer) cancels all work at once.

        Raises:
            TypeError: ``campaign_ids`` is one id (a ``str``) rather than a
                collection of them (at once).
            ValueError: A campaign id is not a UUID (at once for a
                collection, from the iteration for an async iterable), a bad
                ``state`` or ``page_size``, or ``concurrency`` < 1 (at once).
            AuthenticationError, PermissionDeniedError: From the iteration,
                after the results already yielded.

        Example::

            async with client.orders.list_many(campaign_ids, concurrency=32) as results:
                async for result in results:
                    print(result.campaign_id, len(result.orders), result.error)
        """
        if isinstance(campaign_ids, str | bytes | UUID):
            msg = (
                "list_many takes a collection of campaign ids, not one id: "
                "list_many([campaign_id]), or orders.list(campaign_id) for one campaign"
            )
            raise TypeError(msg)
        ids: Iterable[UUID] | AsyncIterable[UUID] = (
            _distinct_ids(campaign_ids)
            if isinstance(campaign_ids, AsyncIterable)
            else list(dict.fromkeys(parse_id(cid, "campaign_id") for cid in campaign_ids))
        )
        # Before any request:
        query = query_string(filter_state=state_filter(state, OrderState), page_size=page_size)
        root = self._root

        async def fetch(campaign_id: UUID) -> CampaignResult:
            # The walk of pages(), page by page (one async step per page, not
            # per item), without the generator: what list_many keeps is the orders.
            url = f"{root}/campaigns/{campaign_id}/orders{query}"
            trail = PageTrail()
            orders: list[Order] = []
            try:
                while True:
                    built, links = await self._page(decode_order_stream, url, trail)
                    orders += built  # no tuple per page: the orders go straight in
                    if (link := links.next) is None:
                        break
                    url = self._follow(link, url)
            except _FATAL:
                raise  # stops the fan-out: every other campaign would fail alike
            except SignalWireError as exc:
                return CampaignResult(campaign_id=campaign_id, error=exc)
            return CampaignResult(campaign_id=campaign_id, orders=tuple(orders))

        return stream_bounded(ids, fetch, concurrency=concurrency)

    async def wait(
        self,
        order_id: UUID | str,
        *,
        timeout: float = 300.0,  # noqa: ASYNC109  # a deadline for the whole poll
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
        on_poll: Callable[[Order], object] | None = None,
    ) -> Order:
        """
        Poll an order until it is ``processed`` or ``failed``; return it.

        The first poll is at once; polls then back off by 1.5x per poll, from
        ``poll_interval`` up to ``max_poll_interval``. ``timeout`` is one
        deadline for the whole wait, requests included. ``on_poll`` is called
        with the order as each poll finds it (to show progress, say).

        Raises:
            ValueError: ``order_id`` is not a UUID, or not ``timeout > 0`` and
                ``0 <= poll_interval <= max_poll_interval``.
            APITimeoutError: The order is still not final after ``timeout``.

        Example::

            order = await client.orders.wait(order.id, timeout=600)
            assert order.state in (OrderState.PROCESSED, OrderState.FAILED)
            await client.orders.wait(order.id, on_poll=lambda o: print(o.state))
        """
        uuid = UUID(path_id(order_id, "order_id"))
        return await poll_until_final(
            lambda: self.get(uuid),
            order_id=uuid,
            url=self._root + f"/orders/{uuid}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            sleep=self._engine.sleep,
            on_poll=on_poll,
        )
