"""
Following ``links.next`` safely: resolve it as given, refuse other origins and loops.

SPEC section 4: credentials go only to the configured origin, and a link that
was already followed stops the walk instead of fetching forever.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

from ._config import origin_of
from ._errors import PaginationError

__all__ = ["PageTrail", "check_resume", "resolve_link"]


def resolve_link(link: str, *, base: str, origin: tuple[str, str, int]) -> str:
    """
    Resolve a link (relative or absolute) against ``base``; refuse another origin.

    The link is kept exactly as given (its query carries the ``page_token``
    cursor); only a relative link gains the scheme and host of ``base``.

    Raises:
        PaginationError: The link is not a string, is malformed, or points to
            another scheme, host or port.
    """
    if not isinstance(link, str) or not link.strip():
        msg = f"next link is not a usable URL: {link!r}"
        raise PaginationError(msg)
    if not (link.isascii() and link.isprintable()) or " " in link:
        # Spaces, controls and raw non-ASCII cannot be sent as given (and
        # could split a request line): a server must percent-encode them.
        # (Printable ASCII is 0x20-0x7E: checked in C, not per character.)
        msg = "next link is malformed: it holds spaces, control or non-ASCII characters"
        raise PaginationError(msg)
    prefix = _prefix_for_path(link, base)
    if prefix is not None and origin_of(prefix) == origin:  # the prefix repeats: parsed once
        return prefix + link
    try:
        url = link if "://" in link.split("?", 1)[0] else urljoin(base, link)
        target = origin_of(url)
        parts = urlsplit(url)
        has_userinfo = parts.username is not None or parts.password is not None
    except ValueError as exc:
        msg = "next link is malformed"
        raise PaginationError(msg) from exc
    if has_userinfo:
        msg = "refusing to follow a next link that carries its own credentials"
        raise PaginationError(msg)
    if target != origin:
        scheme, host, port = target
        msg = (
            f"refusing to follow next link to {scheme}://{host}:{port}: it is not the "
            f"configured origin {origin[0]}://{origin[1]}:{origin[2]}, "
            "and credentials are sent only there"
        )
        raise PaginationError(msg)
    return url


def check_resume(url: str, *, first: str) -> None:
    """
    Refuse a ``resume_from`` link that is not a page of the listing asked for.

    A resumed walk fetches the link as given, so its query, not the caller's
    arguments, decides the filters and page size: a link of another campaign,
    or one made with ``state="failed"`` passed beside ``state="pending"``,
    would silently walk another listing. ``first`` is the listing's first page
    as the arguments build it; the link must have its path (ids in any letter
    case), and each parameter given there that the link names too must have
    the same value. A parameter the link leaves out is not a contradiction:
    the API may keep it in its page token.

    Raises:
        ValueError: The link is a page of another listing, or contradicts a
            filter or page size given with it.
    """
    wanted, got = urlsplit(first), urlsplit(url)
    if got.path.lower() != wanted.path.lower():
        msg = f"resume_from is a page of {got.path}, not of {wanted.path}: resume the same listing"
        raise ValueError(msg)
    given = parse_qs(wanted.query, keep_blank_values=True)
    linked = parse_qs(got.query, keep_blank_values=True)
    differ = [
        f"{name}={','.join(linked[name])!r} in resume_from, {','.join(values)!r} given"
        for name, values in given.items()
        if name in linked and set(linked[name]) != set(values)
    ]
    if differ:
        msg = (
            f"resume_from belongs to another listing ({'; '.join(differ)}): "
            "pass the arguments of the walk that failed, or leave them out"
        )
        raise ValueError(msg)


def _prefix_for_path(link: str, base: str) -> str | None:
    """
    For a link that is a plain path, the base's ``scheme://authority`` to put before it.

    That is exactly ``urljoin(base, link)`` when urljoin would rewrite nothing
    of the link: it starts with one ``/``, has no dot segment, no ``;``
    parameters, no fragment and no empty query. Any other link (``None``)
    takes urljoin, which costs five times as much (a tenth of a request).
    """
    path, mark, query = link.partition("?")
    if link[:1] != "/" or link[:2] == "//" or "#" in link or (mark and not query):
        return None
    if ";" in path or "/." in path:
        return None
    start = base.find("://")
    if start <= 0 or base[:start].lower() not in {"http", "https"}:
        return None
    end = len(base)
    for mark_ in "/?#":  # the authority ends at the first of them
        found = base.find(mark_, start + 3)
        if 0 <= found < end:
            end = found
    authority = base[start:end]
    if "@" in authority:  # userinfo: the full check refuses it
        return None
    return base[:start].lower() + authority


class PageTrail:
    """
    The pages one walk has fetched, to stop on a ``next`` link that loops.

    Holds a hash per page rather than the URLs, so that a walk of millions of
    items stays small.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def visit(self, url: str) -> None:
        """
        Record ``url`` as fetched.

        Raises:
            PaginationError: ``url`` was fetched before in this walk.
        """
        key = hash(url)
        if key in self._seen:
            msg = f"next link loops back to a page already fetched: {url}"
            raise PaginationError(msg)
        self._seen.add(key)
