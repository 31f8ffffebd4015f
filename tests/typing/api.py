"""
The public API as users write it; never run, only type-checked with ``mypy --strict``.

Each assignment is annotated with the type users rely on, so a changed signature
or return type fails the type check (stamina's ``tests/typing/api.py`` habit).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Generator
from datetime import datetime
from uuid import UUID

import aiohttp
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider

import signalwire_orders
import signalwire_orders.sync
from signalwire_orders import (
    APIConnectionError,
    APIErrorItem,
    APIStatusError,
    APITimeoutError,
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    AuthenticationError,
    Brand,
    BrandState,
    Campaign,
    CampaignResult,
    CampaignState,
    Client,
    CompanyVertical,
    ConfigurationError,
    CspBrandRequest,
    Hooks,
    LegalEntityType,
    Links,
    ManagedBrandRequest,
    NotFoundError,
    Order,
    OrderState,
    OutcomeUnknownError,
    Page,
    PaginationError,
    PartnerCampaignRequest,
    RateLimit,
    RateLimitError,
    ResponseError,
    ResultStream,
    RetryPolicy,
    SignalWireError,
    Stats,
)
from signalwire_orders.telemetry import opentelemetry_hooks, url_template

CAMPAIGN = UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
CAMPAIGN_TEXT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
version: str = signalwire_orders.__version__


def use(*values: object) -> None:
    """Consume values so that every annotated assignment counts as used."""


def construct() -> list[Client]:
    """Every documented way to build a client."""
    policy = RetryPolicy(
        attempts=8,
        initial_backoff=0.5,
        max_backoff=30.0,
        multiplier=2.0,
        max_retry_after=60.0,
        deadline=120.0,
    )
    attempts: int = policy.attempts
    deadline: float | None = policy.deadline
    use(attempts, deadline)
    return [
        Client(),
        Client("example", "project", "PT-token"),
        Client(space="example", project_id="project", api_token="PT-token"),
        Client(base_url="http://127.0.0.1:8080", max_concurrency=8, retry=policy, timeout=None),
        Client(timeout=10.0, retry=RetryPolicy(attempts=1), env=os.environ),
        Client(allow_insecure_http=True, max_body_size=1024, env={"SIGNALWIRE_SPACE": "x"}),
    ]


async def with_own_session() -> None:
    """A caller-owned session is accepted and stays the caller's."""
    async with aiohttp.ClientSession() as session, Client(session=session) as client:
        base_url: str = client.base_url
        use(base_url)


async def orders(client: Client) -> None:
    """``client.orders``: list, pages, get, create, list_many, wait."""
    listed: AsyncIterator[Order] = client.orders.list(CAMPAIGN, state="pending")
    async for order in listed:
        order_id: UUID = order.id
        state: OrderState | None = order.state
        created: datetime | None = order.created_at
        processed: datetime | None = order.processed_at
        callback: str | None = order.status_callback_url
        final: bool = state.is_final if state is not None else False
        known: bool = state.is_known if state is not None else False
        use(order_id, created, processed, callback, final, known)

    async for order in client.orders.list(CAMPAIGN_TEXT, state=OrderState.FAILED, page_size=100):
        use(order.id)

    pages: AsyncIterator[Page[Order]] = client.orders.pages(CAMPAIGN, page_size=50)
    async for page in pages:
        data: tuple[Order, ...] = page.data
        links: Links = page.links
        next_link: str | None = links.next
        self_link: str = links.self_link
        use(data, next_link, self_link)

    try:
        async for order in client.orders.list(CAMPAIGN):
            use(order)
    except SignalWireError as exc:
        resume: str | None = exc.resume_from
        async for order in client.orders.list(CAMPAIGN, resume_from=resume):
            use(order)

    one: Order = await client.orders.get(CAMPAIGN_TEXT)
    created_order: Order = await client.orders.create(
        CAMPAIGN, ["+15558675309"], status_callback_url="https://example.com/cb"
    )
    waited: Order = await client.orders.wait(
        created_order.id, timeout=600, poll_interval=1.0, max_poll_interval=10.0
    )
    use(one, waited)

    results: AsyncIterator[CampaignResult] = client.orders.list_many(
        [CAMPAIGN, CAMPAIGN_TEXT], state="pending", concurrency=32, page_size=1000
    )
    async for result in results:
        campaign_id: UUID = result.campaign_id
        fetched: tuple[Order, ...] = result.orders
        error: SignalWireError | None = result.error
        ok: bool = result.ok
        use(campaign_id, fetched, error, ok)

    # The documented form (SPEC section 3): leaving the block cancels all work.
    async with client.orders.list_many([CAMPAIGN]) as stream:
        typed_stream: ResultStream[CampaignResult] = stream
        async for result in typed_stream:
            use(result)
            break
    # aclosing still works on it, as on any async generator.
    async with contextlib.aclosing(client.orders.list_many({CAMPAIGN})) as closing:
        use(closing)

    async def ids() -> AsyncIterator[UUID]:
        yield CAMPAIGN

    use(client.orders.list_many(ids()))
    client.orders.list_many(42)  # type: ignore[arg-type]


