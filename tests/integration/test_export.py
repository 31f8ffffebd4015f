"""Resumable export: whole campaigns only, nothing lost or duplicated, even after SIGKILL."""

from __future__ import annotations

import asyncio
import csv
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from signalwire_orders import Client, ExportSummary, RetryPolicy, export_orders
from signalwire_orders.testing import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeData, FakeServer

SIZES = {"seed": 4, "brands": 2, "campaigns_per_brand": 6, "orders_per_campaign": 70}
NO_WAIT = RetryPolicy(attempts=2, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.0)


def _truth(data: FakeData) -> list[tuple[str, str]]:
    return sorted(
        (cid, order["id"]) for cid in data.campaign_ids() for order in data.orders_of(cid)
    )


def _exported(path: Path, fmt: str) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    return sorted((row["campaign_id"], row["id"]) for row in rows)


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    """A fake with 12 campaigns of 70 orders."""
    async with FakeServer(**SIZES) as s:  # type: ignore[arg-type]  # sizes are ints
        yield s


class TestExport:
    @pytest.mark.parametrize("fmt", ["jsonl", "csv"])
    async def test_every_order_once(self, server: FakeServer, tmp_path: Path, fmt: str) -> None:
        """A complete export holds every order exactly once and leaves no checkpoint."""
        out = tmp_path / f"orders.{fmt}"
        async with Client(env=server.env) as client:
            summary = await export_orders(client, server.data.campaign_ids(), out, fmt=fmt)  # type: ignore[arg-type]  # parametrized literal

        assert _truth(server.data) == _exported(out, fmt)
        assert summary.complete
        assert 12 == summary.campaigns
        assert not (tmp_path / f"orders.{fmt}.checkpoint").exists()

    async def test_failures_are_kept_for_a_resume(self, server: FakeServer, tmp_path: Path) -> None:
        """Failed campaigns stay out of the file; a resume fetches only them."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()
        server.faults.script("list_orders", ["500", "500", "500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            first = await export_orders(client, ids, out, concurrency=1)
            requests_before = server.count("list_orders")
            second = await export_orders(client, ids, out, concurrency=1, resume=True)

        assert 2 == len(first.failed)
        assert 10 == second.skipped
        assert 2 * 2 == server.count("list_orders") - requests_before  # 2 campaigns x 2 pages
        assert second.complete
        assert _truth(server.data) == _exported(out, "jsonl")

    async def test_an_unfinished_export_is_not_overwritten(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """Starting afresh over a checkpoint is refused; resume is required."""
        out = tmp_path / "orders.jsonl"
        server.faults.script("list_orders", ["500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            await export_orders(client, server.data.campaign_ids()[:2], out, concurrency=1)
            with pytest.raises(FileExistsError, match="resume"):
                await export_orders(client, server.data.campaign_ids()[:2], out)

    async def test_a_resume_with_another_format_is_refused(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """A csv resume of a jsonl checkpoint is a ValueError, not a mixed file."""
        out = tmp_path / "orders.out"
        server.faults.script("list_orders", ["500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            await export_orders(client, server.data.campaign_ids()[:2], out, concurrency=1)
            with pytest.raises(ValueError, match="jsonl"):
                await export_orders(
                    client, server.data.campaign_ids()[:2], out, fmt="csv", resume=True
                )

    async def test_summary_type(self, server: FakeServer, tmp_path: Path) -> None:
        """The summary is an ExportSummary naming the output path."""
        out = tmp_path / "o.jsonl"
        async with Client(env=server.env) as client:
            summary = await export_orders(client, server.data.campaign_ids()[:1], out)

        assert isinstance(summary, ExportSummary)
        assert out == summary.path


_EXPORTER = """
import asyncio, sys
from signalwire_orders import Client, export_orders
async def main() -> None:
    ids = sys.argv[3].split(",")
    async with Client(env={"SIGNALWIRE_REST_BASE_URL": sys.argv[1],
                           "SIGNALWIRE_PROJECT_ID": sys.argv[4],
                           "SIGNALWIRE_API_TOKEN": sys.argv[5]}) as client:
        await export_orders(client, ids, sys.argv[2], fmt=sys.argv[6], concurrency=2, resume=True)
asyncio.run(main())
"""


@pytest.fixture
def slow_server() -> Iterator[str]:
    """The standalone fake in a child process, 40 ms per request; yields its URL."""
    command = [
        sys.executable,
        "-m",
        "signalwire_orders.testing",
        "--port=0",
        "--latency=0.04",
        *(f"--{key.replace('_', '-')}={value}" for key, value in SIZES.items()),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        assert proc.stdout is not None
        match = re.search(r"http://[\d.]+:\d+", proc.stdout.readline())
        assert match is not None
        try:
            yield match.group(0)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


class TestKilledExport:
    @pytest.mark.parametrize(("fmt", "sig"), [("jsonl", signal.SIGKILL), ("csv", signal.SIGINT)])
    def test_a_killed_export_resumes_exactly(
        self, slow_server: str, tmp_path: Path, fmt: str, sig: signal.Signals
    ) -> None:
        """Killed after some campaigns are checkpointed, a resume ends with each order once."""
        data = FakeData.generate(**SIZES)
        out = tmp_path / f"orders.{fmt}"
        checkpoint = tmp_path / f"orders.{fmt}.checkpoint"
        args = [
            sys.executable,
            "-c",
            _EXPORTER,
            slow_server,
            str(out),
            ",".join(data.campaign_ids()),
            DEFAULT_PROJECT_ID,
            DEFAULT_API_TOKEN,
            fmt,
        ]
        with subprocess.Popen(args, stderr=subprocess.DEVNULL) as proc:  # noqa: S603
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if checkpoint.exists() and checkpoint.read_text().count("campaign_id") >= 3:
                    break
                time.sleep(0.01)
            proc.send_signal(sig)
            proc.wait(timeout=10)
        assert checkpoint.exists(), "the run finished before it could be killed"
        with subprocess.Popen(args) as proc:  # noqa: S603  # the resume
            assert 0 == proc.wait(timeout=30)

        assert _truth(data) == _exported(out, fmt)
        assert not checkpoint.exists()


def test_no_event_loop_is_left_running() -> None:
    """The module's async tests leave no running loop behind (sanity for the sync tests)."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
