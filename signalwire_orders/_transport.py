"""
The aiohttp boundary: the session, one ``send``, the body cap, aiohttp's errors made ours.

This is the only module that calls the aiohttp client (STYLE: gidgethub's
25-line ``aiohttp.py``). `Transport` owns a ``ClientSession`` or borrows the
caller's, and ``send`` makes one HTTP exchange: it returns the complete
answer whatever its status, or raises one of our errors, translated at one
boundary (`_translate`). Retries, the 429 pause, slots and status
classification live in ``_engine``, written against ``send``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from types import TracebackType
from typing import Final

import aiohttp
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from ._config import Settings
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    OutcomeUnknownError,
    ResponseError,
)
from ._protocol import Response

__all__ = ["DEFAULT_MAX_BODY_SIZE", "Transport"]

DEFAULT_MAX_BODY_SIZE: Final = 16 * 1024 * 1024
_READ_CHUNK: Final = 64 * 1024
# What OpenSSL reports when the other end answers a ClientHello in plain text.
_PLAIN_HTTP_REASONS: Final = frozenset(
    {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)


class _translate:  # noqa: N801  # a context manager used like a function
    """
    Turn aiohttp's and asyncio's transport exceptions into ours: ``with _translate(...):``.

    A class, not ``contextlib.contextmanager``: entered once per request, and
    its generator machinery cost more than the translation it guards.
    """

    __slots__ = ("attempt", "method", "url")

    def __init__(self, method: str, url: str, attempt: int) -> None:
        self.method = method
        self.url = url
        self.attempt = attempt

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None and (error := _translated(exc, self.method, self.url, self.attempt)):
            raise error from exc


def _translated(  # noqa: PLR0911  # one return per aiohttp error class, most specific first
    exc: BaseException, method: str, url: str, attempt: int
) -> Exception | None:
    where = f"{method} {url}"
    after = f" (after {attempt} attempts)" if attempt > 1 else ""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # most specific first: never sent
        msg = f"{where}: timed out connecting{after}"
        return APITimeoutError(msg, method=method, url=url, attempts=attempt, sent=False)
    if isinstance(exc, TimeoutError):  # includes aiohttp.ServerTimeoutError
        msg = f"{where}: timed out waiting for the response{after}"
        return _sent_error(APITimeoutError, msg, method, url, attempt)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _not_connected(exc, where, after, method, url, attempt)
    if isinstance(exc, aiohttp.ClientPayloadError):
        msg = f"{where}: response body cut short ({type(exc).__name__}){after}"
        return _sent_error(APIConnectionError, msg, method, url, attempt)
    if isinstance(exc, aiohttp.ClientResponseError):
        _scrub(exc)  # its repr shows the request headers, Authorization included
        msg = f"{where}: invalid response: {type(exc).__name__}: {exc.message}{after}"
        return _sent_error(APIConnectionError, msg, method, url, attempt)
    if isinstance(exc, aiohttp.ClientError):
        msg = f"{where}: connection failed: {type(exc).__name__}: {exc}{after}"
        return _sent_error(APIConnectionError, msg, method, url, attempt)
    return None  # not a transport error: it passes unchanged


def _not_connected(  # noqa: PLR0917  # private, called once, from _translated
    exc: aiohttp.ClientConnectorError, where: str, after: str, method: str, url: str, attempt: int
) -> APIConnectionError:
    """
    The error for a connection never made: nothing was sent.

    A host name that does not resolve, a certificate that fails verification
    and TLS spoken to a plain-HTTP port are not retryable (SPEC section 4):
    their messages name the setting to check. Refused and reset connections are.
    """
    permanent = True
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        msg = (
            f"{where}: cannot resolve the host name {exc.host!r}: "
            "check SIGNALWIRE_SPACE (or SIGNALWIRE_REST_BASE_URL, or the space/base_url argument)"
        )
    elif isinstance(exc, aiohttp.ClientConnectorCertificateError):
        msg = (
            f"{where}: the server's TLS certificate failed verification "
            f"({exc.certificate_error}): if a private CA signs it, set SIGNALWIRE_REST_CA_FILE "
            "to that CA's bundle"
        )
    elif (reason := getattr(exc.os_error, "reason", None)) in _PLAIN_HTTP_REASONS:
        msg = (
            f"{where}: the server does not speak TLS ({reason}): is this an http:// server? "
            "if so, use an http:// base URL (loopback hosts, or allow_insecure_http=True)"
        )
    else:
        permanent = False
        msg = f"{where}: cannot connect: {exc.os_error}{after}"
    return APIConnectionError(
        msg, method=method, url=url, attempts=attempt, sent=False, retryable=not permanent
    )


def _scrub(exc: aiohttp.ClientResponseError) -> None:
    # The request headers travel in request_info, which is also args[0]: drop
    # Authorization from both, or the chained cause would still show it.
    info = exc.request_info
    headers = CIMultiDict(info.headers)
    headers.popall("Authorization", None)
    exc.request_info = aiohttp.RequestInfo(
        info.url, info.method, CIMultiDictProxy(headers), info.real_url
    )
    exc.args = tuple(exc.request_info if arg is info else arg for arg in exc.args)


def _sent_error(
    cls: type[APIConnectionError], msg: str, method: str, url: str, attempt: int
) -> APIConnectionError:
    # SPEC section 4: a POST that may have been processed is never retried
    # silently; it gets its own error class.
    if method == "POST":
        text = f"{msg}; the request was sent, so it may have been processed: check before retrying"
        return OutcomeUnknownError(text, method=method, url=url, attempts=attempt, sent=True)
    return cls(msg, method=method, url=url, attempts=attempt, sent=True)


def _no_hidden_resend(session: aiohttp.ClientSession) -> None:
    # aiohttp sends a GET, PUT or DELETE a second time, unseen, when the connection
    # drops it (ServerDisconnectedError, ClientOSError): no hook, counter or attempt
    # would show that send, and a DELETE the first send did would come back 404 as
    # if it never existed. The engine retries these itself, counted; this session
    # (the client's own, never a caller's) makes one send per attempt. There is no
    # public switch (aiohttp issue 10790): the attribute is aiohttp's own, read once
    # per request in ClientSession._request; tests/http/test_http_retries.py fails
    # if it goes away, and tests/integration/test_faults.py if it stops working.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False  # noqa: SLF001


class Transport:
    """Makes HTTP exchanges for one client; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: aiohttp.ClientSession | None,
        max_connections: int,
        timeout: float | None,
        user_agent: str,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        if session is not None and trace_configs:
            msg = "trace_configs apply to the client's own session: add them to yours instead"
            raise ValueError(msg)
        self._base_url = settings.base_url
        self._headers = {
            "Authorization": aiohttp.encode_basic_auth(settings.project_id, settings.api_token),
            "Accept": "application/json",
            "User-Agent": user_agent,
        }
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None  # the owned session's
        self._opened = False  # by ``async with`` (open()), rather than by a first request
        self._guard: asyncio.Task[None] | None = None
        self._closed = False
        self._max_connections = max_connections
        self._trace_configs = list(trace_configs)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_body_size = max_body_size
        self._ssl: ssl.SSLContext | None = None
        if settings.ca_file:
            try:
                self._ssl = ssl.create_default_context(cafile=settings.ca_file)
            except (OSError, ssl.SSLError) as exc:
                msg = f"SIGNALWIRE_REST_CA_FILE cannot be loaded: {settings.ca_file!r}: {exc}"
                raise ConfigurationError(msg) from exc

    def __repr__(self) -> str:
        return f"<Transport {self._base_url} max_connections={self._max_connections}>"

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            msg = "the client is closed"
            raise RuntimeError(msg)
        loop = asyncio.get_running_loop()
        if self._owns_session and self._loop is not None and self._loop is not loop:
            # A second asyncio.run(): the session belongs to the first, closed loop.
            msg = (
                "this signalwire_orders.Client was used in another event loop (an earlier "
                "asyncio.run?): create the client inside the event loop that uses it, e.g. "
                "'async with Client() as client:' within the coroutine that asyncio.run runs"
            )
            raise RuntimeError(msg)
        if self._session is None:
            self._loop = loop
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                ssl=self._ssl if self._ssl is not None else True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, trace_configs=self._trace_configs or None
            )
            _no_hidden_resend(self._session)
            if not self._opened:
                # Used without ``async with``: close the session when the loop's
                # tasks are cancelled at its end (asyncio.run does), rather than
                # leave it to warn "Unclosed client session" when collected.
                self._guard = loop.create_task(
                    self._close_with_loop(), name="signalwire_orders.close-with-loop"
                )
        return self._session

    async def _close_with_loop(self) -> None:
        try:
            await asyncio.get_running_loop().create_future()  # until cancelled
        finally:
            session, self._session = self._session, None
            if session is not None:
                await session.close()

    async def open(self) -> None:
        """Create the owned session now (inside the running loop)."""
        self._opened = True
        self._get_session()

    async def close(self) -> None:
        """Close the session if this transport created it; a borrowed one is left open."""
        self._closed = True
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def send(
        self, method: str, url: str, body: bytes | None = None, *, attempt: int = 1
    ) -> Response:
        """
        Make one HTTP exchange; return the complete answer, whatever its status.

        ``url`` is sent exactly as given (a ``next`` link carries its cursor).
        ``attempt`` only words the errors.

        Raises:
            APIConnectionError: No usable answer (``APITimeoutError`` for a
                timeout, ``OutcomeUnknownError`` for a POST whose answer was lost).
            ResponseError: The body is larger than the cap.
        """
        session = self._get_session()
        headers = self._headers if body is None else self._json_headers
        with _translate(method, url, attempt):
            async with session.request(
                method,
                yarl.URL(url, encoded=True),  # follow links exactly as given
                data=body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,  # a redirect could carry credentials elsewhere
                raise_for_status=False,  # a borrowed session's setting must not change errors
                ssl=self._ssl if self._ssl is not None else True,
            ) as resp:
                data = await self._read(resp, method, url)
                return Response(status=resp.status, headers=resp.headers, body=data, url=url)

    async def _read(self, resp: aiohttp.ClientResponse, method: str, url: str) -> bytes:
        limit = self._max_body_size
        length = resp.content_length
        if length is not None and length > limit:
            raise self._too_large(resp.status, url, length)
        if length is not None:
            body = await resp.read()
        else:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(_READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise self._too_large(resp.status, url, size)
                chunks.append(chunk)
            body = b"".join(chunks)
        if length is not None and len(body) != length:  # pragma: no cover - aiohttp raises first
            msg = f"{method} {url}: body is {len(body)} bytes, Content-Length said {length}"
            raise APIConnectionError(msg, method=method, url=url)
        return body

    def _too_large(self, status: int, url: str, size: int) -> ResponseError:
        cap = self._max_body_size
        msg = f"{url}: response body of {size}+ bytes (status {status}) exceeds the cap of {cap}"
        return ResponseError(msg, url=url, status=status)
