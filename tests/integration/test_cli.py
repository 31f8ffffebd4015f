"""
The ``signalwire-orders`` CLI against the fake server over real loopback HTTP.

The fake runs in a background thread with its own event loop, so that click's
``CliRunner`` can run the CLI (and its ``asyncio.run``) in-process from plain
sync tests. A few tests run the real program in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from operator import itemgetter
from pathlib import Path

import attrs
import click
import pytest
from click.testing import CliRunner

from signalwire_orders import ConfigurationError
from signalwire_orders._cli import cli
from signalwire_orders._cli.common import (
    EXIT_AUTH,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_PARTIAL,
    EXIT_TERMINATED,
    EXIT_USAGE,
    CliSettings,
)
from signalwire_orders._cli.output import ORDER_FIELDS
from signalwire_orders.testing import FakeServer
from support import in_a_thread
from support_cli import (
    SIZES,
    TOKEN,
    WRONG_TOKEN,
    Fake,
    error_lines,
    invoke,
    jsonl,
    password_of,
)


@pytest.fixture
def fake() -> Iterator[Fake]:
    """A small fake server on 127.0.0.1, served from a background thread."""
    server = FakeServer(api_token=TOKEN, **SIZES)
    with in_a_thread(server) as loop:
        yield Fake(server=server, loop=loop)


@pytest.fixture(autouse=True)
def in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory, so that no stray ``.env`` file is read."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


class TestOrdersList:
    def test_table_lists_every_order_of_one_campaign(self, fake: Fake) -> None:
        """The table shows every order id of the campaign and a count."""
        campaign_id = fake.campaign_ids()[0]
        expected = fake.order_ids(campaign_id)

        result = invoke(fake.env, "orders", "list", campaign_id)

        assert result.exit_code == 0, result.stderr
        assert all(order_id in result.stdout for order_id in expected)
        assert f"{len(expected)} orders" in result.stdout

    def test_json_equals_the_servers_records(self, fake: Fake) -> None:
        """``--format json`` is one array: the campaign's orders, in order, fields as served."""
        campaign_id = fake.campaign_ids()[1]
        truth = fake.server.data.orders_of(campaign_id)

        result = invoke(fake.env, "orders", "list", campaign_id, "--format", "json")

        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)
        assert [order["id"] for order in truth] == [row["id"] for row in rows]
        for order, row in zip(truth, rows, strict=True):
            assert list(ORDER_FIELDS) == list(row)
            assert campaign_id == row["campaign_id"]
            assert order["state"] == row["state"]
            assert datetime.fromisoformat(order["created_at"]) == datetime.fromisoformat(
                row["created_at"]
            )
            assert order.get("processed_at") == (
                row["processed_at"] and row["processed_at"].replace("+00:00", "Z")
            )
            assert order.get("status_callback_url") == row["status_callback_url"]

    def test_page_size_walks_every_page(self, fake: Fake) -> None:
        """A small ``--page-size`` takes one request per page and loses nothing."""
        campaign_id = fake.campaign_ids()[0]
        expected = fake.order_ids(campaign_id)

        result = invoke(
            fake.env, "orders", "list", campaign_id, "--page-size", "7", "--format", "jsonl"
        )

        assert result.exit_code == 0, result.stderr
        assert expected == [row["id"] for row in jsonl(result.stdout)]
        assert -(-len(expected) // 7) == fake.server.count("list_orders")

    def test_many_campaigns_jsonl_carry_their_campaign(self, fake: Fake) -> None:
        """With several campaigns every line names its campaign; none is missing."""
        chosen = fake.campaign_ids()[:3]
        expected = {(c, o) for c in chosen for o in fake.order_ids(c)}

        result = invoke(fake.env, "orders", "list", *chosen, "--format", "jsonl")

        assert result.exit_code == 0, result.stderr
        rows = jsonl(result.stdout)
        assert len(expected) == len(rows)
        assert expected == {(row["campaign_id"], row["id"]) for row in rows}

    def test_all_campaigns_lists_every_order(self, fake: Fake) -> None:
        """``--all-campaigns`` finds every campaign through the brands."""
        result = invoke(
            fake.env, "orders", "list", "--all-campaigns", "--format", "jsonl", "--concurrency", "2"
        )

        assert result.exit_code == 0, result.stderr
        rows = jsonl(result.stdout)
        assert fake.server.data.count_orders() == len(rows)
        assert fake.all_orders() == {(row["campaign_id"], row["id"]) for row in rows}

    def test_many_campaigns_table(self, fake: Fake) -> None:
        """The table of several campaigns shows each campaign id and the total."""
        chosen = fake.campaign_ids()[:2]
        total = sum(len(fake.order_ids(c)) for c in chosen)

        result = invoke(fake.env, "orders", "list", *chosen)

        assert result.exit_code == 0, result.stderr
        assert all(c in result.stdout for c in chosen)
        assert f"{total} orders" in result.stdout

    def test_state_filter(self, fake: Fake) -> None:
        """``--state`` lists only the orders in that state."""
        campaign_id = fake.campaign_ids()[2]
        expected = fake.order_ids(campaign_id, "pending")

        result = invoke(
            fake.env, "orders", "list", campaign_id, "--state", "pending", "--format", "json"
        )

        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)
        assert expected == [row["id"] for row in rows]
        assert {"pending"} == {row["state"] for row in rows}

    def test_csv_has_a_header_and_one_row_per_order(self, fake: Fake) -> None:
        """``--format csv`` writes the header, then one row per order, empty for null."""
        campaign_id = fake.campaign_ids()[3]
        truth = fake.server.data.orders_of(campaign_id)

        result = invoke(fake.env, "orders", "list", campaign_id, "--format", "csv")

        assert result.exit_code == 0, result.stderr
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert list(ORDER_FIELDS) == rows[0]
        assert [order["id"] for order in truth] == [row[0] for row in rows[1:]]
        assert [order.get("processed_at") is None for order in truth] == [
            row[5] == "" for row in rows[1:]
        ]

    def test_one_failed_campaign_among_several_is_a_partial_failure(self, fake: Fake) -> None:
        """An unknown campaign among real ones: the others are output, exit code 6."""
        real = fake.campaign_ids()[:2]
        missing = str(uuid.uuid4())
        expected = {(c, o) for c in real for o in fake.order_ids(c)}

        result = invoke(fake.env, "orders", "list", real[0], missing, real[1], "--format", "jsonl")

        assert result.exit_code == EXIT_PARTIAL
        assert expected == {(row["campaign_id"], row["id"]) for row in jsonl(result.stdout)}
        errors = error_lines(result)
        assert missing in errors[0]
        assert "1 of 3 campaigns failed" in errors[-1]

    def test_every_campaign_failing_gives_their_common_code(self, fake: Fake) -> None:
        """When all campaigns fail alike (404), the exit code is theirs, not 6."""
        result = invoke(fake.env, "orders", "list", str(uuid.uuid4()), str(uuid.uuid4()))

        assert result.exit_code == EXIT_NOT_FOUND
        assert "error: all 2 campaigns failed" == error_lines(result)[-1]
        assert 3 == len(error_lines(result))

    def test_a_campaign_id_that_is_not_a_uuid_is_a_usage_error(self, fake: Fake) -> None:
        """A non-UUID campaign id fails before any request, with exit code 2."""
        result = invoke(fake.env, "orders", "list", "not-a-uuid")

        assert result.exit_code == EXIT_USAGE
        assert "not a valid UUID" in result.stderr
        assert fake.server.count() == 0

    def test_ids_and_all_campaigns_together_is_a_usage_error(self, fake: Fake) -> None:
        """Campaign ids and ``--all-campaigns`` exclude each other."""
        result = invoke(fake.env, "orders", "list", fake.campaign_ids()[0], "--all-campaigns")

        assert result.exit_code == EXIT_USAGE


