"""
The one-pass path for pages of orders behaves exactly like the generic cattrs path.

msgspec parses a whole page of orders of the common shape in one pass and
fills each Order's slots through a writable draft; anything else is given up
and decoded by the generic path, the reference. Both must give the same
orders, the same extra fields and the same errors, for any input; and an
order built through the draft must be exactly an Order.
"""

from __future__ import annotations

import copy
import json
import pickle
import platform
import weakref
from typing import Any
from unittest import mock
from uuid import UUID

import attrs
import cattrs
import cattrs.preconf.json
import pytest
from cattrs.strategies import include_subclasses
from hypothesis import example, given
from hypothesis import strategies as st

from signalwire_orders import Order, OrderState, Page, ResponseError, _codec, _order_codec
from signalwire_orders._codec import _CONVERTER
from support import ORDER_ID

_values: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.just([])
)
# RFC 3339 spellings, fractions of any length and lower-case letters included,
# with an offset (as the API sends) or without one (as a sloppy server might).
_RFC3339 = (
    r"\A20[0-9]{2}-0[1-9]-[0-2][1-9][Tt ][01][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?"
    r"([Zz]|[+-][01][0-9]:[0-5][0-9])%s\Z"
)
_rfc3339_aware = st.from_regex(_RFC3339 % "")
_rfc3339 = _rfc3339_aware | st.from_regex(_RFC3339 % "?")
_times = st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()) | _rfc3339 | _values
_ids = st.uuids().map(str) | st.uuids().map(lambda u: u.hex) | _values
_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": _ids,
        "state": st.sampled_from(["pending", "processed", "failed", "archived", "PENDING"])
        | _values,
        "processed_at": _times,
        "created_at": _times,
        "updated_at": _times,
        "status_callback_url": _values,
        "unknown_field": _values,
    },
)
_ID = ORDER_ID


def _one_order_page(item: dict[str, Any]) -> bytes:
    return json.dumps({"links": {"self": "/o", "first": "/o"}, "data": [item]}).encode()


def _one_pass_orders(body: bytes) -> tuple[Order, ...] | None:
    """The orders of a page decoded on the one-pass path; ``None`` where it gives the page up."""
    parsed = _codec._one_pass(body)
    return None if parsed is None else tuple(_order_codec.orders_of(parsed[0]))


def _built(**fields: Any) -> Order:
    """One order decoded on the one-pass path (the draft)."""
    parsed = _one_pass_orders(_one_order_page({"id": _ID, **fields}))
    assert parsed is not None
    return parsed[0]


# The slots orders_of fills, in order: a new Order field must be added there.
_FILLED = (
    "id",
    "state",
    "processed_at",
    "created_at",
    "updated_at",
    "status_callback_url",
    "extra",
)


class TestOnePassOrders:
    def test_order_has_nothing_that_skipping_init_would_skip(self) -> None:
        """The one-pass path fills these slots directly: no validator, converter or hook to skip."""
        fields = attrs.fields(Order)

        assert tuple(f.name for f in fields) == _FILLED
        assert all(f.validator is None and f.converter is None for f in fields)
        assert all(f.on_setattr is None for f in fields)
        assert not hasattr(Order, "__attrs_post_init__")

    def test_built_order_equals_the_constructed_one(self) -> None:
        """An order built from wire fields equals the reference path's, repr and hash included."""
        wire = {
            "id": _ID,
            "state": "processed",
            "processed_at": "2024-01-02T03:04:05Z",
            "created_at": "2024-01-01T00:00:00+01:00",
        }
        built = _built(**{k: v for k, v in wire.items() if k != "id"})
        expected = _CONVERTER.structure(wire, Order)

        assert expected == built
        assert (repr(expected), hash(expected)) == (repr(built), hash(built))
        assert built.extra == {}

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("state", ["pending"]),
            ("created_at", "2024-01-01T00:00:00"),  # no offset: the generic path reads UTC
            ("created_at", 5),
            ("updated_at", "yesterday"),
            ("status_callback_url", 3),
        ],
    )
    def test_uncommon_fields_are_given_up(self, field: str, value: object) -> None:
        """Anything but the common shape is left to the generic path."""
        assert _one_pass_orders(_one_order_page({"id": _ID, field: value})) is None


