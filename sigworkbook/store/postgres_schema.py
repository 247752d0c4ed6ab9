"""The PostgreSQL schema of a sigworkbook database: its migrations from version 1, and the
check that a database is ours and how far it is set up."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Final

import psycopg

from sigworkbook import __version__
from sigworkbook.store import changelog, lifecycle, membership
from sigworkbook.store.interface import NewerSchema, NotOurDatabase, StoreError

Connection = psycopg.Connection[tuple[Any, ...]]
Migration = Callable[[psycopg.Connection[tuple[object, ...]]], None]

APPLICATION: Final = "sigworkbook"
"""The value of meta's 'application' row: marks a database as ours."""
CHANNEL_PREFIX: Final = "sigworkbook_"

_SCHEMA_1: Final = (
    """CREATE TABLE meta (
        key text PRIMARY KEY,
        value text NOT NULL
    )""",
    """CREATE TABLE sigs (
        sig_id text PRIMARY KEY,
        revision integer NOT NULL CHECK (revision >= 1),
        plan text NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL
    )""",
    """CREATE TABLE history (
        sig_id text NOT NULL REFERENCES sigs (sig_id),
        revision integer NOT NULL CHECK (revision >= 1),
        path text NOT NULL,
        value text NOT NULL,
        author text,
        at text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('create', 'set', 'replace', 'restore')),
        note text,
        PRIMARY KEY (sig_id, revision)
    )""",
    "CREATE INDEX history_whole_plan ON history (sig_id, revision) WHERE path = ''",
    "CREATE INDEX history_by_path ON history (sig_id, path, revision)",
    """CREATE FUNCTION sigworkbook_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'history is append-only' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER history_no_update BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION sigworkbook_history_append_only()""",
    """CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION sigworkbook_history_append_only()""",
    """CREATE FUNCTION sigworkbook_history_next_revision() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.revision <> 1 + COALESCE(
            (SELECT MAX(revision) FROM history WHERE sig_id = NEW.sig_id), 0) THEN
            RAISE EXCEPTION 'history revisions must follow on without gaps'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER history_next_revision BEFORE INSERT ON history
    FOR EACH ROW EXECUTE FUNCTION sigworkbook_history_next_revision()""",
    # Pages learn of a new revision by LISTEN on the SIG's channel; sent when the write commits.
    f"""CREATE FUNCTION sigworkbook_notify_revision() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL_PREFIX}' || md5(NEW.sig_id), NEW.revision::text);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER sigs_notify AFTER INSERT OR UPDATE OF revision ON sigs
    FOR EACH ROW EXECUTE FUNCTION sigworkbook_notify_revision()""",
    # Who has which page open: shared by every server, lost in a crash (nothing to lose).
    """CREATE UNLOGGED TABLE presence (
        sig_id text NOT NULL,
        visitor text NOT NULL,
        participant text,
        step text NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sig_id, visitor)
    )""",
)


