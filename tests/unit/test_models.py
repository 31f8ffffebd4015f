"""The models: open str enums, frozen slotted attrs classes, ``extra`` outside equality."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

import attrs
import pytest

from signalwire_orders import (
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignResult,
    CampaignState,
    Links,
    NotFoundError,
    Order,
    OrderState,
    Page,
    RateLimit,
)
from signalwire_orders.webhooks import EventCategory, EventType, StatusEvent

ID = UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
LINKS = Links(self_link="/a?page_number=0", first="/a")
INSTANCES: list[Any] = [
    Order(id=ID, state=OrderState.PENDING),
    AssignedNumber(id=ID, phone_number=AssignedPhoneNumber(number="+15558675309")),
    AssignedPhoneNumber(number="+15558675309"),
    Brand(id=ID, name="Acme"),
    Campaign(id=ID, sub_use_cases=("MIXED",)),
    Links(self_link="/a", first="/a"),
    Page(data=(Order(id=ID),), links=LINKS),
    CampaignResult(campaign_id=ID),
    RateLimit(limit=10, remaining=3),
]
INSTANCE_IDS = [type(x).__name__ for x in INSTANCES]


class TestOrderState:
    def test_known_value_is_the_member(self) -> None:
        """A documented value gives the class's own member."""
        expected = OrderState.PENDING

        actual = OrderState("pending")

        assert expected is actual

    def test_member_equals_its_string(self) -> None:
        """A member compares equal to its wire string."""
        expected: str = "processed"

        actual: str = OrderState.PROCESSED

        assert expected == actual

    def test_unknown_value_is_kept(self) -> None:
        """An unknown value gives a pseudo-member instead of raising."""
        state = OrderState("archived")
        expected = (True, "archived", "archived")

        actual = (isinstance(state, OrderState), state, str(state))

        assert expected == actual

    def test_unknown_value_hashes_like_its_string(self) -> None:
        """A pseudo-member finds the same dict entry as its string."""
        counts = {"archived": 1}
        expected = 1

        actual = counts[OrderState("archived")]

        assert expected == actual

    def test_known_member_hashes_like_its_string(self) -> None:
        """A member finds the same dict entry as its string."""
        expected = hash("pending")

        actual = hash(OrderState.PENDING)

        assert expected == actual

    def test_unknown_values_are_equal_to_each_other(self) -> None:
        """Two pseudo-members of the same value are equal."""
        assert OrderState("archived") == OrderState("archived")

    def test_unknown_value_is_not_known(self) -> None:
        """``is_known`` is false for a value the library was not written for."""
        actual = OrderState("archived").is_known

        assert actual is False

    @pytest.mark.parametrize("state", list(OrderState))
    def test_documented_values_are_known(self, state: OrderState) -> None:
        """``is_known`` is true for every documented value."""
        actual = OrderState(state.value).is_known

        assert actual is True

    @pytest.mark.parametrize("value", ["PENDING", "Processed", "FAILED"])
    def test_other_case_of_a_known_value_is_not_known(self, value: str) -> None:
        """A value differing from a documented one only by case is not a known state."""
        actual = OrderState(value).is_known

        assert actual is False

    def test_unknown_value_does_not_grow_the_class(self) -> None:
        """Pseudo-members are not added to the enum's members."""
        expected = ["PENDING", "PROCESSING", "PROCESSED", "FAILED"]

        OrderState("archived-for-growth-check")
        actual = list(OrderState.__members__)

        assert expected == actual

    @pytest.mark.parametrize(
        ("state", "final"),
        [
            (OrderState.PENDING, False),
            (OrderState.PROCESSING, False),
            (OrderState.PROCESSED, True),
            (OrderState.FAILED, True),
            (OrderState("archived"), False),
        ],
    )
    def test_is_final(self, state: OrderState, final: bool) -> None:
        """Only ``processed`` and ``failed`` are final."""
        expected = final

        actual = state.is_final

        assert expected is actual

    def test_non_string_value_is_refused(self) -> None:
        """A non-string value raises ``ValueError`` rather than becoming a state."""
        with pytest.raises(ValueError, match="5"):
            OrderState(5)  # type: ignore[arg-type]  # the mistake under test


class TestOtherStates:
    @pytest.mark.parametrize("cls", [AssignmentState, BrandState, CampaignState])
    def test_unknown_values_are_kept(self, cls: type[Any]) -> None:
        """Every state enum keeps a value it does not know."""
        state = cls("suspended")
        expected = (True, "suspended", False)

        actual = (isinstance(state, cls), state, state.is_known)

        assert expected == actual

    @pytest.mark.parametrize(
        ("cls", "value"),
        [
            (AssignmentState, "completed"),
            (BrandState, "unverified"),
            (CampaignState, "active"),
        ],
    )
    def test_documented_values_are_members(self, cls: type[Any], value: str) -> None:
        """Documented values give the class's own members."""
        expected = cls.__members__[value.upper()]

        actual = cls(value)

        assert expected is actual


