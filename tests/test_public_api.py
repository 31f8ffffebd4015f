"""
The public surface: exact ``__all__``, documented names, public module names, no token in reprs.

Every public class and function names the module users import it from
(``signalwire_orders.NotFoundError``, never ``signalwire_orders._errors``), in
tracebacks, reprs, ``help()`` and pickles, while type hints, cattrs and
msgspec still resolve its annotations.
"""

from __future__ import annotations

import copy
import inspect
import io
import pickle
import pydoc
import sys
import traceback
import types
import typing
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import attrs
import cattrs
import msgspec
import pytest

import signalwire_orders
import signalwire_orders.sync
import signalwire_orders.telemetry
import signalwire_orders.testing
import signalwire_orders.testing.pytest_plugin
import signalwire_orders.webhooks
from signalwire_orders import (
    APIConnectionError,
    APIErrorItem,
    APIStatusError,
    APITimeoutError,
    CampaignResult,
    Client,
    ConfigurationError,
    Links,
    NotFoundError,
    Order,
    OrderState,
    OutcomeUnknownError,
    Page,
    PaginationError,
    RateLimitError,
    ResponseError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
    export_orders,
)
from signalwire_orders._resources import Brands, Campaigns, Numbers, Orders
from signalwire_orders.testing import FakeServer, Fault, Outcome
from support import API, FAST_RETRY, ORDER_ID, SPACE_ENV, TOKEN, MockAPI, sample_json

ENV = SPACE_ENV
URL = f"{API}/orders/x"
#: Dunder names that are part of the public surface on purpose.
PUBLIC_DUNDERS = {"__version__"}
EXPORTED = [
    (name, getattr(signalwire_orders, name))
    for name in signalwire_orders.__all__
    if name not in PUBLIC_DUNDERS
]
TESTING_EXPORTED = [
    (name, getattr(signalwire_orders.testing, name)) for name in signalwire_orders.testing.__all__
]
ERROR_CLASSES = [
    obj for _, obj in EXPORTED if isinstance(obj, type) and issubclass(obj, BaseException)
]
#: Every module users import from; each ``__all__`` is theirs.
PUBLIC_MODULES = [
    signalwire_orders,
    signalwire_orders.sync,
    signalwire_orders.telemetry,
    signalwire_orders.testing,
    signalwire_orders.testing.pytest_plugin,
    signalwire_orders.webhooks,
]
#: (``module.name``, the module's name, the class or function), for each public definition.
DEFINITIONS = [
    (f"{module.__name__}.{name}", module.__name__, obj)
    for module in PUBLIC_MODULES
    for name, obj in vars(module).items()
    if name in module.__all__ and (inspect.isclass(obj) or inspect.isfunction(obj))
]
CLASSES = [(name, module, obj) for name, module, obj in DEFINITIONS if inspect.isclass(obj)]
CLASS_IDS = [name for name, _, _ in CLASSES]


def public_params(rows: list[tuple[str, str, Any]]) -> list[Any]:
    """``rows`` as pytest params named by their public name."""
    return [pytest.param(*row, id=row[0]) for row in rows]


ORDER = Order(id=UUID(ORDER_ID), state=OrderState.PENDING)
LINKS = Links(self_link="/orders?page_number=0", first="/orders")
RESOURCE_METHODS = [
    (f"{cls.__name__}.{name}", member)
    for cls in (Orders, Numbers, Campaigns, Brands)
    for name, member in vars(cls).items()
    if not name.startswith("_") and inspect.isfunction(member)
]


def roundtrip(error: BaseException) -> Any:
    """Pickle and unpickle an error, as multiprocessing and task queues do."""
    return pickle.loads(pickle.dumps(error))  # noqa: S301  # our own bytes


def body_definitions(cls: type) -> Iterator[tuple[str, Any]]:
    """Yield ``(qualified name, object)`` for each function and class defined in ``cls``'s body."""
    for attr, value in vars(cls).items():
        inner = getattr(value, "__func__", value)  # staticmethod, classmethod
        members = [value.fget, value.fset, value.fdel] if isinstance(value, property) else [inner]
        for member in members:
            qualname = f"{cls.__qualname__}.{attr}"
            if (inspect.isclass(member) or inspect.isfunction(member)) and (
                member.__qualname__ == qualname
            ):
                yield qualname, member
                if inspect.isclass(member):
                    yield from body_definitions(member)


