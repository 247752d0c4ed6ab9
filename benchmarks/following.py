"""Figure 17: the lead moves the meeting to a step, and every follower's page shows that step by
itself (issue 21), timed from the lead's click to the step on each follower's screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from benchmarks.browser import BrowserError
from benchmarks.report import Figure, Row, Target
from benchmarks.stats import Summary
from sigworkbook.plan.steps import Step

NUMBER = 17
TITLE = "Follow the lead: the lead's click to the step usable on every follower's screen"
MEDIAN_TARGET_S = 1.0
WORST_TARGET_S = 1.5
TIMEOUT_MS = 60_000

WATCH = """({key, timeout}) => {
  window.__benchFollowed = null;
  const started = Date.now();
  let observer = null, timer = 0;
  const check = () => {
    const area = document.querySelector(".swb-app-step--" + key);
    const shown = !!area && getComputedStyle(area).display !== "none";
    const arrived = shown && Array.from(area.querySelectorAll(
      ".swb-field input, .swb-field textarea, .swb-field select"))
      .some((control) => !control.disabled && control.getClientRects().length > 0);
    if (arrived || Date.now() - started > timeout) {
      if (arrived) window.__benchFollowed = Date.now();
      observer.disconnect(); clearInterval(timer);
    }
  };
  /* Not requestAnimationFrame: a page Chromium does not draw (another context's) gets none. */
  observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  timer = setInterval(check, 10);
  check();
}"""
"""Set in each follower's page before the lead clicks: the wall-clock moment (Date.now(), one
clock for every page of the one Chromium) the step `key` is on screen with a question of the
plan visible and enabled."""

ROUNDS: tuple[tuple[str, str], ...] = (
    ("core", "to the core group"),
    ("name", "to the name"),
    ("core", "back to the core group"),
)
"""Each round: the step the lead moves the meeting to, and what the row calls it (never the
step everyone is on when the rounds start: figure 15's charter or name, figure 16's review)."""

SHOWING = """() => JSON.stringify({
  onScreen: Array.from(document.querySelectorAll(".swb-app-step"))
    .filter((a) => getComputedStyle(a).display !== "none").map((a) => a.className),
  bar: (document.querySelector(".swb-meeting")?.innerText || "").slice(0, 200),
  address: window.location.search,
})"""

LED = "() => (document.querySelector('.swb-meeting')?.innerText || '').includes('Led by')"
NOT_LED = "() => !(document.querySelector('.swb-meeting')?.innerText || '').includes('Led by')"


class Attendee(Protocol):
    """A person at the benchmark's meeting (benchmarks/meeting.py's Person)."""

    name: str
    page: Page


@dataclass
class Following:
    """Every follower's time per round (each round: its step's key and what the row calls it),
    over the runs, and each run's slowest follower."""

    rounds: tuple[tuple[str, str], ...]
    seconds: list[list[float]] = field(default_factory=list)
    worst: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seconds = [[] for _ in self.rounds]

    def add(self, times: list[list[float]], slowest: float) -> None:
        for number, each in enumerate(times):
            self.seconds[number] += each
        self.worst.append(slowest)


def _wait(attendee: Attendee, script: str, what: str) -> None:
    try:
        attendee.page.wait_for_function(script, timeout=TIMEOUT_MS, polling=50)
    except PlaywrightError as error:
        raise BrowserError(
            f"{attendee.name}: {what}: {error.message}; {_state(attendee)}"
        ) from None


def _state(attendee: Attendee) -> str:
    """What the page shows: the steps on screen and the meeting bar (for an error message)."""
    try:
        return str(attendee.page.evaluate(SHOWING))
    except PlaywrightError as error:
        return f"(the page could not say: {error.message})"


def follow_the_lead(
    people: Sequence[Attendee],
    rounds: Sequence[Step],
    settle: Callable[[str], None],
) -> tuple[list[list[float]], float]:
    """The first person leads (the meeting bar's "Lead the meeting"), the others follow; per
    round the lead clicks the round's step in the step bar; then the lead ends the meeting (the
    workspace is the next run's too). Each round's follower times (s), and the slowest."""
    lead, followers = people[0], people[1:]
    lead.page.get_by_role("button", name="Lead the meeting").click()
    for follower in followers:
        _wait(follower, LED, "never saw the meeting led")
    times: list[list[float]] = []
    for step in rounds:
        for follower in followers:
            follower.page.evaluate(WATCH, {"key": step.key, "timeout": TIMEOUT_MS})
        clicked = float(lead.page.evaluate("Date.now()"))
        lead.page.locator(".swb-app-step:visible .swb-steps a", has_text=step.label).first.click()
        each = []
        for follower in followers:
            _wait(
                follower, "() => window.__benchFollowed !== null", f"did not follow to {step.key}"
            )
            each.append((float(follower.page.evaluate("window.__benchFollowed")) - clicked) / 1000)
        times.append(each)
        settle(step.key)
    lead.page.get_by_role("button", name="End the meeting").click()
    for follower in followers:
        _wait(follower, NOT_LED, "still saw the meeting led after it ended")
    return times, max((t for each in times for t in each), default=0.0)


def figure(following: Following, people: int, runs: int) -> Figure:
    """Figure 17 from the rounds measured."""
    made = Figure(
        NUMBER,
        "follow_the_lead",
        TITLE,
        f"After figures 15-16's rounds, in the same meeting of {people} (each person in a "
        "browsing context of their own, one Chromium, `serve`'s defaults): Person 1 clicks "
        '"Lead the meeting"; once every other page says "Led by Person 1", per round each '
        "follower's page starts watching, the lead clicks the round's step in the step bar "
        "of the step on screen, and each follower's page records (Date.now(), the one clock "
        "of every page) when that step is on its screen with a question of the plan visible and "
        "enabled; nobody else clicks. The time includes the store telling each follower's "
        "kernel of the move (SQLite: its revision read every 0.5 s; PostgreSQL: a "
        "notification). Rounds: to the core group, to the name, back to the core group (as many as figure 15's); between rounds every page settles. Then the "
        "lead ends the meeting. Each round's row: median, min and max over the followers and "
        "runs (target on the median); the last row: the slowest follower of each run.",
    )
    for number, (key, what) in enumerate(following.rounds):
        seconds = following.seconds[number]
        if not seconds:
            continue
        whole = Summary.of(seconds)
        made.rows.append(
            Row(
                f"{people - 1} follower{'' if people == 2 else 's'}, {what}",
                "s",
                Summary(whole.median, whole.min, whole.max, runs),
                Target("<=", MEDIAN_TARGET_S),
                samples=seconds,
                measured=f"{len(seconds)} follows ({people - 1} a run)",
                extra={"followers": people - 1, "step": key},
            )
        )
    if following.worst:
        made.rows.append(
            Row(
                "slowest follower of a run, every round",
                "s",
                Summary.of(following.worst),
                Target("<=", WORST_TARGET_S),
                samples=following.worst,
                measured=f"{len(following.worst)} runs",
            )
        )
    return made
