"""
The standalone fake server's options, declared once for both of its command lines.

``python -m signalwire_orders.testing`` (argparse, in ``__main__``) and
``signalwire-orders fake-server`` (click, in the CLI) each build their options
from `COMMAND_LINE_OPTIONS`, and hand what they parsed to `server_from_options`: the two
accept the same options, with the same defaults, bounds and help. This module
knows neither parser (the fake must work without click installed); it holds
the table and the one way from parsed values to a `FakeServer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._server import FakeServer

__all__ = ["COMMAND_LINE_OPTIONS", "ServerOption", "server_banner", "server_from_options"]


@attrs.frozen
class ServerOption:
    """
    One option of the standalone fake server's command line.

    Attributes:
        name: The long option, e.g. ``--campaigns-per-brand``.
        help: What it does, one sentence without the default (each parser
            shows the default in its own way).
        type: ``int``, ``float`` or ``str`` for an option with a value;
            ``bool`` for a flag, which is false unless given.
        default: The value when the option is not given (false for a flag).
        minimum: The smallest value accepted (numbers only); ``None``: no bound.
        maximum: The largest value accepted (numbers only); ``None``: no bound.
        metavar: The value's placeholder in the help.

    Example::

        ServerOption("--seed", "Seed of the data and of the random faults.", int, 0, metavar="N")
    """

    name: str
    help: str
    type: type[int | float | str | bool]
    default: int | float | str | bool = False
    minimum: int | None = None
    maximum: int | None = None
    metavar: str | None = None

    @property
    def dest(self) -> str:
        """The parsed value's name: ``--no-record`` gives ``no_record``."""
        return self.name.removeprefix("--").replace("-", "_")

    @property
    def is_flag(self) -> bool:
        """Whether the option takes no value (``--absolute-links``)."""
        return self.type is bool

    def parse(self, text: str) -> int | float | str:
        """
        Convert a value given on the command line and check its bounds.

        Raises:
            ValueError: It is not of the option's type, or out of bounds.

        Example::

            COMMAND_LINE_OPTIONS[1].parse("8080")  # 8080
        """
        if self.type is str:
            return text
        number: int | float
        try:
            number = int(text) if self.type is int else float(text)
        except ValueError:
            noun = "an integer" if self.type is int else "a number"
            msg = f"{text!r} is not {noun}"
            raise ValueError(msg) from None
        if self.minimum is not None and number < self.minimum:
            msg = f"{number} is less than {self.minimum}"
            raise ValueError(msg)
        if self.maximum is not None and number > self.maximum:
            msg = f"{number} is more than {self.maximum}"
            raise ValueError(msg)
        return number


#: The options, in the order the help lists them.
COMMAND_LINE_OPTIONS: Final = (
    ServerOption("--host", "Interface to listen on.", str, "127.0.0.1", metavar="HOST"),
    ServerOption(
        "--port",
        "Port to listen on; 0 picks a free one.",
        int,
        8080,
        minimum=0,
        maximum=65535,
        metavar="PORT",
    ),
    ServerOption("--seed", "Seed of the data and of the random faults.", int, 0, metavar="N"),
    ServerOption("--brands", "Brands to generate.", int, 3, minimum=0, metavar="N"),
    ServerOption(
        "--campaigns-per-brand", "Campaigns of each brand.", int, 4, minimum=0, metavar="N"
    ),
    ServerOption(
        "--orders-per-campaign", "Orders of each campaign.", int, 120, minimum=0, metavar="N"
    ),
    ServerOption(
        "--numbers-per-campaign",
        "Number assignments of each campaign.",
        int,
        10,
        minimum=0,
        metavar="N",
    ),
    ServerOption(
        "--latency", "Seconds added to every request.", float, 0.0, minimum=0, metavar="S"
    ),
    ServerOption("--absolute-links", "Give paging links as absolute URLs rather than paths.", bool),
    ServerOption(
        "--no-record",
        "Keep no record of requests (long benchmark runs stay flat in memory).",
        bool,
    ),
)


def server_from_options(values: Mapping[str, Any]) -> FakeServer:
    """
    Build (not start) the server that parsed options describe, its latency fault included.

    Args:
        values: Values by `ServerOption.dest`, as argparse (``vars(namespace)``) or
            click (the command's keyword arguments) give them; an option
            missing from them takes its default.

    Example::

        server = server_from_options({"seed": 3, "port": 0, "latency": 0.05})
        await server.start()
    """
    given = {option.dest: option.default for option in COMMAND_LINE_OPTIONS} | dict(values)
    server = FakeServer(
        seed=given["seed"],
        brands=given["brands"],
        campaigns_per_brand=given["campaigns_per_brand"],
        orders_per_campaign=given["orders_per_campaign"],
        numbers_per_campaign=given["numbers_per_campaign"],
        host=given["host"],
        port=given["port"],
        absolute_links=given["absolute_links"],
        record=not given["no_record"],
    )
    server.faults.latency = given["latency"]
    return server


def server_banner(server: FakeServer) -> str:
    """
    What a started fake server says about itself: where it is and how to point a client at it.

    The fake's credentials are fixed test values, not secrets: showing them is the point.

    Example::

        await server.start()
        sys.stdout.write(server_banner(server))
    """
    data = server.data
    where = (
        f"Fake SignalWire Campaign Registry API on {server.base_url} "
        f"({len(data.brands)} brands, {len(data.campaign_ids())} campaigns, "
        f"{data.count_orders():,} orders; seed {data.seed})"
    )
    lines = [
        where,
        "Point the client at it with:",
        *(f"  export {name}={value}" for name, value in server.env.items()),
    ]
    if server.listens_everywhere:
        lines.append(
            "From another machine or container, use this host's address instead of "
            "127.0.0.1, with --allow-insecure-http (or allow_insecure_http=True)."
        )
    lines += ["then try: signalwire-orders campaigns list", "Press Ctrl+C to stop."]
    return "\n".join(lines) + "\n"
