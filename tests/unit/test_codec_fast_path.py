"""The hand-specialised Order hook behaves exactly like the generic cattrs one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import Order
from signalwire_orders._codec import _CONVERTER, _keeping_extra, _uuid

_GENERIC = _keeping_extra(Order, _CONVERTER)
_FAST = _CONVERTER.get_structure_hook(Order)
_ERRORS = (ValueError, TypeError, KeyError, AttributeError)

_values: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.just([])
)
_times = st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()) | _values
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


def _outcome(hook: Any, value: Any) -> tuple[str, Any]:
    try:
        order = hook(value, Order)
    except _ERRORS as exc:
        return "error", type(exc).__name__ in {"ValueError", "TypeError", "KeyError"}
    return "ok", (order, dict(order.extra))


class TestOrderFastPath:
    def test_the_converter_uses_the_fast_hook(self) -> None:
        """The registered Order hook is the specialised one, not the generic one."""

        assert _FAST is not _GENERIC
        assert _FAST.__qualname__.startswith("_order_hook")

    @given(_fields)
    def test_fast_and_generic_hooks_agree(self, doc: dict[str, Any]) -> None:
        """For any dict, both hooks give the same order (extra included) or both fail."""

        assert _outcome(_GENERIC, doc) == _outcome(_FAST, doc)

    @pytest.mark.parametrize("value", [[], "x", 5, None])
    def test_non_objects_fail_on_both_paths(self, value: object) -> None:
        """A non-object item fails on the fast path just as on the generic one."""

        assert _outcome(_GENERIC, value)[0] == _outcome(_FAST, value)[0] == "error"


class TestFastUUID:
    @given(st.uuids())
    def test_canonical_and_hex_forms_equal_the_stdlib(self, expected: UUID) -> None:
        """The fast UUID parse equals uuid.UUID for canonical, upper-case and bare hex forms."""

        for text in (str(expected), str(expected).upper(), expected.hex):
            actual = _uuid(text, UUID)
            assert expected == actual
            assert hash(expected) == hash(actual)
            assert expected.is_safe == actual.is_safe

    @given(st.text(max_size=40))
    def test_any_text_parses_like_the_stdlib_or_fails(self, text: str) -> None:
        """Any string gives the stdlib's UUID, or a ValueError where the stdlib raises."""

        try:
            expected: UUID | None = UUID(text)
        except ValueError:
            expected = None
        if expected is None:
            with pytest.raises(ValueError):
                _uuid(text, UUID)
        else:
            assert expected == _uuid(text, UUID)


def test_cattrs_is_the_engine() -> None:
    """The converter is a cattrs Converter (the hook is registered on it, not beside it)."""

    assert isinstance(_CONVERTER, cattrs.Converter)
