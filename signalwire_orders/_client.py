"""
``Client``: resolves settings, owns or borrows the session, builds the resources.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Final, Self

import aiohttp

from ._config import Settings, settings_from_env
from ._engine import Engine, Stats
from ._hooks import Hooks
from ._models import RateLimit
from ._resources import Brands, Campaigns, Numbers, Orders
from ._retry import RetryPolicy
from ._transport import DEFAULT_MAX_BODY_SIZE, Transport

__all__ = ["DEFAULT_MAX_CONCURRENCY", "DEFAULT_TIMEOUT", "Client", "package_version"]

DEFAULT_MAX_CONCURRENCY: Final = 32
DEFAULT_TIMEOUT: Final = 30.0


def package_version() -> str:
    """The installed distribution's version."""
    try:
        return version("signalwire-orders")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


class Client:
    """
    An asyncio client for SignalWire's Campaign Registry (10DLC) API.

    Args:
        space: Space name (``example``), host or URL; default ``SIGNALWIRE_SPACE``
            (aliases ``SIGNALWIRE_SPACE_URL``, ``SIGNALWIRE_SPACE_NAME``).
        project_id: Project ID; default ``SIGNALWIRE_PROJECT_ID``.
        api_token: API token with the Messaging and Numbers scopes; default
            ``SIGNALWIRE_API_TOKEN``. Never shown in a repr, log or error.
        base_url: A full origin overriding the space (default
            ``SIGNALWIRE_REST_BASE_URL``), e.g. a fake server's.
        session: Your own ``aiohttp.ClientSession``: used, never closed.
            Without it the client creates one and closes it on exit. aiohttp
            may re-send a GET, PUT or DELETE on your session once by itself,
            unseen by the client's counters and hooks; the client's own
            session never does.
        max_concurrency: Requests in flight across the whole client, shared by
            every task that uses it (default 32).
        retry: The retry policy (default ``RetryPolicy()``: 5 attempts,
            exponential backoff with full jitter from 0.5 s capped at 30 s,
            ``Retry-After`` honoured up to 60 s, no deadline).
        timeout: Seconds for one attempt of one request (default 30; ``None``
            for none).
        max_body_size: Largest response body accepted, in bytes (default 16 MiB).
        allow_insecure_http: Permit plain ``http://`` to a non-loopback host.
        requests_per_second: Start at most this many requests per second,
            across every task of the client (default: no limit).
        adaptive_concurrency: Halve the requests allowed in flight when 429s
            arrive and grow back by about one per window of successes (AIMD),
            never above ``max_concurrency``.
        hooks: Callables told of every request attempt, retry and page.
        trace_configs: ``aiohttp.TraceConfig`` objects for the client's own
            session (with ``session=``, add them to your session instead).
        env: Where to read settings from instead of ``os.environ``.

    Raises:
        ConfigurationError: Credentials or space missing or malformed.

    Example::

        async with Client() as client:
            async for order in client.orders.list(campaign_id, state="pending"):
                print(order.id, order.state)
    """

    def __init__(
        self,
        space: str | None = None,
        project_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
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
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            msg = f"max_concurrency must be an int, got {type(max_concurrency).__name__}"
            raise TypeError(msg)
        if max_concurrency < 1:
            msg = f"max_concurrency must be >= 1, got {max_concurrency}"
            raise ValueError(msg)
        if timeout is not None and timeout <= 0:
            msg = f"timeout must be > 0 seconds or None, got {timeout!r}"
            raise ValueError(msg)
        self._settings: Settings = settings_from_env(
            os.environ if env is None else env,
            space=space,
            project_id=project_id,
            api_token=api_token,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
        )
        self._transport = Transport(
            self._settings,
            session=session,
            max_connections=max_concurrency,
            timeout=timeout,
            max_body_size=max_body_size,
            trace_configs=trace_configs,
            user_agent=f"signalwire-orders/{package_version()} aiohttp/{aiohttp.__version__}",
        )
        self._engine = Engine(
            self._transport.send,
            max_concurrency=max_concurrency,
            retry=retry if retry is not None else RetryPolicy(),
            requests_per_second=requests_per_second,
            adaptive_concurrency=adaptive_concurrency,
            hooks=hooks,
        )
        self._brands = Brands(self._engine, self._settings)
        self._campaigns = Campaigns(self._engine, self._settings, self._brands)
        self._orders = Orders(self._engine, self._settings)
        self._numbers = Numbers(self._engine, self._settings)

    def __repr__(self) -> str:
        return f"<Client base_url={self.base_url!r} project_id={self._settings.project_id!r}>"

    async def __aenter__(self) -> Self:
        await self._transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """
        Close the client's own session (a session you passed in stays open).

        Example::

            client = Client()
            try:
                ...
            finally:
                await client.close()
        """
        await self._transport.close()

    @property
    def base_url(self) -> str:
        """The origin requests go to, e.g. ``https://example.signalwire.com``."""
        return self._settings.base_url

    @property
    def orders(self) -> Orders:
        """Orders: ``list``, ``pages``, ``get``, ``create``, ``list_many``, ``wait``."""
        return self._orders

    @property
    def numbers(self) -> Numbers:
        """Number assignments: ``list``, ``pages``, ``delete``."""
        return self._numbers

    @property
    def campaigns(self) -> Campaigns:
        """Campaigns: ``get``, ``list``, ``pages``, ``list_all``, ``create``, ``update``."""
        return self._campaigns

    @property
    def brands(self) -> Brands:
        """Brands: ``list``, ``pages``, ``get``, ``create``."""
        return self._brands

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate-limit headers of the latest response that carried any."""
        return self._engine.rate_limit

    @property
    def stats(self) -> Stats:
        """
        Counters since the client was created: requests, retries (by reason), 429s, bytes.

        Example::

            print(client.stats.requests, client.stats.retries)
        """
        return self._engine.stats
