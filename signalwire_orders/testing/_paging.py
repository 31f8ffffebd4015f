"""
Paging per SPEC section 2: listings, opaque page tokens, rendered pages and their cache.

A `Listing` is a list route's whole result, sliced one page at a time. Past
page 0 a request must carry the ``page_token`` its listing issued for that
page (`PageTokens`: an HMAC of the listing's scope, page number and size), or
get 422.
Rendering a page of orders costs far more than serving it, so rendered pages
are cached (`PageCache`) under everything they depend on (`PageKey`).
Nothing here knows about brands or orders: `FakeData` builds the listings.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
from collections.abc import Callable, Hashable, Sequence
from urllib.parse import quote, urlencode

import attrs

from ._responses import dumps
from ._wire import Wire

__all__ = [
    "Listing",
    "PageCache",
    "PageKey",
    "PageTokens",
    "PagingError",
    "render_page",
]


@attrs.frozen
class Listing:
    """
    The whole result of a list route, rendered one slice (page) at a time.

    Example::

        listing = data.list_orders(campaign_id, state="pending")
        first_page = listing.slice(0, 50)
    """

    indices: Sequence[int]
    render: Callable[[int], Wire]
    extra: Sequence[Wire] = ()

    def __len__(self) -> int:
        return len(self.indices) + len(self.extra)

    def slice(self, start: int, stop: int) -> list[Wire]:
        """
        Return the items from ``start`` up to ``stop`` as wire dicts.

        Example::

            assert len(listing.slice(0, 10)) <= 10
        """
        seeded = len(self.indices)
        items = [self.render(i) for i in self.indices[start:stop]]
        if stop > seeded:
            items.extend(self.extra[max(start - seeded, 0) : stop - seeded])
        return items


class PagingError(ValueError):
    """
    A page request the API would answer with 422; ``code`` and ``detail`` go in the body.

    Example::

        PagingError("invalid_page_size", "page_size must be an integer from 1 to 1000")
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class PageTokens:
    """
    Issues and checks the page tokens of one set of listings, signed with a secret key.

    Args:
        key: The secret the tokens are signed with (drawn from the data's seed).

    Example::

        tokens = PageTokens(b"0123456789abcdef")
        number, size = tokens.check_page(scope, "1", "50", tokens.page_token(scope, 1, 50))
    """

    def __init__(self, key: bytes) -> None:
        self._token_key = key

    def page_token(self, scope: str, page_number: int, page_size: int) -> str:
        """
        Return the opaque cursor of one page of one listing (``scope`` names the listing).

        Example::

            token = data.page_token("list_orders|<id>|", 1, 50)
        """
        body = f"{page_number}.{page_size}"
        digest = hmac.new(self._token_key, f"{scope}|{body}".encode(), hashlib.blake2s)
        raw = f"{body}.{digest.hexdigest()[:16]}".encode()
        return "PA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def check_page(
        self, scope: str, page_number: str | None, page_size: str | None, token: str | None
    ) -> tuple[int, int]:
        """
        Validate a page request's parameters and return ``(page_number, page_size)``.

        Raises:
            PagingError: ``page_size`` is not 1..1000, ``page_number`` is not a
                non-negative int, or the ``page_token`` is missing (past page 0)
                or is not the one this listing issued for this page.

        Example::

            number, size = data.check_page(scope, "0", "50", None)
        """
        size = _int_param(page_size, 50)
        if size is None or not 1 <= size <= 1000:
            raise PagingError("invalid_page_size", "page_size must be an integer from 1 to 1000")
        number = _int_param(page_number, 0)
        if number is None or number < 0:
            raise PagingError("invalid_page_number", "page_number must be an integer >= 0")
        if token is None and number > 0:
            raise PagingError("missing_page_token", "page_token is required after the first page")
        if token is not None and not _same(token, self.page_token(scope, number, size)):
            raise PagingError("invalid_page_token", "page_token is invalid for this page")
        return number, size


def _same(token: str, expected: str) -> bool:
    try:
        token.encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(token, expected)


def _int_param(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 9:
        return None
    return int(value)


@attrs.frozen
class PageKey:
    """
    Everything a rendered page depends on: the cache key of `render_page`.

    ``revision`` is `FakeData.revision`, so a change to the records makes
    every page rendered before it unreachable.

    Example::

        key = PageKey(data.revision, scope, (("filter_state", "pending"),), 0, 50, "", path)
    """

    revision: int
    scope: str
    filters: tuple[tuple[str, str], ...]
    number: int
    size: int
    origin: str
    path: str


def render_page(key: PageKey, items: Listing, tokens: PageTokens) -> bytes:
    """
    Render one page of ``items`` as the JSON body of a list route, with its links.

    Args:
        key: The page: number, size, filters, and where its links point.
        items: The listing paged.
        tokens: Issues the ``page_token`` of each link past page 0 (the `FakeData`).

    Example::

        body = render_page(key, data.list_orders(campaign_id), data)
    """
    number, size = key.number, key.size

    def link(page_number: int) -> str:
        params = [*key.filters, ("page_number", str(page_number)), ("page_size", str(size))]
        if page_number > 0:
            params.append(("page_token", tokens.page_token(key.scope, page_number, size)))
        return f"{key.origin}{key.path}?{urlencode(params, quote_via=quote)}"

    start = number * size
    links = {"self": link(number), "first": link(0)}
    if start + size < len(items):
        links["next"] = link(number + 1)
    if number > 0:
        links["prev"] = link(number - 1)
    return dumps({"links": links, "data": items.slice(start, start + size)})


class PageCache:
    """
    Rendered list pages (JSON bytes) by request, least recently used first out.

    Rendering a page of orders costs far more CPU than serving it: under a
    load test the fake would otherwise be the bottleneck it is meant to rule
    out. Keys carry `FakeData.revision`, so a change to the records makes
    every older page unreachable (they age out).

    Args:
        max_bytes: The most body bytes kept; ``0`` turns caching off.

    Example::

        cache = PageCache(max_bytes=8 * 2**20)
        body = cache.get(key) or cache.put(key, render())
    """

    def __init__(self, max_bytes: int = 32 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._pages: collections.OrderedDict[Hashable, bytes] = collections.OrderedDict()
        self._size = 0

    def __repr__(self) -> str:
        return f"<PageCache {len(self._pages)} pages, {self._size} of {self.max_bytes} bytes>"

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> bytes | None:
        """
        Return the page cached under ``key`` (now the most recently used), or ``None``.

        Example::

            body = cache.get(("list_orders", 0))
        """
        body = self._pages.get(key)
        if body is not None:
            self._pages.move_to_end(key)
        return body

    def put(self, key: Hashable, body: bytes) -> bytes:
        """
        Cache ``body`` under ``key``, evicting the least recently used to fit; return it.

        A body larger than the whole budget is returned without being kept.

        Example::

            cache.put(("list_orders", 0), b'{"links":{},"data":[]}')
        """
        if len(body) > self.max_bytes:
            return body
        old = self._pages.pop(key, None)
        self._size += len(body) - (0 if old is None else len(old))
        self._pages[key] = body
        while self._size > self.max_bytes:
            _, evicted = self._pages.popitem(last=False)
            self._size -= len(evicted)
        return body

    def clear(self) -> None:
        """
        Forget every cached page.

        Example::

            cache.clear()
        """
        self._pages.clear()
        self._size = 0
