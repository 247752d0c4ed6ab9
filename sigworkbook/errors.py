"""The one base of every error sigworkbook reports to a person: its message is the line they see."""

from __future__ import annotations


class SigworkbookError(Exception):
    """A problem a user can act on; ``str(error)`` is one line naming what is wrong.

    The command line prints it and exits with status 2; a page shows it next to the field or
    in its notice. Anything that is not a SigworkbookError is a bug and goes to the log.
    """