class _FindRecorder(pickle.Unpickler):
    """An unpickler that records each ``module.name`` of a class it looks up."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.found: list[str] = []

    def find_class(self, module: str, name: str) -> Any:
        """Look up as usual, recording the classes of this package."""
        found = super().find_class(module, name)
        if isinstance(found, type) and module.startswith("signalwire_orders"):
            self.found.append(f"{module}.{name}")
        return found


def classes_found(value: object) -> list[str]:
    """The ``module.name`` of each class of the package that unpickling ``value`` looks up."""
    recorder = _FindRecorder(pickle.dumps(value))
    recorder.load()
    return recorder.found


class TestAll:
    def test_all_is_sorted(self) -> None:
        """``__all__`` is kept sorted."""
        expected = sorted(signalwire_orders.__all__)

        actual = list(signalwire_orders.__all__)

        assert expected == actual

    def test_all_has_no_duplicates(self) -> None:
        """Each name is exported once."""
        expected = len(set(signalwire_orders.__all__))

        actual = len(signalwire_orders.__all__)

        assert expected == actual

    def test_all_is_exactly_the_public_names(self) -> None:
        """``__all__`` lists every public name the package defines, and nothing else."""
        expected = {
            name
            for name, value in vars(signalwire_orders).items()
            if (not name.startswith("_") or name in PUBLIC_DUNDERS)
            and not isinstance(value, types.ModuleType)
        }

        actual = set(signalwire_orders.__all__)

        assert expected == actual

    def test_every_exported_name_exists(self) -> None:
        """Every name in ``__all__`` can be imported."""
        expected: list[str] = []

        actual = [n for n in signalwire_orders.__all__ if not hasattr(signalwire_orders, n)]

        assert expected == actual


class TestTestingAll:
    def test_all_is_sorted(self) -> None:
        """``signalwire_orders.testing.__all__`` is kept sorted."""
        expected = sorted(signalwire_orders.testing.__all__)

        actual = list(signalwire_orders.testing.__all__)

        assert expected == actual

    def test_all_is_exactly_the_public_names(self) -> None:
        """``testing.__all__`` lists every public name the fake package defines, and no other."""
        expected = {
            name
            for name, value in vars(signalwire_orders.testing).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)
        }

        actual = set(signalwire_orders.testing.__all__)

        assert expected == actual

    @pytest.mark.parametrize(
        ("name", "obj"),
        [(n, o) for n, o in TESTING_EXPORTED if inspect.isclass(o) or inspect.isfunction(o)],
        ids=[n for n, o in TESTING_EXPORTED if inspect.isclass(o) or inspect.isfunction(o)],
    )
    def test_public_name_has_an_example(self, name: str, obj: Any) -> None:
        """Every public class and function of the fake has a docstring with an example."""
        doc = inspect.getdoc(obj) or ""

        assert "Example" in doc, name


class TestDocstrings:
    @pytest.mark.parametrize(("name", "obj"), EXPORTED, ids=[n for n, _ in EXPORTED])
    def test_public_name_has_an_example(self, name: str, obj: Any) -> None:
        """Every public class and function has a docstring with an example."""
        doc = inspect.getdoc(obj) or ""

        assert "Example" in doc, name

    @pytest.mark.parametrize(
        ("name", "method"), RESOURCE_METHODS, ids=[n for n, _ in RESOURCE_METHODS]
    )
    def test_every_operation_has_an_example(self, name: str, method: Any) -> None:
        """Every API operation (``client.orders.list`` etc.) has a docstring with an example."""
        doc = inspect.getdoc(method) or ""

        assert "Example" in doc, name


class TestErrorTree:
    @pytest.mark.parametrize("cls", ERROR_CLASSES, ids=[c.__name__ for c in ERROR_CLASSES])
    def test_every_error_derives_from_the_base(self, cls: type[BaseException]) -> None:
        """Every exported exception class is a ``SignalWireError``."""
        assert issubclass(cls, SignalWireError)

    def test_timeout_is_a_connection_error(self) -> None:
        """Catching ``APIConnectionError`` also catches timeouts."""
        assert issubclass(APITimeoutError, APIConnectionError)

    def test_outcome_unknown_is_a_connection_error(self) -> None:
        """Catching ``APIConnectionError`` also catches lost POST answers."""
        assert issubclass(OutcomeUnknownError, APIConnectionError)

    def test_status_errors_share_a_base(self) -> None:
        """Per-status classes are ``APIStatusError`` subclasses."""
        assert issubclass(RateLimitError, APIStatusError)
        assert issubclass(ServerError, APIStatusError)


class TestPickle:
    def test_status_error_keeps_its_attributes(self) -> None:
        """An ``APIStatusError`` subclass pickles with every attribute and its message."""
        error = RateLimitError(
            "GET x failed: 429",
            status=429,
            method="GET",
            url=URL,
            errors=(APIErrorItem(detail="slow down", title="Too Many", code="rate", status="429"),),
            body_snippet='{"errors": []}',
            request_id="req-1",
            attempts=3,
            retry_after=2.5,
        )
        expected = (
            RateLimitError,
            str(error),
            429,
            "GET",
            URL,
            error.errors,
            '{"errors": []}',
            "req-1",
            3,
            2.5,
        )

        copy = roundtrip(error)
        actual = (
            type(copy),
            str(copy),
            copy.status,
            copy.method,
            copy.url,
            copy.errors,
            copy.body_snippet,
            copy.request_id,
            copy.attempts,
            copy.retry_after,
        )

        assert expected == actual

    def test_unprocessable_error_keeps_its_items(self) -> None:
        """A 422 error's items survive pickling."""
        items = (APIErrorItem(detail="bad number"),)
        error = UnprocessableEntityError("422", status=422, method="POST", url=URL, errors=items)
        expected = items

        actual = roundtrip(error).errors

        assert expected == actual

    def test_connection_error_keeps_its_attributes(self) -> None:
        """An ``APIConnectionError`` pickles with method, URL, attempts and ``sent``."""
        error = APIConnectionError("refused", method="DELETE", url=URL, attempts=2, sent=False)
        expected = (APIConnectionError, "refused", "DELETE", URL, 2, False)

        copy = roundtrip(error)
        actual = (type(copy), str(copy), copy.method, copy.url, copy.attempts, copy.sent)

        assert expected == actual

    def test_outcome_unknown_keeps_its_class(self) -> None:
        """An ``OutcomeUnknownError`` is still one after pickling."""
        error = OutcomeUnknownError("lost", method="POST", url=URL)
        expected = (OutcomeUnknownError, "POST", True)

        copy = roundtrip(error)
        actual = (type(copy), copy.method, copy.sent)

        assert expected == actual

    def test_response_error_keeps_its_attributes(self) -> None:
        """A ``ResponseError`` pickles with URL, status and snippet."""
        error = ResponseError("bad body", url=URL, status=200, body_snippet="<html>")
        expected = (ResponseError, "bad body", URL, 200, "<html>")

        copy = roundtrip(error)
        actual = (type(copy), str(copy), copy.url, copy.status, copy.body_snippet)

        assert expected == actual

    def test_resume_from_survives_pickling(self) -> None:
        """The ``resume_from`` link set on an error mid-walk is pickled too."""
        error = PaginationError("loop")
        error.resume_from = "/api/relay/rest/registry/beta/brands?page_token=x"
        expected = "/api/relay/rest/registry/beta/brands?page_token=x"

        actual = roundtrip(error).resume_from

        assert expected == actual

    def test_configuration_error_pickles(self) -> None:
        """A ``ConfigurationError`` pickles with its message."""
        expected = (ConfigurationError, "set SIGNALWIRE_API_TOKEN")

        copy = roundtrip(ConfigurationError("set SIGNALWIRE_API_TOKEN"))
        actual = (type(copy), str(copy))

        assert expected == actual


