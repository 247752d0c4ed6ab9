"""Figures 15-17: a meeting moves on in the app (people switch step at once), what a meeting
of five holds in kernels and memory once everyone has opened every step, and following the
lead (its rounds in benchmarks/following.py)."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from benchmarks import following
from benchmarks.browser import BrowserError, Chromium, wait_ready
from benchmarks.pages import wait_pool_heated
from benchmarks.processes import (
    Server,
    ServerError,
    listening,
    rss_mb,
    serve_command,
    wait_gone,
)
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median
from benchmarks.workspaces import demo_workspace
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS, Step

MOVES = 15
MEMORY = 16
NUMBERS = (MOVES, MEMORY, following.NUMBER)
TITLES = {
    MOVES: "The meeting moves on: click on a step to its first question usable, in the app",
    MEMORY: "A meeting in the app, everyone on every step: kernels and memory per person",
    following.NUMBER: following.TITLE,
}
FIRST_STEP = "name"
ROUNDS: tuple[tuple[str, str], ...] = (
    ("charter", "to the charter, first visit"),
    ("name", "back to the name"),
    ("charter", "to the charter again"),
)
"""Each round: the step everyone moves to, and what the row calls it."""
ONE_PERSON_TARGETS = (0.6, 0.3, 0.3)
"""Targets for one person, per round (s): the first visit builds the step, the others show it."""
GROUP_TARGET_S = 1.0
"""Target for a group moving at once, every round (s, the median over people and runs)."""
MEMORY_TARGET_MB = 120.0
MOVE_TIMEOUT_MS = 60_000
CLICK_LEAD_MS = 1000
"""The clicks are set for this long after the moment they are planned (plus 100 ms a person),
so that every person's page has its click planned before the first one happens (on a loaded
machine planning can take longer: a page then clicks as soon as it has the plan, and the row
says how late the clicks came)."""
SETTLE_TIMEOUT_MS = 60_000

MOVE_SCRIPT = """({key, label, at, kind, timeout}) => {
  const shown = (el) => !!el && getComputedStyle(el).display !== "none";
  const arrived = () => {
    const area = document.querySelector(".swb-app-step--" + key);
    if (!shown(area)) return false;
    if (kind === "shown") return true;
    const first = area.querySelector(
      ".swb-field input, .swb-field textarea, .swb-field select");
    return !!first && !first.disabled && first.getClientRects().length > 0;
  };
  const seen = () => {
    /* What the page shows instead, for the error message. */
    const area = document.querySelector(".swb-app-step--" + key);
    const first = area && area.querySelector(
      ".swb-field input, .swb-field textarea, .swb-field select");
    const where = document.querySelector(".swb-app-location");
    const banner = document.getElementById("swb-connection");
    return JSON.stringify({
      address: window.location.search,
      onScreen: Array.from(document.querySelectorAll(".swb-app-step")).filter(shown)
        .map((a) => a.className.split(" ").pop()),
      area: !!area, areaShown: shown(area), areaChildren: area ? area.children.length : 0,
      areaText: area ? (area.textContent || "").trim().slice(0, 300) : null,
      firstQuestion: first ? {disabled: first.disabled, rects: first.getClientRects().length}
        : null,
      kernelSays: where ? {step: where.getAttribute("data-step"),
                           asked: where.getAttribute("data-asked")} : null,
      nav: (document.querySelector(".swb-app-nav input") || {}).value,
      kernel: window.__benchKernel,
      banner: banner && shown(banner) && !banner.hidden
        ? (banner.textContent || "").trim().slice(0, 200) : null,
      errors: window.__benchErrors(),
    });
  };
  window.__benchMove = new Promise((resolve, reject) => {
    const click = () => {
      const current = Array.from(document.querySelectorAll(".swb-app-step")).filter(shown);
      if (current.length !== 1) {
        reject(new Error(current.length + " steps on screen, not 1"));
        return;
      }
      const link = Array.from(current[0].querySelectorAll(".swb-steps a"))
        .find((a) => a.textContent.trim().startsWith(label));
      if (!link) { reject(new Error("no link '" + label + "' in the step bar")); return; }
      if (arrived()) { reject(new Error("already on " + key + " before the click")); return; }
      let done = false;
      let observer = null, timer = 0, limit = 0;
      const stop = () => {
        done = true; observer.disconnect(); clearInterval(timer); clearTimeout(limit);
      };
      const clickedAt = Date.now();
      const started = performance.now();
      const finish = () => {
        if (done || !arrived()) return;
        const ms = performance.now() - started;
        stop();
        resolve({ms: ms, clickedAt: clickedAt, late: clickedAt - at,
                 visible: document.visibilityState});
      };
      observer = new MutationObserver(finish);
      observer.observe(document.body, {subtree: true, childList: true, attributes: true});
      timer = setInterval(finish, 10);
      limit = setTimeout(() => {
        if (!done) {
          stop();
          reject(new Error("not on " + key + " " + timeout + " ms after the click: " + seen()));
        }
      }, timeout);
      link.click();
      finish();
    };
    setTimeout(click, Math.max(0, at - Date.now()));
  });
  window.__benchMove.catch(() => {});  /* awaited by the next evaluate */
  return true;
}"""
"""Planned in every person's page before any click happens: at wall-clock time `at`, click the
step `label` in the step bar of the step on screen, then time (performance.now()) until the
step `key` is on screen with its first question (the first control of a plan field)
visible and enabled (kind "question"), or until its area is on screen (kind "shown")."""

SETTLED = """(key) => {
  const kernel = window.__benchKernel;
  const step = new URL(window.location.href).searchParams.get("step");
  return kernel.pending === 0 && kernel.state === "idle" && step === key &&
    !Array.from(document.querySelectorAll(".jp-OutputArea-output"))
      .some((output) => (output.textContent || "").startsWith("Loading widget"));
}"""
"""A person's page is settled on step `key`: the address shows it, every widget is drawn and the
kernel has finished everything the page asked of it (benchmarks/ready.js counts the messages)."""


@dataclass
class Person:
    """One person at the meeting: their own browsing context, tab and kernel."""

    name: str
    context: BrowserContext
    page: Page
    kernel_id: str = ""


@dataclass
class Moves:
    """Every person's time per round for one meeting size, over the runs."""

    seconds: list[list[float]] = field(default_factory=lambda: [[] for _ in ROUNDS])
    late_ms: list[list[float]] = field(default_factory=lambda: [[] for _ in ROUNDS])
    """How long after the planned moment each click happened (the spread of 'at once')."""


