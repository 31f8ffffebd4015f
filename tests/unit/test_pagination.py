"""Following ``links.next``: kept as given, never to another origin, never in a loop."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from signalwire_orders import PaginationError
from signalwire_orders._config import origin_of
from signalwire_orders._pagination import PageTrail, check_resume, resolve_link
from support import PREFIX

ORIGIN = ("https", "example.signalwire.com", 443)
BASE = (
    f"https://example.signalwire.com{PREFIX}/campaigns/"
    "3fa85f64-5717-4562-b3fc-2c963f66afa6/orders?page_size=50"
)
NEXT_PATH = (
    f"{PREFIX}/campaigns/3fa85f64-5717-4562-b3fc-2c963f66afa6/orders"
    "?page_number=1&page_size=50&page_token=PA%2Bx%2F9%3D"
)


def resolve(link: Any) -> str:
    """Resolve ``link`` as the client does for the default space."""
    return resolve_link(link, base=BASE, origin=ORIGIN)


class TestResolveLink:
    def test_relative_path_joins_the_base_origin(self) -> None:
        """A path relative to the space gains the base's scheme and host."""
        expected = f"https://example.signalwire.com{NEXT_PATH}"

        actual = resolve(NEXT_PATH)

        assert expected == actual

    def test_relative_query_keeps_the_token_encoding(self) -> None:
        """The cursor's percent-encoding (``%2B``, ``%2F``, ``%3D``) is not decoded."""
        actual = resolve(NEXT_PATH)

        assert actual.endswith("page_token=PA%2Bx%2F9%3D")

    def test_absolute_same_origin_is_kept_exactly(self) -> None:
        """An absolute link to the configured origin is returned byte for byte."""
        expected = f"https://example.signalwire.com{NEXT_PATH}"

        actual = resolve(expected)

        assert expected == actual

    def test_explicit_default_port_is_the_same_origin(self) -> None:
        """``:443`` on an https link is the configured origin, kept as given."""
        expected = f"https://example.signalwire.com:443{NEXT_PATH}"

        actual = resolve(expected)

        assert expected == actual

    def test_host_case_does_not_matter(self) -> None:
        """Host names compare case-insensitively; the link is still kept as given."""
        expected = f"https://Example.SignalWire.com{NEXT_PATH}"

        actual = resolve(expected)

        assert expected == actual

    def test_loopback_origin_with_port(self) -> None:
        """A fake server's relative link resolves against its http origin and port."""
        base = "http://127.0.0.1:8080/api/relay/rest/registry/beta/brands"
        expected = "http://127.0.0.1:8080/api/relay/rest/registry/beta/brands?page_token=x"

        actual = resolve_link(
            "/api/relay/rest/registry/beta/brands?page_token=x",
            base=base,
            origin=("http", "127.0.0.1", 8080),
        )

        assert expected == actual

    @pytest.mark.parametrize(
        "link",
        [
            pytest.param(f"https://evil.example{NEXT_PATH}", id="other-host"),
            pytest.param(f"https://example.signalwire.com.evil.example{NEXT_PATH}", id="suffix"),
            pytest.param(f"https://other.signalwire.com{NEXT_PATH}", id="other-space"),
            pytest.param(f"https://example.signalwire.com:8443{NEXT_PATH}", id="other-port"),
            pytest.param(f"http://example.signalwire.com{NEXT_PATH}", id="other-scheme"),
            pytest.param("//evil.example/x", id="protocol-relative"),
            pytest.param("https://example.signalwire.com@evil.example/x", id="userinfo-trick"),
            pytest.param("ftp://example.signalwire.com/x", id="ftp"),
        ],
    )
    def test_other_origin_is_refused(self, link: str) -> None:
        """A link to another scheme, host or port raises ``PaginationError``."""
        with pytest.raises(PaginationError):
            resolve(link)

    def test_refusal_names_both_origins(self) -> None:
        """The message says where the link pointed and which origin is allowed."""
        with pytest.raises(PaginationError) as info:
            resolve("https://evil.example/x")

        assert "evil.example" in str(info.value)
        assert "example.signalwire.com" in str(info.value)

    def test_same_host_with_credentials_is_refused(self) -> None:
        """A link carrying its own user and password is refused, not followed with them."""
        with pytest.raises(PaginationError):
            resolve(f"https://user:secret@example.signalwire.com{NEXT_PATH}")

    @pytest.mark.parametrize(
        "link",
        [
            pytest.param("https://example.signalwire.com:99999/x", id="port-out-of-range"),
            pytest.param("https://example.signalwire.com:abc/x", id="port-not-a-number"),
            pytest.param("https://[::1/x", id="broken-ipv6"),
            pytest.param("//[evil/x", id="protocol-relative-broken-ipv6"),
        ],
    )
    def test_malformed_link_is_a_pagination_error(self, link: str) -> None:
        """A link that cannot be parsed raises ``PaginationError``, not ``ValueError``."""
        with pytest.raises(PaginationError):
            resolve(link)

    @given(st.text(max_size=6))
    def test_spaces_controls_and_non_ascii_are_refused_anywhere(self, text: str) -> None:
        """A link holding a space, a control, DEL or a non-ASCII character is refused."""
        link = NEXT_PATH + text
        unsendable = any(ord(ch) <= 0x20 or ord(ch) >= 0x7F for ch in text)

        try:
            resolve(link)
        except PaginationError as exc:
            refused = "spaces, control or non-ASCII" in str(exc)
        else:
            refused = False

        assert refused == unsendable

    @pytest.mark.parametrize("link", ["", "   ", None, 42, ["/x"]])
    def test_empty_or_non_string_is_refused(self, link: Any) -> None:
        """An empty or non-string link raises ``PaginationError``."""
        with pytest.raises(PaginationError):
            resolve(link)


