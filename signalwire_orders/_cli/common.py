"""
What every command of the CLI shares: exit codes, settings, one-line errors, running, options.

The bottom of the ``_cli`` package: it imports none of its modules, so the
command modules and ``__init__`` (the root group) can all import from it
without a cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import signal
import sys
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import Any, Final, TypedDict, TypeVar

import attrs
import click
from rich.console import Console
from rich.logging import RichHandler

from signalwire_orders import (
    AuthenticationError,
    Client,
    ConfigurationError,
    NotFoundError,
    OrderState,
    PermissionDeniedError,
    SignalWireError,
)

__all__ = [
    "ALL_CAMPAIGNS_OPTION",
    "CAMPAIGN_IDS_ARGUMENT",
    "CONCURRENCY_OPTION",
    "EXIT_AUTH",
    "EXIT_CONFIG",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_PARTIAL",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "FORMAT_OPTION",
    "NAME_OPTION",
    "ONE_FORMAT_OPTION",
    "ORDER_STATE_OPTION",
    "PAGE_SIZE_OPTION",
    "CliSettings",
    "CommandError",
    "EnvFile",
    "Terminated",
    "client_limits",
    "collected",
    "exit_code_of",
    "merge_env",
    "message_of",
    "print_error",
    "redact",
    "run",
    "secrets_of",
    "state_option",
    "with_client",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1  # any other SignalWireError (network, 5xx, bad body...)
EXIT_USAGE: Final = 2  # click's own code for a usage error
EXIT_CONFIG: Final = 3  # ConfigurationError: missing or malformed settings
EXIT_AUTH: Final = 4  # 401 or 403
EXIT_NOT_FOUND: Final = 5  # 404
EXIT_PARTIAL: Final = 6  # some campaigns failed; the others were output
EXIT_INTERRUPTED: Final = 130  # Ctrl-C (SIGINT)
EXIT_TERMINATED: Final = 143  # SIGTERM: systemd, Kubernetes, docker stop

FORMATS: Final = ("table", "json", "jsonl", "csv")
DEFAULT_BULK_CONCURRENCY: Final = 16
_CREDENTIALS: Final = ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN")
_MIN_SECRET_LENGTH: Final = 4  # redacting a 1-character "token" would mangle every message


class CommandError(Exception):
    """An error the CLI reports itself: one line and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ClientLimits(TypedDict, total=False):
    """`Client` arguments given only when set, so that the client's own defaults apply."""

    max_concurrency: int


def client_limits(max_concurrency: int | None) -> ClientLimits:
    """``max_concurrency`` for ``Client(**...)``, or nothing: the client's default."""
    return {} if max_concurrency is None else {"max_concurrency": max_concurrency}


#: Settings given by several variables. If the environment names one in any form,
#: a .env file supplies none of its variables: the environment wins per setting.
SETTINGS_GROUPS: Final = (
    (
        "SIGNALWIRE_SPACE",
        "SIGNALWIRE_SPACE_URL",
        "SIGNALWIRE_SPACE_NAME",
        "SIGNALWIRE_REST_BASE_URL",
    ),
    ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN"),
)


@attrs.frozen
class EnvFile:
    """A .env file that was read: which variable names it supplied, which it did not."""

    path: Path
    supplied: tuple[str, ...]
    overridden: tuple[str, ...]  # set in the file, but the environment names that setting


def merge_env(
    environ: Mapping[str, str], values: Mapping[str, str | None], path: Path
) -> tuple[dict[str, str], EnvFile]:
    """
    Return the environment with what a .env file may add to it, and what it added.

    Process variables always win over the file, per setting (`SETTINGS_GROUPS`):
    with ``SIGNALWIRE_SPACE`` exported, the file's ``SIGNALWIRE_REST_BASE_URL``
    is not used either, so credentials are never sent to a host the file names.
    An exported empty variable counts as unset, as the library reads it.
    """
    named = {name for name, value in environ.items() if value.strip()}
    shadowed = set(named)
    for group in SETTINGS_GROUPS:
        if named.intersection(group):
            shadowed.update(group)
    merged = dict(environ)
    supplied: list[str] = []
    overridden: list[str] = []
    for name, value in values.items():
        if value is None:
            continue
        if name in shadowed:
            overridden.append(name)
        else:
            merged[name] = value
            supplied.append(name)
    return merged, EnvFile(path=path, supplied=tuple(supplied), overridden=tuple(overridden))


@attrs.frozen
class CliSettings:
    """What the global options and the environment say; builds the client."""

    env: Mapping[str, str] = attrs.field(repr=False)
    space: str | None
    base_url: str | None
    max_concurrency: int | None
    debug: bool
    env_file: EnvFile | None = None
    allow_insecure_http: bool = False

    def credentials_from_file(self) -> Path | None:
        """The .env file the credentials came from, if they did."""
        if self.env_file is None or not set(SETTINGS_GROUPS[1]) & set(self.env_file.supplied):
            return None
        return self.env_file.path

    @property
    def secrets(self) -> list[str]:
        """Values that must never be shown (the API token)."""
        return secrets_of(self.env)

    def client(self) -> Client:
        """A client for these settings (credentials from ``env`` only)."""
        missing = [name for name in _CREDENTIALS if not self.env.get(name, "").strip()]
        if missing:  # said here, as the library's message suggests arguments the CLI lacks
            where = "the environment or a .env file (see --env-file)"
            msg = f"missing credentials: set {' and '.join(missing)} in {where}"
            raise CommandError(msg, EXIT_CONFIG)
        return Client(
            space=self.space,
            base_url=self.base_url,
            env=self.env,
            allow_insecure_http=self.allow_insecure_http,
            **client_limits(self.max_concurrency),
        )


