"""The `sigworkbook` command line: manage a workspace's SIG plans without opening the app."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sigworkbook import __version__, settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.identity import hub_user_name
from sigworkbook.plan.fields import field_spec, in_words
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.validation import PlanError, Problem
from sigworkbook.privacy import local_user
from sigworkbook.store import ROLES
from sigworkbook.workspace import UnreadablePlan, Workspace

MAX_IMPORT_BYTES = 5 * 1024 * 1024
AUTHOR_HELP = (
    "name recorded with your edits (default: $SIGWORKBOOK_AUTHOR, else your user name on "
    "this computer)"
)
WORKSPACE_HELP = "workspace folder (default: $SIGWORKBOOK_WORKSPACE, else ~/sigworkbook)"
DATABASE_HELP = (
    "keep plans in the database at this URL, e.g. postgresql://user@host/dbname "
    "(default: $SIGWORKBOOK_DATABASE, else the SQLite file in the workspace folder)"
)


class UserError(SigworkbookError):
    """A mistake in what the user asked for: reported as one line, exit status 2."""


Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _database(args: argparse.Namespace) -> str | None:
    """The database URL given with --database, else $SIGWORKBOOK_DATABASE, else None."""
    given: str | None = getattr(args, "database", None)
    return given or settings.DATABASE.read()


def _author(args: argparse.Namespace) -> str:
    """Who a command's edits are recorded under: --author, else $SIGWORKBOOK_AUTHOR, else this
    computer's user name (said so on standard error), so that no edit is by nobody."""
    given = " ".join(str(getattr(args, "author", None) or "").split())
    named = given or " ".join((settings.AUTHOR.read() or "").split())
    if named:
        return named
    user = local_user()
    print(
        f"Recorded as '{user}', your user name on this computer "
        "(--author NAME or $SIGWORKBOOK_AUTHOR records your own name).",
        file=sys.stderr,
    )
    return user


def _open(args: argparse.Namespace, *, create: bool = False) -> Workspace:
    return Workspace.open(args.workspace, create=create, database=_database(args))


