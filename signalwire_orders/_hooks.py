"""
Observability hooks: plain callables the client calls on each request, retry and page.

Hooks observe; they cannot change what the client does. One that raises is
logged and ignored, so a bug in a metrics exporter never fails a request.
`Hooks.combine` joins several sets (OpenTelemetry's and your own) into one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

import attrs

__all__ = ["Hooks", "PageEvent", "RequestEvent", "RetryEvent"]

LOG: Final = logging.getLogger("signalwire_orders")
_E = TypeVar("_E")


@attrs.frozen
class RequestEvent:
    """
    One attempt of one request, after its answer (or its failure).

    Attributes:
        method: The HTTP method.
        url: The URL (never carries credentials).
        attempt: 1 for the first try, 2 for the first retry, ...
        status: The HTTP status, or ``None`` when no answer came.
        elapsed: Seconds from sending to the whole body read (or the failure).
        size: Bytes of the body read.
        error: The error class name when the attempt failed, else ``None``.

    Example::

        Hooks(on_request=lambda e: metrics.observe(e.elapsed, status=e.status))
    """

    method: str
    url: str
    attempt: int
    status: int | None
    elapsed: float
    size: int = 0
    error: str | None = None


@attrs.frozen
class RetryEvent:
    """
    A failed attempt that will be retried after ``delay`` seconds.

    Example::

        Hooks(on_retry=lambda e: log.info("retry %s in %.1fs (%s)", e.url, e.delay, e.reason))
    """

    method: str
    url: str
    attempt: int
    delay: float
    reason: str


@attrs.frozen
class PageEvent:
    """
    One page of a listing, decoded.

    Example::

        Hooks(on_page=lambda e: progress.advance(e.items))
    """

    url: str
    items: int
    has_next: bool


@attrs.frozen
class Hooks:
    """
    Callables the client calls on each request attempt, retry and page.

    Example::

        hooks = Hooks(on_request=print, on_retry=print, on_page=print)
        async with Client(hooks=hooks) as client:
            ...
    """

    on_request: Callable[[RequestEvent], object] | None = None
    on_retry: Callable[[RetryEvent], object] | None = None
    on_page: Callable[[PageEvent], object] | None = None

    @classmethod
    def combine(cls, *hooks: Hooks | None) -> Hooks:
        """
        Return hooks that call each of ``hooks`` in turn, in the order given.

        Each callable is called on its own: one that raises is logged and
        ignored, and the ones after it are still called, just as the client
        treats a single hook. ``None`` entries are skipped, so an optional set
        of hooks can be passed as it is.

        Args:
            hooks: The sets of hooks to call, first to last.

        Example::

            from signalwire_orders.telemetry import opentelemetry_hooks

            mine = Hooks(on_retry=lambda e: print("retry", e.url, e.reason))
            async with Client(hooks=Hooks.combine(opentelemetry_hooks(), mine)) as client:
                ...
        """
        given = [h for h in hooks if h is not None]
        return cls(
            on_request=_each([h.on_request for h in given]),
            on_retry=_each([h.on_retry for h in given]),
            on_page=_each([h.on_page for h in given]),
        )


def _each(hooks: Sequence[Callable[[_E], object] | None]) -> Callable[[_E], object] | None:
    present = tuple(hook for hook in hooks if hook is not None)
    if len(present) <= 1:
        # None or the one hook itself: the client calls it as it calls any hook.
        return present[0] if present else None

    def call_each(event: _E) -> None:
        for hook in present:
            try:
                hook(event)
            except Exception:  # one hook's bug must not silence the others
                LOG.exception("signalwire_orders hook %r raised; ignored", hook)

    return call_each