class TestDraft:
    """Orders built through a writable draft are plain, frozen Orders afterwards."""

    @staticmethod
    def _built() -> Order:
        return _built(
            state="pending",
            created_at="2024-01-01T00:00:00Z",
            updated_at="2024-01-01T00:00:00.5+02:00",
            status_callback_url="https://example.com/cb",
        )

    def test_the_draft_has_the_layout_of_an_order_and_is_no_subclass(self) -> None:
        """Same base, slots and size as Order: the CPython rule that allows __class__ assignment."""
        draft = _order_codec._Draft

        assert draft.__bases__ == Order.__bases__
        assert draft.__slots__ == Order.__slots__
        assert draft.__basicsize__ == Order.__basicsize__
        assert not issubclass(draft, Order)

    @pytest.mark.skipif(platform.python_implementation() != "CPython", reason="a CPython rule")
    def test_cpython_allows_the_class_assignment(self) -> None:
        """On CPython the draft path is taken, not the slower Order(...) fallback."""
        assert _order_codec.FILLS_BY_CLASS_ASSIGNMENT

    def test_order_has_no_subclasses(self) -> None:
        """No private class hides under Order: ``Order.__subclasses__()`` is empty."""
        self._built()

        assert [] == Order.__subclasses__()

    def test_cattrs_include_subclasses_works_on_order(self) -> None:
        """A user's converter can apply cattrs' include_subclasses strategy to Order."""
        converter = cattrs.preconf.json.make_converter()
        converter.register_structure_hook(UUID, lambda value, _: UUID(value))
        converter.register_unstructure_hook(UUID, str)
        include_subclasses(Order, converter)  # "Could not disambiguate" while a draft subclassed
        order = self._built()

        assert order == converter.structure(converter.unstructure(order), Order)

    def test_a_built_order_is_exactly_an_order(self) -> None:
        """Its type is Order itself, and it equals, hashes and prints as one built by __init__."""
        built = self._built()
        expected = Order(
            id=built.id,
            state=OrderState.PENDING,
            created_at=built.created_at,
            updated_at=built.updated_at,
            status_callback_url="https://example.com/cb",
        )

        assert type(built) is Order
        assert (expected, hash(expected), repr(expected)) == (built, hash(built), repr(built))

    def test_a_built_order_is_frozen(self) -> None:
        """Setting or deleting a field raises, as on any Order."""
        built = self._built()

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            built.state = None  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            del built.state

    def test_a_built_order_copies_pickles_evolves_and_weakrefs(self) -> None:
        """The usual object protocols work on it and give Orders."""
        built = self._built()

        for twin in (
            copy.copy(built),
            copy.deepcopy(built),
            pickle.loads(pickle.dumps(built)),  # noqa: S301  # our own bytes
            attrs.evolve(built, state=built.state),
        ):
            assert type(twin) is Order
            assert twin == built
        assert weakref.ref(built)() is built


_links = st.fixed_dictionaries(
    {"self": st.just("/orders?page_number=0") | st.none() | st.integers()},
    optional={
        "first": st.just("/orders") | st.none() | st.integers(),
        "next": st.just("/orders?page_number=1") | st.none() | st.integers(),
        "prev": st.just("/orders?page_number=0") | st.none() | st.booleans(),
        "last": st.just("/orders?page_number=9") | st.integers(),
    },
)
# Orders of the common shape, so that the one-pass path is taken rather than given up.
_common_orders = st.fixed_dictionaries(
    {"id": st.uuids().map(str)},
    optional={
        "state": st.sampled_from(["pending", "processing", "processed", "failed"]) | st.none(),
        "processed_at": _rfc3339_aware | st.none(),
        "created_at": _rfc3339_aware,
        "updated_at": _rfc3339_aware,
        "status_callback_url": st.text(max_size=8) | st.none(),
    },
)
_pages = st.fixed_dictionaries(
    {"data": st.lists(_fields, max_size=4) | _values},
    optional={"links": _links | _values, "meta": _values},
)
_RAW_ID = b'"3fa85f64-5717-4562-b3fc-2c963f66afa6"'


