"""The reports' domain events, for the apps and integrations that act on them.

`booklet_approved` is sent with `meeting=`, `approval=` (the `BookletApproval`) and
`user=` (the organiser) once the approval has committed: its receivers act outside the
database (a webhook, a notice), and must never see an approval that was rolled back.
"""

from django.dispatch import Signal

booklet_approved = Signal()
