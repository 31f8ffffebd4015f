"""The public surface: exact ``__all__``, documented names, picklable errors, no token in reprs."""

from __future__ import annotations

import inspect
import pickle
import types
from typing import Any

import pytest

import signalwire_orders
import signalwire_orders.testing
from signalwire_orders import (
    APIConnectionError,
    APIErrorItem,
    APIStatusError,
    APITimeoutError,
    Client,
    ConfigurationError,
    OutcomeUnknownError,
    PaginationError,
    RateLimitError,
    ResponseError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
)
from signalwire_orders._resources import Brands, Campaigns, Numbers, Orders
from support import API, SPACE_ENV, TOKEN

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
RESOURCE_METHODS = [
    (f"{cls.__name__}.{name}", member)
    for cls in (Orders, Numbers, Campaigns, Brands)
    for name, member in vars(cls).items()
    if not name.startswith("_") and inspect.isfunction(member)
]


def roundtrip(error: BaseException) -> Any:
    """Pickle and unpickle an error, as multiprocessing and task queues do."""
    return pickle.loads(pickle.dumps(error))  # noqa: S301  # our own bytes


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
