"""The one exception exports raise for a problem the user can fix."""

from __future__ import annotations

from sigworkbook.errors import SigworkbookError


class ExportError(SigworkbookError):
    """A user error in an export: the message names the template file and line, or the problem."""
