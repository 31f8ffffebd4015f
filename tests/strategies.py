"""
Hypothesis strategies for page bodies of orders, served by an `Origin` to ``orders.pages()``.

Valid pages come with what they must decode to (unknown states and fields, odd
but legal id and time spellings, strings up to 100 KB); broken ones carry
exactly one defect (missing fields, wrong types, bad ids and times, JSON cut
short, bytes that are not UTF-8); hostile next links lead to another origin,
carry credentials or loop. `serve` answers the first request with a body and
any later one with an empty last page.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from signalwire_orders import Client, Order, OrderState, Page, PaginationError, ResponseError
from support import PREFIX, UNKNOWN_ID, Origin

CAMPAIGN: Final = UNKNOWN_ID
ORDERS: Final = f"{PREFIX}/campaigns/{CAMPAIGN}/orders"
#: What the origin answers after the generated page: a valid last page.
LAST_PAGE: Final = json.dumps({"links": {"self": "/last", "first": ORDERS}, "data": []}).encode()
ORDER_FIELDS: Final = frozenset(
    {"id", "state", "processed_at", "created_at", "updated_at", "status_callback_url"}
)
TIME_FIELDS: Final = ("processed_at", "created_at", "updated_at")
#: More examples than the fast profile; the origin fixture lives across them.
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

Json = Any
Wire = dict[str, Json]

_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # no lone surrogates
#: Strings from empty to 100 KB, cheap to generate: a short text repeated.
_LONG_TEXT = st.builds(lambda t, n: (t or "x") * n, _TEXT, st.integers(0, 2_500)).map(
    lambda t: t[:100_000]
)
_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
_UUID_SPELLINGS: list[Callable[[uuid.UUID], str]] = [
    str,
    lambda u: str(u).upper(),
    lambda u: u.hex,
    lambda u: "{" + str(u) + "}",
    lambda u: u.urn,
]


def _rfc3339(moment: datetime, separator: str, zulu: bool) -> str:
    text = moment.isoformat(sep=separator)
    return text.removesuffix("+00:00") + "Z" if zulu and text.endswith("+00:00") else text


@st.composite
def _times(draw: st.DrawFn) -> tuple[str, datetime]:
    """An RFC 3339 (or lenient) date-time string and the aware datetime it means."""
    low, high = datetime(1970, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001  # bounds of the draw
    moment = draw(st.datetimes(low, high, timezones=_ZONES))
    if draw(st.booleans()):  # no offset at all: the codec reads it as UTC
        moment = moment.replace(tzinfo=None)
    text = _rfc3339(moment, draw(st.sampled_from("T ")), draw(st.booleans()))
    return text, moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@st.composite
def orders(draw: st.DrawFn) -> tuple[Wire, Order, Wire]:
    """A wire order, the Order it must decode to, and the unknown fields it must keep."""
    order_id = draw(st.uuids())
    wire: Wire = {"id": draw(st.sampled_from(_UUID_SPELLINGS))(order_id)}
    values: dict[str, Any] = {"id": order_id}
    if draw(st.booleans()):
        state = draw(st.none() | st.sampled_from([s.value for s in OrderState]) | _TEXT)
        wire["state"] = state
        values["state"] = None if state is None else OrderState(state)
    for field in TIME_FIELDS:
        if draw(st.booleans()):
            when = draw(st.none() | _times())
            wire[field] = None if when is None else when[0]
            values[field] = None if when is None else when[1]
    if draw(st.booleans()):
        url = draw(st.none() | _TEXT | _LONG_TEXT)
        wire["status_callback_url"] = values["status_callback_url"] = url
    extra = draw(st.dictionaries(_TEXT.filter(lambda k: k not in ORDER_FIELDS), JSON, max_size=3))
    wire.update(extra)
    return wire, Order(**values), extra


SAFE_QUERY = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&", max_size=60
)


@st.composite
def links(draw: st.DrawFn, next_link: st.SearchStrategy[str | None]) -> Wire:
    links: Wire = {"self": draw(_TEXT), "first": draw(_TEXT)}
    nxt = draw(next_link)
    if nxt is not None or draw(st.booleans()):
        links["next"] = nxt
    if draw(st.booleans()):
        links["prev"] = draw(st.none() | _TEXT)
    links.update(draw(st.dictionaries(st.sampled_from(["last", "href", "count"]), JSON)))
    return links


def encode(doc: Json, style: int) -> bytes:
    """JSON in one of three spellings: compact ASCII, UTF-8, indented."""
    if style == 0:
        return json.dumps(doc, separators=(",", ":")).encode()
    if style == 1:
        return json.dumps(doc, ensure_ascii=False).encode()
    return json.dumps(doc, indent=2).encode()


def page_body(links: Wire, wires: list[Wire], extra: Wire, style: int) -> bytes:
    return encode({**extra, "links": links, "data": wires}, style)


VALID_ITEMS = st.lists(orders(), max_size=6)
TOP_EXTRA = st.dictionaries(st.sampled_from(["meta", "total", "x"]), JSON, max_size=2)
STYLES = st.integers(0, 2)
CONTENT_TYPES = st.sampled_from(["application/json", "text/html", "application/octet-stream"])


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_time(text: str) -> bool:
    for candidate in (text, text.upper()):
        try:
            datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return True
    return False


_NOT_STR = st.integers(-(2**31), 2**31) | st.booleans() | st.lists(_JSON_SCALARS, max_size=2)
_NOT_LIST = st.none() | _TEXT | st.integers() | st.dictionaries(_TEXT, _JSON_SCALARS, max_size=2)
_NOT_OBJECT = st.none() | _TEXT | st.integers() | st.lists(_JSON_SCALARS, max_size=3)
_BAD_ID = _NOT_STR | st.none() | (_TEXT | _LONG_TEXT).filter(lambda t: not _is_uuid(t))
_BAD_TIME = _NOT_STR | (_TEXT | _LONG_TEXT).filter(lambda t: not _is_time(t))


def _drop_data(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], ___: Wire) -> Json:
    del doc["data"]
    return doc


def _data_not_a_list(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], ___: Wire) -> Json:
    doc["data"] = draw(_NOT_LIST)
    return doc


def _links_missing_or_not_an_object(
    draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], ___: Wire
) -> Json:
    if draw(st.booleans()):
        del doc["links"]
    else:
        doc["links"] = draw(_NOT_OBJECT)
    return doc


def _link_missing(draw: st.DrawFn, doc: Wire, links: Wire, _: list[Json], __: Wire) -> Json:
    del links[draw(st.sampled_from(["self", "first"]))]
    return doc


def _link_not_a_string(draw: st.DrawFn, doc: Wire, links: Wire, _: list[Json], __: Wire) -> Json:
    links[draw(st.sampled_from(["self", "first", "next", "prev"]))] = draw(_NOT_STR)
    return doc


def _item_not_an_object(
    draw: st.DrawFn, doc: Wire, _: Wire, wires: list[Json], victim: Wire
) -> Json:
    wires[wires.index(victim)] = draw(_NOT_OBJECT)
    return doc


def _id_missing(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], victim: Wire) -> Json:
    del victim["id"]
    return doc


def _id_not_a_uuid(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], victim: Wire) -> Json:
    victim["id"] = draw(_BAD_ID)
    return doc


def _state_not_a_string(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], victim: Wire) -> Json:
    victim["state"] = draw(_NOT_STR)
    return doc


def _time_not_a_time(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], victim: Wire) -> Json:
    victim[draw(st.sampled_from(TIME_FIELDS))] = draw(_BAD_TIME)
    return doc


def _url_not_a_string(draw: st.DrawFn, doc: Wire, _: Wire, __: list[Json], victim: Wire) -> Json:
    victim["status_callback_url"] = draw(_NOT_STR)
    return doc


def _not_an_object(draw: st.DrawFn, _: Wire, __: Wire, ___: list[Json], ____: Wire) -> Json:
    return draw(_NOT_OBJECT)


_DEFECTS: Final[list[Callable[[st.DrawFn, Wire, Wire, list[Json], Wire], Json]]] = [
    _drop_data,
    _data_not_a_list,
    _links_missing_or_not_an_object,
    _link_missing,
    _link_not_a_string,
    _item_not_an_object,
    _id_missing,
    _id_not_a_uuid,
    _state_not_a_string,
    _time_not_a_time,
    _url_not_a_string,
    _not_an_object,
]


@st.composite
def broken_pages(draw: st.DrawFn) -> bytes:
    """A page body with exactly one defect that makes it not the documented shape."""
    wires: list[Json] = [w for w, _, _ in draw(st.lists(orders(), min_size=1, max_size=4))]
    links: Wire = {"self": ORDERS, "first": ORDERS}
    doc: Wire = {"links": links, "data": wires}
    if draw(st.integers(0, len(_DEFECTS))) == len(_DEFECTS):
        body = encode(doc, draw(STYLES))
        return body[: draw(st.integers(0, len(body) - 1))]  # complete answer, JSON cut short
    defect = draw(st.sampled_from(_DEFECTS))
    return encode(defect(draw, doc, links, wires, draw(st.sampled_from(wires))), draw(STYLES))


@st.composite
def not_utf8(draw: st.DrawFn) -> bytes:
    """A valid page with bytes that are not UTF-8 spliced in."""
    wires = [w for w, _, _ in draw(VALID_ITEMS)]
    body = encode({"links": {"self": ORDERS, "first": ORDERS}, "data": wires}, 1)
    at = draw(st.integers(0, len(body)))
    junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xff"]))
    return body[:at] + junk + body[at:]


@st.composite
def hostile_next(draw: st.DrawFn, port: int) -> str:
    """A next link that must be refused: another origin, credentials, or the page itself."""
    path = ORDERS + draw(st.sampled_from(["", "?page_number=1", "?page_token=PA1"]))
    host = draw(st.sampled_from(["localhost", "evil.example", "127.0.0.2", "[::1]", "0.0.0.0"]))  # noqa: S104  # a link
    other_port = draw(st.integers(1, 65535).filter(lambda p: p != port))
    kinds = [
        f"http://{host}:{port}{path}",
        f"http://127.0.0.1:{other_port}{path}",
        f"https://127.0.0.1:{port}{path}",
        f"//{host}{path}",
        f"//{host}:{port}{path}",
        f"//127.0.0.1:{other_port}{path}",
        f"http://user:pass@127.0.0.1:{port}{path}",
        f"http://127.0.0.1:{port}@{host}{path}",
        f"{draw(st.sampled_from(['ftp', 'file', 'ws', 'javascript']))}://127.0.0.1:{port}{path}",
        ORDERS,  # the page itself: a loop
    ]
    return draw(st.sampled_from(kinds))


def serve(origin: Origin, body: bytes, content_type: str = "application/json") -> None:
    """Answer the next request with ``body``, any later one with `LAST_PAGE`."""
    origin.first_then(body, content_type, LAST_PAGE)


async def walk(client: Client) -> list[Page[Order]]:
    """Every page of the campaign's orders."""
    return [page async for page in client.orders.pages(CAMPAIGN)]


async def outcome(client: Client) -> list[Page[Order]] | ResponseError | PaginationError:
    """The pages of a walk, or the documented error that stopped it (anything else raises)."""
    try:
        return await walk(client)
    except (ResponseError, PaginationError) as exc:
        return exc