class TestOrdersGetCreateWait:
    def test_get_shows_the_order(self, fake: Fake) -> None:
        """``orders get --format json`` is the order as served."""
        order = fake.server.data.orders_of(fake.campaign_ids()[0])[5]

        result = invoke(fake.env, "orders", "get", order["id"], "--format", "json")

        assert result.exit_code == 0, result.stderr
        row = json.loads(result.stdout)
        assert (order["id"], order["state"]) == (row["id"], row["state"])

    def test_get_table(self, fake: Fake) -> None:
        """``orders get`` shows a table with the order's id and state."""
        order = fake.server.data.orders_of(fake.campaign_ids()[0])[0]

        result = invoke(fake.env, "orders", "get", order["id"])

        assert result.exit_code == 0, result.stderr
        assert order["id"] in result.stdout
        assert order["state"] in result.stdout

    def test_unknown_order_exits_5_with_one_line(self, fake: Fake) -> None:
        """A 404 is exit code 5 and one ``error:`` line, no traceback."""
        result = invoke(fake.env, "orders", "get", str(uuid.uuid4()))

        assert result.exit_code == EXIT_NOT_FOUND
        assert 1 == len(result.stderr.splitlines())
        assert result.stderr.startswith("error: ")
        assert "404" in result.stderr
        assert "Traceback" not in result.stderr

    def test_debug_shows_the_traceback(self, fake: Fake) -> None:
        """``--debug`` adds the traceback and the request logs on stderr."""
        result = invoke(fake.env, "--debug", "orders", "get", str(uuid.uuid4()))

        assert result.exit_code == EXIT_NOT_FOUND
        assert "Traceback" in result.stderr
        assert "NotFoundError" in result.stderr
        assert "-> 404" in result.stderr

    def test_debug_logs_are_whole_lines_when_stderr_is_not_a_terminal(self, fake: Fake) -> None:
        """Piped, each request's log line holds its whole URL: nothing is wrapped at 80 columns."""
        campaign_id = fake.campaign_ids()[0]
        url = f"{fake.server.api_url}/campaigns/{campaign_id}/orders"

        result = invoke(fake.env, "--debug", "orders", "list", campaign_id, "--format", "jsonl")

        assert result.exit_code == 0, result.stderr
        assert len(url) > 80
        assert any(url in line and "-> 200" in line for line in result.stderr.splitlines())

    def test_create_then_wait(self, fake: Fake) -> None:
        """A created order is pending; ``orders wait`` polls it to processed."""
        campaign_id = fake.campaign_ids()[0]

        created = invoke(
            fake.env,
            "orders",
            "create",
            campaign_id,
            "+15558675309",
            "+15558675310",
            "--status-callback-url",
            "https://example.com/cb",
            "--format",
            "json",
        )
        assert created.exit_code == 0, created.stderr
        order = json.loads(created.stdout)
        waited = invoke(
            fake.env, "orders", "wait", order["id"], "--poll-interval", "0.01", "--format", "json"
        )

        assert "pending" == order["state"]
        assert "https://example.com/cb" == order["status_callback_url"]
        assert waited.exit_code == 0, waited.stderr
        final = json.loads(waited.stdout)
        assert (order["id"], "processed") == (final["id"], final["state"])
        assert order["id"] in fake.order_ids(campaign_id)

    def test_wait_past_its_timeout_exits_1(self, fake: Fake) -> None:
        """An order that never finishes: ``orders wait --timeout`` gives up with exit code 1."""
        fake.call(lambda: setattr(fake.server.state, "process_after_polls", None))
        created = invoke(
            fake.env, "orders", "create", fake.campaign_ids()[0], "+15558675309", "--format", "json"
        )
        order_id = json.loads(created.stdout)["id"]

        result = invoke(
            fake.env, "orders", "wait", order_id, "--timeout", "0.2", "--poll-interval", "0.05"
        )

        assert result.exit_code == 1
        assert "is still pending after 0.2s" in result.stderr

    def test_wait_says_the_state_the_time_and_the_polls(self, fake: Fake) -> None:
        """``orders wait`` ends with a line giving the final state, elapsed time and polls."""
        created = invoke(
            fake.env, "orders", "create", fake.campaign_ids()[0], "+15558675309", "--format", "json"
        )
        order_id = json.loads(created.stdout)["id"]

        result = invoke(fake.env, "orders", "wait", order_id, "--poll-interval", "0.01")

        assert result.exit_code == 0, result.stderr
        assert re.search(rf"order {order_id}: processed after [0-9.]+s and 2 polls", result.stderr)

    def test_create_rejects_a_number_that_is_not_e164(self, fake: Fake) -> None:
        """A bad phone number is a usage error before any request."""
        result = invoke(fake.env, "orders", "create", fake.campaign_ids()[0], "555-1234")

        assert result.exit_code == EXIT_USAGE
        assert "E.164" in result.stderr
        assert fake.server.count() == 0