@dataclass
class Memory:
    """Per run, for the largest meeting after everyone opened every step."""

    kernels: list[float] = field(default_factory=list)
    people_kernels: list[int] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)
    largest_mb: list[float] = field(default_factory=list)
    each_mb: list[list[float]] = field(default_factory=list)


def _app_url(server: Server, sig_id: str, step: str, who: str) -> str:
    return f"{server.base_url}/?{urlencode({'sig': sig_id, 'step': step, 'who': who})}"


@contextlib.contextmanager
def meeting(
    browser: Chromium, server: Server, sig_id: str, size: int, *, step: str = FIRST_STEP
) -> Iterator[list[Person]]:
    """`size` people, each in a browsing context of their own, with the app open on `step`;
    at the end each page is left (its kernel shut down) and every kernel waited for."""
    people: list[Person] = []
    try:
        for n in range(size):
            context, page = browser.person()
            people.append(Person(f"Person {n + 1}", context, page))
        started = time.perf_counter()
        urls = [_app_url(server, sig_id, step, person.name) for person in people]
        for person, url in zip(people, urls, strict=True):
            person.page.goto(url, wait_until="commit", timeout=MOVE_TIMEOUT_MS)
        for person, url in zip(people, urls, strict=True):
            person.kernel_id = wait_ready(person.page, url, started).kernel_id
        yield people
    finally:
        kernels = []
        for person in people:
            with contextlib.suppress(ServerError):
                if person.kernel_id:
                    kernels.append(server.kernel(person.kernel_id))
            with contextlib.suppress(PlaywrightError):
                person.page.goto("about:blank")  # the unload beacon shuts the kernel down
            with contextlib.suppress(PlaywrightError):
                person.context.close()
        for kernel in kernels:
            wait_gone(kernel)


def settle(people: list[Person], key: str) -> None:
    """Wait until every person's page is settled on step `key` (see SETTLED)."""
    for person in people:
        try:
            person.page.wait_for_function(SETTLED, arg=key, timeout=SETTLE_TIMEOUT_MS, polling=50)
        except PlaywrightError as error:
            raise BrowserError(f"{person.name} did not settle on {key}: {error.message}") from None


