"""
A synchronous façade over the asyncio client, for scripts and notebooks.

``signalwire_orders.sync.Client`` takes the arguments of
``signalwire_orders.Client`` (all but ``session``) and offers the same
namespaces and methods, blocking instead of awaiting. It builds its async
client at once, so bad arguments fail in the constructor; each sync client
then runs one private event loop in one daemon thread, started on first use,
and each call is handed to it with ``asyncio.run_coroutine_threadsafe``.
Errors are the async client's own classes, raised in the calling thread.
Listings are generators: ``pages()`` and ``list()`` fetch one page per step,
``list_many()`` and ``list_all()`` one result per step. ``close()`` (or
leaving ``with``) cancels calls still running, closes unfinished listings and
the async client, then stops the loop and joins its thread.

Each method is the async one's blocking form, typed from it (`_blocking`,
`_iterating`, `_paged_items`): its parameters are the async method's, by
construction, so the two cannot drift apart.

Example::

    from signalwire_orders.sync import Client

    with Client() as client:
        for order in client.orders.list(campaign_id, state="pending"):
            print(order.id, order.state)
"""

from __future__ import annotations

import contextlib
import inspect
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Any, ClassVar, Concatenate, ParamSpec, Self, TypeVar

import aiohttp

from . import _resources as _async
from ._client import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT
from ._client import Client as _AsyncClient
from ._engine import Stats
from ._hooks import Hooks
from ._models import Page, RateLimit
from ._retry import RetryPolicy
from ._sync_loop import End, LoopThread, next_or_end, now
from ._transport import DEFAULT_MAX_BODY_SIZE

__all__ = ["Brands", "Campaigns", "Client", "Numbers", "Orders"]

P = ParamSpec("P")
T = TypeVar("T")
_Method = Callable[Concatenate["_Namespace", P], T]


def _here(value: Any) -> Any:  # noqa: ANN401  # forwards any argument, as given or as a tuple
    # An iterable argument (ids, phone numbers) is consumed in the calling
    # thread, not on the loop thread: a generator belongs to its caller.
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return tuple(value)
    return value


def _mirror(
    wrapper: Callable[..., Any], method: Callable[..., Any], returns: str, doc: str
) -> None:
    # What inspect, help() and the parity test see: the async method's
    # parameters, this method's own return type, name and (blocking) docstring.
    signature = inspect.signature(method)
    wrapper.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]  # read by inspect.signature
    wrapper.__name__ = method.__name__
    wrapper.__qualname__ = method.__qualname__
    wrapper.__doc__ = inspect.cleandoc(doc)
    wrapper.__module__ = __name__


def _generator_of(method: Callable[..., Any]) -> str:
    # An async listing is "AsyncGenerator[X, None]" or "ResultStream[X]": shown as
    # "Generator[X, None, None]".
    text = str(inspect.signature(method).return_annotation)
    item = text.split("[", 1)[1].removesuffix("]").removesuffix(", None")
    return f"Generator[{item}, None, None]"


def _blocking(method: Callable[Concatenate[Any, P], Awaitable[T]], doc: str) -> _Method[P, T]:
    """The blocking form of an async operation: run it on the loop thread, return its result."""

    def call(self: _Namespace, /, *args: P.args, **kwargs: P.kwargs) -> T:
        here = [_here(arg) for arg in args]
        named = {name: _here(value) for name, value in kwargs.items()}
        return self._loop.run(lambda client: method(self._of(client), *here, **named))

    _mirror(call, method, inspect.signature(method).return_annotation, doc)
    return call


def _iterating(
    method: Callable[Concatenate[Any, P], AsyncGenerator[T, None]], doc: str
) -> _Method[P, Generator[T, None, None]]:
    """The generator form of an async listing: one step of it per ``next()``."""

    def listing(self: _Namespace, /, *args: P.args, **kwargs: P.kwargs) -> Generator[T, None, None]:
        here = [_here(arg) for arg in args]
        named = {name: _here(value) for name, value in kwargs.items()}
        # Built on the loop thread, so argument errors raise here, before iterating.
        agen = self._loop.run(
            lambda client: self._loop.adopt(method(self._of(client), *here, **named))
        )
        return self._drain(agen)

    _mirror(listing, method, _generator_of(method), doc)
    return listing


