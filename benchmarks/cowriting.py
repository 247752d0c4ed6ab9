"""Figure 18: people type into one field at once (issue 19): from a writer's pause to their
words in every other box, and no word lost, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from benchmarks import postgres
from benchmarks.browser import Chromium
from benchmarks.meeting import Person, meeting, settle
from benchmarks.pages import wait_pool_heated
from benchmarks.processes import Server, listening, serve_command
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, percentile
from benchmarks.workspaces import demo_workspace
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.paths import get_path
from sigworkbook.settings import DATABASE
from sigworkbook.workspace import Workspace

NUMBER = 18
TITLE = "Co-writing: a writer's pause to their words in the other boxes, and words lost"
STEP = "charter"
PATH = "charter.purpose"
"""The field everyone types in: the charter's "What are we trying to do?"."""
START_TEXT = "We help people get home."
"""The field's text when a run starts (set in the store before the pages open)."""
PREFIXES = ("ana", "ben", "cai", "dev", "eve")
"""Writer n types the words PREFIX001, PREFIX002, ... (fixed width: no word is the start of
another, so a word half-typed is never taken for a whole one)."""
CHARS_PER_S = 5.0
PHRASE_WORDS = (1, 3)
"""Words in a phrase (between two pauses), chosen at random in this range."""
PAUSE_S = (1.0, 2.5)
"""A writer's pause between two phrases, chosen at random in this range."""
START_SPREAD_S = 1.0
"""The writers start at random moments within this long of each other."""
LEAD_S = 0.5
"""The first key is planned this long after the schedule is made."""
P95_TARGET_S = 1.0
SETTLE_MS = 30_000
"""After the last key: the longest wait for every word to be on every screen and in the store."""

WATCH = """(box) => {
  window.__benchBox = box;
  window.__benchSeen = {};
  const look = () => {
    const now = Date.now();
    for (const word of (box.value.match(/\\b[a-z]{3}[0-9]{3}\\b/g) || [])) {
      if (!(word in window.__benchSeen)) window.__benchSeen[word] = now;
    }
  };
  /* The kernel's text is put in the box by a script (no event): looked for every 10 ms. */
  box.addEventListener("input", look);
  window.__benchWatch = setInterval(look, 10);
  look();
}"""
"""Set in each writer's page on their box: the wall-clock moment (Date.now(), one clock for
every page of the one Chromium) each word is first in the box."""

HAS_ALL = """(words) => {
  const text = window.__benchBox.value;
  return words.every((word) => text.includes(word));
}"""

SEEN = """() => {
  clearInterval(window.__benchWatch);
  const box = window.__benchBox;
  return {seen: window.__benchSeen, text: box.value,
          conflicts: document.querySelectorAll(".swb-conflict").length,
          status: (document.querySelector(".swb-app-step--charter .swb-statusbar .swb-saved")
                   || {}).textContent || "",
          typingHere: document.body.contains(box) && document.activeElement === box};
}"""


@dataclass
class Phrase:
    """Words one writer types without a pause, and when the pause after them began."""

    writer: int
    words: list[str]
    paused_at: float = 0.0
    """time.time() right after the phrase's last key (the wall clock the browser shares)."""


@dataclass
class Key:
    """One key press planned `at` seconds after the start; `ends` the phrase it finishes."""

    at: float
    writer: int
    char: str
    ends: Phrase | None = None


@dataclass
class Backend:
    """One store's runs: each run's p50, p95 and max (s), words lost, and what was typed."""

    label: str
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    worst: list[float] = field(default_factory=list)
    lost: list[float] = field(default_factory=list)
    latencies: int = 0
    words: int = 0
    conflicts: int = 0
    late_ms: list[float] = field(default_factory=list)
    """How late each key press came after its planned moment (ms): the machine's load."""
    missing: list[str] = field(default_factory=list)
    note: str = ""


def plan_keys(writers: int, seconds: float, seed: int) -> tuple[list[Key], list[Phrase]]:
    """Each writer's phrases and pauses for `seconds`, as key presses at 5 a second, all
    writers' keys in one time order. A phrase is ` word word`: it starts with a space, so the
    words stay apart from the text before them."""
    rng = random.Random(seed)
    keys: list[Key] = []
    phrases: list[Phrase] = []
    for writer in range(writers):
        prefix = PREFIXES[writer]
        at = rng.uniform(0, START_SPREAD_S)
        count = 0
        while True:
            words = [f"{prefix}{count + n + 1:03d}" for n in range(rng.randint(*PHRASE_WORDS))]
            text = "".join(f" {word}" for word in words)
            if at + (len(text) - 1) / CHARS_PER_S > seconds and count:
                break
            count += len(words)
            phrase = Phrase(writer, words)
            phrases.append(phrase)
            for n, char in enumerate(text):
                keys.append(Key(at, writer, char, phrase if n == len(text) - 1 else None))
                at += 1 / CHARS_PER_S
            at += rng.uniform(*PAUSE_S) - 1 / CHARS_PER_S
    keys.sort(key=lambda key: key.at)
    return keys, phrases