class TestModuleNames:
    @pytest.mark.parametrize(("name", "module", "obj"), public_params(DEFINITIONS))
    def test_public_name_names_its_public_module(self, name: str, module: str, obj: Any) -> None:
        """A public class or function names the module it is imported from, and is found there."""
        expected = (module, obj)

        actual = (obj.__module__, getattr(sys.modules[obj.__module__], obj.__qualname__, None))

        assert expected == actual, name

    @pytest.mark.parametrize(
        ("name", "module", "cls"),
        public_params(CLASSES),
    )
    def test_methods_and_nested_classes_name_the_public_module(
        self, name: str, module: str, cls: type
    ) -> None:
        """What a public class's body defines (methods, properties, nested classes) agrees."""
        expected: list[str] = []

        actual = [
            f"{q}: {m.__module__}" for q, m in body_definitions(cls) if m.__module__ != module
        ]

        assert expected == actual, name

    async def test_an_error_from_the_client_shows_its_public_name_in_the_traceback(self) -> None:
        """A 404 from ``client.orders.get`` prints as ``signalwire_orders.NotFoundError``."""
        with MockAPI() as mock_api:
            mock_api.get(
                f"{API}/orders/{ORDER_ID}", status=404, payload=sample_json("not_found_404.json")
            )
            async with Client(env=SPACE_ENV, retry=FAST_RETRY) as client:
                with pytest.raises(NotFoundError) as caught:
                    await client.orders.get(ORDER_ID)

        text = "".join(traceback.format_exception(caught.value))
        # The last line names the class; frames show file paths, never dotted private names.
        actual = (text.splitlines()[-1].split(":")[0], "signalwire_orders._" in text)

        assert ("signalwire_orders.NotFoundError", False) == actual

    @pytest.mark.parametrize(
        ("obj", "expected"),
        [
            (NotFoundError, "<class 'signalwire_orders.NotFoundError'>"),
            (Order, "<class 'signalwire_orders.Order'>"),
            (FakeServer, "<class 'signalwire_orders.testing.FakeServer'>"),
            (Page[Order], "signalwire_orders.Page[signalwire_orders.Order]"),
        ],
        ids=["error", "model", "fake", "generic"],
    )
    def test_class_repr_names_the_public_module(self, obj: Any, expected: str) -> None:
        """The repr of a public class (or a generic alias of one) names the public module."""
        actual = repr(obj)

        assert expected == actual

    @pytest.mark.parametrize(
        ("obj", "expected"),
        [
            (NotFoundError, "class NotFoundError in module signalwire_orders"),
            (export_orders, "function export_orders in module signalwire_orders"),
            (FakeServer, "class FakeServer in module signalwire_orders.testing"),
        ],
        ids=["class", "function", "fake"],
    )
    def test_help_names_the_public_module(self, obj: Any, expected: str) -> None:
        """``help()`` says the same module as the repr."""
        actual = pydoc.render_doc(obj).splitlines()[0]

        assert f"Python Library Documentation: {expected}" == actual

    def test_enum_member_repr_is_unchanged(self) -> None:
        """An enum member and its class still show as ``<OrderState.PENDING: 'pending'>``."""
        expected = ("<OrderState.PENDING: 'pending'>", "<enum 'OrderState'>")

        actual = (repr(OrderState.PENDING), repr(OrderState))

        assert expected == actual

    def test_model_repr_is_unchanged(self) -> None:
        """A model's repr starts with its bare class name, as before."""
        expected = "Links(self_link='/orders?page_number=0', first='/orders', next=None, prev=None)"

        actual = repr(LINKS)

        assert expected == actual


