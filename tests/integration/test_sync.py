"""The synchronous façade: the async client's API, blocking, on a private loop thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import inspect
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import signalwire_orders
from signalwire_orders import (
    CampaignResult,
    ConfigurationError,
    Hooks,
    NotFoundError,
    OrderState,
    ServerError,
)
from signalwire_orders.sync import Client
from signalwire_orders.testing import FakeServer
from support import SPACE_ENV, UNKNOWN_ID, in_a_thread, instant

NO_WAIT = instant(2)
PAGE = 10  # 25 orders per campaign: pages of 10, 10 and 5


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake of 2 brands x 3 campaigns of 25 orders, served from another thread."""
    fake = FakeServer(
        seed=5, brands=2, campaigns_per_brand=3, orders_per_campaign=25, numbers_per_campaign=7
    )
    with in_a_thread(fake):
        yield fake


@pytest.fixture
def client(server: FakeServer) -> Iterator[Client]:
    """A sync client of the fake, closed after the test."""
    with Client(env=server.env, retry=NO_WAIT) as c:
        yield c


@pytest.fixture
def campaign_id(server: FakeServer) -> str:
    return server.data.campaign_ids()[0]


def order_ids(server: FakeServer, campaign_id: str) -> list[str]:
    return [order["id"] for order in server.data.orders_of(campaign_id)]


def unfinished_listings() -> list[Any]:
    """The library's async generators not yet finished (walks, list_many and its feed)."""
    gc.collect()
    return [
        agen
        for agen in gc.get_objects()
        if inspect.isasyncgen(agen)
        and agen.ag_frame is not None
        and agen.ag_frame.f_globals.get("__name__", "").startswith("signalwire_orders.")
    ]


def still_open(listings: list[Any]) -> list[Any]:
    return [agen for agen in listings if agen.ag_frame is not None]


