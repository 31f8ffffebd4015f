"""
How created objects move from ``pending`` to a final state, and which moves a callback announces.

A brand, campaign or order created through the API carries a `Progress`: it
reaches its final state after some polls of its GET route (`Progress.poll`)
or some seconds after it was created (`Progress.due`), whichever comes first.
Each move is a `StateChange`; the event tables of the OpenAPI ``webhooks``
section (``tenDlcStatusCallback``) say which moves announce which
``event_type`` (`StateChange.event_type`). Nothing here knows about records.
"""

from __future__ import annotations

import time

import attrs

__all__ = ["BRAND", "CAMPAIGN", "ORDER", "Progress", "StateChange"]

# The ``event_category`` of each kind of object (TenDlcStatusCallbackPayload).
BRAND = "brand"
CAMPAIGN = "campaign"
ORDER = "number_assignment_order"

# OpenAPI webhooks.tenDlcStatusCallback: one row per documented transition.
_EVENT_TYPES = {
    (BRAND, "pending", "completed"): "brand_activated",
    (BRAND, "pending", "unverified"): "brand_unverified",
    (BRAND, "unverified", "completed"): "brand_activated",
    (CAMPAIGN, "pending", "active"): "campaign_activated",
    (CAMPAIGN, "active", "inactive"): "campaign_deactivated",
    (ORDER, "pending", "processed"): "number_assignment_order_processed",
    # The table's pending -> processed, for an order that went through `processing`
    # on the way (as the API's orders do; the table names no event for that step).
    (ORDER, "processing", "processed"): "number_assignment_order_processed",
}


@attrs.define
class Progress:
    """
    Where a created object is on its way to ``final``: its polls and when it was created.

    Attributes:
        final: The state it ends in (``completed``, ``active``, ``processed``...).
        middle: The state a poll before the last one leaves it in (an order's
            ``processing``); ``None``: it stays where it is until the end.
        polls: The GET requests it has had.
        born: When it was created, on the `time.monotonic` clock.

    Example::

        progress = Progress("processed", middle="processing")
        assert progress.poll("pending", after_polls=2) == "processing"
    """

    final: str
    middle: str | None = None
    polls: int = 0
    born: float = attrs.Factory(time.monotonic)

    def poll(self, state: str, after_polls: int | None) -> str | None:
        """
        Count one poll; return the state it moves the object to, or ``None`` for no move.

        Args:
            state: The object's state now.
            after_polls: Polls after which it is final; ``None``: polls never move it.

        Example::

            new_state = record.progress.poll(record.state, server.state.process_after_polls)
        """
        self.polls += 1
        if after_polls is None or state == self.final:
            return None
        if self.polls >= after_polls:
            return self.final
        return self.middle if self.middle not in {None, state} else None

    def due(self, after: float, now: float) -> float:
        """
        Return how many seconds remain until ``after`` seconds since its creation (``<= 0``: due).

        Example::

            if progress.due(0.5, time.monotonic()) <= 0:
                ...  # move it to progress.final
        """
        return self.born + after - now


@attrs.frozen
class StateChange:
    """
    One move of a created brand, campaign or order from one state to another.

    `FakeData` hands each to the functions given to `FakeData.observe`; the
    fake server turns the documented ones into status callbacks.

    Attributes:
        category: The ``event_category``: ``brand``, ``campaign`` or
            ``number_assignment_order``.
        old_state: The state before.
        state: The state after.
        brand_id: The brand (of the campaign, of the order's campaign).
        campaign_id: The campaign (of the order); ``None`` for a brand.
        order_id: The order; ``None`` for a brand or a campaign.
        status_callback_url: Where the object's callbacks go, if it has one.

    Example::

        changes: list[StateChange] = []
        server.data.observe(changes.append)
        ...
        assert changes[-1].event_type == "brand_activated"
    """

    category: str
    old_state: str
    state: str
    brand_id: str
    campaign_id: str | None = None
    order_id: str | None = None
    status_callback_url: str | None = None

    @property
    def event_type(self) -> str | None:
        """
        The ``event_type`` the webhook tables give this move, or ``None`` if they list none.

        An order that fails, or goes from ``pending`` to ``processing``, has none.

        Example::

            assert StateChange("brand", "pending", "completed", brand_id).event_type == (
                "brand_activated"
            )
        """
        return _EVENT_TYPES.get((self.category, self.old_state, self.state))