def _paged_items(
    method: Callable[Concatenate[Any, P], AsyncIterator[T]], doc: str
) -> _Method[P, Generator[T, None, None]]:
    """
    The generator form of a ``list()``: items of the sync ``pages()``, one request per page.

    ``list()`` takes the arguments of ``pages()``; stepping the async ``list()``
    from another thread would cost a hand-over per item instead of per page.
    """

    def items(self: _Namespace, /, *args: P.args, **kwargs: P.kwargs) -> Generator[T, None, None]:
        pages: Generator[Page[T], None, None] = getattr(self, "pages")(*args, **kwargs)  # noqa: B009  # pages() of the subclass
        return _items(pages)

    _mirror(items, method, _generator_of(method), doc)
    return items


def _items(pages: Generator[Page[T], None, None]) -> Generator[T, None, None]:
    with contextlib.closing(pages):  # closing the items closes the walk
        for page in pages:
            yield from page.data


class _Namespace:
    __slots__ = ("_loop", "_owner")
    #: The async client's attribute this namespace mirrors (``"orders"``...).
    _name: ClassVar[str]

    def __init__(self, loop: LoopThread, owner: Client) -> None:
        self._loop = loop
        self._owner = owner  # a listing keeps its client, and so the loop, alive

    def __repr__(self) -> str:
        return f"<sync.{type(self).__name__} of {self._owner.base_url}>"

    def _of(self, client: _AsyncClient) -> Any:  # noqa: ANN401  # whichever namespace this mirrors
        return getattr(client, self._name)

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
    _name = "orders"

    pages = _iterating(
        _async.Orders.pages,
        """
        Yield each page of a campaign's orders, fetching one page per step.

        Arguments and errors as for ``signalwire_orders.Client.orders.pages``;
        ``close()`` the generator (or use ``contextlib.closing``) to stop early.

        Example::

            with contextlib.closing(client.orders.pages(campaign_id)) as pages:
                first = next(pages)
        """,
    )
    list = _paged_items(
        _async.Orders.list,
        """
        Yield every order of a campaign, fetching the next page only when needed.

        Example::

            try:
                for order in client.orders.list(campaign_id):
                    handle(order)
            except SignalWireError as exc:
                for order in client.orders.list(campaign_id, resume_from=exc.resume_from):
                    handle(order)
        """,
    )
    get = _blocking(
        _async.Orders.get,
        """
        Fetch one order.

        Raises:
            ValueError: ``order_id`` is not a UUID.
            NotFoundError: No such order.

        Example::

            order = client.orders.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        """,
    )
    create = _blocking(
        _async.Orders.create,
        """
        Create an order assigning phone numbers (E.164) to a campaign.

        Raises:
            UnprocessableEntityError: The API rejected the numbers.
            OutcomeUnknownError: The request was sent but its answer was lost.

        Example::

            order = client.orders.create(campaign_id, ["+15558675309"])
        """,
    )
    list_many = _iterating(
        _async.Orders.list_many,
        """
        Fetch the orders of many campaigns concurrently; yield one result each.

        Results come as each campaign completes; a failed campaign carries its
        ``error``. Closing the generator cancels the campaigns still running.

        Example::

            with contextlib.closing(client.orders.list_many(ids, concurrency=32)) as results:
                for result in results:
                    print(result.campaign_id, len(result.orders), result.error)
        """,
    )
    wait = _blocking(
        _async.Orders.wait,
        """
        Poll an order until it is ``processed`` or ``failed``; return it (blocks meanwhile).

        Raises:
            APITimeoutError: The order is still not final after ``timeout`` seconds.

        Example::

            order = client.orders.wait(order.id, timeout=600)
        """,
    )


class Numbers(_Namespace):
    """
    Phone number assignments of campaigns: ``client.numbers``.

    Example::

        for assignment in client.numbers.list(campaign_id):
            print(assignment.id, assignment.state)
    """

    __slots__ = ()
    _name = "numbers"

    pages = _iterating(
        _async.Numbers.pages,
        """
        Yield each page of a campaign's number assignments.

        Example::

            for page in client.numbers.pages(campaign_id):
                print(len(page.data))
        """,
    )
    list = _paged_items(
        _async.Numbers.list,
        """
        Yield every number assignment of a campaign.

        Example::

            completed = list(client.numbers.list(campaign_id, state="completed"))
        """,
    )
    delete = _blocking(
        _async.Numbers.delete,
        """
        Remove a phone number from its campaign.

        Raises:
            NotFoundError: No such assignment (for example, already deleted).

        Example::

            client.numbers.delete(assignment.id)
        """,
    )