async def task_names() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks()}


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class TestListing:
    def test_list_equals_the_ground_truth(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """list() yields every order of the campaign, in the API's order."""
        ids = [str(order.id) for order in client.orders.list(campaign_id, page_size=PAGE)]

        assert order_ids(server, campaign_id) == ids

    def test_pages_are_fetched_one_request_each(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """pages() yields typed pages, one list_orders request per page."""
        sizes = [len(page.data) for page in client.orders.pages(campaign_id, page_size=PAGE)]

        assert [10, 10, 5] == sizes
        assert 3 == server.count("list_orders")

    def test_list_is_lazy(self, client: Client, server: FakeServer, campaign_id: str) -> None:
        """Taking one order of a 3-page campaign fetches one page, and no request before."""
        orders = client.orders.list(campaign_id, page_size=PAGE)
        before = server.count("list_orders")
        first = next(orders)
        after = server.count("list_orders")
        orders.close()

        assert (0, 1) == (before, after)
        assert order_ids(server, campaign_id)[0] == str(first.id)

    def test_breaking_out_and_closing_releases_the_walk(
        self, client: Client, campaign_id: str
    ) -> None:
        """Leaving a closing() block early closes the async generator on the loop."""
        with contextlib.closing(client.orders.list(campaign_id, page_size=PAGE)) as orders:
            for _ in orders:
                listings = unfinished_listings()
                break

        assert listings
        assert [] == still_open(listings)

    def test_a_collected_listing_releases_the_walk(self, client: Client, campaign_id: str) -> None:
        """Dropping an unfinished listing closes its async generator too."""
        orders = client.orders.list(campaign_id, page_size=PAGE)
        next(orders)
        listings = unfinished_listings()
        del orders

        assert listings
        assert [] == still_open(listings)

    def test_closing_the_client_releases_open_listings(
        self, client: Client, campaign_id: str
    ) -> None:
        """close() closes listings left open; one needing another page then raises RuntimeError."""
        orders = client.orders.list(campaign_id, page_size=PAGE)
        next(orders)
        listings = unfinished_listings()
        client.close()

        assert listings
        assert [] == still_open(listings)
        with pytest.raises(RuntimeError, match="closed"):
            list(orders)  # the 9 orders already fetched, then the next page fails

    def test_list_many_yields_one_result_per_campaign(
        self, client: Client, server: FakeServer
    ) -> None:
        """list_many() yields a complete CampaignResult for every campaign."""
        ids = server.data.campaign_ids()

        results = list(client.orders.list_many(ids, concurrency=3, page_size=PAGE))

        assert all(isinstance(result, CampaignResult) and result.ok for result in results)
        assert sorted(ids) == sorted(str(result.campaign_id) for result in results)
        for result in results:
            assert order_ids(server, str(result.campaign_id)) == [str(o.id) for o in result.orders]

    def test_closing_list_many_stops_its_workers(self, client: Client, server: FakeServer) -> None:
        """Closing list_many early cancels its workers on the loop thread."""
        results = client.orders.list_many(server.data.campaign_ids(), concurrency=2)
        next(results)
        running = client._loop.run(lambda _c: task_names())
        results.close()
        after = client._loop.run(lambda _c: task_names())

        assert "signalwire_orders.list_many" in running
        assert "signalwire_orders.list_many" not in after

    def test_list_all_yields_every_campaign(self, client: Client, server: FakeServer) -> None:
        """campaigns.list_all() walks every brand's campaigns."""
        ids = [str(campaign.id) for campaign in client.campaigns.list_all(page_size=2)]

        assert sorted(server.data.campaign_ids()) == sorted(ids)

    def test_brands_campaigns_and_numbers_list(self, client: Client, server: FakeServer) -> None:
        """brands.list(), campaigns.list() and numbers.list() equal the ground truth."""
        brand_ids = [str(brand.id) for brand in client.brands.list(page_size=1)]
        campaign_ids = [str(c.id) for c in client.campaigns.list(brand_ids[0], page_size=2)]
        numbers = [str(n.id) for n in client.numbers.list(campaign_ids[0], page_size=3)]

        assert [brand["id"] for brand in server.data.brands] == brand_ids
        assert server.data.campaign_ids_of(brand_ids[0]) == campaign_ids
        assert [n["id"] for n in server.data.numbers_of(campaign_ids[0])] == numbers


class TestOperations:
    def test_get_fetches_one_of_each(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """orders.get(), campaigns.get() and brands.get() return the records asked for."""
        order_id = order_ids(server, campaign_id)[3]
        brand_id = server.data.brand_of(campaign_id)

        order = client.orders.get(order_id)
        campaign = client.campaigns.get(campaign_id)
        brand = client.brands.get(brand_id)

        assert (order_id, campaign_id, brand_id) == (str(order.id), str(campaign.id), str(brand.id))

    def test_create_then_wait_until_processed(self, client: Client, campaign_id: str) -> None:
        """create() makes a pending order; wait() polls it until it is processed."""
        order = client.orders.create(campaign_id, ["+15558675309"])
        done = client.orders.wait(order.id, timeout=5, poll_interval=0.0, max_poll_interval=0.01)

        assert OrderState.PENDING == order.state
        assert (order.id, OrderState.PROCESSED) == (done.id, done.state)

    def test_delete_removes_the_assignment(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """numbers.delete() removes the assignment; deleting it again is a 404."""
        assignment_id = server.data.numbers_of(campaign_id)[0]["id"]
        client.numbers.delete(assignment_id)

        assert assignment_id not in [n["id"] for n in server.data.numbers_of(campaign_id)]
        with pytest.raises(NotFoundError):
            client.numbers.delete(assignment_id)

    def test_stats_count_requests_and_survive_close(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """stats counts requests and pages, and is still readable after close()."""
        with Client(env=server.env) as client:
            list(client.orders.pages(campaign_id, page_size=PAGE))
            live = client.stats
            rate_limit = client.rate_limit

        assert (3, 3) == (live.requests, live.pages)
        assert live == client.stats
        assert rate_limit is None  # the fake sends no rate-limit headers
        assert client.rate_limit is None


class TestErrors:
    def test_not_found_raises_the_same_class(self, client: Client) -> None:
        """A 404 raises signalwire_orders.NotFoundError in the calling thread."""
        with pytest.raises(signalwire_orders.NotFoundError) as caught:
            client.orders.get(UNKNOWN_ID)

        assert 404 == caught.value.status

    def test_missing_credentials_raise_configuration_error(self) -> None:
        """Without credentials the constructor raises ConfigurationError, starting no thread."""
        before = threading.active_count()
        with pytest.raises(ConfigurationError, match="SIGNALWIRE_PROJECT_ID"):
            Client()

        assert before == threading.active_count()

    def test_bad_id_raises_before_iterating(self, client: Client, server: FakeServer) -> None:
        """A malformed id raises ValueError when the listing is made, with no request."""
        with pytest.raises(ValueError, match="campaign_id"):
            client.orders.list("not-a-uuid")

        assert 0 == server.count()

    def test_bad_limit_raises_in_the_constructor_and_starts_no_thread(
        self, server: FakeServer
    ) -> None:
        """A bad max_concurrency raises the async client's ValueError at construction."""
        before = threading.active_count()

        with pytest.raises(ValueError, match="max_concurrency"):
            Client(env=server.env, max_concurrency=0)

        assert before == threading.active_count()
        assert 0 == server.count()

    @pytest.mark.parametrize(
        "arguments",
        [{"max_concurrency": 0}, {"timeout": -1.0}, {"requests_per_second": 0.0}],
        ids=["max_concurrency", "timeout", "requests_per_second"],
    )
    def test_bad_arguments_fail_as_in_the_async_client(self, arguments: dict[str, Any]) -> None:
        """Each bad argument raises in the constructor exactly what the async client raises."""
        with pytest.raises(ValueError) as expected:
            signalwire_orders.Client(env=SPACE_ENV, **arguments)

        with pytest.raises(ValueError) as actual:
            Client(env=SPACE_ENV, **arguments)

        assert str(expected.value) == str(actual.value)

    def test_a_failed_walk_can_resume(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """An error mid-walk reaches the caller with resume_from, which carries on from there."""
        server.faults.script("list_orders", ["ok", "500", "500"])
        seen: list[str] = []
        with pytest.raises(ServerError) as caught:
            seen.extend(str(order.id) for order in client.orders.list(campaign_id, page_size=PAGE))
        resume_from = caught.value.resume_from
        assert resume_from is not None
        rest = client.orders.list(campaign_id, page_size=PAGE, resume_from=resume_from)
        seen.extend(str(order.id) for order in rest)

        assert order_ids(server, campaign_id) == seen

    def test_resuming_another_campaign_s_walk_raises_at_the_call(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """A resume link of one campaign passed for another: ValueError before any request."""
        other = next(c for c in server.data.campaign_ids() if c != campaign_id)
        server.faults.script("list_orders", ["ok", "500", "500"])
        with pytest.raises(ServerError) as caught:
            for _ in client.orders.list(other, page_size=PAGE):
                pass
        resume_from = caught.value.resume_from
        assert resume_from is not None
        sent = server.count()

        with pytest.raises(ValueError, match="resume the same listing"):
            client.orders.list(campaign_id, page_size=PAGE, resume_from=resume_from)

        assert sent == server.count()

    def test_a_closed_client_refuses_calls(self, server: FakeServer) -> None:
        """Every call after close() raises RuntimeError."""
        client = Client(env=server.env)
        client.close()

        with pytest.raises(RuntimeError, match="closed"):
            client.brands.get(UNKNOWN_ID)


class TestLifecycle:
    def test_thread_starts_on_first_use_and_with_joins_it(self, server: FakeServer) -> None:
        """No thread until the first call; leaving ``with`` joins it."""
        before = threading.active_count()
        with Client(env=server.env) as client:
            constructed = threading.active_count()
            list(client.brands.list())
            used = threading.active_count()

        assert (before, before + 1) == (constructed, used)
        assert before == threading.active_count()

    def test_close_is_idempotent(self, server: FakeServer) -> None:
        """close() twice, or on a client never used, is fine."""
        used, unused = Client(env=server.env), Client(env=server.env)
        used.brands.get(server.data.brands[0]["id"])
        used.close()
        used.close()
        unused.close()

        assert used.base_url == unused.base_url == server.base_url

    def test_repr_and_base_url_need_no_thread(self, server: FakeServer) -> None:
        """repr() and base_url work without starting the loop, and never show the token."""
        before = threading.active_count()
        with Client(env=server.env) as client:
            text = repr(client)

            assert before == threading.active_count()
        assert server.base_url in text
        assert server.api_token not in text

    def test_an_unclosed_client_warns_and_stops_when_collected(self, server: FakeServer) -> None:
        """A client collected unclosed warns (ResourceWarning) and its thread ends."""
        before = threading.active_count()
        client = Client(env=server.env)
        client.brands.get(server.data.brands[0]["id"])
        with pytest.warns(ResourceWarning, match="unclosed"):
            del client  # no cycle holds it: collected here, by reference count

        assert wait_for(lambda: threading.active_count() == before)


class TestInterruption:
    def test_closing_the_client_stops_an_open_list_many(
        self, client: Client, server: FakeServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """close() with a list_many half consumed closes it cleanly, workers and all."""
        results = client.orders.list_many(server.data.campaign_ids(), concurrency=2)
        next(results)
        listings = unfinished_listings()
        client.close()

        assert listings  # the stream of list_many, which owns its workers
        assert [] == still_open(listings)
        assert [] == [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]

    def test_closing_the_client_cancels_a_call_in_flight(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """A call running in another thread when the client closes raises RuntimeError there."""
        server.faults.script("retrieve_order", ["hang"])
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            call = pool.submit(client.orders.get, order_ids(server, campaign_id)[0])
            assert wait_for(lambda: server.in_flight == 1)
            client.close()

            with pytest.raises(RuntimeError, match="closed while this call was running"):
                call.result(timeout=5)

    def test_ctrl_c_cancels_the_call_and_the_client_stays_usable(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """KeyboardInterrupt while waiting cancels the call on the loop; the client still works."""
        order_id = order_ids(server, campaign_id)[0]
        server.faults.script("retrieve_order", ["hang"])

        def interrupt() -> None:
            if wait_for(lambda: server.in_flight == 1):  # a real signal, as Ctrl-C sends
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

        def task_count() -> int:
            return len(client._loop.run(lambda _c: task_names()))

        idle = task_count()  # the loop's own task and the one asking
        threading.Thread(target=interrupt).start()
        with pytest.raises(KeyboardInterrupt):
            client.orders.get(order_id)

        assert wait_for(lambda: task_count() == idle)  # the call was cancelled and unwound
        assert order_id == str(client.orders.get(order_id).id)


class TestThreads:
    def test_four_threads_share_one_client(self, client: Client, server: FakeServer) -> None:
        """Four threads list four campaigns through one client, concurrently and correctly."""
        ids = server.data.campaign_ids()[:4]
        server.faults.latency = 0.02
        barrier = threading.Barrier(4)

        def walk(campaign_id: str) -> list[str]:
            barrier.wait()
            return [str(order.id) for order in client.orders.list(campaign_id, page_size=PAGE)]

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            walked = list(pool.map(walk, ids))

        assert [order_ids(server, cid) for cid in ids] == walked
        assert server.peak_in_flight > 1


class TestRunningLoop:
    def test_a_call_inside_another_running_loop_works(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """As in a Jupyter cell: inside a coroutine, calls and iteration block and work."""
        orders = client.orders.list(campaign_id)

        async def cell() -> tuple[str, str]:
            first = next(orders)
            return str(first.id), str(client.orders.get(first.id).id)

        listed, fetched = asyncio.run(cell())

        assert listed == fetched == order_ids(server, campaign_id)[0]

    def test_a_call_from_a_hook_raises_instead_of_deadlocking(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """A hook runs on the client's loop thread; calling the client there is refused."""
        errors: list[BaseException] = []
        box: list[Client] = []

        def on_page(_: object) -> None:
            try:
                box[0].brands.get(UNKNOWN_ID)
            except RuntimeError as exc:
                errors.append(exc)

        with Client(env=server.env, hooks=Hooks(on_page=on_page)) as hooked:
            box.append(hooked)
            list(hooked.orders.list(campaign_id))

        assert errors
        assert "own loop thread" in str(errors[0])

    def test_a_worker_thread_of_a_loop_may_call_it(
        self, client: Client, server: FakeServer, campaign_id: str
    ) -> None:
        """asyncio.to_thread runs the sync client outside the loop, so it works there."""
        order_id = order_ids(server, campaign_id)[0]

        async def main() -> str:
            order = await asyncio.to_thread(client.orders.get, order_id)
            return str(order.id)

        assert order_id == asyncio.run(main())


def _parameters(function: Callable[..., Any], *, skip: tuple[str, ...] = ()) -> list[Any]:
    return [
        (p.name, p.kind, p.default)
        for p in inspect.signature(function).parameters.values()
        if p.name not in skip
    ]


class TestSameAPI:
    def test_constructor_mirrors_the_async_client(self) -> None:
        """The constructor takes the async client's arguments, all but ``session``."""
        expected = _parameters(signalwire_orders.Client, skip=("session",))

        assert expected == _parameters(Client)

    @pytest.mark.parametrize("namespace", ["orders", "numbers", "campaigns", "brands"])
    def test_methods_mirror_the_async_client(self, namespace: str) -> None:
        """Each namespace has the async one's public methods, with the same parameters."""
        async_class = type(getattr(signalwire_orders.Client(env=SPACE_ENV), namespace))
        sync_class = type(getattr(Client(env=SPACE_ENV), namespace))
        names = [name for name in vars(async_class) if not name.startswith("_")]

        assert names
        for name in names:
            expected = _parameters(getattr(async_class, name))
            assert expected == _parameters(getattr(sync_class, name)), name
