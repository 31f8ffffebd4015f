"""Settings from arguments and the environment: precedence, normalisation, the https rule."""

from __future__ import annotations

import pytest

from signalwire_orders import ConfigurationError
from signalwire_orders._config import Settings, settings_from_env
from support import ORIGIN, PROJECT_ID, TOKEN

PROJECT = PROJECT_ID
CREDENTIALS = {"SIGNALWIRE_PROJECT_ID": PROJECT, "SIGNALWIRE_API_TOKEN": TOKEN}
ENV = {**CREDENTIALS, "SIGNALWIRE_SPACE": "example"}
EXAMPLE = ORIGIN


def base_url_of(env: dict[str, str], **kwargs: str | bool) -> str:
    """Resolve settings and return the base URL."""
    return settings_from_env(env, **kwargs).base_url  # type: ignore[arg-type]  # test kwargs


def config_error(env: dict[str, str], **kwargs: str | bool) -> ConfigurationError:
    """Return the ``ConfigurationError`` these settings raise."""
    with pytest.raises(ConfigurationError) as info:
        settings_from_env(env, **kwargs)  # type: ignore[arg-type]  # test kwargs
    return info.value


class TestSpace:
    @pytest.mark.parametrize(
        "space",
        [
            "example",
            "EXAMPLE",
            "example.signalwire.com",
            "Example.SignalWire.com",
            "https://example.signalwire.com",
            "https://example.signalwire.com/",
            "  example  ",
            "example.signalwire.com/",
        ],
    )
    def test_every_space_form_gives_the_same_origin(self, space: str) -> None:
        """A name, a host or a URL (any case, trailing slash) all mean the same space."""
        expected = EXAMPLE

        actual = base_url_of({**CREDENTIALS, "SIGNALWIRE_SPACE": space})

        assert expected == actual

    @pytest.mark.parametrize("alias", ["SIGNALWIRE_SPACE_URL", "SIGNALWIRE_SPACE_NAME"])
    def test_aliases_are_accepted(self, alias: str) -> None:
        """``SIGNALWIRE_SPACE_URL`` and ``SIGNALWIRE_SPACE_NAME`` work like ``SIGNALWIRE_SPACE``."""
        expected = EXAMPLE

        actual = base_url_of({**CREDENTIALS, alias: "https://example.signalwire.com/"})

        assert expected == actual

    def test_space_wins_over_its_aliases(self) -> None:
        """``SIGNALWIRE_SPACE`` is read before its aliases."""
        env = {**ENV, "SIGNALWIRE_SPACE_URL": "other", "SIGNALWIRE_SPACE_NAME": "third"}
        expected = EXAMPLE

        actual = base_url_of(env)

        assert expected == actual

    def test_empty_space_falls_through_to_an_alias(self) -> None:
        """An empty ``SIGNALWIRE_SPACE`` does not hide a set alias."""
        env = {**CREDENTIALS, "SIGNALWIRE_SPACE": "", "SIGNALWIRE_SPACE_NAME": "example"}
        expected = EXAMPLE

        actual = base_url_of(env)

        assert expected == actual

    def test_explicit_space_wins_over_env(self) -> None:
        """The ``space`` argument beats ``SIGNALWIRE_SPACE``."""
        expected = "https://other.signalwire.com"

        actual = base_url_of(ENV, space="other")

        assert expected == actual

    def test_no_space_names_the_variable(self) -> None:
        """Without a space the message says to set ``SIGNALWIRE_SPACE``."""
        error = config_error(CREDENTIALS)

        assert "SIGNALWIRE_SPACE" in str(error)

    @pytest.mark.parametrize("space", ["   ", "user@example", "exa mple", "example?x=1"])
    def test_malformed_space_is_refused(self, space: str) -> None:
        """A space that is not a name, host or URL raises ``ConfigurationError``."""
        error = config_error({**CREDENTIALS, "SIGNALWIRE_SPACE": space})

        assert "SIGNALWIRE_SPACE" in str(error)