class TestModels:
    @pytest.mark.parametrize("instance", INSTANCES, ids=INSTANCE_IDS)
    def test_models_are_frozen(self, instance: Any) -> None:
        """Assigning to a field of a model raises ``FrozenInstanceError``."""
        field = attrs.fields(type(instance))[0].name

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(instance, field, None)

    @pytest.mark.parametrize("instance", INSTANCES, ids=INSTANCE_IDS)
    def test_models_are_slotted(self, instance: Any) -> None:
        """Models have ``__slots__`` and no per-instance ``__dict__``."""
        expected = (True, False)

        actual = (hasattr(type(instance), "__slots__"), hasattr(instance, "__dict__"))

        assert expected == actual

    @pytest.mark.parametrize("instance", INSTANCES, ids=INSTANCE_IDS)
    def test_models_are_hashable(self, instance: Any) -> None:
        """Frozen models can be set members and dict keys."""
        expected = 1

        actual = len({instance, instance})

        assert expected == actual

    @pytest.mark.parametrize(
        "instance",
        [
            *INSTANCES,
            Order(id=ID, extra=MappingProxyType({"priority": [1, {"x": None}]})),
            CampaignResult(
                campaign_id=ID,
                error=NotFoundError("404", status=404, method="GET", url="https://x.example/"),
            ),
            StatusEvent(
                project_id="p",
                event_at=datetime(2024, 1, 15, tzinfo=UTC),
                event_category=EventCategory("brand"),
                event_type=EventType("brand_activated"),
                state="completed",
                brand_id=ID,
                extra=MappingProxyType({"new": "field"}),
            ),
        ],
        ids=[*INSTANCE_IDS, "Order-with-extra", "CampaignResult-with-error", "StatusEvent"],
    )
    def test_models_pickle_and_deep_copy(self, instance: Any) -> None:
        """Pickling and deepcopy give an equal model of the same type, extra still read-only."""
        for twin in (pickle.loads(pickle.dumps(instance)), copy.deepcopy(instance)):  # noqa: S301
            assert type(instance) is type(twin)
            assert repr(instance) == repr(twin)
            extra = getattr(twin, "extra", None)
            if extra is not None:
                assert dict(instance.extra) == dict(extra)
                with pytest.raises(TypeError):
                    extra["x"] = 1

    def test_extra_is_excluded_from_equality(self) -> None:
        """Two orders that differ only in unknown fields are equal."""
        assert Order(id=ID, extra={"priority": 1}) == Order(id=ID)

    def test_extra_is_excluded_from_the_hash(self) -> None:
        """Unknown fields do not change an order's hash."""
        expected = hash(Order(id=ID))

        actual = hash(Order(id=ID, extra={"priority": 1}))

        assert expected == actual

    def test_documented_fields_take_part_in_equality(self) -> None:
        """Orders with different states are not equal."""
        assert Order(id=ID, state=OrderState.PENDING) != Order(id=ID, state=OrderState.FAILED)

    def test_default_extra_is_empty_and_read_only(self) -> None:
        """An order built without unknown fields has an empty, read-only ``extra``."""
        extra = Order(id=ID).extra

        with pytest.raises(TypeError):
            extra["x"] = 1  # type: ignore[index]  # the mistake under test

    def test_fields_default_to_none(self) -> None:
        """Every order field but ``id`` is optional."""
        order = Order(id=ID)
        expected = (None, None, None, None, None)

        actual = (
            order.state,
            order.processed_at,
            order.created_at,
            order.updated_at,
            order.status_callback_url,
        )

        assert expected == actual

    def test_page_holds_data_and_links(self) -> None:
        """A page exposes its items and its links."""
        order = Order(id=ID, created_at=datetime(2024, 1, 15, tzinfo=UTC))
        expected = ((order,), LINKS)

        page = Page(data=(order,), links=LINKS)
        actual = (page.data, page.links)

        assert expected == actual


class TestCampaignResult:
    def test_ok_without_error(self) -> None:
        """A result with no error is ok."""
        actual = CampaignResult(campaign_id=ID, orders=(Order(id=ID),)).ok

        assert actual is True

    def test_not_ok_with_error(self) -> None:
        """A result with an error is not ok, and carries no orders."""
        error = NotFoundError("404", status=404, method="GET", url="https://x.example/")
        result = CampaignResult(campaign_id=ID, error=error)
        expected = (False, ())

        actual = (result.ok, result.orders)

        assert expected == actual
