"""
Settings: where the API is and who we are, from arguments or the environment.

Precedence: explicit arguments, then ``SIGNALWIRE_REST_BASE_URL``, then the
space from ``SIGNALWIRE_SPACE`` (aliases ``SIGNALWIRE_SPACE_URL`` and
``SIGNALWIRE_SPACE_NAME``). See SPEC section 3.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

import attrs

from ._errors import ConfigurationError

__all__ = ["API_PREFIX", "Settings", "origin_of", "settings_from_env", "shown"]

API_PREFIX: Final = "/api/relay/rest/registry/beta"
SPACE_DOMAIN: Final = ".signalwire.com"
SPACE_VARS: Final = ("SIGNALWIRE_SPACE", "SIGNALWIRE_SPACE_URL", "SIGNALWIRE_SPACE_NAME")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _redacted(_: str) -> str:
    return "'***'"


@attrs.frozen
class Settings:
    """
    Resolved connection settings; the token never shows in the repr.

    Example::

        settings = settings_from_env(os.environ)
        settings.base_url  # "https://example.signalwire.com"
    """

    base_url: str
    project_id: str
    api_token: str = attrs.field(repr=_redacted)
    ca_file: str | None = None

    @property
    def origin(self) -> tuple[str, str, int]:
        """The (scheme, host, port) that credentials may be sent to."""
        return origin_of(self.base_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """
        The token and the forms it travels in (the Basic credentials), longest first.

        What no error, log line or repr may show (SPEC section 4).
        """
        basic = base64.b64encode(f"{self.project_id}:{self.api_token}".encode()).decode()
        token_alone = base64.b64encode(self.api_token.encode()).decode()
        return tuple(sorted({basic, token_alone, self.api_token}, key=len, reverse=True))

    @property
    def api_root(self) -> str:
        """The absolute URL every operation's path is appended to."""
        return self.base_url + API_PREFIX


def shown(url: str) -> str:
    """Return ``url`` fit for a message: userinfo masked, query and fragment dropped."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    scheme, sep, rest = url.rpartition("://")
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{tail}"


def origin_of(url: str) -> tuple[str, str, int]:
    """
    Return the (scheme, lower-cased host, port) of an absolute URL.

    Raises:
        ValueError: The URL has no scheme or host, or a bad port.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        msg = f"not an absolute URL: {shown(url)!r}"
        raise ValueError(msg)
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    return scheme, host, port


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine (plain http is fine there)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _space_url(space: str) -> str:
    # A bare name, a host and a URL with scheme and slash all mean the same
    # space: drop the scheme and slashes, add the domain to a bare name.
    host = space.strip()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.strip("/").split("/", 1)[0]
    if not host or any(ch in host for ch in " @?#"):
        msg = f"SIGNALWIRE_SPACE is malformed: {shown(space)!r}; expected e.g. 'example'"
        raise ConfigurationError(msg)
    if "." not in host and ":" not in host:
        host += SPACE_DOMAIN
    return f"https://{host.lower()}"


def _normalise_base_url(url: str, *, allow_insecure_http: bool) -> str:
    try:
        scheme, host, port = origin_of(url.strip())
    except ValueError as exc:
        msg = (
            f"base URL is malformed: {shown(url)!r}; expected e.g. 'https://example.signalwire.com'"
        )
        raise ConfigurationError(msg) from exc
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path not in ("", API_PREFIX):
        msg = (
            "base URL must be an origin such as 'https://example.signalwire.com', "
            f"got {shown(url)!r}"
        )
        raise ConfigurationError(msg)
    if parts.username or parts.password or parts.query or parts.fragment:
        msg = "base URL must not carry credentials, a query or a fragment"
        raise ConfigurationError(msg)
    if scheme not in _DEFAULT_PORTS:
        msg = f"base URL scheme must be https, got {scheme!r}"
        raise ConfigurationError(msg)
    if scheme == "http" and not (allow_insecure_http or is_loopback(host)):
        msg = (
            f"refusing plain http to {host!r}: credentials would travel unencrypted; "
            "use https (http is allowed for loopback hosts or with allow_insecure_http=True)"
        )
        raise ConfigurationError(msg)
    shown_host = f"[{host}]" if ":" in host else host
    default = _DEFAULT_PORTS[scheme] == port
    return f"{scheme}://{shown_host}" + ("" if default else f":{port}")


def settings_from_env(
    env: Mapping[str, str],
    *,
    space: str | None = None,
    project_id: str | None = None,
    api_token: str | None = None,
    base_url: str | None = None,
    allow_insecure_http: bool = False,
) -> Settings:
    """
    Resolve settings from explicit values first, then from ``env``.

    Args:
        env: Usually ``os.environ``; any mapping works (tests pass a dict).
        space: A space name (``example``), host or URL.
        project_id: The project ID (Basic auth user name).
        api_token: The API token (Basic auth password).
        base_url: A full origin that overrides the space (tests, proxies).
        allow_insecure_http: Permit ``http://`` to a non-loopback host.

    Raises:
        ConfigurationError: Something is missing or malformed; the message
            names the variables to set.

    Example::

        settings = settings_from_env({"SIGNALWIRE_SPACE": "example", ...})
    """
    project = project_id if project_id is not None else env.get("SIGNALWIRE_PROJECT_ID", "")
    token = api_token if api_token is not None else env.get("SIGNALWIRE_API_TOKEN", "")
    project, token = project.strip(), token.strip()
    missing = [
        name
        for name, value in (("SIGNALWIRE_PROJECT_ID", project), ("SIGNALWIRE_API_TOKEN", token))
        if not value
    ]
    if missing:
        msg = f"missing credentials: set {' and '.join(missing)} (or pass project_id=/api_token=)"
        raise ConfigurationError(msg)
    if ":" in project:
        msg = "SIGNALWIRE_PROJECT_ID must not contain ':' (it is the Basic auth user name)"
        raise ConfigurationError(msg)

    if base_url is None and space is None:
        base_url = env.get("SIGNALWIRE_REST_BASE_URL") or None
    if base_url is None:
        space = space or next((env[v] for v in SPACE_VARS if env.get(v)), None)
        if not space:
            msg = (
                "no SignalWire space: set SIGNALWIRE_SPACE (e.g. 'example') "
                "or SIGNALWIRE_REST_BASE_URL, or pass space=/base_url="
            )
            raise ConfigurationError(msg)
        base_url = _space_url(space)

    ca_file = env.get("SIGNALWIRE_REST_CA_FILE") or None
    return Settings(
        base_url=_normalise_base_url(base_url, allow_insecure_http=allow_insecure_http),
        project_id=project,
        api_token=token,
        ca_file=ca_file,
    )