class TestPublicPickles:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (ORDER, ["signalwire_orders.Order", "signalwire_orders.OrderState"]),
            (OrderState("state-from-the-future"), ["signalwire_orders.OrderState"]),
            (Page(data=(), links=LINKS), ["signalwire_orders.Page", "signalwire_orders.Links"]),
            (
                NotFoundError("404", status=404, method="GET", url=URL),
                ["signalwire_orders.NotFoundError"],
            ),
            (
                Outcome(Fault.OK),
                ["signalwire_orders.testing.Outcome", "signalwire_orders.testing.Fault"],
            ),
        ],
        ids=["model", "open-enum", "generic", "error", "fake"],
    )
    def test_a_pickle_finds_classes_by_their_public_name(
        self, value: object, expected: list[str]
    ) -> None:
        """Unpickling looks each of the package's classes up in its public module."""
        actual = classes_found(value)

        assert expected == actual

    @pytest.mark.parametrize(
        "value",
        [ORDER, OrderState.PENDING, Page(data=(ORDER,), links=LINKS), Outcome(Fault.DROP)],
        ids=["model", "enum", "generic", "fake"],
    )
    def test_values_survive_pickle_and_deepcopy(self, value: object) -> None:
        """Models, enums and the fake's records come back equal, of the same class."""
        expected = [(type(value), value)] * 2

        unpickled = pickle.loads(pickle.dumps(value))  # noqa: S301  # our own bytes
        actual = [(type(twin), twin) for twin in (unpickled, copy.deepcopy(value))]

        assert expected == actual

    def test_an_error_survives_deepcopy(self) -> None:
        """``copy.deepcopy`` of an error keeps its class and attributes."""
        error = NotFoundError("GET x failed: 404", status=404, method="GET", url=URL)
        expected = (NotFoundError, "GET x failed: 404", 404, URL)

        twin = copy.deepcopy(error)
        actual = (type(twin), str(twin), twin.status, twin.url)

        assert expected == actual