async def numbers(client: Client) -> None:
    """``client.numbers``: list and delete."""
    async for assignment in client.numbers.list(CAMPAIGN, state=AssignmentState.COMPLETED):
        assigned: AssignedNumber = assignment
        phone: AssignedPhoneNumber | None = assignment.phone_number
        number: str | None = phone.number if phone is not None else None
        astate: AssignmentState | None = assignment.state
        campaign_id: UUID | None = assignment.campaign_id
        use(assigned, number, astate, campaign_id)
        await client.numbers.delete(assignment.id)
    number_pages: AsyncIterator[Page[AssignedNumber]] = client.numbers.pages(CAMPAIGN_TEXT)
    use(number_pages)


async def campaigns_and_brands(client: Client) -> None:
    """``client.campaigns`` (get, list, list_all) and ``client.brands`` (list, get)."""
    campaign: Campaign = await client.campaigns.get(CAMPAIGN)
    sub_use_cases: tuple[str, ...] = campaign.sub_use_cases
    cstate: CampaignState | None = campaign.state
    use(sub_use_cases, cstate)

    async for brand in client.brands.list(name="Acme", state=BrandState.COMPLETED):
        typed_brand: Brand = brand
        self_registered: bool | None = brand.csp_self_registered
        use(typed_brand, self_registered)
        async for c in client.campaigns.list(brand.id, name="alerts", state="active"):
            by_brand: Campaign = c
            use(by_brand)

    every: AsyncIterator[Campaign] = client.campaigns.list_all(state=CampaignState.ACTIVE)
    async for c in every:
        use(c.id)

    brand_page: AsyncIterator[Page[Brand]] = client.brands.pages(page_size=10)
    one_brand: Brand = await client.brands.get("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
    use(brand_page, one_brand)


async def registry_writes(client: Client) -> None:
    """``brands.create``, ``campaigns.create`` and ``campaigns.update``, and their requests."""
    managed = ManagedBrandRequest(
        name="Acme Alerts",
        company_name="Acme Inc",
        contact_email="it@acme.example",
        contact_phone="+18995551212",
        ein_issuing_country="United States",
        legal_entity_type=LegalEntityType.PRIVATE_PROFIT,
        ein="12-3456789",
        company_address="123 Main St, Hill Valley CA, 91905",
        company_website="www.acme.example",
        company_vertical="RETAIL",
    )
    brand: Brand = await client.brands.create(managed)
    imported: Brand = await client.brands.create(
        CspBrandRequest(name="Acme", csp_brand_reference="B1")
    )
    partner = PartnerCampaignRequest(name="Alerts", brand_id=brand.id, csp_campaign_reference="C1")
    campaign: Campaign = await client.campaigns.create(brand.id, partner)
    renamed: Campaign = await client.campaigns.update(campaign.id, name="Alerts v2")
    vertical: CompanyVertical | None = managed.company_vertical
    use(imported, renamed, vertical)
    # What the signatures must keep refusing (warn_unused_ignores fails if they stop):
    await client.brands.create(partner)  # type: ignore[arg-type]
    await client.campaigns.create(brand.id, managed)  # type: ignore[arg-type]
    await client.campaigns.update(campaign.id, "Alerts v2")  # type: ignore[call-arg]


async def observability(client: Client) -> None:
    """Rate-limit headers and counters."""
    rate: RateLimit | None = client.rate_limit
    remaining: int | None = rate.remaining if rate is not None else None
    stats: Stats = client.stats
    requests: int = stats.requests
    retries: int = stats.retries
    use(remaining, requests, retries)
    await client.close()


async def errors(client: Client) -> None:
    """The error tree and its attributes, as ``except`` clauses use them."""
    try:
        await client.orders.get(CAMPAIGN)
    except RateLimitError as exc:
        retry_after: float | None = exc.retry_after
        use(retry_after)
    except (AuthenticationError, NotFoundError) as exc:
        status: int = exc.status
        use(status)
    except APIStatusError as exc:
        method: str = exc.method
        url: str = exc.url
        items: tuple[APIErrorItem, ...] = exc.errors
        detail: str = items[0].detail
        title: str | None = items[0].title
        snippet: str = exc.body_snippet
        request_id: str | None = exc.request_id
        attempts: int = exc.attempts
        use(method, url, detail, title, snippet, request_id, attempts)
    except OutcomeUnknownError as exc:
        sent: bool = exc.sent
        use(sent)
    except APITimeoutError as exc:
        timed_out_url: str = exc.url
        use(timed_out_url)
    except APIConnectionError as exc:
        conn_method: str = exc.method
        conn_attempts: int = exc.attempts
        use(conn_method, conn_attempts)
    except ResponseError as exc:
        bad_url: str = exc.url
        bad_status: int | None = exc.status
        bad_snippet: str = exc.body_snippet
        use(bad_url, bad_status, bad_snippet)
    except PaginationError as exc:
        stopped_at: str | None = exc.resume_from
        use(stopped_at)
    except ConfigurationError as exc:
        message: str = str(exc)
        use(message)


def blocking(client: signalwire_orders.sync.Client) -> None:
    """The sync client: the async methods' parameters, blocking results and generators."""
    order: Order = client.orders.get(CAMPAIGN)
    created: Order = client.orders.create(CAMPAIGN, ["+15558675309"], status_callback_url=None)
    waited: Order = client.orders.wait(created.id, timeout=600, poll_interval=1.0)
    orders: Generator[Order, None, None] = client.orders.list(CAMPAIGN, state="pending")
    pages: Generator[Page[Order], None, None] = client.orders.pages(CAMPAIGN, page_size=50)
    results: Generator[CampaignResult, None, None] = client.orders.list_many([CAMPAIGN])
    numbers: Generator[AssignedNumber, None, None] = client.numbers.list(CAMPAIGN)
    deleted: None = client.numbers.delete(CAMPAIGN)
    campaigns: Generator[Campaign, None, None] = client.campaigns.list_all(state="active")
    brand: Brand = client.brands.get(CAMPAIGN)
    stats: Stats = client.stats
    use(order, waited, orders, pages, results, numbers, deleted, campaigns, brand, stats)
    imported: Brand = client.brands.create(CspBrandRequest(name="Acme", csp_brand_reference="B1"))
    partner = PartnerCampaignRequest(name="Alerts", brand_id=brand.id, csp_campaign_reference="C1")
    campaign: Campaign = client.campaigns.create(brand.id, partner)
    renamed: Campaign = client.campaigns.update(campaign.id, name="Alerts v2")
    use(imported, renamed)
    # What the forwarding must keep refusing (warn_unused_ignores fails if it stops):
    client.orders.get(42)  # type: ignore[arg-type]
    client.orders.wait(CAMPAIGN, timeout="soon")  # type: ignore[arg-type]
    client.orders.list(CAMPAIGN, colour="red")  # type: ignore[call-arg]
    signalwire_orders.sync.Client(session=None)  # type: ignore[call-arg]


async def filters(client: Client) -> None:
    """state= takes an enum member or a documented value; a literal typo fails the type check."""
    use(
        client.orders.list(CAMPAIGN, state="processed"),
        client.orders.list(CAMPAIGN, state=OrderState("added_later")),
        client.numbers.list(CAMPAIGN, state="completed"),
        client.campaigns.list_all(state="active"),
        client.brands.list(state="unverified"),
    )
    client.orders.list(CAMPAIGN, state="pendng")  # type: ignore[arg-type]
    client.numbers.list(CAMPAIGN, state="processed")  # type: ignore[arg-type]
    client.brands.list(state="active")  # type: ignore[arg-type]


def telemetry() -> None:
    """OpenTelemetry hooks from either provider, combined with the user's own hooks."""
    otel: Hooks = opentelemetry_hooks()
    own: Hooks = opentelemetry_hooks(
        tracer_provider=TracerProvider(), meter_provider=MeterProvider()
    )
    combined: Hooks = Hooks.combine(otel, own, None, Hooks(on_page=print))
    template: str = url_template("https://example.signalwire.com/api/relay/rest/registry/beta")
    use(Client(hooks=combined), template)
    opentelemetry_hooks(TracerProvider())  # type: ignore[call-arg]  # providers are keyword-only
