"""
Fault injection for the fake server: latency, error rates and scripted outcomes.

Faults are set per route (the OpenAPI ``operationId``) or for every route
(``"*"``), and may be changed while the server runs: each request reads them
when it arrives.
"""

from __future__ import annotations

import collections
import enum
import random
from collections.abc import Iterable
from typing import TypeVar

import attrs

_T = TypeVar("_T")

__all__ = ["Fault", "Faults", "Outcome", "RouteFaults"]

# The operationIds of the routes the fake serves (OpenAPI paths under /registry/beta).
ROUTE_NAMES = (
    "create_brand",
    "create_campaign",
    "create_order",
    "delete_number_assignment",
    "list_brands",
    "list_campaigns",
    "list_number_assignments",
    "list_orders",
    "retrieve_brand",
    "retrieve_campaign",
    "retrieve_order",
    "update_campaign",
)
ALL_ROUTES = "*"
DEFAULT_RETRY_AFTER = "1"
DEFAULT_HANG_SECONDS = 3600.0


class Fault(enum.StrEnum):
    """
    What the fake server does with one request instead of (or on top of) answering it.

    Faults that *lose the answer* (``DROP``, ``TRUNCATE``, ``HANG``) run the real
    handler first, so a ``create_order`` still creates its order: the client
    cannot know whether a POST was processed. Faults that *replace the answer*
    (every other one) answer before auth and the handler, as a proxy or an
    overloaded server would, so they have no side effect.

    Example::

        server.faults.script("list_orders", [Fault.SERVER_ERROR, "429", "ok"])
    """

    OK = "ok"
    """Normal service."""
    SERVER_ERROR = "500"
    """500 with the documented body ``{"error": "Internal Server Error"}``."""
    RATE_LIMITED = "429"
    """429 ``{"error": "Too Many Requests"}`` with ``Retry-After`` (see ``retry_after``)."""
    BAD_GATEWAY = "502"
    """502 with an HTML body (``text/html``), as a proxy in front of the API sends."""
    UNAVAILABLE = "503"
    """503 with an HTML body, as a proxy sends during maintenance."""
    GATEWAY_TIMEOUT = "504"
    """504 with an HTML body, as a proxy sends when the API is slow."""
    DROP = "drop"
    """Close the connection without sending any response."""
    TRUNCATE = "truncate"
    """Send the status and headers with the full ``Content-Length``, half the body, then close."""
    MALFORMED = "malformed"
    """200 ``application/json`` whose body is not valid JSON."""
    WRONG_SHAPE = "wrong_shape"
    """200 with valid JSON of the wrong shape: ``{"data": "nope"}``."""
    HANG = "hang"
    """Send nothing for ``hang_seconds`` (longer than any client timeout), then close."""


_RATE_FIELDS: tuple[tuple[str, Fault], ...] = (
    ("error_rate", Fault.SERVER_ERROR),
    ("rate_limit_rate", Fault.RATE_LIMITED),
    ("bad_gateway_rate", Fault.BAD_GATEWAY),
    ("unavailable_rate", Fault.UNAVAILABLE),
    ("gateway_timeout_rate", Fault.GATEWAY_TIMEOUT),
    ("drop_rate", Fault.DROP),
    ("truncate_rate", Fault.TRUNCATE),
    ("malformed_rate", Fault.MALFORMED),
    ("wrong_shape_rate", Fault.WRONG_SHAPE),
    ("hang_rate", Fault.HANG),
)


def _rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        msg = f"{attribute.name} must be between 0 and 1, got {value!r}"
        raise ValueError(msg)


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        msg = f"{attribute.name} must not be negative, got {value!r}"
        raise ValueError(msg)


def _rate_field() -> float:
    return attrs.field(default=0.0, converter=float, validator=_rate)