class TestAnnotations:
    @pytest.mark.parametrize(
        ("name", "cls"), [(name, cls) for name, _, cls in CLASSES], ids=CLASS_IDS
    )
    def test_type_hints_resolve_on_every_public_class(self, name: str, cls: type) -> None:
        """``typing.get_type_hints`` works on each public class (its annotations are resolved)."""
        expected: list[str] = []

        hints = typing.get_type_hints(cls, include_extras=True)
        actual = [field for field, hint in hints.items() if isinstance(hint, str)]

        assert expected == actual, name

    def test_type_hints_give_the_real_types(self) -> None:
        """``get_type_hints(Order)`` gives ``UUID`` and ``OrderState | None``, not strings."""
        expected = (UUID, OrderState | None)

        hints = typing.get_type_hints(Order)
        actual = (hints["id"], hints["state"])

        assert expected == actual

    def test_attrs_fields_carry_resolved_types(self) -> None:
        """attrs field types are resolved, even a name its module imports only for type checking."""
        expected = (UUID, SignalWireError | None)

        fields = attrs.fields(CampaignResult)
        actual = (fields.campaign_id.type, fields.error.type)

        assert expected == actual

    def test_a_new_cattrs_converter_structures_and_unstructures_a_generic_model(self) -> None:
        """A user's own cattrs converter builds ``Page[Links]`` and takes it apart again."""
        wire = {
            "data": [{"self_link": "/a", "first": "/a", "next": None, "prev": None}],
            "links": {"self_link": "/p", "first": "/p", "next": "/p2", "prev": None},
        }
        converter = cattrs.Converter()
        expected = Page(
            data=(Links(self_link="/a", first="/a"),),
            links=Links(self_link="/p", first="/p", next="/p2"),
        )

        actual = converter.structure(wire, Page[Links])

        assert expected == actual
        assert wire == converter.unstructure(actual)

    def test_msgspec_converts_into_a_public_model(self) -> None:
        """``msgspec.convert`` (which reads ``__annotations__`` itself) builds an ``Order``."""
        expected = ORDER

        actual = msgspec.convert({"id": ORDER_ID, "state": "pending"}, Order)

        assert expected == actual


class TestSecrecy:
    def test_client_repr_hides_the_token(self) -> None:
        """``repr(Client)`` never shows the token."""
        actual = repr(Client(env=ENV))

        assert TOKEN not in actual

    def test_client_str_hides_the_token(self) -> None:
        """``str(Client)`` never shows the token."""
        actual = str(Client(env=ENV))

        assert TOKEN not in actual

    def test_resource_reprs_hide_the_token(self) -> None:
        """The reprs of ``client.orders`` and friends never show the token."""
        client = Client(env=ENV)

        actual = " ".join(
            repr(r) for r in (client.orders, client.numbers, client.campaigns, client.brands)
        )

        assert TOKEN not in actual

    def test_client_repr_names_the_space(self) -> None:
        """The repr still says which space the client talks to."""
        actual = repr(Client(env=ENV))

        assert "https://example.signalwire.com" in actual

    def test_missing_token_error_hides_nothing_secret(self) -> None:
        """A ``Client`` built without a token raises naming the variable."""
        env = {k: v for k, v in ENV.items() if k != "SIGNALWIRE_API_TOKEN"}

        with pytest.raises(ConfigurationError, match="SIGNALWIRE_API_TOKEN"):
            Client(env=env)


class TestVersion:
    def test_version_is_a_non_empty_string(self) -> None:
        """``signalwire_orders.__version__`` is a non-empty str."""
        version = signalwire_orders.__version__

        assert isinstance(version, str)
        assert version