def cmd_init(args: argparse.Namespace) -> int:
    with _open(args, create=True) as workspace:
        print(f"Workspace ready at {workspace.root}")
        if _database(args) is not None:
            print(f"Plans are kept in the database {workspace.location}")
        if args.demo:
            from sigworkbook.demo import add_demo

            loaded = add_demo(workspace, author=_author(args))
            name, sig_id = loaded.plan.identity.name, loaded.plan.id
            if loaded.changed:
                print(f"Demo SIG '{name}' created with id {sig_id}")
            else:
                print(
                    f"Demo SIG '{name}' is already there with id {sig_id}"
                    f" (revision {loaded.revision}): left as it is"
                )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        loaded = workspace.new_sig(args.name, author=_author(args))
    print(loaded.plan.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        closed = workspace.closed_sigs()
        for sig_id in workspace.sig_ids():
            line = f"{sig_id}\t{workspace.title(sig_id)}\trevision {workspace.revision(sig_id)}"
            if sig_id in closed:
                line += "\tclosed"
            try:
                workspace.load(sig_id)
            except UnreadablePlan:
                line += f"\tneeds repair: sigworkbook repair {sig_id}"
            print(line)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        loaded = workspace.load(args.sig)
        if args.json:
            from sigworkbook.exports import plan_json, shareable

            print(plan_json(shareable(loaded.plan).model_dump(mode="json")), end="")
            return 0
        checks = workspace.check(args.sig)
    plan = loaded.plan
    print(f"{plan.identity.name or '(no name yet)'}  [{plan.id}, revision {loaded.revision}]")
    if plan.identity.description:
        print(plan.identity.description)
    for step in STEPS:
        result = checks[step.key]
        mark = "done" if result.complete else f"{len(result.gaps)} to do"
        print(f"  {step.label:<32} {round(result.progress * 100):>3}%  {mark}")
    return 0


STDIN_VALUE = "-"
"""`set SIG FIELD -` reads the value from standard input."""


def _value_from_stdin() -> str:
    """All of standard input as text, without the line break that ends a file."""
    stream = sys.stdin
    if stream is None:
        raise UserError("VALUE is '-' but there is no standard input to read it from")
    if stream.isatty():
        print("Type the value; end it with Ctrl-D on a line of its own.", file=sys.stderr)
    buffer = getattr(stream, "buffer", None)
    data = buffer.read(MAX_IMPORT_BYTES + 1) if buffer is not None else stream.read().encode()
    if len(data) > MAX_IMPORT_BYTES:
        raise UserError(f"standard input: more than {MAX_IMPORT_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"standard input is not UTF-8 text (unreadable byte at position {error.start})"
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


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


def cmd_set(args: argparse.Namespace) -> int:
    raw = _value_from_stdin() if args.value == STDIN_VALUE else args.value
    with _open(args) as workspace:
        value = parse_cli_value(args.field, raw)
        loaded = workspace.set(args.sig, args.field, value, author=_author(args))
    if loaded.changed:
        print(f"{args.sig}: {args.field} saved (revision {loaded.revision})")
    else:
        print(f"{args.sig}: {args.field} already had that value (still revision {loaded.revision})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        checks = workspace.check(args.sig)
    gaps = 0
    for step in STEPS:
        result = checks[step.key]
        if result.gaps:
            print(f"{step.label}:")
            for gap in result.gaps:
                print(f"  - {gap}")
            gaps += len(result.gaps)
    print(f"{gaps} gap{'' if gaps == 1 else 's'}" if gaps else "No gaps: every step is complete.")
    return 1 if gaps and args.strict else 0


def _path_argument(option: str, raw: str) -> Path:
    """A file or folder named on the command line; a NUL cannot be part of a path."""
    if "\x00" in raw:
        raise UserError(f"{option}: the path contains a NUL character")
    return Path(raw)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def cmd_export(args: argparse.Namespace) -> int:
    from sigworkbook import exports
    from sigworkbook.files import write_atomic

    with _open(args) as workspace:
        loaded = workspace.load(args.sig)
    options: dict[str, Any] = {"revision": loaded.revision, "templates": args.templates}
    try:
        if args.all:
            if args.output is None or str(args.output) == "-":
                raise UserError("--all writes several files: name a folder with -o DIR")
            folder = _path_argument("-o", args.output)
            for path in exports.write_all(loaded.plan, folder, **options):
                print(f"Wrote {path}")
            return 0
        data = exports.render(args.format, loaded.plan, **options)
    except exports.ExportError as error:
        raise UserError(str(error)) from None
    if args.output is None or str(args.output) == "-":
        if exports.FORMATS[args.format].binary and _stdout_is_terminal():
            raise UserError(f"--format {args.format} writes a file, not text: name it with -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(_path_argument("-o", args.output), data)
        print(f"Wrote {args.output}")
    return 0


def _read_json_file(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror})") from None
    if size > MAX_IMPORT_BYTES:
        raise UserError(
            f"{path}: {size // 1024} KiB is larger than a plan can be ({MAX_IMPORT_BYTES // 1024} KiB)"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None


def cmd_import(args: argparse.Namespace) -> int:
    document = _read_json_file(_path_argument("FILE", args.file))
    with _open(args) as workspace:
        loaded = workspace.import_plan(document, replace=args.replace, author=_author(args))
    print(f"Imported '{loaded.plan.id}' (revision {loaded.revision})")
    return 0


def _short(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        changes = workspace.history(args.sig, path=args.field)
    for change in changes:
        when = change.at.strftime("%Y-%m-%d %H:%M:%S")
        who = change.author or "(unnamed)"  # an edit saved before names were asked for
        what = change.path or "(whole plan)"
        value = change.note or _short(change.value) if change.path else change.note or change.kind
        print(f"{change.revision:>6}  {when}  {who:<16} {change.kind:<8} {what}  {value}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        loaded = workspace.restore(args.sig, args.revision, path=args.field, author=_author(args))
    what = args.field or "the plan"
    if loaded.changed:
        print(f"Restored {what} to revision {args.revision} (now revision {loaded.revision})")
    else:
        print(
            f"{args.field or 'The plan'} is already as it was at revision {args.revision}:"
            " nothing changed"
            f" (still revision {loaded.revision})"
        )
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        before = workspace.revision(args.sig)
        loaded = workspace.repair(args.sig, author=_author(args))
        put_back = workspace.history(args.sig, limit=loaded.revision - before)
    if not loaded.changed:
        print(f"Every field of {args.sig} is good: nothing changed (still revision {before})")
        return 0
    for change in reversed(put_back):
        print(f"Put back {in_words(change.path)}: {_short(change.value)}")
    print(f"Now revision {loaded.revision}")
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    """List a SIG's members, or add (with a role) or remove one: the operator's tool."""
    if args.action is not None and not args.user:
        raise UserError(f"'{args.action}' needs the hub user name, e.g. members SIG add alice")
    if args.action == "add" and args.role is None:
        raise UserError("'add' needs --role owner, editor or viewer")
    if args.action != "add" and args.role is not None:
        raise UserError("--role goes with 'add'")
    if args.action is None and args.user:
        raise UserError(f"'{args.user}': say add or remove before the user name")
    with _open(args) as workspace:
        if args.action == "add":
            user = workspace.set_member(args.sig, args.user, args.role)
            print(f"{user} is now {args.role} of {args.sig}")
        elif args.action == "remove":
            user = hub_user_name(args.user)
            if user not in {m.user for m in workspace.members(args.sig)}:
                raise UserError(f"{user} is not a member of {args.sig}")
            workspace.set_member(args.sig, user, None)
            print(f"{user} is no longer a member of {args.sig}")
        else:
            workspace.load(args.sig)  # a SIG that does not exist is an error, not an empty list
            members = workspace.members(args.sig)
            if not members:
                print(f"{args.sig} has no members yet: on a hub only the network team sees it")
            for member in members:
                print(f"{member.user}\t{member.role}")
    return 0


def _confirmed(question: str, expected: str, given: str | None, option: str) -> None:
    """Go on only if `given` (an option) or what the user types at the terminal is `expected`."""
    from sigworkbook.plan.people import person_key

    if given is None:
        if not sys.stdin.isatty():
            raise UserError(f"nothing was changed: confirm with {option} (no terminal to ask on)")
        print(question, file=sys.stderr)
        try:
            given = input(f"Type {expected} to go on: ")
        except EOFError:
            given = ""
    if person_key(given) != person_key(expected):
        raise UserError("not confirmed: nothing was changed")


def cmd_person(args: argparse.Namespace) -> int:
    """Find everything held about a person (a copy for them), or erase them everywhere."""
    from sigworkbook import privacy

    if args.yes and not args.erase:
        raise UserError("--yes goes with --erase")
    with _open(args) as workspace:
        also = args.also or []
        places = workspace.find_person(args.name, also=also)
        if not args.erase:
            if args.json:
                print(privacy.dumps(privacy.as_json(args.name, places)), end="")
            else:
                print(privacy.as_text(args.name, places), end="")
            return 0
        if not places:
            print(f"Nothing about {args.name} is held here: nothing to erase")
            return 0
        _confirmed(
            privacy.erasure_summary(args.name, places), "yes", "yes" if args.yes else None, "--yes"
        )
        erasure = workspace.erase_person(args.name, also=also)
    print(
        f"Erased: {erasure.places} places in {_count(erasure.sigs, 'SIG')} now say "
        f"'{erasure.placeholder}' (erasure {erasure.number})"
    )
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        workspace.close_sig(args.sig, closed=not args.reopen)
    print(f"{args.sig} is {'open again' if args.reopen else 'closed: kept, read-only'}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with _open(args) as workspace:
        plan = workspace.load(args.sig).plan
        name = plan.identity.name or args.sig
        question = (
            f"Deleting {name} ({args.sig}) removes its plan, its whole history, its members, "
            "its listing submissions and its exports folder for good."
        )
        typed = args.confirm
        if typed is None:
            _confirmed(question, name, None, "--confirm NAME")
            typed = name
        workspace.delete_sig(args.sig, typed=typed)
    print(f"{args.sig} is deleted")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    days = settings.RETENTION_DAYS.read()
    with _open(args) as workspace:
        past = workspace.past_retention()
    if days is None:
        print("No retention period is set (retention_days): SIGs are kept until deleted")
        return 0
    for sig_id in past:
        print(f"{sig_id}	not changed for more than {days} days")
    return 1 if past else 0


def _target_url(raw: str) -> str:
    """--to: a database URL, or the path of an SQLite file."""
    from sigworkbook.store import database_url

    if "://" in raw:
        return raw
    return database_url(_path_argument("--to", raw).expanduser())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def cmd_migrate(args: argparse.Namespace) -> int:
    from sigworkbook.store import open_store
    from sigworkbook.store.migrate import copy_all

    url = _target_url(args.to)
    with _open(args) as workspace, open_store(url, create=True) as target:
        if target.location == workspace.location:
            raise UserError("--to names the database the workspace already uses")
        copied = copy_all(workspace.store, target)
        source, where = workspace.location, target.location
    print(
        f"Copied {_count(copied.sigs, 'SIG')} ({_count(copied.revisions, 'revision')}) "
        f"from {source} to {where}"
    )
    print("Checked: every SIG's plan is the same in both databases at every revision.")
    return 0


def _read_list_file(path: Path) -> bytes:
    """The bytes of a list file (.xlsx or CSV) named on the command line, if not too large."""
    from sigworkbook.lists.reading import MAX_BYTES

    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UserError(
            f"{path}: the file is {size // 1_000_000} MB; at most {MAX_BYTES // 1_000_000} MB"
        )
    return path.read_bytes()


def cmd_directory(args: argparse.Namespace) -> int:
    from sigworkbook.lists.members import describe, directory_index, found_in, read_directory
    from sigworkbook.lists.reading import RecordsError

    path = _path_argument("FILE", args.file)
    try:
        people = read_directory(_read_list_file(path))
    except RecordsError as error:
        raise UserError(f"{path}: {error}") from None
    terms = [term for text in args.terms for term in text.split(";") if term.strip()]
    matches = directory_index(people).search(terms, limit=args.limit)
    if not matches:
        print(f"Nobody in {path} matches {', '.join(args.terms)}", file=sys.stderr)
        return 1
    width = len(str(len(matches)))
    for number, match in enumerate(matches, start=1):
        line = f"{number:>{width}}. {describe(match.record)}: found {found_in(match)}"
        # One line per person, whatever the cells hold: no line breaks, no terminal controls.
        print("".join(char for char in " ".join(line.split()) if char.isprintable()))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from sigworkbook.plan.schema import plan_schema

    print(json.dumps(plan_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from sigworkbook.app.serve import serve
    from sigworkbook.app.voila_config import MAX_PREHEAT
    from sigworkbook.workspace import resolve

    if args.preheat is not None and not 0 <= args.preheat <= MAX_PREHEAT:
        raise UserError(f"--preheat: {args.preheat} is not between 0 and {MAX_PREHEAT}")
    with _open(args, create=True):
        pass
    database = _database(args)
    if database is not None:
        os.environ[settings.DATABASE.env] = database  # the page kernels inherit it; never printed
    if args.templates is not None:
        if not args.templates.is_dir():
            raise UserError(f"--templates: {args.templates} is not a folder")
        os.environ[settings.TEMPLATES.env] = str(args.templates.resolve())
    return serve(
        resolve(args.workspace),
        port=args.port,
        host=args.host,
        open_browser=not args.no_browser,
        sig=args.sig,
        preheat=args.preheat,
        base_url=args.base_url,
        hub=args.hub,
    )


def cmd_hub_config(args: argparse.Namespace) -> int:
    from sigworkbook.app.hub import hub_config

    database = _database(args)
    if not database:
        raise UserError("--database: the URL of the database every user's server shares")
    try:
        print(hub_config(database, args.network_group), end="")
    except ValueError as error:
        raise UserError(str(error)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every verb and option."""
    parser = _Parser(
        prog="sigworkbook",
        description="Plan a special interest group: a workbook for its core group.",
    )
    parser.add_argument("--version", action="version", version=f"sigworkbook {__version__}")
    parser.add_argument("--workspace", type=Path, metavar="DIR", help=WORKSPACE_HELP)
    parser.add_argument("--author", help=AUTHOR_HELP)
    parser.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    # The verbs that open a workspace take --workspace and --author after the verb too. SUPPRESS
    # leaves the one given before the verb in place when there is none after it; when both are
    # given, the later one (after the verb) wins.
    workspace_option = _Parser(add_help=False)
    workspace_option.add_argument(
        "--workspace", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=WORKSPACE_HELP
    )
    workspace_option.add_argument("--author", default=argparse.SUPPRESS, help=AUTHOR_HELP)
    workspace_option.add_argument(
        "--database", default=argparse.SUPPRESS, metavar="URL", help=DATABASE_HELP
    )

    def verb(
        name: str, handler: Handler, help: str, *, workspace: bool = True
    ) -> argparse.ArgumentParser:
        parents = [workspace_option] if workspace else []
        sub = verbs.add_parser(name, help=help, description=help, parents=parents)
        sub.set_defaults(handler=handler)
        return sub

    verb("init", cmd_init, "create the workspace").add_argument(
        "--demo", action="store_true", help="also add a demo SIG filled with example content"
    )
    verb("new", cmd_new, "create a SIG and print its id").add_argument("name")
    verb("list", cmd_list, "list the SIGs in the workspace")
    show = verb("show", cmd_show, "show a SIG's name and progress")
    show.add_argument("sig")
    show.add_argument("--json", action="store_true", help="print the whole plan as JSON")
    set_ = verb("set", cmd_set, "set one field by its dotted path, e.g. identity.name")
    set_.add_argument("sig")
    set_.add_argument("field")
    set_.add_argument(
        "value",
        help="plain text for text fields, else a JSON value; - reads it from standard input "
        "(e.g. a long invitation from a file: ... statement.invitation - < invitation.txt)",
    )
    check = verb("check", cmd_check, "list what is still missing, step by step")
    check.add_argument("sig")
    check.add_argument("--strict", action="store_true", help="exit 1 when there are gaps")
    export = verb("export", cmd_export, "write a SIG's plan or documents")
    export.add_argument("sig")
    export.add_argument(
        "--format",
        default="json",
        help="json, markdown (the charter), docx (the charter in Word), listing, listing-docx, "
        "invitation, invitation-eml (a draft e-mail), ics, schedule-csv, promotion, promotion-csv",
    )
    export.add_argument("--all", action="store_true", help="write every document into -o DIR")
    export.add_argument("-o", "--output", help="file (or folder, with --all); default: stdout")
    export.add_argument(
        "--templates", type=Path, help="your own template folder (default: $SIGWORKBOOK_TEMPLATES)"
    )
    import_ = verb("import", cmd_import, "read a plan written by 'export --format json'")
    import_.add_argument("file")
    import_.add_argument(
        "--replace", action="store_true", help="make the file a new revision of an existing SIG"
    )
    history = verb("history", cmd_history, "list a SIG's revisions, newest first")
    history.add_argument("sig")
    history.add_argument("--field", help="only the changes to this field")
    restore = verb("restore", cmd_restore, "restore a SIG (or one field) to a revision")
    restore.add_argument("sig")
    restore.add_argument("revision", type=int)
    restore.add_argument("--field", help="restore only this field")
    repair = verb(
        "repair",
        cmd_repair,
        "put back the last good value of every field a SIG's saved plan holds wrongly",
    )
    repair.add_argument("sig")
    members = verb(
        "members",
        cmd_members,
        "list who may see and edit a SIG on a hub, or add or remove one of them",
    )
    members.add_argument("sig")
    members.add_argument("action", nargs="?", choices=("add", "remove"))
    members.add_argument("user", nargs="?", metavar="USER", help="their hub user name")
    members.add_argument(
        "--role",
        choices=ROLES,
        help="with add: owner (convener: edits and manages members), editor (edits), "
        "viewer (reads)",
    )
    person = verb(
        "person",
        cmd_person,
        "show everything held about a person (name or contact, any case, also in free text) in "
        "every SIG and revision, or erase them everywhere",
    )
    person.add_argument("name", metavar="NAME", help="their name, or their contact")
    person.add_argument(
        "--also",
        action="append",
        metavar="TEXT",
        help="another spelling, nickname or contact of theirs, treated as them (repeatable)",
    )
    person.add_argument("--json", action="store_true", help="the report as JSON")
    person.add_argument(
        "--erase",
        action="store_true",
        help="replace their name and contact by a placeholder everywhere, every revision "
        "included (asks first)",
    )
    person.add_argument("--yes", action="store_true", help="with --erase: do not ask")
    close = verb("close", cmd_close, "close a SIG: kept and listed, but read-only")
    close.add_argument("sig")
    close.add_argument("--reopen", action="store_true", help="open a closed SIG again")
    delete = verb(
        "delete",
        cmd_delete,
        "delete a SIG for good: plan, history, members, listing submissions, exports folder",
    )
    delete.add_argument("sig")
    delete.add_argument(
        "--confirm", metavar="NAME", help="the SIG's name, typed to confirm (else asked for)"
    )
    verb(
        "retention",
        cmd_retention,
        "list the SIGs nobody changed for longer than retention_days (exit 1 if any)",
    )
    verb(
        "migrate",
        cmd_migrate,
        "copy every SIG with its whole history into an empty database, and check the copy",
    ).add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the database to copy into: postgresql://... or sqlite:///path, or an SQLite file",
    )
    directory = verb(
        "directory",
        cmd_directory,
        "search a member directory (.xlsx or CSV with the columns name, organisation and "
        "interests) and print the people who match, best first, and where each matched; "
        "exit 1 when nobody does",
        workspace=False,
    )
    directory.add_argument("file", metavar="FILE")
    directory.add_argument(
        "terms", metavar="TERMS", nargs="+", help="what to look for in interests and role"
    )
    directory.add_argument(
        "--limit", type=int, default=25, metavar="N", help="print at most N people (default 25)"
    )
    verb("schema", cmd_schema, "print the JSON Schema of a plan", workspace=False)
    serve = verb("serve", cmd_serve, "run the workbook as a web app")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--no-browser", action="store_true")
    serve.add_argument("--sig", help="open this SIG's start page")
    serve.add_argument(
        "--templates", type=Path, help="your own export template folder for the review page"
    )
    from sigworkbook.app.serve import (
        add_host_argument,
        add_hosting_arguments,
        add_preheat_argument,
    )

    add_host_argument(serve)
    add_preheat_argument(serve)
    add_hosting_arguments(serve)
    hub = verb(
        "hub-config",
        cmd_hub_config,
        "print a jupyterhub_config.py that serves the workbook to every user of a JupyterHub",
        workspace=False,
    )
    hub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help=DATABASE_HELP)
    hub.add_argument(
        "--network-group",
        default=settings.NETWORK_GROUP.default,
        metavar="NAME",
        help="the hub group of the network team, who see every SIG "
        f"(default {settings.NETWORK_GROUP.default})",
    )
    return parser


@contextlib.contextmanager
def _operator_log_quiet() -> Iterator[None]:
    """While a command runs, the operator's log of lookups, erasures and deletions (meant for
    a server's log) says only warnings: the command's own output tells its user what it did."""
    from sigworkbook import privacy
    from sigworkbook.hosting.access import log_to_server

    log_to_server(privacy.log)
    level = privacy.log.level
    privacy.log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        privacy.log.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; user errors print one line on stderr and return 2."""
    args = build_parser().parse_args(argv)
    try:
        handler: Handler = args.handler
        with _operator_log_quiet():
            return handler(args)
    except SigworkbookError as error:
        print(f"sigworkbook {args.verb}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        name = f" {error.filename}" if error.filename else ""
        print(f"sigworkbook {args.verb}:{name}: {error.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
