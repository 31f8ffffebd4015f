"""The fake's records: deterministic, every state and shape, lazy at a million orders."""

from __future__ import annotations

import re
import tracemalloc
import uuid
from collections import Counter

import pytest

from signalwire_orders.testing import FakeData
from support import UNKNOWN_ID

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class TestData:
    def test_same_seed_same_data(self) -> None:
        """Generating twice with one seed gives identical records; another seed differs."""
        one = FakeData.generate(seed=3, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        two = FakeData.generate(seed=3, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        other = FakeData.generate(seed=4, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        cid = one.campaign_ids()[-1]

        assert one.brands == two.brands
        assert one.orders_of(cid) == two.orders_of(cid)
        assert one.numbers_of(cid) == two.numbers_of(cid)
        assert one.campaign_ids() != other.campaign_ids()

    def test_orders_cover_every_state_and_shape(self) -> None:
        """Orders come in every state, processed_at only when processed, RFC 3339 UTC times."""
        data = FakeData.generate(brands=1, campaigns_per_brand=2, orders_per_campaign=200)
        orders = [o for c in data.campaign_ids() for o in data.orders_of(c)]

        assert set(Counter(o["state"] for o in orders)) == {
            "pending",
            "processing",
            "processed",
            "failed",
        }
        assert all(("processed_at" in o) == (o["state"] == "processed") for o in orders)
        assert all(RFC3339_UTC.match(o[k]) for o in orders for k in o if k.endswith("_at"))
        assert any("status_callback_url" not in o for o in orders)
        assert any("status_callback_url" in o for o in orders)

    def test_ids_are_unique_uuid4(self) -> None:
        """Every id is a canonical version-4 UUID, unique across records."""
        data = FakeData.generate(seed=9, brands=2, campaigns_per_brand=3, orders_per_campaign=80)
        ids = [b["id"] for b in data.brands] + data.campaign_ids()
        for c in data.campaign_ids():
            ids += [o["id"] for o in data.orders_of(c)] + [n["id"] for n in data.numbers_of(c)]

        assert len(ids) == len(set(ids))
        assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 4 for i in ids)

    def test_orders_per_campaign_range(self) -> None:
        """A (min, max) orders_per_campaign gives each campaign a count in that range."""
        data = FakeData.generate(brands=2, campaigns_per_brand=5, orders_per_campaign=(3, 9))
        counts = [data.count_orders(c) for c in data.campaign_ids()]

        assert all(3 <= n <= 9 for n in counts)
        assert len(set(counts)) > 1

    def test_lookup_by_id_finds_each_order(self) -> None:
        """data.order() finds any seeded order by id and raises KeyError for others."""
        data = FakeData.generate(brands=1, campaigns_per_brand=2, orders_per_campaign=50)
        orders = data.orders_of(data.campaign_ids()[1])

        assert [data.order(o["id"]) for o in orders] == orders
        with pytest.raises(KeyError):
            data.order(UNKNOWN_ID)

    def test_a_million_orders_are_lazy(self) -> None:
        """1000 campaigns x 1000 orders build without drawing an order, in little memory."""
        tracemalloc.start()
        try:
            data = FakeData.generate(brands=10, campaigns_per_brand=100, orders_per_campaign=1000)
            drawn_at_build = [c for c in data._campaigns if c._order_states is not None]
            total = data.count_orders()
            last = data.campaign_ids()[-1]
            page = data.list_orders(last).slice(500, 1000)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert [] == drawn_at_build  # eager generation would take tens of seconds
        assert total == 1_000_000
        assert data.order(page[-1]["id"]) == page[-1]
        assert len(page) == 500
        assert peak < 16 * 1024 * 1024
