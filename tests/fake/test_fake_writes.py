"""The fake's writes: create_brand, create_campaign and update_campaign, checked and kept."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from signalwire_orders.testing import FakeData, FakeServer
from support import (
    UNKNOWN_ID,
    call,
    csp_brand_body,
    managed_brand_body,
    managed_campaign_body,
    partner_campaign_body,
    walk_links,
)

pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=2, orders_per_campaign=10, numbers_per_campaign=3
)

Body = dict[str, Any]
#: Changes made to a valid body, and the ``(code, detail)`` of each item they give.
Problems = list[tuple[dict[str, Any], list[tuple[str, str]]]]
#: Stands for "leave this property out" in the changes made to a valid body.
DROP = object()
ENTITY_TYPES = "PRIVATE_PROFIT, PUBLIC_PROFIT, NON_PROFIT, GOVERNMENT"
MANAGED_BRAND_REQUIRED = [
    "name",
    "company_name",
    "contact_email",
    "contact_phone",
    "ein_issuing_country",
    "legal_entity_type",
    "ein",
    "company_address",
    "company_website",
]
MANAGED_CAMPAIGN_REQUIRED = [
    "name",
    "brand_id",
    "sms_use_case",
    "description",
    "sample1",
    "sample2",
    "message_flow",
    "opt_out_message",
    "help_message",
    "number_pooling_required",
    "direct_lending",
    "embedded_link",
    "embedded_phone",
    "age_gated_content",
    "lead_generation",
    "terms_and_conditions",
]
YES_NO = MANAGED_CAMPAIGN_REQUIRED[9:]
LONG_TEXTS = ["description", "message_flow"]
MESSAGES = ["sample1", "sample2", "sample3", "sample4", "sample5"]
MESSAGES += ["opt_in_message", "opt_out_message", "help_message"]
BAD_CALLBACK_URLS = ["ftp://example.com/cb", "/cb", "example.com/cb", "https://", "http://a b/"]
BAD_CALLBACK_URLS += ["http://example.com:99999/cb", "http://[::1/cb"]


def changed(body: Body, changes: dict[str, Any]) -> Body:
    """``body`` with ``changes`` applied; a `DROP` value removes the property."""
    updated = body | changes
    return {key: value for key, value in updated.items() if value is not DROP}


def items(*problems: tuple[str, str]) -> list[dict[str, str]]:
    """The 422 body's items for these ``(code, detail)`` problems."""
    return [
        {"detail": detail, "status": "422", "title": "Invalid Parameter", "code": code}
        for code, detail in problems
    ]


def brand_of_two(server: FakeServer) -> tuple[str, str]:
    """Two seeded brands' ids."""
    return server.data.brands[0]["id"], server.data.brands[1]["id"]


async def post_brand(http: aiohttp.ClientSession, server: FakeServer, body: object) -> Any:
    """POST /brands; return the status and the body."""
    return await call(http, "POST", f"{server.api_url}/brands", body)


async def post_campaign(
    http: aiohttp.ClientSession, server: FakeServer, brand_id: str, body: object
) -> Any:
    """POST /brands/{brand_id}/campaigns; return the status and the body."""
    return await call(http, "POST", f"{server.api_url}/brands/{brand_id}/campaigns", body)


# -- the 422s of every request form --------------------------------------------------------

