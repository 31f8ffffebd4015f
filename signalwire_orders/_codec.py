"""
JSON <-> models: the one private cattrs converter and the body decoders.

Decoding is strict about types (a number where a string belongs is a
``ResponseError``, never silently ``str()``-ed) and lenient about growth
(unknown fields land in ``extra``, unknown states are kept). msgspec is the one
JSON library, for decoding and encoding; pages of orders take its one-pass
typed path (``_order_codec``), everything else this converter, the reference.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, cast
from uuid import UUID

import attrs
import cattrs
import msgspec
from cattrs.gen import make_dict_structure_fn, override

from ._errors import ResponseError
from ._events import EventCategory, EventType, StatusEvent
from ._models import (
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    CompanyVertical,
    LegalEntityType,
    Links,
    Order,
    OrderState,
    Page,
)
from ._order_codec import order_wires, orders_of, parse_time

__all__ = ["decode", "decode_order_stream", "decode_page", "dumps", "loads", "snippet"]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

SNIPPET_CHARS: Final = 200
_REASON_CHARS: Final = 300


_BOM: Final = b"\xef\xbb\xbf"
_decode: Final = msgspec.json.decode
_encode: Final = msgspec.json.encode


def loads(body: bytes) -> Any:
    """
    Parse a JSON document from bytes; a leading UTF-8 byte order mark is ignored.

    Raises:
        ValueError: Not JSON (``msgspec.DecodeError`` is one).
    """
    # RFC 8259 section 8.1: a parser may ignore a BOM rather than fail on it.
    return _decode(body[3:] if body.startswith(_BOM) else body)


def dumps(obj: Any) -> bytes:
    """Serialise a JSON document to compact UTF-8 bytes."""
    return _encode(obj)


def snippet(body: bytes, limit: int = SNIPPET_CHARS) -> str:
    """Return the start of a body as one printable line, for error messages."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _expect(kind: type[T]) -> Callable[[Any, Any], T]:
    name = kind.__name__

    def structure(value: Any, _: Any) -> T:
        if type(value) is not kind:
            msg = f"expected {name}, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    return structure


def _uuid(value: Any, _: Any) -> UUID:
    if type(value) is not str:
        msg = f"expected a UUID string, got {type(value).__name__}"
        raise TypeError(msg)
    return UUID(value)


def _datetime(value: Any, _: Any) -> datetime:
    if type(value) is not str:
        msg = f"expected an RFC 3339 date-time string, got {type(value).__name__}"
        raise TypeError(msg)
    try:
        parsed = parse_time(value)
    except ValueError:
        # RFC 3339 section 5.6 allows a lower-case "t" and "z".
        parsed = parse_time(value.upper())
    # RFC 3339 requires an offset; a naive time from a sloppy server is UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _strings(value: Any, _: Any) -> tuple[str, ...]:
    # cattrs would turn any iterable (even a string) into a tuple.
    if type(value) is not list or any(type(item) is not str for item in value):
        msg = f"expected a list of strings, got {type(value).__name__}"
        raise TypeError(msg)
    return tuple(value)


def _open_enum(cls: type[E]) -> Callable[[Any, Any], E]:
    members: Mapping[str, E] = {m.value: m for m in cls}

    def structure(value: Any, _: Any) -> E:
        member = members.get(value) if type(value) is str else None
        if member is not None:
            return member
        if type(value) is not str:
            msg = f"expected a state string, got {type(value).__name__}"
            raise TypeError(msg)
        return cls(value)

    return structure


def _is_optional(kind: Any) -> bool:
    args = typing.get_args(kind)
    return typing.get_origin(kind) in (typing.Union, types.UnionType) and (
        len(args) == 2 and type(None) in args  # noqa: PLR2004  # X | None
    )


