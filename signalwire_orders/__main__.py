"""
The command line's door: ``python -m signalwire_orders`` and the ``signalwire-orders`` script.

The CLI's packages (click, rich, python-dotenv) are the ``cli`` extra, so that
a service embedding the library does not install them. Without them, the
command says in one line how to get them and exits 1 (as httpx does).

Example::

    python -m signalwire_orders demo
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["main"]

#: The top-level modules of the ``cli`` extra's packages.
CLI_MODULES: Final = frozenset({"click", "rich", "dotenv"})
MISSING_EXTRA: Final = (
    "signalwire-orders: the command line needs its extra packages: "
    "pip install 'signalwire-orders[cli]'"
)


def main(argv: Sequence[str] | None = None) -> None:
    """
    Run the CLI, or exit 1 with one line saying to install ``signalwire-orders[cli]``.

    Example::

        main(["orders", "list", "--all-campaigns", "--format", "jsonl"])
    """
    try:
        from ._cli import main as cli_main  # noqa: PLC0415  # only now: it needs the extra
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in CLI_MODULES:
            raise
        raise SystemExit(MISSING_EXTRA) from None
    cli_main(argv)


if __name__ == "__main__":
    main()