BRAND_PROBLEMS: Problems = [
    ({"color": "red"}, [("unknown_attribute", "unknown attribute 'color'")]),
    ({"name": 7}, [("invalid_type", "name must be a string")]),
    ({"ein": ["12"]}, [("invalid_type", "ein must be a string")]),
    ({"legal_entity_type": 1}, [("invalid_type", "legal_entity_type must be a string")]),
    ({"status_callback_url": None}, [("invalid_type", "status_callback_url must be a string")]),
    ({"name": "ab"}, [("invalid_length", "name must be 3 to 64 characters")]),
    ({"name": "x" * 65}, [("invalid_length", "name must be 3 to 64 characters")]),
    ({"company_name": "ab"}, [("invalid_length", "company_name must be 3 to 64 characters")]),
    (
        {"contact_email": "a" * 59 + "@b.com"},
        [("invalid_length", "contact_email must be 3 to 64 characters")],
    ),
    (
        {"contact_phone": "+1"},
        [
            ("invalid_length", "contact_phone must be 3 to 64 characters"),
            ("invalid_format", "contact_phone must be an E.164 phone number such as +18995551212"),
        ],
    ),
    *(
        (
            {"contact_phone": phone},
            [
                (
                    "invalid_format",
                    "contact_phone must be an E.164 phone number such as +18995551212",
                )
            ],
        )
        for phone in ["8995551212", "+08995551212", "+1 899 555 1212", "+1234567890123456"]
    ),
    *(
        (
            {"contact_email": email},
            [("invalid_format", "contact_email must be an email address such as info@example.com")],
        )
        for email in ["brand_info", "a@b", "a b@example.com", "@example.com", "a@example."]
    ),
    *(
        (
            {"company_website": site},
            [("invalid_format", "company_website must be a web address such as www.example.com")],
        )
        for site in ["example", "ftp://www.example.com", "www.example.com/a b", "https://", ""]
    ),
    *(
        (
            {"status_callback_url": url},
            [("invalid_format", "status_callback_url must be an absolute http or https URL")],
        )
        for url in BAD_CALLBACK_URLS
    ),
    (
        {"legal_entity_type": "LLC"},
        [("invalid_value", f"legal_entity_type must be one of {ENTITY_TYPES}")],
    ),
]
CAMPAIGN_PROBLEMS: Problems = [
    ({"brand": "x"}, [("unknown_attribute", "unknown attribute 'brand'")]),
    ({"name": "ab"}, [("invalid_length", "name must be 3 to 64 characters")]),
    ({"name": "x" * 65}, [("invalid_length", "name must be 3 to 64 characters")]),
    ({"sms_use_case": 2}, [("invalid_type", "sms_use_case must be a string")]),
    *(
        ({field: "x" * 39}, [("invalid_length", f"{field} must be at least 40 characters")])
        for field in LONG_TEXTS
    ),
    *(
        ({field: "x" * 19}, [("invalid_length", f"{field} must be at least 20 characters")])
        for field in MESSAGES
    ),
    *(({field: "false"}, [("invalid_type", f"{field} must be a boolean")]) for field in YES_NO),
    ({"brand_id": "not-a-uuid"}, [("invalid_format", "brand_id must be a UUID")]),
    ({"brand_id": 7}, [("invalid_type", "brand_id must be a string")]),
    ({"sub_use_cases": "MIXED"}, [("invalid_type", "sub_use_cases must be a list of strings")]),
    ({"sub_use_cases": [1]}, [("invalid_type", "sub_use_cases must be a list of strings")]),
    (
        {"status_callback_url": "example.com/cb"},
        [("invalid_format", "status_callback_url must be an absolute http or https URL")],
    ),
]
CSP_BRAND_PROBLEMS: Problems = [
    (
        {"csp_self_registered": False},
        [("invalid_value", "csp_self_registered must be true")],
    ),
    (
        {"csp_self_registered": "true"},
        [("invalid_type", "csp_self_registered must be a boolean")],
    ),
    (
        {"csp_self_registered": DROP},
        [("missing_attribute", "csp_self_registered is required")],
    ),
    (
        {"csp_brand_reference": DROP},
        [("missing_attribute", "csp_brand_reference is required")],
    ),
    ({"name": DROP}, [("missing_attribute", "name is required")]),
    ({"ein": "12-3456789"}, [("unknown_attribute", "unknown attribute 'ein'")]),
    ({"name": "ab"}, [("invalid_length", "name must be 3 to 64 characters")]),
]
PARTNER_CAMPAIGN_PROBLEMS: Problems = [
    ({"name": DROP}, [("missing_attribute", "name is required")]),
    ({"brand_id": DROP}, [("missing_attribute", "brand_id is required")]),
    (
        {"csp_campaign_reference": 5},
        [("invalid_type", "csp_campaign_reference must be a string")],
    ),
    ({"description": "d" * 40}, [("unknown_attribute", "unknown attribute 'description'")]),
]


