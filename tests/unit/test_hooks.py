"""`Hooks.combine`: several sets of hooks as one, each callable called on its own."""

from __future__ import annotations

import logging

import pytest

from signalwire_orders import Hooks, PageEvent, RequestEvent, RetryEvent

PAGE = PageEvent(url="https://example.signalwire.com/x", items=3, has_next=False)
REQUEST = RequestEvent(method="GET", url=PAGE.url, attempt=1, status=200, elapsed=0.1)
RETRY = RetryEvent(method="GET", url=PAGE.url, attempt=1, delay=0.0, reason="500")


def _broken(_: object) -> None:
    msg = "exporter down"
    raise RuntimeError(msg)


class TestCombine:
    def test_each_hook_is_called_in_the_order_given(self) -> None:
        """Every set's callable sees the event, first set first."""
        seen: list[tuple[str, object]] = []
        first = Hooks(on_page=lambda e: seen.append(("first", e)))
        second = Hooks(on_page=lambda e: seen.append(("second", e)))
        expected = [("first", PAGE), ("second", PAGE)]

        combined = Hooks.combine(first, second)
        assert combined.on_page is not None
        combined.on_page(PAGE)

        assert expected == seen

    def test_each_kind_of_event_goes_to_its_own_hooks(self) -> None:
        """Requests, retries and pages are combined separately."""
        seen: list[object] = []
        a = Hooks(on_request=seen.append, on_retry=seen.append)
        b = Hooks(on_retry=seen.append, on_page=seen.append)
        expected = [REQUEST, RETRY, RETRY, PAGE]

        combined = Hooks.combine(a, b)
        assert combined.on_request is not None
        assert combined.on_retry is not None
        assert combined.on_page is not None
        combined.on_request(REQUEST)
        combined.on_retry(RETRY)
        combined.on_page(PAGE)

        assert expected == seen

    def test_a_raising_hook_does_not_stop_the_next(self, caplog: pytest.LogCaptureFixture) -> None:
        """One hook's exception is logged and ignored; the hooks after it still run."""
        seen: list[object] = []
        expected = ([PAGE], ["RuntimeError: exporter down"])

        combined = Hooks.combine(Hooks(on_page=_broken), Hooks(on_page=seen.append))
        assert combined.on_page is not None
        with caplog.at_level(logging.ERROR, logger="signalwire_orders"):
            combined.on_page(PAGE)
        logged = [
            f"{type(r.exc_info[1]).__name__}: {r.exc_info[1]}" for r in caplog.records if r.exc_info
        ]

        assert expected == (seen, logged)

    def test_a_lone_hook_is_kept_as_it_is(self) -> None:
        """With one callable for an event there is no wrapper: the client calls it directly."""
        expected = (print, None, None)

        combined = Hooks.combine(Hooks(on_request=print), None, Hooks())
        actual = (combined.on_request, combined.on_retry, combined.on_page)

        assert expected == actual

    def test_nothing_combines_to_no_hooks(self) -> None:
        """No sets (or only ``None``) give empty hooks, which the client skips."""
        expected = Hooks()

        actual = Hooks.combine(None)

        assert expected == actual