class Campaigns(_Namespace):
    """
    10DLC campaigns: ``client.campaigns``.

    Example::

        campaign = client.campaigns.get(campaign_id)
    """

    __slots__ = ()
    _name = "campaigns"

    get = _blocking(
        _async.Campaigns.get,
        """
        Fetch one campaign.

        Example::

            campaign = client.campaigns.get(campaign_id)
        """,
    )
    pages = _iterating(
        _async.Campaigns.pages,
        """
        Yield each page of a brand's campaigns.

        Example::

            for page in client.campaigns.pages(brand_id):
                print(len(page.data))
        """,
    )
    list = _paged_items(
        _async.Campaigns.list,
        """
        Yield every campaign of a brand.

        Example::

            for campaign in client.campaigns.list(brand_id, state="active"):
                print(campaign.name)
        """,
    )
    list_all = _iterating(
        _async.Campaigns.list_all,
        """
        Yield every campaign of every brand of the project.

        Example::

            ids = [campaign.id for campaign in client.campaigns.list_all()]
        """,
    )
    create = _blocking(
        _async.Campaigns.create,
        """
        Register a campaign under a brand (never retried on a 5xx, as ``orders.create``).

        Example::

            campaign = client.campaigns.create(
                brand.id,
                PartnerCampaignRequest(
                    name="Alerts", brand_id=brand.id, csp_campaign_reference="C1"
                ),
            )
        """,
    )
    update = _blocking(
        _async.Campaigns.update,
        """
        Rename a campaign; return it as it is now (retried like a read).

        Example::

            campaign = client.campaigns.update(campaign_id, name="Appointment reminders")
        """,
    )


class Brands(_Namespace):
    """
    Registered 10DLC brands: ``client.brands``.

    Example::

        for brand in client.brands.list():
            print(brand.name)
    """

    __slots__ = ()
    _name = "brands"

    get = _blocking(
        _async.Brands.get,
        """
        Fetch one brand.

        Example::

            brand = client.brands.get(brand_id)
        """,
    )
    pages = _iterating(
        _async.Brands.pages,
        """
        Yield each page of the project's brands.

        Example::

            for page in client.brands.pages(state="completed"):
                print(len(page.data))
        """,
    )
    list = _paged_items(
        _async.Brands.list,
        """
        Yield every brand of the project.

        Example::

            names = [brand.name for brand in client.brands.list(name="Acme")]
        """,
    )
    create = _blocking(
        _async.Brands.create,
        """
        Register a brand (never retried on a 5xx, as ``orders.create``).

        Example::

            brand = client.brands.create(
                CspBrandRequest(name="Acme Alerts", csp_brand_reference="B123456")
            )
        """,
    )


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

    The async client is built at once, so bad arguments raise here; no
    thread starts until the first call. ``close()`` the client (or use
    ``with``) so that the session is closed and the thread joined.

    Raises:
        ConfigurationError: Credentials or space missing or malformed.
        TypeError, ValueError: A bad argument such as ``max_concurrency=0``.

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
        # Hand-copied, not forwarded: a ParamSpec cannot drop ``session``.
        # Built here, in the caller's thread: nothing in it binds to a loop
        # until ``async with`` opens it on the loop thread.
        client = _AsyncClient(
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
            env=env,
        )
        self._repr = "<sync." + repr(client).removeprefix("<")
        self._base_url = client.base_url
        self._loop = LoopThread(client)
        # Not __del__: a finalizer that holds only the loop thread, never this client.
        self._finalizer = weakref.finalize(self, self._loop.abandon)

    def __repr__(self) -> str:
        return self._repr

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
        return self._base_url

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
        Campaigns: ``get``, ``list``, ``pages``, ``list_all``, ``create``, ``update``.

        Example::

            campaigns = list(client.campaigns.list_all(state="active"))
        """
        return Campaigns(self._loop, self)

    @property
    def brands(self) -> Brands:
        """
        Brands: ``list``, ``pages``, ``get``, ``create``.

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
