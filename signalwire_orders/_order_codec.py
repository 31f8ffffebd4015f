"""
The hot path: a page of orders decoded in one msgspec pass.

A bulk run decodes millions of orders. `order_wires` parses a whole page of
them in C, ids, states and times included, and `orders_of` fills each
`Order`'s slots without a Python call per field. It takes only the common
shape of a page: for anything else (an unknown field, a time without an
offset, a value of the wrong type, not JSON at all) it returns ``None`` and
the caller takes the generic cattrs path, which is the reference.
``tests/unit/test_codec_fast_path.py`` proves that the two paths agree, for
any input.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Final
from uuid import UUID

import attrs
import msgspec

from ._models import KeepsExtra, Order, OrderState

__all__ = ["FILLS_BY_CLASS_ASSIGNMENT", "order_wires", "orders_of", "parse_time"]

_NO_EXTRA: Final = attrs.fields(Order).extra.default
_new: Final = object.__new__
_fromisoformat: Final = datetime.fromisoformat
_MICROSECOND: Final = timedelta(microseconds=1)
_SHORTEST_TO_ROUND: Final = len("20240101T000000.1234567")  # a seventh fraction digit


class _Draft(KeepsExtra):
    """
    An `Order` being built: the same slots, but writable, and no subclass of Order.

    Order is frozen, so outside ``__init__`` its slots can only be filled
    through a descriptor call each (``object.__setattr__``), which made up a
    fifth of the instructions of decoding a page. A draft's slots are filled
    by plain attribute stores, then the draft becomes an Order by
    ``__class__`` assignment.

    This is a CPython rule, pinned by tests: ``__class__`` may change between
    two heap types whose instances have the same layout, that is the same
    base (`KeepsExtra`, which holds ``__weakref__`` for both) and the same
    slot names in the same place. The draft is a sibling of Order, not a
    subclass, so ``Order.__subclasses__()`` stays empty (cattrs'
    ``include_subclasses`` works on Order) and nothing outside this module
    ever sees a draft. Order has no validators, converters or
    ``__attrs_post_init__`` (a test pins that too), so skipping ``__init__``
    skips nothing. Where the assignment is refused (another Python, or a
    change of layout), `FILLS_BY_CLASS_ASSIGNMENT` is false and orders are
    built by ``Order(...)`` instead: slower, same result.
    """

    __slots__ = tuple(name for name in Order.__slots__ if name != "__weakref__")
    # Both object's own, so CPython stores slots directly, with no Python-level call.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def _can_assign_class() -> bool:
    draft: Any = _new(_Draft)
    try:
        draft.__class__ = Order
    except TypeError:  # pragma: no cover - CPython allows it (tests/unit/test_codec_fast_path.py)
        return False
    return True


#: Whether orders are built through `_Draft` (CPython) or through ``Order(...)``.
FILLS_BY_CLASS_ASSIGNMENT: Final = _can_assign_class()


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


def order_wires(body: bytes) -> tuple[Any, list[_WireOrder]] | None:
    """
    Parse and check a page of orders in one pass: ``(links as parsed JSON, wire orders)``.

    Every value is parsed and checked here; `orders_of` then only fills
    slots, which cannot fail. Returns ``None`` when the page is not the common
    shape (an unknown field, a bad value, not JSON at all): decode it on the
    generic path then, which also words the error.
    """
    try:
        page = _PAGE_DECODER.decode(body)
    except ValueError:  # msgspec.DecodeError and UnicodeDecodeError both are
        return None
    return page.links, page.data


def orders_of(wires: list[_WireOrder]) -> Iterator[Order]:
    """
    Build the `Order` of each checked wire order, one at a time, as they are taken.

    A generator, so that a streamed walk builds each order as it is yielded:
    a page's orders are then not all alive at once, and the GC does not keep
    promoting them (benchmarks/, stream).
    """
    if not FILLS_BY_CLASS_ASSIGNMENT:  # pragma: no cover - see _Draft
        yield from map(_construct, wires)
        return
    # Only the slots are left to fill, inline (a function call per order
    # would add 4% to the page's instructions).
    for wire in wires:
        order: Any = _new(_Draft)
        order.id = wire.id
        order.state = wire.state
        order.processed_at = wire.processed_at
        order.created_at = wire.created_at
        order.updated_at = wire.updated_at
        order.status_callback_url = wire.status_callback_url
        order.extra = _NO_EXTRA
        order.__class__ = Order
        yield order


def _construct(wire: _WireOrder) -> Order:  # pragma: no cover - see _Draft
    return Order(
        id=wire.id,
        state=wire.state,
        processed_at=wire.processed_at,
        created_at=wire.created_at,
        updated_at=wire.updated_at,
        status_callback_url=wire.status_callback_url,
    )
