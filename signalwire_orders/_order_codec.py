"""
The hot path: orders decoded without per-field dispatch.

A bulk run decodes millions of orders, so the common shape of one skips
cattrs' per-field hooks: `build_order` fills an `Order`'s slots straight from
its wire fields, and with msgspec installed (``pip install
'signalwire-orders[speed]'``) `order_page` parses a whole page of them in C,
ids, states and times included. Both take only the common shape: for anything
else (an unknown field, a time without an offset, a value of the wrong type)
they raise or return ``None``, and the caller takes the generic cattrs path,
which is the reference. ``tests/unit/test_codec_fast_path.py`` proves that
the paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, cast
from uuid import UUID

import attrs

from ._models import Order, OrderState

try:  # optional speed-up: pip install 'signalwire-orders[speed]'
    import msgspec
except ImportError:  # pragma: no cover - exercised when msgspec is absent
    HAVE_MSGSPEC = False
else:
    HAVE_MSGSPEC = True

__all__ = ["GIVE_UP", "HAVE_MSGSPEC", "build_order", "order_page", "parse_time"]

# What the fast paths raise on an uncommon order: the caller then takes the generic path.
GIVE_UP: Final = (ValueError, TypeError, KeyError)

_STATES: Final[Mapping[str, OrderState]] = {state.value: state for state in OrderState}
_NO_EXTRA: Final = attrs.fields(Order).extra.default
_new: Final = object.__new__
_fromisoformat: Final = datetime.fromisoformat
_MICROSECOND: Final = timedelta(microseconds=1)
_SHORTEST_TO_ROUND: Final = len("20240101T000000.1234567")  # a seventh fraction digit


class _Draft(Order):
    """
    An `Order` being built: the same slots, but writable.

    Order is frozen, so outside ``__init__`` its slots can only be filled
    through descriptor calls, which made up a fifth of the instructions of
    decoding a page. A draft's slots are filled by plain attribute stores, then
    the draft becomes an Order by ``__class__`` assignment, which CPython allows
    because it adds no slot: the two layouts are the same by construction.
    Order has no validators, converters or ``__attrs_post_init__`` (a test pins
    that), so skipping ``__init__`` skips nothing.
    """

    __slots__ = ()
    # Both object's own, so CPython stores slots directly, with no Python-level call.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def parse_time(text: str) -> datetime:
    """
    Parse an ISO 8601 / RFC 3339 time, rounded to the microsecond.

    `datetime.fromisoformat` drops fraction digits past the sixth; a seventh
    digit of 5 or more rounds up instead, as msgspec's parser does, so that
    both decoding paths give the same time.

    Raises:
        ValueError: Not a time, or rounding up would pass `datetime.max`.
        TypeError: Not a string.
    """
    moment = _fromisoformat(text)
    if len(text) < _SHORTEST_TO_ROUND:
        return moment
    point = text.find(".")
    if point < 0:
        point = text.find(",")  # ISO 8601's other decimal sign
    if (
        point >= 0
        and "5" <= text[point + 7 : point + 8] <= "9"
        and text[point + 1 : point + 7].isdigit()
    ):
        try:
            return moment + _MICROSECOND
        except OverflowError:
            msg = f"{text!r} rounds past the largest time"
            raise ValueError(msg) from None
    return moment


def _aware(text: Any) -> datetime:
    moment = parse_time(text)  # TypeError for a non-string
    if moment.tzinfo is None:
        msg = "no UTC offset"  # the generic path decides what that means
        raise ValueError(msg)
    return moment


def build_order(  # noqa: PLR0917  # one per wire field, positional on the hot path
    order_id: UUID,
    state: Any,
    processed_at: Any,
    created_at: Any,
    updated_at: Any,
    status_callback_url: Any,
) -> Order:
    """
    Build an `Order` from its wire fields: a known state, RFC 3339 times with offsets.

    Raises:
        ValueError, TypeError, KeyError: The fields are not the common shape;
            decode them on the generic path instead.
    """
    if status_callback_url is not None and type(status_callback_url) is not str:
        msg = "status_callback_url is not a string"
        raise TypeError(msg)
    order: Any = _new(_Draft)
    order.id = order_id
    order.state = None if state is None else _STATES[state]
    order.processed_at = None if processed_at is None else _aware(processed_at)
    order.created_at = None if created_at is None else _aware(created_at)
    order.updated_at = None if updated_at is None else _aware(updated_at)
    order.status_callback_url = status_callback_url
    order.extra = _NO_EXTRA
    order.__class__ = Order
    return cast("Order", order)


if HAVE_MSGSPEC:
    # An RFC 3339 time with an offset: msgspec rejects a naive one, and the
    # generic path (which reads it as UTC) takes the page.
    _Aware = Annotated[datetime, msgspec.Meta(tz=True)]

    class _WireOrder(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        # Parsed in C: the id as a UUID, the state as an OrderState (unknown
        # values through its _missing_, as on the generic path), the times aware.
        id: UUID
        state: OrderState | None = None
        processed_at: _Aware | None = None
        created_at: _Aware | None = None
        updated_at: _Aware | None = None
        status_callback_url: str | None = None

    class _WirePage(msgspec.Struct, gc=False):
        links: Any
        data: list[_WireOrder]

    _PAGE_DECODER: Final = msgspec.json.Decoder(_WirePage)
    # ValueError: msgspec raises UnicodeDecodeError for bad UTF-8 in a key of Any.
    _MSGSPEC_ERRORS: Final = (msgspec.DecodeError, *GIVE_UP)


def order_page(body: bytes) -> tuple[Any, tuple[Order, ...]] | None:
    """
    Parse a page of orders in one pass: ``(links as parsed JSON, orders)``.

    Returns ``None`` when msgspec is not installed or the page is not the
    common shape (an unknown field, a bad value, not JSON at all): decode it
    on the generic path then, which also words the error.
    """
    if not HAVE_MSGSPEC:
        return None
    try:
        page = _PAGE_DECODER.decode(body)
    except _MSGSPEC_ERRORS:
        return None
    # Every value is parsed and checked: only the slots are left to fill, inline
    # (a function call per order would add 4% to the page's instructions).
    orders: list[Order] = []
    append = orders.append
    for wire in page.data:
        order: Any = _new(_Draft)
        order.id = wire.id
        order.state = wire.state
        order.processed_at = wire.processed_at
        order.created_at = wire.created_at
        order.updated_at = wire.updated_at
        order.status_callback_url = wire.status_callback_url
        order.extra = _NO_EXTRA
        order.__class__ = Order
        append(order)
    return page.links, tuple(orders)
