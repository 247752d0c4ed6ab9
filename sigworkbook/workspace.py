"""A workspace folder: where plans live, and the operations every front end (forms, CLI) shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.access import Access
from sigworkbook.hosting.identity import User, hub_user_name
from sigworkbook.permissions import needs
from sigworkbook.personal_data import PersonalData
from sigworkbook.plan import catalogues
from sigworkbook.plan.fieldtypes import time_zone_names
from sigworkbook.plan.gaps import StepCheck, check
from sigworkbook.restoring import Restoring
from sigworkbook.store import (
    Change,
    ChangeFeed,
    Member,
    Presence,
    Store,
    Submission,
    database_url,
    open_store,
    opener_for,
)
from sigworkbook.workspace_plans import (
    NAME_DECISION,
    NAME_IDEAS,
    OWN_IN_PART,
    VOTING_ROUND,
    Loaded,
    UnreadablePlan,
    WorkspaceError,
    loaded,
)

__all__ = [
    "CATALOGUE_OVERRIDE",
    "DATABASE_NAME",
    "NAME_DECISION",
    "NAME_IDEAS",
    "OWN_IN_PART",
    "VOTING_ROUND",
    "Loaded",
    "UnreadablePlan",
    "Workspace",
    "WorkspaceError",
    "resolve",
]

DATABASE_NAME = "sigworkbook.db"
CATALOGUE_OVERRIDE = "catalogues.toml"


def resolve(explicit: Path | str | None = None) -> Path:
    """The workspace folder: the one given, else $SIGWORKBOOK_WORKSPACE, else ~/sigworkbook."""
    chosen = Path(explicit) if explicit else settings.WORKSPACE.read()
    return chosen.expanduser().resolve()


def warm_up() -> None:
    """Do the one-off work of a process's first `Workspace.open` and plan check ahead of time
    (a pre-heated kernel, while it waits for its visitor): import the store's backend, read the
    catalogues and this machine's time zones. Anything wrong is left for the real open to say."""
    try:
        url = settings.DATABASE.read() or database_url(resolve() / DATABASE_NAME)
        opener_for(url)
        catalogues.active()
    except (SigworkbookError, OSError):
        return
    time_zone_names()


