"""The Client as a whole: owned or borrowed sessions, configuration, secrets kept out of sight."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import base64
import logging
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from signalwire_orders import (
    AuthenticationError,
    Client,
    ConfigurationError,
    NotFoundError,
    SignalWireError,
)
from support import (
    API,
    CAMPAIGN_ID,
    FAST_RETRY,
    ORDER_ID,
    ORIGIN,
    PREFIX,
    PROJECT_ID,
    SPACE_ENV,
    TOKEN,
    order,
    page,
    record_sent,
    sample_json,
    urls,
)

ORDER_URL = f"{API}/orders/{ORDER_ID}"
ORDERS = f"{API}/campaigns/{CAMPAIGN_ID}/orders"


class TestSessions:
    async def test_callers_session_is_used(self, mock_api: aioresponses) -> None:
        """Requests go through the aiohttp session passed as session=."""
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()

        async with aiohttp.ClientSession() as session:
            async with Client(env=SPACE_ENV, session=session) as client:
                await client.orders.get(ORDER_ID)
            used = sent[0].session

            assert session is used

    async def test_callers_session_stays_open_after_the_client_exits(
        self, mock_api: aioresponses
    ) -> None:
        """The client never closes a session it was given."""
        mock_api.get(ORDER_URL, payload=order())

        async with aiohttp.ClientSession() as session:
            async with Client(env=SPACE_ENV, session=session) as client:
                await client.orders.get(ORDER_ID)
            still_open = not session.closed

            assert still_open

    @pytest.mark.usefixtures("mock_api")
    async def test_callers_session_stays_open_after_close(self) -> None:
        """client.close() leaves a borrowed session open too."""
        async with aiohttp.ClientSession() as session:
            client = Client(env=SPACE_ENV, session=session)
            await client.close()

            assert not session.closed

    async def test_own_session_is_closed_after_async_with(self, mock_api: aioresponses) -> None:
        """The session the client created is closed when the async with block ends."""
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()

        async with Client(env=SPACE_ENV) as client:
            await client.orders.get(ORDER_ID)

        assert sent[0].session.closed

    async def test_close_without_async_with_closes_the_own_session(
        self, mock_api: aioresponses
    ) -> None:
        """await client.close() works for a client used without async with."""
        mock_api.get(ORDER_URL, payload=order())
        sent = record_sent()
        client = Client(env=SPACE_ENV)
        await client.orders.get(ORDER_ID)

        await client.close()

        assert sent[0].session.closed

    @pytest.mark.usefixtures("mock_api")
    async def test_close_twice_is_harmless(self) -> None:
        """Closing an already closed client raises nothing."""
        client = Client(env=SPACE_ENV)
        await client.close()

        await client.close()

    async def test_closed_client_raises_runtime_error(self, mock_api: aioresponses) -> None:
        """Using a client after it was closed raises RuntimeError and sends nothing."""
        mock_api.get(ORDER_URL, payload=order(), repeat=True)
        sent = record_sent()
        async with Client(env=SPACE_ENV) as client:
            pass

        with pytest.raises(RuntimeError, match="closed"):
            await client.orders.get(ORDER_ID)

        assert [] == sent

    @pytest.mark.usefixtures("mock_api")
    async def test_closed_client_raises_runtime_error_when_walking(self) -> None:
        """Walking pages on a closed client raises RuntimeError."""
        client = Client(env=SPACE_ENV)
        await client.close()

        with pytest.raises(RuntimeError, match="closed"):
            [o async for o in client.orders.list(CAMPAIGN_ID)]

    async def test_borrowed_session_raise_for_status_does_not_change_errors(
        self, mock_api: aioresponses
    ) -> None:
        """A borrowed session made with raise_for_status=True still gives NotFoundError, once."""
        mock_api.get(ORDER_URL, status=404, payload=sample_json("not_found_404.json"), repeat=True)
        sent = record_sent()

        async with (
            aiohttp.ClientSession(raise_for_status=True) as session,
            Client(env=SPACE_ENV, session=session, retry=FAST_RETRY) as client,
        ):
            with pytest.raises(SignalWireError) as caught:
                await client.orders.get(ORDER_ID)

        assert (NotFoundError, 1) == (type(caught.value), len(sent))


class TestConfiguration:
    @pytest.mark.parametrize(
        "arguments", [{}, {"base_url": "http://127.0.0.1:1"}], ids=["space", "base_url"]
    )
    def test_missing_credentials_name_both_variables(self, arguments: dict[str, Any]) -> None:
        """With neither argument nor variable, ConfigurationError names both variables to set."""
        with pytest.raises(ConfigurationError) as caught:
            Client(env={}, **arguments)

        message = str(caught.value)
        assert (True, True) == (
            "SIGNALWIRE_PROJECT_ID" in message,
            "SIGNALWIRE_API_TOKEN" in message,
        )

    @pytest.mark.parametrize(
        "arguments",
        [
            {"env": SPACE_ENV | {"SIGNALWIRE_API_TOKEN": "  "}},
            {"project_id": PROJECT_ID, "api_token": "  ", "base_url": ORIGIN, "env": {}},
        ],
        ids=["variable", "argument"],
    )
    def test_empty_token_names_the_token_variable(
        self, mock_api: aioresponses, arguments: dict[str, Any]
    ) -> None:
        """A blank token is missing: ConfigurationError names its variable only; nothing is sent."""
        with pytest.raises(ConfigurationError) as caught:
            Client(**arguments)

        assert "SIGNALWIRE_API_TOKEN" in str(caught.value)
        assert "SIGNALWIRE_PROJECT_ID" not in str(caught.value)
        assert {} == mock_api.requests

    def test_credentials_come_from_the_environment_mapping(self) -> None:
        """An env with only the token still names the missing project id variable."""
        with pytest.raises(ConfigurationError, match="SIGNALWIRE_PROJECT_ID"):
            Client(base_url="http://127.0.0.1:1", env={"SIGNALWIRE_API_TOKEN": "t"})

    @pytest.mark.parametrize("max_concurrency", [0, -1])
    def test_max_concurrency_below_one_raises_value_error(self, max_concurrency: int) -> None:
        """max_concurrency must be at least 1."""
        with pytest.raises(ValueError, match="max_concurrency"):
            Client(env=SPACE_ENV, max_concurrency=max_concurrency)

    async def test_base_url_override_routes_requests_there(self, mock_api: aioresponses) -> None:
        """base_url= sends requests to that origin instead of the space."""
        url = f"https://fake.example.test:8443{PREFIX}/orders/{ORDER_ID}"
        mock_api.get(url, payload=order())
        sent = record_sent()

        async with Client(env=SPACE_ENV, base_url="https://fake.example.test:8443/") as client:
            await client.orders.get(ORDER_ID)

        assert [("GET", url)] == urls(sent)

    async def test_base_url_override_keeps_next_links_on_that_origin(
        self, mock_api: aioresponses
    ) -> None:
        """With base_url=, relative next links resolve against it, not the space."""
        base = "http://127.0.0.1:8099"
        second = f"{PREFIX}/campaigns/{CAMPAIGN_ID}/orders?page_number=1&page_token=PA2"
        mock_api.get(
            f"{base}{PREFIX}/campaigns/{CAMPAIGN_ID}/orders", payload=page([], next_link=second)
        )
        mock_api.get(base + second, payload=page([order()]))
        sent = record_sent()

        async with Client(env=SPACE_ENV, base_url=base) as client:
            walked = [str(o.id) async for o in client.orders.list(CAMPAIGN_ID)]

        assert ([ORDER_ID], base + second) == (walked, sent[1].url)

    async def test_space_argument_builds_the_space_url(self, mock_api: aioresponses) -> None:
        """space="acme" sends requests to https://acme.signalwire.com."""
        url = f"https://acme.signalwire.com{PREFIX}/orders/{ORDER_ID}"
        mock_api.get(url, payload=order())
        sent = record_sent()

        async with Client("acme", env=SPACE_ENV) as client:
            await client.orders.get(ORDER_ID)

        assert [("GET", url)] == urls(sent)


