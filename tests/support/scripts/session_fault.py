"""Child process for fault tests: open a page session, read, type into a field, report as JSON.

Usage: session_fault.py WORKSPACE SIG_ID PATH TEXT
(run under whatever limit the test sets: read-only files, ...). With $FAULT_DISK_FULL set, no
file may grow once the page is open, as when the disk fills up during a meeting.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from sigworkbook.live.session import Session
from sigworkbook.store import StoreError
from sigworkbook.ui.controls import FieldControl
from sigworkbook.workspace import Workspace, WorkspaceError


def main() -> int:
    folder, sig_id, path, text = sys.argv[1:5]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file-size limit then fails the write instead
    report: dict[str, Any] = {}
    try:
        workspace = Workspace.open(folder)
        session = Session(workspace, sig_id, author="child")
        report["read_only"] = session.read_only
        report["status_before"] = session.status.message
        report["name"] = session.loaded.plan.identity.name
        if os.environ.get("FAULT_DISK_FULL"):
            wal = Path(folder) / "sigworkbook.db-wal"
            size = wal.stat().st_size if wal.exists() else 0
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        control = FieldControl(session, path)
        control.input.value = text
        report["status_after"] = [session.status.ok, session.status.message, session.status.retry]
        report["problem"] = control.problem.value
        report["field_kept"] = control.input.value == text
        report["saved"] = workspace.load(sig_id).plan.model_dump(mode="json")["identity"]
    except (StoreError, WorkspaceError) as error:
        report["open_error"] = str(error)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
