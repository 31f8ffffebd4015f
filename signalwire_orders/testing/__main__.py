"""
Run the fake Campaign Registry server standalone: ``python -m signalwire_orders.testing``.

Example::

    python -m signalwire_orders.testing --port 8080 --seed 1 --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._server import FakeServer

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m signalwire_orders.testing",
        description="Serve a fake SignalWire Campaign Registry (10DLC) API with seeded data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port, 0 for any (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=0, help="data seed (default: %(default)s)")
    parser.add_argument("--brands", type=int, default=3, help="brands (default: %(default)s)")
    parser.add_argument(
        "--campaigns-per-brand",
        type=int,
        default=4,
        help="campaigns per brand (default: %(default)s)",
    )
    parser.add_argument(
        "--orders-per-campaign",
        type=int,
        default=120,
        help="orders per campaign (default: %(default)s)",
    )
    parser.add_argument(
        "--numbers-per-campaign",
        type=int,
        default=10,
        help="number assignments per campaign (default: %(default)s)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds added to each request (default: %(default)s)",
    )
    parser.add_argument(
        "--absolute-links", action="store_true", help="give paging links as absolute URLs"
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="keep no record of requests (long benchmark runs stay flat in memory)",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    server = FakeServer(
        seed=args.seed,
        brands=args.brands,
        campaigns_per_brand=args.campaigns_per_brand,
        orders_per_campaign=args.orders_per_campaign,
        numbers_per_campaign=args.numbers_per_campaign,
        host=args.host,
        port=args.port,
        absolute_links=args.absolute_links,
        record=not args.no_record,
    )
    server.faults.latency = args.latency
    await server.start()
    # The fake's credentials are fixed test values, not secrets: showing them is the point.
    exports = "".join(f"  export {name}={value}\n" for name, value in server.env.items())
    banner = (
        f"Fake SignalWire Campaign Registry API on {server.base_url}\n"
        f"Point the client at it with:\n{exports}Press Ctrl+C to stop."
    )
    print(banner, flush=True)  # noqa: T201  # the standalone server's one output
    task = asyncio.current_task()
    if task is not None:
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):  # SIGTERM: close cleanly and exit 0
        await server.serve_forever()


def main(argv: Sequence[str] | None = None) -> int:
    """
    Parse the arguments and serve until interrupted; return the exit code.

    Example::

        main(["--port", "0", "--seed", "2"])
    """
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
