"""
``publish_names``: what takes the public module's name, what keeps its own, and why.

Checked on a stand-in package, ``demo`` with a private ``demo._impl``, so that
the cases the library does not have yet (a nested class, a class exported
under another name, a type alias, an annotation that cannot be resolved) are
pinned too. ``tests/test_public_api.py`` checks the library's own names.
"""

from __future__ import annotations

import inspect
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

from uuid import UUID

import attrs


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


IdTuple = tuple[UUID, ...]
"""
EXPORTED = {
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

    def test_a_type_alias_is_left_alone(self, demo: dict[str, Any]) -> None:
        """A value that is neither a class nor a function is skipped, unchanged."""
        expected = tuple[UUID, ...]

        actual = demo["IdTuple"]

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