def _box(person: Person) -> Locator:
    area = person.page.locator(f".swb-app-step--{STEP}")
    return area.get_by_label(field_spec(PATH).label, exact=True)


def _type(people: list[Person], keys: list[Key]) -> list[float]:
    """Press every key in its writer's page at its moment; how late each one came (ms)."""
    late = []
    start = time.time() + LEAD_S
    for key in keys:
        wait = start + key.at - time.time()
        if wait > 0:
            time.sleep(wait)  # the typist's pace, not a wait for something to happen
        late.append(max(0.0, (time.time() - start - key.at) * 1000))
        people[key.writer].page.keyboard.type(key.char)
        if key.ends is not None:
            key.ends.paused_at = time.time()
    return late


def _stored(folder: Path, database: str | None, sig_id: str) -> str:
    with Workspace.open(folder, database=database) as workspace:
        return str(get_path(workspace.load(sig_id).plan.model_dump(), PATH))


def _wait_stored(
    folder: Path, database: str | None, sig_id: str, words: list[str], deadline: float
) -> str:
    """The field's text in the store once it holds every word (or at `deadline`, monotonic)."""
    while True:
        text = _stored(folder, database, sig_id)
        if all(word in text for word in words) or time.monotonic() > deadline:
            return text
        time.sleep(0.1)  # the store is read again: a wait on its condition, bounded above


def one_run(
    people: list[Person],
    folder: Path,
    database: str | None,
    sig_id: str,
    seconds: float,
    seed: int,
    into: Backend | None,
) -> str:
    """The people (their pages settled on the charter) type at once for `seconds`; with
    `into`, what was measured is added to it. What happened, in a few words."""
    for person in people:
        box = _box(person)
        box.click()
        box.press("Control+End")
        box.evaluate(WATCH)
    keys, phrases = plan_keys(len(people), seconds, seed)
    late = _type(people, keys)
    words = [word for phrase in phrases for word in phrase.words]
    deadline = time.monotonic() + SETTLE_MS / 1000
    for person in people:
        left = max(1.0, (deadline - time.monotonic()) * 1000)
        with contextlib.suppress(PlaywrightError):  # what is missing is counted below
            person.page.wait_for_function(HAS_ALL, arg=words, timeout=left, polling=100)
    stored = _wait_stored(folder, database, sig_id, words, deadline)
    screens = [person.page.evaluate(SEEN) for person in people]
    latencies = []
    for phrase in phrases:
        for reader, screen in enumerate(screens):
            if reader == phrase.writer:
                continue
            seen = screen["seen"]
            if all(word in seen for word in phrase.words):
                shown = max(float(seen[word]) for word in phrase.words) / 1000
                latencies.append(max(0.0, shown - phrase.paused_at))
    missing = {word for word in words if word not in stored}
    for screen in screens:
        missing |= {word for word in words if word not in screen["text"]}
    said = f"{len(words)} words, {len(missing)} lost, keys p95 {percentile(late, 95):.0f} ms late"
    if latencies:
        said += (
            f"; p50 {percentile(latencies, 50):.2f} s, p95 {percentile(latencies, 95):.2f} s, "
            f"max {max(latencies):.2f} s"
        )
    if missing:
        said += (
            "; the store has "
            + repr(stored[-120:])
            + "; the boxes "
            + "; ".join(
                f"{screen['text'][-120:]!r} ({screen['status']}, "
                f"{'still typed in' if screen['typingHere'] else 'no longer focused'})"
                for screen in screens
            )
        )
    if into is None:
        return said
    into.lost.append(float(len(missing)))
    if latencies:  # else no writer's words reached another box: only the words lost count
        into.p50.append(percentile(latencies, 50))
        into.p95.append(percentile(latencies, 95))
        into.worst.append(max(latencies))
    into.latencies += len(latencies)
    into.words += len(words)
    into.conflicts += sum(int(screen["conflicts"]) for screen in screens)
    into.late_ms += late
    into.missing += sorted(missing)
    return said


def _runs(
    settings: Settings,
    browser: Chromium,
    label: str,
    database: str | None,
    progress: Callable[[str], None],
) -> Backend:
    """Every run on one store: its own workspace and `sigworkbook serve`; a new meeting (new
    pages and kernels) each run, the field set back to START_TEXT before it."""
    found = Backend(label)
    folder = settings.work / f"ws-cowriting-{label.lower()}"
    sig_id = demo_workspace(folder, database)
    log = settings.work / "logs" / f"serve-cowriting-{label.lower()}.log"
    env = {DATABASE.env: database} if database else None
    with listening(
        f"sigworkbook serve (co-writing, {label})",
        partial(serve_command, folder),
        log,
        env=env,
    ) as (server, _):
        for run in range(-settings.warmup, settings.runs):
            progress(
                f"co-writing, {label}: "
                + ("warm-up" if run < 0 else f"run {run + 1} of {settings.runs}")
            )
            with Workspace.open(folder, database=database) as workspace:
                workspace.set(sig_id, PATH, START_TEXT, author="benchmarks")
            with _writers(browser, server, sig_id, settings.cowriters) as people:
                said = one_run(
                    people,
                    folder,
                    database,
                    sig_id,
                    settings.cowriting_s,
                    run,
                    found if run >= 0 else None,
                )
            progress(f"co-writing, {label}: {said}")
    return found


