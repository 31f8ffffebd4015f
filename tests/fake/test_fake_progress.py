"""What the fake's writes create moves on: by polls of its GET route, or in time."""

from __future__ import annotations

import aiohttp
import pytest

from signalwire_orders.testing import FakeData, FakeServer, StateChange
from signalwire_orders.testing._lifecycle import Progress
from support import call, csp_brand_body, eventually, partner_campaign_body

pytestmark = pytest.mark.signalwire_fake_server(
    brands=1, campaigns_per_brand=1, orders_per_campaign=5, numbers_per_campaign=1
)
ORDER = {"phone_numbers": ["+15551234567"]}


def created(data: FakeData) -> dict[str, str]:
    """A brand, one of its campaigns and an order in that campaign, made without HTTP."""
    brand = data.create_brand(csp_brand_body())
    campaign = data.create_campaign(brand["id"], partner_campaign_body(brand["id"]))
    order = data.create_order(campaign["id"], ORDER["phone_numbers"])
    return {"brands": brand["id"], "campaigns": campaign["id"], "orders": order["id"]}


def states(data: FakeData, ids: dict[str, str]) -> dict[str, str]:
    """The state of each object of `created`, read without polling."""
    return {
        "brands": data.brand(ids["brands"])["state"],
        "campaigns": data.campaign(ids["campaigns"])["state"],
        "orders": data.order(ids["orders"])["state"],
    }


async def poll_all(
    http: aiohttp.ClientSession, server: FakeServer, ids: dict[str, str]
) -> dict[str, str]:
    """GET each object once; return the states the answers show."""
    return {
        kind: (await call(http, "GET", f"{server.api_url}/{kind}/{the_id}"))[1]["state"]
        for kind, the_id in ids.items()
    }


FINAL = {"brands": "completed", "campaigns": "active", "orders": "processed"}