class TestCampaignsAndBrands:
    def test_campaigns_of_every_brand(self, fake: Fake) -> None:
        """``campaigns list`` without ``--brand`` lists every campaign."""
        result = invoke(fake.env, "campaigns", "list", "--format", "json")

        assert result.exit_code == 0, result.stderr
        assert fake.campaign_ids() == [row["id"] for row in json.loads(result.stdout)]

    def test_campaigns_of_one_brand(self, fake: Fake) -> None:
        """``--brand`` lists that brand's campaigns only."""
        brand_id = fake.server.data.brands[1]["id"]

        result = invoke(fake.env, "campaigns", "list", "--brand", brand_id, "--format", "jsonl")

        assert result.exit_code == 0, result.stderr
        expected = fake.server.data.campaign_ids_of(brand_id)
        assert expected == [row["id"] for row in jsonl(result.stdout)]

    def test_campaigns_table(self, fake: Fake) -> None:
        """The campaigns table shows every name."""
        result = invoke(fake.env, "campaigns", "list")

        assert result.exit_code == 0, result.stderr
        for brand in fake.server.data.brands:
            for campaign in fake.server.data.campaigns_of(brand["id"]):
                assert campaign["name"] in result.stdout

    def test_brands(self, fake: Fake) -> None:
        """``brands list`` lists every brand; ``--name`` filters them."""
        brands = fake.server.data.brands

        every = invoke(fake.env, "brands", "list", "--format", "json")
        named = invoke(fake.env, "brands", "list", "--name", brands[1]["name"], "--format", "csv")
        table = invoke(fake.env, "brands", "list")

        assert [b["id"] for b in brands] == [row["id"] for row in json.loads(every.stdout)]
        assert [brands[1]["id"]] == [row["id"] for row in csv.DictReader(io.StringIO(named.stdout))]
        assert all(b["name"] in table.stdout for b in brands)

    def test_campaigns_get_shows_every_field(self, fake: Fake) -> None:
        """``campaigns get --format json`` gives the whole campaign, booleans and lists as JSON."""
        wire = fake.server.data.campaign(fake.campaign_ids()[1])

        result = invoke(fake.env, "campaigns", "get", wire["id"], "--format", "json")

        assert result.exit_code == 0, result.stderr
        shown = json.loads(result.stdout)
        assert {k: v for k, v in wire.items() if not k.endswith("_at")} == {
            k: v for k, v in shown.items() if k in wire and not k.endswith("_at")
        }
        assert wire["sms_use_case"] in invoke(fake.env, "campaigns", "get", wire["id"]).stdout

    def test_brands_get_shows_the_brand(self, fake: Fake) -> None:
        """``brands get`` shows one brand; an unknown one is exit code 5."""
        brand = fake.server.data.brands[0]

        shown = invoke(fake.env, "brands", "get", brand["id"], "--format", "json")
        table = invoke(fake.env, "brands", "get", brand["id"])
        missing = invoke(fake.env, "brands", "get", str(uuid.uuid4()))

        assert (brand["id"], brand["name"]) == itemgetter("id", "name")(json.loads(shown.stdout))
        assert brand["company_name"] in table.stdout
        assert EXIT_NOT_FOUND == missing.exit_code