@attrs.define
class RouteFaults:
    """
    The faults of one route (or of every route, for ``"*"``); change them at any time.

    Each ``*_rate`` is the probability (0..1) that a request gets that fault; the
    rates of the route and of ``"*"`` add up, and one seeded draw per request
    picks at most one fault. ``latency`` of the route and of ``"*"`` add up too.
    ``retry_after`` and ``hang_seconds`` left at ``None`` inherit the value of
    ``"*"``.

    Attributes:
        latency: Seconds to wait before handling each request.
        error_rate: Rate of 500 ``{"error": "Internal Server Error"}``.
        rate_limit_rate: Rate of 429 with ``Retry-After``.
        bad_gateway_rate: Rate of HTML 502.
        unavailable_rate: Rate of HTML 503.
        gateway_timeout_rate: Rate of HTML 504.
        drop_rate: Rate of connections closed without a response.
        truncate_rate: Rate of bodies cut short of their ``Content-Length``.
        malformed_rate: Rate of 200 answers that are not JSON.
        wrong_shape_rate: Rate of 200 answers that are JSON of the wrong shape.
        hang_rate: Rate of requests left unanswered for ``hang_seconds``.
        retry_after: ``Retry-After`` value of a 429: seconds (``"1"``) or an HTTP
            date; ``""`` sends no header.
        hang_seconds: How long a hung request waits before its connection closes.

    Example::

        server.faults.route("list_orders").error_rate = 0.2
        server.faults.route("*").rate_limit_rate = 0.05
        server.faults.route("*").retry_after = "Wed, 21 Oct 2026 07:28:00 GMT"
    """

    latency: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    error_rate: float = _rate_field()
    rate_limit_rate: float = _rate_field()
    bad_gateway_rate: float = _rate_field()
    unavailable_rate: float = _rate_field()
    gateway_timeout_rate: float = _rate_field()
    drop_rate: float = _rate_field()
    truncate_rate: float = _rate_field()
    malformed_rate: float = _rate_field()
    wrong_shape_rate: float = _rate_field()
    hang_rate: float = _rate_field()
    retry_after: str | None = None
    hang_seconds: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(_non_negative)
    )

    def rates(self) -> dict[Fault, float]:
        """
        Return the rate of each fault this route injects at random.

        Example::

            assert server.faults.route("*").rates()[Fault.SERVER_ERROR] == 0.0
        """
        return {fault: getattr(self, name) for name, fault in _RATE_FIELDS}


@attrs.frozen
class Outcome:
    """
    What the server does with one request, as decided by `Faults.pick`.

    Example::

        outcome = server.faults.pick("list_orders")
        assert outcome.fault is Fault.OK
    """

    fault: Fault
    latency: float = 0.0
    retry_after: str = DEFAULT_RETRY_AFTER
    hang_seconds: float = DEFAULT_HANG_SECONDS