def _migrate_to_1(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 1: meta, sigs, append-only history, the revision notice, presence."""
    for statement in _SCHEMA_1:
        conn.execute(statement.encode())


def _migrate_to_2(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 2: members of each SIG with their roles, and listing submissions."""
    for statement in membership.SCHEMA_2:
        conn.execute(statement.encode())


# Erasure: the one way past the append-only guard. The guard lets an UPDATE through only while
# the setting sigworkbook.rewriting is on, only if the transaction has recorded an erasure (a
# row of erasures written by this very transaction), and only if the row keeps its SIG,
# revision, path, time and kind; a DELETE likewise; TRUNCATE never. The setting is on only
# inside the two functions below (their SET clause turns it on at entry and restores it at
# exit, so it never outlives the call). Whoever owns the tables can always drop a trigger: the
# guard stops mistakes and stray statements, and makes every rewrite leave its record.
_RECORDED: Final = """IF NOT EXISTS (SELECT 1 FROM erasures
            WHERE xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text) THEN
            RAISE EXCEPTION 'history may only be rewritten by a recorded erasure'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;"""
_SCHEMA_3: Final = (
    f"""CREATE OR REPLACE FUNCTION sigworkbook_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'TRUNCATE'
            AND current_setting('sigworkbook.rewriting', true) IS NOT DISTINCT FROM 'on' THEN
            {_RECORDED}
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            IF (NEW.sig_id, NEW.revision, NEW.path, NEW.at, NEW.kind)
                IS NOT DISTINCT FROM (OLD.sig_id, OLD.revision, OLD.path, OLD.at, OLD.kind) THEN
                RETURN NEW;
            END IF;
        END IF;
        RAISE EXCEPTION 'history is append-only' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE FUNCTION sigworkbook_rewrite_history(
        p_sig_id text, p_revision integer, p_value text, p_author text, p_note text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path FROM CURRENT SET sigworkbook.rewriting = 'on' AS $$
    BEGIN
        {_RECORDED}
        UPDATE history SET value = p_value, author = p_author, note = p_note
            WHERE sig_id = p_sig_id AND revision = p_revision;
    END $$""",
    f"""CREATE FUNCTION sigworkbook_delete_history(p_sig_id text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path FROM CURRENT SET sigworkbook.rewriting = 'on' AS $$
    BEGIN
        {_RECORDED}
        DELETE FROM history WHERE sig_id = p_sig_id;
    END $$""",
)


def _migrate_to_3(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 3: closed SIGs, the record of erasures, and erasure's one way into history."""
    for statement in (*lifecycle.SCHEMA_3, *_SCHEMA_3):
        conn.execute(statement.encode())


MIGRATIONS: Final[tuple[Migration, ...]] = (_migrate_to_1, _migrate_to_2, _migrate_to_3)
"""MIGRATIONS[n] turns a version-n database into version n + 1 (n = 0 is an empty database)."""
OUR_TABLES: Final = frozenset({"meta", "sigs", "history"})


def channel(sig_id: str) -> str:
    """The LISTEN/NOTIFY channel of a SIG (a SIG id may be longer than a channel name)."""
    return CHANNEL_PREFIX + hashlib.md5(sig_id.encode(), usedforsecurity=False).hexdigest()


def inspect(conn: Connection, location: str, newest: int, create: bool) -> int:
    """The schema version of the database at `location` (0: empty), after checking it is ours
    and not newer than `newest`."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    if "meta" not in tables:
        if tables:
            raise NotOurDatabase(
                f"{location} is not a sigworkbook database (it holds other tables, "
                "not sigworkbook's); nothing was written to it"
            )
        if not create:
            raise StoreError(
                f"there is no sigworkbook database at {location} (it is empty): "
                "run 'sigworkbook init' with this database first"
            )
        return 0
    meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("application") != APPLICATION:
        raise NotOurDatabase(
            f"{location} is not a sigworkbook database (its meta table is another "
            "program's); nothing was written to it"
        )
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise NotOurDatabase(f"{location} is damaged: it names no schema version") from None
    if version > newest:
        raise NewerSchema(
            f"{location} was written by a newer sigworkbook (database version "
            f"{version}; this sigworkbook supports up to version {newest}); "
            "the database was not changed: please upgrade sigworkbook to open it"
        )
    if not tables >= OUR_TABLES:
        raise NotOurDatabase(
            f"{location} is not a sigworkbook database (its sigworkbook tables are "
            "missing); nothing was written to it"
        )
    return version


def run_migrations(conn: Connection, version: int, migrations: Sequence[Migration]) -> None:
    """Run the `migrations` after `version` inside the caller's transaction."""
    newest = len(migrations)
    for step in range(version, newest):
        migrations[step](conn)
    now = changelog.now()
    rows = [("schema_version", str(newest)), ("schema_changed_at", now)]
    if version == 0:
        rows += [("application", APPLICATION), ("created_at", now), ("created_by", __version__)]
    for key, value in rows:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
