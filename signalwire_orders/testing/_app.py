"""
The fake server's aiohttp.web application: the route table behind the middleware.

`make_app` is the one place the pieces meet: the state (`_state`) goes under
`STATE`, every request passes through `middleware` (`_middleware`), the
route table (`_routes`) is mounted under `API_PREFIX`, and the work between
requests (`_background`: the clock, the status callbacks) runs as long as the app.
"""

from __future__ import annotations

from aiohttp import web

from ._background import install
from ._middleware import middleware
from ._routes import ROUTES
from ._state import STATE, ServerState
from ._wire import API_PREFIX

__all__ = ["make_app"]


def make_app(state: ServerState) -> web.Application:
    """
    Build the aiohttp application that serves the Campaign Registry routes from ``state``.

    Example::

        runner = web.AppRunner(make_app(state))
    """
    app = web.Application(middlewares=[middleware])
    app[STATE] = state
    install(app, state)
    for route, (method, path, handler) in ROUTES.items():
        app.router.add_route(method, API_PREFIX + path, handler, name=route)
    return app