def secrets_of(env: Mapping[str, str]) -> list[str]:
    """The API tokens of ``env`` and of ``os.environ``, longest first."""
    tokens = {env.get("SIGNALWIRE_API_TOKEN", ""), os.environ.get("SIGNALWIRE_API_TOKEN", "")}
    return sorted((t for t in tokens if len(t) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def exit_code_of(exc: BaseException) -> int:
    """
    Return the documented exit code for an exception.

    Example::

        assert exit_code_of(NotFoundError("x", status=404, method="GET", url="u")) == 5
    """
    if isinstance(exc, CommandError):
        return exc.exit_code
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(exc, NotFoundError):
        return EXIT_NOT_FOUND
    return EXIT_ERROR


def message_of(exc: BaseException) -> str:
    """The one line that tells a user what went wrong."""
    if isinstance(exc, SignalWireError | CommandError | OSError):
        text = str(exc) or type(exc).__name__
    else:  # a bug: say so, and where to see more
        text = f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    return " ".join(text.split())  # one line, whatever the message holds


def print_error(line: str, secrets: Iterable[str]) -> None:
    """Write ``error: <line>`` to stderr, secrets redacted."""
    click.echo(f"error: {redact(line, secrets)}", err=True)


@contextlib.contextmanager
def _debug_logging(secrets: Sequence[str], *, enabled: bool) -> Iterator[None]:
    """Send the library's DEBUG logs to stderr for the duration of a command."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("signalwire_orders")
    console = Console(stderr=True)
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
    else:  # a file or a pipe: one whole line per record, never wrapped (URLs stay greppable)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def redact_record(record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), secrets)
        record.args = None
        return True

    handler.addFilter(redact_record)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def with_client(settings: CliSettings, call: Callable[[Client], Awaitable[T]]) -> T:
    """Open a client for ``settings``, ``await call(client)``, close it; return the result."""

    async def main() -> T:
        async with settings.client() as client:
            return await call(client)

    return run(settings, main())


def collected(
    items: Callable[[Client], AsyncIterator[T]],
) -> Callable[[Client], Awaitable[list[T]]]:
    """A ``call`` for `with_client` that gathers a listing into a list."""

    async def collect(client: Client) -> list[T]:
        return [item async for item in items(client)]

    return collect


class Terminated(Exception):  # noqa: N818  # a signal, not a failure
    """The command got SIGTERM, and its work was cancelled (as Ctrl-C cancels it)."""


def run(settings: CliSettings, main: Coroutine[Any, Any, T]) -> T:
    """
    Run one command's coroutine in a fresh event loop; SIGTERM cancels it like Ctrl-C.

    Raises:
        KeyboardInterrupt: Ctrl-C (asyncio.run cancels the coroutine first).
        Terminated: SIGTERM, after the coroutine was cancelled and cleaned up.
    """
    with _debug_logging(settings.secrets, enabled=settings.debug):
        return asyncio.run(_cancelled_by_sigterm(main))


async def _cancelled_by_sigterm(main: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
        return await main
    try:
        return await main
    except asyncio.CancelledError:
        if terminated:
            raise Terminated from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


# -- options shared by several commands ---------------------------------------------------

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json (one array), jsonl or csv for machines.",
)
ONE_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table for people; json (one object) for machines.",
)


def state_option(states: type[E], help_text: str) -> Callable[[F], F]:
    """``--state``: one of the enum's documented values, handed to the command as a member."""

    def to_member(_ctx: click.Context, _param: click.Parameter, value: str | None) -> E | None:
        return None if value is None else states(value)

    return click.option(
        "--state", type=click.Choice([s.value for s in states]), callback=to_member, help=help_text
    )


ORDER_STATE_OPTION = state_option(OrderState, "Only orders in this state.")
CONCURRENCY_OPTION = click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=DEFAULT_BULK_CONCURRENCY,
    show_default=True,
    metavar="N",
    help="Campaigns fetched at once.",
)
PAGE_SIZE_OPTION = click.option(
    "--page-size", type=click.IntRange(1, 1000), metavar="N", help="Items per page (1..1000)."
)
ALL_CAMPAIGNS_OPTION = click.option(
    "--all-campaigns", is_flag=True, help="Every campaign of every brand, instead of ids."
)
CAMPAIGN_IDS_ARGUMENT = click.argument(
    "campaign_ids", metavar="[CAMPAIGN_ID]...", nargs=-1, type=click.UUID
)
NAME_OPTION = click.option("--name", help="Only those whose name contains this (any case).")
