"""The fake server's life: start, state, embedding, serve_forever, the pytest plugin."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from signalwire_orders.testing import DEFAULT_PROJECT_ID, FakeServer, ServerState
from support import PREFIX, auth_headers, get_json, serving

#: 2 brands x 3 campaigns x 120 orders (pages of 50, 50, 20), 7 number assignments each.
pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
)


class TestServerLifecycle:
    async def test_repr_hides_the_token(self, server: FakeServer) -> None:
        """The server's repr names its URL and project but never the API token."""
        text = repr(server) + str(server) + repr(server.faults)

        assert server.api_token not in text
        assert server.base_url in text

    def test_base_url_needs_a_started_server(self) -> None:
        """base_url of a server not started raises RuntimeError."""
        with pytest.raises(RuntimeError, match="not started"):
            _ = FakeServer(brands=1).base_url

    async def test_env_points_at_the_server(self, server: FakeServer) -> None:
        """env gives the variables a client reads to reach the fake."""
        assert server.env == {
            "SIGNALWIRE_REST_BASE_URL": server.base_url,
            "SIGNALWIRE_PROJECT_ID": DEFAULT_PROJECT_ID,
            "SIGNALWIRE_API_TOKEN": server.api_token,
        }

    def test_state_holds_the_constructor_switches(self) -> None:
        """state is the server's one ServerState, starting from the constructor's switches."""
        fake = FakeServer(
            brands=1, forbidden=True, link_origin="http://127.0.0.1:9", process_after_polls=None
        )
        expected = (True, False, "http://127.0.0.1:9", None, True)

        state = fake.state
        actual = (
            state.forbidden,
            state.absolute_links,
            state.link_origin,
            state.process_after_polls,
            state.recording,
        )

        assert expected == actual
        assert isinstance(state, ServerState)
        assert state is fake.state
        assert state.data is fake.data

    def test_state_cannot_be_replaced(self) -> None:
        """state is read-only: a test changes its switches, not the object."""
        fake = FakeServer(brands=1)

        with pytest.raises(AttributeError):
            fake.state = fake.state  # type: ignore[misc]  # assigning is what is tested

    async def test_state_switches_apply_to_the_next_request(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Turning state.forbidden on and off again changes the very next answers."""
        server.state.forbidden = True
        forbidden, _ = await get_json(http, f"{server.api_url}/brands")
        server.state.forbidden = False
        allowed, _ = await get_json(http, f"{server.api_url}/brands")

        assert (forbidden, allowed) == (403, 200)

    async def test_make_app_embeds_in_another_runner(self) -> None:
        """make_app() returns an application that serves the routes from any runner."""
        fake = FakeServer(brands=1)

        async with (
            serving(fake.make_app()) as origin,
            aiohttp.ClientSession(headers=auth_headers(fake)) as session,
        ):
            status, body = await get_json(session, f"{origin}{PREFIX}/brands")

        assert (status, len(body["data"])) == (200, 1)

    async def test_serve_forever_serves_until_cancelled(self) -> None:
        """serve_forever() starts the server and closes it when cancelled."""
        fake = FakeServer(brands=1)
        task = asyncio.create_task(fake.serve_forever())
        while fake.peak_in_flight == 0:
            try:
                async with aiohttp.ClientSession(headers=auth_headers(fake)) as session:
                    status, _ = await get_json(session, f"{fake.api_url}/brands")
            except RuntimeError:
                await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert status == 200
        with pytest.raises(RuntimeError):
            _ = fake.base_url

    @pytest.mark.parametrize(
        "signalwire_fake_server",
        [{"seed": 5, "brands": 1, "campaigns_per_brand": 1}],
        indirect=True,
    )
    async def test_pytest_plugin_fixture(self, signalwire_fake_server: FakeServer) -> None:
        """The opt-in fixture yields a started server sized by its parameter."""
        async with aiohttp.ClientSession(headers=auth_headers(signalwire_fake_server)) as session:
            status, body = await get_json(session, f"{signalwire_fake_server.api_url}/brands")

        assert (status, len(body["data"])) == (200, 1)
        assert signalwire_fake_server.data.seed == 5

    def test_pytest_plugin_registers_its_marker(self, pytestconfig: pytest.Config) -> None:
        """The plugin registers the signalwire_fake_server marker for --strict-markers."""
        markers = pytestconfig.getini("markers")

        assert any(m.startswith("signalwire_fake_server(") for m in markers)
