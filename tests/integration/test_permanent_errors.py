"""
Errors no retry can mend fail at once and name the setting to check (SPEC section 4).

A host name that does not resolve, a TLS certificate that fails verification
and TLS spoken to a plain-HTTP port are tried once; refused connections stay
retried. The TLS cases run against the fake server behind a real TLS listener
with a certificate from a throwaway CA (trustme), which also proves that
``SIGNALWIRE_REST_CA_FILE`` makes such a server trusted.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from signalwire_orders import APIConnectionError, Client, RetryPolicy
from signalwire_orders.testing import FakeServer

ORDER_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
FIVE_TRIES = RetryPolicy(attempts=5, initial_backoff=0.0, max_backoff=0.0)


class Unresolvable(AbstractResolver):
    """A resolver for which no host name exists (no DNS server is asked)."""

    def __init__(self) -> None:
        self.lookups = 0

    async def resolve(
        self,
        host: str,  # noqa: ARG002  # the interface's
        port: int = 0,  # noqa: ARG002
        family: socket.AddressFamily = socket.AF_INET,  # noqa: ARG002
    ) -> list[ResolveResult]:
        self.lookups += 1
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to close."""


@pytest.fixture
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
async def tls_fake(ca: trustme.CA) -> AsyncIterator[tuple[FakeServer, str]]:
    """The fake's app behind a TLS listener on 127.0.0.1 with a certificate from ``ca``."""
    fake = FakeServer(seed=3, brands=1, campaigns_per_brand=1)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    runner = web.AppRunner(fake.make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield fake, f"https://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def _client(base_url: str, fake: FakeServer, **kwargs: Any) -> Client:
    return Client(
        project_id=fake.project_id,
        api_token=fake.api_token,
        base_url=base_url,
        retry=FIVE_TRIES,
        **kwargs,
    )


class TestHostNameThatDoesNotResolve:
    async def test_one_lookup_then_an_error_naming_the_space_setting(self) -> None:
        """An unknown host is looked up once, and the error says to check SIGNALWIRE_SPACE."""
        resolver = Unresolvable()
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            client = Client(
                "no-such-space", "project", "PT-token", session=session, retry=FIVE_TRIES
            )
            async with client:
                with pytest.raises(APIConnectionError) as caught:
                    await client.orders.get(ORDER_ID)

        assert 1 == resolver.lookups
        assert "SIGNALWIRE_SPACE" in str(caught.value)
        assert "no-such-space.signalwire.com" in str(caught.value)
        assert (False, False, 1) == (
            caught.value.retryable,
            caught.value.sent,
            caught.value.attempts,
        )


class TestCertificateThatFailsVerification:
    async def test_one_attempt_then_an_error_naming_the_ca_file_setting(
        self, tls_fake: tuple[FakeServer, str]
    ) -> None:
        """A certificate from an unknown CA is refused once, naming SIGNALWIRE_REST_CA_FILE."""
        fake, base_url = tls_fake

        async with _client(base_url, fake) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.orders.get(ORDER_ID)

        assert "SIGNALWIRE_REST_CA_FILE" in str(caught.value)
        assert not caught.value.retryable
        assert 0 == fake.count()  # the handshake failed: no request reached the app

    async def test_the_ca_file_setting_makes_the_server_trusted(
        self, tls_fake: tuple[FakeServer, str], ca: trustme.CA, tmp_path: Path
    ) -> None:
        """With SIGNALWIRE_REST_CA_FILE naming the CA, the same server answers."""
        fake, base_url = tls_fake
        bundle = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        brand_id = fake.data.brands[0]["id"]

        async with _client(base_url, fake, env={"SIGNALWIRE_REST_CA_FILE": str(bundle)}) as client:
            brand = await client.brands.get(brand_id)

        assert brand_id == str(brand.id)


class TestTlsToAPlainHttpPort:
    async def test_one_attempt_then_an_error_asking_if_it_is_http(self) -> None:
        """https:// to the fake's plain-HTTP port fails once, asking if it is an http:// server."""
        async with FakeServer(seed=3, brands=1) as fake:
            base_url = fake.base_url.replace("http://", "https://")

            async with _client(base_url, fake) as client:
                with pytest.raises(APIConnectionError) as caught:
                    await client.orders.get(ORDER_ID)

            assert "is this an http:// server?" in str(caught.value)
            assert not caught.value.retryable
            assert 0 == fake.count()


class TestRefusedConnection:
    async def test_refused_connections_are_still_retried(self) -> None:
        """A port nobody listens on is tried the whole budget, and stays retryable."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        listener.close()
        fake = FakeServer()

        async with _client(f"http://127.0.0.1:{port}", fake) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.orders.get(ORDER_ID)

        assert (True, 5) == (caught.value.retryable, caught.value.attempts)
