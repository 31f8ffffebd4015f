"""
The exception tree: the class says whose fault it is.

* SignalWireError
  * ConfigurationError     settings missing or malformed (yours)
  * APIConnectionError     no usable answer: refused, reset, DNS, TLS, cut short (the network's)
    * APITimeoutError      connect or read timeout
    * OutcomeUnknownError  a POST was sent but its answer was lost: it may have been processed
  * APIStatusError         a non-2xx answer; .status .method .url .errors .body_snippet
                           .request_id .attempts
    * BadRequestError 400, AuthenticationError 401, PermissionDeniedError 403,
      NotFoundError 404, UnprocessableEntityError 422,
      RateLimitError 429 (.retry_after), ServerError 5xx
  * ResponseError          a body that is not the documented shape
  * PaginationError        a next link that is unsafe to follow

Every error that can stop a walk over pages carries ``resume_from``: the ``next``
link the walk was about to fetch, which ``pages()`` and ``list()`` accept to
carry on where it stopped (SPEC section 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

import attrs

__all__ = [
    "APIConnectionError",
    "APIErrorItem",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "SignalWireError",
    "UnprocessableEntityError",
    "redact",
]

T = TypeVar("T")
E = TypeVar("E", bound="SignalWireError")

_SCOPES_HINT = (
    "check SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN; "
    "the token needs the Messaging and Numbers scopes"
)


@attrs.frozen
class APIErrorItem:
    """
    One error reported by the API, from ``{"error": ...}`` or ``{"errors": [...]}``.

    Example::

        except UnprocessableEntityError as exc:
            for item in exc.errors:
                print(item.title, item.detail)
    """

    detail: str
    title: str | None = None
    code: str | None = None
    status: str | None = None


class SignalWireError(Exception):
    """
    Base class of every error this library raises on purpose.

    Example::

        try:
            order = await client.orders.get(order_id)
        except SignalWireError as exc:
            log.warning("lookup failed: %s", exc)
    """

    #: The ``next`` link a page walk stopped at; pass it as ``resume_from=``.
    resume_from: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not round-trip through the default
        # BaseException pickling, so rebuild from the instance dict instead.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[E], args: tuple[Any, ...], state: dict[str, Any]) -> E:
    exc = cls.__new__(cls)
    Exception.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc


class ConfigurationError(SignalWireError):
    """
    Settings are missing or malformed: credentials, space, base URL.

    Example::

        try:
            client = Client()
        except ConfigurationError as exc:
            sys.exit(str(exc))
    """


class APIConnectionError(SignalWireError):
    """
    No usable answer: connection refused or reset, DNS failure, body cut short.

    Example::

        except APIConnectionError as exc:
            print(exc.method, exc.url)
    """

    def __init__(  # keyword-only attributes, each documented
        self,
        message: str,
        *,
        method: str,
        url: str,
        attempts: int = 1,
        sent: bool = True,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts
        #: Whether the request may have reached the server (False: refused before sending).
        self.sent = sent
        #: Whether trying again could help (False: a host name that does not resolve,
        #: a certificate that fails verification, TLS spoken to a plain-HTTP port).
        self.retryable = retryable


class APITimeoutError(APIConnectionError):
    """
    The request or the wait for an order timed out.

    Example::

        except APITimeoutError:
            ...  # retry later with a longer timeout
    """


class OutcomeUnknownError(APIConnectionError):
    """
    A POST was sent but its answer was lost, so it may or may not have been processed.

    It is never retried automatically: check (for example by listing the
    campaign's orders) before creating the order again.

    Example::

        except OutcomeUnknownError:
            orders = [o async for o in client.orders.list(campaign_id)]
    """


class APIStatusError(SignalWireError):
    """
    The API answered with a non-2xx status.

    Attributes:
        status: The HTTP status code.
        method: The HTTP method.
        url: The request URL (never carries credentials).
        errors: The parsed error items, possibly empty.
        body_snippet: The start of the response body, for diagnosis.
        request_id: The ``X-Request-Id`` response header, when present.
        attempts: How many attempts were made before giving up.
        retry_after: The ``Retry-After`` advice in seconds, when sent (429, 503).

    Example::

        except APIStatusError as exc:
            print(exc.status, exc.request_id, exc.errors)
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        errors: Sequence[APIErrorItem] = (),
        body_snippet: str = "",
        request_id: str | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        self.method = method
        self.url = url
        self.errors = tuple(errors)
        self.body_snippet = body_snippet
        self.request_id = request_id
        self.attempts = attempts

    @classmethod
    def hint(cls) -> str:
        """Return advice to append to the message, or an empty string."""
        return ""


class BadRequestError(APIStatusError):
    """
    400: the API rejected the request as malformed.

    Example::

        except BadRequestError as exc:
            print(exc.body_snippet)
    """


class AuthenticationError(APIStatusError):
    """
    401: the project ID or API token was not accepted.

    Example::

        except AuthenticationError:
            sys.exit("check SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN")
    """

    @classmethod
    def hint(cls) -> str:
        """Return advice about credentials and token scopes."""
        return _SCOPES_HINT


class PermissionDeniedError(APIStatusError):
    """
    403: the token is valid but may not do this.

    Example::

        except PermissionDeniedError:
            sys.exit("enable the Messaging and Numbers scopes on the API token")
    """

    @classmethod
    def hint(cls) -> str:
        """Return advice about token scopes."""
        return _SCOPES_HINT


class NotFoundError(APIStatusError):
    """
    404: no such campaign, order, brand or number assignment.

    Example::

        except NotFoundError:
            order = None
    """


class UnprocessableEntityError(APIStatusError):
    """
    422: the API refused the request's content; see ``errors``.

    Example::

        except UnprocessableEntityError as exc:
            print([item.detail for item in exc.errors])
    """


class RateLimitError(APIStatusError):
    """
    429: too many requests; ``retry_after`` is the advised wait in seconds.

    Example::

        except RateLimitError as exc:
            await asyncio.sleep(exc.retry_after or 1)
    """


class ServerError(APIStatusError):
    """
    5xx: the API or a proxy in front of it failed.

    Example::

        except ServerError as exc:
            print(exc.status, exc.attempts)
    """


class ResponseError(SignalWireError):
    """
    A response body is not the documented shape (not JSON, wrong types, too large).

    Example::

        except ResponseError as exc:
            print(exc.url, exc.status, exc.body_snippet)
    """

    def __init__(
        self, message: str, *, url: str = "", status: int | None = None, body_snippet: str = ""
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.body_snippet = body_snippet


class PaginationError(SignalWireError):
    """
    A ``next`` link leaves the configured origin, is malformed, or loops.

    Example::

        except PaginationError as exc:
            print("stopped at", exc.resume_from)
    """


_MASK = "***"


def _masked(value: T, secrets: Sequence[str]) -> T:
    if isinstance(value, str):
        text: str = value
        for secret in secrets:
            text = text.replace(secret, _MASK)
        return cast("T", text)
    if isinstance(value, APIErrorItem):
        return attrs.evolve(
            value,
            **{
                f.name: _masked(getattr(value, f.name), secrets) for f in attrs.fields(APIErrorItem)
            },
        )
    if isinstance(value, tuple):
        return cast("T", tuple(_masked(item, secrets) for item in value))
    return value


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def redact(exc: BaseException, secrets: Sequence[str]) -> None:
    """
    Mask every secret in ``exc`` and the exceptions it was raised from, in place.

    Messages, string attributes (``body_snippet``, ``url``...) and error items
    are rewritten, so that a server or proxy echoing the request headers into
    its answer cannot put the credentials into an error (SPEC section 4).
    """
    if not secrets:
        return
    for error in _chain(exc):
        error.args = _masked(error.args, secrets)
        for name, value in list(getattr(error, "__dict__", {}).items()):
            masked = _masked(value, secrets)
            if masked != value:
                setattr(error, name, masked)