def _page_of(items: bytes) -> bytes:
    return b'{"links": {"self": "/", "first": "/"}, "data": [' + items + b"]}"


# Raw spellings that JSON allows, or nearly allows, and decoders are known to differ on.
_RAW_BODIES = [
    pytest.param(b"\xef\xbb\xbf" + _page_of(b""), id="bom"),
    pytest.param(_page_of(b'{"id": %s, "id": "%s"}' % (_RAW_ID, b"0" * 32)), id="repeated-key"),
    pytest.param(
        _page_of(b'{"id": %s, "status_callback_url": "\\ud800"}' % _RAW_ID), id="surrogate"
    ),
    pytest.param(
        _page_of(b"").replace(b'"data"', b'"data": [{"id": 1}], "data"'), id="repeated-data"
    ),
    pytest.param(_page_of(b'{"id": "{3fa85f64-5717-4562-b3fc-2c963f66afa6}"}'), id="braced-id"),
    pytest.param(
        _page_of(b'{"id": %s, "created_at": "2024-01-01T00:00:00.9999999Z"}' % _RAW_ID),
        id="seven-digit-fraction",
    ),
    pytest.param(_page_of(b"") + b" trailing", id="trailing-garbage"),
    pytest.param(
        _page_of(b'{"id": "%s", "updated_at": "2024-01-01t00:00:00z"}' % (b"A" * 32)),
        id="hex-id-lower-case-time",
    ),
    pytest.param(b"  \n" + _page_of(b"") + b"\n ", id="whitespace"),
    pytest.param(b'{"links": {"\xffself": "/"}, "data": []}', id="bad-utf8-in-a-links-key"),
]


def _decoded(body: bytes) -> tuple[str, Any]:
    try:
        page = _codec.decode_page(Order, body, where="/orders")
    except ResponseError as exc:
        return "error", str(exc)
    return "ok", (page, [dict(order.extra) for order in page.data])


def _generic(body: bytes) -> tuple[str, Any]:
    with mock.patch.object(_codec, "_one_pass", return_value=None):
        return _decoded(body)


class TestOnePassPage:
    @given(_pages)
    def test_any_page_decodes_as_on_the_generic_path(self, doc: dict[str, Any]) -> None:
        """For any page-like document, the one-pass path gives the generic path's result."""
        body = json.dumps(doc).encode()

        assert _generic(body) == _decoded(body)

    @given(st.lists(_common_orders, max_size=4))
    def test_common_pages_decode_as_on_the_generic_path(self, orders: list[Any]) -> None:
        """Pages of ordinary orders (any time spelling RFC 3339 allows) match the generic path."""
        body = json.dumps({"links": {"self": "/o", "first": "/o"}, "data": orders}).encode()

        assert _generic(body) == _decoded(body)

    @pytest.mark.parametrize("body", _RAW_BODIES)
    def test_odd_spellings_decode_as_on_the_generic_path(self, body: bytes) -> None:
        """BOMs, repeated keys, lone surrogates, braces, long fractions: as the generic path."""
        assert _generic(body) == _decoded(body)

    @given(st.binary(max_size=64))
    @example(b"")
    @example(b"null")
    def test_any_bytes_decode_as_on_the_generic_path(self, body: bytes) -> None:
        """Arbitrary bytes fail (or not) exactly as on the generic path."""
        assert _generic(body) == _decoded(body)

    def test_the_common_page_takes_the_one_pass_path(self) -> None:
        """A plain page is parsed by msgspec, not given up on."""
        body = json.dumps(
            {
                "links": {"self": "/o", "first": "/o"},
                "data": [{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "state": "pending"}],
            }
        ).encode()

        parsed = _one_pass_orders(body)

        assert parsed is not None
        assert parsed[0].state == "pending"

    @pytest.mark.parametrize(
        "item",
        [
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "state": "archived"},
            {"id": "3FA85F645717456 2B3FC2C963F66AFA6".replace(" ", "")},
            {
                "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "created_at": "2024-01-01T00:00:00.1234565Z",
            },
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "created_at": "2024-01-01t00:00:00z"},
            {
                "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "created_at": "2024-01-01 00:00:00-00:00",
            },
            {
                "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "updated_at": "2024-01-01T00:00:00+0530",
            },
        ],
    )
    def test_uncommon_but_valid_items_take_the_one_pass_path(self, item: dict[str, Any]) -> None:
        """Unknown states, bare hex ids, long fractions, other RFC 3339 spellings: as generic."""
        body = json.dumps({"links": {"self": "/o", "first": "/o"}, "data": [item]}).encode()

        assert _one_pass_orders(body) is not None
        assert _generic(body) == _decoded(body)

    @pytest.mark.parametrize(
        "item",
        [
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "label": "new field"},
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "extra": {}},
            {"id": "urn:uuid:3fa85f64-5717-4562-b3fc-2c963f66afa6"},
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "created_at": "2024-01-01T00:00:00"},
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "created_at": "2024-01-01T00:00"},
            {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "updated_at": "2024-01-01T00:00:00,5Z"},
        ],
    )
    def test_uncommon_items_are_given_up_and_still_decoded(self, item: dict[str, Any]) -> None:
        """Unknown fields, other id or time spellings, no offset: the generic path decodes them."""
        body = json.dumps({"links": {"self": "/o", "first": "/o"}, "data": [item]}).encode()

        assert _one_pass_orders(body) is None
        assert _decoded(body)[0] == "ok"


