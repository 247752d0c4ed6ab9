"""The network team's view of every SIG it may see: conveners, progress, last edit, listing sent."""

from __future__ import annotations

from sigworkbook.exports.network import SigSummary
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import CONVENER_ROLES
from sigworkbook.plan.steps import STEPS
from sigworkbook.store import Change, Submission
from sigworkbook.workspace import UnreadablePlan, Workspace


def summarise(workspace: Workspace) -> list[SigSummary]:
    """Every SIG the workspace's user may see, those sent for listing first (newest first),
    then the others by their last edit, newest first."""
    latest: dict[str, Submission] = {}
    for submission in workspace.submissions():  # newest first
        latest.setdefault(submission.sig_id, submission)
    summaries = []
    for sig_id in workspace.sig_ids():
        last = workspace.history(sig_id, limit=1)
        sent = latest.get(sig_id)
        try:
            loaded = workspace.load(sig_id)
        except UnreadablePlan as unreadable:
            summaries.append(_unreadable(workspace, unreadable, last, sent))
            continue
        plan = loaded.plan
        checks = check(plan)
        summaries.append(
            SigSummary(
                sig_id=sig_id,
                name=plan.identity.name,
                description=plan.identity.description,
                conveners=tuple(
                    p.name for p in plan.core_group.people if p.role in CONVENER_ROLES and p.name
                ),
                owners=tuple(m.user for m in workspace.members(sig_id) if m.role == "owner"),
                progress=tuple(
                    (
                        step,
                        checks[step.key].total - len(checks[step.key].gaps),
                        checks[step.key].total,
                    )
                    for step in STEPS
                    if checks[step.key].total
                ),
                revision=loaded.revision,
                last_edit=last[0].at if last else None,
                last_editor=last[0].author if last else None,
                submitted_at=sent.at if sent else None,
                submitted_by=sent.user if sent else None,
                submitted_revision=sent.revision if sent else None,
            )
        )
    summaries.sort(key=lambda s: s.last_edit.timestamp() if s.last_edit else 0, reverse=True)
    summaries.sort(key=lambda s: s.submitted_at.timestamp() if s.submitted_at else 0, reverse=True)
    return summaries


def _unreadable(
    workspace: Workspace,
    unreadable: UnreadablePlan,
    last: list[Change],
    sent: Submission | None,
) -> SigSummary:
    """A SIG whose stored plan cannot be read: listed with what is wrong, nothing else lost."""
    sig_id = unreadable.sig_id
    return SigSummary(
        sig_id=sig_id,
        name=workspace.title(sig_id),
        description="",
        conveners=(),
        owners=tuple(m.user for m in workspace.members(sig_id) if m.role == "owner"),
        progress=(),
        revision=workspace.revision(sig_id),
        last_edit=last[0].at if last else None,
        last_editor=last[0].author if last else None,
        submitted_at=sent.at if sent else None,
        submitted_by=sent.user if sent else None,
        submitted_revision=sent.revision if sent else None,
        needs_repair="; ".join(str(problem) for problem in unreadable.problems),
    )
