"""``brands create``, ``campaigns create`` and ``campaigns update`` against the fake server."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from signalwire_orders._cli.common import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE
from signalwire_orders.testing import FakeServer
from support import (
    csp_brand_body,
    in_a_thread,
    managed_brand_body,
    managed_campaign_body,
    partner_campaign_body,
)
from support_cli import TOKEN, Fake, error_lines, invoke


@pytest.fixture
def fake() -> Iterator[Fake]:
    """A small fake server on 127.0.0.1, served from a background thread."""
    server = FakeServer(api_token=TOKEN, seed=4, brands=2, campaigns_per_brand=1)
    with in_a_thread(server) as loop:
        yield Fake(server=server, loop=loop)


@pytest.fixture(autouse=True)
def in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory, so that no stray ``.env`` file is read."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def request_file(body: Any, name: str = "request.json") -> str:
    """Write ``body`` as JSON in the current directory; return the file's name."""
    Path(name).write_text(json.dumps(body), encoding="utf-8")
    return name


def posted(fake: Fake) -> list[Any]:
    """The JSON bodies of the POSTs and PUTs the fake received."""
    return [json.loads(r.body) for r in fake.server.requests if r.method in {"POST", "PUT"}]


class TestBrandsCreate:
    def test_a_managed_brand_file_creates_the_brand(self, fake: Fake) -> None:
        """The file's JSON is the body sent; the new brand is shown and then listed."""
        before = len(fake.server.data.brands)

        result = invoke(
            fake.env, "brands", "create", "--file", request_file(managed_brand_body()), "--format",
            "json",
        )  # fmt: skip

        assert 0 == result.exit_code, result.stderr
        shown = json.loads(result.stdout)
        assert ("pending", "Acme Alerts", "PRIVATE_PROFIT") == (
            shown["state"],
            shown["name"],
            shown["legal_entity_type"],
        )
        assert [managed_brand_body()] == posted(fake)
        assert (before + 1, shown["id"]) == (
            len(fake.server.data.brands),
            fake.server.data.brands[-1]["id"],
        )

    def test_a_csp_brand_from_standard_input(self, fake: Fake) -> None:
        """'-' reads standard input; csp_brand_reference makes it the CSP form."""
        body = csp_brand_body()
        del body["csp_self_registered"]  # the form sets it itself

        result = invoke(fake.env, "brands", "create", "--file", "-", stdin=json.dumps(body))

        assert 0 == result.exit_code, result.stderr
        assert [csp_brand_body()] == posted(fake)
        assert "B123456" in result.stdout  # the table shows every field

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            (
                {"name": "Acme"},
                (
                    "not a brand request: neither a ManagedBrandRequest (missing: "
                    "company_address, company_name, company_website, contact_email, "
                    "contact_phone, ein and 2 more) nor a CspBrandRequest (missing: "
                    "csp_brand_reference)"
                ),
            ),
            (
                {k: v for k, v in managed_brand_body().items() if k != "ein"},
                "a ManagedBrandRequest but missing: ein",
            ),
            (
                managed_brand_body() | {"colour": "red"},
                "a ManagedBrandRequest but unknown: colour",
            ),
            (
                managed_brand_body() | {"contact_phone": "555-1234"},
                (
                    "contact_phone must be an E.164 phone number such as '+18995551212', "
                    "got '555-1234'"
                ),
            ),
            (
                csp_brand_body() | {"csp_self_registered": False},
                "csp_self_registered must be true",
            ),
            (csp_brand_body() | {"csp_self_registered": 1}, "csp_self_registered must be true"),
            (["Acme"], "must hold one JSON object, not a list"),
        ],
        ids=["neither", "missing", "unknown", "rule", "not self-registered", "one", "array"],
    )
    def test_a_bad_file_is_a_usage_error_before_any_request(
        self, fake: Fake, body: Any, problem: str
    ) -> None:
        """Exit 2 with the file's name and what is wrong; nothing is sent."""
        result = invoke(fake.env, "brands", "create", "--file", request_file(body))

        assert EXIT_USAGE == result.exit_code
        assert f"Invalid value for --file: request.json: {problem}" in " ".join(
            result.stderr.split()
        )
        assert 0 == fake.server.count("create_brand")

    def test_a_file_that_is_not_json_is_a_usage_error(self, fake: Fake) -> None:
        """The parser's own words say where."""
        Path("broken.json").write_text('{"name": ', encoding="utf-8")

        result = invoke(fake.env, "brands", "create", "--file", "broken.json")

        assert EXIT_USAGE == result.exit_code
        assert "broken.json: not JSON (Expecting value: line 1 column 10" in result.stderr

    def test_a_missing_file_is_a_usage_error(self, fake: Fake) -> None:
        """click says the file does not exist."""
        result = invoke(fake.env, "brands", "create", "--file", "nowhere.json")

        assert (EXIT_USAGE, True) == (result.exit_code, "nowhere.json" in result.stderr)

    def test_a_500_is_exit_1_and_never_sent_twice(self, fake: Fake) -> None:
        """A create answered 5xx may have been processed: one request, then the error."""
        fake.call(lambda: fake.server.faults.script("create_brand", ["500", "500"]))

        result = invoke(fake.env, "brands", "create", "--file", request_file(managed_brand_body()))

        assert (EXIT_ERROR, 1) == (result.exit_code, fake.server.count("create_brand"))
        assert 1 == len(error_lines(result))


