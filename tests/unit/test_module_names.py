"""
``publish_names``: what takes the public module's name, what keeps its own, and why.

Checked on a stand-in package, ``demo`` with a private ``demo._impl``, so that
the cases the library does not have yet (a nested class, a class exported
under another name, a type alias, an annotation that cannot be resolved) are
pinned too. ``tests/test_public_api.py`` checks the library's own names.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import types
import typing
from typing import Any
from uuid import UUID

import attrs
import pytest

from signalwire_orders._names import publish_names

#: The private module's source, as a library module is written.
SOURCE = """
from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

import attrs

T = TypeVar("T")


@attrs.frozen
class Outer:
    id: UUID

    class Inner:
        def method(self) -> None: ...

    @property
    def label(self) -> str:
        return str(self.id)

    @staticmethod
    def make() -> None: ...

    @classmethod
    def build(cls) -> Outer: ...


class Unresolvable:
    value: NotDefinedAnywhere


class _Hidden: ...


def helper() -> UUID: ...


@attrs.frozen
class Box(Generic[T]):
    item: T


IdTuple = tuple[UUID, ...]
IdBox = Box[UUID]
"""
EXPORTED = {
    "Box": "Box",
    "IdBox": "IdBox",
    "IdTuple": "IdTuple",
    "Outer": "Outer",
    "Shown": "_Hidden",
    "UUID": "UUID",
    "Unresolvable": "Unresolvable",
    "helper": "helper",
}


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The public ``demo`` module's namespace once ``publish_names`` ran over it."""
    private = types.ModuleType("demo._impl")
    exec(SOURCE, vars(private))  # noqa: S102  # our own source, a stand-in private module
    monkeypatch.setitem(sys.modules, "demo._impl", private)
    namespace: dict[str, Any] = {
        "__name__": "demo",
        "__all__": sorted(EXPORTED),
        **{public: getattr(private, name) for public, name in EXPORTED.items()},
    }
    publish_names(namespace, private="demo._")
    return namespace


class TestPublishNames:
    def test_classes_functions_and_what_a_class_body_defines_move(
        self, demo: dict[str, Any]
    ) -> None:
        """A class, its nested class, methods, property, static and class methods, a function."""
        outer = demo["Outer"]
        expected = dict.fromkeys(
            ["Outer", "Inner", "Inner.method", "label", "make", "build", "helper"], "demo"
        )

        actual = {
            "Outer": outer.__module__,
            "Inner": outer.Inner.__module__,
            "Inner.method": outer.Inner.method.__module__,
            "label": outer.label.fget.__module__,
            "make": outer.make.__module__,
            "build": outer.build.__func__.__module__,
            "helper": demo["helper"].__module__,
        }

        assert expected == actual

    def test_aliases_foreign_names_and_unresolvable_classes_stay(
        self, demo: dict[str, Any]
    ) -> None:
        """Another name (pickle could not find it), another package, a broken annotation: kept."""
        expected = {"Shown": "demo._impl", "UUID": "uuid", "Unresolvable": "demo._impl"}

        actual = {name: demo[name].__module__ for name in expected}

        assert expected == actual

    def test_type_aliases_are_left_alone_and_follow_their_class(self, demo: dict[str, Any]) -> None:
        """Aliases are not moved themselves; one of a moved generic class shows it moved."""
        expected = ("tuple[uuid.UUID, ...]", "demo.Box[uuid.UUID]", demo["Box"])

        actual = (repr(demo["IdTuple"]), repr(demo["IdBox"]), demo["IdBox"].__origin__)

        assert expected == actual

    def test_annotations_still_resolve_after_the_move(self, demo: dict[str, Any]) -> None:
        """``get_type_hints`` and attrs see ``UUID``, though ``demo`` has no such name."""
        outer = demo["Outer"]
        expected = ({"id": UUID}, UUID)

        actual = (typing.get_type_hints(outer), attrs.fields(outer).id.type)

        assert expected == actual

    def test_an_unresolvable_class_keeps_its_string_annotations(self, demo: dict[str, Any]) -> None:
        """A class left in place is left whole: its annotations are not touched."""
        expected = {"value": "NotDefinedAnywhere"}

        actual = inspect.get_annotations(demo["Unresolvable"])

        assert expected == actual

    def test_a_moved_class_has_no_source_lines_of_the_public_file(
        self, demo: dict[str, Any]
    ) -> None:
        """``__firstlineno__`` (3.13) would point into the private file: it is dropped."""
        expected = [False, False]

        actual = ["__firstlineno__" in vars(demo[name]) for name in ("Outer", "Box")]

        assert expected == actual

    def test_module_names_another_public_module(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``module=``: a private module names its classes after the module re-exporting them."""
        private = types.ModuleType("demo._events")
        exec(SOURCE, vars(private))  # noqa: S102  # our own source, a stand-in private module
        monkeypatch.setitem(sys.modules, "demo._events", private)
        vars(private)["__all__"] = ["Outer", "helper"]

        publish_names(vars(private), private="demo._events", module="demo.webhooks")
        actual = (private.Outer.__module__, private.helper.__module__, private.Box.__module__)

        assert ("demo.webhooks", "demo.webhooks", "demo._events") == actual


def test_webhooks_names_do_not_depend_on_what_was_imported_first() -> None:
    """Before any import of ``webhooks``, its classes already name it (the client imports them)."""
    code = (
        "import sys, signalwire_orders\n"
        "from signalwire_orders._events import EventCategory, EventType, StatusEvent\n"
        "print('signalwire_orders.webhooks' in sys.modules,"
        " {c.__module__ for c in (EventCategory, EventType, StatusEvent)})\n"
    )

    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert "False {'signalwire_orders.webhooks'}" == done.stdout.strip()
