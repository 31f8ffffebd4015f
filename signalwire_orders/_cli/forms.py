"""
The request files of ``brands create`` and ``campaigns create``: JSON, told apart by their fields.

A file holds one JSON object with the wire's names (the vendor's request
schemas). Which request it is comes from its fields: the form that knows
every field the file gives, and finds every field it requires. A file that
fits no form, or two, is refused with what each form misses or does not
know, before any request; so is a field that breaks a form's rules (the
request classes check them). Every refusal is a usage error (exit 2) naming
the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, TextIO, TypeVar
from uuid import UUID

import attrs
import click

from signalwire_orders import (
    CspBrandRequest,
    ManagedBrandRequest,
    ManagedCampaignRequest,
    PartnerCampaignRequest,
)

__all__ = ["FILE_OPTION", "RequestFile", "brand_request", "campaign_request", "check_name"]

R = TypeVar("R", bound=attrs.AttrsInstance)
BRAND_FORMS: Final[Sequence[type[ManagedBrandRequest | CspBrandRequest]]] = (
    ManagedBrandRequest,
    CspBrandRequest,
)
CAMPAIGN_FORMS: Final[Sequence[type[ManagedCampaignRequest | PartnerCampaignRequest]]] = (
    ManagedCampaignRequest,
    PartnerCampaignRequest,
)
_HINT: Final = "--file"
_SHOWN: Final = 6  # field names listed before "and N more"


class RequestFile:
    """What ``--file`` read: the JSON object, and what to call it in an error."""

    __slots__ = ("data", "source")

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source


def _refuse(source: str, problem: str) -> click.BadParameter:
    return click.BadParameter(f"{source}: {problem}", param_hint=_HINT)


def _read(_ctx: click.Context, _param: click.Parameter, handle: TextIO) -> RequestFile:
    source = "standard input" if handle.name == "<stdin>" else handle.name
    with handle:  # closed now, even when the file is refused (stdin is kept open)
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise _refuse(source, f"not JSON ({exc})") from None
        except UnicodeDecodeError:
            raise _refuse(source, "not UTF-8 text") from None
    if not isinstance(data, dict):
        raise _refuse(source, f"must hold one JSON object, not a {type(data).__name__}")
    return RequestFile(data, source)


FILE_OPTION = click.option(
    "--file",
    "request_file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    callback=_read,
    metavar="FILE",
    help="The request as a JSON object with the API's field names ('-' for standard input).",
)


def _names(names: Sequence[str] | set[str]) -> str:
    ordered = sorted(names)
    more = len(ordered) - _SHOWN
    return ", ".join(ordered[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _fields(form: type[attrs.AttrsInstance]) -> tuple[set[str], set[str]]:
    # Every field a file may give (init=False ones too: csp_self_registered), and the required.
    fields = attrs.fields(form)
    known = {field.name for field in fields}
    required = {field.name for field in fields if field.init and field.default is attrs.NOTHING}
    return known, required


class _Fit:
    """How a file's fields fit one form: those it does not know, those it requires and lacks."""

    __slots__ = ("missing", "unknown")

    def __init__(self, form: type[attrs.AttrsInstance], given: Mapping[str, object]) -> None:
        known, required = _fields(form)
        self.unknown = set(given) - known
        self.missing = required - set(given)

    def __str__(self) -> str:
        problems = [f"unknown: {_names(self.unknown)}"] * bool(self.unknown)
        problems += [f"missing: {_names(self.missing)}"] * bool(self.missing)
        return "; ".join(problems)


def _build(form: type[R], given: dict[str, Any], source: str) -> R:
    fixed = {field.name: field.default for field in attrs.fields(form) if not field.init}
    for name, value in given.items():  # a field the class sets itself: the file must agree
        if name in fixed and (type(value) is not type(fixed[name]) or value != fixed[name]):
            raise _refuse(source, f"{name} must be {json.dumps(fixed[name])}")
    init = {name: value for name, value in given.items() if name not in fixed}
    try:
        return form(**init)
    except (TypeError, ValueError) as exc:
        raise _refuse(source, str(exc)) from None


def _request(forms: Sequence[type[R]], file: RequestFile, what: str) -> R:
    fits = {form: _Fit(form, file.data) for form in forms}
    whole = [form for form, fit in fits.items() if not fit.unknown and not fit.missing]
    if len(whole) == 1:
        return _build(whole[0], file.data, file.source)
    # The form that knows the most of the fields given is what the file meant, if only one does.
    fewest = min(len(fit.unknown) for fit in fits.values())
    meant = [form for form, fit in fits.items() if len(fit.unknown) == fewest]
    if len(meant) == 1:
        raise _refuse(file.source, f"a {meant[0].__name__} but {fits[meant[0]]}")
    each = " nor ".join(f"a {form.__name__} ({fit})" for form, fit in fits.items())
    raise _refuse(file.source, f"not {what}: neither {each}")


def brand_request(file: RequestFile) -> ManagedBrandRequest | CspBrandRequest:
    """
    The brand request a file holds: managed, or CSP (``csp_brand_reference``).

    Raises:
        click.BadParameter: It fits neither form, or breaks the rules of the one it fits.
    """
    return _request(BRAND_FORMS, file, "a brand request")


def campaign_request(
    file: RequestFile, brand_id: UUID
) -> ManagedCampaignRequest | PartnerCampaignRequest:
    """
    The campaign request a file holds for ``brand_id``: managed, or partner.

    ``brand_id`` may be left out of the file (the command's BRAND_ID is used);
    given, it must be the same brand.

    Raises:
        click.BadParameter: It fits neither form, breaks the rules of the one
            it fits, or names another brand.
    """
    given = file.data.setdefault("brand_id", str(brand_id))
    try:
        same = UUID(str(given)) == brand_id
    except ValueError:
        same = True  # not a UUID: the request class says so, naming the field
    if not same:
        raise _refuse(file.source, f"brand_id is {given}, not the BRAND_ID argument {brand_id}")
    return _request(CAMPAIGN_FORMS, file, "a campaign request")


def check_name(_ctx: click.Context, _param: click.Parameter, name: str) -> str:
    """``--name`` of a campaign: 3 to 64 characters, as the API requires of a campaign's name."""
    if not 3 <= len(name) <= 64:  # the API's bounds of a campaign's name
        msg = f"must be 3 to 64 characters, got {len(name)}"
        raise click.BadParameter(msg)
    return name
