"""
The hot path: orders decoded without per-field dispatch.

A bulk run decodes millions of orders, so the common shape of one skips
cattrs' per-field hooks: `build_order` fills an `Order`'s slots straight from
its wire fields, and with msgspec installed (``pip install
'signalwire-orders[speed]'``) `order_page` parses a whole page of them in C.
Both take only the common shape: for anything else (an unknown field or
state, a time without an offset, a value of the wrong type) they raise or
return ``None``, and the caller takes the generic cattrs path, which is the
reference. ``tests/unit/test_codec_fast_path.py`` proves that the paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import attrs

from ._models import Order, OrderState

try:  # optional speed-up: pip install 'signalwire-orders[speed]'
    import msgspec
except ImportError:  # pragma: no cover - exercised when msgspec is absent
    HAVE_MSGSPEC = False
else:
    HAVE_MSGSPEC = True

__all__ = ["GIVE_UP", "HAVE_MSGSPEC", "build_order", "order_page"]

# What the fast paths raise on an uncommon order: the caller then takes the generic path.
GIVE_UP: Final = (ValueError, TypeError, KeyError)

_STATES: Final[Mapping[str, OrderState]] = {state.value: state for state in OrderState}
_NO_EXTRA: Final = attrs.fields(Order).extra.default
_FIELDS: Final = (
    "id",
    "state",
    "processed_at",
    "created_at",
    "updated_at",
    "status_callback_url",
    "extra",
)
_new: Final = object.__new__
_fromisoformat: Final = datetime.fromisoformat
# The slots' own setters: an attrs frozen __init__ goes through object.__setattr__
# per field, which takes half as long again. Order has no validators, converters or
# __attrs_post_init__ (a test pins that), so skipping __init__ skips nothing.
(
    _set_id,
    _set_state,
    _set_processed_at,
    _set_created_at,
    _set_updated_at,
    _set_status_callback_url,
    _set_extra,
) = (Order.__dict__[name].__set__ for name in _FIELDS)


def _aware(text: Any) -> datetime:
    moment = _fromisoformat(text)  # TypeError for a non-string
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
    order = _new(Order)
    _set_id(order, order_id)
    _set_state(order, None if state is None else _STATES[state])
    _set_processed_at(order, None if processed_at is None else _aware(processed_at))
    _set_created_at(order, None if created_at is None else _aware(created_at))
    _set_updated_at(order, None if updated_at is None else _aware(updated_at))
    _set_status_callback_url(order, status_callback_url)
    _set_extra(order, _NO_EXTRA)
    return order


if HAVE_MSGSPEC:

    class _WireOrder(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        # Times and state stay strings: build_order parses them exactly as the
        # generic path does. msgspec checks the id is a UUID and the rest strings.
        id: UUID
        state: str | None = None
        processed_at: str | None = None
        created_at: str | None = None
        updated_at: str | None = None
        status_callback_url: str | None = None

    class _WirePage(msgspec.Struct, gc=False):
        links: Any
        data: list[_WireOrder]

    _PAGE_DECODER: Final = msgspec.json.Decoder(_WirePage)
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
        orders = tuple(
            [
                build_order(
                    wire.id,
                    wire.state,
                    wire.processed_at,
                    wire.created_at,
                    wire.updated_at,
                    wire.status_callback_url,
                )
                for wire in page.data
            ]
        )
    except _MSGSPEC_ERRORS:
        return None
    return page.links, orders