def test_cattrs_is_the_engine() -> None:
    """The converter is a cattrs Converter (the hook is registered on it, not beside it)."""

    assert isinstance(_CONVERTER, cattrs.Converter)


def _streamed(body: bytes) -> tuple[str, Any]:
    try:
        orders, links, count = _codec.decode_order_stream(body, "/orders")
    except ResponseError as exc:
        return "error", str(exc)
    built = tuple(orders)
    assert len(built) == count
    return "ok", (Page(data=built, links=links), [dict(order.extra) for order in built])


class TestStreamedPage:
    @given(_pages)
    def test_any_page_streams_as_it_decodes(self, doc: dict[str, Any]) -> None:
        """For any page-like document, the streamed orders are decode_page's, or its error."""
        body = json.dumps(doc).encode()

        assert _decoded(body) == _streamed(body)

    @given(st.lists(_common_orders, max_size=4))
    def test_common_pages_stream_as_they_decode(self, orders: list[Any]) -> None:
        """Pages of ordinary orders stream the orders decode_page gives."""
        body = json.dumps({"links": {"self": "/o", "first": "/o"}, "data": orders}).encode()

        assert _decoded(body) == _streamed(body)

    @pytest.mark.parametrize("body", _RAW_BODIES)
    def test_odd_spellings_stream_as_they_decode(self, body: bytes) -> None:
        """BOMs, repeated keys, lone surrogates, braces, long fractions: as decode_page."""
        assert _decoded(body) == _streamed(body)

    def test_a_bad_page_fails_before_any_order_is_taken(self) -> None:
        """An error anywhere in the page is raised by the call, not midway through the orders."""
        good = {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
        body = json.dumps({"links": {"self": "/o", "first": "/o"}, "data": [good, {}]}).encode()

        with pytest.raises(ResponseError, match=r"data\[1\]"):
            _codec.decode_order_stream(body, "/orders")

    def test_orders_are_built_one_at_a_time(self) -> None:
        """A streamed page builds each order as it is taken: nothing holds those taken before."""
        ids = ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa7"]
        body = json.dumps(
            {"links": {"self": "/o", "first": "/o"}, "data": [{"id": i} for i in ids]}
        ).encode()
        orders, _, _ = _codec.decode_order_stream(body, "/orders")

        first = weakref.ref(next(orders))
        second = next(orders)

        assert first() is None  # no page of orders holds it
        assert ids[1] == str(second.id)