class TestByPolls:
    async def test_each_poll_moves_a_step(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """After the first GET brands and campaigns are still pending; after the second, final."""
        ids = created(server.data)

        first = await poll_all(http, server, ids)
        second = await poll_all(http, server, ids)

        assert first == {"brands": "pending", "campaigns": "pending", "orders": "processing"}
        assert second == FINAL

    async def test_one_poll_is_enough_when_set_so(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With process_after_polls 1, the first GET answers the final state."""
        server.state.process_after_polls = 1
        ids = created(server.data)

        assert await poll_all(http, server, ids) == FINAL

    async def test_polls_never_move_them_when_off(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With process_after_polls None, polls leave everything pending."""
        server.state.process_after_polls = None
        ids = created(server.data)

        for _ in range(3):
            last = await poll_all(http, server, ids)

        assert last == dict.fromkeys(ids, "pending")

    async def test_seeded_records_never_move(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Polling a seeded brand or campaign changes nothing, revision included."""
        brand_id = server.data.brand_of(campaign_id)
        before = (
            server.data.brand(brand_id),
            server.data.campaign(campaign_id),
            server.data.revision,
        )

        for _ in range(3):
            await poll_all(http, server, {"brands": brand_id, "campaigns": campaign_id})

        assert (
            server.data.brand(brand_id),
            server.data.campaign(campaign_id),
            server.data.revision,
        ) == before

    async def test_listings_show_the_state_reached(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A brand now completed is listed under filter_state=completed, no longer pending."""
        server.state.process_after_polls = 1
        brand = server.data.create_brand(csp_brand_body())
        await call(http, "GET", f"{server.api_url}/brands/{brand['id']}")

        _, completed = await call(http, "GET", f"{server.api_url}/brands?filter_state=completed")
        _, pending = await call(http, "GET", f"{server.api_url}/brands?filter_state=pending")

        assert brand["id"] in [b["id"] for b in completed["data"]]
        assert brand["id"] not in [b["id"] for b in pending["data"]]

    def test_a_brand_may_end_unverified(self) -> None:
        """FakeData.create_brand(final_state="unverified") ends there after its polls."""
        data = FakeData(brands=1)
        brand = data.create_brand(csp_brand_body(), final_state="unverified")

        states_seen = [data.poll_brand(brand["id"], 2)["state"] for _ in range(2)]

        assert states_seen == ["pending", "unverified"]


class TestInTime:
    def test_the_server_takes_advance_after(self) -> None:
        """FakeServer(advance_after=...) sets ServerState.advance_after; it is off by default."""
        assert (
            FakeServer().state.advance_after,
            FakeServer(advance_after=0.5).state.advance_after,
        ) == (
            None,
            0.5,
        )

    @pytest.mark.signalwire_fake_server(brands=1, advance_after=0.01, process_after_polls=None)
    async def test_created_objects_become_final_unpolled(self, server: FakeServer) -> None:
        """With advance_after set, brands, campaigns and orders reach their final state unpolled."""
        ids = created(server.data)

        assert await eventually(lambda: states(server.data, ids) == FINAL)
        assert "processed_at" in server.data.order(ids["orders"])
        assert server.count() == 0

    async def test_advance_after_may_be_set_mid_run(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Objects created while time is off move on once advance_after is set."""
        server.state.process_after_polls = None
        status, brand = await call(http, "POST", f"{server.api_url}/brands", csp_brand_body())

        server.state.advance_after = 0.01

        assert status == 201
        assert await eventually(lambda: server.data.brand(brand["id"])["state"] == "completed")

    def test_due_objects_become_final_at_once(self) -> None:
        """advance_due(0) makes everything created final, a failing order failed, with no wait."""
        data = FakeData(brands=1)
        ids = created(data)
        failing = data.create_order(ids["campaigns"], ["+15551234567"], final_state="failed")

        left = data.advance_due(0)

        assert (states(data, ids), left) == (FINAL, None)
        assert data.order(failing["id"])["state"] == "failed"
        assert "processed_at" not in data.order(failing["id"])

    def test_objects_not_due_are_left_and_the_wait_is_said(self) -> None:
        """advance_due leaves younger objects alone and returns the seconds until the next one."""
        data = FakeData(brands=1)
        ids = created(data)
        before = data.revision

        left = data.advance_due(3600)

        assert states(data, ids) == dict.fromkeys(ids, "pending")
        assert left is not None
        assert 0 < left <= 3600
        assert data.revision == before

    def test_final_objects_are_not_moved_again(self) -> None:
        """Once final, polls and time leave an object as it is."""
        data = FakeData(brands=1)
        ids = created(data)
        data.advance_due(0)
        before = data.revision

        data.poll_brand(ids["brands"])
        data.poll_order(ids["orders"])

        assert (data.advance_due(0), data.revision) == (None, before)


class TestObservers:
    def test_each_move_is_observed_and_moves_the_revision(self) -> None:
        """An observer sees every move with its ids; each move counts as a change."""
        data = FakeData(brands=1)
        ids = created(data)
        seen: list[StateChange] = []
        data.observe(seen.append)
        before = data.revision

        for _ in range(2):
            data.poll_order(ids["orders"])
        data.advance_due(0)

        campaign = ids["campaigns"]
        assert seen == [
            StateChange(
                "number_assignment_order",
                "pending",
                "processing",
                ids["brands"],
                campaign,
                ids["orders"],
            ),
            StateChange(
                "number_assignment_order",
                "processing",
                "processed",
                ids["brands"],
                campaign,
                ids["orders"],
            ),
            StateChange(
                "brand",
                "pending",
                "completed",
                ids["brands"],
                None,
                None,
                csp_brand_body()["status_callback_url"],
            ),
            StateChange(
                "campaign",
                "pending",
                "active",
                ids["brands"],
                campaign,
                None,
                partner_campaign_body("")["status_callback_url"],
            ),
        ]
        assert data.revision == before + 4

    def test_stopping_an_observer_stops_it(self) -> None:
        """The function observe returns stops the observer; calling it twice is harmless."""
        data = FakeData(brands=1)
        seen: list[StateChange] = []
        stop = data.observe(seen.append)
        stop()
        stop()

        created(data)
        data.advance_due(0)

        assert seen == []


class TestEventTypes:
    @pytest.mark.parametrize(
        ("category", "old", "new", "event_type"),
        [
            ("brand", "pending", "completed", "brand_activated"),
            ("brand", "pending", "unverified", "brand_unverified"),
            ("brand", "unverified", "completed", "brand_activated"),
            ("campaign", "pending", "active", "campaign_activated"),
            ("campaign", "active", "inactive", "campaign_deactivated"),
            (
                "number_assignment_order",
                "pending",
                "processed",
                "number_assignment_order_processed",
            ),
            (
                "number_assignment_order",
                "processing",
                "processed",
                "number_assignment_order_processed",
            ),
            ("number_assignment_order", "pending", "processing", None),
            ("number_assignment_order", "processing", "failed", None),
            ("campaign", "pending", "inactive", None),
        ],
    )
    def test_the_webhook_tables_name_the_event(
        self, category: str, old: str, new: str, event_type: str | None
    ) -> None:
        """Each documented transition has its event_type; others (a failed order) have none."""
        assert StateChange(category, old, new, "b").event_type == event_type


class TestProgress:
    @pytest.mark.parametrize(
        ("after_polls", "expected"),
        [(3, ["processing", None, "processed", None]), (1, ["processed", None, None, None])],
    )
    def test_polls_step_an_order(self, after_polls: int, expected: list[str | None]) -> None:
        """Progress.poll moves to the middle state once, then to the final one at the last poll."""
        progress, state, moves = Progress("processed", middle="processing"), "pending", []
        for _ in range(4):
            move = progress.poll(state, after_polls)
            moves.append(move)
            state = move or state

        assert moves == expected
