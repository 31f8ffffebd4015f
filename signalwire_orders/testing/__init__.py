"""
A faithful fake of SignalWire's Campaign Registry (10DLC) API, for tests and demos.

`FakeServer` serves the twelve ``/api/relay/rest/registry/beta`` routes of the
vendor's OpenAPI over loopback HTTP, with seeded data (`FakeData`), real
paging, Basic auth, the documented error bodies, fault injection (`Faults`,
`RouteFaults`, `Fault`, `Outcome`) and a record of every request
(`RecordedRequest`). Brands, campaigns and orders created through it start
``pending`` and move on to a final state by polls or in time; each move is a
`StateChange`, and the documented ones are POSTed as status callbacks to a
loopback ``status_callback_url`` (`StatusCallback`). `ServerState` is what
every request reads: the switches a test flips mid-run
(``server.state.forbidden = True``). `Listing` is one list route's result,
page by page.
It imports nothing from the client: it writes the wire format itself.

Example::

    from signalwire_orders.testing import FakeServer

    async with FakeServer(seed=1) as server:
        server.faults.script("list_orders", ["500", "ok"])
        ...  # point a client at server.base_url with server.project_id / server.api_token

Standalone: ``python -m signalwire_orders.testing --port 8080``, whose options
(`COMMAND_LINE_OPTIONS`, `ServerOption`) ``signalwire-orders fake-server`` shares,
with `server_from_options` and `server_banner`. In pytest, add
``pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]`` for the
``signalwire_fake_server`` fixture.
"""

from signalwire_orders._names import publish_names as _publish_names

from ._data import FakeData
from ._faults import Fault, Faults, Outcome, RouteFaults
from ._lifecycle import StateChange
from ._options import COMMAND_LINE_OPTIONS, ServerOption, server_banner, server_from_options
from ._paging import Listing
from ._server import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeServer
from ._state import RecordedRequest, ServerState, StatusCallback

__all__ = [
    "COMMAND_LINE_OPTIONS",
    "DEFAULT_API_TOKEN",
    "DEFAULT_PROJECT_ID",
    "FakeData",
    "FakeServer",
    "Fault",
    "Faults",
    "Listing",
    "Outcome",
    "RecordedRequest",
    "RouteFaults",
    "ServerOption",
    "ServerState",
    "StateChange",
    "StatusCallback",
    "server_banner",
    "server_from_options",
]


_publish_names(globals(), private="signalwire_orders.testing._")
