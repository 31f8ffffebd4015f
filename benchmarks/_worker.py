"""
One measured run, in its own process: the library or the hand-written baseline.

Invoked by ``benchmarks/run.py`` as ``python benchmarks/_worker.py '<json job>'``;
prints one JSON line: wall seconds, CPU seconds, items, peak RSS. The baseline
imports nothing from ``signalwire_orders``: it is what a user would write by
hand with aiohttp and ``json.loads``.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp

API_PREFIX = "/api/relay/rest/registry/beta"


def _ids(job: dict[str, Any]) -> list[str]:
    return list(json.loads(Path(job["ids_file"]).read_text()))


async def _baseline(job: dict[str, Any]) -> int:
    """Plain aiohttp + json.loads into dicts, following links.next, same concurrency."""
    concurrency = int(job["concurrency"])
    auth = aiohttp.encode_basic_auth(job["project_id"], job["api_token"])
    headers = {"Authorization": auth, "Accept": "application/json"}
    query = f"?page_size={job['page_size']}" if job.get("page_size") else ""
    base = job["base_url"]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def walk(campaign_id: str, keep: bool) -> int:
            url: str | None = f"{base}{API_PREFIX}/campaigns/{campaign_id}/orders{query}"
            kept: list[dict[str, Any]] = []
            count = 0
            while url is not None:
                async with session.get(url) as resp:
                    resp.raise_for_status()
                    page = json.loads(await resp.read())
                count += len(page["data"])
                if keep:
                    kept.extend(page["data"])
                nxt = page["links"].get("next")
                url = urljoin(url, nxt) if nxt else None
            return count

        if job["mode"] == "stream":
            return await walk(job["campaign_id"], keep=False)
        return await _fan_out(_ids(job), lambda cid: walk(cid, keep=True), concurrency)


async def _fan_out(ids: list[str], fetch: Callable[[str], Awaitable[int]], n: int) -> int:
    pending = iter(ids)
    total = 0

    async def worker() -> None:
        nonlocal total
        for cid in pending:
            count = await fetch(cid)  # not `total += await ...`: that reads total before the await
            total += count

    async with asyncio.TaskGroup() as group:
        for _ in range(n):
            group.create_task(worker())
    return total


async def _library(job: dict[str, Any]) -> int:
    """The same work through signalwire_orders' public API."""
    from signalwire_orders import Client  # noqa: PLC0415  # the baseline must not import it

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


def main() -> None:
    """Run the job given as JSON in argv[1]; print the measurement as JSON."""
    job = json.loads(sys.argv[1])
    run = _library if job["impl"] == "library" else _baseline
    if job["impl"] == "library":
        import signalwire_orders  # noqa: F401, PLC0415  # import cost stays out of the timing

    wall0, cpu0 = time.perf_counter(), time.process_time()
    items = asyncio.run(run(job))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({"wall": wall, "cpu": cpu, "items": items, "peak_rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    # VmHWM is this process image's own peak; ru_maxrss would include the
    # parent's RSS from before exec (Linux keeps it across execve).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
