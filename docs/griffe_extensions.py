"""
griffe extensions for the API reference, enabled in ``mkdocs.yml`` (``extensions:``).

* `AttrsInit`: griffe reads the source, where an attrs class has no
  ``__init__``, so the reference would show ``RetryPolicy()`` and warn that the
  documented arguments are not in its signature. This imports the class and
  takes the signature of the ``__init__`` attrs generated (keyword-only fields,
  converters' argument types, defaults, fields left out), what a caller writes.
* `ExampleBlocks`: the docstrings end with ``Example::`` and an indented
  block, as ``help()`` reads well; this makes each an "Example" section with a
  Python code block.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any, Final

import attrs
import griffe

__all__ = ["AttrsInit", "ExampleBlocks"]

#: "Example::" and the indented block after it (blank lines inside kept).
_EXAMPLE: Final = re.compile(r"^Example::\n\n((?:(?:    .*)?\n)*(?:    .*)\n?)", re.MULTILINE)


def _runtime(cls: griffe.Class) -> type | None:
    module = importlib.import_module(cls.module.path)
    found: Any = module
    for name in cls.path.removeprefix(cls.module.path + ".").split("."):
        found = getattr(found, name, None)
    return found if isinstance(found, type) else None


def _default(value: object) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    factory = getattr(value, "factory", None)  # an attrs.Factory default
    if factory is not None:
        return f"{getattr(factory, '__name__', 'factory')}()"
    return repr(value)


def _annotation(value: object) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return value if isinstance(value, str) else inspect.formatannotation(value)


class AttrsInit(griffe.Extension):
    """Give each attrs class without a written ``__init__`` the one attrs generated."""

    def on_class_members(self, *, cls: griffe.Class, **_: Any) -> None:
        """Called by griffe once a class's members are loaded."""
        if "__init__" in cls.members:
            return
        runtime = _runtime(cls)
        if runtime is None or not attrs.has(runtime):
            return
        signature = inspect.signature(runtime.__init__)
        parameters = [
            griffe.Parameter(
                parameter.name,
                annotation=_annotation(parameter.annotation),
                kind=griffe.ParameterKind[parameter.kind.name.lower()],
                default=_default(parameter.default),
            )
            for parameter in signature.parameters.values()
        ]
        init = griffe.Function(
            "__init__",
            lineno=cls.lineno,
            endlineno=cls.lineno,
            parent=cls,
            parameters=griffe.Parameters(*parameters),
            returns="None",
        )
        cls.set_member("__init__", init)


def _fenced(match: re.Match[str]) -> str:
    code = match.group(1).rstrip("\n")
    return f"Example:\n    ```python\n{code}\n    ```\n"


class ExampleBlocks(griffe.Extension):
    """Turn each ``Example::`` literal block into an "Example" section with Python code."""

    def on_instance(self, *, obj: griffe.Object, **_: Any) -> None:
        """Called by griffe for each object it loads."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(_fenced, obj.docstring.value)
