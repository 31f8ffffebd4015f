"""
A synchronous façade over the asyncio client, for scripts and notebooks.

``signalwire_orders.sync.Client`` takes the arguments of
``signalwire_orders.Client`` (all but ``session``) and offers the same
namespaces and methods, blocking instead of awaiting. Each sync client runs
one private event loop in one daemon thread, started on first use; the async
client is created inside that loop, and each call is handed to it with
``asyncio.run_coroutine_threadsafe``. Errors are the async client's own
classes, raised in the calling thread. Listings are generators: ``pages()``
and ``list()`` fetch one page per step, ``list_many()`` and ``list_all()``
one result per step. ``close()`` (or leaving ``with``) cancels calls still
running, closes unfinished listings and the async client, then stops the
loop and joins its thread.

Example::

    from signalwire_orders.sync import Client

    with Client() as client:
        for order in client.orders.list(campaign_id, state="pending"):
            print(order.id, order.state)
"""

from __future__ import annotations

import contextlib
import functools
import os
import weakref
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Self, TypeVar
from uuid import UUID

import aiohttp

from ._client import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT
from ._client import Client as _AsyncClient
from ._config import Settings, settings_from_env
from ._hooks import Hooks
from ._models import (
    AssignedNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignResult,
    CampaignState,
    Order,
    OrderState,
    Page,
    RateLimit,
)
from ._resources import DEFAULT_BULK_CONCURRENCY
from ._retry import RetryPolicy
from ._sync_loop import End, LoopThread, next_or_end, now
from ._transport import DEFAULT_MAX_BODY_SIZE, Stats

__all__ = ["Brands", "Campaigns", "Client", "Numbers", "Orders"]

T = TypeVar("T")


def _pages_items(pages: Generator[Page[T], None, None]) -> Generator[T, None, None]:
    with contextlib.closing(pages):  # closing the items closes the walk
        for page in pages:
            yield from page.data


class _Namespace:
    __slots__ = ("_loop", "_owner")

    def __init__(self, loop: LoopThread, owner: Client) -> None:
        self._loop = loop
        self._owner = owner  # a listing keeps its client, and so the loop, alive

    def __repr__(self) -> str:
        return f"<sync.{type(self).__name__} of {self._owner.base_url}>"

    def _call(self, call: Callable[[_AsyncClient], Awaitable[T]]) -> T:
        return self._loop.run(call)

    def _listing(
        self, open_: Callable[[_AsyncClient], AsyncGenerator[T, None]]
    ) -> Generator[T, None, None]:
        # Built on the loop thread, so argument errors raise here, before iterating.
        agen = self._loop.run(lambda client: self._loop.adopt(open_(client)))
        return self._drain(agen)

    def _drain(self, agen: AsyncGenerator[T, None]) -> Generator[T, None, None]:
        finished = False
        try:
            while True:
                try:
                    item = self._loop.run(lambda _client: next_or_end(agen))
                except BaseException:
                    finished = True  # the walk raised, or was cancelled: it is over
                    raise
                if isinstance(item, End):
                    finished = True
                    return
                yield item
        finally:
            if not finished:  # left early: close(), break in a with-block, or collected
                self._loop.close_listing(agen)