# Path-like links: the pieces urljoin rewrites (dot segments, doubled slashes,
# parameters, fragments, empty queries) mixed with ordinary ones.
_PATH_LINKS = st.lists(
    st.sampled_from(
        ["/", "a", "orders", ".", "..", ".x", ";p", "?", "?q=1", "#f", "//", "%2F", "&"]
    ),
    max_size=8,
).map("".join)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        return origin_of(url)
    except ValueError:  # no host left: refused
        return None


class TestResolveLinkFastPath:
    @given(link=_PATH_LINKS, base_path=_PATH_LINKS)
    @example(link="//a", base_path="x")
    @example(link="/a/../b", base_path="x")
    @example(link="/a?", base_path="x")
    @example(link="/a;p?q=1", base_path="x")
    @example(link="/a#f", base_path="x")
    @example(link="/a//b?q=1", base_path="x")
    @example(link="/a/.", base_path="x")
    def test_every_link_resolves_as_urljoin_does(self, link: str, base_path: str) -> None:
        """Plain paths skip urljoin; every link still resolves to urljoin's URL, or is refused."""
        base = f"https://example.signalwire.com/{base_path}"
        joined = urljoin(base, link)
        expected = joined if link.strip() and _origin(joined) == ORIGIN else None

        try:
            actual: str | None = resolve_link(link, base=base, origin=ORIGIN)
        except PaginationError:
            actual = None

        assert expected == actual

    def test_base_with_credentials_is_still_refused(self) -> None:
        """A base that carries userinfo never lends it to a path link."""
        base = "https://user:pw@example.signalwire.com/api"

        with pytest.raises(PaginationError, match="credentials"):
            resolve_link(NEXT_PATH, base=base, origin=ORIGIN)

    def test_path_on_a_base_of_another_origin_is_refused(self) -> None:
        """A path link on a base of another origin is refused, as before."""
        base = "https://other.example.com/api"

        with pytest.raises(PaginationError, match="refusing"):
            resolve_link(NEXT_PATH, base=base, origin=ORIGIN)


ORDERS_OF_A = f"https://example.signalwire.com{PREFIX}/campaigns/aaaa/orders"


class TestCheckResume:
    @pytest.mark.parametrize(
        ("link", "first"),
        [
            (f"{ORDERS_OF_A}?page_number=2&page_token=PA2", ORDERS_OF_A),
            (f"{ORDERS_OF_A}?filter_state=failed&page_number=2", ORDERS_OF_A),
            (f"{ORDERS_OF_A}?page_number=2", f"{ORDERS_OF_A}?filter_state=failed&page_size=20"),
            (
                f"{ORDERS_OF_A}?filter_state=failed&page_size=20&page_number=2",
                f"{ORDERS_OF_A}?page_size=20&filter_state=failed",
            ),
            (f"{ORDERS_OF_A.upper()}?page_number=2".replace("HTTPS://", "https://"), ORDERS_OF_A),
            (
                f"{ORDERS_OF_A}?filter_name=acme%20co&page_number=1",
                f"{ORDERS_OF_A}?filter_name=acme+co",
            ),
            (f"{ORDERS_OF_A}?page_size=2&page_size=2&page_number=1", f"{ORDERS_OF_A}?page_size=2"),
        ],
        ids=[
            "no-arguments",
            "link-filters",
            "link-leaves-out",
            "same-values",
            "id-case",
            "encoding",
            "repeated",
        ],
    )
    def test_a_page_of_the_same_listing_is_accepted(self, link: str, first: str) -> None:
        """Same path; no parameter given with a value the link contradicts."""
        check_resume(link, first=first)

    def test_a_page_of_another_listing_is_refused_naming_both(self) -> None:
        """Another campaign's link: ValueError naming both paths."""
        other = ORDERS_OF_A.replace("aaaa", "bbbb")

        with pytest.raises(ValueError, match=r"bbbb/orders, not of .*aaaa/orders") as caught:
            check_resume(f"{other}?page_number=1", first=ORDERS_OF_A)

        assert "resume the same listing" in str(caught.value)

    @pytest.mark.parametrize(
        ("query", "given", "expected"),
        [
            (
                "filter_state=failed",
                "filter_state=pending",
                "filter_state='failed' in resume_from, 'pending' given",
            ),
            ("page_size=50", "page_size=20", "page_size='50' in resume_from, '20' given"),
            ("filter_state=", "filter_state=pending", "filter_state='' in resume_from"),
        ],
        ids=["state", "page-size", "blank"],
    )
    def test_a_contradicted_argument_is_refused_naming_it(
        self, query: str, given: str, expected: str
    ) -> None:
        """A filter or page size given beside a link made with another one: ValueError."""
        with pytest.raises(ValueError, match="another listing") as caught:
            check_resume(f"{ORDERS_OF_A}?{query}&page_number=2", first=f"{ORDERS_OF_A}?{given}")

        assert expected in str(caught.value)


class TestPageTrail:
    def test_new_urls_are_accepted(self) -> None:
        """Distinct URLs are visited without complaint."""
        trail = PageTrail()

        trail.visit(BASE)
        trail.visit(f"https://example.signalwire.com{NEXT_PATH}")

    def test_repeated_url_is_a_pagination_error(self) -> None:
        """Visiting a URL twice in one walk raises ``PaginationError`` naming it."""
        trail = PageTrail()
        trail.visit(BASE)
        trail.visit(f"https://example.signalwire.com{NEXT_PATH}")

        with pytest.raises(PaginationError) as info:
            trail.visit(BASE)

        assert BASE in str(info.value)

    def test_trails_are_independent(self) -> None:
        """A URL seen by one walk can be fetched by another."""
        PageTrail().visit(BASE)

        PageTrail().visit(BASE)
