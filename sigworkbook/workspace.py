"""A workspace folder: where plans live, and the operations every front end (forms, CLI) shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.access import NOT_OWNER, READ_ONLY, Access, access_for, refuse
from sigworkbook.hosting.identity import User, hub_user_name
from sigworkbook.personal_data import PersonalData
from sigworkbook.plan import catalogues
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.plan.agreement import check_change as check_agreement_change
from sigworkbook.plan.fields import field_spec, in_words, label
from sigworkbook.plan.fieldtypes import slugify
from sigworkbook.plan.gaps import StepCheck, check
from sigworkbook.plan.model import READ_ONLY_FIELDS, SCHEMA_VERSION, Plan
from sigworkbook.plan.paths import (
    PathError,
    format_path,
    get_path,
    parse_path,
    row_by_id,
    set_path_in_place,
    split_row,
)
from sigworkbook.plan.people import clean_name
from sigworkbook.plan.validation import (
    PlanError,
    Problem,
    normalise,
    problems_from,
    validate_plan,
)
from sigworkbook.plan.voting import check_voting_change
from sigworkbook.store import (
    Change,
    ChangeFeed,
    Member,
    Presence,
    Snapshot,
    Store,
    Submission,
    database_url,
    open_store,
)

DATABASE_NAME = "sigworkbook.db"
CATALOGUE_OVERRIDE = "catalogues.toml"


NAME_IDEAS = "identity.name_ideas"
"""Where ideas and votes are kept: edited only through `update`, by the voter alone when hosted."""
NAME_DECISION = "identity.name_decision"
"""How the name was chosen after a round (set with the name)."""
VOTING_ROUND = "identity.voting_round"
"""Where the dot vote on the ideas is kept: edited like the ideas, each ballot by its voter."""
OWN_IN_PART: tuple[str, ...] = (NAME_IDEAS, VOTING_ROUND, AGREEMENT)
"""What is partly each person's own (ideas, ballots, agreement answers): when hosted, changed
only whole through `update` or `update_votes`, where `_check_own` sees each change."""


class WorkspaceError(SigworkbookError):
    """A problem with the workspace folder itself; one clear line for a user."""


def resolve(explicit: Path | str | None = None) -> Path:
    """The workspace folder: the one given, else $SIGWORKBOOK_WORKSPACE, else ~/sigworkbook."""
    chosen = Path(explicit) if explicit else settings.WORKSPACE.read()
    return chosen.expanduser().resolve()


@dataclass(frozen=True)
class Loaded:
    """A plan as read from the store, with the revision it was read at."""

    plan: Plan
    revision: int
    changed: bool = field(default=False, compare=False)
    """Whether the call that returned it wrote a revision (an edit may change nothing)."""


class UnreadablePlan(WorkspaceError):
    """A stored plan the model refuses (a database edited by hand, or a value saved before a
    rule existed): one line naming each field that is wrong, and the way to put it right."""

    def __init__(self, sig_id: str, problems: list[Problem]) -> None:
        self.sig_id = sig_id
        self.problems = problems
        wrong = "; ".join(str(problem) for problem in problems)
        super().__init__(
            f"the saved plan of '{sig_id}' holds a value that cannot be right ({wrong}): put "
            f"back the last good value with 'sigworkbook repair {sig_id}'"
        )


def _loaded(snapshot: Snapshot, sig_id: str = "") -> Loaded:
    try:
        plan = Plan.model_validate(snapshot.plan)
    except ValidationError as error:
        raise UnreadablePlan(
            sig_id or str(snapshot.plan.get("id", "")), problems_from(error, snapshot.plan)
        ) from None
    return Loaded(plan, snapshot.revision, snapshot.changed)


class Workspace(PersonalData):
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

    def change_feed(self, sig_id: str) -> ChangeFeed:
        """A feed that tells a page when the SIG has a new revision."""
        self._require(sig_id, Access.READ, "follow")
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

    def role(self, sig_id: str) -> str | None:
        """The user's role in the SIG (owner, editor, viewer), None if not a member or no user."""
        if self.user is None:
            return None
        return self.store.memberships(self.user.name).get(sig_id)

    def access(self, sig_id: str) -> Access:
        """What the user may do with the SIG (everything, with no user)."""
        if self.user is None:
            return Access.MANAGE
        return access_for(self.user, self.role(sig_id))

    def can_edit(self, sig_id: str) -> bool:
        return self.access(sig_id) >= Access.EDIT and not self.is_closed(sig_id)

    def can_manage(self, sig_id: str) -> bool:
        return self.access(sig_id) >= Access.MANAGE

    def _require(self, sig_id: str, needed: Access, action: str) -> None:
        """Raise AccessDenied (and log it) unless the user may do `action` to the SIG.

        A SIG that does not exist is refused the same way, so a link reveals nothing.
        """
        if self.user is None:
            return
        granted = self.access(sig_id)
        if granted >= needed and self.store.exists(sig_id):
            return
        message = READ_ONLY if granted >= Access.READ and needed == Access.EDIT else None
        message = NOT_OWNER if granted >= Access.READ and needed == Access.MANAGE else message
        if message is None:
            raise refuse(self.user, sig_id, action)
        raise refuse(self.user, sig_id, action, message)

    def members(self, sig_id: str) -> list[Member]:
        """The SIG's members, owners first."""
        self._require(sig_id, Access.READ, "see the members of")
        return self.store.members(sig_id)

    def set_member(self, sig_id: str, user: str, role: str | None) -> str:
        """Give hub user `user` `role` in the SIG (None: remove them); owners only when hosted.
        A SIG keeps at least one owner (LastOwner otherwise). The name as the hub keeps it
        (lower case), which is the one stored and returned."""
        self._require(sig_id, Access.MANAGE, "change the members of")
        if not self.store.exists(sig_id):
            raise WorkspaceError(f"there is no SIG '{sig_id}' in this workspace")
        user = hub_user_name(user)
        if not user:
            raise WorkspaceError("Hub user name: is empty: type the name they log in with")
        by = self.user.name if self.user else None
        self.store.set_member(sig_id, user, role, by=by)
        return user

    def submit_listing(self, sig_id: str, *, author: str | None = None) -> Submission:
        """Send the SIG, as it is now, to the network team for listing (editors and owners);
        recorded under the hub user when there is one, else under `author`."""
        self._require(sig_id, Access.EDIT, "send for listing")
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
        mine = self.store.memberships(self.user.name)
        return [sig_id for sig_id in ids if sig_id in mine]

    def load(self, sig_id: str) -> Loaded:
        """The SIG's current plan; UnreadablePlan if what is stored breaks the model's rules."""
        self._require(sig_id, Access.READ, "read")
        return _loaded(self.store.current(sig_id), sig_id)

    def title(self, sig_id: str) -> str:
        """The SIG's name as stored, for lists: readable even when its plan is not (see load)."""
        self._require(sig_id, Access.READ, "read")
        identity = self.store.current(sig_id).plan.get("identity")
        name = identity.get("name") if isinstance(identity, dict) else None
        return name if isinstance(name, str) and name.strip() else sig_id

    def check(self, sig_id: str) -> dict[str, StepCheck]:
        return check(self.load(sig_id).plan)

    def revision(self, sig_id: str) -> int:
        """The SIG's latest revision: cheap enough to poll."""
        self._require(sig_id, Access.READ, "read")
        return self.store.revision(sig_id)

    def history(
        self,
        sig_id: str,
        *,
        path: str | None = None,
        limit: int | None = None,
        include_ancestors: bool = False,
    ) -> list[Change]:
        """The SIG's changes, newest first, at or below `path` (see `Store.history`)."""
        self._require(sig_id, Access.READ, "read the history of")
        return self.store.history(
            sig_id, path=path, limit=limit, include_ancestors=include_ancestors
        )

    def last_changes(self, sig_id: str) -> dict[str, Change]:
        """The latest change at each path that was ever changed."""
        self._require(sig_id, Access.READ, "read the history of")
        return self.store.last_changes(sig_id)

    def row_ids_at(self, sig_id: str, list_path: str, revision: int) -> list[str | None] | None:
        """The ids of a table's rows, in order, as of `revision`."""
        self._require(sig_id, Access.READ, "read the history of")
        return self.store.row_ids_at(sig_id, list_path, revision)

    def plan_at(self, sig_id: str, revision: int) -> dict[str, Any]:
        """The SIG's plan as it was at `revision`."""
        self._require(sig_id, Access.READ, "read the history of")
        return self.store.plan_at(sig_id, revision)

    # --- writing ------------------------------------------------------------------------

    def new_sig(self, name: str, *, author: str | None = None) -> Loaded:
        """Create a SIG named `name`; its id is derived from the name and made unique."""
        author = self._author(author)
        name = clean_name(name)
        identity = {"name": name}
        validate_plan({"id": "probe", "identity": identity})
        base = slugify(name)
        sig_id, n = base, 1
        while self.store.exists(sig_id):
            n += 1
            sig_id = f"{base[:60]}-{n}"
        document = normalise({"id": sig_id, "identity": identity})
        created = _loaded(self.store.create(sig_id, document, author=author, validate=normalise))
        self._make_owner(sig_id)
        return created

    def _by_update_only(self, path: str, *, whole: bool = False) -> None:
        """When hosted, what is partly each person's own (`OWN_IN_PART`) changes only through
        `update` of the whole list or map (`whole`), where `_check_own` sees the change: never
        a part of it, nor a section holding it ("identity", "charter")."""
        if self.user is None:
            return
        for kept in OWN_IN_PART:
            inside = path.startswith(kept + ".") or (bool(path) and kept.startswith(path + "."))
            if (path == kept and not whole) or inside:
                what = (
                    f"{label(AGREEMENT)}: answers are"
                    if kept == AGREEMENT
                    else f"{label(NAME_IDEAS)}: ideas and votes are"
                )
                raise WorkspaceError(
                    f"{what} given with the page's buttons, each under the name you logged in with"
                )

    def _check_own(self, plan: dict[str, Any], changes: Sequence[tuple[str, Any]]) -> None:
        """When hosted, the one check that `changes` to `plan` (whole values at paths of
        `OWN_IN_PART`) are the user's own to make: their ideas and ballot, a round started,
        revealed or closed, a merge outside a round (`check_voting_change`); their agreement
        answer, a check started or revealed (`agreement.check_change`)."""
        if self.user is None:
            return
        for path, _ in changes:
            self._by_update_only(path, whole=True)
        after = dict(changes)
        if NAME_IDEAS in after or VOTING_ROUND in after:
            ideas = get_path(plan, NAME_IDEAS, None) or []
            round_ = get_path(plan, VOTING_ROUND, None)
            new = (after.get(NAME_IDEAS, ideas) or [], after.get(VOTING_ROUND, round_))
            check_voting_change((ideas, round_), new, self.user.name)
        if AGREEMENT in after:
            before = get_path(plan, AGREEMENT, None)
            check_agreement_change(before, after[AGREEMENT], self.user.name)

    def _author(self, requested: str | None) -> str | None:
        """Who an edit is recorded under: always the hub user when there is one, whatever
        name a page or a shared screen asked for."""
        if self.user is not None:
            return self.user.name
        return " ".join(clean_name(requested).split()) or None if requested else None

    def _make_owner(self, sig_id: str) -> None:
        """In hosted mode, whoever creates a SIG is its first owner."""
        if self.user is not None:
            self.store.set_member(sig_id, self.user.name, "owner", by=self.user.name)

    def set(self, sig_id: str, path: str, value: Any, *, author: str | None = None) -> Loaded:
        """Set one field; PlanError (nothing saved) when the value cannot be accepted."""
        return self.set_many(sig_id, [(path, value)], author=author)

    def set_many(
        self, sig_id: str, changes: Sequence[tuple[str, Any]], *, author: str | None = None
    ) -> Loaded:
        """Set several fields in one transaction: all are saved, or none."""
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "change")
        for path, _ in changes:
            _check_writable(path)
            self._by_update_only(path)
        try:
            snapshot = self.store.apply(sig_id, changes, author=author, validate=normalise)
        except PathError:  # e.g. a row index past the end of its list
            path = changes[0][0] if len(changes) == 1 else ""
            raise PlanError(
                [Problem(path, label(path) if path else "", "is not there (its row may be gone)")]
            ) from None
        return _loaded(snapshot)

    def update(
        self,
        sig_id: str,
        path: str,
        change: Callable[[Any], Any],
        *,
        author: str | None = None,
    ) -> Loaded:
        """Set `path` to `change(current value)`, read and written in one transaction.

        For edits that build on the current value (a vote, a ticked item, a new row), so that
        a concurrent edit by someone else is never lost.
        """
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "change")
        _check_writable(path)

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            changes = [(path, change(get_path(plan, path, None)))]
            self._check_own(plan, changes)
            return changes

        return _loaded(self.store.update(sig_id, compute, author=author, validate=normalise))

    def update_votes(
        self,
        sig_id: str,
        change: Callable[[list[Any], Any], tuple[list[Any], Any]],
        *,
        author: str | None = None,
    ) -> Loaded:
        """Set the name ideas and the voting round to `change(ideas, round)` in one
        transaction (a ballot, a round started or revealed, two ideas merged); when hosted,
        only what the user may do (`check_voting_change`)."""
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "change")

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            ideas = get_path(plan, NAME_IDEAS, None) or []
            round_ = get_path(plan, VOTING_ROUND, None)
            new_ideas, new_round = change(ideas, round_)
            changes = [(NAME_IDEAS, new_ideas), (VOTING_ROUND, new_round)]
            self._check_own(plan, changes)
            return changes

        return _loaded(self.store.update(sig_id, compute, author=author, validate=normalise))

    def set_in_row(
        self,
        sig_id: str,
        list_path: str,
        row_id: str,
        field: str,
        value: Any,
        *,
        author: str | None = None,
        kind: str = "set",
        note: str | None = None,
    ) -> Loaded:
        """Set `field` of the row whose id is `row_id` in the list at `list_path`.

        The row is found by its id inside the write transaction, so the edit lands on the
        right row even if someone else added or removed rows meanwhile. WorkspaceError when
        the row is gone.
        """
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "change")

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            found = row_by_id(get_path(plan, list_path, None), row_id)
            if found is None:
                raise WorkspaceError(f"{label(list_path)}: this row was removed by someone else")
            path = f"{list_path}.{found[0]}.{field}"
            _check_writable(path)
            self._by_update_only(path)
            return [(path, value)]

        return _loaded(
            self.store.update(
                sig_id, compute, author=author, validate=normalise, kind=kind, note=note
            )
        )

    def import_plan(
        self, document: Any, *, replace: bool = False, author: str | None = None
    ) -> Loaded:
        """Create a SIG from an exported plan, or with `replace` make it a new revision of one."""
        author = self._author(author)
        if not isinstance(document, dict):
            raise PlanError([Problem("", "", "the file must hold one JSON object, a plan")])
        version = document.get("schema_version")
        if version is None:
            raise PlanError(
                [
                    Problem(
                        "schema_version",
                        "Schema version",
                        "is missing: is this a sigworkbook plan?",
                    )
                ]
            )
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise PlanError(
                [
                    Problem(
                        "schema_version",
                        "Schema version",
                        f"{version} is newer than this sigworkbook reads ({SCHEMA_VERSION})",
                    )
                ]
            )
        plan = normalise(document)
        sig_id = plan["id"]
        if self.store.exists(sig_id):
            self._require(sig_id, Access.EDIT, "replace")
            if not replace:
                raise WorkspaceError(
                    f"a SIG with id '{sig_id}' exists already: use --replace to make this file its new revision"
                )
            return _loaded(self.store.replace(sig_id, plan, author=author, validate=normalise))
        created = _loaded(self.store.create(sig_id, plan, author=author, validate=normalise))
        self._make_owner(sig_id)
        return created

    def repair(self, sig_id: str, *, author: str | None = None) -> Loaded:
        """Put back the last good value of every field of the stored plan that breaks the
        model's rules (see UnreadablePlan), as one new change; a plan with none is unchanged."""
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "repair")
        snapshot = self.store.current(sig_id)
        try:
            return _loaded(snapshot, sig_id)
        except UnreadablePlan as unreadable:
            problems = unreadable.problems
        document = json.loads(json.dumps(snapshot.plan))
        changes = []
        for problem in problems:
            value = self._last_good_value(sig_id, document, problem)
            set_path_in_place(document, problem.path, value)
            changes.append((problem.path, value))
        return _loaded(
            self.store.apply(
                sig_id,
                changes,
                author=author,
                validate=normalise,
                kind="restore",
                note="put back the last good value",
            ),
            sig_id,
        )

    def _last_good_value(self, sig_id: str, document: dict[str, Any], problem: Problem) -> Any:
        """The newest value the field at the problem's path had that the model accepts there,
        else its blank (an empty optional field, empty text)."""
        if not problem.path:
            raise WorkspaceError(
                f"the saved plan of '{sig_id}' cannot be repaired field by field "
                f"({problem}): restore a whole revision with 'sigworkbook restore'"
            )
        row = _row_of(document, problem.path)
        for change in self.store.history(sig_id, path=problem.path, include_ancestors=True):
            earlier = self.store.plan_at(sig_id, change.revision)
            if row is not None:  # the same row, wherever it was then
                list_path, row_id, inner = row
                found = row_by_id(get_path(earlier, list_path, None), row_id)
                earlier, path = (found[1], inner) if found else ({}, inner)
            else:
                path = problem.path
            value = get_path(earlier, path, _ABSENT)
            if value is not _ABSENT and _accepted(document, problem.path, value):
                return value
        spec = field_spec(problem.path)
        for blank in (None, "") if spec.optional else ("",):
            if _accepted(document, problem.path, blank):
                return blank
        raise WorkspaceError(
            f"{problem}: no earlier value of it is good; restore it from its history"
        )

    def restore(
        self, sig_id: str, revision: int, *, path: str | None = None, author: str | None = None
    ) -> Loaded:
        """Make the plan (or only the field at `path`) as it was at `revision`, as a new change."""
        author = self._author(author)
        self._require(sig_id, Access.EDIT, "restore")
        current = self.store.revision(sig_id)
        if not 1 <= revision <= current:
            raise WorkspaceError(
                f"revision {revision} does not exist: '{sig_id}' has 1 to {current}"
            )
        old = self.store.plan_at(sig_id, revision)
        note = f"restored revision {revision}"
        if path:
            _check_writable(path)
            self._by_update_only(path)
            for kept, what in ((VOTING_ROUND, "dots are put"), (AGREEMENT, "answers are given")):
                if path == kept or path.startswith(kept + "."):
                    raise WorkspaceError(
                        f"{label(kept)}: {what} and taken back with the page's "
                        "buttons (going back here would take back other people's too)"
                    )
            try:
                value = get_path(old, path)
            except PathError:
                raise WorkspaceError(
                    f"{in_words(path)} did not exist at revision {revision}"
                ) from None
            row = _row_of(old, path)
            if row is not None:
                list_path, row_id, field = row
                try:
                    return self.set_in_row(
                        sig_id,
                        list_path,
                        row_id,
                        field,
                        value,
                        author=author,
                        kind="restore",
                        note=note,
                    )
                except WorkspaceError:
                    raise WorkspaceError(
                        f"{label(list_path)}: the row of {label(path)} at revision {revision}"
                        " has been removed since; nothing was restored"
                    ) from None
            return _loaded(
                self.store.apply(
                    sig_id,
                    [(path, value)],
                    author=author,
                    validate=normalise,
                    kind="restore",
                    note=note,
                )
            )
        return _loaded(
            self.store.replace(
                sig_id, old, author=author, validate=normalise, kind="restore", note=note
            )
        )


