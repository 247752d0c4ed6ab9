"""Child process for store tests: save edits in a loop and print each one once it is acknowledged.

Usage: store_writer.py DATABASE SIG_ID NAME COUNT [GO_FILE]  (COUNT 0 means until killed)
DATABASE is an SQLite file or a database URL (sqlite:///..., postgresql://...).
With GO_FILE, the writer opens the store, prints ``ready`` and waits for that file to exist
before its first edit, so that several writers can be released at the same moment. Edits alternate between the writer's own field ``notes.NAME`` and the shared field
``shared.last``; every value is unique. After each ``apply`` returns, one line
``REVISION PATH VALUE`` is printed and flushed.

With STORE_WRITER_RETRY=1 in the environment, a save that fails because the database cannot
be reached is tried again until it succeeds (as a page does); a retry that finds its value
already saved (the failed call had committed after all) prints ``? PATH VALUE``.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

from sigworkbook.store import Store, StoreUnreachable, open_store
from sigworkbook.store.sqlite import SQLiteStore


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    """The validator: accept every plan unchanged."""
    return plan


def main() -> int:
    database, sig_id, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    go_file = sys.argv[5] if len(sys.argv) > 5 else None
    steps = itertools.count() if count == 0 else range(count)
    retry = os.environ.get("STORE_WRITER_RETRY") == "1"
    store: Store = open_store(database) if "://" in database else SQLiteStore(Path(database))
    with store:
        if go_file is not None:
            print("ready", flush=True)
            deadline = time.monotonic() + 60
            while not os.path.exists(go_file):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{go_file} did not appear within 60 s")
                time.sleep(0.001)
        for step in steps:
            path = f"notes.{name}" if step % 2 == 0 else "shared.last"
            value = f"{name}-{step}"
            snapshot = None
            while snapshot is None:
                try:
                    snapshot = store.apply(sig_id, [(path, value)], author=name, validate=accept)
                except StoreUnreachable:
                    if not retry:
                        raise
                    time.sleep(0.05)
            print(snapshot.revision if snapshot.changed else "?", path, value, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
