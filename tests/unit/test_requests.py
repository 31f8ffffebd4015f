"""The write requests: checked when built, sent with the wire's names, optional fields left out."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

import attrs
import pytest

from openapi import SPEC, needs_openapi
from signalwire_orders import (
    Brand,
    Campaign,
    CompanyVertical,
    CspBrandRequest,
    LegalEntityType,
    ManagedBrandRequest,
    ManagedCampaignRequest,
    PartnerCampaignRequest,
)
from signalwire_orders._codec import decode
from signalwire_orders._requests import campaign_name, request_body

BRAND_ID = UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
BRAND: dict[str, Any] = {
    "name": "Acme Alerts",
    "company_name": "Acme Inc",
    "contact_email": "it@acme.example",
    "contact_phone": "+18995551212",
    "ein_issuing_country": "United States",
    "legal_entity_type": "PRIVATE_PROFIT",
    "ein": "12-3456789",
    "company_address": "123 Main St, Hill Valley CA, 91905",
    "company_website": "www.acme.example",
}
CAMPAIGN: dict[str, Any] = {
    "name": "Appointment reminders",
    "brand_id": str(BRAND_ID),
    "sms_use_case": "ACCOUNT_NOTIFICATION",
    "description": "Reminders of appointments to patients who asked for them by text.",
    "sample1": "Hi Ana, your appointment is tomorrow at 2pm. Reply STOP to opt out.",
    "sample2": "Reminder: your visit is on Friday at 10am. Reply STOP to opt out.",
    "message_flow": "Patients opt in on a paper form at the front desk of the clinic.",
    "opt_out_message": "You are unsubscribed and will get no more messages.",
    "help_message": "For help call 1-800-555-0123. Reply STOP to opt out.",
    "number_pooling_required": False,
    "direct_lending": False,
    "embedded_link": False,
    "embedded_phone": False,
    "age_gated_content": False,
    "lead_generation": False,
    "terms_and_conditions": True,
}
TEXT_40 = "x" * 40
TEXT_20 = "y" * 20


class TestManagedBrandRequest:
    def test_a_valid_request_becomes_its_body(self) -> None:
        """The body has the wire's names, the enum as its value, no unset optional field."""
        expected = BRAND

        actual = request_body(ManagedBrandRequest(**BRAND))

        assert expected == actual

    def test_optional_fields_are_sent_when_set(self) -> None:
        """``company_vertical`` and ``status_callback_url`` appear once given."""
        request = ManagedBrandRequest(
            **BRAND,
            company_vertical=CompanyVertical.HEALTHCARE,
            status_callback_url="https://hooks.acme.example/10dlc",
        )

        body = request_body(request)

        assert ("HEALTHCARE", "https://hooks.acme.example/10dlc") == (
            body["company_vertical"],
            body["status_callback_url"],
        )

    def test_enums_are_members_whether_given_as_members_or_values(self) -> None:
        """A documented string becomes the member; a member made from a new value is kept."""
        from_text = ManagedBrandRequest(**BRAND)
        added_later = ManagedBrandRequest(**{**BRAND, "legal_entity_type": LegalEntityType("LLC")})

        assert from_text.legal_entity_type is LegalEntityType.PRIVATE_PROFIT
        assert "LLC" == request_body(added_later)["legal_entity_type"]

    @pytest.mark.parametrize(
        ("field", "value", "rule"),
        [
            ("name", "ab", "3 to 64 characters"),
            ("name", "n" * 65, "3 to 64 characters"),
            ("company_name", "AB", "3 to 64 characters"),
            ("contact_email", "it.acme.example", "an email address"),
            ("contact_email", "a@b", "an email address"),
            ("contact_phone", "899-555-1212", "an E.164 phone number"),
            ("contact_phone", "+0123456", "an E.164 phone number"),
            ("company_website", "acme", "a web address"),
            ("company_website", "http:/acme.example", "a web address"),
            ("legal_entity_type", "PRIVATE", "one of PRIVATE_PROFIT"),
            ("ein", "  ", "a non-empty string"),
            ("company_address", "", "a non-empty string"),
            ("status_callback_url", "hooks.acme.example/10dlc", "an absolute http(s) URL"),
            ("status_callback_url", "ftp://acme.example/x", "an absolute http(s) URL"),
            ("company_vertical", "HEALTH", "one of AGRICULTURE"),
        ],
    )
    def test_each_rule_is_a_value_error_naming_the_field_and_the_rule(
        self, field: str, value: str, rule: str
    ) -> None:
        """A violation never reaches the API: ValueError, field and rule named."""
        with pytest.raises(ValueError, match=f"^{field} must be {re.escape(rule)}"):
            ManagedBrandRequest(**{**BRAND, field: value})

    @pytest.mark.parametrize(
        "website", ["www.example.com", "https://acme.example/about", "acme.co"]
    )
    def test_web_addresses_with_or_without_a_scheme_are_accepted(self, website: str) -> None:
        """The vendor's own example has no scheme: both forms are web addresses."""
        assert (
            website == ManagedBrandRequest(**{**BRAND, "company_website": website}).company_website
        )

    def test_a_missing_required_field_is_refused(self) -> None:
        """Required fields have no default."""
        fields = {k: v for k, v in BRAND.items() if k != "ein"}

        with pytest.raises(TypeError, match="ein"):
            ManagedBrandRequest(**fields)

    def test_a_wrong_type_is_a_type_error(self) -> None:
        """A number where a string belongs is a TypeError naming the field."""
        with pytest.raises(TypeError, match=r"^name must be a str"):
            ManagedBrandRequest(**{**BRAND, "name": 12345})

    def test_requests_are_frozen(self) -> None:
        """A checked request cannot be changed into an unchecked one."""
        request = ManagedBrandRequest(**BRAND)

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            request.name = "x"  # type: ignore[misc]  # the point