def missing(fields: list[str]) -> Problems:
    """Leaving out each of ``fields``, and the item that says so."""
    return [({field: DROP}, [("missing_attribute", f"{field} is required")]) for field in fields]


#: Each request form: a valid body of it (for the path's brand), and the rules it breaks.
FORMS: dict[str, tuple[Any, Problems]] = {
    "managed_brand": (
        lambda _brand_id: managed_brand_body(),
        BRAND_PROBLEMS + missing(MANAGED_BRAND_REQUIRED),
    ),
    "csp_brand": (lambda _brand_id: csp_brand_body(), CSP_BRAND_PROBLEMS),
    "managed_campaign": (
        managed_campaign_body,
        CAMPAIGN_PROBLEMS + missing(MANAGED_CAMPAIGN_REQUIRED),
    ),
    "partner_campaign": (partner_campaign_body, PARTNER_CAMPAIGN_PROBLEMS),
}
RULES = [
    pytest.param(form, changes, problems, id=f"{form}-{index}")
    for form, (_, table) in FORMS.items()
    for index, (changes, problems) in enumerate(table)
]


class TestEveryRule:
    @pytest.mark.parametrize(("form", "changes", "problems"), RULES)
    async def test_each_rule_has_its_item(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        form: str,
        changes: dict[str, Any],
        problems: list[tuple[str, str]],
    ) -> None:
        """Missing and unknown properties, types, lengths, formats and enums: an item each."""
        brand_id = server.data.brands[0]["id"]
        path = "/brands" if form.endswith("brand") else f"/brands/{brand_id}/campaigns"
        body = changed(FORMS[form][0](brand_id), changes)

        status, answer = await call(http, "POST", server.api_url + path, body)

        assert (status, answer) == (422, {"errors": items(*problems)})


