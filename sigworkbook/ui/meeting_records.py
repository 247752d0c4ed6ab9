"""The last meeting's record on the meeting bar: its downloads (Markdown, Word, a draft e-mail)."""

from __future__ import annotations

import base64

import ipywidgets as widgets

from sigworkbook.exports import meeting_record
from sigworkbook.live.kernel import log
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.wording import long_date


def _data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


class RecordLinks:
    """The latest meeting record's downloads, made once per record (the Word file takes a
    moment), shown to the lead during a meeting and to everyone between meetings."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.widget = widgets.HTML()
        self.widget.add_class("swb-meeting-records")
        self._made_for: tuple[int, str] | None = None

    def show(self, *, visible: bool) -> None:
        records = self.session.loaded.plan.meeting.records
        if not records or not visible:
            self.widget.value = ""
            self._made_for = None
            return
        latest = records[-1]
        plan = self.session.loaded.plan
        key = (len(records), plan.identity.name)
        if key == self._made_for:
            return
        self._made_for = key
        names = meeting_record.file_names(latest)
        try:
            files = [
                (
                    "Markdown",
                    "text/markdown",
                    names["markdown"],
                    meeting_record.markdown(plan, latest).encode("utf-8"),
                ),
                ("Word", meeting_record.WORD, names["docx"], meeting_record.docx(plan, latest)),
                ("Draft e-mail", "message/rfc822", names["eml"], meeting_record.eml(plan, latest)),
            ]
        except Exception:
            log.exception("the meeting's record could not be made")
            self.widget.value = ""
            return
        links = Markup(" · ").join(
            Markup('<a class="swb-download" download="{}" href="{}">{}</a>').format(
                name, _data_uri(media, data), label
            )
            for label, media, name, data in files
        )
        people = ", ".join(latest.attendees) or "nobody recorded"
        self.widget.value = Markup(
            '<div class="swb-meeting-record">Last meeting, {} ({}; {} changes): {}</div>'
        ).format(long_date(latest.date), people, len(latest.changes), links)
