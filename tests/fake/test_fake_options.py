"""
The fake server's two command lines, built from one option table.

``python -m signalwire_orders.testing`` (argparse) and ``signalwire-orders
fake-server`` (click) must accept the same options, with the same defaults,
bounds and help, and turn them into the same server.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

import click
import pytest

from signalwire_orders import Client
from signalwire_orders._cli.fake import fake_server
from signalwire_orders.testing import COMMAND_LINE_OPTIONS, server_banner, server_from_options
from signalwire_orders.testing.__main__ import build_parser

EVERY_OPTION = [
    "--host=0.0.0.0",
    "--port=0",
    "--seed=7",
    "--brands=2",
    "--campaigns-per-brand=1",
    "--orders-per-campaign=5",
    "--numbers-per-campaign=0",
    "--latency=0.25",
    "--absolute-links",
    "--no-record",
]


def _argparse_actions() -> list[argparse.Action]:
    return [action for action in build_parser()._actions if "--help" not in action.option_strings]


def _click_options() -> list[click.Option]:
    return [param for param in fake_server.params if isinstance(param, click.Option)]


def _argparse_values(argv: list[str]) -> dict[str, Any]:
    return vars(build_parser().parse_args(argv))


def _click_values(argv: list[str]) -> dict[str, Any]:
    return dict(fake_server.make_context("fake-server", list(argv)).params)


class TestOneTable:
    def test_both_accept_the_options_of_the_table(self) -> None:
        """Both command lines have exactly the table's options, in its order."""
        expected = [option.name for option in COMMAND_LINE_OPTIONS]

        from_argparse = [action.option_strings for action in _argparse_actions()]
        from_click = [param.opts for param in _click_options()]

        assert [[name] for name in expected] == from_argparse
        assert [[name] for name in expected] == from_click

    def test_both_have_the_tables_defaults(self) -> None:
        """With no arguments both parse to the table's defaults."""
        expected = {option.dest: option.default for option in COMMAND_LINE_OPTIONS}

        assert expected == _argparse_values([])
        assert expected == _click_values([])

    def test_both_parse_every_option_alike(self) -> None:
        """Every option given: both parse the same values."""
        expected = _argparse_values(EVERY_OPTION)

        actual = _click_values(EVERY_OPTION)

        assert expected == actual
        assert (True, True, 0.25) == (
            actual["absolute_links"],
            actual["no_record"],
            actual["latency"],
        )

    def test_both_show_the_tables_help(self) -> None:
        """Each option's help is the table's sentence (argparse adds the default after it)."""
        helps = {option.name: option.help for option in COMMAND_LINE_OPTIONS}

        for action in _argparse_actions():
            assert (action.help or "").startswith(helps[action.option_strings[0]])
        for param in _click_options():
            assert helps[param.opts[0]] == param.help

    @pytest.mark.parametrize(
        "argv",
        [["--port", "70000"], ["--port", "-1"], ["--brands", "-1"], ["--latency", "-0.5"]],
    )
    def test_both_refuse_a_value_out_of_bounds(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A value outside the table's bounds is a usage error on both."""
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args(argv)
        with pytest.raises(click.BadParameter):
            _click_values(argv)

        assert 2 == exited.value.code
        assert argv[0] in capsys.readouterr().err

    @pytest.mark.parametrize("argv", [["--seed", "x"], ["--latency", "soon"]])
    def test_both_refuse_a_value_of_the_wrong_type(self, argv: list[str]) -> None:
        """A value that is not a number is a usage error on both."""
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        with pytest.raises(click.BadParameter):
            _click_values(argv)


class TestServerFromOptions:
    async def test_it_builds_the_server_the_options_describe(self) -> None:
        """Sizes, links, recording, latency and interface all reach the server."""
        server = server_from_options(_click_values(EVERY_OPTION) | {"host": "127.0.0.1"})

        async with server:
            assert 2 == len(server.data.brands)
            assert 2 == len(server.data.campaign_ids())
            assert (True, False) == (server.state.absolute_links, server.state.recording)
            assert 0.25 == server.faults.latency
            assert server.base_url.startswith("http://127.0.0.1:")

    def test_missing_values_take_the_defaults(self) -> None:
        """Only some values given: the others are the table's defaults."""
        server = server_from_options({"brands": 1})

        assert 1 == len(server.data.brands)
        assert 4 == len(server.data.campaign_ids())
        assert (False, True) == (server.state.absolute_links, server.state.recording)
        assert 0.0 == server.faults.latency


class TestEveryInterface:
    async def test_a_server_on_every_interface_gives_a_base_url_the_client_accepts(self) -> None:
        """``--host 0.0.0.0``: base_url is the loopback address, which a client can use."""
        server = server_from_options({"host": "0.0.0.0", "port": 0, "brands": 1})  # noqa: S104

        async with server:
            base_url = server.base_url
            async with Client(env=server.env) as client:
                brand = await client.brands.get(server.data.brands[0]["id"])

        assert base_url.startswith("http://127.0.0.1:")
        assert server.data.brands[0]["id"] == str(brand.id)

    async def test_its_banner_says_how_to_reach_it_from_elsewhere(self) -> None:
        """The banner names --allow-insecure-http for another machine or container."""
        server = server_from_options({"host": "0.0.0.0", "port": 0, "brands": 1})  # noqa: S104

        async with server:
            text = server_banner(server)

        assert "another machine or container" in text
        assert "--allow-insecure-http" in text

    async def test_a_loopback_server_says_nothing_about_elsewhere(self) -> None:
        """On 127.0.0.1 (the default) the banner has no such line."""
        async with server_from_options({"port": 0, "brands": 1}) as server:
            text = server_banner(server)
            base_url = server.base_url

        assert "another machine" not in text
        assert f"export SIGNALWIRE_REST_BASE_URL={base_url}" in text


def test_the_fake_and_its_command_line_need_no_click() -> None:
    """``signalwire_orders.testing`` and its parser import and work with click missing."""
    code = (
        "import sys, json\n"
        "sys.modules['click'] = None  # import click now fails\n"
        "from signalwire_orders.testing.__main__ import build_parser\n"
        "print(json.dumps(vars(build_parser().parse_args(['--seed', '3']))))\n"
    )

    done = subprocess.run(  # noqa: S603  # our own snippet
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )

    assert 0 == done.returncode, done.stderr
    assert 3 == json.loads(done.stdout)["seed"]
