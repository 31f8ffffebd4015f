"""
A web service that shares one client across its handlers.

    python examples/aiohttp_service.py --fake --port 8081
    curl localhost:8081/campaigns/<campaign_id>/orders?state=pending

``--self-test`` starts the service, calls it once and stops (used by the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from _fake import client
from aiohttp import web

from signalwire_orders import Client, NotFoundError, OrderState, SignalWireError

CLIENT = web.AppKey("client", Client)


async def campaign_orders(request: web.Request) -> web.Response:
    """GET /campaigns/{id}/orders?state=: the campaign's orders as JSON."""
    signalwire = request.app[CLIENT]
    text = request.query.get("state")
    state = None if text is None else OrderState(text)
    if state is not None and not state.is_known:  # OrderState keeps unknown values: refuse them
        raise web.HTTPBadRequest(text=f"unknown state {text!r}")
    try:
        orders = [
            {"id": str(order.id), "state": order.state}
            async for order in signalwire.orders.list(request.match_info["id"], state=state)
        ]
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    except NotFoundError as exc:
        raise web.HTTPNotFound(text="no such campaign") from exc
    except SignalWireError as exc:
        raise web.HTTPBadGateway(text=str(exc)) from exc
    return web.json_response({"orders": orders})


def make_app(signalwire: Client) -> web.Application:
    """The service: one shared client for every request it handles."""
    app = web.Application()
    app[CLIENT] = signalwire
    app.router.add_get("/campaigns/{id}/orders", campaign_orders)
    return app


@contextlib.asynccontextmanager
async def serve(app: web.Application, port: int) -> AsyncIterator[str]:
    """Run the app on 127.0.0.1; yield its URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def main() -> None:
    """Serve until interrupted, or once with --self-test."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--fake", action="store_true", help="use the embedded fake server")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    async with client(fake=args.fake, brands=1, campaigns_per_brand=1) as signalwire:
        campaign_id = [c.id async for c in signalwire.campaigns.list_all()][0]
        async with serve(make_app(signalwire), 0 if args.self_test else args.port) as url:
            print(f"serving on {url}; try {url}/campaigns/{campaign_id}/orders")
            if not args.self_test:
                await asyncio.Event().wait()  # until Ctrl+C
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{url}/campaigns/{campaign_id}/orders") as resp,
            ):
                body = await resp.json()
                print(f"GET -> {resp.status}: {len(body['orders'])} orders")


if __name__ == "__main__":
    asyncio.run(main())