class TestCspBrandRequest:
    def test_it_sets_csp_self_registered_itself(self) -> None:
        """The CSP form always says ``csp_self_registered: true``; it is not an argument."""
        request = CspBrandRequest(name="Acme Alerts", csp_brand_reference="B123456")

        assert {
            "name": "Acme Alerts",
            "csp_brand_reference": "B123456",
            "csp_self_registered": True,
        } == request_body(request)
        with pytest.raises(TypeError):
            CspBrandRequest(  # type: ignore[call-arg]  # the point
                name="Acme", csp_brand_reference="B1", csp_self_registered=False
            )

    def test_its_name_follows_the_brand_rule(self) -> None:
        """The same 3 to 64 characters as a managed brand's."""
        with pytest.raises(ValueError, match=r"^name must be 3 to 64 characters"):
            CspBrandRequest(name="AB", csp_brand_reference="B1")


class TestManagedCampaignRequest:
    def test_a_valid_request_becomes_its_body(self) -> None:
        """brand_id as a string, booleans kept, unset optional fields left out."""
        expected = CAMPAIGN

        actual = request_body(ManagedCampaignRequest(**CAMPAIGN))

        assert expected == actual

    def test_brand_id_may_be_a_uuid_or_its_text(self) -> None:
        """Both give the same request."""
        expected = ManagedCampaignRequest(**CAMPAIGN)

        actual = ManagedCampaignRequest(**{**CAMPAIGN, "brand_id": BRAND_ID})

        assert expected == actual

    @pytest.mark.parametrize(
        ("field", "value", "rule"),
        [
            ("name", "ab", "3 to 64 characters"),
            ("brand_id", "not-a-uuid", "a UUID"),
            ("description", TEXT_40[:39], "at least 40 characters"),
            ("message_flow", "short", "at least 40 characters"),
            ("sample1", TEXT_20[:19], "at least 20 characters"),
            ("sample2", "hi", "at least 20 characters"),
            ("sample3", "hi", "at least 20 characters"),
            ("opt_in_message", "hi", "at least 20 characters"),
            ("opt_out_message", "bye", "at least 20 characters"),
            ("help_message", "help", "at least 20 characters"),
            ("status_callback_url", "example.com", "an absolute http(s) URL"),
            ("sub_use_cases", ["2FA"], "left out for sms_use_case ACCOUNT_NOTIFICATION"),
            ("sub_use_cases", "2FA", "a list of strings"),
        ],
    )
    def test_each_rule_is_a_value_error_naming_the_field_and_the_rule(
        self, field: str, value: object, rule: str
    ) -> None:
        """Lengths, formats and the sub use case rule are checked when the request is built."""
        with pytest.raises(ValueError, match=f"^{field} must be {re.escape(rule)}"):
            ManagedCampaignRequest(**{**CAMPAIGN, field: value})

    @pytest.mark.parametrize(
        ("use_case", "count"), [("MIXED", 1), ("MIXED", 6), ("LOW_VOLUME_MIXED", 0)]
    )
    def test_mixed_use_cases_need_their_number_of_sub_use_cases(
        self, use_case: str, count: int
    ) -> None:
        """MIXED takes 2 to 5 sub use cases, LOW_VOLUME_MIXED 1 to 5."""
        subs = ["2FA", "MARKETING", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION", "FRAUD_ALERT", "X"]

        with pytest.raises(ValueError, match=r"^sub_use_cases must be"):
            ManagedCampaignRequest(
                **{**CAMPAIGN, "sms_use_case": use_case, "sub_use_cases": subs[:count]}
            )

    def test_a_mixed_campaign_with_sub_use_cases_is_accepted(self) -> None:
        """Their list is sent as a JSON list."""
        request = ManagedCampaignRequest(
            **{**CAMPAIGN, "sms_use_case": "MIXED", "sub_use_cases": ["2FA", "MARKETING"]}
        )

        assert ["2FA", "MARKETING"] == request_body(request)["sub_use_cases"]

    def test_number_pooling_needs_its_reason(self) -> None:
        """number_pooling_per_campaign is required when number_pooling_required is True."""
        with pytest.raises(ValueError, match=r"^number_pooling_per_campaign must be given"):
            ManagedCampaignRequest(**{**CAMPAIGN, "number_pooling_required": True})

        pooled = ManagedCampaignRequest(
            **{**CAMPAIGN, "number_pooling_required": True},
            number_pooling_per_campaign="A local number for each of our 60 branches.",
        )
        assert pooled.number_pooling_per_campaign

    @pytest.mark.parametrize("field", ["direct_lending", "terms_and_conditions"])
    def test_the_yes_no_questions_are_booleans(self, field: str) -> None:
        """``"no"`` or ``0`` is not an answer: TypeError naming the field."""
        with pytest.raises(TypeError, match=f"^{field} must be True or False"):
            ManagedCampaignRequest(**{**CAMPAIGN, field: 0})


class TestPartnerCampaignRequest:
    def test_a_valid_request_becomes_its_body(self) -> None:
        """name, brand_id and csp_campaign_reference; the callback when given."""
        request = PartnerCampaignRequest(
            name="Alerts", brand_id=BRAND_ID, csp_campaign_reference="C123456"
        )

        assert {
            "name": "Alerts",
            "brand_id": str(BRAND_ID),
            "csp_campaign_reference": "C123456",
        } == request_body(request)

    def test_an_empty_reference_is_refused(self) -> None:
        """csp_campaign_reference is required and not blank."""
        with pytest.raises(ValueError, match=r"^csp_campaign_reference must be a non-empty"):
            PartnerCampaignRequest(name="Alerts", brand_id=BRAND_ID, csp_campaign_reference=" ")


class TestCampaignName:
    @pytest.mark.parametrize(("name", "error"), [("ab", ValueError), (None, TypeError)])
    def test_an_update_name_follows_the_creation_rule(
        self, name: object, error: type[Exception]
    ) -> None:
        """3 to 64 characters, a str."""
        with pytest.raises(error, match=r"^name must be"):
            campaign_name(name)


@needs_openapi
class TestTheVendorsSchemas:
    @pytest.mark.parametrize(
        ("schema", "request_"),
        [
            ("CreateManagedBrandRequest", ManagedBrandRequest(**BRAND)),
            (
                "CreateManagedBrandRequest",
                ManagedBrandRequest(
                    **BRAND,
                    company_vertical="RETAIL",
                    status_callback_url="https://hooks.acme.example/cb",
                ),
            ),
            ("CreateCspBrandRequest", CspBrandRequest(name="Acme", csp_brand_reference="B1")),
            ("CreateManagedCampaignRequest", ManagedCampaignRequest(**CAMPAIGN)),
            (
                "CreatePartnerCampaignRequest",
                PartnerCampaignRequest(
                    name="Alerts", brand_id=BRAND_ID, csp_campaign_reference="C1"
                ),
            ),
        ],
        ids=["managed brand", "managed brand, every field", "csp brand", "campaign", "partner"],
    )
    def test_every_body_validates_against_its_schema(self, schema: str, request_: Any) -> None:
        """What the client sends is what the vendor's schema accepts."""
        assert SPEC is not None

        assert [] == SPEC.problems(f"#/components/schemas/{schema}", request_body(request_))

    @pytest.mark.parametrize(
        ("schema", "model"),
        [
            ("CreateManagedBrandRequest", ManagedBrandRequest),
            ("CreateCspBrandRequest", CspBrandRequest),
            ("CreateManagedCampaignRequest", ManagedCampaignRequest),
            ("CreatePartnerCampaignRequest", PartnerCampaignRequest),
        ],
    )
    def test_each_class_has_one_field_per_schema_property(
        self, schema: str, model: type[attrs.AttrsInstance]
    ) -> None:
        """The same names as the wire; required ones have no default."""
        assert SPEC is not None
        definition = SPEC.document["components"]["schemas"][schema]

        fields = {f.name: f for f in attrs.fields(model)}

        assert set(definition["properties"]) == set(fields)
        required = {name for name in definition["required"] if fields[name].init}
        assert required == {n for n, f in fields.items() if f.default is attrs.NOTHING}

    @pytest.mark.parametrize(
        ("operation", "status", "model"),
        [
            ("create_brand", 201, Brand),
            ("create_campaign", 201, Campaign),
            ("update_campaign", 200, Campaign),
        ],
    )
    def test_the_documented_answers_parse_with_nothing_left_over(
        self, operation: str, status: int, model: type[Brand | Campaign]
    ) -> None:
        """The schema's own example answer of each write decodes; every property is a field."""
        assert SPEC is not None
        ref = SPEC.response_ref(operation, status)
        body = SPEC.example(ref.rsplit("/", 1)[1])
        assert [] == SPEC.problems(ref, body)  # the example is a valid answer

        parsed = decode(model, json.dumps(body).encode(), where=operation, status=status)

        assert (UUID(body["id"]), body["name"], body["state"], {}) == (
            parsed.id,
            parsed.name,
            parsed.state,
            dict(parsed.extra),
        )

    def test_the_vendors_examples_make_valid_requests(self) -> None:
        """The example values of the schemas pass the client's own checks."""
        assert SPEC is not None
        example = SPEC.example("CreateManagedBrandRequest")

        request = ManagedBrandRequest(**example)

        assert [] == SPEC.problems(
            "#/components/schemas/CreateManagedBrandRequest", request_body(request)
        )