class TestFatalErrors:
    @pytest.mark.parametrize("command", ["orders", "export"])
    def test_a_bad_token_stops_a_bulk_command_with_exit_4_and_one_message(
        self, fake: Fake, in_empty_dir: Path, command: str
    ) -> None:
        """One error line (not one per campaign), the count done, at most --concurrency requests."""
        env = {**fake.env, "SIGNALWIRE_API_TOKEN": WRONG_TOKEN}
        ids = fake.campaign_ids()
        args = (
            ["orders", "list", *ids, "--concurrency", "2"]
            if command == "orders"
            else ["export", *ids, "--out", str(in_empty_dir / "o.jsonl"), "--concurrency", "2"]
        )

        result = invoke(env, *args)

        assert result.exit_code == EXIT_AUTH
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert 1 == len(errors)
        assert f"stopped after 0 of {len(ids)} campaigns" in errors[0]
        assert fake.server.count("list_orders") <= 2
        assert not (in_empty_dir / "o.jsonl").exists()


class TestCampaignsFrom:
    def test_ids_from_a_file_with_comments_blanks_and_duplicates(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """One id per line; blank lines and # comments are skipped, a duplicate counts once."""
        first, second = fake.campaign_ids()[:2]
        ids = in_empty_dir / "ids.txt"
        ids.write_text(
            f"# campaigns to export\n{first}\n\n{second.upper()}  # again below\n{second}\n"
        )

        result = invoke(
            fake.env, "orders", "list", "--campaigns-from", str(ids), "--format", "jsonl"
        )

        assert result.exit_code == 0, result.stderr
        expected = {(c, o) for c in (first, second) for o in fake.order_ids(c)}
        rows = [(r["campaign_id"], r["id"]) for r in jsonl(result.stdout)]
        assert (expected, len(expected)) == (set(rows), len(rows))
        assert 2 == len({r.path for r in fake.server.requests if r.route == "list_orders"})

    def test_ids_from_standard_input_into_one_export(self, fake: Fake, in_empty_dir: Path) -> None:
        """``--campaigns-from -`` reads standard input: every campaign lands in one file."""
        out = in_empty_dir / "all.jsonl"
        stdin = "".join(f"{cid}\n" for cid in fake.campaign_ids())

        result = CliRunner().invoke(
            cli, ["export", "--campaigns-from", "-", "--out", str(out)], env=fake.env, input=stdin
        )

        assert result.exit_code == 0, result.stderr
        exported = {(r["campaign_id"], r["id"]) for r in jsonl(out.read_text())}
        assert fake.all_orders() == exported

    def test_every_bad_line_is_reported_with_its_number_before_any_request(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """Lines that are not UUIDs are each named with their line number; exit 2, no request."""
        ids = in_empty_dir / "ids.txt"
        ids.write_text(f"{fake.campaign_ids()[0]}\nnot-an-id\n\n# fine\n1234\n")

        result = invoke(fake.env, "export", "--campaigns-from", str(ids), "--out", "x.jsonl")

        assert result.exit_code == EXIT_USAGE
        assert "line 2: 'not-an-id'" in result.stderr
        assert "line 5: '1234'" in result.stderr
        assert 0 == fake.server.count()
        assert not (in_empty_dir / "x.jsonl").exists()

    def test_ids_from_a_file_and_all_campaigns_exclude_each_other(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """``--campaigns-from`` with ``--all-campaigns`` is a usage error."""
        ids = in_empty_dir / "ids.txt"
        ids.write_text(f"{fake.campaign_ids()[0]}\n")

        result = invoke(fake.env, "orders", "list", "--campaigns-from", str(ids), "--all-campaigns")

        assert result.exit_code == EXIT_USAGE
        assert 0 == fake.server.count()

    def test_a_file_of_only_comments_is_a_usage_error(self, fake: Fake, in_empty_dir: Path) -> None:
        """A file that names no campaign is exit code 2, not an empty success."""
        ids = in_empty_dir / "ids.txt"
        ids.write_text("# nothing yet\n\n")

        result = invoke(fake.env, "orders", "list", "--campaigns-from", str(ids))

        assert result.exit_code == EXIT_USAGE
        assert "names no campaign" in result.stderr


class TestWording:
    def test_one_campaign_is_singular(self, fake: Fake, in_empty_dir: Path) -> None:
        """ "1 campaign", not "1 campaigns"."""
        out = in_empty_dir / "one.jsonl"

        result = invoke(fake.env, "export", fake.campaign_ids()[0], "--out", str(out))

        assert result.exit_code == 0, result.stderr
        assert " of 1 campaign to " in result.stderr

    def test_allow_insecure_http_lets_a_remote_plain_http_base_url_through(self) -> None:
        """``--allow-insecure-http`` reaches the client; without it such a URL is refused."""
        env = {"SIGNALWIRE_PROJECT_ID": "p", "SIGNALWIRE_API_TOKEN": "PT-x"}
        settings = CliSettings(
            env=env, space=None, base_url="http://fake:8080", max_concurrency=None, debug=False
        )

        with pytest.raises(ConfigurationError, match="allow_insecure_http"):
            settings.client()
        allowed = attrs.evolve(settings, allow_insecure_http=True).client()

        assert "http://fake:8080" == allowed.base_url

    def test_the_option_is_a_global_one(self) -> None:
        """``signalwire-orders --help`` lists ``--allow-insecure-http``."""
        result = invoke({}, "--help")

        assert "--allow-insecure-http" in result.stdout


class TestNumbers:
    def test_list_shows_each_assignment_with_its_number(self, fake: Fake) -> None:
        """``numbers list CAMPAIGN_ID`` gives each assignment and its phone number."""
        campaign_id = fake.campaign_ids()[0]
        truth = fake.server.data.numbers_of(campaign_id)

        result = invoke(fake.env, "numbers", "list", campaign_id, "--format", "jsonl")

        assert result.exit_code == 0, result.stderr
        expected = [(n["id"], n["phone_number"]["number"], n["state"]) for n in truth]
        assert expected == [(r["id"], r["number"], r["state"]) for r in jsonl(result.stdout)]

    def test_delete_asks_first_and_does_nothing_on_no(self, fake: Fake) -> None:
        """Without ``--yes`` the command asks; answering no deletes nothing."""
        number = fake.server.data.numbers_of(fake.campaign_ids()[0])[0]

        result = CliRunner().invoke(
            cli, ["numbers", "delete", number["id"]], env=fake.env, input="n\n"
        )

        assert result.exit_code == 1
        assert "Delete the number assignment" in result.stderr
        assert 0 == fake.server.count("delete_number_assignment")

    def test_delete_with_yes_removes_the_assignment(self, fake: Fake) -> None:
        """``--yes`` deletes at once; the number is gone from the listing."""
        campaign_id = fake.campaign_ids()[0]
        number = fake.server.data.numbers_of(campaign_id)[0]

        result = invoke(fake.env, "numbers", "delete", number["id"], "--yes")

        assert result.exit_code == 0, result.stderr
        assert number["id"] not in [n["id"] for n in fake.server.data.numbers_of(campaign_id)]

    def test_deleting_an_unknown_assignment_exits_5(self, fake: Fake) -> None:
        """A number assignment that does not exist is exit code 5."""
        result = invoke(fake.env, "numbers", "delete", str(uuid.uuid4()), "--yes")

        assert result.exit_code == EXIT_NOT_FOUND


class TestExport:
    def test_jsonl_file_equals_the_servers_records(self, fake: Fake, in_empty_dir: Path) -> None:
        """``export`` writes every order with its campaign; no temporary file is left."""
        out = in_empty_dir / "orders.jsonl"

        result = invoke(fake.env, "export", "--all-campaigns", "--out", str(out))

        assert result.exit_code == 0, result.stderr
        rows = jsonl(out.read_text(encoding="utf-8"))
        assert fake.all_orders() == {(row["campaign_id"], row["id"]) for row in rows}
        assert len(fake.all_orders()) == len(rows)
        assert [out] == list(in_empty_dir.iterdir())
        assert 1 == len(result.stderr.splitlines())
        assert f"wrote {len(rows)} orders of 4 campaigns" in result.stderr
        assert "" == result.stdout

    def test_csv_from_the_suffix(self, fake: Fake, in_empty_dir: Path) -> None:
        """An ``.csv`` file gets CSV with a header row, one row per order."""
        chosen = fake.campaign_ids()[1:3]
        out = in_empty_dir / "orders.csv"

        result = invoke(fake.env, "export", *chosen, "--out", str(out), "--state", "failed")

        assert result.exit_code == 0, result.stderr
        with out.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        expected = {(c, o) for c in chosen for o in fake.order_ids(c, "failed")}
        assert expected == {(row["campaign_id"], row["id"]) for row in rows}
        assert {"failed"} == {row["state"] for row in rows}

    def test_partial_failure_still_writes_the_others(self, fake: Fake, in_empty_dir: Path) -> None:
        """A failed campaign is reported (exit code 6); the others are in the file."""
        real = fake.campaign_ids()[0]
        out = in_empty_dir / "orders.jsonl"

        result = invoke(fake.env, "export", real, str(uuid.uuid4()), "-o", str(out))

        assert result.exit_code == EXIT_PARTIAL
        assert fake.order_ids(real) == [row["id"] for row in jsonl(out.read_text())]
        assert [out] == list(in_empty_dir.iterdir())

    def test_resume_after_a_partial_failure_completes_the_file(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """--resume keeps a checkpoint after a failure; the next run adds only what is missing."""
        chosen = fake.campaign_ids()[:3]
        unknown = str(uuid.uuid4())
        out = in_empty_dir / "orders.jsonl"

        first = invoke(fake.env, "export", *chosen, unknown, "-o", str(out), "--resume")
        second = invoke(fake.env, "export", *chosen, "-o", str(out), "--resume")

        assert first.exit_code == EXIT_PARTIAL
        last = (in_empty_dir / "orders.jsonl.checkpoint").read_text().splitlines()[-1]
        assert json.loads(last)["complete"]  # kept, marked complete
        assert second.exit_code == 0, second.stderr
        assert "3 already there" in second.stderr.replace(",", "")
        expected = sorted((c, o) for c in chosen for o in fake.order_ids(c))
        assert expected == sorted((r["campaign_id"], r["id"]) for r in jsonl(out.read_text()))

    def test_resume_under_another_state_is_refused(self, fake: Fake, in_empty_dir: Path) -> None:
        """``--resume --state failed`` after an unfiltered start is refused; the file is kept."""
        chosen = fake.campaign_ids()[:2]
        out = in_empty_dir / "orders.jsonl"
        first = invoke(fake.env, "export", *chosen, str(uuid.uuid4()), "-o", str(out), "--resume")
        before = out.read_bytes()

        second = invoke(
            fake.env, "export", *chosen, "-o", str(out), "--resume", "--state", "failed"
        )

        assert first.exit_code == EXIT_PARTIAL
        assert second.exit_code == 1
        assert "would mix two exports" in second.stderr
        assert before == out.read_bytes()

    def test_a_complete_resumable_export_says_so_when_run_again(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """Run again after it completed, ``export --resume`` fetches no order and says why."""
        chosen = fake.campaign_ids()[:2]
        out = in_empty_dir / "orders.jsonl"
        invoke(fake.env, "export", *chosen, "-o", str(out), "--resume")
        before = fake.server.count("list_orders")

        again = invoke(fake.env, "export", *chosen, "-o", str(out), "--resume")

        assert again.exit_code == 0, again.stderr
        assert "already complete, so nothing was fetched" in again.stderr
        assert before == fake.server.count("list_orders")

    @pytest.mark.parametrize("suffix", ["jsonl", "csv"])
    def test_resume_writes_the_same_file_as_a_plain_export(
        self, fake: Fake, in_empty_dir: Path, suffix: str
    ) -> None:
        """With or without --resume, the same campaigns give byte-identical files."""
        chosen = fake.campaign_ids()[:1]
        plain, resumable = in_empty_dir / f"a.{suffix}", in_empty_dir / f"b.{suffix}"

        invoke(fake.env, "export", *chosen, "-o", str(plain))
        invoke(fake.env, "export", *chosen, "-o", str(resumable), "--resume")

        assert plain.read_bytes() == resumable.read_bytes()

    @pytest.mark.parametrize("fmt", ["jsonl", "csv"])
    @pytest.mark.parametrize("count", [1, 3])
    def test_a_listing_and_an_export_write_the_same_lines(
        self, fake: Fake, in_empty_dir: Path, fmt: str, count: int
    ) -> None:
        """``orders list --format jsonl|csv`` prints the very lines ``export`` writes to a file."""
        chosen = fake.campaign_ids()[:count]
        out = in_empty_dir / f"orders.{fmt}"

        listed = invoke(fake.env, "orders", "list", *chosen, "--concurrency", "1", "--format", fmt)
        exported = invoke(fake.env, "export", *chosen, "--concurrency", "1", "-o", str(out))

        assert listed.exit_code == 0, listed.stderr
        assert exported.exit_code == 0, exported.stderr
        lines = out.read_text(encoding="utf-8").splitlines()
        assert sum(len(fake.order_ids(c)) for c in chosen) + (fmt == "csv") == len(lines)
        assert any(("null" if fmt == "jsonl" else ",,") in line for line in lines)
        assert lines == listed.stdout.splitlines()

    def test_a_failed_export_leaves_no_file(self, fake: Fake, in_empty_dir: Path) -> None:
        """With a wrong token nothing is written, not even a temporary file."""
        env = {**fake.env, "SIGNALWIRE_API_TOKEN": WRONG_TOKEN}
        (in_empty_dir / "orders.jsonl").write_text("old\n")

        result = invoke(
            env, "export", *fake.campaign_ids(), "--out", str(in_empty_dir / "orders.jsonl")
        )

        assert result.exit_code == EXIT_AUTH
        assert "old\n" == (in_empty_dir / "orders.jsonl").read_text()
        assert ["orders.jsonl"] == [p.name for p in in_empty_dir.iterdir()]

    def test_missing_directory_is_one_error_line(self, fake: Fake, in_empty_dir: Path) -> None:
        """A file that cannot be written is exit code 1 with one line."""
        out = in_empty_dir / "no" / "such" / "dir.jsonl"

        result = invoke(fake.env, "export", fake.campaign_ids()[0], "--out", str(out))

        assert result.exit_code == 1
        assert [f"error: cannot write {out}: No such file or directory"] == error_lines(result)


class TestConfiguration:
    def test_no_credentials_exits_3_naming_the_variables(self) -> None:
        """Without credentials: exit code 3, one line naming the variables to set."""
        result = invoke({}, "orders", "list", str(uuid.uuid4()))

        assert result.exit_code == EXIT_CONFIG
        assert 1 == len(result.stderr.splitlines())
        assert "SIGNALWIRE_PROJECT_ID" in result.stderr
        assert "SIGNALWIRE_API_TOKEN" in result.stderr

    def test_wrong_token_exits_4_without_showing_it(self, fake: Fake) -> None:
        """A 401 is exit code 4; the token is nowhere in the output (``invoke`` checks)."""
        env = {**fake.env, "SIGNALWIRE_API_TOKEN": WRONG_TOKEN}

        result = invoke(env, "orders", "list", *fake.campaign_ids()[:2])

        assert result.exit_code == EXIT_AUTH
        assert "401" in result.stderr

    def test_forbidden_exits_4(self, fake: Fake) -> None:
        """A 403 (token without the scopes) is exit code 4 too, with the scopes hint."""
        fake.call(lambda: setattr(fake.server.state, "forbidden", True))

        result = invoke(fake.env, "brands", "list")

        assert result.exit_code == EXIT_AUTH
        assert "Messaging and Numbers" in result.stderr

    def test_env_file_gives_the_credentials(self, fake: Fake, in_empty_dir: Path) -> None:
        """``--env-file`` is read for what the environment does not set."""
        path = in_empty_dir / "fake.env"
        path.write_text("".join(f"{k}={v}\n" for k, v in fake.env.items()))
        env = {"SIGNALWIRE_REST_BASE_URL": fake.server.base_url}

        result = invoke(env, "--env-file", str(path), "brands", "list", "--format", "json")

        assert result.exit_code == 0, result.stderr
        assert len(fake.server.data.brands) == len(json.loads(result.stdout))
        assert TOKEN not in os.environ.get("SIGNALWIRE_API_TOKEN", "")

    def test_the_environment_wins_over_the_env_file(self, fake: Fake, in_empty_dir: Path) -> None:
        """Exported credentials are used, not a stale pair in .env: no 401."""
        (in_empty_dir / ".env").write_text(
            f"SIGNALWIRE_PROJECT_ID={fake.server.project_id}\nSIGNALWIRE_API_TOKEN={WRONG_TOKEN}\n"
        )

        result = invoke(fake.env, "brands", "list", "--format", "json")

        assert result.exit_code == 0, result.stderr
        assert {TOKEN} == {password_of(r.headers["Authorization"]) for r in fake.server.requests}

    def test_an_exported_space_keeps_the_env_files_base_url_out(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """With the endpoint exported in any form, .env's SIGNALWIRE_REST_BASE_URL is not used."""
        (in_empty_dir / ".env").write_text(f"SIGNALWIRE_REST_BASE_URL={fake.server.base_url}\n")
        env = {**fake.env, "SIGNALWIRE_SPACE": "not a space"}
        del env["SIGNALWIRE_REST_BASE_URL"]

        result = invoke(env, "brands", "list")

        assert result.exit_code == EXIT_CONFIG  # the exported (malformed) space, not the file's URL
        assert "SIGNALWIRE_SPACE" in result.stderr
        assert 0 == fake.server.count()

    def test_one_exported_credential_keeps_the_env_files_pair_out(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """The project id and token are one setting: exporting one takes neither from .env."""
        (in_empty_dir / ".env").write_text(
            "".join(f"{k}={v}\n" for k, v in fake.env.items() if "REST_BASE_URL" not in k)
        )
        env = {
            "SIGNALWIRE_REST_BASE_URL": fake.server.base_url,
            "SIGNALWIRE_PROJECT_ID": fake.server.project_id,
        }

        result = invoke(env, "brands", "list")

        assert result.exit_code == EXIT_CONFIG
        assert "SIGNALWIRE_API_TOKEN" in result.stderr
        assert 0 == fake.server.count()

    def test_debug_names_the_env_file_and_the_names_it_supplied_never_values(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """``--debug`` says which file was read and which variables it gave or lost."""
        (in_empty_dir / ".env").write_text(
            f"SIGNALWIRE_API_TOKEN={TOKEN}\nSIGNALWIRE_PROJECT_ID={fake.server.project_id}\n"
            f"SIGNALWIRE_REST_BASE_URL=http://127.0.0.1:9\n"
        )
        env = {"SIGNALWIRE_REST_BASE_URL": fake.server.base_url}

        result = invoke(env, "--debug", "brands", "list", "--format", "json")

        assert result.exit_code == 0, result.stderr
        assert "read .env: it supplied SIGNALWIRE_API_TOKEN, SIGNALWIRE_PROJECT_ID" in result.stderr
        assert "the environment overrides SIGNALWIRE_REST_BASE_URL" in result.stderr
        assert "127.0.0.1:9" not in result.stderr

    def test_a_401_with_credentials_from_the_env_file_says_so(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """A stale token in .env is named as the source, not the environment."""
        (in_empty_dir / ".env").write_text(
            f"SIGNALWIRE_PROJECT_ID={fake.server.project_id}\nSIGNALWIRE_API_TOKEN={WRONG_TOKEN}\n"
        )

        result = invoke({"SIGNALWIRE_REST_BASE_URL": fake.server.base_url}, "brands", "list")

        assert result.exit_code == EXIT_AUTH
        assert "the credentials came from .env" in result.stderr

    def test_dot_env_in_the_current_directory(self, fake: Fake, in_empty_dir: Path) -> None:
        """Without ``--env-file``, ``./.env`` is read when present."""
        (in_empty_dir / ".env").write_text(
            "".join(f"{k}={v}\n" for k, v in fake.env.items()), encoding="utf-8"
        )

        result = invoke({}, "brands", "list", "--format", "jsonl")

        assert result.exit_code == 0, result.stderr
        assert len(fake.server.data.brands) == len(jsonl(result.stdout))

    def test_a_missing_env_file_is_a_usage_error(self, in_empty_dir: Path) -> None:
        """``--env-file`` naming no file is exit code 2, before anything else."""
        result = invoke({}, "--env-file", str(in_empty_dir / "nope.env"), "brands", "list")

        assert result.exit_code == EXIT_USAGE
        assert "nope.env" in result.stderr

    def test_base_url_option_overrides_the_environment(self, fake: Fake) -> None:
        """``--base-url`` points the client somewhere else than SIGNALWIRE_REST_BASE_URL."""
        env = {**fake.env, "SIGNALWIRE_REST_BASE_URL": "http://127.0.0.1:9"}

        result = invoke(env, "--base-url", fake.server.base_url, "brands", "list")

        assert result.exit_code == 0, result.stderr

    def test_help_documents_the_exit_codes(self) -> None:
        """``--help`` lists the commands and the exit codes."""
        result = invoke({}, "--help")

        assert result.exit_code == 0
        for text in ("orders", "campaigns", "brands", "export", "fake-server", "demo"):
            assert text in result.stdout
        for code in ("3 ", "4 ", "5 ", "6 ", "130"):
            assert code in result.stdout

    def test_every_command_s_help_starts_with_its_summary(self) -> None:
        """What reads ``.help`` (the docs' CLI reference) finds the summary on its first line."""
        pending: list[tuple[str, click.Command]] = [("signalwire-orders", cli)]
        blank = []
        while pending:
            name, command = pending.pop()
            first = (command.help or "").splitlines()[:1]
            if not first or first[0] != first[0].strip() or not first[0]:
                blank.append(name)
            subs = getattr(command, "commands", {})
            pending += [(f"{name} {sub}", each) for sub, each in subs.items()]

        assert [] == blank


def _subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    return {**env, **extra, "COLUMNS": "120"}


class TestSubprocess:
    def test_module_help(self) -> None:
        """``python -m signalwire_orders --help`` runs the same CLI."""
        done = subprocess.run(
            [sys.executable, "-m", "signalwire_orders", "--help"],
            capture_output=True,
            text=True,
            env=_subprocess_env(),
            timeout=30,
            check=False,
        )

        assert done.returncode == 0
        assert "Exit codes" in done.stdout

    def test_demo_exits_0_with_its_summary(self) -> None:
        """``demo`` serves a faulty fake, fetches everything and prints the summary."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "signalwire_orders",
                "demo",
                "--seed",
                "2",
                "--campaigns-per-brand",
                "4",
                "--orders-per-campaign",
                "120",
            ],
            capture_output=True,
            text=True,
            env=_subprocess_env(SIGNALWIRE_API_TOKEN=TOKEN),
            timeout=60,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        for text in ("Brands", "Campaigns", "Orders", "Requests", "Retries", "Elapsed"):
            assert text in done.stdout
        assert "the server's" in done.stdout
        assert "Traceback" not in done.stderr
        assert TOKEN not in done.stdout + done.stderr

    def test_fake_server_serves_until_ctrl_c(self) -> None:
        """``fake-server`` prints the variables to use, serves them, and stops on SIGINT."""
        with subprocess.Popen(
            [sys.executable, "-m", "signalwire_orders", "fake-server", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_subprocess_env(),
        ) as process:
            assert process.stdout is not None
            banner = [process.stdout.readline() for _ in range(5)]
            env = dict(
                line.strip().removeprefix("export ").split("=", 1)
                for line in banner
                if line.strip().startswith("export ")
            )
            listed = invoke(env, "brands", "list", "--format", "jsonl")
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=10)

        assert {
            "SIGNALWIRE_REST_BASE_URL",
            "SIGNALWIRE_PROJECT_ID",
            "SIGNALWIRE_API_TOKEN",
        } == set(env)
        assert 3 == len(jsonl(listed.stdout))
        assert 0 == process.returncode
        assert "Traceback" not in stderr

    @staticmethod
    def _export(fake: Fake, out: Path, *extra: str) -> subprocess.Popen[str]:
        args = ["export", *fake.campaign_ids(), "--out", str(out), "--concurrency", "1", *extra]
        return subprocess.Popen(  # noqa: S603  # our own program
            [sys.executable, "-m", "signalwire_orders", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_subprocess_env(**fake.env),
            cwd=out.parent,
        )

    def test_sigterm_stops_a_plain_export_leaving_nothing_behind(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """SIGTERM (docker stop) mid-export: exit 143, "interrupted", no file and no .part."""
        fake.call(lambda: setattr(fake.server.faults, "latency", 0.2))
        with self._export(fake, in_empty_dir / "orders.jsonl") as process:
            deadline = time.monotonic() + 20
            while fake.server.count("list_orders") < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)

        assert EXIT_TERMINATED == process.returncode
        assert "interrupted: " in stderr
        assert "Traceback" not in stderr
        assert [] == list(in_empty_dir.iterdir())

    def test_sigterm_leaves_a_resumable_export_consistent(
        self, fake: Fake, in_empty_dir: Path
    ) -> None:
        """After SIGTERM, ``--resume`` carries on and every order is in the file exactly once."""
        out = in_empty_dir / "orders.jsonl"
        checkpoint = in_empty_dir / "orders.jsonl.checkpoint"
        fake.call(lambda: setattr(fake.server.faults, "latency", 0.1))
        with self._export(fake, out, "--resume") as process:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not (
                checkpoint.exists() and "campaign_id" in checkpoint.read_text()
            ):
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
        fake.call(lambda: setattr(fake.server.faults, "latency", 0.0))
        resumed = invoke(fake.env, "export", *fake.campaign_ids(), "--out", str(out), "--resume")

        assert EXIT_TERMINATED == process.returncode
        assert "run the same command to carry on" in stderr
        assert resumed.exit_code == 0, resumed.stderr
        exported = sorted((r["campaign_id"], r["id"]) for r in jsonl(out.read_text()))
        assert sorted(fake.all_orders()) == exported

    def test_ctrl_c_exits_130_without_a_traceback(self, fake: Fake) -> None:
        """Interrupting a listing that hangs exits with 130 and no traceback."""
        fake.call(lambda: fake.server.faults.script("list_orders", ["hang"]))
        with subprocess.Popen(  # noqa: S603  # our own program; the id is the fake's
            [sys.executable, "-m", "signalwire_orders", "orders", "list", fake.campaign_ids()[0]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_subprocess_env(**fake.env),
        ) as process:
            deadline = time.monotonic() + 20
            while fake.server.in_flight == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=10)

        assert EXIT_INTERRUPTED == process.returncode
        assert "interrupted" in stderr
        assert "Traceback" not in stderr
        assert TOKEN not in stdout + stderr
