"""One object of each kind, named as the paths of the URL map and the API name their ids,
so that tests walking every route reach past "not found"."""

from meetings.models import Document
from meetings.services.agenda import agenda_item_create
from registrations.services.registration import registration_create
from reports.models import BookletApproval, BookletApprovalFile, BookletApprovalJob
from reports.services import booklet_request
from tasks.models import Delivery, Webhook, WebhookCall
from tasks.webhooks.services import webhook_create
from tests.factories import OrganisationFactory, PersonFactory
from tests.registrations.conftest import registration_data
from workshops.models import OrientationProposal
from workshops.services.orientations import orientation_create
from workshops.services.plan import question_create, round_create
from workshops.services.polls import poll_option_create
from workshops.services.postits import contribution_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_create


def one_of_each(meeting) -> dict:
    """Ids by path parameter name, around `meeting` (published, with its pair)."""
    registration, _created = registration_create(meeting, data=registration_data())
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = question_create(workshop, text_fr="Comment relier nos communes ?")
    round_create(workshop, title_fr="Écriture", kind="silent", duration_s=300, question=question)
    tables_create(workshop, 2)
    orientation_create(workshop, title_fr="Transports")
    poll = round_create(
        workshop, title_fr="Sondage", kind="poll", duration_s=60, poll_mode="single"
    )
    option = poll_option_create(poll, label_fr="Oui")
    contribution = contribution_create(workshop, text="Un bus de nuit")
    # Its row alone: the grouping that makes proposals needs the text encoder.
    proposal = OrientationProposal.objects.create(workshop=workshop, title_fr="Mobilité")
    proposal.contributions.add(contribution)
    # Its row alone: these tests walk addresses, and a file would outlive their rollback.
    document = Document.objects.create(
        meeting=meeting,
        title_fr="Diaporama",
        kind=Document.Kind.SLIDES,
        language=Document.Language.FR,
        file="documents/world/slides.pdf",
        content_type="application/pdf",
    )
    item = agenda_item_create(
        meeting, starts_at=meeting.starts_at, duration_min=30, kind="welcome", title_fr="Accueil"
    )
    approval = BookletApproval.objects.create(meeting=meeting, number=1, inputs_hash="", data={})
    BookletApprovalJob.objects.create(approval=approval, status=BookletApprovalJob.Status.DONE)
    approved = BookletApprovalFile.objects.create(
        approval=approval, language="fr", audience="public", format="pdf", file="booklets/w.pdf"
    )
    return {
        "year": meeting.programme.year,
        "meeting_id": meeting.pk,
        "cofacilitator_id": meeting.cofacilitators.first().pk,
        "organisation_id": OrganisationFactory().pk,
        "person_id": PersonFactory().pk,
        "registration_id": registration.pk,
        "token": registration.manage_token,
        "delivery_id": Delivery.objects.first().pk,
        "job_id": booklet_request(meeting, "fr")[0].pk,
        "workshop_id": workshop.pk,
        "round_id": workshop.rounds.first().pk,
        "table_id": workshop.tables.first().pk,
        "question_id": workshop.questions.first().pk,
        "orientation_id": workshop.orientations.first().pk,
        "contribution_id": contribution.pk,
        "document_id": document.pk,
        "item_id": item.pk,
        "language": "fr",
        "file_id": approved.pk,
        "option_id": option.pk,
        "proposal_id": proposal.pk,
        "kind": "badges",
    }


def webhook_ids(owner) -> dict:
    """A webhook of `owner` (whose key walks the API) and a failed call of it."""
    webhook = webhook_create(owner, url="https://93.184.216.34/hook", events=Webhook.Event.values)
    call = WebhookCall.objects.create(
        webhook=webhook, event=Webhook.Event.CHECKIN_CREATED, payload={}, status="failed"
    )
    return {"webhook_id": webhook.pk, "call_id": call.pk}
