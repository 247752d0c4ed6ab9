"""`sigworkbook hub-config` and `serve --hub`/`--base-url` without a running hub: the printed
config, the spawn hook, the variables a spawned server reads, and the mistakes they refuse."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from traitlets.config import Config

from sigworkbook.app.hub import HubEnvironmentError, hub_config, hub_place
from sigworkbook.app.voila_config import ServeOptions, build_config, normalize_base_url, start_url
from sigworkbook.cli import main

DATABASE = "postgresql://workbook:S3cret-pass@db.example.org:5432/sigs"

HUB_ENV = {
    "JUPYTERHUB_USER": "alice",
    "JUPYTERHUB_API_TOKEN": "token",
    "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api",
    "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
    "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:41234/user/alice/",
    "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(["access:servers!server=alice/"]),
}


def run_hook(hook: Any, spawner: Any) -> None:
    """Run an async spawn hook to the end, in a thread of its own (Playwright's tests may hold
    this thread's event loop when the suites run together)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, hook(spawner)).result()


def load(text: str) -> Config:
    """Run a printed jupyterhub_config.py the way JupyterHub does; its config."""
    c = Config()
    exec(compile(text, "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    return c


def test_printed_config_runs_the_hub_aware_serve_with_the_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["hub-config", "--database", DATABASE, "--network-group", "q-network"]) == 0
    printed = capsys.readouterr().out
    c = load(printed)
    assert c.Spawner.cmd[-4:] == ["-m", "sigworkbook.cli", "serve", "--hub"]
    assert c.Spawner.environment["SIGWORKBOOK_DATABASE"] == DATABASE
    assert c.Spawner.environment["SIGWORKBOOK_NETWORK_GROUP"] == "q-network"
    assert "q-network" in c.JupyterHub.load_groups
    assert c.Spawner.default_url == "/", "the root is the app page"
    # The password is in the one line that hands it to the spawner, nowhere else; the header
    # names the database with the password masked.
    assert printed.count("S3cret-pass") == 1
    assert "postgresql://workbook:***@db.example.org:5432/sigs" in printed
    assert not any("S3cret-pass" in arg for arg in c.Spawner.cmd), "never on a command line"


def test_spawn_hook_passes_display_name_and_groups() -> None:
    c = load(hub_config(DATABASE))
    hook = c.Spawner.pre_spawn_hook

    async def auth_state() -> dict[str, Any]:
        return {"oauth_user": {"name": "Alice Jones", "email": "alice@example.org"}}

    user = SimpleNamespace(
        name="alice",
        groups=[SimpleNamespace(name="sigworkbook-network"), SimpleNamespace(name="conveners")],
        get_auth_state=auth_state,
    )
    spawner = SimpleNamespace(user=user, environment={})
    run_hook(hook, spawner)
    assert spawner.environment["SIGWORKBOOK_USER_DISPLAY_NAME"] == "Alice Jones"
    assert spawner.environment["SIGWORKBOOK_USER_GROUPS"] == "conveners,sigworkbook-network"

    async def no_auth_state() -> None:
        return None

    plain = SimpleNamespace(name="bob", groups=[], get_auth_state=no_auth_state)
    spawner = SimpleNamespace(user=plain, environment={})
    run_hook(hook, spawner)
    assert spawner.environment["SIGWORKBOOK_USER_DISPLAY_NAME"] == "bob"
    assert spawner.environment["SIGWORKBOOK_USER_GROUPS"] == ""


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["hub-config"], "--database"),
        (["hub-config", "--database", DATABASE, "--network-group", "a,b"], "--network-group"),
        (["hub-config", "--database", DATABASE, "--network-group", ""], "--network-group"),
    ],
)
def test_hub_config_mistakes(
    argv: list[str],
    said: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SIGWORKBOOK_DATABASE", raising=False)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert said in captured.err and not captured.out
    assert "S3cret-pass" not in captured.err


def test_hub_place_reads_the_spawners_variables() -> None:
    place = hub_place(HUB_ENV)
    assert (place.host, place.port, place.base_url, place.user) == (
        "127.0.0.1",
        41234,
        "/user/alice/",
        "alice",
    )
    kube = {**HUB_ENV, "JUPYTERHUB_SERVICE_URL": "http://0.0.0.0:8888/user/alice/"}
    assert (hub_place(kube).host, hub_place(kube).port) == ("0.0.0.0", 8888)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"JUPYTERHUB_API_TOKEN": ""}, "JUPYTERHUB_API_TOKEN"),
        ({"JUPYTERHUB_SERVICE_PREFIX": ""}, "JUPYTERHUB_SERVICE_PREFIX"),
        ({"JUPYTERHUB_OAUTH_ACCESS_SCOPES": "[]"}, "every hub user would get in"),
        ({"JUPYTERHUB_OAUTH_ACCESS_SCOPES": "not json"}, "every hub user would get in"),
    ],
)
def test_hub_place_refuses_a_missing_hub(change: dict[str, str], said: str) -> None:
    with pytest.raises(HubEnvironmentError, match=said):
        hub_place({**HUB_ENV, **change})


