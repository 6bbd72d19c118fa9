"""The printable programme: what an organiser hands out and a town hall pins on its board."""

from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from events_site.kit import pdf
from meetings.cache import programme_generation
from meetings.models import AgendaItem, CoFacilitator, Meeting, Programme
from meetings.selectors import programme_get_published, programme_meetings
from tasks.outbox import enqueue_on_commit

# The key carries the generation, so a stale brochure is never read again; the timeout
# only bounds how long superseded copies linger in the cache.
CACHE_SECONDS = 7 * 24 * 3600
# A large brochure's build is queued once in this window per generation and language.
BUILD_WINDOW_S = 600
LABEL_WIDTH = 3.6 * cm


def brochure_payload(year: int, lang: str) -> bytes:
    """The brochure of a published programme, built once per programme change and language.

    Raises UnknownProgramme for a draft or missing year. The generation is read before
    the data: if a change commits while we build, the copy lands under the old
    generation, which nobody asks for any more, instead of passing for the new one.
    """
    generation = programme_generation()
    if generation is None:  # the cache is down: built for this request alone
        return programme_brochure(programme_get_published(year), lang)
    key = f"reports:brochure:{generation}:{year}:{lang}"
    payload = cache.get(key)
    if payload is None:
        payload = programme_brochure(programme_get_published(year), lang)
        cache.set(key, payload, CACHE_SECONDS)
    return payload


def brochure_for_visitor(year: int, lang: str) -> bytes | None:
    """The brochure for a visitor's request, or None while a large one is being built.

    From the cache when it holds this generation's; built here for a programme of up to
    `DOCUMENTS_AT_ONCE["brochure"]` meetings; a larger one is built by a worker
    (`tasks.brochure_build`, queued once per generation and language), and None tells
    the visitor to come back. Without a worker (eager mode) the job runs here and its
    brochure is answered. Raises UnknownProgramme for a draft or missing year.
    """
    generation = programme_generation()
    if generation is None:  # the cache is down: built for this request alone
        return programme_brochure(programme_get_published(year), lang)
    key = f"reports:brochure:{generation}:{year}:{lang}"
    payload = cache.get(key)
    if payload is not None:
        return payload
    if brochure_size(programme_get_published(year)) <= settings.DOCUMENTS_AT_ONCE["brochure"]:
        return brochure_payload(year, lang)
    if cache.add(f"reports:brochure-queued:{generation}:{year}:{lang}", True, BUILD_WINDOW_S):
        enqueue_on_commit("tasks.brochure_build", year, lang)
    return cache.get(key)


def brochure_size(programme: Programme) -> int:
    """The meetings a brochure shows (published and cancelled ones): what its build counts."""
    return programme.meetings.exclude(status=Meeting.Status.DRAFT).count()


def programme_brochure(programme: Programme, lang: str, on_progress=None) -> bytes:
    """Built inside `translation.override`, because modeltranslation picks title_fr or
    title_nl, and gettext its wording, by the language active when each field is read.
    `on_progress(done, total)` hears of each meeting laid out."""
    with translation.override(lang):
        styles = pdf.styles()
        meetings = programme_meetings(programme, with_agenda=True)
        story = _cover(programme, styles)
        if meetings:
            story.append(PageBreak())
            months = groupby(meetings, key=lambda m: m.local_starts_at.replace(day=1).date())
            done = 0
            for month, month_meetings in months:
                # Inside the first meeting's block, so a month never ends a page alone.
                heading = [Paragraph(capfirst(date_format(month, "F Y")), styles.h1)]
                for meeting in month_meetings:
                    story.append(KeepTogether(heading + _meeting(meeting, styles)))
                    heading = []
                    done += 1
                    if on_progress is not None:
                        story.append(_Laid(done, len(meetings), on_progress))
        else:
            story.append(
                Paragraph(
                    pdf.escape(_("No meeting has been published in this programme yet.")),
                    styles.body,
                )
            )
        return pdf.build_pdf(story, title=programme.title, lang=lang)


class _Laid(Flowable):
    """Nothing on the page: once drawn, the meeting before it is laid out, and the
    build's `on_progress` hears how many are. (reportlab's own progress counts
    flowables left, which goes back up each time a meeting's block is split.)"""

    def __init__(self, done: int, total: int, on_progress):
        super().__init__()
        self.done, self.total, self.on_progress = done, total, on_progress

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.on_progress(self.done, self.total)


