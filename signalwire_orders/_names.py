"""
Public names for public things: ``signalwire_orders.NotFoundError``, not ``._errors``.

The public modules (the package, `signalwire_orders.webhooks`,
`signalwire_orders.testing`) call `publish_names` after their ``__all__``. It
imports nothing from the package, so each of them may use it whatever its layer.
"""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any

import attrs

__all__ = ["publish_names"]


def publish_names(namespace: dict[str, Any], *, private: str) -> None:
    """
    Name each public class and function after the module users import it from.

    Tracebacks, reprs and ``help()`` name a class by its ``__module__``: every
    name in ``namespace["__all__"]`` defined in a module whose name starts
    with ``private`` takes the public module's name (``namespace`` is its
    ``globals()``), and so do its methods and nested classes. Users then see
    ``signalwire_orders.NotFoundError``, the name they import and catch,
    never the private ``signalwire_orders._errors.NotFoundError``.

    String annotations (``from __future__ import annotations``) are evaluated
    in ``sys.modules[cls.__module__]`` by ``typing.get_type_hints``, attrs,
    cattrs and msgspec, and the public module lacks names like ``UUID``; so
    each class's annotations are first evaluated where they were written and
    stored as objects, and ``get_type_hints`` still works on every public
    class. The cost: ``inspect.getsource`` of a class now searches the public
    module's file, and fails (read the source through the private module).

    Example::

        publish_names(globals(), private="signalwire_orders._")  # after __all__
    """
    for name in namespace["__all__"]:
        _publish(namespace[name], name, namespace, private)


def _publish(obj: object, qualname: str, namespace: dict[str, Any], private: str) -> None:
    # Only what is exported under its own name moves: pickle finds a class by
    # __module__ + __qualname__, and must find this very object there.
    if not (inspect.isclass(obj) or inspect.isfunction(obj)) or obj.__qualname__ != qualname:
        return
    module = obj.__module__ or ""
    if not module.startswith(private):
        return
    if inspect.isclass(obj):
        if not _resolve_annotations(obj, namespace):
            return
        for attr, value in vars(obj).items():
            # Methods (also behind staticmethod, classmethod, property) and nested classes.
            inner = getattr(value, "__func__", value)
            members = (
                [value.fget, value.fset, value.fdel] if isinstance(value, property) else [inner]
            )
            for member in members:
                _publish(member, f"{qualname}.{attr}", namespace, private)
    obj.__module__ = namespace["__name__"]


def _resolve_annotations(cls: type, namespace: dict[str, Any]) -> bool:
    own = inspect.get_annotations(cls)
    if not own:
        return True
    # The defining module's names, then the public ones (for names imported
    # only under TYPE_CHECKING); never the class's own attributes, which would
    # shadow builtins (a field named ``type``).
    names = {**namespace, **vars(sys.modules[cls.__module__])}
    try:
        hints = typing.get_type_hints(cls, localns=names, include_extras=True)
    except (NameError, AttributeError, TypeError, SyntaxError):
        # Unresolvable: keep the private name rather than break a type lookup.
        return False
    cls.__annotations__ = {name: hints[name] for name in own}
    if attrs.has(cls):
        attrs.resolve_types(cls, localns=names)
    return True