class TestCampaignsCreate:
    def test_a_managed_campaign_without_brand_id_takes_the_argument(self, fake: Fake) -> None:
        """brand_id left out of the file is BRAND_ID; the campaign is then listed."""
        brand_id = fake.server.data.brands[0]["id"]
        body = managed_campaign_body(brand_id)
        del body["brand_id"]

        result = invoke(
            fake.env, "campaigns", "create", brand_id, "--file", request_file(body), "--format",
            "json",
        )  # fmt: skip

        assert 0 == result.exit_code, result.stderr
        created = json.loads(result.stdout)
        assert [managed_campaign_body(brand_id)] == posted(fake)
        assert created["id"] in fake.server.data.campaign_ids_of(brand_id)

    def test_a_partner_campaign(self, fake: Fake) -> None:
        """csp_campaign_reference makes it the partner form."""
        brand_id = fake.server.data.brands[1]["id"]

        result = invoke(
            fake.env, "campaigns", "create", brand_id.upper(), "--format", "json", "--file",
            request_file(partner_campaign_body(brand_id)),
        )  # fmt: skip

        assert 0 == result.exit_code, result.stderr
        assert "C123456" == json.loads(result.stdout)["csp_campaign_reference"]

    def test_a_file_for_another_brand_is_a_usage_error(self, fake: Fake) -> None:
        """The file's brand_id and BRAND_ID must be the same brand."""
        brand_id = fake.server.data.brands[0]["id"]
        other = str(uuid.uuid4())

        result = invoke(
            fake.env, "campaigns", "create", brand_id, "--file",
            request_file(partner_campaign_body(other)),
        )  # fmt: skip

        assert EXIT_USAGE == result.exit_code
        assert f"brand_id is {other}, not the BRAND_ID argument {brand_id}" in result.stderr
        assert 0 == fake.server.count("create_campaign")

    def test_a_file_of_neither_form_says_what_each_misses(self, fake: Fake) -> None:
        """A campaign file with only a name fits neither form."""
        brand_id = fake.server.data.brands[0]["id"]

        result = invoke(
            fake.env, "campaigns", "create", brand_id, "--file", request_file({"name": "Alerts"})
        )

        assert EXIT_USAGE == result.exit_code
        assert "nor a PartnerCampaignRequest (missing: csp_campaign_reference)" in " ".join(
            result.stderr.split()
        )

    def test_an_unknown_brand_is_exit_5(self, fake: Fake) -> None:
        """The fake answers 404 for a brand it does not have."""
        brand_id = str(uuid.uuid4())

        result = invoke(
            fake.env, "campaigns", "create", brand_id, "--file",
            request_file(partner_campaign_body(brand_id)),
        )  # fmt: skip

        assert EXIT_NOT_FOUND == result.exit_code


class TestCampaignsUpdate:
    def test_renames_and_shows_the_campaign(self, fake: Fake) -> None:
        """PUT {"name": ...}; the campaign is shown as it is now."""
        campaign_id = fake.server.data.campaign_ids()[0]

        result = invoke(
            fake.env, "campaigns", "update", campaign_id, "--name", "Renamed", "--format", "json"
        )

        assert 0 == result.exit_code, result.stderr
        assert ("Renamed", [{"name": "Renamed"}]) == (
            json.loads(result.stdout)["name"],
            posted(fake),
        )
        assert "Renamed" == fake.server.data.campaign(campaign_id)["name"]

    @pytest.mark.parametrize("name", ["ab", "x" * 65])
    def test_a_bad_name_is_a_usage_error(self, fake: Fake, name: str) -> None:
        """3 to 64 characters, checked before any request."""
        campaign_id = fake.server.data.campaign_ids()[0]

        result = invoke(fake.env, "campaigns", "update", campaign_id, "--name", name)

        assert EXIT_USAGE == result.exit_code
        assert "must be 3 to 64 characters" in result.stderr
        assert 0 == fake.server.count("update_campaign")

    def test_the_name_is_required(self, fake: Fake) -> None:
        """Without --name there is nothing to update."""
        result = invoke(fake.env, "campaigns", "update", fake.server.data.campaign_ids()[0])

        assert (EXIT_USAGE, True) == (result.exit_code, "--name" in result.stderr)

    def test_an_unknown_campaign_is_exit_5(self, fake: Fake) -> None:
        """The fake answers 404."""
        result = invoke(fake.env, "campaigns", "update", str(uuid.uuid4()), "--name", "Renamed")

        assert EXIT_NOT_FOUND == result.exit_code
