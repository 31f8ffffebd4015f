"""Resumable export: whole campaigns only, nothing lost or duplicated, even after SIGKILL."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from signalwire_orders import (
    AuthenticationError,
    CampaignResult,
    Client,
    ExportSummary,
    export_orders,
)
from signalwire_orders.testing import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeData, FakeServer
from support import instant

SIZES = {"seed": 4, "brands": 2, "campaigns_per_brand": 6, "orders_per_campaign": 70}
NO_WAIT = instant(2)


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


#: A fake with 12 campaigns of 70 orders.
pytestmark = pytest.mark.signalwire_fake_server(**SIZES)


def _marked_complete(checkpoint: Path) -> bool:
    """Whether a checkpoint's last entry marks its export complete."""
    return bool(json.loads(checkpoint.read_text().splitlines()[-1]).get("complete"))


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

    @pytest.mark.parametrize(
        ("first", "then"),
        [
            ({}, {"state": "failed"}),
            ({"state": "failed"}, {}),
            ({"state": "failed"}, {"state": "pending"}),
            ({}, {"page_size": 10}),
        ],
        ids=["state added", "state dropped", "state changed", "page size added"],
    )
    async def test_a_resume_under_other_filters_is_refused(
        self,
        server: FakeServer,
        tmp_path: Path,
        first: dict[str, Any],
        then: dict[str, Any],
    ) -> None:
        """The checkpoint records state and page size; a resume with others is a ValueError."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()[:2]
        server.faults.script("list_orders", ["500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            await export_orders(client, ids, out, concurrency=1, **first)
            before = out.read_bytes()
            requests = server.count()
            with pytest.raises(ValueError, match="would mix two exports"):
                await export_orders(client, ids, out, resume=True, **then)

        assert (before, requests) == (out.read_bytes(), server.count())

    async def test_a_resume_under_the_same_filters_carries_on(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """Same state and page size: the resume is accepted and completes the file."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()[:3]
        server.faults.script("list_orders", ["500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            await export_orders(client, ids, out, concurrency=1, state="failed", page_size=10)
            summary = await export_orders(
                client, ids, out, resume=True, state="failed", page_size=10
            )

        assert summary.complete
        expected = sorted((c, o["id"]) for c in ids for o in server.data.orders_of(c, "failed"))
        assert expected == _exported(out, "jsonl")

    async def test_resuming_a_complete_export_fetches_nothing_and_says_complete(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """A finished resumable export, resumed again, makes no order request."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()
        async with Client(env=server.env) as client:
            await export_orders(client, ids, out, resume=True)
            content = out.read_bytes()
            before = server.count("list_orders")
            again = await export_orders(client, ids, out, resume=True)

        assert (0, len(ids), len(ids)) == (again.orders, again.skipped, again.campaigns)
        assert again.complete
        assert before == server.count("list_orders")
        assert content == out.read_bytes()

    async def test_resuming_a_complete_export_fetches_only_new_campaigns(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """Campaigns added since a complete export are fetched and appended, and only they."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()
        async with Client(env=server.env) as client:
            await export_orders(client, ids[:-2], out, resume=True)
            again = await export_orders(client, ids, out, resume=True)

        assert (len(ids) - 2, 2) == (again.skipped, again.campaigns - again.skipped)
        assert _truth(server.data) == _exported(out, "jsonl")

    async def test_a_fresh_export_over_a_complete_one_starts_again(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """A finished checkpoint does not block a fresh (non-resume) export of the same file."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()[:2]
        async with Client(env=server.env) as client:
            await export_orders(client, ids, out, resume=True)
            summary = await export_orders(client, ids, out)

        assert (0, 2) == (summary.skipped, summary.campaigns)
        assert not (tmp_path / "orders.jsonl.checkpoint").exists()

    @pytest.mark.parametrize("resume", [False, True])
    async def test_a_bad_token_stops_the_export_after_few_requests(
        self, server: FakeServer, tmp_path: Path, resume: bool
    ) -> None:
        """A 401 is raised once, after at most *concurrency* requests; a checkpoint stays sound."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()
        async with Client(env={**server.env, "SIGNALWIRE_API_TOKEN": "PT-bad"}) as client:
            with pytest.raises(AuthenticationError):
                await export_orders(client, ids, out, concurrency=3, resume=resume)

        assert server.count("list_orders") <= 3
        if resume:  # the checkpoint names no campaign, and the file only its header
            lines = (tmp_path / "orders.jsonl.checkpoint").read_text().splitlines()
            assert ["format"] == [k for k in json.loads(lines[0]) if k == "format"]
            assert 1 == len(lines)
            assert b"" == out.read_bytes()

    async def test_summary_type(self, server: FakeServer, tmp_path: Path) -> None:
        """The summary is an ExportSummary naming the output path."""
        out = tmp_path / "o.jsonl"
        async with Client(env=server.env) as client:
            summary = await export_orders(client, server.data.campaign_ids()[:1], out)

        assert isinstance(summary, ExportSummary)
        assert out == summary.path


def _listing(directory: Path) -> list[Path]:
    return sorted(directory.iterdir())


def _names(directory: Path) -> list[str]:
    return [path.name for path in _listing(directory)]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class TestAtomicExport:
    async def test_the_file_appears_only_when_the_export_ends(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """While campaigns are written the target does not exist; a part file beside it does."""
        out = tmp_path / "orders.jsonl"
        seen: list[list[str]] = []

        def look(_result: CampaignResult) -> None:
            seen.append(_names(tmp_path))

        async with Client(env=server.env) as client:
            await export_orders(
                client, server.data.campaign_ids()[:3], out, atomic=True, on_result=look
            )

        assert 3 == len(seen)
        for names in seen:
            assert 1 == len(names)
            assert re.fullmatch(r"\.orders\.jsonl\..+\.part", names[0])
        assert ["orders.jsonl"] == _names(tmp_path)

    @pytest.mark.parametrize("fmt", ["jsonl", "csv"])
    async def test_it_replaces_the_target_with_every_order(
        self, server: FakeServer, tmp_path: Path, fmt: str
    ) -> None:
        """A complete atomic export replaces the old file, with no checkpoint, as a new file."""
        out = tmp_path / f"orders.{fmt}"
        out.write_text("old\n")
        async with Client(env=server.env) as client:
            summary = await export_orders(
                client,
                server.data.campaign_ids(),
                out,
                fmt=fmt,  # type: ignore[arg-type]  # parametrized literal
                atomic=True,
            )

        assert _truth(server.data) == _exported(out, fmt)
        assert (12, 0, ()) == (summary.campaigns, summary.skipped, summary.failed)
        assert [out] == _listing(tmp_path)
        assert 0o666 & ~_umask() == stat.S_IMODE(out.stat().st_mode)

    async def test_it_writes_the_same_bytes_as_a_resumable_export(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """Atomic and resumable exports of the same campaign give identical files."""
        ids = server.data.campaign_ids()[:1]
        async with Client(env=server.env) as client:
            await export_orders(client, ids, tmp_path / "a.csv", fmt="csv", atomic=True)
            await export_orders(client, ids, tmp_path / "b.csv", fmt="csv")

        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()

    async def test_some_failed_campaigns_leave_the_others_written(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """The campaigns that did not fail are in the file; no checkpoint is kept."""
        out = tmp_path / "orders.jsonl"
        ids = server.data.campaign_ids()[:3]
        server.faults.script("list_orders", ["500", "500"])
        async with Client(env=server.env, retry=NO_WAIT) as client:
            summary = await export_orders(client, ids, out, concurrency=1, atomic=True)

        assert [ids[0]] == [str(cid) for cid, _ in summary.failed]
        assert 2 == summary.campaigns
        expected = sorted((c, o["id"]) for c in ids[1:] for o in server.data.orders_of(c))
        assert expected == _exported(out, "jsonl")
        assert [out] == _listing(tmp_path)

    async def test_every_campaign_failing_leaves_the_target_as_it_was(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """When no campaign could be fetched, the old file stays and nothing is beside it."""
        out = tmp_path / "orders.jsonl"
        out.write_text("old\n")
        server.faults.script("list_orders", ["500"] * 4)
        async with Client(env=server.env, retry=NO_WAIT) as client:
            summary = await export_orders(
                client, server.data.campaign_ids()[:2], out, concurrency=1, atomic=True
            )

        assert (2, 0, 0) == (len(summary.failed), summary.campaigns, summary.orders)
        assert "old\n" == out.read_text()
        assert [out] == _listing(tmp_path)

    async def test_an_export_that_raises_leaves_nothing_behind(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """An error midway removes the part file; the target is never created."""
        out = tmp_path / "orders.jsonl"

        def fail(_result: CampaignResult) -> None:
            raise RuntimeError("stop")

        async with Client(env=server.env) as client:
            with pytest.raises(RuntimeError, match="stop"):
                await export_orders(
                    client, server.data.campaign_ids(), out, atomic=True, on_result=fail
                )

        assert [] == _listing(tmp_path)

    async def test_a_cancelled_export_leaves_nothing_behind(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """Cancelled after its first campaign is written, it removes its part file."""
        out = tmp_path / "orders.jsonl"
        async with Client(env=server.env) as client:
            task = asyncio.create_task(
                export_orders(
                    client,
                    server.data.campaign_ids(),
                    out,
                    concurrency=2,
                    atomic=True,
                    on_result=lambda _result: task.cancel(),
                )
            )
            with pytest.raises(asyncio.CancelledError):
                await task

        assert [] == _listing(tmp_path)

    async def test_a_missing_directory_is_an_os_error(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """A target in a directory that does not exist raises FileNotFoundError, no request."""
        async with Client(env=server.env) as client:
            with pytest.raises(FileNotFoundError):
                await export_orders(
                    client, server.data.campaign_ids(), tmp_path / "no" / "o.jsonl", atomic=True
                )

        assert 0 == server.count()

    async def test_it_leaves_a_checkpoint_alone(self, server: FakeServer, tmp_path: Path) -> None:
        """An unfinished resumable export does not stop an atomic one, nor is it touched."""
        out = tmp_path / "orders.jsonl"
        checkpoint = tmp_path / "orders.jsonl.checkpoint"
        checkpoint.write_text("{}\n")
        async with Client(env=server.env) as client:
            summary = await export_orders(client, server.data.campaign_ids()[:1], out, atomic=True)

        assert summary.complete
        assert "{}\n" == checkpoint.read_text()

    async def test_atomic_and_resume_exclude_each_other(
        self, server: FakeServer, tmp_path: Path
    ) -> None:
        """``atomic=True`` with ``resume=True`` is a ValueError before anything is written."""
        async with Client(env=server.env) as client:
            with pytest.raises(ValueError, match="exclude"):
                await export_orders(
                    client, server.data.campaign_ids(), tmp_path / "o", atomic=True, resume=True
                )

        assert [] == _listing(tmp_path)


class TestOnResult:
    @pytest.mark.parametrize("atomic", [False, True])
    async def test_called_once_per_campaign_after_it_is_written(
        self, server: FakeServer, tmp_path: Path, atomic: bool
    ) -> None:
        """Each campaign's result reaches ``on_result``, failed ones too."""
        ids = server.data.campaign_ids()[:4]
        server.faults.script("list_orders", ["500", "500"])
        results: list[CampaignResult] = []
        async with Client(env=server.env, retry=NO_WAIT) as client:
            summary = await export_orders(
                client,
                ids,
                tmp_path / "o.jsonl",
                concurrency=1,
                atomic=atomic,
                on_result=results.append,
            )

        assert ids == [str(result.campaign_id) for result in results]
        assert [True, False, False, False] == [result.error is not None for result in results]
        assert summary.orders == sum(len(result.orders) for result in results)


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
        assert _marked_complete(checkpoint)  # kept, so that resuming again says so


def test_no_event_loop_is_left_running() -> None:
    """The module's async tests leave no running loop behind (sanity for the sync tests)."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
