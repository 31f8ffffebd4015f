"""The fake server's real responses validate against the vendor's OpenAPI schemas."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import aiohttp
import pytest

from openapi import SPEC
from signalwire_orders.testing import FakeServer
from support import (
    OPENAPI,
    UNKNOWN_ID,
    call,
    csp_brand_body,
    managed_brand_body,
    managed_campaign_body,
    partner_campaign_body,
)

if SPEC is None:
    pytest.skip(f"the vendor OpenAPI is not at {OPENAPI}", allow_module_level=True)
assert SPEC is not None  # for the type checker: skipped above otherwise

DOCUMENT = SPEC.document
operation = SPEC.operation
problems = SPEC.problems
response_ref = SPEC.response_ref
documented_problems = SPEC.documented_problems
Body = Any


pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=2, orders_per_campaign=60, numbers_per_campaign=5
)


def paths(server: FakeServer) -> dict[str, str]:
    """One real path per route, with ids of records that exist."""
    brand_id = server.data.brands[0]["id"]
    campaign_id = server.data.campaign_ids_of(brand_id)[0]
    return {
        "list_brands": "/brands",
        "create_brand": "/brands",
        "retrieve_brand": f"/brands/{brand_id}",
        "list_campaigns": f"/brands/{brand_id}/campaigns",
        "create_campaign": f"/brands/{brand_id}/campaigns",
        "retrieve_campaign": f"/campaigns/{campaign_id}",
        "update_campaign": f"/campaigns/{campaign_id}",
        "list_number_assignments": f"/campaigns/{campaign_id}/numbers",
        "list_orders": f"/campaigns/{campaign_id}/orders",
        "create_order": f"/campaigns/{campaign_id}/orders",
        "retrieve_order": f"/orders/{server.data.orders_of(campaign_id)[0]['id']}",
        "delete_number_assignment": f"/numbers/{server.data.numbers_of(campaign_id)[0]['id']}",
    }


ROUTES = [
    "list_brands",
    "create_brand",
    "retrieve_brand",
    "list_campaigns",
    "create_campaign",
    "retrieve_campaign",
    "update_campaign",
    "list_number_assignments",
    "list_orders",
    "create_order",
    "retrieve_order",
    "delete_number_assignment",
]
LISTS = ["list_brands", "list_campaigns", "list_number_assignments", "list_orders"]
ORDER = {"phone_numbers": ["+15558675309"], "status_callback_url": "https://example.com/cb"}


class TestRoutes:
    @pytest.mark.parametrize("route", ROUTES)
    def test_route_is_the_openapi_operation(self, route: str) -> None:
        """Each route the fake serves has the method and path of the same OpenAPI operationId."""
        app = FakeServer(brands=1).make_app()
        served = {
            (r.method, r.resource.canonical)
            for r in app.router.routes()
            if r.name == route and r.resource is not None
        }

        method, path, _ = operation(route)

        assert served == {(method, path)}

    def test_create_order_sample_is_a_valid_request(self) -> None:
        """The request body the tests send is a valid CreateOrderRequest."""
        assert problems("#/components/schemas/CreateOrderRequest", ORDER) == []


class TestSuccessBodies:
    @pytest.mark.parametrize("route", LISTS)
    @pytest.mark.parametrize("query", ["?page_size=7", "?page_size=7&filter_state=pending"])
    async def test_every_list_page_validates(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str, query: str
    ) -> None:
        """Every page of every list route, filtered or not, is its documented list response."""
        url: str | None = server.api_url + paths(server)[route] + query
        errors: list[str] = []
        pages = 0
        while url is not None:
            status, body = await call(http, "GET", url)
            errors += documented_problems(route, status, body)
            pages += 1
            url = (
                urljoin(server.base_url, body["links"]["next"]) if "next" in body["links"] else None
            )

        assert errors == []
        assert pages >= 1

    async def test_name_filters_validate(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Brand and campaign lists filtered by name are valid list responses."""
        brand = server.data.brands[0]
        urls = {
            "list_brands": f"{server.api_url}/brands?filter_name={brand['name'][:3]}",
            "list_campaigns": f"{server.api_url}/brands/{brand['id']}/campaigns?filter_name=a",
        }

        errors = []
        for route, url in urls.items():
            status, body = await call(http, "GET", url)
            errors += documented_problems(route, status, body)

        assert errors == []

    @pytest.mark.parametrize("route", ["retrieve_brand", "retrieve_campaign", "retrieve_order"])
    async def test_single_objects_validate(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str
    ) -> None:
        """Each retrieve route answers its documented single-object response."""
        status, body = await call(http, "GET", server.api_url + paths(server)[route])

        assert status == 200
        assert documented_problems(route, status, body) == []

    @pytest.mark.parametrize("state", ["pending", "processing", "processed", "failed"])
    async def test_orders_in_every_state_validate(
        self, server: FakeServer, http: aiohttp.ClientSession, state: str
    ) -> None:
        """A seeded order in each state is a valid OrderResponse."""
        campaign_id = server.data.campaign_ids()[0]
        order_id = server.data.orders_of(campaign_id, state)[0]["id"]

        status, body = await call(http, "GET", f"{server.api_url}/orders/{order_id}")

        assert (status, body["state"]) == (200, state)
        assert documented_problems("retrieve_order", status, body) == []

    async def test_created_order_validates_at_every_step(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A created order and each poll of it until processed are valid OrderResponses."""
        create_url = server.api_url + paths(server)["create_order"]
        status, created = await call(http, "POST", create_url, ORDER)
        errors = documented_problems("create_order", status, created)
        for _ in range(2):
            poll_status, polled = await call(
                http, "GET", f"{server.api_url}/orders/{created['id']}"
            )
            errors += documented_problems("retrieve_order", poll_status, polled)

        assert errors == []
        assert polled["state"] == "processed"

    async def test_delete_is_the_documented_204(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Deleting a number assignment answers 204 with no body, as documented."""
        url = server.api_url + paths(server)["delete_number_assignment"]

        status, body = await call(http, "DELETE", url)

        assert (status, body) == (204, None)
        assert "content" not in operation("delete_number_assignment")[2]["responses"]["204"]


class TestErrorBodies:
    @pytest.mark.parametrize("route", ROUTES)
    async def test_401_validates(self, server: FakeServer, route: str) -> None:
        """Every route answers missing credentials with its documented 401 body."""
        method, _, _ = operation(route)
        async with aiohttp.ClientSession() as anonymous:
            status, body = await call(anonymous, method, server.api_url + paths(server)[route])

        assert status == 401
        assert documented_problems(route, status, body) == []

    @pytest.mark.parametrize("route", [r for r in ROUTES if "{id}" in operation(r)[1]])
    async def test_404_validates(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str
    ) -> None:
        """Every route with an id answers an unknown id with its documented 404 body."""
        method, path, _ = operation(route)
        url = server.base_url + path.replace("{id}", UNKNOWN_ID)

        status, body = await call(http, method, url, ORDER if method in {"POST", "PUT"} else None)

        assert status == 404
        assert documented_problems(route, status, body) == []

    @pytest.mark.parametrize("route", ROUTES)
    async def test_500_validates(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str
    ) -> None:
        """Every route's 500 fault is its documented 500 body."""
        method, _, _ = operation(route)
        server.faults.script(route, ["500"])

        status, body = await call(http, method, server.api_url + paths(server)[route], ORDER)

        assert status == 500
        assert documented_problems(route, status, body) == []

    @pytest.mark.parametrize(
        "payload",
        [{"phone_numbers": ["12"]}, {"phone_numbers": []}, {"phone_numbers": ["+1"], "x": 1}, []],
    )
    async def test_create_order_422_validates(
        self, server: FakeServer, http: aiohttp.ClientSession, payload: object
    ) -> None:
        """An invalid create_order body gets the documented ValidationError body."""
        url = server.api_url + paths(server)["create_order"]

        status, body = await call(http, "POST", url, payload)

        assert status == 422
        assert documented_problems("create_order", status, body) == []

    @pytest.mark.parametrize("route", LISTS)
    async def test_paging_422_is_a_validation_error(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str
    ) -> None:
        """A bad page_size on a list route gets the ValidationError body."""
        url = server.api_url + paths(server)[route] + "?page_size=0"

        status, body = await call(http, "GET", url)

        assert status == 422
        assert problems("#/components/schemas/Types.StatusCodes.ValidationError", body) == []


# -- the writes: create_brand, create_campaign, update_campaign --------------------------------

SCHEMAS = "#/components/schemas/"
#: Each request schema of the writes, and a valid body of it (given the path's brand).
REQUESTS: dict[str, Any] = {
    "CreateManagedBrandRequest": lambda _brand_id: managed_brand_body(),
    "CreateCspBrandRequest": lambda _brand_id: csp_brand_body(),
    "CreateManagedCampaignRequest": managed_campaign_body,
    "CreatePartnerCampaignRequest": partner_campaign_body,
}


def write_of(schema: str) -> str:
    """The operationId a request schema is the body of."""
    return "create_brand" if "Brand" in schema else "create_campaign"


def schema_example(schema: str, brand_id: str) -> dict[str, Any]:
    """A body made of the examples the schema gives its properties (brand_id: the path's)."""
    properties = DOCUMENT["components"]["schemas"][schema]["properties"]
    body = {name: p["examples"][0] for name, p in properties.items() if p.get("examples")}
    return body | ({"brand_id": brand_id} if "brand_id" in body else {})


class TestWrites:
    @pytest.mark.parametrize("schema", list(REQUESTS))
    def test_the_sample_bodies_are_valid_requests(self, schema: str) -> None:
        """The bodies the tests send are valid requests of their schema."""
        body = REQUESTS[schema](UNKNOWN_ID)

        assert problems(SCHEMAS + schema, body) == []

    @pytest.mark.parametrize("schema", list(REQUESTS))
    async def test_a_body_of_the_schema_s_own_examples_is_created(
        self, server: FakeServer, http: aiohttp.ClientSession, schema: str
    ) -> None:
        """The vendor's examples, put together, are accepted and give the documented 201 body."""
        route = write_of(schema)
        brand_id = server.data.brands[0]["id"]

        status, body = await call(
            http, "POST", server.api_url + paths(server)[route], schema_example(schema, brand_id)
        )

        assert (status, documented_problems(route, status, body)) == (201, [])

    @pytest.mark.parametrize(
        ("schema", "field"),
        [
            (schema, field)
            for schema in REQUESTS
            for field in DOCUMENT["components"]["schemas"][schema]["required"]
            # Without csp_campaign_reference a body is checked as the managed form instead.
            if field != "csp_campaign_reference"
        ],
    )
    async def test_every_required_property_is_required(
        self, server: FakeServer, http: aiohttp.ClientSession, schema: str, field: str
    ) -> None:
        """Leaving out a property the OpenAPI requires gets a 422 naming it."""
        route = write_of(schema)
        body = REQUESTS[schema](server.data.brands[0]["id"])
        del body[field]

        status, answer = await call(http, "POST", server.api_url + paths(server)[route], body)

        assert status == 422
        assert {"code": "missing_attribute", "detail": f"{field} is required"} in [
            {"code": e["code"], "detail": e["detail"]} for e in answer["errors"]
        ]

    @pytest.mark.parametrize("schema", list(REQUESTS))
    async def test_created_objects_validate_at_every_step(
        self, server: FakeServer, http: aiohttp.ClientSession, schema: str
    ) -> None:
        """A created brand or campaign, each poll of it and its list page are documented bodies."""
        route = write_of(schema)
        kind = "brand" if route == "create_brand" else "campaign"
        brand_id = server.data.brands[0]["id"]
        path = paths(server)[route]
        status, created = await call(
            http, "POST", server.api_url + path, REQUESTS[schema](brand_id)
        )
        errors = documented_problems(route, status, created)
        for _ in range(2):
            url = f"{server.api_url}/{kind}s/{created['id']}"
            poll_status, polled = await call(http, "GET", url)
            errors += documented_problems(f"retrieve_{kind}", poll_status, polled)
        list_status, page = await call(http, "GET", server.api_url + path)
        errors += documented_problems(f"list_{kind}s", list_status, page)

        assert errors == []
        assert polled["state"] in {"completed", "active"}
        assert created["id"] in [item["id"] for item in page["data"]]

    async def test_an_update_validates(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """The answer to update_campaign is its documented CampaignResponse."""
        body = {"name": "Renamed"}
        assert problems(SCHEMAS + "UpdateCampaignRequest", body) == []

        status, answer = await call(
            http, "PUT", server.api_url + paths(server)["update_campaign"], body
        )

        assert (status, documented_problems("update_campaign", status, answer)) == (200, [])

    @pytest.mark.parametrize(
        ("route", "payload"),
        [
            ("create_brand", {"name": 7, "color": "red"}),
            ("create_brand", []),
            ("create_campaign", {"name": "ab", "csp_campaign_reference": "C1"}),
            ("update_campaign", {"name": 7, "state": "active"}),
        ],
    )
    async def test_write_422s_validate(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str, payload: object
    ) -> None:
        """An invalid write body gets the documented ValidationError body."""
        method, _, _ = operation(route)

        status, body = await call(http, method, server.api_url + paths(server)[route], payload)

        assert status == 422
        assert documented_problems(route, status, body) == []
        assert problems(SCHEMAS + "Types.StatusCodes.ValidationError", body) == []
