"""
The API token never shows: not in a repr, an error, a pickle or a log line (SPEC section 4).

Every error the client can raise is provoked against the fake server (or a
raw socket for the faults the fake cannot make) with a distinctive token, and
its ``str``, ``repr``, ``args``, attributes, formatted traceback, exception
chain and pickle are searched for the token, for a wrong token the caller
passed, and for the base64 ``Authorization`` value built from either. A run
full of retries and errors is logged at DEBUG and every record is searched
the same way.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import base64
import json
import logging
import pickle
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
import pytest

from signalwire_orders import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    Client,
    ConfigurationError,
    Hooks,
    NotFoundError,
    OutcomeUnknownError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
)
from signalwire_orders.testing import FakeServer
from support import (
    NO_RETRY,
    SPACE_ENV,
    UNKNOWN_ID,
    client_at,
    closed_port,
    drain,
    echo_listener,
    instant,
    raw_listener,
)

PROJECT: Final = "5d1c0a52-8a0e-4f0b-9c7e-3a2b1c0d9e8f"
TOKEN: Final = "PTsecret7Qx2Lm9Vb4Kd8Rt1Zy6Wn3Hs5"
WRONG: Final = "PTwrong4Gh7Jk2Lp9Mn5Qr8St1Uv6Wx3"
ATTEMPTS: Final = 3

pytestmark = pytest.mark.signalwire_fake_server(
    seed=97, brands=1, campaigns_per_brand=2, project_id=PROJECT, api_token=TOKEN
)


def _forms(token: str) -> list[str]:
    """The token and every way the client encodes it on the wire."""
    header = aiohttp.encode_basic_auth(PROJECT, token)
    return [token, header, header.removeprefix("Basic "), base64.b64encode(token.encode()).decode()]


SECRETS: Final = _forms(TOKEN) + _forms(WRONG)


def _leaked(text: str) -> list[str]:
    """The secrets (or their encodings) found in ``text``."""
    return [secret for secret in SECRETS if secret in text]


def _client(base_url: str, *, token: str = TOKEN, **kwargs: Any) -> Client:
    kwargs.setdefault("retry", instant(ATTEMPTS))
    return client_at(base_url, project_id=PROJECT, api_token=token, **kwargs)


async def _raised(cls: type[SignalWireError], call: Awaitable[object]) -> SignalWireError:
    """Await ``call``, which must raise ``cls``; return the error."""
    with pytest.raises(cls) as caught:
        await call
    return caught.value


def _authorization_of(request: bytes) -> str:
    """The Authorization header value of a raw request."""
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "authorization":
            return value.strip()
    return ""


def _headers_page(request: bytes) -> bytes:
    """A proxy's text page listing the request's headers, Authorization first."""
    return f"Bad gateway. Authorization: {_authorization_of(request)}\n\n".encode() + request


# -- one scenario per error the client raises ------------------------------------------------

Scenario = Callable[[FakeServer], Awaitable[SignalWireError]]


async def _wrong_token(server: FakeServer) -> SignalWireError:
    async with _client(server.base_url, token=WRONG) as client:
        return await _raised(AuthenticationError, client.orders.get(UNKNOWN_ID))


async def _forbidden(server: FakeServer) -> SignalWireError:
    server.state.forbidden = True
    async with _client(server.base_url) as client:
        return await _raised(PermissionDeniedError, client.brands.get(UNKNOWN_ID))


async def _not_found(server: FakeServer) -> SignalWireError:
    async with _client(server.base_url) as client:
        return await _raised(NotFoundError, drain(client.orders.list(UNKNOWN_ID)))


async def _server_error_storm(server: FakeServer) -> SignalWireError:
    server.faults.script("list_orders", ["500"] * ATTEMPTS)
    async with _client(server.base_url) as client:
        pages = client.orders.pages(server.data.campaign_ids()[0])
        return await _raised(ServerError, drain(pages))


async def _html_502(server: FakeServer) -> SignalWireError:
    server.faults.script("retrieve_campaign", ["502"] * ATTEMPTS)
    async with _client(server.base_url) as client:
        return await _raised(ServerError, client.campaigns.get(server.data.campaign_ids()[0]))


async def _rate_limited(server: FakeServer) -> SignalWireError:
    server.faults.script("list_brands", ["429"] * ATTEMPTS)
    async with _client(server.base_url, retry=instant(ATTEMPTS, max_retry_after=0.01)) as client:
        return await _raised(RateLimitError, drain(client.brands.list()))


async def _malformed(server: FakeServer) -> SignalWireError:
    server.faults.script("list_orders", ["malformed"])
    async with _client(server.base_url) as client:
        orders = client.orders.list(server.data.campaign_ids()[0])
        return await _raised(ResponseError, drain(orders))


async def _wrong_shape(server: FakeServer) -> SignalWireError:
    server.faults.script("list_campaigns", ["wrong_shape"])
    async with _client(server.base_url) as client:
        campaigns = client.campaigns.list(server.data.brands[0]["id"])
        return await _raised(ResponseError, drain(campaigns))


async def _other_origin(server: FakeServer) -> SignalWireError:
    server.state.link_origin = "http://127.0.0.1:9"
    async with _client(server.base_url) as client:
        pages = client.orders.pages(server.data.campaign_ids()[0])
        return await _raised(PaginationError, drain(pages))


async def _dropped(server: FakeServer) -> SignalWireError:
    server.faults.script("retrieve_brand", ["drop"] * ATTEMPTS)
    async with _client(server.base_url) as client:
        return await _raised(APIConnectionError, client.brands.get(server.data.brands[0]["id"]))


async def _truncated(server: FakeServer) -> SignalWireError:
    server.faults.script("list_orders", ["truncate"] * ATTEMPTS)
    async with _client(server.base_url) as client:
        orders = client.orders.list(server.data.campaign_ids()[0])
        return await _raised(APIConnectionError, drain(orders))


async def _timed_out(server: FakeServer) -> SignalWireError:
    server.faults.script("retrieve_order", ["hang"])
    async with _client(server.base_url, retry=NO_RETRY, timeout=0.2) as client:
        return await _raised(APITimeoutError, client.orders.get(UNKNOWN_ID))


async def _create_lost(server: FakeServer) -> SignalWireError:
    server.faults.script("create_order", ["drop"])
    async with _client(server.base_url) as client:
        created = client.orders.create(server.data.campaign_ids()[0], ["+15558675309"])
        return await _raised(OutcomeUnknownError, created)


async def _refused(_: FakeServer) -> SignalWireError:
    async with _client(await closed_port()) as client:
        return await _raised(APIConnectionError, client.orders.get(UNKNOWN_ID))


async def _not_http(_: FakeServer) -> SignalWireError:
    async with (
        raw_listener(b"GARBAGE, NOT HTTP\r\n\r\n") as base_url,
        _client(base_url, retry=NO_RETRY) as client,
    ):
        return await _raised(APIConnectionError, client.orders.get(UNKNOWN_ID))


async def _echoed_in_a_502_page(_: FakeServer) -> SignalWireError:
    async with (
        echo_listener("502 Bad Gateway", _headers_page) as url,
        _client(url) as client,
    ):
        return await _raised(ServerError, client.orders.get(UNKNOWN_ID))


async def _echoed_in_422_items(_: FakeServer) -> SignalWireError:
    def render(request: bytes) -> bytes:
        auth = _authorization_of(request)
        item = {"detail": f"bad header {auth}", "title": auth, "code": auth, "status": "422"}
        return json.dumps({"errors": [item]}).encode()

    async with (
        echo_listener("422 Unprocessable Entity", render) as url,
        _client(url) as client,
    ):
        created = client.orders.create(UNKNOWN_ID, ["+15558675309"])
        return await _raised(UnprocessableEntityError, created)


async def _echoed_in_a_200_that_is_not_json(_: FakeServer) -> SignalWireError:
    async with (
        echo_listener("200 OK", _headers_page) as url,
        _client(url) as client,
    ):
        return await _raised(ResponseError, drain(client.orders.list(UNKNOWN_ID)))


async def _list_many_failure(server: FakeServer) -> SignalWireError:
    server.faults.route("list_orders").error_rate = 1.0
    async with _client(server.base_url) as client:
        results = [r async for r in client.orders.list_many(server.data.campaign_ids())]
    assert [] == _leaked(repr(results))
    assert all(r.error is not None for r in results)
    error = results[0].error
    assert error is not None
    return error


async def _config(base_url: str, **kwargs: Any) -> SignalWireError:
    with pytest.raises(ConfigurationError) as caught:
        _client(base_url, **kwargs)
    return caught.value


async def _bad_port(_: FakeServer) -> SignalWireError:
    return await _config("http://127.0.0.1:notaport")


async def _token_in_base_url(_: FakeServer) -> SignalWireError:
    return await _config(f"https://{PROJECT}:{TOKEN}@example.signalwire.com")


async def _token_in_space(_: FakeServer) -> SignalWireError:
    with pytest.raises(ConfigurationError) as caught:
        Client(f"https://{PROJECT}:{TOKEN}@example.signalwire.com", PROJECT, TOKEN, env={})
    return caught.value


async def _token_in_env_base_url(_: FakeServer) -> SignalWireError:
    env = {
        "SIGNALWIRE_PROJECT_ID": PROJECT,
        "SIGNALWIRE_API_TOKEN": TOKEN,
        "SIGNALWIRE_REST_BASE_URL": f"https://{PROJECT}:{TOKEN}@example.signalwire.com/x",
    }
    with pytest.raises(ConfigurationError) as caught:
        Client(env=env)
    return caught.value


async def _token_in_base_url_query(_: FakeServer) -> SignalWireError:
    # A user pasting a URL that carries the token in its query: refused, but not echoed.
    return await _config(f"https://example.signalwire.com/?token={TOKEN}")


async def _token_in_query_of_a_path(_: FakeServer) -> SignalWireError:
    # The same, with a path too: the path is what gets it refused this time.
    return await _config(f"https://example.signalwire.com/api?token={TOKEN}")


async def _plain_http_elsewhere(_: FakeServer) -> SignalWireError:
    return await _config("http://example.signalwire.com")


SCENARIOS: Final[dict[str, Scenario]] = {
    "401 with a wrong token": _wrong_token,
    "403": _forbidden,
    "404": _not_found,
    "500 storm": _server_error_storm,
    "HTML 502": _html_502,
    "429 past the budget": _rate_limited,
    "malformed body": _malformed,
    "wrong shape": _wrong_shape,
    "next to another origin": _other_origin,
    "dropped connection": _dropped,
    "truncated body": _truncated,
    "read timeout": _timed_out,
    "create with a lost answer": _create_lost,
    "connection refused": _refused,
    "an answer that is not HTTP": _not_http,
    "a 502 page echoing the request headers": _echoed_in_a_502_page,
    "a 422 echoing the Authorization header in its items": _echoed_in_422_items,
    "a 200 echoing the request headers": _echoed_in_a_200_that_is_not_json,
    "list_many failure": _list_many_failure,
    "malformed base_url": _bad_port,
    "token as userinfo of base_url": _token_in_base_url,
    "token as userinfo of the space": _token_in_space,
    "token as userinfo of SIGNALWIRE_REST_BASE_URL": _token_in_env_base_url,
    "token in the query of base_url": _token_in_base_url_query,
    "token in the query of a base_url with a path": _token_in_query_of_a_path,
    "plain http to a remote host": _plain_http_elsewhere,
}


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it was raised from or while handling."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _everything_about(exc: BaseException) -> str:
    """What a user, a logger or an error tracker may show of an error, joined."""
    return "\n".join(
        [
            str(exc),
            repr(exc),
            repr(exc.args),
            repr(vars(exc)),
            "".join(traceback.format_exception(exc)),
        ]
    )


class TestErrors:
    @pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
    async def test_no_error_shows_the_token(self, server: FakeServer, scenario: Scenario) -> None:
        """Neither the token, a wrong token nor a base64 form is in str, repr, args or traceback."""
        error = await scenario(server)

        assert [] == _leaked(_everything_about(error))

    @pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
    async def test_no_exception_in_the_chain_shows_the_token(
        self, server: FakeServer, scenario: Scenario
    ) -> None:
        """The errors an error was raised from (aiohttp's) show it in no str, repr or args."""
        error = await scenario(server)

        def shown(e: BaseException) -> str:
            return str(e) + repr(e) + repr(e.args) + repr(getattr(e, "__dict__", {}))

        assert [] == [
            (type(e).__name__, _leaked(shown(e))) for e in _chain(error) if _leaked(shown(e))
        ]

    @pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
    async def test_a_pickled_error_keeps_no_token(
        self, server: FakeServer, scenario: Scenario
    ) -> None:
        """Pickled bytes hold no secret, and the error comes back the same class and message."""
        error = await scenario(server)

        data = pickle.dumps(error)
        back = pickle.loads(data)  # noqa: S301  # our own bytes, just made

        assert [] == [s for s in SECRETS if s.encode() in data]
        assert type(error) is type(back)
        assert str(error) == str(back)
        assert [] == _leaked(_everything_about(back))

    async def test_the_401_message_names_neither_token(self, server: FakeServer) -> None:
        """The 401 of a wrong token says what to check without quoting either token."""
        error = await _wrong_token(server)

        assert isinstance(error, APIStatusError)
        assert 401 == error.status
        assert "SIGNALWIRE_API_TOKEN" in str(error)
        assert [] == _leaked(str(error))


class TestReprs:
    async def test_the_client_and_its_parts_do_not_show_the_token(self, server: FakeServer) -> None:
        """repr and str of the client, its resources, transport, settings and stats are clean."""
        async with _client(server.base_url) as client:
            await drain(client.orders.list(server.data.campaign_ids()[0]))
            shown = [
                repr(client),
                str(client),
                repr(client.orders),
                repr(client.numbers),
                repr(client.campaigns),
                repr(client.brands),
                repr(client.stats),
                repr(client.rate_limit),
                repr(client._transport),
                repr(client._settings),
            ]

        assert [] == _leaked("\n".join(shown))
        assert PROJECT in repr(client)

    def test_a_client_configured_from_the_environment_does_not_show_the_token(self) -> None:
        """Credentials read from an env mapping stay out of the repr too."""
        env = SPACE_ENV | {"SIGNALWIRE_PROJECT_ID": PROJECT, "SIGNALWIRE_API_TOKEN": TOKEN}

        client = Client(env=env)

        assert [] == _leaked(repr(client) + str(client) + repr(client._settings))


class TestLogs:
    async def test_no_log_record_of_a_faulty_run_shows_the_token(
        self, server: FakeServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Every scenario above, logged at DEBUG with retries: no record carries a secret."""
        caplog.set_level(logging.DEBUG, logger="signalwire_orders")
        events: list[object] = []

        def broken_hook(event: object) -> None:
            events.append(event)
            msg = f"hook failed on {event!r}"
            raise RuntimeError(msg)

        hooks = Hooks(on_request=broken_hook, on_retry=events.append, on_page=events.append)
        server.faults.route("*").error_rate = 0.3
        async with _client(server.base_url, hooks=hooks) as client:
            results = [r async for r in client.orders.list_many(server.data.campaign_ids())]
        server.faults.clear()
        for scenario in SCENARIOS.values():
            await scenario(server)
            server.faults.clear()
            server.state.forbidden = False
            server.state.link_origin = None
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        records = [r for r in caplog.records if r.name.startswith("signalwire_orders")]
        shown = [
            "\n".join([r.getMessage(), str(r.args), formatter.format(r), repr(vars(r))])
            for r in records
        ]

        assert [] == [text for text in shown if _leaked(text)]
        assert [] == _leaked(repr(events) + repr(results))
        assert any("retrying" in r.getMessage() for r in records)
        assert any(r.levelno == logging.DEBUG for r in records)
        assert any(r.exc_info for r in records)  # the broken hook's traceback was logged
