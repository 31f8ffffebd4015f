"""
One measured run, in its own process: the library, the raw loop or the typed peer.

Invoked by ``benchmarks/run.py`` as ``python benchmarks/_worker.py '<json job>'``;
prints one JSON line: wall seconds, CPU seconds, items, RSS before and peak.

``raw`` and ``pydantic`` import nothing from ``signalwire_orders``: they are
what a user would write by hand, and they share every line but the parse of
a page. ``raw`` is plain aiohttp and ``json.loads`` into dicts; ``pydantic``
validates each page into pydantic v2 models with ``model_validate_json``.
Both do what the library does: the same requests with the same concurrency,
the status checked, every page parsed, ``links.next`` followed, and each
campaign's orders kept until its result is handed over.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp

API_PREFIX = "/api/relay/rest/registry/beta"

#: A page parsed: its orders and its ``links.next``.
Parse = Callable[[bytes], tuple[Sequence[Any], str | None]]


def _ids(job: dict[str, Any]) -> list[str]:
    return list(json.loads(Path(job["ids_file"]).read_text()))


def _parse_raw(body: bytes) -> tuple[Sequence[Any], str | None]:
    page = json.loads(body)
    return page["data"], page["links"].get("next")


def _pydantic_parse() -> Parse:
    """The typed peer's parse: pydantic v2 models, one ``model_validate_json`` per page."""
    # Imported by name: optional (run.py skips this impl without it), and
    # create_model rather than class statements, so that type-checking this
    # file needs no pydantic either.
    pydantic = importlib.import_module("pydantic")
    model = pydantic.create_model
    config = pydantic.ConfigDict(extra="allow")
    links = model("Links", __config__=config, next=(str | None, None))
    order = model(
        "Order",
        __config__=pydantic.ConfigDict(extra="allow", frozen=True),
        id=(UUID, ...),
        state=(str | None, None),
        processed_at=(datetime | None, None),
        created_at=(datetime | None, None),
        updated_at=(datetime | None, None),
        status_callback_url=(str | None, None),
    )
    validate = model(
        "OrderPage",
        __config__=config,
        links=(links, ...),
        data=(list[order], ...),  # type: ignore[valid-type]  # a pydantic model made at run time
    ).model_validate_json

    def parse(body: bytes) -> tuple[Sequence[Any], str | None]:
        page = validate(body)
        return page.data, page.links.next

    return parse


async def _by_hand(job: dict[str, Any], parse: Parse) -> int:
    """The hand-written client: aiohttp, ``parse`` per page, the same fan-out as list_many."""
    concurrency = int(job["concurrency"])
    headers = {
        "Authorization": aiohttp.encode_basic_auth(job["project_id"], job["api_token"]),
        "Accept": "application/json",
    }
    query = f"?page_size={job['page_size']}" if job.get("page_size") else ""
    base = job["base_url"]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector, headers=headers) as session:

        async def walk(campaign_id: str, keep: bool) -> list[Any] | int:
            # Links are relative to the space, as the API gives them (the
            # session's base URL resolves them); a campaign's orders are kept
            # until its result is handed over, as list_many keeps them.
            target: str | None = f"{API_PREFIX}/campaigns/{campaign_id}/orders{query}"
            kept: list[Any] = []
            count = 0
            while target is not None:
                async with session.get(target) as resp:
                    resp.raise_for_status()
                    orders, target = parse(await resp.read())
                if keep:
                    kept += orders
                else:
                    for _ in orders:  # streamed: each order is seen once, as list() yields it
                        count += 1
            return kept if keep else count

        if job["mode"] == "stream":
            count = await walk(job["campaign_id"], keep=False)
            assert isinstance(count, int)  # noqa: S101  # keep=False returns the count
            return count
        return await _fan_out(_ids(job), lambda cid: walk(cid, keep=True), concurrency)


async def _fan_out(
    ids: list[str], fetch: Callable[[str], Awaitable[list[Any] | int]], n: int
) -> int:
    pending = iter(ids)
    total = 0

    async def worker() -> None:
        nonlocal total
        for cid in pending:  # shared: each campaign is taken by exactly one worker
            orders = await fetch(cid)  # the result, handed over and dropped
            total += len(orders) if isinstance(orders, list) else orders

    async with asyncio.TaskGroup() as group:
        for _ in range(n):
            group.create_task(worker())
    return total


async def _library(job: dict[str, Any]) -> int:
    """The same work through signalwire_orders' public API."""
    from signalwire_orders import Client  # noqa: PLC0415  # the hand-written ones must not

    concurrency = int(job["concurrency"])
    page_size = job.get("page_size")
    client = Client(
        project_id=job["project_id"],
        api_token=job["api_token"],
        base_url=job["base_url"],
        max_concurrency=concurrency,
        env={},
    )
    async with client:
        if job["mode"] == "stream":
            count = 0
            async for _ in client.orders.list(job["campaign_id"], page_size=page_size):
                count += 1
            return count
        total = 0
        failed = 0
        results = client.orders.list_many(_ids(job), concurrency=concurrency, page_size=page_size)
        async for result in results:
            total += len(result.orders)
            failed += result.error is not None
        if failed:
            msg = f"{failed} campaigns failed"
            raise RuntimeError(msg)
        return total


def _runner(impl: str) -> Callable[[dict[str, Any]], Coroutine[Any, Any, int]]:
    if impl == "library":
        import signalwire_orders  # noqa: F401, PLC0415  # import cost stays out of the timing

        return _library
    parse = _parse_raw if impl == "raw" else _pydantic_parse()
    return lambda job: _by_hand(job, parse)


def _status_mb(field: str) -> float:
    # VmHWM is this process image's own peak; ru_maxrss would include the
    # parent's RSS from before exec (Linux keeps it across execve).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    """Run the job given as JSON in argv[1]; print the measurement as JSON."""
    job = json.loads(sys.argv[1])
    run = _runner(job["impl"])
    rss_before = _status_mb("VmRSS")
    if job.get("gc_off"):
        gc.disable()  # the --gc-off diagnostic only: this process, this measurement
    wall0, cpu0 = time.perf_counter(), time.process_time()
    items = asyncio.run(run(job))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    figures = {"wall": wall, "cpu": cpu, "items": items}
    print(json.dumps({**figures, "rss_before_mb": rss_before, "peak_rss_mb": _status_mb("VmHWM")}))


if __name__ == "__main__":
    main()