def _optional(kind: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    # cattrs' own Optional hook dispatches on the inner type at every call;
    # resolve it once instead (one call per optional field per item).
    inner_type = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if inner_type is str:
        return _optional_str
    inner = conv.get_structure_hook(inner_type)

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure


def _optional_str(value: Any, _: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    msg = f"expected str, got {type(value).__name__}"
    raise TypeError(msg)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook_factory(_is_optional, _optional)
    conv.register_structure_hook(str, _expect(str))
    conv.register_structure_hook(bool, _expect(bool))
    conv.register_structure_hook(UUID, _uuid)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _strings)
    for enum_cls in (
        OrderState,
        AssignmentState,
        BrandState,
        CampaignState,
        LegalEntityType,
        CompanyVertical,
        EventCategory,
        EventType,
    ):
        conv.register_structure_hook(enum_cls, _open_enum(enum_cls))
    conv.register_structure_hook(
        Links,
        _object(Links, make_dict_structure_fn(Links, conv, self_link=override(rename="self"))),
    )
    for model in (Order, AssignedPhoneNumber, AssignedNumber, Brand, Campaign, StatusEvent):
        conv.register_structure_hook(model, _keeping_extra(model, conv))
    return conv


def _object(model: type[T], base: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    name = model.__name__

    def structure(value: Any, _: Any) -> T:
        if type(value) is not dict:
            msg = f"expected a {name} object, got {type(value).__name__}"
            raise TypeError(msg)
        return base(value, model)

    return structure


def _keeping_extra(model: type[T], conv: cattrs.Converter) -> Callable[[Any, Any], T]:
    base = make_dict_structure_fn(model, conv, extra=override(omit=True))
    known = frozenset(a.name for a in attrs.fields(model)) - {"extra"}  # type: ignore[arg-type]  # attrs classes only
    name = model.__name__

    def structure(value: Any, _: Any) -> T:
        if type(value) is not dict:
            msg = f"expected a {name} object, got {type(value).__name__}"
            raise TypeError(msg)
        obj = base(value, model)
        if value.keys() <= known:
            return obj
        # Rare: the API grew a field. Keep it rather than fail (SPEC section 4).
        unknown = {k: v for k, v in value.items() if k not in known}
        return attrs.evolve(obj, extra=unknown)  # type: ignore[misc]  # attrs instance

    return structure


_CONVERTER: Final = _make_converter()
_DECODE_ERRORS: Final = (ValueError, TypeError, KeyError, AttributeError)


def _fail(where: str, status: int | None, body: bytes, reason: str) -> ResponseError:
    msg = f"{where}: unexpected response body (status {status}): {reason}"
    return ResponseError(msg, url=where, status=status, body_snippet=snippet(body))


def _load_object(body: bytes, where: str, status: int | None) -> dict[str, Any]:
    try:
        doc = loads(body)
    except ValueError as exc:  # msgspec.DecodeError is one
        raise _fail(where, status, body, f"not JSON ({exc})") from exc
    if type(doc) is not dict:
        raise _fail(where, status, body, f"expected a JSON object, got {type(doc).__name__}")
    return doc


def decode(model: type[T], body: bytes, *, where: str, status: int | None = 200) -> T:
    """
    Decode a single-object body into ``model``.

    Raises:
        ResponseError: The body is not JSON or not the documented shape.
    """
    doc = _load_object(body, where, status)
    try:
        return _CONVERTER.structure(doc, model)
    except _DECODE_ERRORS as exc:
        raise _fail(where, status, body, _reason(exc)) from exc


def decode_page(model: type[T], body: bytes, *, where: str, status: int | None = 200) -> Page[T]:
    """
    Decode a list body ``{"links": ..., "data": [...]}`` into a typed page.

    Raises:
        ResponseError: The body is not JSON or not the documented shape; no
            partial page is ever returned.
    """
    if model is Order and (fast := _one_pass(body)) is not None:
        wires, links = fast
        return cast("Page[T]", Page(data=tuple(orders_of(wires)), links=links))
    return _generic_page(model, body, where, status)


def decode_order_stream(
    body: bytes, where: str, status: int | None = 200
) -> tuple[Iterator[Order], Links, int]:
    """
    Decode a page of orders as ``decode_page`` does, its orders built as they are taken.

    Returns ``(orders, links, how many orders)``. The whole page is parsed
    and checked first, so an error is raised before any order is taken,
    exactly as from `decode_page`; only building each `Order` waits for the
    iteration (see `_order_codec.orders_of`).

    Raises:
        ResponseError: As `decode_page`.
    """
    if (fast := _one_pass(body)) is not None:
        wires, links = fast
        return orders_of(wires), links, len(wires)
    page = _generic_page(Order, body, where, status)
    return iter(page.data), page.links, len(page.data)


def _one_pass(body: bytes) -> tuple[list[Any], Links] | None:
    # A page of orders and its links, parsed and checked in one pass (the orders
    # still to build); None: the page is not the common shape, take the generic path.
    parsed = order_wires(body)
    if parsed is None:
        return None
    links = _links(parsed[0])
    return None if links is None else (parsed[1], links)


def _generic_page(model: type[T], body: bytes, where: str, status: int | None) -> Page[T]:
    doc = _load_object(body, where, status)
    items = doc.get("data")
    if type(items) is not list:
        raise _fail(where, status, body, "'data' is missing or not a list")
    structure = _CONVERTER.get_structure_hook(model)
    try:
        links = _CONVERTER.structure(doc.get("links"), Links)
    except _DECODE_ERRORS as exc:
        raise _fail(where, status, body, f"links: {_reason(exc)}") from exc
    try:
        data = tuple([structure(item, model) for item in items])
    except _DECODE_ERRORS as exc:
        # Rare: find which item failed, for the message (no partial page).
        index = next(i for i, item in enumerate(items) if _fails(structure, item, model))
        raise _fail(where, status, body, f"data[{index}]: {_reason(exc)}") from exc
    return Page(data=data, links=links)


def _links(links: Any) -> Links | None:
    # The links of a one-pass page, checked as the converter checks them
    # (self and first strings, next and prev strings or absent), without its
    # dispatch; None: take the generic path, which words the error.
    if type(links) is not dict:
        return None
    self_link, first = links.get("self"), links.get("first")
    nxt, prev = links.get("next"), links.get("prev")
    if type(self_link) is not str or type(first) is not str:
        return None
    if (nxt is not None and type(nxt) is not str) or (prev is not None and type(prev) is not str):
        return None
    return Links(self_link=self_link, first=first, next=nxt, prev=prev)


def _fails(structure: Callable[[Any, Any], Any], item: Any, model: type[Any]) -> bool:
    try:
        structure(item, model)
    except _DECODE_ERRORS:
        return True
    return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        text = f"missing required field {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    # A huge bad value must not make a huge message (or log line).
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 1] + "…"