def _cover(programme: Programme, styles: pdf.Styles) -> list:
    story = [
        Spacer(0, 5 * cm),
        Paragraph(pdf.escape(settings.SITE_NAME), styles.small),
        Spacer(0, 0.3 * cm),
        Paragraph(str(programme.year), styles.title),
        Paragraph(pdf.escape(programme.title), styles.title),
    ]
    if programme.introduction:
        story += [Spacer(0, 0.6 * cm), Paragraph(pdf.escape(programme.introduction), styles.body)]
    return story


def _meeting(meeting: Meeting, styles: pdf.Styles) -> list:
    title = pdf.escape(meeting.title)
    if meeting.is_cancelled:
        marker = pdf.escape(_("Cancelled").upper())
        title = f'<font color="{pdf.ALERT.hexval()}">{marker}</font> · <strike>{title}</strike>'
    parts = [
        Paragraph(title, styles.h2),
        Paragraph(
            f'<font color="{pdf.ACCENT.hexval()}"><b>{_when(meeting)}</b></font>', styles.body
        ),
    ]
    if meeting.host_organisation:
        parts.append(Paragraph(f"<i>{pdf.escape(meeting.in_partnership_with)}</i>", styles.body))
    if meeting.is_cancelled and meeting.cancellation_reason:
        parts.append(Paragraph(pdf.escape(meeting.cancellation_reason), styles.body))
    if meeting.description:
        parts += [Spacer(0, 0.15 * cm), Paragraph(pdf.escape(meeting.description), styles.body)]
    parts += [
        Spacer(0, 0.2 * cm),
        _details(meeting, styles),
        HRFlowable(width="100%", thickness=0.5, color=pdf.RULE, spaceBefore=4, spaceAfter=2),
    ]
    return parts


def _when(meeting: Meeting) -> str:
    """The day and hours in the meeting's own time zone.

    The zone is only named when its clock differs from the site's: Brussels and Paris
    always agree, and repeating "Europe/Paris" on every French meeting would be noise.
    """
    starts = meeting.local_starts_at
    when = _("%(day)s, %(start)s – %(end)s") % {
        "day": capfirst(date_format(starts, "l j F Y")),
        "start": time_format(starts),
        "end": time_format(meeting.local_ends_at),
    }
    if starts.utcoffset() != starts.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset():
        when += f" ({meeting.time_zone})"
    return pdf.escape(when)


def _details(meeting: Meeting, styles: pdf.Styles) -> Table:
    venue = ", ".join(
        part for part in (meeting.venue_name, meeting.venue_address, meeting.venue_city) if part
    )
    rows = [(_("Venue"), f"{pdf.escape(venue)} ({pdf.escape(meeting.venue_country.name)})")]
    if meeting.host_organisation:
        rows.append((_("Host"), pdf.escape(meeting.host_organisation.name)))
    themes = [theme.name for theme in meeting.themes.all()]
    if themes:
        rows.append((_("Themes"), pdf.escape(", ".join(themes))))
    languages = [
        str(translation.get_language_info(code)["name_translated"])
        for code in meeting.working_languages
    ]
    rows.append((_("Working languages"), pdf.escape(", ".join(languages))))
    agenda = [_agenda_line(item) for item in meeting.agenda_items.all()]
    if agenda:
        rows.append((_("Agenda"), "<br/>".join(agenda)))
    pair = [
        _cofacilitator(cofacilitator)
        for cofacilitator in meeting.cofacilitators.all()
        if cofacilitator.role == CoFacilitator.Role.CO_FACILITATOR
    ]
    if pair:
        rows.append((_("Co-facilitators"), "<br/>".join(pair)))
    rows.append((_("Seats"), str(meeting.capacity)))

    return pdf.label_value_table(
        [
            (Paragraph(pdf.escape(label), styles.cell_label), Paragraph(value, styles.cell))
            for label, value in rows
        ],
        LABEL_WIDTH,
        style=[("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)],
    )


def _agenda_line(item: AgendaItem) -> str:
    """A compact line: hours, title, place and speakers, "09:30–10:00 Accueil · Hall"."""
    line = f"{item.hours} <b>{pdf.escape(item.title)}</b>"
    place = item.room or item.address
    speakers = ", ".join(speaker.display_name for speaker in item.speakers.all())
    for extra in (place, speakers):
        if extra:
            line += f" · {pdf.escape(extra)}"
    return line


def _cofacilitator(cofacilitator: CoFacilitator) -> str:
    person = cofacilitator.person
    about = [str(person.get_function_display())]
    if person.organisation:
        about.append(f"{person.organisation.name} ({person.organisation.country.name})")
    return f"<b>{pdf.escape(person.full_name)}</b>, {pdf.escape(', '.join(about))}"
