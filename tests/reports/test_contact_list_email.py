"""Closing a meeting sends, with the booklet, the contact list to whoever came and
shares their contact: in their language, as it stands when the email leaves."""

from io import BytesIO

from django.core import mail
from pypdf import PdfReader

from registrations.services.consents import contact_sharing_withdraw
from tests.booklet_review import booklet_approved_make
from tests.mail import text


def _by_address(messages) -> dict:
    return {m.to[0].split("<")[-1].rstrip(">").lower(): m for m in messages}


def _pdf(attachment) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(attachment[1])).pages)


def test_the_after_meeting_email_carries_the_list_to_those_who_share_only(
    contact_meeting, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = contact_meeting["meeting"]
    booklet_approved_make(meeting, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"/api/meetings/{meeting.pk}/close").status_code == 200
    sent = _by_address(mail.outbox)
    assert set(sent) == {
        "marie.dupont@lille.example",
        "sofie.claes@menen.example",
        contact_meeting["lea"].email,
    }

    marie = sent["marie.dupont@lille.example"]
    names = [a[0] for a in marie.attachments]
    assert names[1:] == [f"contacts-{meeting.pk}.pdf", f"contacts-{meeting.pk}.vcf"]
    assert marie.attachments[2][2] == "text/vcard"
    assert "<b>& Claes" in _pdf(marie.attachments[1])
    assert "coordonnées des autres participants" in text(marie)
    assert "/fr/me/" in text(marie)

    sofie = sent["sofie.claes@menen.example"]
    assert [a[0] for a in sofie.attachments][1:] == [
        f"contacten-{meeting.pk}.pdf",
        f"contacten-{meeting.pk}.vcf",
    ]
    assert "Contactlijst" in _pdf(sofie.attachments[1])
    assert "/nl/me/" in text(sofie)

    lea = sent[contact_meeting["lea"].email]
    assert len(lea.attachments) == 1  # the booklet alone
    assert "vCard" not in text(lea)


def test_a_consent_withdrawn_before_the_email_leaves_is_honoured(
    contact_meeting, api_client, organiser, django_capture_on_commit_callbacks
):
    meeting = contact_meeting["meeting"]
    booklet_approved_make(meeting, organiser)
    with django_capture_on_commit_callbacks() as callbacks:
        assert api_client.post(f"/api/meetings/{meeting.pk}/close").status_code == 200
    contact_sharing_withdraw([contact_meeting["sofie"]])
    for callback in callbacks:
        callback()

    sent = _by_address(mail.outbox)
    assert len(sent["sofie.claes@menen.example"].attachments) == 1
    marie = sent["marie.dupont@lille.example"]
    assert "Sofie" not in _pdf(marie.attachments[1])
