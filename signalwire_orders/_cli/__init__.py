"""
The ``signalwire-orders`` command line (SPEC section 6): click for arguments, rich for people.

Only the ``_cli`` package prints (STYLE.md). Each command builds a `Client` from
the environment merged with a ``.env`` file (credentials never come from an
argument, which would show in ``ps``), runs one ``asyncio.run``, and maps what
went wrong to an exit code that scripts can test (see ``EXIT_*``). Tables go to
stdout for people; ``--format json|jsonl|csv`` writes plain data and nothing
else; progress bars go to stderr, and only when it is a terminal.

This module owns the root group, its global options, ``main`` and the turning
of any error into one line and an exit code. The pieces live beside it:

* ``common``  exit codes, settings, error lines, ``run``, shared options
* ``output``  rows (from the public models), tables, the row writer, progress bar
* ``bulk``    the orders of many campaigns: choosing, fan-out, failures
* ``orders``, ``catalog``, ``export``, ``fake``  the commands
* ``demo``    what ``demo`` does against the embedded fake, and its report

It is written against the public API only, ``signalwire_orders`` and
``signalwire_orders.testing`` (plus the fake's own option table in
``testing._options``, shared with ``python -m signalwire_orders.testing``); an
import-linter contract keeps it off the library's private modules. Export
files are written by `signalwire_orders.export_orders` alone.
"""

from __future__ import annotations

import errno
import inspect
import os
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from dotenv import dotenv_values

from signalwire_orders import __version__

from .catalog import brands, campaigns, numbers
from .common import (
    EXIT_AUTH,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    CliSettings,
    EnvFile,
    Terminated,
    exit_code_of,
    merge_env,
    message_of,
    print_error,
    redact,
    secrets_of,
)
from .export import export
from .fake import demo, fake_server
from .orders import orders

__all__ = ["cli", "main"]

_EPILOG = """\b
Exit codes:
  0    success
  1    any other error (network, 5xx, unexpected response, wait timeout)
  2    usage error (bad option or argument, e.g. a campaign id that is not a UUID)
  3    configuration error (missing or malformed settings or credentials)
  4    authentication or permission denied (401, 403)
  5    not found (404)
  6    partial failure: some campaigns failed, the others were output
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM: systemd, Kubernetes, docker stop); cleaned up as for Ctrl-C

\b
Settings come from the environment, or a .env file (the environment wins, per
setting: if it names the space or base URL, or either credential, the file
supplies none of that setting's variables):
  SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN   credentials (never an option)
  SIGNALWIRE_SPACE                              e.g. "example" (example.signalwire.com)
  SIGNALWIRE_REST_BASE_URL                      a full base URL instead, e.g. a fake server
"""


class _Group(click.Group):
    """The root group: turns every error of a command into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401  # click.Group.invoke's own
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            click.echo("interrupted (SIGTERM)", err=True)
            raise click.exceptions.Exit(EXIT_TERMINATED) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click quiets a closed pipe (``| head``) itself
            self._report(ctx, exc)
        except Exception as exc:  # noqa: BLE001  # every failure becomes one line and a code
            self._report(ctx, exc)

    @staticmethod
    def _report(ctx: click.Context, exc: Exception) -> NoReturn:
        settings = ctx.obj if isinstance(ctx.obj, CliSettings) else None
        secrets = settings.secrets if settings is not None else secrets_of({})
        if settings is not None and settings.debug:
            trace = "".join(traceback.format_exception(exc))
            click.echo(redact(trace, secrets), err=True, nl=False)
        line = message_of(exc)
        code = exit_code_of(exc)
        source = settings.credentials_from_file() if settings is not None else None
        if code == EXIT_AUTH and source is not None:
            line += f" (the credentials came from {source})"
        print_error(line, secrets)
        raise click.exceptions.Exit(code) from None


def _load_env(env_file: Path | None) -> tuple[dict[str, str], EnvFile | None]:
    """``os.environ`` with what a ``.env`` file may add to it; ``os.environ`` is not touched."""
    if env_file is None:
        default = Path(".env")
        env_file = default if default.is_file() else None
    if env_file is None:
        return dict(os.environ), None
    return merge_env(os.environ, dotenv_values(env_file), env_file)


@click.group(name="signalwire-orders", cls=_Group, epilog=_EPILOG)
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this .env file (default: ./.env if present); the environment "
    "wins over it, per setting.",
)
@click.option("--base-url", metavar="URL", help="API origin, e.g. a fake server's (not secret).")
@click.option("--space", metavar="NAME", help="SignalWire space, e.g. 'example'.")
@click.option("--debug", is_flag=True, help="Show tracebacks and DEBUG logs on stderr.")
@click.option(
    "--allow-insecure-http",
    is_flag=True,
    help="Allow a plain http:// base URL to a host that is not this machine (a fake server "
    "in another container); credentials then travel unencrypted.",
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    metavar="N",
    help="Requests in flight across the whole client (default 32).",
)
@click.version_option(__version__, prog_name="signalwire-orders")
@click.pass_context
def cli(
    ctx: click.Context,
    *,
    env_file: Path | None,
    base_url: str | None,
    space: str | None,
    debug: bool,
    allow_insecure_http: bool,
    max_concurrency: int | None,
) -> None:
    """
    Phone number assignment orders of SignalWire's Campaign Registry (10DLC).

    List orders of one, many or all campaigns, get, create and wait for
    orders, list campaigns and brands, export to JSON Lines or CSV, or try it
    all against the embedded fake server with no account: `signalwire-orders demo`.
    """
    env, read = _load_env(env_file)
    ctx.obj = CliSettings(
        env=env,
        space=space,
        base_url=base_url,
        max_concurrency=max_concurrency,
        debug=debug,
        env_file=read,
        allow_insecure_http=allow_insecure_http,
    )
    if debug and read is not None:  # names only, never values
        supplied = ", ".join(read.supplied) or "nothing"
        click.echo(f"debug: read {read.path}: it supplied {supplied}", err=True)
        if read.overridden:
            overridden = ", ".join(read.overridden)
            click.echo(f"debug: the environment overrides {overridden} from it", err=True)


# The commands are free-standing click commands in their topic modules, attached here
# explicitly. Imports thus only point downwards (this package -> commands -> common and
# output): no command module imports this one, so there is no cycle and no import
# done only for its side effect. click lists commands by name, so the order is free.
for _command in (orders, numbers, campaigns, brands, export, fake_server, demo):
    cli.add_command(_command)


def _clean_help(command: click.Command) -> None:
    # click (8.3) keeps a docstring as written and cleans it only when it prints
    # --help; what reads .help directly (the docs' generated reference, a command's
    # one-line summary in its group) gets it without its indentation.
    if command.help:
        command.help = inspect.cleandoc(command.help)
    for sub in getattr(command, "commands", {}).values():
        _clean_help(sub)


_clean_help(cli)


def main(argv: Sequence[str] | None = None) -> None:
    """
    Run the CLI (the ``signalwire-orders`` console script); exits with the command's code.

    Example::

        main(["orders", "list", "--all-campaigns", "--format", "jsonl"])
    """
    cli.main(args=list(argv) if argv is not None else None)