def move(people: list[Person], step: Step, kind: str = "question") -> list[dict[str, Any]]:
    """Everyone clicks `step` in their step bar at the same wall-clock moment; each page times
    its own move. Returns each page's {ms, late, ...} and waits until all have settled."""
    at = math.ceil(time.time() * 1000) + CLICK_LEAD_MS + 100 * len(people)
    arguments = {
        "key": step.key,
        "label": step.label,
        "at": at,
        "kind": kind,
        "timeout": MOVE_TIMEOUT_MS,
    }
    for person in people:  # every click planned before the first one happens
        person.page.evaluate(MOVE_SCRIPT, arguments)
    results = []
    for person in people:
        try:
            results.append(person.page.evaluate("() => window.__benchMove"))
        except PlaywrightError as error:
            raise BrowserError(f"{person.name}, to {step.key}: {error.message}") from None
    settle(people, step.key)
    return results


def _one_meeting(
    browser: Chromium,
    server: Server,
    sig_id: str,
    size: int,
    rounds: int,
    into: Moves | None,
    memory: Memory | None,
    follows: following.Following | None,
    progress: Callable[[str], None],
    *,
    tour: bool = True,
    lead: bool = False,
) -> None:
    progress(f"meeting: {_people(size)} open the app on step 2")
    with meeting(browser, server, sig_id, size) as people:
        wait_pool_heated(server)  # the pool's refill is over before anyone moves
        settle(people, FIRST_STEP)
        progress(f"meeting: {_people(size)} move {rounds} times")
        for number, (key, _) in enumerate(ROUNDS[:rounds]):
            results = move(people, STEP_BY_KEY[key])
            if into is not None:
                into.seconds[number] += [float(r["ms"]) / 1000 for r in results]
                into.late_ms[number] += [float(r["late"]) for r in results]
        if memory is not None:
            _kernels_and_memory(server, people, rounds, memory, progress, tour=tour)
        if lead:
            progress(f"meeting: {_people(size)}, one leads and the others follow")
            times, slowest = following.follow_the_lead(
                people,
                [STEP_BY_KEY[key] for key, _ in following.ROUNDS[:rounds]],
                lambda key: settle(people, key),
            )
            if follows is not None:
                follows.add(times, slowest)
        progress(f"meeting: {_people(size)} leave")


def _kernels_and_memory(
    server: Server,
    people: list[Person],
    rounds: int,
    memory: Memory,
    progress: Callable[[str], None],
    *,
    tour: bool,
) -> None:
    if tour:
        progress(f"meeting: {_people(len(people))} open every step")
        for step in STEPS:  # everyone opens every step, all together
            if step.key != ROUNDS[rounds - 1][0]:
                move(people, step, "shown")
    pool = wait_pool_heated(server)
    processes = {person.kernel_id: server.kernel(person.kernel_id) for person in people}
    each = [rss_mb(process) for process in processes.values()]
    memory.kernels.append(float(len(server.kernels())))
    memory.people_kernels.append(len(processes))
    memory.pool.append(pool)
    memory.largest_mb.append(max(each))
    memory.each_mb.append(each)


def measure(
    settings: Settings, progress: Callable[[str], None]
) -> tuple[dict[int, Moves], Memory, following.Following]:
    """Every meeting size, `warmup` + `runs` times, interleaved run by run."""
    workspace = settings.work / "ws-meeting"
    sig_id = demo_workspace(workspace)
    sizes = settings.meeting_sizes
    moves = {size: Moves() for size in sizes}
    memory = Memory()
    follows = following.Following(following.ROUNDS[: settings.meeting_rounds])
    log = settings.work / "logs" / "serve-meeting.log"
    with (
        listening("sigworkbook serve (meeting)", partial(serve_command, workspace), log) as (
            server,
            _,
        ),
        Chromium() as browser,
    ):
        for run in range(-settings.warmup, settings.runs):
            progress(
                "meeting: warm-up" if run < 0 else f"meeting: run {run + 1} of {settings.runs}"
            )
            for size in sizes:
                largest = size == max(sizes)
                lead = settings.wants(following.NUMBER) and largest and size > 1
                _one_meeting(
                    browser,
                    server,
                    sig_id,
                    size,
                    settings.meeting_rounds,
                    moves[size] if run >= 0 and settings.wants(MOVES) else None,
                    memory if run >= 0 and largest and settings.wants(MEMORY) else None,
                    follows if run >= 0 and lead else None,
                    progress,
                    tour=not settings.smoke,
                    lead=lead,
                )
    return moves, memory, follows