class TestBaseUrl:
    def test_rest_base_url_env_wins_over_space(self) -> None:
        """``SIGNALWIRE_REST_BASE_URL`` overrides ``SIGNALWIRE_SPACE``."""
        env = {**ENV, "SIGNALWIRE_REST_BASE_URL": "https://proxy.example.com"}
        expected = "https://proxy.example.com"

        actual = base_url_of(env)

        assert expected == actual

    def test_explicit_base_url_wins_over_everything(self) -> None:
        """The ``base_url`` argument beats both the space and the base URL variables."""
        env = {**ENV, "SIGNALWIRE_REST_BASE_URL": "https://proxy.example.com"}
        expected = "https://direct.example.com"

        actual = base_url_of(env, base_url="https://direct.example.com")

        assert expected == actual

    def test_explicit_space_wins_over_rest_base_url_env(self) -> None:
        """An explicit ``space`` argument beats ``SIGNALWIRE_REST_BASE_URL`` from the env."""
        env = {**ENV, "SIGNALWIRE_REST_BASE_URL": "https://proxy.example.com"}
        expected = "https://other.signalwire.com"

        actual = base_url_of(env, space="other")

        assert expected == actual

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.signalwire.com/api/relay/rest/registry/beta",
            "https://example.signalwire.com/api/relay/rest/registry/beta/",
            "https://example.signalwire.com/",
            "HTTPS://EXAMPLE.SIGNALWIRE.COM",
        ],
    )
    def test_origin_or_api_prefix_is_accepted(self, url: str) -> None:
        """A bare origin or the origin plus the API prefix both give the origin."""
        expected = EXAMPLE

        actual = base_url_of(CREDENTIALS, base_url=url)

        assert expected == actual

    def test_api_root_appends_the_prefix_once(self) -> None:
        """A base URL given with the prefix does not get it twice."""
        url = "https://example.signalwire.com/api/relay/rest/registry/beta"
        expected = url

        actual = settings_from_env(CREDENTIALS, base_url=url).api_root

        assert expected == actual

    @pytest.mark.parametrize(
        "url",
        [
            pytest.param("https://example.signalwire.com/api", id="other-path"),
            pytest.param("https://example.signalwire.com/?debug=1", id="query"),
            pytest.param("https://example.signalwire.com/#top", id="fragment"),
            pytest.param("https://user@example.signalwire.com", id="user"),
            pytest.param("https://user:pass@example.signalwire.com", id="userinfo"),
            pytest.param("example.signalwire.com", id="no-scheme"),
            pytest.param("https://", id="no-host"),
            pytest.param("https://example.signalwire.com:99999", id="bad-port"),
        ],
    )
    def test_malformed_base_url_is_refused(self, url: str) -> None:
        """A base URL with another path, a query, userinfo or no host is refused."""
        config_error(CREDENTIALS, base_url=url)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://127.0.0.1", "http://127.0.0.1"),
        ],
    )
    def test_plain_http_to_loopback_is_allowed(self, url: str, expected: str) -> None:
        """A fake server on loopback may use plain http."""
        actual = base_url_of(CREDENTIALS, base_url=url)

        assert expected == actual

    def test_plain_http_to_a_remote_host_is_refused(self) -> None:
        """Credentials never travel unencrypted to a real host by default."""
        error = config_error(CREDENTIALS, base_url="http://example.com")

        assert "https" in str(error)

    def test_plain_http_from_env_is_refused(self) -> None:
        """The https rule applies to ``SIGNALWIRE_REST_BASE_URL`` too."""
        config_error({**CREDENTIALS, "SIGNALWIRE_REST_BASE_URL": "http://example.com"})

    def test_plain_http_is_allowed_with_the_opt_in(self) -> None:
        """``allow_insecure_http=True`` permits http to a remote host."""
        expected = "http://example.com"

        actual = base_url_of(CREDENTIALS, base_url="http://example.com", allow_insecure_http=True)

        assert expected == actual

    @pytest.mark.parametrize("url", ["ftp://example.com", "ws://127.0.0.1:8080", "file:///etc"])
    def test_other_schemes_are_refused(self, url: str) -> None:
        """Only http(s) base URLs are accepted."""
        config_error(CREDENTIALS, base_url=url)

    def test_non_default_port_is_kept(self) -> None:
        """A port other than the scheme's default stays in the base URL."""
        expected = "https://example.signalwire.com:8443"

        actual = base_url_of(CREDENTIALS, base_url="https://example.signalwire.com:8443")

        assert expected == actual

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://example.signalwire.com:443", "https://example.signalwire.com"),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
        ],
    )
    def test_default_port_is_dropped(self, url: str, expected: str) -> None:
        """The scheme's default port is not spelled out."""
        actual = base_url_of(CREDENTIALS, base_url=url)

        assert expected == actual

    def test_origin_is_scheme_host_port(self) -> None:
        """``Settings.origin`` is what next links are compared with."""
        expected = ("https", "example.signalwire.com", 443)

        actual = settings_from_env(ENV).origin

        assert expected == actual


