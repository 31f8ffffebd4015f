"""
What the fake server does between requests: move created objects on in time.

`install` runs, from the application's startup to its cleanup, a task that
calls `FakeData.advance_due` while ``ServerState.advance_after`` is set, so
that what was created reaches its final state even if nobody polls it.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from ._state import ServerState

__all__ = ["install"]

_TICK = 0.05  # the longest the clock task sleeps: how soon it sees a new advance_after


async def _advance(state: ServerState) -> None:
    while True:
        after = state.advance_after
        wait = None if after is None else state.data.advance_due(after)
        await asyncio.sleep(_TICK if wait is None else min(wait, _TICK))


class _Background:
    # The clock task of one application, from its startup to its cleanup.

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._clock: asyncio.Task[None] | None = None

    async def start(self, _: web.Application) -> None:
        self._clock = asyncio.create_task(_advance(self._state), name="fake-server-clock")

    async def close(self, _: web.Application) -> None:
        if self._clock is None:
            return
        clock, self._clock = self._clock, None
        clock.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await clock


def install(app: web.Application, state: ServerState) -> None:
    """
    Run the clock of ``state`` from the app's startup to its cleanup.

    Plain startup and cleanup hooks rather than a cleanup context, so no async
    generator of the fake stays open while it runs.

    Example::

        install(app, state)
    """
    background = _Background(state)
    app.on_startup.append(background.start)
    app.on_cleanup.append(background.close)
