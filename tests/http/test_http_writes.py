"""The registry's writes: brands.create, campaigns.create and campaigns.update on the wire."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from aioresponses import aioresponses

from openapi import SPEC, needs_openapi
from signalwire_orders import (
    APIErrorItem,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Client,
    CompanyVertical,
    CspBrandRequest,
    LegalEntityType,
    ManagedBrandRequest,
    ManagedCampaignRequest,
    NotFoundError,
    OutcomeUnknownError,
    PartnerCampaignRequest,
    ServerError,
    UnprocessableEntityError,
)
from support import (
    API,
    BRAND_ID,
    CAMPAIGN_ID,
    csp_brand_body,
    managed_brand_body,
    managed_campaign_body,
    partner_campaign_body,
    record_sent,
    sample_json,
    uid,
)

BRANDS = f"{API}/brands"
CAMPAIGNS = f"{API}/brands/{BRAND_ID}/campaigns"
CAMPAIGN_URL = f"{API}/campaigns/{CAMPAIGN_ID}"
CREATED = "2024-01-15T09:30:00Z"


def brand_answer(**fields: Any) -> dict[str, Any]:
    """A brand as the API answers a create: its id, state and times added."""
    return {"id": BRAND_ID, "state": "pending", "created_at": CREATED, **fields}


def campaign_answer(**fields: Any) -> dict[str, Any]:
    """A campaign as the API answers a create or an update."""
    return {"id": CAMPAIGN_ID, "state": "pending", "created_at": CREATED, **fields}


def managed_brand() -> ManagedBrandRequest:
    return ManagedBrandRequest(**managed_brand_body())


def csp_brand() -> CspBrandRequest:
    body = csp_brand_body()
    del body["csp_self_registered"]  # set by the class itself
    return CspBrandRequest(**body)


def managed_campaign() -> ManagedCampaignRequest:
    return ManagedCampaignRequest(**managed_campaign_body(BRAND_ID))


def partner_campaign() -> PartnerCampaignRequest:
    return PartnerCampaignRequest(**partner_campaign_body(BRAND_ID))


def sent_json(data: bytes | None) -> Any:
    return json.loads(data or b"")


#: Each write, and how the mock answers it: (method, url, call).
Write = Callable[[Client], Awaitable[object]]
CREATES: dict[str, tuple[str, Write]] = {
    "brands.create": (BRANDS, lambda c: c.brands.create(managed_brand())),
    "campaigns.create": (CAMPAIGNS, lambda c: c.campaigns.create(BRAND_ID, managed_campaign())),
}


class TestBrandsCreate:
    async def test_a_managed_brand_is_posted_to_brands_with_its_body(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """POST /brands with every field given, the enums as their values, as JSON."""
        mock_api.post(BRANDS, status=201, payload=brand_answer())
        sent = record_sent()

        await client.brands.create(managed_brand())

        assert [("POST", BRANDS, managed_brand_body(), "application/json")] == [
            (s.method, s.url, sent_json(s.data), s.headers["Content-Type"]) for s in sent
        ]

    async def test_a_csp_brand_sends_csp_self_registered_true(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The CSP form says csp_self_registered: true without the caller saying so."""
        mock_api.post(BRANDS, status=201, payload=brand_answer())
        sent = record_sent()

        await client.brands.create(csp_brand())

        assert csp_brand_body() == sent_json(sent[0].data)

    async def test_unset_optional_fields_are_left_out_not_null(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """No company_vertical or status_callback_url key at all when they are not given."""
        body = managed_brand_body()
        del body["company_vertical"], body["status_callback_url"]
        mock_api.post(BRANDS, status=201, payload=brand_answer())
        sent = record_sent()

        await client.brands.create(ManagedBrandRequest(**body))

        assert body == sent_json(sent[0].data)

    async def test_the_201_answer_is_the_typed_brand(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 201 is success; the answer becomes a Brand with enums and a UUID id."""
        answer = brand_answer(**managed_brand_body())
        mock_api.post(BRANDS, status=201, payload=answer)

        brand = await client.brands.create(managed_brand())

        assert isinstance(brand, Brand)
        assert (
            UUID(BRAND_ID),
            BrandState.PENDING,
            LegalEntityType.PRIVATE_PROFIT,
            CompanyVertical.HEALTHCARE,
            "Acme Alerts",
        ) == (
            brand.id,
            brand.state,
            brand.legal_entity_type,
            brand.company_vertical,
            brand.name,
        )

    @pytest.mark.parametrize(
        "request_",
        [managed_brand_body(), managed_campaign(), partner_campaign(), None],
        ids=["dict", "managed campaign", "partner campaign", "none"],
    )
    @pytest.mark.usefixtures("mock_api")
    async def test_anything_but_a_brand_request_raises_type_error_before_sending(
        self, client: Client, request_: Any
    ) -> None:
        """A dict or a campaign request is refused, naming the two accepted classes."""
        sent = record_sent()

        with pytest.raises(TypeError, match="ManagedBrandRequest or a CspBrandRequest"):
            await client.brands.create(request_)

        assert [] == sent


class TestCampaignsCreate:
    @pytest.mark.parametrize(
        ("request_", "body"),
        [
            (managed_campaign(), managed_campaign_body(BRAND_ID)),
            (partner_campaign(), partner_campaign_body(BRAND_ID)),
        ],
        ids=["managed", "partner"],
    )
    async def test_posts_to_the_brand_s_campaigns_with_its_body(
        self, client: Client, mock_api: aioresponses, request_: Any, body: dict[str, Any]
    ) -> None:
        """POST /brands/{id}/campaigns; brand_id a string, sub_use_cases a list."""
        mock_api.post(CAMPAIGNS, status=201, payload=campaign_answer())
        sent = record_sent()

        await client.campaigns.create(BRAND_ID, request_)

        assert [("POST", CAMPAIGNS, body)] == [(s.method, s.url, sent_json(s.data)) for s in sent]

    async def test_the_brand_id_is_sent_in_canonical_form(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """An upper-case or UUID brand id is the same brand as the request's."""
        mock_api.post(CAMPAIGNS, status=201, payload=campaign_answer())
        mock_api.post(CAMPAIGNS, status=201, payload=campaign_answer())
        sent = record_sent()

        await client.campaigns.create(BRAND_ID.upper(), partner_campaign())
        await client.campaigns.create(UUID(BRAND_ID), partner_campaign())

        assert [CAMPAIGNS, CAMPAIGNS] == [s.url for s in sent]

    async def test_the_201_answer_is_the_typed_campaign(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 201 is success; the answer becomes a Campaign."""
        mock_api.post(
            CAMPAIGNS,
            status=201,
            payload=campaign_answer(name="Appointment reminders", sub_use_cases=["CUSTOMER_CARE"]),
        )

        campaign = await client.campaigns.create(BRAND_ID, managed_campaign())

        assert isinstance(campaign, Campaign)
        assert (UUID(CAMPAIGN_ID), CampaignState.PENDING, ("CUSTOMER_CARE",)) == (
            campaign.id,
            campaign.state,
            campaign.sub_use_cases,
        )

    @pytest.mark.usefixtures("mock_api")
    async def test_a_request_for_another_brand_raises_value_error_before_sending(
        self, client: Client
    ) -> None:
        """The path's brand and the body's brand_id must agree: both name one brand."""
        sent = record_sent()

        with pytest.raises(ValueError, match=rf"brand_id: the request is for brand {BRAND_ID}"):
            await client.campaigns.create(uid(9), partner_campaign())

        assert [] == sent

    @pytest.mark.parametrize(
        "request_",
        [partner_campaign_body(BRAND_ID), managed_brand(), csp_brand()],
        ids=["dict", "managed brand", "csp brand"],
    )
    @pytest.mark.usefixtures("mock_api")
    async def test_anything_but_a_campaign_request_raises_type_error_before_sending(
        self, client: Client, request_: Any
    ) -> None:
        """A dict or a brand request is refused, naming the two accepted classes."""
        sent = record_sent()

        with pytest.raises(TypeError, match="ManagedCampaignRequest or a PartnerCampaignRequest"):
            await client.campaigns.create(BRAND_ID, request_)

        assert [] == sent

    async def test_an_unknown_brand_raises_not_found(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 404 for the brand is NotFoundError, sent once."""
        mock_api.post(CAMPAIGNS, status=404, payload=sample_json("not_found_404.json"))
        sent = record_sent()

        with pytest.raises(NotFoundError):
            await client.campaigns.create(BRAND_ID, partner_campaign())

        assert 1 == len(sent)


class TestCampaignsUpdate:
    async def test_puts_the_name_alone(self, client: Client, mock_api: aioresponses) -> None:
        """PUT /campaigns/{id} with {"name": ...}; the answer is the typed campaign."""
        mock_api.put(CAMPAIGN_URL, payload=campaign_answer(name="Renamed", state="active"))
        sent = record_sent()

        campaign = await client.campaigns.update(CAMPAIGN_ID, name="Renamed")

        assert [("PUT", CAMPAIGN_URL, {"name": "Renamed"})] == [
            (s.method, s.url, sent_json(s.data)) for s in sent
        ]
        assert ("Renamed", CampaignState.ACTIVE) == (campaign.name, campaign.state)

    @pytest.mark.parametrize(
        ("name", "error"),
        [("ab", ValueError), ("x" * 65, ValueError), (None, TypeError)],
        ids=["short", "long", "none"],
    )
    @pytest.mark.usefixtures("mock_api")
    async def test_a_bad_name_is_refused_before_sending(
        self, client: Client, name: Any, error: type[Exception]
    ) -> None:
        """The name rule of a campaign (3 to 64 characters, a str) holds for a rename too."""
        sent = record_sent()

        with pytest.raises(error, match=r"^name must be"):
            await client.campaigns.update(CAMPAIGN_ID, name=name)

        assert [] == sent

    @pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
    async def test_an_update_is_retried_like_a_read(
        self, client: Client, mock_api: aioresponses, status: int
    ) -> None:
        """Setting a name twice sets it once: a 5xx or 429 is retried with the same body."""
        mock_api.put(CAMPAIGN_URL, status=status)
        mock_api.put(CAMPAIGN_URL, payload=campaign_answer(name="Renamed"))
        sent = record_sent()

        campaign = await client.campaigns.update(CAMPAIGN_ID, name="Renamed")

        assert ("Renamed", 2) == (campaign.name, len(sent))
        assert sent[0].data == sent[1].data

    async def test_an_update_whose_answer_was_lost_is_retried(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A dropped connection after sending is safe to repeat for a PUT."""
        mock_api.put(CAMPAIGN_URL, exception=aiohttp.ServerDisconnectedError())
        mock_api.put(CAMPAIGN_URL, payload=campaign_answer(name="Renamed"))
        sent = record_sent()

        await client.campaigns.update(CAMPAIGN_ID, name="Renamed")

        assert 2 == len(sent)


class TestCreatesAreNeverRepeated:
    @pytest.mark.parametrize("write", list(CREATES))
    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    async def test_a_5xx_is_not_retried(
        self, client: Client, mock_api: aioresponses, write: str, status: int
    ) -> None:
        """A create answered 5xx may have been processed: ServerError after one request."""
        url, call = CREATES[write]
        mock_api.post(url, status=status, repeat=True)
        sent = record_sent()

        with pytest.raises(ServerError):
            await call(client)

        assert 1 == len(sent)

    @pytest.mark.parametrize("write", list(CREATES))
    @pytest.mark.parametrize(
        "fault",
        [
            aiohttp.ServerDisconnectedError,
            TimeoutError,
            lambda: aiohttp.ClientPayloadError("body cut short"),
        ],
        ids=["disconnected", "timeout", "payload"],
    )
    async def test_a_lost_answer_raises_outcome_unknown_after_one_request(
        self,
        client: Client,
        mock_api: aioresponses,
        write: str,
        fault: Callable[[], Exception],
    ) -> None:
        """Sent, then the answer lost: OutcomeUnknownError, not a second create."""
        url, call = CREATES[write]
        for _ in range(4):
            mock_api.post(url, exception=fault())
        sent = record_sent()

        with pytest.raises(OutcomeUnknownError, match="may have been processed"):
            await call(client)

        assert 1 == len(sent)

    @pytest.mark.parametrize("write", list(CREATES))
    async def test_a_429_is_retried_with_the_same_body(
        self, client: Client, mock_api: aioresponses, write: str
    ) -> None:
        """A 429 was not processed, so the create is sent again, unchanged."""
        url, call = CREATES[write]
        mock_api.post(url, status=429)
        mock_api.post(url, status=201, payload=brand_answer() | campaign_answer())
        sent = record_sent()

        await call(client)

        assert (2, sent[0].data) == (len(sent), sent[1].data)

    @pytest.mark.parametrize("write", list(CREATES))
    async def test_a_connect_timeout_is_retried(
        self, client: Client, mock_api: aioresponses, write: str
    ) -> None:
        """A create that never left (connect timed out) is sent again."""
        url, call = CREATES[write]
        mock_api.post(url, exception=aiohttp.ConnectionTimeoutError("connect timed out"))
        mock_api.post(url, status=201, payload=brand_answer() | campaign_answer())
        sent = record_sent()

        await call(client)

        assert 2 == len(sent)

    @pytest.mark.parametrize("write", list(CREATES))
    async def test_a_422_carries_each_item_as_the_api_gave_it(
        self, client: Client, mock_api: aioresponses, write: str
    ) -> None:
        """UnprocessableEntityError.errors: detail, title and code of each, in order."""
        url, call = CREATES[write]
        mock_api.post(
            url,
            status=422,
            payload={
                "errors": [
                    {
                        "detail": "ein is not valid for United States",
                        "title": "Invalid Parameter",
                        "code": "invalid_format",
                    },
                    {"detail": "name is taken", "title": "Conflict", "code": "taken"},
                ]
            },
        )

        with pytest.raises(UnprocessableEntityError) as caught:
            await call(client)

        assert (
            APIErrorItem(
                detail="ein is not valid for United States",
                title="Invalid Parameter",
                code="invalid_format",
            ),
            APIErrorItem(detail="name is taken", title="Conflict", code="taken"),
        ) == caught.value.errors


@needs_openapi
class TestTheVendorsContract:
    @pytest.mark.parametrize(
        ("operation", "method", "url", "write"),
        [
            ("create_brand", "POST", BRANDS, lambda c: c.brands.create(managed_brand())),
            ("create_brand", "POST", BRANDS, lambda c: c.brands.create(csp_brand())),
            (
                "create_campaign",
                "POST",
                CAMPAIGNS,
                lambda c: c.campaigns.create(BRAND_ID, managed_campaign()),
            ),
            (
                "create_campaign",
                "POST",
                CAMPAIGNS,
                lambda c: c.campaigns.create(BRAND_ID, partner_campaign()),
            ),
            (
                "update_campaign",
                "PUT",
                CAMPAIGN_URL,
                lambda c: c.campaigns.update(CAMPAIGN_ID, name="Renamed"),
            ),
        ],
        ids=["managed brand", "csp brand", "managed campaign", "partner campaign", "update"],
    )
    async def test_the_body_sent_validates_against_the_operation_s_request_schema(
        self,
        client: Client,
        mock_api: aioresponses,
        *,
        operation: str,
        method: str,
        url: str,
        write: Write,
    ) -> None:
        """The bytes on the wire are what the vendor's requestBody schema accepts."""
        assert SPEC is not None
        documented_method, _, _ = SPEC.operation(operation)
        mock_api.add(url, method, status=201, payload=brand_answer() | campaign_answer())
        sent = record_sent()

        await write(client)

        assert (documented_method, []) == (
            sent[0].method,
            SPEC.request_problems(operation, sent_json(sent[0].data)),
        )
