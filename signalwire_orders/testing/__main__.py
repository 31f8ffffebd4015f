"""
Run the fake Campaign Registry server standalone: ``python -m signalwire_orders.testing``.

Its options come from the table in ``_options``, which ``signalwire-orders
fake-server`` builds its own from: the two accept the same ones.

Example::

    python -m signalwire_orders.testing --port 8080 --seed 1 --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Sequence

from ._options import COMMAND_LINE_OPTIONS, ServerOption, server_banner, server_from_options

__all__ = ["build_parser", "main"]


def _value_of(option: ServerOption) -> Callable[[str], int | float | str]:
    def parse(text: str) -> int | float | str:
        try:
            return option.parse(text)
        except ValueError as exc:  # argparse shows this message, not a generic one
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse


def build_parser() -> argparse.ArgumentParser:
    """
    The command line's parser, built from the option table that ``fake-server`` shares.

    Example::

        args = build_parser().parse_args(["--port", "0", "--no-record"])
    """
    parser = argparse.ArgumentParser(
        prog="python -m signalwire_orders.testing",
        description="Serve a fake SignalWire Campaign Registry (10DLC) API with seeded data.",
    )
    for option in COMMAND_LINE_OPTIONS:
        if option.is_flag:
            parser.add_argument(option.name, action="store_true", help=option.help)
        else:
            parser.add_argument(
                option.name,
                type=_value_of(option),
                default=option.default,
                metavar=option.metavar,
                help=f"{option.help} (default: %(default)s)",
            )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    server = server_from_options(vars(args))
    await server.start()
    print(server_banner(server), end="", flush=True)  # noqa: T201  # the standalone server's one output
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
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
