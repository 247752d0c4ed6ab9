"""The command line is quiet on success: the operator's log lines (lookups, erasures, deletions,
closing) are for a server's log, not for the person at the terminal; its errors stay."""

from __future__ import annotations

import pytest

from conftest import DEMO_SIG, RunCli
from sigworkbook import privacy


def test_lookups_erasures_closing_and_deletion_print_nothing_on_stderr(
    cli_ws: RunCli, capfd: pytest.CaptureFixture[str]
) -> None:
    runs = [
        cli_ws("init", "--demo"),
        cli_ws("set", DEMO_SIG, "core_group.people.0.name", "Ann Smith"),
        cli_ws("person", "Ann Smith"),
        cli_ws("person", "Ann Smith", "--erase", "--yes"),
        cli_ws("close", DEMO_SIG),
        cli_ws("close", DEMO_SIG, "--reopen"),
        cli_ws("delete", DEMO_SIG, "--confirm", "Home Safely"),
    ]
    for done in runs:
        assert done.code == 0 and done.err == "", done
    assert capfd.readouterr().err == ""
    failed = cli_ws("close", DEMO_SIG)
    assert failed.code == 2 and DEMO_SIG in failed.err, "errors still say what went wrong"


def test_the_operator_log_still_reaches_a_server_log(
    cli_ws: RunCli, capfd: pytest.CaptureFixture[str]
) -> None:
    assert cli_ws("init", "--demo").code == 0  # the command line made the log quiet, then not
    privacy.log_closing("nina", closed=True)
    assert "a SIG closed by nina" in capfd.readouterr().err