def test_serve_hub_outside_a_hub_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in HUB_ENV:
        monkeypatch.delenv(name, raising=False)
    assert main(["--workspace", str(tmp_path), "serve", "--hub", "--no-browser"]) == 2
    assert "JupyterHub sets these" in capsys.readouterr().err


def test_base_url_reaches_voila_and_the_start_link(tmp_path: Any) -> None:
    options = ServeOptions(
        notebooks=tmp_path, port=8866, host="127.0.0.1", token=None, base_url="/swb/"
    )
    c = build_config(options)
    assert (c.Voila.base_url, c.Voila.server_url) == ("/swb/", "/swb/")
    assert start_url(options) == "http://127.0.0.1:8866/swb/"
    assert normalize_base_url("swb") == "/swb/" and normalize_base_url("") == "/"


def test_hub_mode_checks_logins_with_the_hub(tmp_path: Any) -> None:
    options = ServeOptions(
        notebooks=tmp_path, port=8888, host="0.0.0.0", token=None, base_url="/user/a/", hub=True
    )
    c = build_config(options)
    assert c.Voila.identity_provider_class == "sigworkbook.app.hub_auth.HubIdentityProvider"
    assert c.Voila.tornado_settings["allow_remote_access"] is True
    with pytest.raises(ValueError, match="token"):
        ServeOptions(notebooks=tmp_path, port=8888, host="0.0.0.0", token=None)


@pytest.mark.parametrize("bad", ["/a b/", "/a?x=1/", "/../"])
def test_bad_base_urls(bad: str, tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="base URL"):
        ServeOptions(notebooks=tmp_path, port=8866, host="127.0.0.1", token=None, base_url=bad)


def test_zero_to_jupyterhub_values_match_hub_config() -> None:
    """deploy/z2jh/values.yaml runs the same server, passes the database from a Secret, culls
    idle servers, and its spawn hook does what the printed one does."""
    import yaml
    from repo_paths import REPO

    values = yaml.safe_load((REPO / "deploy" / "z2jh" / "values.yaml").read_text("utf-8"))
    printed = load(hub_config(DATABASE))
    single = values["singleuser"]
    assert single["cmd"] == ["sigworkbook", "serve", "--hub"]
    assert single["defaultUrl"] == printed.Spawner.default_url
    secret = single["extraEnv"]["SIGWORKBOOK_DATABASE"]["valueFrom"]["secretKeyRef"]
    assert secret == {"name": "sigworkbook-database", "key": "url"}
    assert values["cull"]["enabled"] is True
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "azuread"

    c = Config()
    exec(values["hub"]["extraConfig"]["sigworkbook"], {"c": c})

    async def auth_state() -> dict[str, Any]:
        return {"oauth_user": {"name": "Alice Jones"}}

    user = SimpleNamespace(
        name="alice",
        groups=[SimpleNamespace(name="sigworkbook-network")],
        get_auth_state=auth_state,
    )
    for hook in (c.KubeSpawner.pre_spawn_hook, printed.Spawner.pre_spawn_hook):
        spawner = SimpleNamespace(user=user, environment={})
        run_hook(hook, spawner)
        assert spawner.environment == {
            "SIGWORKBOOK_USER_DISPLAY_NAME": "Alice Jones",
            "SIGWORKBOOK_USER_GROUPS": "sigworkbook-network",
        }
