"""
The API's operations, one method each, grouped as ``client.orders`` etc.

List operations come in two forms: ``pages()`` yields typed pages and
``list()`` yields their items. Both follow ``links.next`` exactly as given,
refuse links to another origin or back to a page already fetched, and stamp
any error raised mid-walk with ``resume_from`` so that a walk can carry on
where it stopped (SPEC section 4).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from typing import Final, TypeVar
from uuid import UUID

from ._bulk import ResultStream, stream_bounded
from ._codec import decode, decode_order_stream, decode_page
from ._config import Settings
from ._engine import LOG, Engine
from ._errors import (
    AuthenticationError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    SignalWireError,
    redact,
)
from ._models import (
    AssignedNumber,
    AssignmentState,
    AssignmentStateValue,
    Brand,
    BrandState,
    BrandStateValue,
    Campaign,
    CampaignResult,
    CampaignState,
    CampaignStateValue,
    Links,
    Order,
    OrderState,
    OrderStateValue,
    Page,
)
from ._pagination import PageTrail, resolve_link
from ._polling import poll_until_final
from ._protocol import parse_id, path_id, phone_numbers, query_string, state_filter, text_filter

__all__ = ["Brands", "Campaigns", "Numbers", "Orders"]

T = TypeVar("T")
D = TypeVar("D")

DEFAULT_BULK_CONCURRENCY: Final = 16
#: Errors that every request of a fan-out would meet alike: they stop it (SPEC section 3).
_FATAL: Final = (AuthenticationError, PermissionDeniedError)


class _Resource:
    __slots__ = ("_engine", "_origin", "_root", "_secrets", "_settings")

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._root = settings.api_root
        self._origin = settings.origin  # parsed once, not per page
        # Masked in every error before it leaves: a proxy may echo the headers.
        self._secrets = settings.secrets

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._settings.base_url}>"

    async def _get(self, model: type[T], path: str) -> T:
        return await self._send(model, "GET", self._root + path)

    async def _send(self, model: type[T], method: str, url: str, body: object = None) -> T:
        try:
            response = await self._engine.request(method, url, json=body)
            return decode(model, response.body, where=url, status=response.status)
        except SignalWireError as exc:
            redact(exc, self._secrets)
            raise

    async def _walk(
        self, decode: Decode[D], path: str, query: str, resume_from: str | None
    ) -> AsyncGenerator[D, None]:
        first = self._root + path + query
        origin = self._origin
        url = first if resume_from is None else resolve_link(resume_from, base=first, origin=origin)
        trail = PageTrail()
        while True:
            data, links = await self._page(decode, url, trail)
            yield data
            if (link := links.next) is None:
                return
            url = self._follow(link, url)

    async def _page(self, decode: Decode[D], url: str, trail: PageTrail) -> tuple[D, Links]:
        # One page of a walk: a coroutine, so that list_many walks without an
        # async generator per campaign (a tenth of a small campaign's CPU).
        try:
            trail.visit(url)
            response = await self._engine.request("GET", url)
            data, links, count = decode(response.body, url, response.status)
        except SignalWireError as exc:
            redact(exc, self._secrets)
            exc.resume_from = url  # the page to fetch again to carry on
            raise
        self._engine.note_page(url, count, has_next=links.next is not None)
        return data, links

    def _follow(self, link: str, url: str) -> str:
        try:
            return resolve_link(link, base=url, origin=self._origin)
        except PaginationError as exc:
            exc.resume_from = link  # as given; resolve_link refuses it again if reused
            raise

    @staticmethod
    def _items(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[T, None]:
        return _flatten(_data_of(pages))


#: Decodes one page's body (``body, url, status``): what the walk yields for
#: the page, its links, and how many items it holds.
Decode = Callable[[bytes, str, int], tuple[D, Links, int]]


def _typed_pages(model: type[T]) -> Decode[Page[T]]:
    def decode(body: bytes, where: str, status: int) -> tuple[Page[T], Links, int]:
        page = decode_page(model, body, where=where, status=status)
        return page, page.links, len(page.data)

    return decode


async def _data_of(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[tuple[T, ...], None]:
    async with contextlib.aclosing(pages):  # closing the items closes the walk
        async for page in pages:
            yield page.data


async def _flatten(walk: AsyncGenerator[Iterable[T], None]) -> AsyncGenerator[T, None]:
    async with contextlib.aclosing(walk):  # closing the items closes the walk
        async for items in walk:
            for item in items:
                yield item


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


class Orders(_Resource):
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
            resume_from: A ``resume_from`` link from an earlier error: start there.

        Raises:
            ValueError: ``campaign_id`` is not a UUID (before any request).
            PaginationError: ``next`` leaves the configured origin, or loops.
            APIStatusError: The API answered with an error, after retries.

        Example::

            async for page in client.orders.pages(campaign_id, state="pending"):
                print(len(page.data))
        """
        path, query = _orders_of(campaign_id, state, page_size)
        return self._walk(_typed_pages(Order), path, query, resume_from)

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
        return _flatten(self._walk(decode_order_stream, path, query, resume_from))

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


