"""Child process for store tests: open a database, read it, try to write, report as JSON.

Usage: store_readonly.py DATABASE SIG_ID   (run as a user who may not write the workspace)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sigworkbook.store import StoreError
from sigworkbook.store.sqlite import SQLiteStore as Store


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    """The validator: accept every plan unchanged."""
    return plan


def main() -> int:
    database, sig_id = Path(sys.argv[1]), sys.argv[2]
    report: dict[str, Any] = {}
    try:
        with Store(database) as store:
            report["read_only"] = store.read_only
            report["revision"] = store.revision(sig_id)
            report["plan"] = store.current(sig_id).plan
            report["history"] = len(store.history(sig_id))
            report["plan_at_1"] = store.plan_at(sig_id, 1)
            try:
                store.apply(sig_id, [("notes.x", "changed")], author="ro", validate=accept)
                report["write_error"] = None
            except StoreError as error:
                report["write_error"] = [type(error).__name__, str(error)]
            report["revision_after"] = store.revision(sig_id)
    except StoreError as error:
        report["open_error"] = [type(error).__name__, str(error)]
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
