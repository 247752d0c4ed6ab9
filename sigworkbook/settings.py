"""Every setting in one place: its name, default and help, read from the command line, the
environment or the workspace's ``sigworkbook.toml``, in that order of precedence."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from sigworkbook.errors import SigworkbookError

T = TypeVar("T")

log = logging.getLogger(__name__)

CONFIG_FILE: Final = "sigworkbook.toml"
"""The optional settings file in the workspace folder: ``name = value`` lines (TOML)."""


class SettingError(SigworkbookError, ValueError):
    """A setting with a value that cannot be used; the message names the setting."""


def _seconds_or_off(high: float) -> Callable[[str], float]:
    """Seconds up to `high`, or 0 for "never"."""
    some = _seconds(0, high)

    def parse(raw: str) -> float:
        return 0.0 if raw.strip() in ("0", "0.0") else some(raw)

    return parse


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            seconds = float(raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a number of seconds") from None
        if not low < seconds <= high:
            raise ValueError(f"{raw} is not between {low:g} and {high:g} seconds")
        return seconds

    return parse


def _whole_seconds(raw: str) -> int:
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number of seconds") from None
    if seconds <= 0:
        raise ValueError(f"must be a positive number of seconds, not {seconds}")
    return seconds


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"{number} is not between {low} and {high}")
        return number

    return parse


def _text(raw: str) -> str:
    return raw.strip()


def _folder(raw: str) -> Path:
    return Path(raw.strip()).expanduser()


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: where it is read from, what it means and its value when nothing sets it."""

    name: str
    env: str
    default: T
    help: str
    parse: Callable[[str], T]
    secret: bool = False
    """Never shown: not in the docs' defaults, messages or logs."""
    environment_only: bool = False
    """Read only from the environment (who is logged in is the hub's to say, not a file's)."""

    def read(self, environ: Mapping[str, str] | None = None) -> T:
        """The value from the environment, else the workspace's settings file (read once, and
        again only when it changes: `_from_file`), else the default."""
        environ = os.environ if environ is None else environ
        raw = environ.get(self.env, "").strip()
        if not raw and self.environment_only:
            return self.default
        if not raw:
            values = _from_file(environ)
            return values.get(self.name, self.default)  # type: ignore[no-any-return]
        return self.parse_from(raw, f"${self.env}")

    def parse_from(self, raw: str, where: str) -> T:
        """`raw` as this setting's value; SettingError naming `where` it came from."""
        try:
            return self.parse(raw.strip())
        except ValueError as error:
            shown = "the value given" if self.secret else str(error)
            raise SettingError(f"{where}: {shown}") from None


@dataclass(frozen=True)
class _FileSettings:
    """One version of a workspace's settings file, read and checked whole."""

    stamp: tuple[int, int, int] | None
    """(modification time in ns, size, inode); None when there is no file."""
    values: Mapping[str, Any]
    """Each setting the file sets, parsed to its type."""


_files: dict[Path, _FileSettings] = {}
_files_lock = threading.Lock()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise SettingError(f"cannot read {path}: {error.strerror}") from None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def _from_file(environ: Mapping[str, str]) -> Mapping[str, Any]:
    """The settings in the workspace's sigworkbook.toml, parsed ({} when there is none).

    Read once per process and again only when the file changes (its time, size or inode). An
    invalid file stops the first read of it (a command, a page or the server as it starts,
    before any widget callback) with one SettingError naming the file and the setting; a file
    that turns invalid while a process runs is said once in the log, and the settings it held
    before are kept."""
    folder = environ.get(WORKSPACE.env, "").strip() or str(WORKSPACE.default)
    path = Path(folder).expanduser() / CONFIG_FILE
    stamp = _stamp(path)
    with _files_lock:
        known = _files.get(path)
        if known is not None and known.stamp == stamp:
            return known.values
        values: Mapping[str, Any]
        try:
            values = _load(path) if stamp is not None else {}
        except SettingError as error:
            if known is None:
                raise
            log.error("%s; the settings it held before are kept until it is put right", error)
            values = known.values
        _files[path] = _FileSettings(stamp, values)
        return values


