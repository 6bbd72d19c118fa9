"""The reports' domain events, for the apps and integrations that act on them.

`booklet_approved` is sent with `meeting=`, `approval=` (the `BookletApproval`) and
`user=` (the organiser) once the approval has committed: its receivers act outside the
database, and must never see an approval that was rolled back. The webhooks' call is
no receiver of it: it is written in the approval's own transaction (`reports.webhooks`).
"""

from django.dispatch import Signal

booklet_approved = Signal()