@contextlib.contextmanager
def _writers(browser: Chromium, server: Server, sig_id: str, count: int) -> Iterator[list[Person]]:
    """`count` people with the app open on the charter, every page settled."""
    with meeting(browser, server, sig_id, count, step=STEP) as people:
        wait_pool_heated(server)
        settle(people, STEP)
        yield people


def measure(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 18: on SQLite, then (not in a smoke run) on a PostgreSQL server of its own."""
    backends: list[Backend] = []
    with Chromium() as browser:
        backends.append(_runs(settings, browser, "SQLite", None, progress))
        if not settings.smoke:
            backends.append(_on_postgres(settings, browser, progress))
    return figure(settings, backends)


def _on_postgres(settings: Settings, browser: Chromium, progress: Callable[[str], None]) -> Backend:
    helper = postgres._server_helper()
    try:
        server = helper.PostgresServer()
    except helper.PostgresMissing as missing:
        return Backend("PostgreSQL", note=f"not run: {missing}")
    try:
        url = server.url(server.create_database("cowriting"))
        return _runs(settings, browser, "PostgreSQL", url, progress)
    finally:
        server.close()


STALLED = "no writer's words reached another box in any run (see the words lost)"


def _summary(values: list[float]) -> Summary | None:
    return Summary.of(values) if values else None


def figure(settings: Settings, backends: list[Backend]) -> Figure:
    """Figure 18 from the runs on each store."""
    writers = settings.cowriters
    made = Figure(
        NUMBER,
        "cowriting",
        TITLE,
        f"On `sigworkbook serve` with its defaults (one per store: the SQLite file, then a "
        f"PostgreSQL database of a server the run starts), {writers} people, each in a browsing "
        f"context of their own in one Chromium, open the demo SIG in the app on the charter "
        f'(its "What are we trying to do?" set to "{START_TEXT}" first); once every page has '
        "settled each clicks in that box and goes to its end. Then all type at once, with real "
        f"key presses at {CHARS_PER_S:.0f} characters a second, for {settings.cowriting_s:.0f} "
        f"s: phrases of {PHRASE_WORDS[0]}-{PHRASE_WORDS[1]} words of their own (ana001 ana002 "
        f"..., ben001 ...), a pause of {PAUSE_S[0]:.1f}-{PAUSE_S[1]:.1f} s after each, starting "
        f"within {START_SPREAD_S:.0f} s of each other. Each page looks at its box every 10 ms "
        "and notes (Date.now(), one clock for every page) when each word is first in it. "
        "Latency: for each phrase and each other writer's box, from the moment after the "
        "phrase's last key (the pause's start) to the phrase's last word to show in that box "
        "(0 if it was there before). Rows per store: p50, p95 (target) and max of a run's "
        "latencies, and words lost: words typed that are not, once every box and the store "
        f"hold them or {SETTLE_MS // 1000} s after the last key, in the field as read from the "
        "store and in every box. Median, min and max over the runs; a new meeting each run.",
    )
    for found in backends:
        if not found.lost:
            made.rows.append(
                Row(f"{found.label}: p95", "s", None, note=found.note or "not measured")
            )
            continue
        measured = (
            f"{found.latencies} phrase-to-box times, {found.words} words typed; keys "
            f"p95 {percentile(found.late_ms, 95):.0f} ms late"
        )
        extra = {"writers": writers, "seconds": settings.cowriting_s}
        for name, values, target in (
            (f"p50, {writers} writers", found.p50, None),
            ("p95", found.p95, Target("<=", P95_TARGET_S)),
            ("max", found.worst, None),
        ):
            made.rows.append(
                Row(
                    f"{found.label}: {name}",
                    "s",
                    _summary(values),
                    target,
                    samples=values,
                    measured=measured,
                    extra=extra,
                    note="" if values else STALLED,
                )
            )
        made.rows += [
            Row(
                f"{found.label}: words lost",
                "count",
                Summary.of(found.lost),
                Target("<=", 0.0),
                samples=found.lost,
                measured=f"{found.words} words typed; "
                + (f"missing: {' '.join(found.missing[:20])}" if found.missing else "none missing")
                + f"; {found.conflicts} notices asking to choose at the end",
                extra={**extra, "missing": found.missing, "conflicts": found.conflicts},
            ),
        ]
    return made