class Faults:
    """
    The fault configuration of a fake server, per route or for every route (``"*"``).

    Scripted outcomes come first (the route's own script, then the ``"*"``
    script); otherwise one draw of a seeded RNG picks a fault from the rates,
    so a run with the same seed and the same request order is reproducible.

    Args:
        seed: Seed of the RNG that draws random faults.

    Example::

        server.faults.latency = 0.05
        server.faults.route("list_orders").error_rate = 0.2
        server.faults.script("list_orders", ["500", "429", "drop", "ok"])
        server.faults.clear()
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        #: A concurrency quota, as rate-limited APIs enforce: a request that
        #: arrives while this many are in flight gets 429 with ``Retry-After``
        #: (``None``: no quota). Example: ``server.faults.max_in_flight = 8``.
        self.max_in_flight: int | None = None
        self._routes: dict[str, RouteFaults] = {}
        self._scripts: dict[str, collections.deque[Fault]] = {}
        self._reset()

    def _reset(self) -> None:
        self._rng.seed(self._seed)
        self._routes.clear()
        self._routes[ALL_ROUTES] = RouteFaults(
            retry_after=DEFAULT_RETRY_AFTER, hang_seconds=DEFAULT_HANG_SECONDS
        )
        self._scripts.clear()
        self.max_in_flight = None

    def __repr__(self) -> str:
        return f"Faults(seed={self._seed!r}, routes={self._routes!r})"

    @property
    def latency(self) -> float:
        """
        Seconds added to every request (the ``"*"`` route's ``latency``).

        Example::

            server.faults.latency = 0.05
        """
        return self._routes[ALL_ROUTES].latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._routes[ALL_ROUTES].latency = seconds

    def route(self, name: str) -> RouteFaults:
        """
        Return the faults of one route (created on first use), or of every route for ``"*"``.

        Args:
            name: An operationId such as ``"list_orders"``, or ``"*"``.

        Raises:
            ValueError: ``name`` is not a route of the fake server.

        Example::

            server.faults.route("retrieve_order").drop_rate = 0.1
        """
        _check_route(name)
        return self._routes.setdefault(name, RouteFaults())

    def script(self, name: str, outcomes: Iterable[Fault | str]) -> None:
        """
        Queue outcomes for the next requests of a route (or of any route, for ``"*"``).

        Each request takes the next outcome; once the script is used up the
        route serves normally again (plus any random faults). A script added
        while another is pending is appended to it.

        Args:
            name: An operationId such as ``"list_orders"``, or ``"*"``.
            outcomes: Fault values such as ``"500"``, ``"429"``, ``"drop"``,
                ``"truncate"``, ``"malformed"``, ``"wrong_shape"``, ``"502"``,
                ``"503"``, ``"504"``, ``"hang"`` or ``"ok"``.

        Raises:
            ValueError: Unknown route or unknown fault name.

        Example::

            server.faults.script("list_orders", ["500", "500", "ok"])
        """
        _check_route(name)
        faults = [Fault(outcome) for outcome in outcomes]
        self._scripts.setdefault(name, collections.deque()).extend(faults)

    def pending(self, name: str) -> list[Fault]:
        """
        Return the scripted outcomes not used yet for a route (or ``"*"``).

        Example::

            server.faults.script("list_orders", ["500"])
            assert server.faults.pending("list_orders") == [Fault.SERVER_ERROR]
        """
        _check_route(name)
        return list(self._scripts.get(name, ()))

    def clear(self) -> None:
        """
        Remove every fault, script and latency, and reseed the RNG.

        Example::

            server.faults.clear()
        """
        self._reset()

    def pick(self, name: str | None) -> Outcome:
        """
        Decide the outcome of one request to a route; the server calls this once per request.

        Args:
            name: The route's operationId, or ``None`` for a path the API does not have.

        Example::

            assert server.faults.pick("list_orders").fault is Fault.OK
        """
        every = self._routes[ALL_ROUTES]
        own = self._routes.get(name) if name is not None else None
        latency = every.latency + (own.latency if own is not None else 0.0)
        retry_after = _inherit(
            own.retry_after if own else None, every.retry_after, DEFAULT_RETRY_AFTER
        )
        hang_seconds = _inherit(
            own.hang_seconds if own else None, every.hang_seconds, DEFAULT_HANG_SECONDS
        )
        fault = self._scripted(name)
        if fault is None:
            fault = self._draw(every, own)
        return Outcome(fault, latency=latency, retry_after=retry_after, hang_seconds=hang_seconds)

    def over_quota(self, outcome: Outcome, in_flight: int) -> Outcome:
        """
        Turn a normal outcome into a 429 when ``max_in_flight`` requests are already in flight.

        Example::

            server.faults.max_in_flight = 4
        """
        quota = self.max_in_flight
        if quota is None or in_flight < quota or outcome.fault is not Fault.OK:
            return outcome
        return attrs.evolve(outcome, fault=Fault.RATE_LIMITED)

    def _scripted(self, name: str | None) -> Fault | None:
        for key in (name, ALL_ROUTES):
            queue = self._scripts.get(key) if key is not None else None
            if queue:
                return queue.popleft()
        return None

    def _draw(self, every: RouteFaults, own: RouteFaults | None) -> Fault:
        rates = every.rates()
        if own is not None:
            for fault, rate in own.rates().items():
                rates[fault] += rate
        if not any(rates.values()):
            return Fault.OK  # no draw: unrelated routes do not shift the RNG
        draw = self._rng.random()
        for fault, rate in rates.items():
            if draw < rate:
                return fault
            draw -= rate
        return Fault.OK


def _inherit(own: _T | None, every: _T | None, default: _T) -> _T:
    if own is not None:
        return own
    return every if every is not None else default


def _check_route(name: str) -> None:
    if name != ALL_ROUTES and name not in ROUTE_NAMES:
        msg = f"unknown route {name!r}; expected '*' or one of {', '.join(ROUTE_NAMES)}"
        raise ValueError(msg)