def _per_run(values: list[float], runs: int) -> Summary:
    """The median, min and max over every person's moves, counted as `runs` runs."""
    whole = Summary.of(values)
    return Summary(whole.median, whole.min, whole.max, runs)


def _people(size: int) -> str:
    return "1 person" if size == 1 else f"{size} people at once"


def _moves_figure(settings: Settings, moves: dict[int, Moves]) -> Figure:
    figure = Figure(
        MOVES,
        "meeting_moves_on",
        TITLES[MOVES],
        "N people (each in a browsing context of their own, one Chromium) have the demo SIG "
        "open in the app on step 2 (`serve`'s defaults: the app page with one pre-heated "
        "kernel; the pool's refill is over and every page's kernel idle before the first "
        "move). Every page plans a click on a step in its step bar for the same wall-clock "
        "moment (planned in every page before the first click happens); each page times, with "
        "performance.now(), from its click to the step's area being on screen with its first "
        "question (the first input of a plan field in `.swb-app-step--KEY`) visible and "
        "enabled. Rounds: to the charter (its first visit: the step is built), back to step 2, "
        "to the charter again; between rounds every page settles (the address shows the step, "
        "no widget still loading, the kernel idle with nothing pending). Each row: median, min "
        "and max over the people and the runs; a new meeting (new pages and kernels) each run.",
    )
    for size, found in moves.items():
        for number, (key, what) in enumerate(ROUNDS[: settings.meeting_rounds]):
            seconds = found.seconds[number]
            if not seconds:
                continue
            limit = ONE_PERSON_TARGETS[number] if size == 1 else GROUP_TARGET_S
            late = found.late_ms[number]
            figure.rows.append(
                Row(
                    f"{_people(size)}, {what}",
                    "s",
                    _per_run(seconds, settings.runs),
                    Target("<=", limit),
                    samples=seconds,
                    measured=f"{len(seconds)} moves ({size} a run); clicks "
                    f"{min(late):.0f}-{max(late):.0f} ms after the planned moment",
                    extra={"people": size, "step": key, "late_ms": late},
                )
            )
    return figure


def _memory_figure(settings: Settings, memory: Memory) -> Figure:
    size = max(settings.meeting_sizes)
    figure = Figure(
        MEMORY,
        "meeting_kernels_memory",
        TITLES[MEMORY],
        f"Figure 15's largest meeting ({size} people) after its rounds: everyone moves, "
        "together, to each step they have not opened yet, so each person has opened every "
        "step in their one page; once every page has settled and the pool is heated again: "
        "the server's kernel processes (psutil, its children running ipykernel), against the "
        "people's kernels plus the pool, and the resident memory of each person's kernel "
        "(found by the kernel id in the page), the largest of them per run.",
    )
    if not memory.kernels:
        return figure
    if settings.smoke:
        figure.note = "smoke run: the people opened only the steps of the one round"
    pool = max(memory.pool)
    every = [mb for run in memory.each_mb for mb in run]
    figure.rows += [
        Row(
            f"kernels, a meeting of {size}",
            "count",
            Summary.of(memory.kernels),
            Target("<=", float(size + pool)),
            samples=memory.kernels,
            measured=f"{median(memory.people_kernels):.0f} people's kernels + the pool of "
            f"{pool} expected",
            extra={"people_kernels": memory.people_kernels, "pool": memory.pool},
        ),
        Row(
            f"memory per person's kernel, largest of {size}",
            "MB",
            Summary.of(memory.largest_mb),
            Target("<=", MEMORY_TARGET_MB),
            samples=memory.largest_mb,
            measured=f"RSS, MiB; every person's kernel over the runs: median {median(every):.0f}, "
            f"{min(every):.0f}-{max(every):.0f}",
            extra={"each_mb": memory.each_mb},
        ),
    ]
    return figure


def figures(settings: Settings, progress: Callable[[str], None]) -> list[Figure]:
    """Figures 15, 16 and 17 from one server and one Chromium."""
    moves, memory, follows = measure(settings, progress)
    return [
        _moves_figure(settings, moves),
        _memory_figure(settings, memory),
        following.figure(follows, max(settings.meeting_sizes), settings.runs),
    ]
