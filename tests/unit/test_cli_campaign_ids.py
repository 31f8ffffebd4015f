"""The CLI's reading of campaign ids from a file: one per line, comments and repeats skipped."""

from __future__ import annotations

from uuid import UUID

import click
import pytest

from signalwire_orders._cli.bulk import campaign_ids_from

A = UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
B = UUID("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")


class TestCampaignIdsFrom:
    def test_order_is_kept_and_repeats_in_any_case_count_once(self) -> None:
        """Ids come back in file order, each once, whatever their letter case."""
        lines = [f"{B}\n", f"{A}\n", f"{str(B).upper()}\n"]

        assert (B, A) == campaign_ids_from(lines, "ids.txt")

    def test_blank_lines_and_comments_are_skipped(self) -> None:
        """Whole-line and trailing ``#`` comments, and blank lines, are not ids."""
        lines = ["# header\n", "\n", f"  {A}  # the first\n", "   \n"]

        assert (A,) == campaign_ids_from(lines, "ids.txt")

    def test_bad_lines_are_named_by_number_and_capped(self) -> None:
        """Every bad line is reported with its number, up to 20, then a count of the rest."""
        lines = [f"bad{i}\n" for i in range(25)]

        with pytest.raises(click.BadParameter) as caught:
            campaign_ids_from(lines, "ids.txt")

        message = caught.value.format_message()
        assert "ids.txt: line 1: 'bad0' is not a campaign id" in message
        assert "line 20: 'bad19'" in message
        assert "line 21" not in message
        assert message.endswith("and 5 more lines")
