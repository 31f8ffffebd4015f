"""The CLI's merge of a .env file under the environment: the environment wins, per setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from signalwire_orders._cli.common import EnvFile, merge_env

DOTENV = Path(".env")
FILE = {
    "SIGNALWIRE_REST_BASE_URL": "https://elsewhere.example",
    "SIGNALWIRE_PROJECT_ID": "file-project",
    "SIGNALWIRE_API_TOKEN": "file-token",
    "SIGNALWIRE_REST_CA_FILE": "/etc/ca.pem",
}


class TestMergeEnv:
    def test_an_empty_environment_takes_everything_from_the_file(self) -> None:
        """With nothing exported, every value of the file is used."""
        merged, read = merge_env({}, FILE, DOTENV)

        assert FILE == merged
        assert EnvFile(DOTENV, tuple(FILE), ()) == read

    @pytest.mark.parametrize(
        "exported",
        [
            "SIGNALWIRE_SPACE",
            "SIGNALWIRE_SPACE_URL",
            "SIGNALWIRE_SPACE_NAME",
            "SIGNALWIRE_REST_BASE_URL",
        ],
    )
    def test_an_endpoint_in_any_form_keeps_every_endpoint_variable_of_the_file_out(
        self, exported: str
    ) -> None:
        """The space and the base URL are one setting: the environment's form wins whole."""
        merged, read = merge_env({exported: "example"}, FILE, DOTENV)

        assert "example" == merged[exported]
        assert "https://elsewhere.example" != merged.get("SIGNALWIRE_REST_BASE_URL")
        assert "SIGNALWIRE_REST_BASE_URL" in read.overridden

    @pytest.mark.parametrize("exported", ["SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN"])
    def test_one_exported_credential_keeps_the_files_pair_out(self, exported: str) -> None:
        """The project id and the token are one setting."""
        merged, read = merge_env({exported: "env-value"}, FILE, DOTENV)

        assert {exported: "env-value"} == {
            name: merged[name]
            for name in ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN")
            if name in merged
        }
        assert {"SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN"} <= set(read.overridden)

    def test_other_settings_still_come_from_the_file(self) -> None:
        """Exporting the endpoint and credentials leaves the file's CA bundle in use."""
        environ = {"SIGNALWIRE_SPACE": "example", "SIGNALWIRE_API_TOKEN": "t"}

        merged, read = merge_env(environ, FILE, DOTENV)

        assert "/etc/ca.pem" == merged["SIGNALWIRE_REST_CA_FILE"]
        assert ("SIGNALWIRE_REST_CA_FILE",) == read.supplied

    def test_an_exported_empty_variable_counts_as_unset(self) -> None:
        """``export SIGNALWIRE_API_TOKEN=`` does not hide the file's pair."""
        merged, _ = merge_env({"SIGNALWIRE_API_TOKEN": ""}, FILE, DOTENV)

        assert "file-token" == merged["SIGNALWIRE_API_TOKEN"]

    def test_a_name_without_a_value_in_the_file_is_skipped(self) -> None:
        """python-dotenv gives None for ``NAME`` alone on a line: nothing is supplied."""
        merged, read = merge_env({}, {"SIGNALWIRE_SPACE": None}, DOTENV)

        assert ({}, ()) == (merged, read.supplied)
