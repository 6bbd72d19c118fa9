"""The contact list of a meeting (seed 001: "disposer des contacts utiles"), as a PDF to
read or print and as vCards that phones and Outlook import.

Both are made for one reader, in their language, from the list as it stands when they
are served (`selectors.contact_list`): whoever withdrew their consent is in no list
made afterwards. The reader is not in their own list.
"""

from dataclasses import dataclass

import vobject
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from events_site.kit import pdf

from . import selectors
from .models import Registration

PDF = "application/pdf"
VCARD = "text/vcard"


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str
    function: str
    organisation: str
    commune: str
    country: str
    email: str
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def commune(registration: Registration) -> str:
    """The city of an organisation in the directory; one typed on the form has none."""
    return registration.organisation.city if registration.organisation_id else ""


def phone(registration: Registration) -> str:
    """The directory's, when the person is in it and gave one: the form asks for none."""
    return registration.person.phone if registration.person_id else ""


def _contact(registration: Registration) -> Contact:
    """What the list says of one participant, in the active language."""
    country = registration.country
    return Contact(
        first_name=registration.first_name,
        last_name=registration.last_name,
        function=registration.get_function_display(),
        organisation=registration.organisation_label,
        commune=commune(registration),
        country=str(country.name) if country else "",
        email=registration.email,
        phone=phone(registration),
    )


def contacts_for(reader: Registration, attendees: list[Registration]) -> list[Contact]:
    """The list `reader` receives: everyone else in `attendees`, in the active language."""
    return [_contact(other) for other in attendees if other.pk != reader.pk]


def contact_list_pdf(reader: Registration, attendees: list[Registration], language: str) -> bytes:
    meeting = reader.meeting
    with translation.override(language):
        styles = pdf.styles()
        title = _("Contact list: %(title)s") % {"title": meeting.title}
        story = [
            Paragraph(pdf.escape(title), styles.h1),
            Paragraph(
                pdf.escape(
                    _(
                        "%(date)s, %(city)s. The participants who came and agreed to "
                        "share their contact with each other. Keep it for your work "
                        "together: do not pass it on."
                    )
                    % {
                        "date": date_format(meeting.local_starts_at, "DATE_FORMAT"),
                        "city": meeting.venue_city,
                    }
                ),
                styles.small,
            ),
            Spacer(1, 8),
        ]
        contacts = contacts_for(reader, attendees)
        if not contacts:
            story.append(Paragraph(pdf.escape(_("Nobody else shared their contact.")), styles.body))
        for contact in contacts:
            lines = [
                ", ".join(filter(None, (contact.function, contact.organisation))),
                ", ".join(filter(None, (contact.commune, contact.country))),
                contact.email,
                contact.phone,
            ]
            story.append(
                KeepTogether(
                    [
                        Paragraph(pdf.escape(contact.full_name), styles.h2),
                        *(Paragraph(pdf.escape(line), styles.body) for line in lines if line),
                    ]
                )
            )
        return pdf.build_pdf(story, title=title, lang=language)


def contact_list_vcards(
    reader: Registration, attendees: list[Registration], language: str
) -> bytes:
    """One vCard 3.0 per person, one after the other in a single file: what phones and
    Outlook import in one go."""
    with translation.override(language):
        contacts = contacts_for(reader, attendees)
    cards = []
    for contact in contacts:
        card = vobject.vCard()
        card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
        card.add("fn").value = contact.full_name
        if contact.organisation:
            card.add("org").value = [contact.organisation]
        if contact.function:
            card.add("title").value = contact.function
        email = card.add("email")
        email.value = contact.email
        email.type_param = "INTERNET"
        if contact.phone:
            card.add("tel").value = contact.phone
        if contact.commune or contact.country:
            card.add("adr").value = vobject.vcard.Address(
                city=contact.commune, country=contact.country
            )
        cards.append(card.serialize())
    return "".join(cards).encode()


FORMATS = {"pdf": (contact_list_pdf, PDF), "vcf": (contact_list_vcards, VCARD)}


def contact_list_file(
    reader: Registration, extension: str, language: str, attendees: list[Registration]
) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of the list in one of `FORMATS`."""
    build, content_type = FORMATS[extension]
    with translation.override(language):
        filename = _("contacts-%(meeting)s") % {"meeting": reader.meeting_id}
    return f"{filename}.{extension}", build(reader, attendees, language), content_type


def contact_list_files(reader: Registration, language: str, attendees=None) -> list[tuple]:
    """The list in every format, for whoever is entitled to it (`selectors.
    contact_list_entitled`); nothing for anyone else. `attendees` saves reading the list
    again when many readers are served from one read."""
    if not selectors.contact_list_entitled(reader):
        return []
    if attendees is None:
        attendees = selectors.contact_list(reader.meeting_id)
    return [contact_list_file(reader, extension, language, attendees) for extension in FORMATS]