_ABSENT = object()


def _accepted(document: dict[str, Any], path: str, value: Any) -> bool:
    """Whether the model accepts `value` at `path` of `document` (other fields aside)."""
    trial = json.loads(json.dumps(document))
    try:
        set_path_in_place(trial, path, value)
        Plan.model_validate(trial)
    except PathError:
        return False
    except ValidationError as error:
        return not any(
            p.path == path or p.path.startswith(path + ".") for p in problems_from(error)
        )
    return True


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WorkspaceError(f"cannot create the workspace {folder}: {error.strerror}") from None


def _row_of(plan: dict[str, Any], path: str) -> tuple[str, str, str] | None:
    """For a path inside a table row of `plan`: the table's path, the row's id and the path
    within the row; None for a path in no row, or for a whole row."""
    split = split_row(parse_path(path))
    if split is None or not split[2]:
        return None
    table, index, inner = split
    row = get_path(plan, format_path((*table, index)), None)
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        return None
    return format_path(table), row["id"], format_path(inner)


def _check_writable(path: str) -> None:
    try:
        spec = field_spec(path)
    except PathError:
        raise PlanError([Problem(path, path, "is not a field of the plan")]) from None
    if path.split(".")[0] in READ_ONLY_FIELDS or path == "":
        raise PlanError([Problem(path, spec.label, "cannot be changed")])


def parse_cli_value(path: str, raw: str) -> Any:
    """A CLI value for the field at `path`: plain text for text fields, else JSON."""
    spec = field_spec(path)
    if spec.is_text:
        if raw.startswith('"'):
            try:
                decoded = json.loads(raw)
            except json.JSONDecodeError:
                return raw
            return decoded if isinstance(decoded, str) else raw
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        if spec.traits.bare_word:
            return raw
        raise PlanError(
            [Problem(path, spec.label, 'expects a JSON value, e.g. 42, true or ["a"]')]
        ) from None
