"""Figure 12: reading and searching a member directory of 20,000 people, as the promotion page does."""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable

from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary
from sigworkbook.resources import data_file

DIRECTORY_ROWS = 20_000
SEARCH_TARGET_MS = 200.0
TERMS = ("frailty", "hospital discharge", "older people", "unpaid carers", "home first")
"""What the demo SIG searches for: its theme and key phrases."""

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Carys",
    "Dev",
    "Elif",
    "Femi",
    "Gwen",
    "Hamza",
    "Ines",
    "Jonah",
    "Kiran",
    "Lena",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rhys",
    "Sana",
    "Tomas",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zofia",
]
LAST_NAMES = [
    "Abernant",
    "Bell",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fraser",
    "Greaves",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalczyk",
    "Lindqvist",
    "Morgan",
    "Nwosu",
    "Okafor",
    "Patel",
    "Quigley",
    "Rookwood",
    "Singh",
    "Thomas",
    "Underwood",
    "Vaughan",
    "Williams",
    "Yates",
]


def directory_csv(rows: int = DIRECTORY_ROWS, seed: int = 13) -> bytes:
    """A member directory of `rows` invented people, with the sample directory's organisations,
    roles, regions and interests, as UTF-8 CSV (deterministic for a seed)."""
    sample = list(
        csv.DictReader(io.StringIO(data_file("sample", "member-directory.csv").read_text("utf-8")))
    )
    organisations = sorted({p["organisation"] for p in sample})
    roles = sorted({p["role"] for p in sample})
    regions = sorted({p["region"] for p in sample})
    interests = sorted({i.strip() for p in sample for i in p["interests"].split(";") if i.strip()})
    chosen = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "organisation", "role", "region", "interests"])
    for number in range(rows):
        name = f"{chosen.choice(FIRST_NAMES)} {chosen.choice(LAST_NAMES)} {number}"
        writer.writerow(
            [
                name,
                chosen.choice(organisations),
                chosen.choice(roles),
                chosen.choice(regions),
                "; ".join(chosen.sample(interests, chosen.randint(1, 5))),
            ]
        )
    return out.getvalue().encode("utf-8")


def search_times(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 12: read the directory (pandas) and index it, then search it, in milliseconds."""
    from sigworkbook.lists.members import directory_index, read_directory
    from sigworkbook.ui.directory import RESULT_LIMIT

    rows = DIRECTORY_ROWS
    figure = Figure(
        12,
        "directory_search",
        f"Member directory of {rows:,} people: read and search",
        f"A member directory of {rows:,} invented people (CSV, 5 columns, 1 to 5 interests "
        "each). 'read' is `read_records` (pandas) plus building the `SearchIndex` once, as the "
        "promotion page does when a file is uploaded. 'search' is one `SearchIndex.find` for "
        f"the demo SIG's {len(TERMS)} terms over interests and role, as the page does for each "
        f"search: the best {RESULT_LIMIT} and how many match in all. 'every match ranked' "
        "makes a result of every match, as `sigworkbook directory` does with a large --limit "
        f"(information). Target from issue 13: search < {SEARCH_TARGET_MS:.0f} ms.",
    )
    data = directory_csv(rows)
    times: dict[str, list[float]] = {"read": [], "search": [], "all": []}
    found = 0

    for run in range(-settings.warmup, settings.runs):
        if run >= 0:
            progress(f"directory search: run {run + 1} of {settings.runs}")
        started = time.perf_counter()
        index = directory_index(read_directory(data))
        read_done = time.perf_counter()
        index.find(TERMS, limit=RESULT_LIMIT)
        search_done = time.perf_counter()
        found = len(index.search(TERMS, limit=rows))
        all_done = time.perf_counter()
        if run >= 0:
            times["read"].append((read_done - started) * 1000)
            times["search"].append((search_done - read_done) * 1000)
            times["all"].append((all_done - search_done) * 1000)
    rows_of = {
        "read": (
            "read and index (information)",
            None,
            f"{len(data) // 1000} kB of CSV, {rows:,} rows",
        ),
        "search": (
            f"search, {len(TERMS)} terms",
            Target("<", SEARCH_TARGET_MS),
            f"{found:,} people match; the best {RESULT_LIMIT} shown",
        ),
        "all": ("every match ranked (information)", None, f"{found:,} results"),
    }
    for key, (name, target, measured) in rows_of.items():
        figure.rows.append(
            Row(
                name,
                "ms",
                Summary.of(times[key]),
                target=target,
                samples=times[key],
                measured=measured,
            )
        )
    return figure
