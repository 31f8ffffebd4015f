"""
Generated page bodies over real loopback HTTP: ``orders.pages()`` fails only as documented.

A tiny ``aiohttp.web`` app, started once per test, answers the first request of
each Hypothesis example with the generated body and any later request with an
empty last page. Valid pages (unknown states and fields, odd but legal id and
time spellings, strings up to 100 KB) must decode to exactly the generated
orders; broken ones (missing fields, wrong types, bad ids and times, random
JSON, random and non-UTF-8 bytes) must raise ``ResponseError`` and nothing
else, with no partial page; a ``next`` link is followed only on the origin,
anything else is ``PaginationError`` (SPEC section 4).
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import pytest
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from signalwire_orders import (
    Client,
    Links,
    Order,
    OrderState,
    Page,
    PaginationError,
    ResponseError,
    RetryPolicy,
)

CAMPAIGN: Final = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
ORDERS: Final = f"/api/relay/rest/registry/beta/campaigns/{CAMPAIGN}/orders"
#: What the app answers after the generated page: a valid last page.
LAST_PAGE: Final = json.dumps({"links": {"self": "/last", "first": ORDERS}, "data": []}).encode()
ORDER_FIELDS: Final = frozenset(
    {"id", "state", "processed_at", "created_at", "updated_at", "status_callback_url"}
)
TIME_FIELDS: Final = ("processed_at", "created_at", "updated_at")
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

Json = Any
Wire = dict[str, Json]


class _Answers:
    """The tiny API: the generated body first, then `LAST_PAGE`; records each path and query."""

    def __init__(self) -> None:
        self.port = 0
        self.body = b""
        self.content_type = "application/json"
        self.hits: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, body: bytes, content_type: str = "application/json") -> None:
        self.body, self.content_type, self.hits = body, content_type, []

    async def handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path_qs)
        body = self.body if len(self.hits) == 1 else LAST_PAGE
        response = web.Response(body=body, status=200)
        response.headers["Content-Type"] = self.content_type
        return response


@pytest.fixture
async def api() -> AsyncIterator[_Answers]:
    """The tiny API on a free loopback port, for every example of one test."""
    answers = _Answers()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answers.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        answers.port = runner.addresses[0][1]
        yield answers
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(api: _Answers) -> AsyncIterator[Client]:
    """A client of the tiny API that never retries: one request per page."""
    async with Client(
        project_id="fuzz-project",
        api_token="PT-fuzz-token",
        base_url=api.base_url,
        env={},
        retry=RetryPolicy(attempts=1),
        timeout=5.0,
    ) as c:
        yield c


async def _walk(client: Client) -> list[Page[Order]]:
    return [page async for page in client.orders.pages(CAMPAIGN)]


# -- strategies: valid orders and pages, with what they must decode to ----------------------

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
_JSON = st.recursive(
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
def _orders(draw: st.DrawFn) -> tuple[Wire, Order, Wire]:
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
    extra = draw(st.dictionaries(_TEXT.filter(lambda k: k not in ORDER_FIELDS), _JSON, max_size=3))
    wire.update(extra)
    return wire, Order(**values), extra


_SAFE_QUERY = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&", max_size=60
)


@st.composite
def _links(draw: st.DrawFn, next_link: st.SearchStrategy[str | None]) -> Wire:
    links: Wire = {"self": draw(_TEXT), "first": draw(_TEXT)}
    nxt = draw(next_link)
    if nxt is not None or draw(st.booleans()):
        links["next"] = nxt
    if draw(st.booleans()):
        links["prev"] = draw(st.none() | _TEXT)
    links.update(draw(st.dictionaries(st.sampled_from(["last", "href", "count"]), _JSON)))
    return links


def _encode(doc: Json, style: int) -> bytes:
    """JSON in one of three spellings: compact ASCII, UTF-8, indented."""
    if style == 0:
        return json.dumps(doc, separators=(",", ":")).encode()
    if style == 1:
        return json.dumps(doc, ensure_ascii=False).encode()
    return json.dumps(doc, indent=2).encode()


def _page_body(links: Wire, wires: list[Wire], extra: Wire, style: int) -> bytes:
    return _encode({**extra, "links": links, "data": wires}, style)


_VALID_ITEMS = st.lists(_orders(), max_size=6)
_TOP_EXTRA = st.dictionaries(st.sampled_from(["meta", "total", "x"]), _JSON, max_size=2)
_STYLES = st.integers(0, 2)
_CONTENT_TYPES = st.sampled_from(["application/json", "text/html", "application/octet-stream"])


class TestValidPages:
    @FUZZ
    @given(
        items=_VALID_ITEMS,
        links=_links(st.none()),
        extra=_TOP_EXTRA,
        style=_STYLES,
        content_type=_CONTENT_TYPES,
    )
    async def test_a_valid_page_decodes_to_exactly_the_generated_orders(
        self,
        api: _Answers,
        client: Client,
        *,
        items: list[tuple[Wire, Order, Wire]],
        links: Wire,
        extra: Wire,
        style: int,
        content_type: str,
    ) -> None:
        """Every generated order comes back equal, unknown fields kept, in one request."""
        api.serve(_page_body(links, [w for w, _, _ in items], extra, style), content_type)

        pages = await _walk(client)

        assert 1 == len(pages)
        assert tuple(order for _, order, _ in items) == pages[0].data
        assert [e for _, _, e in items] == [dict(o.extra) for o in pages[0].data]
        expected_links = Links(
            self_link=links["self"], first=links["first"], prev=links.get("prev")
        )
        assert expected_links == pages[0].links
        assert [ORDERS] == api.hits

    @FUZZ
    @given(
        items=_VALID_ITEMS,
        query=_SAFE_QUERY,
        absolute=st.booleans(),
        style=_STYLES,
    )
    async def test_a_valid_page_with_a_same_origin_next_is_followed_as_given(
        self,
        api: _Answers,
        client: Client,
        *,
        items: list[tuple[Wire, Order, Wire]],
        query: str,
        absolute: bool,
        style: int,
    ) -> None:
        """A next on the origin is fetched byte for byte, and the walk ends at the last page."""
        target = f"{ORDERS}?page_token={query}"
        link = api.base_url + target if absolute else target
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        api.serve(_page_body(links, [w for w, _, _ in items], {}, style))

        pages = await _walk(client)

        assert [tuple(o for _, o, _ in items), ()] == [p.data for p in pages]
        assert [ORDERS, target] == api.hits


# -- strategies: broken pages, each with one defect ----------------------------------------


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
def _broken_pages(draw: st.DrawFn) -> bytes:
    """A page body with exactly one defect that makes it not the documented shape."""
    wires: list[Json] = [w for w, _, _ in draw(st.lists(_orders(), min_size=1, max_size=4))]
    links: Wire = {"self": ORDERS, "first": ORDERS}
    doc: Wire = {"links": links, "data": wires}
    if draw(st.integers(0, len(_DEFECTS))) == len(_DEFECTS):
        body = _encode(doc, draw(_STYLES))
        return body[: draw(st.integers(0, len(body) - 1))]  # complete answer, JSON cut short
    defect = draw(st.sampled_from(_DEFECTS))
    return _encode(defect(draw, doc, links, wires, draw(st.sampled_from(wires))), draw(_STYLES))


@st.composite
def _not_utf8(draw: st.DrawFn) -> bytes:
    """A valid page with bytes that are not UTF-8 spliced in."""
    wires = [w for w, _, _ in draw(_VALID_ITEMS)]
    body = _encode({"links": {"self": ORDERS, "first": ORDERS}, "data": wires}, 1)
    at = draw(st.integers(0, len(body)))
    junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xff"]))
    return body[:at] + junk + body[at:]


class TestBrokenPages:
    @FUZZ
    @given(body=_broken_pages() | _not_utf8(), content_type=_CONTENT_TYPES)
    async def test_a_broken_page_is_a_response_error_and_yields_nothing(
        self, api: _Answers, client: Client, body: bytes, content_type: str
    ) -> None:
        """One defect anywhere is ResponseError naming URL and status 200; no page is yielded."""
        api.serve(body, content_type)
        pages: list[Page[Order]] = []

        with pytest.raises(ResponseError) as caught:
            await _collect(client, pages)

        assert [] == pages
        assert [ORDERS] == api.hits
        assert 200 == caught.value.status
        assert api.base_url + ORDERS == caught.value.url
        assert len(caught.value.body_snippet) <= 200
        assert caught.value.resume_from == api.base_url + ORDERS

    @FUZZ
    @given(
        body=st.binary(max_size=2_000)
        | _JSON.map(lambda doc: _encode(doc, 0))
        | st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=8), st.integers(0, 12_500))
    )
    async def test_random_bytes_and_random_json_fail_only_as_documented(
        self, api: _Answers, client: Client, body: bytes
    ) -> None:
        """Random bytes (up to 100 KB) or JSON raise ResponseError, or are a page that walks."""
        api.serve(body)

        outcome = await _outcome(client)

        if isinstance(outcome, ResponseError):
            assert 200 == outcome.status
            assert [ORDERS] == api.hits
        elif isinstance(outcome, PaginationError):
            assert 1 <= len(api.hits) <= 2
        else:
            assert 1 <= len(outcome) <= 2


#: 100 KB where a short value belongs, by where it goes.
_HUGE = "1999-12-31T23:59:60\n" * 5_000
_HUGE_BODIES = {
    "an id": {"id": _HUGE},
    "a created_at": {"id": CAMPAIGN, "created_at": _HUGE},
    "a processed_at": {"id": CAMPAIGN, "processed_at": _HUGE},
    "an updated_at": {"id": CAMPAIGN, "updated_at": _HUGE},
}


class TestErrorMessages:
    @pytest.mark.parametrize("item", _HUGE_BODIES.values(), ids=_HUGE_BODIES.keys())
    async def test_a_huge_bad_value_gives_a_short_one_line_message(
        self, api: _Answers, client: Client, item: Wire
    ) -> None:
        """
        A 100 KB invalid value is ResponseError whose message stays one line of under 2,000 chars.

        Today a bad date-time is quoted whole (``Invalid isoformat string: '...'``):
        the message, and any log line carrying it, is as long as the value.
        """
        api.serve(_page_body({"self": ORDERS, "first": ORDERS}, [item], {}, 0))

        with pytest.raises(ResponseError) as caught:
            await _walk(client)

        assert len(str(caught.value)) < 2_000
        assert "\n" not in str(caught.value)
        assert len(caught.value.body_snippet) <= 200

    async def test_a_huge_body_that_is_not_json_gives_a_short_message(
        self, api: _Answers, client: Client
    ) -> None:
        """100 KB of text that is not JSON: ResponseError with a short message and snippet."""
        api.serve(_HUGE.encode(), "text/html")

        with pytest.raises(ResponseError) as caught:
            await _walk(client)

        assert len(str(caught.value)) < 2_000
        assert len(caught.value.body_snippet) <= 200


async def _outcome(client: Client) -> list[Page[Order]] | ResponseError | PaginationError:
    """The pages of a walk, or the documented error that stopped it (anything else raises)."""
    try:
        return await _walk(client)
    except (ResponseError, PaginationError) as exc:
        return exc


async def _collect(client: Client, into: list[Page[Order]]) -> None:
    """Append each page to ``into`` as it comes, so the pages before an error are kept."""
    async for page in client.orders.pages(CAMPAIGN):
        into.append(page)  # noqa: PERF401  # a comprehension would lose them on error


# -- next links: hostile ones refused, anything else followed or refused --------------------


@st.composite
def _hostile_next(draw: st.DrawFn, port: int) -> str:
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


class TestNextLinks:
    @FUZZ
    @given(data=st.data(), items=_VALID_ITEMS)
    async def test_a_hostile_next_is_pagination_error_after_one_request(
        self,
        api: _Answers,
        client: Client,
        data: st.DataObject,
        items: list[tuple[Wire, Order, Wire]],
    ) -> None:
        """The generated page is yielded, then its hostile next is refused without a request."""
        link = data.draw(_hostile_next(api.port), label="next")
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        api.serve(_page_body(links, [w for w, _, _ in items], {}, 0))
        pages: list[Page[Order]] = []

        with pytest.raises(PaginationError):
            await _collect(client, pages)

        assert [tuple(o for _, o, _ in items)] == [p.data for p in pages]
        assert [ORDERS] == api.hits

    @FUZZ
    @given(link=st.text(max_size=80), items=_VALID_ITEMS)
    @example(link="/orders?page_token=\x7f", items=[])  # a raw ValueError escapes
    @example(link="/orders?page_token=a b", items=[])  # sent raw: the server answers 400
    async def test_any_next_string_is_followed_on_the_origin_or_refused(
        self,
        api: _Answers,
        client: Client,
        link: str,
        items: list[tuple[Wire, Order, Wire]],
    ) -> None:
        """Arbitrary next text either leads to one more page here or is PaginationError."""
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        api.serve(_page_body(links, [w for w, _, _ in items], {}, 0))
        pages: list[Page[Order]] = []

        try:
            await _collect(client, pages)
        except PaginationError:
            assert [ORDERS] == api.hits
        else:
            assert 2 == len(api.hits) == len(pages)
        assert tuple(o for _, o, _ in items) == pages[0].data
