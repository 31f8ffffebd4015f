"""
What the CLI tests share: a fake server on a background loop, and the CLI run in-process.

The fake runs in a background thread with its own event loop, so that click's
``CliRunner`` can run the CLI (and its ``asyncio.run``) in-process from plain
sync tests. `invoke` checks that no token ever shows in what the CLI writes.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
from click.testing import CliRunner, Result

from signalwire_orders._cli import cli
from signalwire_orders.testing import FakeServer

T = TypeVar("T")

TOKEN = "PT-cli-test-secret-7f3a9c2e41d8b6"
WRONG_TOKEN = "PT-wrong-secret-0b1c2d3e4f5a"
SIZES: dict[str, Any] = {
    "seed": 11,
    "brands": 2,
    "campaigns_per_brand": 2,
    "orders_per_campaign": (30, 80),
    "numbers_per_campaign": 2,
}


@attrs.define
class Fake:
    """A started FakeServer whose event loop runs in a background thread."""

    server: FakeServer
    loop: asyncio.AbstractEventLoop

    @property
    def env(self) -> dict[str, str]:
        """The variables that point the CLI at the fake."""
        return self.server.env

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in the server's loop thread (to change faults safely)."""

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=10)

    def campaign_ids(self) -> list[str]:
        """Every campaign id of the fake, in order."""
        return self.server.data.campaign_ids()

    def order_ids(self, campaign_id: str, state: str | None = None) -> list[str]:
        """The ids of a campaign's orders, as the API lists them."""
        return [order["id"] for order in self.server.data.orders_of(campaign_id, state)]

    def all_orders(self) -> set[tuple[str, str]]:
        """Every (campaign id, order id) pair of the fake."""
        return {(c, o) for c in self.campaign_ids() for o in self.order_ids(c)}


def password_of(authorization: str) -> str:
    """The password (API token) of a Basic Authorization header."""
    return base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")[2]


def invoke(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    """Run the CLI in-process (``stdin`` as its standard input); no token may show in its output."""
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)
    for secret in (TOKEN, WRONG_TOKEN):
        assert secret not in result.stdout
        assert secret not in result.stderr
    return result


def jsonl(text: str) -> list[dict[str, Any]]:
    """Parse JSON Lines."""
    return [json.loads(line) for line in text.splitlines()]


def error_lines(result: Result) -> list[str]:
    """The ``error:`` lines on stderr."""
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]