def _load(path: Path) -> dict[str, Any]:
    """Every setting in the file at `path`, parsed; SettingError for the first thing wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as error:
        raise SettingError(f"cannot read {path}: {error.strerror}") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingError(f"{path} is not valid TOML: {error}") from None
    from_hub = [s for s in ALL if s.environment_only and s.name in values]
    if from_hub:
        raise SettingError(
            f"{path}: {from_hub[0].name} can be set only in the environment "
            f"(${from_hub[0].env}, which the hub sets), not in a file"
        )
    unknown = sorted(set(values) - {s.name for s in ALL if s.name != WORKSPACE.name})
    if unknown:
        raise SettingError(f"{path}: {', '.join(unknown)} is not a setting (see docs/settings.md)")
    by_name = {s.name: s for s in ALL}
    return {
        name: by_name[name].parse_from(str(raw), f"{CONFIG_FILE}: {name}")
        for name, raw in values.items()
    }


WORKSPACE: Final = Setting(
    "workspace",
    "SIGWORKBOOK_WORKSPACE",
    Path("~/sigworkbook"),
    "The workspace folder: the SQLite database (unless `database` is set), exports, settings. "
    "Also `--workspace`.",
    _folder,
)
DATABASE: Final = Setting[str | None](
    "database",
    "SIGWORKBOOK_DATABASE",
    None,
    "The database URL where plans are kept (`sqlite:///path`); unset: the SQLite file in the "
    "workspace. Also `--database`. A password in it is never shown.",
    _text,
    secret=True,
)
BUSY_TIMEOUT: Final = Setting(
    "busy_timeout",
    "SIGWORKBOOK_BUSY_TIMEOUT",
    30.0,
    "Seconds a save waits for another program's lock on the database before saying it is busy.",
    _seconds(0, 3600),
)
TEMPLATES: Final = Setting[Path | None](
    "templates",
    "SIGWORKBOOK_TEMPLATES",
    None,
    "An organisation's folder of export templates that replace the packaged ones file by file. "
    "Also `--templates`.",
    _folder,
)
CATALOGUES: Final = Setting[Path | None](
    "catalogues",
    "SIGWORKBOOK_CATALOGUES",
    None,
    "A catalogues file (roles, activity types, channels...) to use instead of the packaged one; "
    "a `catalogues.toml` in the workspace folder does the same.",
    _folder,
)
TOKEN: Final = Setting[str | None](
    "token",
    "SIGWORKBOOK_TOKEN",
    None,
    "The access token visitors need when the app is served on an address other machines can "
    "reach; unset: a new random one each start.",
    _text,
    secret=True,
)
CULL_IDLE_TIMEOUT: Final = Setting(
    "cull_idle_timeout",
    "SIGWORKBOOK_CULL_IDLE_TIMEOUT",
    600,
    "Seconds after which the kernel of a page that is gone (closed laptop, lost network) is "
    "shut down.",
    _whole_seconds,
)
QUIET_KERNEL_TIMEOUT: Final = Setting(
    "quiet_kernel_timeout",
    "SIGWORKBOOK_QUIET_KERNEL_TIMEOUT",
    4 * 3600,
    "Seconds after which the kernel of a page that is still open but has sent nothing (no "
    "typing, no click) is shut down; hours, since a meeting's page can sit quiet while people "
    "talk.",
    _whole_seconds,
)
KERNELS_PER_SERVER: Final = Setting(
    "kernels_per_server",
    "SIGWORKBOOK_KERNELS_PER_SERVER",
    40,
    "Most pages (each a kernel of about 100 MB) open at once on this server, for everyone "
    'together; one more gets a "too many open pages" answer. Pre-heated kernels waiting '
    "for a visitor are not counted.",
    _count(1, 10_000),
)
KERNELS_PER_VISITOR: Final = Setting(
    "kernels_per_visitor",
    "SIGWORKBOOK_KERNELS_PER_VISITOR",
    16,
    "Most pages open at once for one visitor (one address; when hosted, the hub user).",
    _count(1, 10_000),
)
PAGE_LOADS_PER_MINUTE: Final = Setting(
    "page_loads_per_minute",
    "SIGWORKBOOK_PAGE_LOADS_PER_MINUTE",
    30,
    "Most pages one visitor may open (or reload) in a minute.",
    _count(1, 100_000),
)
KERNEL_MEMORY_MB: Final = Setting(
    "kernel_memory_mb",
    "SIGWORKBOOK_KERNEL_MEMORY_MB",
    2048,
    "Most address space (RLIMIT_AS, in MB) one page's kernel may use; a kernel that needs "
    "more stops alone and its page says so. Linux only.",
    _count(256, 1_000_000),
)
MESSAGE_LIMIT_MB: Final = Setting(
    "message_limit_mb",
    "SIGWORKBOOK_MESSAGE_LIMIT_MB",
    6,
    "Largest message (in MB) a page may send its kernel; a larger one closes that page's "
    "connection. Keep it above the 5 MB of an uploaded list and below 10.",
    _count(1, 10),
)
SAVE_DELAY: Final = Setting(
    "save_delay",
    "SIGWORKBOOK_SAVE_DELAY",
    0.4,
    "Seconds of quiet typing after which a field is saved.",
    _seconds(0, 10),
)
PRESENCE_INTERVAL: Final = Setting(
    "presence_interval",
    "SIGWORKBOOK_PRESENCE_INTERVAL",
    2.0,
    "Seconds between two check-ins of an open page, so others see who is here.",
    _seconds(0, 60),
)
BUILD_AHEAD: Final = Setting(
    "build_ahead",
    "SIGWORKBOOK_BUILD_AHEAD",
    0.5,
    "Seconds between two steps the app page builds ahead, while nobody types, once the page "
    "is on screen (so that moving to them later is instant); 0 builds a step only when it is "
    "opened, and during a meeting the group's next step.",
    _seconds_or_off(60),
)
POLL_INTERVAL: Final = Setting(
    "poll_interval",
    "SIGWORKBOOK_POLL_INTERVAL",
    0.25,
    "Seconds between two looks for others' edits, where the database cannot notify (SQLite).",
    _seconds(0, 60),
)
SIG: Final = Setting[str | None](
    "sig",
    "SIGWORKBOOK_SIG",
    None,
    "The SIG a page opens when its link names none (in JupyterLab, where pages have no link).",
    _text,
)
AUTHOR: Final = Setting[str | None](
    "author",
    "SIGWORKBOOK_AUTHOR",
    None,
    "The name edits are recorded under when a page's link names nobody, and the command "
    "line's edits (there `--author` comes first, and without either the computer's user name).",
    _text,
)
HUB_USER: Final = Setting[str | None](
    "hub_user",
    "JUPYTERHUB_USER",
    None,
    "The hub user this server belongs to (JupyterHub sets it): when set, the workbook runs in "
    "hosted mode, records every edit under this name and shows each user only their SIGs. "
    "Environment only.",
    _text,
    environment_only=True,
)
USER_DISPLAY_NAME: Final = Setting[str | None](
    "user_display_name",
    "SIGWORKBOOK_USER_DISPLAY_NAME",
    None,
    "In hosted mode, the hub user's name as people read it, where the login provides one. "
    "Environment only.",
    _text,
    environment_only=True,
)
USER_GROUPS: Final = Setting[str | None](
    "user_groups",
    "SIGWORKBOOK_USER_GROUPS",
    None,
    "In hosted mode, the hub groups of the user, separated by commas. Environment only.",
    _text,
    environment_only=True,
)
NETWORK_GROUP: Final = Setting(
    "network_group",
    "SIGWORKBOOK_NETWORK_GROUP",
    "sigworkbook-network",
    "The hub group of the network team: its members see every SIG (read only unless they are "
    "also members of it) and the network page.",
    _text,
)


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"'{raw}' is not a date such as 2027-01-05") from None


TODAY: Final = Setting[dt.date | None](
    "today",
    "SIGWORKBOOK_TODAY",
    None,
    "A date (2027-01-05) the checks take as today, so dates before it count as passed: for "
    "tests and rehearsals with fixed dates. Unset: the real date.",
    _date,
)

LANGUAGE: Final = Setting(
    "language",
    "SIGWORKBOOK_LANG",
    "en-GB",
    "The language tag the pages tell the browser (`<html lang>`): spelling, screen readers and "
    "date formats follow it.",
    _text,
)


def _days(raw: str) -> int | None:
    if raw.lower() in ("", "none"):
        return None
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number of days (or 'none')") from None
    if days <= 0:
        raise ValueError(f"must be a positive number of days, not {days}")
    return days


RETENTION_DAYS: Final = Setting[int | None](
    "retention_days",
    "SIGWORKBOOK_RETENTION_DAYS",
    None,
    "Days a SIG nobody changed may be kept; the network team's page and `sigworkbook retention` "
    "list the SIGs past it, for their owners to close or delete. Unset or `none`: no limit.",
    _days,
)
PRIVACY_NOTICE: Final = Setting[str | None](
    "privacy_notice",
    "SIGWORKBOOK_PRIVACY_NOTICE",
    None,
    'The "How your information is used" link on the start page: the web address '
    "(https://...) of the organisation's own privacy notice, or a Markdown file (a path, "
    "relative to the workspace folder or absolute) shown instead of the notice that comes with "
    "sigworkbook. Unset: that notice.",
    _text,
)


ALL: Final[tuple[Setting[Any], ...]] = (
    WORKSPACE,
    DATABASE,
    BUSY_TIMEOUT,
    TEMPLATES,
    CATALOGUES,
    TOKEN,
    CULL_IDLE_TIMEOUT,
    QUIET_KERNEL_TIMEOUT,
    KERNELS_PER_SERVER,
    KERNELS_PER_VISITOR,
    PAGE_LOADS_PER_MINUTE,
    KERNEL_MEMORY_MB,
    MESSAGE_LIMIT_MB,
    SAVE_DELAY,
    PRESENCE_INTERVAL,
    BUILD_AHEAD,
    POLL_INTERVAL,
    SIG,
    AUTHOR,
    LANGUAGE,
    TODAY,
    HUB_USER,
    USER_DISPLAY_NAME,
    USER_GROUPS,
    NETWORK_GROUP,
    RETENTION_DAYS,
    PRIVACY_NOTICE,
)
"""Every setting, in the order docs/settings.md lists them."""


def reference() -> str:
    """The Markdown table of every setting, as docs/settings.md holds it."""
    lines = [
        "| setting | environment variable | default | what it does |",
        "| --- | --- | --- | --- |",
    ]
    for setting in ALL:
        default = "(unset)" if setting.default is None or setting.secret else f"`{setting.default}`"
        lines.append(f"| `{setting.name}` | `{setting.env}` | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"