class TestSecrets:
    async def test_token_never_appears_in_logs_errors_or_reprs(
        self, mock_api: aioresponses, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Across successes, retries and a 401, neither the token nor its Basic value leaks."""
        caplog.set_level(logging.DEBUG, logger="signalwire_orders")
        basic = aiohttp.encode_basic_auth(PROJECT_ID, TOKEN)
        secrets = (TOKEN, basic, basic.removeprefix("Basic "))
        mock_api.get(ORDER_URL, payload=order())
        mock_api.get(ORDER_URL, status=500, payload={"error": "Internal Server Error"})
        mock_api.get(ORDER_URL, exception=aiohttp.ServerDisconnectedError())
        mock_api.get(ORDER_URL, payload=order())
        mock_api.get(ORDER_URL, status=401, payload=sample_json("unauthorized_401.json"))
        mock_api.get(ORDERS, exception=TimeoutError(), repeat=True)
        raised: list[BaseException] = []

        async with Client(env=SPACE_ENV, retry=FAST_RETRY) as client:
            await client.orders.get(ORDER_ID)
            await client.orders.get(ORDER_ID)
            for walk in (client.orders.get(ORDER_ID), _drain(client)):
                try:
                    await walk
                except SignalWireError as exc:
                    raised.append(exc)
            shown = [repr(client), repr(client.orders), str(client.stats)]

        for error in raised:
            cause: BaseException | None = error
            while cause is not None:
                shown += [str(cause), repr(cause), repr(cause.args)]
                cause = cause.__cause__ or cause.__context__
        for record in caplog.records:
            shown += [record.getMessage(), repr(record.args), repr(vars(record))]
        leaks = [text for text in shown for secret in secrets if secret in text]
        assert (2, [], True) == (
            len(raised),
            leaks,
            isinstance(raised[0], AuthenticationError) and len(caplog.records) >= 4,
        )

    async def test_token_not_in_the_error_chain_with_a_raise_for_status_session(
        self, mock_api: aioresponses
    ) -> None:
        """A borrowed raise_for_status=True session leaks no credentials into the error's cause."""
        basic = aiohttp.encode_basic_auth(PROJECT_ID, TOKEN)
        mock_api.get(ORDER_URL, status=404, payload=sample_json("not_found_404.json"), repeat=True)

        async with (
            aiohttp.ClientSession(raise_for_status=True) as session,
            Client(env=SPACE_ENV, session=session, retry=FAST_RETRY) as client,
        ):
            with pytest.raises(SignalWireError) as caught:
                await client.orders.get(ORDER_ID)

        chain = [caught.value, caught.value.__cause__]
        assert [] == [repr(exc) for exc in chain if basic.removeprefix("Basic ") in repr(exc)]

    def test_token_is_not_in_the_client_repr(self) -> None:
        """repr(client) shows neither the token nor the Basic auth value."""
        client_repr = repr(Client(env=SPACE_ENV))
        encoded = base64.b64encode(f"{PROJECT_ID}:{TOKEN}".encode()).decode()

        assert (False, False) == (TOKEN in client_repr, encoded in client_repr)


async def _drain(client: Client) -> None:
    """Walk the campaign's orders to the end."""
    async for _ in client.orders.list(CAMPAIGN_ID):
        pass
