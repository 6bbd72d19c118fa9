"""What organisers' webhooks are told of an approved booklet.

`booklet_approve` calls it inside the approval's transaction, so the call is owed
exactly when the approval commits, as every other event's (`tasks.webhooks`).
"""

from tasks.webhooks import Event, webhooks_emit

from .models import BookletApproval


def booklet_approved_webhook(approval: BookletApproval, user) -> None:
    webhooks_emit(
        Event.BOOKLET_APPROVED,
        {
            "booklet": {
                "meeting": approval.meeting_id,
                "version": approval.number,
                "approved_at": approval.approved_at.isoformat(),
                "approved_by": user.get_full_name() or user.get_username() if user else "",
            }
        },
    )
