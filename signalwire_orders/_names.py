"""
Public names for public things: ``signalwire_orders.NotFoundError``, not ``._errors``.

The package and `signalwire_orders.testing` call `publish_names` after their
``__all__``; ``_events`` calls it for `signalwire_orders.webhooks`, which
re-exports its classes. It imports nothing from the package, so any module
may use it whatever its layer.
"""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any

import attrs

__all__ = ["publish_names"]


def publish_names(namespace: dict[str, Any], *, private: str, module: str | None = None) -> None:
    """
    Name each public class and function after the module users import it from.

    Tracebacks, reprs and ``help()`` name a class by its ``__module__``: every
    name in ``namespace["__all__"]`` defined in a module whose name starts
    with ``private`` takes the public module's name (``namespace`` is its
    ``globals()``, or ``module`` when given: a private module whose names a
    public one re-exports names them itself, so that they show the same
    whatever was imported first), and so do its methods and nested classes.
    Users then see ``signalwire_orders.NotFoundError``, the name they import
    and catch, never the private ``signalwire_orders._errors.NotFoundError``.

    String annotations (``from __future__ import annotations``) are evaluated
    in ``sys.modules[cls.__module__]`` by ``typing.get_type_hints``, attrs,
    cattrs and msgspec, and the public module lacks names like ``UUID``; so
    each class's annotations are first evaluated where they were written and
    stored as objects, and ``get_type_hints`` still works on every public
    class. The cost: ``inspect.getfile`` of a class names the public module's
    file, and ``inspect.getsource`` raises ``OSError`` (read the source in the
    private module); the class's ``__firstlineno__`` (3.13) is dropped so that
    no version shows the wrong lines of the public file instead.

    Example::

        publish_names(globals(), private="signalwire_orders._")  # after __all__
    """
    public = namespace["__name__"] if module is None else module
    for name in namespace["__all__"]:
        _publish(namespace[name], name, namespace, private, public)


def _publish(
    obj: object, qualname: str, namespace: dict[str, Any], private: str, public: str
) -> None:
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
                _publish(member, f"{qualname}.{attr}", namespace, private, public)
        if "__firstlineno__" in vars(obj):
            delattr(obj, "__firstlineno__")  # a line of the private file, not the public one
    obj.__module__ = public


def _resolve_annotations(cls: type, namespace: dict[str, Any]) -> bool:
    # The defining module's names, then the public ones (for names imported
    # only under TYPE_CHECKING); never the class's own attributes, which would
    # shadow builtins (a field named ``type``).
    defining = sys.modules.get(cls.__module__)
    names = {**namespace, **(vars(defining) if defining is not None else {})}
    try:
        own = inspect.get_annotations(cls)  # 3.14 evaluates them lazily, here
        if not own:
            return True
        hints = typing.get_type_hints(cls, localns=names, include_extras=True)
    except (NameError, AttributeError, TypeError, SyntaxError):
        # Unresolvable: keep the private name rather than break a type lookup.
        return False
    cls.__annotations__ = {name: hints[name] for name in own}
    if attrs.has(cls):
        attrs.resolve_types(cls, localns=names)
    return True
