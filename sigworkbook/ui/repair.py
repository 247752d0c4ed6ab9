"""What a page shows for a SIG whose saved plan breaks the model's rules: which field, and the fix."""

from __future__ import annotations

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.markup import Markup
from sigworkbook.plan.steps import Step
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.layout import notice_page, step_href
from sigworkbook.workspace import UnreadablePlan, Workspace


class RepairNotice(widgets.VBox):
    """Names each field that is wrong and, for whoever may edit the SIG, puts back the last
    good value of each with one click (a new revision: the wrong values stay in the history)."""

    def __init__(
        self, workspace: Workspace, unreadable: UnreadablePlan, step: Step, author: str | None
    ) -> None:
        self.workspace = workspace
        self.sig_id = unreadable.sig_id
        self.author = author
        self.step = step
        items = Markup("").join(Markup("<li>{}</li>").format(p) for p in unreadable.problems)
        self.notice = widgets.HTML(
            notice_page(
                Markup(
                    "<p><strong>{}: the saved plan holds a value that cannot be right, so this "
                    "page cannot show it.</strong></p><ul>{}</ul><p>Every other SIG is "
                    "unaffected, and nothing has been lost: the history keeps every value.</p>"
                ).format(workspace.title(self.sig_id), items),
                "swb-notice--error swb-repair",
            )
        )
        self.result = widgets.HTML()
        parts: list[widgets.Widget] = [self.notice]
        if workspace.can_edit(self.sig_id) and not workspace.read_only:
            self.button = widgets.Button(
                description="Put back the last good values",
                button_style="primary",
                tooltip="Each field above gets the newest earlier value that is right",
            )
            on_click(self.button, self.repair, reads_typing=False)
            parts.append(self.button)
        else:
            parts.append(
                widgets.HTML(
                    '<p class="swb-help">Ask an editor of this SIG to open this page and put '
                    "back the last good values.</p>"
                )
            )
        parts.append(self.result)
        super().__init__(parts)

    def repair(self) -> None:
        """Put back the last good values and point to the page, or say why it could not."""
        try:
            self.workspace.repair(self.sig_id, author=self.author)
        except SigworkbookError as error:
            self.result.value = Markup('<p class="swb-error" role="alert">{}</p>').format(error)
            return
        self.button.disabled = True
        self.result.value = Markup(
            '<p class="swb-saved" role="status">Put back. '
            '<a href="{}">Open the page again</a> to go on.</p>'
        ).format(step_href(self.step, self.sig_id, self.author))