class Numbers(_Resource):
    """
    Phone number assignments of campaigns: ``client.numbers``.

    Example::

        async for assignment in client.numbers.list(campaign_id):
            print(assignment.phone_number.number if assignment.phone_number else None)
    """

    __slots__ = ()

    def pages(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | AssignmentStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[AssignedNumber], None]:
        """
        Yield each page of a campaign's number assignments.

        Example::

            async for page in client.numbers.pages(campaign_id):
                print(len(page.data))
        """
        path = f"/campaigns/{path_id(campaign_id, 'campaign_id')}/numbers"
        query = query_string(filter_state=state_filter(state, AssignmentState), page_size=page_size)
        return self._walk(_typed_pages(AssignedNumber), path, query, resume_from)

    def list(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | AssignmentStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[AssignedNumber, None]:
        """
        Yield every number assignment of a campaign.

        Example::

            numbers = [n async for n in client.numbers.list(campaign_id, state="completed")]
        """
        return self._items(
            self.pages(campaign_id, state=state, page_size=page_size, resume_from=resume_from)
        )

    async def delete(self, assignment_id: UUID | str) -> None:
        """
        Remove a phone number from its campaign.

        A 404 on a retry, after an attempt whose answer was lost, means that
        attempt did the delete: it counts as success.

        Raises:
            NotFoundError: No such assignment (for example, already deleted).

        Example::

            await client.numbers.delete(assignment.id)
        """
        url = self._root + f"/numbers/{path_id(assignment_id, 'assignment_id')}"
        try:
            await self._engine.request("DELETE", url)
        except NotFoundError as exc:
            if exc.attempts == 1:
                redact(exc, self._secrets)
                raise
            # An earlier attempt reached the server and did the delete before
            # its answer was lost: what the caller asked for is done.
            LOG.info("DELETE %s: 404 on attempt %d, already deleted", url, exc.attempts)
        except SignalWireError as exc:
            redact(exc, self._secrets)
            raise


class Campaigns(_Resource):
    """
    10DLC campaigns: ``client.campaigns``.

    Example::

        campaign = await client.campaigns.get(campaign_id)
    """

    __slots__ = ("_brands",)

    def __init__(self, engine: Engine, settings: Settings, brands: Brands) -> None:
        super().__init__(engine, settings)
        self._brands = brands

    async def get(self, campaign_id: UUID | str) -> Campaign:
        """
        Fetch one campaign.

        Example::

            campaign = await client.campaigns.get(campaign_id)
        """
        return await self._get(Campaign, f"/campaigns/{path_id(campaign_id, 'campaign_id')}")

    def pages(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[Campaign], None]:
        """
        Yield each page of a brand's campaigns.

        Args:
            brand_id: The brand's UUID.
            name: Only campaigns whose name contains this (``filter_name``).
            state: Only campaigns in this state (``filter_state``).
            page_size: Items per page, 1..1000.
            resume_from: A ``resume_from`` link from an earlier error.

        Example::

            async for page in client.campaigns.pages(brand_id):
                print(len(page.data))
        """
        path = f"/brands/{path_id(brand_id, 'brand_id')}/campaigns"
        query = query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, CampaignState),
            page_size=page_size,
        )
        return self._walk(_typed_pages(Campaign), path, query, resume_from)

    def list(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Campaign, None]:
        """
        Yield every campaign of a brand.

        Example::

            async for campaign in client.campaigns.list(brand_id, state="active"):
                print(campaign.name)
        """
        return self._items(
            self.pages(
                brand_id, name=name, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    async def list_all(
        self,
        *,
        name: str | None = None,
        state: CampaignState | CampaignStateValue | None = None,
        page_size: int | None = None,
    ) -> AsyncGenerator[Campaign, None]:
        """
        Yield every campaign of every brand of the project.

        Example::

            ids = [campaign.id async for campaign in client.campaigns.list_all()]
        """
        # Checked before the first request, not at the first brand's campaigns.
        query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, CampaignState),
            page_size=page_size,
        )
        brands = self._brands.list(page_size=page_size)
        async with contextlib.aclosing(brands):  # closing list_all closes both walks now
            async for brand in brands:
                campaigns = self.list(brand.id, name=name, state=state, page_size=page_size)
                async with contextlib.aclosing(campaigns):
                    async for campaign in campaigns:
                        yield campaign


class Brands(_Resource):
    """
    Registered 10DLC brands: ``client.brands``.

    Example::

        async for brand in client.brands.list():
            print(brand.name)
    """

    __slots__ = ()

    async def get(self, brand_id: UUID | str) -> Brand:
        """
        Fetch one brand.

        Example::

            brand = await client.brands.get(brand_id)
        """
        return await self._get(Brand, f"/brands/{path_id(brand_id, 'brand_id')}")

    def pages(
        self,
        *,
        name: str | None = None,
        state: BrandState | BrandStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[Brand], None]:
        """
        Yield each page of the project's brands.

        Example::

            async for page in client.brands.pages(state="completed"):
                print(len(page.data))
        """
        query = query_string(
            filter_name=text_filter(name, "name"),
            filter_state=state_filter(state, BrandState),
            page_size=page_size,
        )
        return self._walk(_typed_pages(Brand), "/brands", query, resume_from)

    def list(
        self,
        *,
        name: str | None = None,
        state: BrandState | BrandStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Brand, None]:
        """
        Yield every brand of the project.

        Example::

            names = [brand.name async for brand in client.brands.list(name="Acme")]
        """
        return self._items(
            self.pages(name=name, state=state, page_size=page_size, resume_from=resume_from)
        )