class TestCredentials:
    def test_credentials_come_from_env(self) -> None:
        """Project and token are read from their variables."""
        expected = (PROJECT, TOKEN)

        settings = settings_from_env(ENV)
        actual = (settings.project_id, settings.api_token)

        assert expected == actual

    def test_explicit_credentials_win_over_env(self) -> None:
        """``project_id`` and ``api_token`` arguments beat the variables."""
        expected = ("proj-2", "PT-other")

        settings = settings_from_env(ENV, project_id="proj-2", api_token="PT-other")
        actual = (settings.project_id, settings.api_token)

        assert expected == actual

    def test_surrounding_whitespace_is_stripped(self) -> None:
        """A newline pasted with the token is not sent."""
        env = {**ENV, "SIGNALWIRE_API_TOKEN": f" {TOKEN}\n"}
        expected = TOKEN

        actual = settings_from_env(env).api_token

        assert expected == actual

    @pytest.mark.parametrize("token", [None, "", "   "])
    def test_missing_token_names_the_variable(self, token: str | None) -> None:
        """A missing, empty or blank token names ``SIGNALWIRE_API_TOKEN``."""
        env = {k: v for k, v in ENV.items() if k != "SIGNALWIRE_API_TOKEN"}
        if token is not None:
            env["SIGNALWIRE_API_TOKEN"] = token

        error = config_error(env)

        assert "SIGNALWIRE_API_TOKEN" in str(error)

    @pytest.mark.parametrize("project", [None, "", "   "])
    def test_missing_project_names_the_variable(self, project: str | None) -> None:
        """A missing, empty or blank project names ``SIGNALWIRE_PROJECT_ID``."""
        env = {k: v for k, v in ENV.items() if k != "SIGNALWIRE_PROJECT_ID"}
        if project is not None:
            env["SIGNALWIRE_PROJECT_ID"] = project

        error = config_error(env)

        assert "SIGNALWIRE_PROJECT_ID" in str(error)

    def test_nothing_set_names_both_variables(self) -> None:
        """An empty environment names both credential variables."""
        message = str(config_error({}))

        assert "SIGNALWIRE_PROJECT_ID" in message
        assert "SIGNALWIRE_API_TOKEN" in message

    def test_explicit_empty_token_is_not_replaced_by_env(self) -> None:
        """An explicit empty ``api_token`` is an error, not a silent fallback."""
        config_error(ENV, api_token="")

    def test_project_with_colon_is_refused(self) -> None:
        """A ``:`` in the project id would corrupt Basic auth, so it is refused."""
        error = config_error({**ENV, "SIGNALWIRE_PROJECT_ID": "proj:evil"})

        assert "SIGNALWIRE_PROJECT_ID" in str(error)


class TestSecrecy:
    def test_token_is_not_in_the_settings_repr(self) -> None:
        """``repr(Settings)`` hides the token."""
        actual = repr(settings_from_env(ENV))

        assert TOKEN not in actual

    def test_settings_repr_still_shows_where(self) -> None:
        """The repr keeps the useful, non-secret fields."""
        actual = repr(settings_from_env(ENV))

        assert EXAMPLE in actual

    @pytest.mark.parametrize(
        "extra",
        [
            pytest.param({"SIGNALWIRE_SPACE": ""}, id="no-space"),
            pytest.param({"SIGNALWIRE_SPACE": "exa mple"}, id="bad-space"),
            pytest.param({"SIGNALWIRE_PROJECT_ID": ""}, id="no-project"),
            pytest.param({"SIGNALWIRE_PROJECT_ID": "a:b"}, id="colon-project"),
            pytest.param({"SIGNALWIRE_REST_BASE_URL": "http://example.com"}, id="http"),
            pytest.param({"SIGNALWIRE_REST_BASE_URL": "https://x.example/p"}, id="path"),
            pytest.param({"SIGNALWIRE_REST_BASE_URL": "ftp://x.example"}, id="ftp"),
            pytest.param({"SIGNALWIRE_REST_BASE_URL": "https://"}, id="no-host"),
            pytest.param(
                {"SIGNALWIRE_REST_BASE_URL": f"https://{PROJECT}:{TOKEN}@x.example"},
                id="token-in-userinfo",
            ),
            pytest.param(
                {"SIGNALWIRE_REST_BASE_URL": f"https://{PROJECT}:{TOKEN}@x.example/p"},
                id="token-in-userinfo-and-path",
            ),
            pytest.param(
                {"SIGNALWIRE_SPACE": f"https://{PROJECT}:{TOKEN}@example.signalwire.com"},
                id="token-in-space-url",
            ),
        ],
    )
    def test_token_is_never_in_an_error(self, extra: dict[str, str]) -> None:
        """No ``ConfigurationError`` message or repr contains the token."""
        error = config_error({**ENV, **extra})

        assert TOKEN not in str(error)
        assert TOKEN not in repr(error)


class TestCaFile:
    def test_ca_file_is_read_from_env(self) -> None:
        """``SIGNALWIRE_REST_CA_FILE`` is kept as ``ca_file``."""
        expected = "/etc/ssl/corp-ca.pem"

        actual = settings_from_env(
            {**ENV, "SIGNALWIRE_REST_CA_FILE": "/etc/ssl/corp-ca.pem"}
        ).ca_file

        assert expected == actual

    def test_no_ca_file_is_none(self) -> None:
        """Without the variable the system's CAs are used."""
        actual = settings_from_env(ENV).ca_file

        assert actual is None


class TestSettings:
    def test_settings_are_frozen(self) -> None:
        """Resolved settings cannot be changed afterwards."""
        settings = settings_from_env(ENV)

        with pytest.raises(AttributeError):
            settings.base_url = "https://evil.example"  # type: ignore[misc]  # the mistake under test

    def test_api_root_is_the_base_url_plus_prefix(self) -> None:
        """Operations hang off ``{base_url}/api/relay/rest/registry/beta``."""
        expected = f"{EXAMPLE}/api/relay/rest/registry/beta"

        actual = Settings(base_url=EXAMPLE, project_id=PROJECT, api_token=TOKEN).api_root

        assert expected == actual