class Workspace(Restoring, PersonalData):
    """One workspace: its database of SIG plans and the operations on them.

    Opened for a hub `user` (hosted mode), it shows and changes only what their role in each
    SIG allows; opened with no user (the CLI, a local server) it allows everything.
    """

    def __init__(self, root: Path, store: Store, *, user: User | None = None) -> None:
        self.root = root
        self.store = store
        self.user = user

    @classmethod
    def open(
        cls,
        root: Path | str | None = None,
        *,
        create: bool = False,
        database: str | None = None,
        user: User | None = None,
    ) -> Workspace:
        """Open the workspace at `root` (see `resolve`); with `create`, make it if it is missing.

        Plans are kept in the database at the URL `database` (else $SIGWORKBOOK_DATABASE), by
        default the SQLite file in the workspace folder; the folder holds exports and settings.
        With `user`, only what that hub user may see and do is allowed (see `access`).
        """
        folder = resolve(root)
        database = database or settings.DATABASE.read()
        if database is not None:
            if create:
                _make_folder(folder)
            elif not folder.is_dir():
                raise WorkspaceError(
                    f"no workspace at {folder}: run 'sigworkbook init' or choose one with --workspace"
                )
            return cls._with_store(folder, database, create, user)
        database_file = folder / DATABASE_NAME
        if not database_file.exists():
            if not create:
                raise WorkspaceError(
                    f"no workspace at {folder}: run 'sigworkbook init' or choose one with --workspace"
                )
            _make_folder(folder)
        return cls._with_store(folder, database_url(database_file), create, user)

    @classmethod
    def _with_store(cls, folder: Path, url: str, create: bool, user: User | None) -> Workspace:
        override = folder / CATALOGUE_OVERRIDE
        if override.exists():
            catalogues.use(override)
        return cls(
            folder,
            open_store(url, create=create, busy_timeout=settings.BUSY_TIMEOUT.read()),
            user=user,
        )

    def close(self) -> None:
        self.store.close()

    @property
    def location(self) -> str:
        """Where the plans are kept, for messages (a URL shows no password)."""
        return self.store.location

    @property
    def read_only(self) -> bool:
        """Whether plans can only be read here (the database is read-only)."""
        return self.store.read_only

    @needs(Access.READ, "follow")
    def change_feed(self, sig_id: str) -> ChangeFeed:
        """A feed that tells a page when the SIG has a new revision."""
        return self.store.change_feed(sig_id)

    def presence(self) -> Presence:
        """The register of who has which page open, kept where the plans are."""
        return self.store.presence()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    # --- access -------------------------------------------------------------------------

    def can_edit(self, sig_id: str) -> bool:
        return self.access(sig_id) >= Access.EDIT and not self.is_closed(sig_id)

    @needs(Access.READ, "see the members of")
    def members(self, sig_id: str) -> list[Member]:
        """The SIG's members, owners first."""
        return self.store.members(sig_id)

    @needs(Access.MANAGE, "change the members of")
    def set_member(self, sig_id: str, user: str, role: str | None) -> str:
        """Give hub user `user` `role` in the SIG (None: remove them); owners only when hosted.
        A SIG keeps at least one owner (LastOwner otherwise). The name as the hub keeps it
        (lower case), which is the one stored and returned."""
        if not self.store.exists(sig_id):
            raise WorkspaceError(f"there is no SIG '{sig_id}' in this workspace")
        user = hub_user_name(user)
        if not user:
            raise WorkspaceError("Hub user name: is empty: type the name they log in with")
        by = self.user.name if self.user else None
        self.store.set_member(sig_id, user, role, by=by)
        return user

    @needs(Access.EDIT, "send for listing")
    def submit_listing(self, sig_id: str, *, author: str | None = None) -> Submission:
        """Send the SIG, as it is now, to the network team for listing (editors and owners);
        recorded under the hub user when there is one, else under `author`."""
        revision = self.store.revision(sig_id)
        return self.store.submit_listing(sig_id, revision, user=self._author(author))

    def submissions(self) -> list[Submission]:
        """The listing submissions of the SIGs the user may see, newest first."""
        visible = set(self.sig_ids())
        return [s for s in self.store.submissions() if s.sig_id in visible]

    # --- reading ------------------------------------------------------------------------

    def sig_ids(self) -> list[str]:
        """The SIGs the user may see: all of them with no user or for the network team."""
        ids = self.store.sig_ids()
        if self.user is None or self.user.network_team:
            return ids
        mine = self._roles()
        return [sig_id for sig_id in ids if sig_id in mine]

    @needs(Access.READ, "read")
    def load(self, sig_id: str) -> Loaded:
        """The SIG's current plan; UnreadablePlan if what is stored breaks the model's rules."""
        return loaded(self.store.current(sig_id), sig_id)

    @needs(Access.READ, "read")
    def title(self, sig_id: str) -> str:
        """The SIG's name as stored, for lists: readable even when its plan is not (see load)."""
        identity = self.store.current(sig_id).plan.get("identity")
        name = identity.get("name") if isinstance(identity, dict) else None
        return name if isinstance(name, str) and name.strip() else sig_id

    def check(self, sig_id: str) -> dict[str, StepCheck]:
        return check(self.load(sig_id).plan)

    @needs(Access.READ, "read")
    def revision(self, sig_id: str) -> int:
        """The SIG's latest revision: cheap enough to poll."""
        return self.store.revision(sig_id)

    @needs(Access.READ, "read the history of")
    def history(
        self,
        sig_id: str,
        *,
        path: str | None = None,
        limit: int | None = None,
        include_ancestors: bool = False,
    ) -> list[Change]:
        """The SIG's changes, newest first, at or below `path` (see `Store.history`)."""
        return self.store.history(
            sig_id, path=path, limit=limit, include_ancestors=include_ancestors
        )

    @needs(Access.READ, "read the history of")
    def last_changes(self, sig_id: str) -> dict[str, Change]:
        """The latest change at each path that was ever changed."""
        return self.store.last_changes(sig_id)

    @needs(Access.READ, "read the history of")
    def row_ids_at(self, sig_id: str, list_path: str, revision: int) -> list[str | None] | None:
        """The ids of a table's rows, in order, as of `revision`."""
        return self.store.row_ids_at(sig_id, list_path, revision)

    @needs(Access.READ, "read the history of")
    def plan_at(self, sig_id: str, revision: int) -> dict[str, Any]:
        """The SIG's plan as it was at `revision`."""
        return self.store.plan_at(sig_id, revision)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WorkspaceError(f"cannot create the workspace {folder}: {error.strerror}") from None
