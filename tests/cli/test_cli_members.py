"""`sigworkbook members`: the operator lists, adds and removes the members of a SIG."""

from __future__ import annotations

from conftest import RunCli


def test_members_are_listed_added_changed_and_removed(cli_ws: RunCli) -> None:
    assert cli_ws("init").code == 0
    sig = cli_ws("new", "Home safely").out.strip()
    listed = cli_ws("members", sig)
    assert listed.code == 0 and "no members yet" in listed.out
    assert cli_ws("members", sig, "add", "alice", "--role", "owner").code == 0
    added = cli_ws("members", sig, "add", "Bob", "--role", "viewer")  # the hub's name: bob
    assert added.code == 0 and added.out == f"bob is now viewer of {sig}\n"
    assert cli_ws("members", sig, "add", "bob", "--role", "editor").code == 0
    assert cli_ws("members", sig).out == "alice\towner\nbob\teditor\n"
    removed = cli_ws("members", sig, "remove", "BOB")
    assert removed.code == 0 and removed.out == f"bob is no longer a member of {sig}\n"
    assert cli_ws("members", sig).out == "alice\towner\n"


def test_a_sig_keeps_one_owner_and_mistakes_are_one_line(cli_ws: RunCli) -> None:
    cli_ws("init")
    sig = cli_ws("new", "Home safely").out.strip()
    cli_ws("members", sig, "add", "alice", "--role", "owner")
    last = cli_ws("members", sig, "remove", "alice")
    assert last.code == 2 and "at least one owner" in last.err
    for args, expected in [
        (("add", "bob"), "needs --role"),
        (("add",), "needs the hub user name"),
        (("remove", "zoe"), "zoe is not a member"),
        (("bob",), "invalid choice"),
    ]:
        result = cli_ws("members", sig, *args)
        assert result.code == 2 and expected in result.err, result
        assert result.err.count("\n") == 1
    unknown = cli_ws("members", "no-such-sig")
    assert unknown.code == 2 and "no-such-sig" in unknown.err
    assert cli_ws("members", sig).out == "alice\towner\n"


def test_the_cli_sees_every_sig_even_on_a_users_server(cli_ws: RunCli) -> None:
    cli_ws("init")
    sig = cli_ws("new", "Home safely").out.strip()
    env = {"JUPYTERHUB_USER": "dave"}
    assert cli_ws("list", env=env).out.startswith(sig)
    assert cli_ws("members", sig, "add", "carol", "--role", "viewer", env=env).code == 0