class TestCreateBrandProblems:
    async def test_a_vertical_not_documented_is_refused(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """company_vertical must be one of the CompanyVertical values."""
        body = changed(managed_brand_body(), {"company_vertical": "SPACE"})

        status, answer = await post_brand(http, server, body)

        assert status == 422
        assert answer["errors"][0]["code"] == "invalid_value"
        assert answer["errors"][0]["detail"].startswith("company_vertical must be one of AGRI")

    async def test_every_violation_is_reported_at_once(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A body breaking three rules gets three items, missing properties first."""
        body = changed(managed_brand_body(), {"ein": DROP, "name": 7, "color": "red"})

        status, answer = await post_brand(http, server, body)

        expected = items(
            ("missing_attribute", "ein is required"),
            ("invalid_type", "name must be a string"),
            ("unknown_attribute", "unknown attribute 'color'"),
        )
        assert (status, answer) == (422, {"errors": expected})

    @pytest.mark.parametrize("payload", [[], "brand", None, 3])
    async def test_a_body_that_is_not_an_object_is_refused(
        self, server: FakeServer, http: aiohttp.ClientSession, payload: object
    ) -> None:
        """A JSON body that is not an object gets the invalid_json item."""
        status, answer = await post_brand(http, server, payload)

        expected = items(("invalid_json", "the request body must be a JSON object"))
        assert (status, answer) == (422, {"errors": expected})

    async def test_a_body_that_is_not_json_is_refused(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Bytes that are not JSON get the invalid_json item too."""
        async with http.post(f"{server.api_url}/brands", data=b"{not json") as response:
            status, answer = response.status, await response.json()

        assert (status, answer["errors"][0]["code"]) == (422, "invalid_json")

    async def test_nothing_is_created_by_a_refused_body(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A 422 leaves the brands and the revision as they were."""
        before = (len(server.data.brands), server.data.revision)

        await post_brand(http, server, {"name": "x"})

        assert (len(server.data.brands), server.data.revision) == before


# -- create_brand ----------------------------------------------------------------------------


class TestCreateBrand:
    async def test_the_managed_form_is_created_pending(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A managed brand answers 201 with the given fields, pending, not self-registered."""
        body = managed_brand_body()

        status, brand = await post_brand(http, server, body)

        assert status == 201
        assert {k: brand[k] for k in body} == body
        assert (brand["state"], brand["csp_self_registered"]) == ("pending", False)
        assert brand["created_at"] == brand["updated_at"]
        assert set(brand) == {
            *body,
            "id",
            "state",
            "csp_self_registered",
            "created_at",
            "updated_at",
        }

    async def test_the_csp_form_is_created_pending(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A self-registered brand answers 201 with its reference and csp_self_registered true."""
        body = csp_brand_body()

        status, brand = await post_brand(http, server, body)

        assert status == 201
        assert {k: brand[k] for k in body} == body
        assert set(brand) == {*body, "id", "state", "created_at", "updated_at"}

    @pytest.mark.parametrize(
        "changes",
        [
            {"company_vertical": DROP, "status_callback_url": DROP},
            {"company_website": "https://www.example.com/about?x=1"},
            {"company_website": "http://example.co.uk:8080"},
            {"status_callback_url": "http://127.0.0.1:8080/cb"},
            {"legal_entity_type": "GOVERNMENT", "company_vertical": "TRANSPORTATION"},
            {"name": "x" * 64, "contact_phone": "+123"},
        ],
    )
    async def test_valid_variants_are_accepted(
        self, server: FakeServer, http: aiohttp.ClientSession, changes: dict[str, Any]
    ) -> None:
        """Optional properties may be left out; bounds and formats accept their edges."""
        status, _ = await post_brand(http, server, changed(managed_brand_body(), changes))

        assert status == 201

    async def test_it_is_retrieved_and_listed_last(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """The new brand is retrievable and comes after the seeded ones in list_brands."""
        _, brand = await post_brand(http, server, managed_brand_body())

        status, got = await call(http, "GET", f"{server.api_url}/brands/{brand['id']}")
        listed, _ = await walk_links(
            http, server, "/api/relay/rest/registry/beta/brands?page_size=1"
        )

        assert (status, got) == (200, brand)
        assert listed[-1] == brand
        assert len(listed) == 3
        assert server.data.brands[-1] == brand

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("filter_state=pending", True),
            ("filter_state=completed", False),
            ("filter_name=ALERTS", True),
            ("filter_name=zzz", False),
        ],
    )
    async def test_list_filters_see_it(
        self, server: FakeServer, http: aiohttp.ClientSession, query: str, found: bool
    ) -> None:
        """filter_state and filter_name (any case) pick the new brand like a seeded one."""
        _, brand = await post_brand(http, server, managed_brand_body())

        _, page = await call(http, "GET", f"{server.api_url}/brands?{query}")

        assert (brand in page["data"]) is found

    async def test_the_data_creates_one_without_http(self, server: FakeServer) -> None:
        """FakeData.create_brand makes the same brand the route does, and counts as a change."""
        before = server.data.revision

        brand = server.data.create_brand(csp_brand_body())

        assert server.data.brand(brand["id"]) == brand
        assert server.data.revision == before + 1

    def test_the_data_refuses_a_bad_body_with_every_problem(self) -> None:
        """FakeData.create_brand raises ValueError naming each violation."""
        with pytest.raises(ValueError, match="ein is required; name must be a string"):
            FakeData(brands=1).create_brand(changed(managed_brand_body(), {"ein": DROP, "name": 7}))

    def test_the_data_refuses_an_undocumented_final_state(self) -> None:
        """A brand can end completed or unverified (the webhook table's moves), nothing else."""
        with pytest.raises(ValueError, match="final_state must be one of completed, unverified"):
            FakeData(brands=1).create_brand(csp_brand_body(), final_state="active")


# -- create_campaign -------------------------------------------------------------------------


class TestCreateCampaignProblems:
    @pytest.mark.parametrize("form", [managed_campaign_body, partner_campaign_body])
    async def test_brand_id_must_be_the_path_s_brand(
        self, server: FakeServer, http: aiohttp.ClientSession, form: Any
    ) -> None:
        """A body naming another brand than the path's gets the brand_mismatch item."""
        path_brand, other = brand_of_two(server)

        status, answer = await post_campaign(http, server, path_brand, form(other))

        detail = f"brand_id {other} is not the brand {path_brand} of the path"
        assert (status, answer) == (422, {"errors": items(("brand_mismatch", detail))})

    @pytest.mark.parametrize("valid", [True, False])
    async def test_an_unknown_brand_is_404_whatever_the_body(
        self, server: FakeServer, http: aiohttp.ClientSession, valid: bool
    ) -> None:
        """A brand the server does not have gets 404 before the body is looked at."""
        body = managed_campaign_body(UNKNOWN_ID) if valid else {"name": 1}

        status, answer = await post_campaign(http, server, UNKNOWN_ID, body)

        assert (status, answer) == (404, {"error": "Not Found"})


class TestCreateCampaign:
    async def test_the_managed_form_is_shown_with_the_campaign_s_names(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """dynamic_messages is shown as dynamic_templates; brand_id and the terms are not shown."""
        brand_id, _ = brand_of_two(server)
        body = managed_campaign_body(brand_id)

        status, campaign = await post_campaign(http, server, brand_id, body)

        assert (status, campaign["state"]) == (201, "pending")
        assert campaign["dynamic_templates"] == body["dynamic_messages"]
        assert {"brand_id", "terms_and_conditions", "dynamic_messages"}.isdisjoint(campaign)
        kept = set(body) - {"brand_id", "terms_and_conditions", "dynamic_messages"}
        assert {k: campaign[k] for k in kept} == {k: body[k] for k in kept}

    async def test_keywords_left_out_take_the_documented_defaults(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A managed campaign's keywords default to START, STOP and HELP (the Campaign schema)."""
        brand_id, _ = brand_of_two(server)

        _, campaign = await post_campaign(http, server, brand_id, managed_campaign_body(brand_id))

        keywords = [campaign[f"{kind}_keywords"] for kind in ("opt_in", "opt_out", "help")]
        assert keywords == ["START,SUBSCRIBE", "STOP", "HELP"]

    async def test_the_partner_form_is_created_pending(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A partner campaign shows its name, reference and callback URL, nothing invented."""
        brand_id, _ = brand_of_two(server)
        body = partner_campaign_body(brand_id)

        status, campaign = await post_campaign(http, server, brand_id, body)

        assert status == 201
        expected = {"id", "name", "state", "csp_campaign_reference", "status_callback_url"}
        assert set(campaign) == expected | {"created_at", "updated_at"}

    async def test_the_brand_id_may_differ_in_case(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """The body's brand_id and the path's compare as UUIDs, in any case."""
        brand_id, _ = brand_of_two(server)
        body = partner_campaign_body(brand_id.upper())

        status, _ = await post_campaign(http, server, brand_id, body)

        assert status == 201

    async def test_it_is_retrieved_and_listed_with_its_brand(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """The new campaign is retrievable, last in its brand's list_campaigns, in the data."""
        brand_id, _ = brand_of_two(server)
        _, campaign = await post_campaign(http, server, brand_id, partner_campaign_body(brand_id))

        _, got = await call(http, "GET", f"{server.api_url}/campaigns/{campaign['id']}")
        _, page = await call(http, "GET", f"{server.api_url}/brands/{brand_id}/campaigns")

        assert got == campaign
        assert page["data"][-1] == campaign
        assert campaign["id"] in server.data.campaign_ids_of(brand_id)
        assert server.data.brand_of(campaign["id"]) == brand_id

    async def test_a_created_brand_gets_campaigns(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A brand created through the API takes campaigns and lists them."""
        _, brand = await post_brand(http, server, csp_brand_body())
        _, campaign = await post_campaign(
            http, server, brand["id"], partner_campaign_body(brand["id"])
        )

        _, page = await call(http, "GET", f"{server.api_url}/brands/{brand['id']}/campaigns")

        assert page["data"] == [campaign]

    async def test_it_has_no_orders_or_numbers_until_one_is_ordered(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """An empty campaign lists no orders or numbers; an order created in it is then listed."""
        brand_id, _ = brand_of_two(server)
        _, campaign = await post_campaign(http, server, brand_id, partner_campaign_body(brand_id))
        base = f"{server.api_url}/campaigns/{campaign['id']}"
        _, orders = await call(http, "GET", f"{base}/orders")
        _, numbers = await call(http, "GET", f"{base}/numbers")

        status, order = await call(
            http, "POST", f"{base}/orders", {"phone_numbers": ["+15551234567"]}
        )
        _, after = await call(http, "GET", f"{base}/orders")

        assert (orders["data"], numbers["data"]) == ([], [])
        assert (status, after["data"]) == (200, [order])
        assert server.data.count_orders(campaign["id"]) == 1

    async def test_the_data_creates_one_without_http(self, server: FakeServer) -> None:
        """FakeData.create_campaign makes what the route does; an unknown brand is a KeyError."""
        brand_id, _ = brand_of_two(server)

        campaign = server.data.create_campaign(brand_id, partner_campaign_body(brand_id))

        assert server.data.campaign(campaign["id"]) == campaign
        with pytest.raises(KeyError):
            server.data.create_campaign(UNKNOWN_ID, partner_campaign_body(UNKNOWN_ID))


# -- update_campaign -------------------------------------------------------------------------


class TestUpdateCampaign:
    async def test_a_seeded_campaign_is_renamed_and_keeps_the_rest(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """PUT changes a seeded campaign's name and updated_at; every other field is kept."""
        before = server.data.campaign(campaign_id)

        status, after = await call(
            http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", {"name": "Renamed"}
        )

        assert (status, after["name"]) == (200, "Renamed")
        assert after["updated_at"] != before["updated_at"]
        unchanged = set(before) - {"name", "updated_at"}
        assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
        assert server.data.campaign(campaign_id) == after

    async def test_the_new_name_is_listed_and_filtered_on(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """list_campaigns shows the new name, and filter_name finds it."""
        brand_id = server.data.brand_of(campaign_id)
        await call(http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", {"name": "Zebra"})

        _, page = await call(
            http, "GET", f"{server.api_url}/brands/{brand_id}/campaigns?filter_name=zeb"
        )

        assert [c["id"] for c in page["data"]] == [campaign_id]

    async def test_a_created_campaign_is_renamed(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A campaign created through the API is renamed like a seeded one."""
        brand_id, _ = brand_of_two(server)
        created = server.data.create_campaign(brand_id, partner_campaign_body(brand_id))

        status, after = await call(
            http, "PUT", f"{server.api_url}/campaigns/{created['id']}", {"name": "Renamed"}
        )

        assert (status, after) == (
            200,
            created | {"name": "Renamed", "updated_at": after["updated_at"]},
        )
        assert after["updated_at"] >= created["updated_at"]

    @pytest.mark.parametrize("name", ["ab", "x" * 65, ""])
    async def test_any_string_is_a_name(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str, name: str
    ) -> None:
        """UpdateCampaignRequest gives name no length bounds, so the fake applies none."""
        status, after = await call(
            http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", {"name": name}
        )

        assert (status, after["name"]) == (200, name)

    async def test_an_empty_body_keeps_the_name(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """An update with no name is valid and leaves the name as it was."""
        name = server.data.campaign(campaign_id)["name"]

        status, after = await call(http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", {})

        assert (status, after["name"]) == (200, name)

    @pytest.mark.parametrize(
        ("payload", "problems"),
        [
            ({"name": 7}, [("invalid_type", "name must be a string")]),
            ({"name": None}, [("invalid_type", "name must be a string")]),
            ({"state": "active"}, [("unknown_attribute", "unknown attribute 'state'")]),
            (["Renamed"], [("invalid_json", "the request body must be a JSON object")]),
        ],
    )
    async def test_a_bad_body_is_422(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        campaign_id: str,
        payload: object,
        problems: list[tuple[str, str]],
    ) -> None:
        """Unknown properties, a name that is not a string, a body that is not an object: 422."""
        before = server.data.campaign(campaign_id)

        status, answer = await call(
            http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", payload
        )

        assert (status, answer) == (422, {"errors": items(*problems)})
        assert server.data.campaign(campaign_id) == before

    async def test_an_unknown_campaign_is_404(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """PUT on a campaign the server does not have gets 404."""
        status, answer = await call(
            http, "PUT", f"{server.api_url}/campaigns/{UNKNOWN_ID}", {"name": "Renamed"}
        )

        assert (status, answer) == (404, {"error": "Not Found"})

    def test_the_data_refuses_a_name_that_is_not_a_string(self) -> None:
        """FakeData.update_campaign raises ValueError for a name that is not a string."""
        data = FakeData(brands=1)
        name: Any = 7

        with pytest.raises(ValueError, match="name must be a string"):
            data.update_campaign(data.campaign_ids()[0], name)


# -- recording, faults and revisions ---------------------------------------------------------


class TestRecordingAndFaults:
    async def test_write_bodies_and_routes_are_recorded(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Each write's request is recorded under its operationId with the body sent."""
        brand_id, _ = brand_of_two(server)
        bodies = [csp_brand_body(), partner_campaign_body(brand_id), {"name": "Renamed"}]
        await post_brand(http, server, bodies[0])
        await post_campaign(http, server, brand_id, bodies[1])
        await call(http, "PUT", f"{server.api_url}/campaigns/{campaign_id}", bodies[2])

        recorded = [(r.method, r.route, json.loads(r.body)) for r in server.requests]

        assert recorded == [
            ("POST", "create_brand", bodies[0]),
            ("POST", "create_campaign", bodies[1]),
            ("PUT", "update_campaign", bodies[2]),
        ]
        assert [
            server.count(r) for r in ("create_brand", "create_campaign", "update_campaign")
        ] == [1, 1, 1]

    @pytest.mark.parametrize("route", ["create_brand", "create_campaign", "update_campaign"])
    async def test_a_replacing_fault_writes_nothing(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str, route: str
    ) -> None:
        """A scripted 500 on a write route answers 500 and leaves the records alone."""
        brand_id, _ = brand_of_two(server)
        server.faults.route(route).latency = 0.0
        server.faults.script(route, ["500"])
        method, path, body = {
            "create_brand": ("POST", "/brands", csp_brand_body()),
            "create_campaign": (
                "POST",
                f"/brands/{brand_id}/campaigns",
                partner_campaign_body(brand_id),
            ),
            "update_campaign": ("PUT", f"/campaigns/{campaign_id}", {"name": "Renamed"}),
        }[route]
        before = server.data.revision

        status, _ = await call(http, method, server.api_url + path, body)

        assert (status, server.data.revision) == (500, before)

    def test_every_write_moves_the_revision(self) -> None:
        """Creating a brand and a campaign and renaming a campaign each move FakeData.revision."""
        data = FakeData(brands=1)
        start = data.revision

        brand = data.create_brand(csp_brand_body())
        campaign = data.create_campaign(brand["id"], partner_campaign_body(brand["id"]))
        data.update_campaign(campaign["id"], "Renamed")

        assert data.revision == start + 3
