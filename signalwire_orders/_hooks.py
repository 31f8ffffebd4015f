"""
Observability hooks: plain callables the client calls on each request, retry and page.

Hooks observe; they cannot change what the client does. One that raises is
logged and ignored, so a bug in a metrics exporter never fails a request.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

__all__ = ["Hooks", "PageEvent", "RequestEvent", "RetryEvent"]


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
