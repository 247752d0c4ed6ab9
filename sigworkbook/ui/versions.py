"""A field's notices that offer a choice of versions: someone else's save, the same words
changed by two people, someone's "Keep mine" over this person's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import ipywidgets as widgets

from sigworkbook.live.bound import Bound
from sigworkbook.live.merging import Merged, merge
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.store import Change
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.styles import hbox, vbox
from sigworkbook.ui.styles import html as html_widget


def _describe(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 300 else text[:299] + "…"


class ChoosingVersions:
    """Part of `BoundControl`: the notices that let a person choose between their words and
    someone else's, and what each choice saves."""

    session: Session
    path: str
    base: Any
    replaced: widgets.VBox | None
    """The notice that someone's "Keep mine" replaced this person's words, with Undo."""
    set_aside_id: str | None = None
    colliding_with: Any = None

    @property
    def _bound(self) -> Bound:
        """This control, as the session saves for it (BoundControl is a `Bound`)."""
        return cast("Bound", self)

    if TYPE_CHECKING:  # provided by BoundControl

        @property
        def value(self) -> Any: ...

        def show_value(self, value: Any) -> None: ...

        def show_problem(self, message: str | None) -> None: ...

        def _set_conflict(self, box: widgets.VBox | None) -> None: ...

        def _show_typing(self, text: str) -> None: ...

        def _arrange(self) -> None: ...

    def show_conflict(self, theirs: Any, change: Change | None) -> None:
        """Someone else saved `theirs` while this person was typing: offer both."""
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} changed this field while you '
                "were typing.</strong><br>Their version: <q>{}</q>"
                "<br>Your version is still in the field and is not saved yet.</div>"
            ).format(change.author or "Someone" if change else "Someone", _describe(theirs))
        )
        keep = widgets.Button(description="Keep mine", tooltip="Save your version over theirs")
        take = widgets.Button(description="Use theirs", tooltip="Replace your text with theirs")
        on_click(keep, lambda: self._keep_mine(theirs), reads_typing=True)
        on_click(take, lambda: self._use_theirs(theirs), reads_typing=True)
        self._set_conflict(vbox([notice, hbox([keep, take])], "swb-conflict"))

    def _use_theirs(self, theirs: Any) -> None:
        self.session.discard(self.path)
        self.show_value(theirs)
        self.show_problem(None)

    def _keep_mine(self, theirs: Any) -> None:
        self.base = theirs
        self._set_conflict(None)
        self.session.save(self.path, self.value, self._bound)

    def show_collision(
        self, theirs: Any, merged: Merged, change: Change | None, set_aside: str | None
    ) -> None:
        """Someone changed the same words differently while this person typed: both versions
        side by side, and Keep both (the default), Keep mine or Keep theirs. Nothing is saved
        until they choose; what they typed is already kept on the server (`set_aside`)."""
        self.set_aside_id = set_aside
        self.colliding_with = theirs
        who = change.author or "Someone" if change else "Someone"
        rows = Markup("").join(
            Markup(
                '<div class="swb-versions">'
                '<div class="swb-version"><strong>Their version</strong><q>{}</q></div>'
                '<div class="swb-version"><strong>Your version</strong><q>{}</q></div>'
                "</div>"
            ).format(c.theirs or "(removed)", c.mine or "(removed)")
            for c in merged.collisions
        )
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} changed the same words while '
                "you were typing.</strong>{}Everything else you both typed is kept. Your text is "
                "still in the box and kept on the server, but not saved in the field yet.</div>"
            ).format(who, rows)
        )
        both = widgets.Button(
            description="Keep both",
            tooltip="Keep their words and yours, one after the other",
            button_style="primary",
        )
        mine = widgets.Button(description="Keep mine", tooltip="Your words instead of theirs")
        keep_theirs = widgets.Button(description="Keep theirs", tooltip="Their words, not yours")
        on_click(both, lambda: self._choose(theirs, change, "both"), reads_typing=True)
        on_click(mine, lambda: self._choose(theirs, change, "mine"), reads_typing=True)
        on_click(keep_theirs, lambda: self._choose(theirs, change, "theirs"), reads_typing=True)
        self._set_conflict(vbox([notice, hbox([both, mine, keep_theirs])], "swb-conflict"))

    def _choose(self, theirs: Any, change: Change | None, keep: str) -> None:
        merged = merge(self.base or "", self.value or "", theirs or "")
        text = {"both": merged.text, "mine": merged.keep_mine, "theirs": merged.keep_theirs}[keep]
        kept, self.set_aside_id, self.colliding_with = self.set_aside_id, None, None
        self.base = theirs
        self._set_conflict(None)
        self._show_typing(text)
        if keep != "theirs" and kept is not None:
            self.session.drop_set_aside(kept)  # their words are in the field after all
        if keep == "mine" and theirs and merged.keep_mine != merged.keep_theirs:
            self.session.set_aside(
                self.path,
                theirs,
                why="replaced by someone's own version of the same words",
                author=change.author if change and change.author else "someone",
                replaced_by=self.session.author or "someone",
            )
        if keep == "theirs":
            self.session.discard(self.path)
        self.session.save(self.path, text, self._bound)

    def show_replaced(self, entry: dict[str, Any]) -> None:
        """Someone chose their own version over this person's words: say so, with Undo."""
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} kept their own version of words '
                "you had changed.</strong><br>Your version: <q>{}</q><br>It is kept in the "
                "history of this field.</div>"
            ).format(entry.get("replaced_by") or "Someone", _describe(entry.get("words")))
        )
        undo = widgets.Button(description="Undo", tooltip="Put your version back")
        close = widgets.Button(description="OK", tooltip="Leave it as it is")
        on_click(undo, lambda: self._undo_replaced(str(entry.get("id"))), reads_typing=False)
        on_click(close, lambda: self._close_replaced(), reads_typing=False)
        self.replaced = vbox([notice, hbox([undo, close])], "swb-replaced")
        self._arrange()

    def _undo_replaced(self, entry_id: str) -> None:
        self._close_replaced()
        self.session.bring_back(entry_id)

    def _close_replaced(self) -> None:
        self.replaced = None
        self._arrange()
