"""
What every resource shares: the engine, the settings, and the walk over pages.

A walk follows ``links.next`` exactly as given, refuses links to another
origin or back to a page already fetched, masks the credentials in any error
and stamps it with ``resume_from`` so that a walk can carry on where it
stopped (SPEC section 4). ``pages()`` of each resource is a walk with a
typed decoder; ``list()`` flattens it; ``list_many`` walks without a
generator (``orders.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterable
from typing import TypeVar

from signalwire_orders._codec import decode, decode_page
from signalwire_orders._config import Settings
from signalwire_orders._engine import Engine
from signalwire_orders._errors import PaginationError, SignalWireError, redact
from signalwire_orders._models import Links, Page
from signalwire_orders._pagination import PageTrail, check_resume, resolve_link

__all__ = ["Resource", "flatten", "typed_pages"]

T = TypeVar("T")
D = TypeVar("D")


class Resource:
    """A group of operations (``client.orders``...): the engine, settings and walks."""

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

    def _walk(
        self, decode: Decode[D], path: str, query: str, resume_from: str | None
    ) -> AsyncGenerator[D, None]:
        # A resume link is checked when the listing is called, as its other
        # arguments are, not at the first iteration.
        first = self._root + path + query
        if resume_from is None:
            return self._walk_from(decode, first)
        url = self._follow(resume_from, first)  # refused as a next link would be
        check_resume(url, first=first)
        return self._walk_from(decode, url)

    async def _walk_from(self, decode: Decode[D], url: str) -> AsyncGenerator[D, None]:
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
    def items(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[T, None]:
        return flatten(_data_of(pages))


#: Decodes one page's body (``body, url, status``): what the walk yields for
#: the page, its links, and how many items it holds.
Decode = Callable[[bytes, str, int], tuple[D, Links, int]]


def typed_pages(model: type[T]) -> Decode[Page[T]]:
    def decode(body: bytes, where: str, status: int) -> tuple[Page[T], Links, int]:
        page = decode_page(model, body, where=where, status=status)
        return page, page.links, len(page.data)

    return decode


async def _data_of(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[tuple[T, ...], None]:
    async with contextlib.aclosing(pages):  # closing the items closes the walk
        async for page in pages:
            yield page.data


async def flatten(walk: AsyncGenerator[Iterable[T], None]) -> AsyncGenerator[T, None]:
    async with contextlib.aclosing(walk):  # closing the items closes the walk
        async for items in walk:
            for item in items:
                yield item
