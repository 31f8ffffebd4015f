"""
The vendor's OpenAPI, for tests that check shapes against it: load it, validate a body.

The file lives outside the project (``../shared/openapi/campaign-registry.yaml``);
`SPEC` is ``None`` when it is absent, and the tests that need it skip.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from support import OPENAPI

BASE = "urn:signalwire:campaign-registry"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _is_date_time(value: object) -> bool:
    # jsonschema checks "date-time" only with an optional extra; RFC 3339 by hand instead.
    if not isinstance(value, str):
        return True
    return _RFC3339.match(value) is not None and dt.datetime.fromisoformat(value) is not None


def _anchored(schema: Any) -> Any:
    # A schema taken out of the document, its "#/..." references made absolute.
    if isinstance(schema, dict):
        return {
            key: BASE + value if key == "$ref" and value.startswith("#") else _anchored(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_anchored(item) for item in schema]
    return schema


class Spec:
    """The parsed OpenAPI document and a validator for its schemas."""

    def __init__(self) -> None:
        import yaml  # noqa: PLC0415  # only once the file is known to exist
        from jsonschema import FormatChecker  # noqa: PLC0415
        from referencing import Registry, Resource  # noqa: PLC0415
        from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

        self.document: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
        self.registry: Registry[Any] = Registry().with_resource(
            BASE, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        self.formats = FormatChecker()
        self.formats.checks("date-time", raises=ValueError)(_is_date_time)

    def problems(self, schema_ref: str, body: Any) -> list[str]:
        """Every way ``body`` breaks the schema at ``schema_ref`` (a ``#/...`` pointer)."""
        return self._problems({"$ref": schema_ref}, body)

    def request_problems(self, operation_id: str, body: Any) -> list[str]:
        """Every way ``body`` breaks the JSON request body schema of an operation."""
        _, _, op = self.operation(operation_id)
        return self._problems(op["requestBody"]["content"]["application/json"]["schema"], body)

    def _problems(self, schema: dict[str, Any], body: Any) -> list[str]:
        from jsonschema import Draft202012Validator  # noqa: PLC0415

        validator = Draft202012Validator(
            _anchored(schema), registry=self.registry, format_checker=self.formats
        )
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]

    def operation(self, operation_id: str) -> tuple[str, str, dict[str, Any]]:
        """The method, path and operation object of an ``operationId``."""
        for path, item in self.document["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and op.get("operationId") == operation_id:
                    return method.upper(), path, op
        msg = f"no operation {operation_id!r} in {OPENAPI}"
        raise LookupError(msg)

    def response_ref(self, operation_id: str, status: int) -> str:
        """The schema pointer documented for one answer (``status``) of one operation."""
        _, _, op = self.operation(operation_id)
        ref: str = op["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"]
        return ref

    def documented_problems(self, operation_id: str, status: int, body: Any) -> list[str]:
        """Every way an answer breaks the schema its operation documents for ``status``."""
        return self.problems(self.response_ref(operation_id, status), body)

    def example(self, schema: str) -> dict[str, Any]:
        """A body made of the ``examples`` of a schema's properties (required and optional)."""
        properties = self.document["components"]["schemas"][schema]["properties"]
        return {
            name: prop["examples"][0] for name, prop in properties.items() if prop.get("examples")
        }


SPEC: Spec | None = Spec() if OPENAPI.is_file() else None
needs_openapi = pytest.mark.skipif(SPEC is None, reason=f"the vendor OpenAPI is not at {OPENAPI}")