class Orders(_Namespace):
    """
    Phone number assignment orders: ``client.orders``.

    Example::

        for order in client.orders.list(campaign_id, state="pending"):
            print(order.id, order.created_at)
    """

    __slots__ = ()

    def pages(
        self,
        campaign_id: UUID | str,
        *,
        state: OrderState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Page[Order], None, None]:
        """
        Yield each page of a campaign's orders, fetching one page per step.

        Arguments and errors as for ``signalwire_orders.Client.orders.pages``;
        ``close()`` the generator (or use ``contextlib.closing``) to stop early.

        Example::

            with contextlib.closing(client.orders.pages(campaign_id)) as pages:
                first = next(pages)
        """
        return self._listing(
            lambda c: c.orders.pages(
                campaign_id, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    def list(
        self,
        campaign_id: UUID | str,
        *,
        state: OrderState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Order, None, None]:
        """
        Yield every order of a campaign, fetching the next page only when needed.

        Example::

            try:
                for order in client.orders.list(campaign_id):
                    handle(order)
            except SignalWireError as exc:
                for order in client.orders.list(campaign_id, resume_from=exc.resume_from):
                    handle(order)
        """
        pages = self.pages(campaign_id, state=state, page_size=page_size, resume_from=resume_from)
        return _pages_items(pages)

    def get(self, order_id: UUID | str) -> Order:
        """
        Fetch one order.

        Raises:
            ValueError: ``order_id`` is not a UUID.
            NotFoundError: No such order.

        Example::

            order = client.orders.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        """
        return self._call(lambda c: c.orders.get(order_id))

    def create(
        self,
        campaign_id: UUID | str,
        numbers: Iterable[str],
        *,
        status_callback_url: str | None = None,
    ) -> Order:
        """
        Create an order assigning phone numbers (E.164) to a campaign.

        Raises:
            UnprocessableEntityError: The API rejected the numbers.
            OutcomeUnknownError: The request was sent but its answer was lost.

        Example::

            order = client.orders.create(campaign_id, ["+15558675309"])
        """
        wanted = tuple(numbers)  # consumed here, not on the loop thread
        return self._call(
            lambda c: c.orders.create(campaign_id, wanted, status_callback_url=status_callback_url)
        )

    def list_many(
        self,
        campaign_ids: Iterable[UUID | str],
        *,
        state: OrderState | str | None = None,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        page_size: int | None = None,
    ) -> Generator[CampaignResult, None, None]:
        """
        Fetch the orders of many campaigns concurrently; yield one result each.

        Results come as each campaign completes; a failed campaign carries its
        ``error``. Closing the generator cancels the campaigns still running.

        Example::

            with contextlib.closing(client.orders.list_many(ids, concurrency=32)) as results:
                for result in results:
                    print(result.campaign_id, len(result.orders), result.error)
        """
        ids = tuple(campaign_ids)  # consumed here, not on the loop thread
        return self._listing(
            lambda c: c.orders.list_many(
                ids, state=state, concurrency=concurrency, page_size=page_size
            )
        )

    def wait(
        self,
        order_id: UUID | str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
    ) -> Order:
        """
        Poll an order until it is ``processed`` or ``failed``; return it (blocks meanwhile).

        Raises:
            APITimeoutError: The order is still not final after ``timeout`` seconds.

        Example::

            order = client.orders.wait(order.id, timeout=600)
        """
        return self._call(
            lambda c: c.orders.wait(
                order_id,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
            )
        )


class Numbers(_Namespace):
    """
    Phone number assignments of campaigns: ``client.numbers``.

    Example::

        for assignment in client.numbers.list(campaign_id):
            print(assignment.id, assignment.state)
    """

    __slots__ = ()

    def pages(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Page[AssignedNumber], None, None]:
        """
        Yield each page of a campaign's number assignments.

        Example::

            for page in client.numbers.pages(campaign_id):
                print(len(page.data))
        """
        return self._listing(
            lambda c: c.numbers.pages(
                campaign_id, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    def list(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[AssignedNumber, None, None]:
        """
        Yield every number assignment of a campaign.

        Example::

            completed = list(client.numbers.list(campaign_id, state="completed"))
        """
        pages = self.pages(campaign_id, state=state, page_size=page_size, resume_from=resume_from)
        return _pages_items(pages)

    def delete(self, assignment_id: UUID | str) -> None:
        """
        Remove a phone number from its campaign.

        Raises:
            NotFoundError: No such assignment (for example, already deleted).

        Example::

            client.numbers.delete(assignment.id)
        """
        self._call(lambda c: c.numbers.delete(assignment_id))


class Campaigns(_Namespace):
    """
    10DLC campaigns: ``client.campaigns``.

    Example::

        campaign = client.campaigns.get(campaign_id)
    """

    __slots__ = ()

    def get(self, campaign_id: UUID | str) -> Campaign:
        """
        Fetch one campaign.

        Example::

            campaign = client.campaigns.get(campaign_id)
        """
        return self._call(lambda c: c.campaigns.get(campaign_id))

    def pages(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Page[Campaign], None, None]:
        """
        Yield each page of a brand's campaigns.

        Example::

            for page in client.campaigns.pages(brand_id):
                print(len(page.data))
        """
        return self._listing(
            lambda c: c.campaigns.pages(
                brand_id, name=name, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    def list(
        self,
        brand_id: UUID | str,
        *,
        name: str | None = None,
        state: CampaignState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Campaign, None, None]:
        """
        Yield every campaign of a brand.

        Example::

            for campaign in client.campaigns.list(brand_id, state="active"):
                print(campaign.name)
        """
        pages = self.pages(
            brand_id, name=name, state=state, page_size=page_size, resume_from=resume_from
        )
        return _pages_items(pages)

    def list_all(
        self,
        *,
        name: str | None = None,
        state: CampaignState | str | None = None,
        page_size: int | None = None,
    ) -> Generator[Campaign, None, None]:
        """
        Yield every campaign of every brand of the project.

        Example::

            ids = [campaign.id for campaign in client.campaigns.list_all()]
        """
        return self._listing(
            lambda c: c.campaigns.list_all(name=name, state=state, page_size=page_size)
        )


class Brands(_Namespace):
    """
    Registered 10DLC brands: ``client.brands``.

    Example::

        for brand in client.brands.list():
            print(brand.name)
    """

    __slots__ = ()

    def get(self, brand_id: UUID | str) -> Brand:
        """
        Fetch one brand.

        Example::

            brand = client.brands.get(brand_id)
        """
        return self._call(lambda c: c.brands.get(brand_id))

    def pages(
        self,
        *,
        name: str | None = None,
        state: BrandState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Page[Brand], None, None]:
        """
        Yield each page of the project's brands.

        Example::

            for page in client.brands.pages(state="completed"):
                print(len(page.data))
        """
        return self._listing(
            lambda c: c.brands.pages(
                name=name, state=state, page_size=page_size, resume_from=resume_from
            )
        )

    def list(
        self,
        *,
        name: str | None = None,
        state: BrandState | str | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> Generator[Brand, None, None]:
        """
        Yield every brand of the project.

        Example::

            names = [brand.name for brand in client.brands.list(name="Acme")]
        """
        pages = self.pages(name=name, state=state, page_size=page_size, resume_from=resume_from)
        return _pages_items(pages)


class Client:
    """
    A blocking client for SignalWire's Campaign Registry (10DLC) API.

    Arguments, namespaces and methods are those of ``signalwire_orders.Client``
    (see it for each argument), blocking instead of awaiting, with
    generators in place of async generators. There is no ``session``: an
    ``aiohttp.ClientSession`` belongs to the event loop it was created on,
    and this client's loop is private to its own thread, so it creates and
    closes its own session there.

    The client is thread-safe: threads may share it, and their calls run
    concurrently within ``max_concurrency``. A generator it returns is for
    one thread at a time. ``hooks`` are called on the client's loop thread.
    Called from a coroutine or a notebook cell, each call blocks that event
    loop until it returns, like any blocking call: fine in Jupyter, but in an
    async service use ``signalwire_orders.Client`` instead. From a hook (the
    client's own loop thread) a call raises ``RuntimeError`` instead of
    deadlocking.

    No thread starts until the first call, which also builds the async
    client inside the new loop; ``close()`` it (or use ``with``) so that the
    session is closed and the thread joined.

    Raises:
        ConfigurationError: Credentials or space missing or malformed (at once).
        TypeError, ValueError: A bad limit such as ``max_concurrency=0``, on
            the first call (when the async client is built).

    Example::

        from signalwire_orders.sync import Client

        with Client() as client:  # SIGNALWIRE_SPACE, _PROJECT_ID, _API_TOKEN
            order = client.orders.create(campaign_id, ["+15558675309"])
            order = client.orders.wait(order.id)
    """

    def __init__(
        self,
        space: str | None = None,
        project_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        retry: RetryPolicy | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        allow_insecure_http: bool = False,
        requests_per_second: float | None = None,
        adaptive_concurrency: bool = False,
        hooks: Hooks | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        # One snapshot, so the settings checked now are those the async client uses later.
        environ = dict(os.environ if env is None else env)
        # Settings are resolved now, so that missing credentials fail here as
        # with the async client; the async client itself is built on first use.
        self._settings: Settings = settings_from_env(
            environ,
            space=space,
            project_id=project_id,
            api_token=api_token,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
        )
        make_client = functools.partial(
            _AsyncClient,
            space,
            project_id,
            api_token,
            base_url=base_url,
            max_concurrency=max_concurrency,
            retry=retry,
            timeout=timeout,
            max_body_size=max_body_size,
            allow_insecure_http=allow_insecure_http,
            requests_per_second=requests_per_second,
            adaptive_concurrency=adaptive_concurrency,
            hooks=hooks,
            trace_configs=tuple(trace_configs),
            env=environ,
        )
        self._loop = LoopThread(make_client)
        # Not __del__: a finalizer that holds only the loop thread, never the client.
        self._finalizer = weakref.finalize(self, self._loop.abandon)

    def __repr__(self) -> str:
        return f"<sync.Client base_url={self.base_url!r} project_id={self._settings.project_id!r}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """
        Close the client: cancel calls in flight, close listings, the session, the loop thread.

        Idempotent, and allowed from any thread (even inside an event loop).
        A generator left unfinished raises ``RuntimeError`` when next used.

        Example::

            client = Client()
            try:
                ...
            finally:
                client.close()
        """
        self._finalizer.detach()
        self._loop.close()

    @property
    def base_url(self) -> str:
        """
        The origin requests go to, e.g. ``https://example.signalwire.com``.

        Example::

            print(client.base_url)
        """
        return self._settings.base_url

    @property
    def orders(self) -> Orders:
        """
        Orders: ``list``, ``pages``, ``get``, ``create``, ``list_many``, ``wait``.

        Example::

            order = client.orders.get(order_id)
        """
        return Orders(self._loop, self)

    @property
    def numbers(self) -> Numbers:
        """
        Number assignments: ``list``, ``pages``, ``delete``.

        Example::

            client.numbers.delete(assignment_id)
        """
        return Numbers(self._loop, self)

    @property
    def campaigns(self) -> Campaigns:
        """
        Campaigns: ``get``, ``list``, ``pages``, ``list_all``.

        Example::

            campaigns = list(client.campaigns.list_all(state="active"))
        """
        return Campaigns(self._loop, self)

    @property
    def brands(self) -> Brands:
        """
        Brands: ``list``, ``pages``, ``get``.

        Example::

            brands = list(client.brands.list())
        """
        return Brands(self._loop, self)

    @property
    def rate_limit(self) -> RateLimit | None:
        """
        The rate-limit headers of the latest response that carried any.

        Example::

            if client.rate_limit is not None:
                print(client.rate_limit.remaining)
        """
        return self._loop.run(
            lambda c: now(c.rate_limit), if_closed=lambda: self._loop.final_rate_limit
        )

    @property
    def stats(self) -> Stats:
        """
        Counters since the client was created: requests, retries (by reason), 429s, bytes.

        Still readable after ``close()``.

        Example::

            print(client.stats.requests, client.stats.retries)
        """
        return self._loop.run(lambda c: now(c.stats), if_closed=lambda: self._loop.final_stats)
