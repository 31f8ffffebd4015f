"""
Phone number assignments of campaigns: ``client.numbers`` (list, pages, delete).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from signalwire_orders._engine import LOG
from signalwire_orders._errors import NotFoundError, SignalWireError, redact
from signalwire_orders._models import AssignedNumber, AssignmentState, AssignmentStateValue, Page
from signalwire_orders._protocol import path_id, query_string, state_filter

from .base import Resource, typed_pages

__all__ = ["Numbers"]


class Numbers(Resource):
    """
    Phone number assignments of campaigns: ``client.numbers``.

    Example::

        async for assignment in client.numbers.list(campaign_id):
            print(assignment.phone_number.number if assignment.phone_number else None)
    """

    __slots__ = ()

    def pages(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | AssignmentStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[Page[AssignedNumber], None]:
        """
        Yield each page of a campaign's number assignments.

        Filters, ``page_size``, ``resume_from`` and errors as for ``orders.pages()``.

        Example::

            async for page in client.numbers.pages(campaign_id):
                print(len(page.data))
        """
        path = f"/campaigns/{path_id(campaign_id, 'campaign_id')}/numbers"
        query = query_string(filter_state=state_filter(state, AssignmentState), page_size=page_size)
        return self._walk(typed_pages(AssignedNumber), path, query, resume_from)

    def list(
        self,
        campaign_id: UUID | str,
        *,
        state: AssignmentState | AssignmentStateValue | None = None,
        page_size: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncGenerator[AssignedNumber, None]:
        """
        Yield every number assignment of a campaign.

        Example::

            numbers = [n async for n in client.numbers.list(campaign_id, state="completed")]
        """
        return self.items(
            self.pages(campaign_id, state=state, page_size=page_size, resume_from=resume_from)
        )

    async def delete(self, assignment_id: UUID | str) -> None:
        """
        Remove a phone number from its campaign.

        A 404 on a retry, after an attempt whose answer was lost, means that
        attempt did the delete: it counts as success.

        Raises:
            NotFoundError: No such assignment (for example, already deleted).

        Example::

            await client.numbers.delete(assignment.id)
        """
        url = self._root + f"/numbers/{path_id(assignment_id, 'assignment_id')}"
        try:
            await self._engine.request("DELETE", url)
        except NotFoundError as exc:
            if exc.attempts == 1:
                redact(exc, self._secrets)
                raise
            # An earlier attempt reached the server and did the delete before
            # its answer was lost: what the caller asked for is done.
            LOG.info("DELETE %s: 404 on attempt %d, already deleted", url, exc.attempts)
        except SignalWireError as exc:
            redact(exc, self._secrets)
            raise
