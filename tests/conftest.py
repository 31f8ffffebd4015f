"""Fixtures for every layer: a clean environment, a fast Hypothesis profile, the fake server."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from signalwire_orders.testing import FakeServer

pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]

settings.register_profile("fast", max_examples=60, deadline=None)
settings.load_profile("fast")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SIGNALWIRE_* variable from the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith("SIGNALWIRE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def server(signalwire_fake_server: FakeServer) -> FakeServer:
    """The plugin's started fake, sized per module, class or test by its marker."""
    return signalwire_fake_server
