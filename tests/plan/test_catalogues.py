"""The catalogues: the packaged file, an organisation's replacement, and files that cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigworkbook import settings
from sigworkbook.plan import catalogues
from sigworkbook.plan.catalogues import CATALOGUE_NAMES, CatalogueError, load

# What the issue asks each catalogue to offer (keys as the packaged file spells them).
REQUIRED = {
    "roles": {
        "convener",
        "co_convener",
        "sponsor",
        "facilitator",
        "librarian",
        "connector",
        "communications_lead",
        "member",
    },
    "value_kinds": {"immediate", "potential", "applied", "realised", "reframing"},
}


def test_packaged_file_has_every_catalogue_with_labels_and_descriptions() -> None:
    active = load(catalogues.DEFAULT_FILE)
    for name in CATALOGUE_NAMES:
        assert active[name], name
        for key, entry in active[name].items():
            assert entry.key == key
            assert entry.label.strip(), f"{name}.{key}"
            assert len(entry.description) >= 20, f"{name}.{key} needs a real description"


def test_packaged_catalogues_cover_the_guide() -> None:
    active = catalogues.active()
    for name, keys in REQUIRED.items():
        assert keys <= set(active[name]), name
    assert len(active["activity_types"]) >= 9
    assert len(active["channels"]) >= 11
    assert len(active["follow_on_actions"]) >= 5
    assert active["activity_types"]["tweet_chat"].get("needs_hashtag") is True


def test_channel_limits_and_labels() -> None:
    active = catalogues.active()
    assert active.char_limit("network_twitter") == 280
    assert active.char_limit("direct_email") is None
    assert active.char_limit("no_such_channel") is None
    assert active.label("roles", "co_convener") == "Co-convener"
    assert active.label("roles", "unknown_role") == "unknown_role"


def test_active_is_the_packaged_file_by_default() -> None:
    assert catalogues.active().source == catalogues.DEFAULT_FILE


def replacement(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "org-catalogues.toml"
    text = catalogues.DEFAULT_FILE.read_text(encoding="utf-8")
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_use_switches_and_none_switches_back(tmp_path: Path) -> None:
    extra = '\n[channels.intranet]\nlabel = "Intranet news"\ndescription = "Our own."\nchar_limit = 500\n'
    path = replacement(tmp_path, extra)
    chosen = catalogues.use(path)
    assert chosen is catalogues.active()
    assert chosen.source == path
    assert chosen.char_limit("intranet") == 500
    assert chosen.label("channels", "intranet") == "Intranet news"
    assert list(chosen["channels"])[-1] == "intranet"  # file order is kept
    catalogues.use(None)
    assert "intranet" not in catalogues.active()["channels"]


def test_environment_variable_chooses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = replacement(tmp_path)
    monkeypatch.setenv(settings.CATALOGUES.env, str(path))
    assert catalogues.use(None).source == path
    monkeypatch.delenv(settings.CATALOGUES.env)
    assert catalogues.use(None).source == catalogues.DEFAULT_FILE


def table(name: str, body: str = 'label = "X"\ndescription = "Y"') -> str:
    return f"[{name}.entry]\n{body}\n"


def all_tables_but(skip: str = "", **bodies: str) -> str:
    return "".join(
        table(name, bodies.get(name, 'label = "X"\ndescription = "Y"'))
        for name in CATALOGUE_NAMES
        if name != skip
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("this is = = not toml", "not valid TOML", id="not-toml"),
        pytest.param(all_tables_but(skip="channels"), "[channels] is missing", id="missing-table"),
        pytest.param(
            all_tables_but(skip="roles") + "roles = 3\n",
            "[roles] is missing or empty",
            id="table-not-a-table",
        ),
        pytest.param(
            all_tables_but(roles='description = "No label"'),
            "[roles.entry] needs a label",
            id="no-label",
        ),
        pytest.param(
            all_tables_but(roles='label = "  "'), "[roles.entry] needs a label", id="blank-label"
        ),
        pytest.param(
            all_tables_but(roles='label = "X"\ndescription = 3'),
            "[roles.entry] description must be text",
            id="description-not-text",
        ),
        pytest.param(
            all_tables_but(skip="roles") + "[roles]\nentry = 1\n",
            "[roles.entry] must be a table",
            id="entry-not-a-table",
        ),
    ],
)
def test_unusable_files_are_refused_with_their_name(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        catalogues.use(path)
    assert str(path) in str(caught.value)
    assert says in str(caught.value)
    assert catalogues.active().source == catalogues.DEFAULT_FILE  # the old choice stays


def test_missing_and_binary_files_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot be read"):
        load(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00roles")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load(binary)


def test_a_minimal_file_of_our_own_loads(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(all_tables_but(), encoding="utf-8")
    loaded = load(path)
    assert {name: list(loaded[name]) for name in CATALOGUE_NAMES} == {
        name: ["entry"] for name in CATALOGUE_NAMES
    }
