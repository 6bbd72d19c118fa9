"""Benchmark of the synthesis booklet: 60 participants, 4 workshops, 500 post-its.

(a) The booklet, from the database to the PDF bytes (`booklet_data` then `booklet_pdf`,
    in French), against raw reportlab laying out the same paragraphs and tables (same
    font, same styles, same table structure, `repeatRows=1`) from plain rows fetched
    beforehand, with a bare `SimpleDocTemplate.build`: no contents, charts, footer,
    glyph check or database read. Median of paired rounds: at most 1.5×.
(b) The same booklet with 5 000 post-its: at most 12× the time of the 500-post-it one
    (median of paired rounds), i.e. it grows about linearly.
(c) Its editable copies, DOCX and ODT, of the 500-post-it booklet, against its PDF, each
    laid out from the same data read beforehand (`booklet_office` for both copies,
    `booklet_pdf`): the copies together in at most 2× the PDF's time (median of paired
    rounds).

Run it as `.venv/bin/python -m tests.bench.bench_booklet` (add `DATABASE_URL=postgres://…`
to read from PostgreSQL; a throwaway test database is made beside it). The data goes in
with bulk inserts, since creating it is not what is measured. It exits non-zero on a
missed floor.
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from tests.bench import _harness as harness

PARTICIPANTS = 60
WORKSHOPS = 4
SMALL, LARGE = 500, 5000
RATIO_FLOOR = 1.5
SCALING_FLOOR = 12.0
OFFICE_FLOOR = 2.0
SMALL_ROUNDS = 7
LARGE_ROUNDS = 3

ACTIONS = [
    "Création et diffusion d'un annuaire des référents Agenda 21 et des élus",
    "Mise en place de visites de terrain entre communes françaises et belges",
    "Création d'une carte interactive des projets transfrontaliers",
    "Organisation de cafés d'échanges thématiques dans différentes communes",
    "Élaboration de fiches techniques très concrètes sur des retours d'expériences",
    "Mise en place d'un « parrainage » entre collectivités débutantes et avancées",
    "Een gezamenlijke busverbinding tussen Kortrijk en Tourcoing",
    "Opleidingen voor schepenen en ambtenaren over klimaatplannen",
    "Un salon de l'emploi commun <b>& gratuit</b> 🚲",
]
OBJECTIVES = [
    "Connaître les référents des collectivités et faciliter les échanges",
    "Bénéficier des retours d'expériences des uns et des autres",
    "Valoriser les initiatives et rendre visible le réseau",
    "Elkaar beter leren kennen over de grens heen",
    "",
]


def _meeting_create(contributions: int):
    """A meeting with its participants (all checked in) and four workshops sharing
    `contributions` post-its: a tenth merged, a few hidden, some voted for."""
    from django.utils import timezone

    from meetings.models import Meeting, Organisation, Person, Programme
    from registrations.models import CheckIn, Registration
    from workshops.models import Contribution, Orientation, Question, Table, Vote, Workshop

    rng = random.Random(contributions)
    programme, _created = Programme.objects.get_or_create(
        year=2027, defaults={"title_fr": "Rencontres 2027", "status": "published"}
    )
    start = timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(
        programme=programme,
        title_fr=f"Rencontre de Mouscron ({contributions})",
        title_nl=f"Ontmoeting in Moeskroen ({contributions})",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue_name="Hôtel de ville",
        venue_city="Mouscron",
        venue_country="BE",
        capacity=100,
        status="published",
        next_steps_fr="Une synthèse sera proposée au comité technique. " * 5,
    )
    organisations = [
        Organisation.objects.get_or_create(
            name=f"Commune {n}",
            country="FR" if n % 2 else "BE",
            postcode=str(7000 + n),
            defaults={"kind": "municipality" if n % 5 else "agency"},
        )[0]
        for n in range(20)
    ]
    functions = [Person.Function.MAYOR, Person.Function.OFFICER, Person.Function.ALDERMAN]
    registrations = Registration.objects.bulk_create(
        Registration(
            meeting=meeting,
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            email=f"p{n}.{contributions}@example.org",
            function=functions[n % 3],
            organisation=organisations[n % 20],
            language="nl" if n % 3 == 0 else "fr",
            privacy_consent_at=start,
            status="confirmed",
        )
        for n in range(PARTICIPANTS)
    )
    CheckIn.objects.bulk_create(CheckIn(registration=r, method="scan") for r in registrations)
    per_workshop = contributions // WORKSHOPS
    for w in range(WORKSHOPS):
        workshop = Workshop.objects.create(
            meeting=meeting, title_fr=f"Atelier {w + 1}", title_nl=f"Workshop {w + 1}", order=w
        )
        questions = Question.objects.bulk_create(
            Question(workshop=workshop, order=q, text_fr=f"Question {q + 1} : comment ?")
            for q in range(3)
        )
        tables = Table.objects.bulk_create(
            Table(workshop=workshop, name=f"Table {t + 1}") for t in range(4)
        )
        orientations = Orientation.objects.bulk_create(
            Orientation(workshop=workshop, order=o, title_fr=f"Piste d'orientation {o + 1}")
            for o in range(5)
        )
        posts = Contribution.objects.bulk_create(
            Contribution(
                workshop=workshop,
                question=rng.choice(questions),
                table=rng.choice(tables),
                text=f"{rng.choice(ACTIONS)} (n° {w}-{n})",
                objective=rng.choice(OBJECTIVES),
                source="phone",
                orientation=rng.choice([*orientations, None]),
                hidden=n % 50 == 49,
            )
            for n in range(per_workshop)
        )
        for index in range(10, len(posts), 10):
            posts[index].merged_into = posts[index - 1]
        Contribution.objects.bulk_update(posts, ["merged_into"])
        Vote.objects.bulk_create(
            Vote(workshop=workshop, contribution=post, voter=f"v{voter}")
            for post in rng.sample(posts, min(30, len(posts)))
            for voter in range(rng.randint(1, 6))
        )
    return meeting


def _booklet(meeting_id: int) -> bytes:
    from reports.booklet import booklet_pdf
    from reports.booklet_data import booklet_data

    return booklet_pdf(booklet_data(meeting_id), "fr")


def _pdf(booklet) -> bytes:
    from reports.booklet import booklet_pdf

    return booklet_pdf(booklet, "fr")


def _office(booklet) -> None:
    from reports.booklet_office import FORMATS, booklet_office

    for kind in FORMATS:
        booklet_office(booklet, "fr", kind)


def _raw_rows(meeting_id: int):
    """Plain rows for the raw side, read before its clock starts."""
    from reports.booklet_data import booklet_data

    return booklet_data(meeting_id)


def _raw(booklet) -> bytes:
    """The same paragraphs (same markup) and tables, straight into reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    from events_site.kit import pdf
    from reports.booklet import ROWS_PER_TABLE, WIDTH

    pdf.font_family()  # registered once, as the booklet has it
    styles = pdf.styles()

    def para(text, style=styles.body):
        return Paragraph(escape(text), style)

    def lines(texts):
        return "<br/>".join(escape(text) for text in texts if text)

    story = [para(booklet.title["fr"], styles.title), PageBreak()]
    for section in booklet.workshops:
        story += [para(section.title["fr"], styles.h1), para(section.room, styles.small)]
        story += [para(f"{n}. {q['fr']}") for n, q in enumerate(section.questions, start=1)]
        story += [
            Paragraph(
                f"• {escape(item.text)} <font color='#5f6368'>({item.votes})</font>", styles.body
            )
            for item in section.strongest
        ]
        story += [para(f"• {item.text}") for group in section.highlights for item in group.items]
        header = [para(h, styles.cell) for h in ("Pistes", "Actions", "Objectifs")]
        for group in section.groups:
            title = group.title["fr"] if group.title else "Autres propositions"
            for start in range(0, len(group.items), ROWS_PER_TABLE):
                rows = [header] + [
                    [
                        para(title, styles.cell) if start + i == 0 else "",
                        Paragraph(lines([item.text, *(m.text for m in item.merged)]), styles.cell),
                        Paragraph(
                            lines([item.objective, *(m.objective for m in item.merged)]),
                            styles.cell,
                        ),
                    ]
                    for i, item in enumerate(group.items[start : start + ROWS_PER_TABLE])
                ]
                table = Table(rows, colWidths=[4 * cm, 7 * cm, WIDTH - 11 * cm], repeatRows=1)
                table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
                story.append(table)
        story.append(PageBreak())
    for section in booklet.workshops:
        story.append(para(section.title["fr"], styles.h2))
        for entry in section.annex:
            story.append(para(entry.question["fr"] if entry.question else "", styles.h2))
            for item in entry.items:
                text = f"• {escape(item.text)}"
                if item.objective:
                    text += f" <i>→ {escape(item.objective)}</i>"
                text += f" <font color='#5f6368'>({escape(item.table)}, {item.votes})</font>"
                story.append(Paragraph(text, styles.cell))
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-booklet-") as tmp:
        harness.environment_prepare(Path(tmp))
        import django

        django.setup()
        from django.db import connection

        _database_url, database_drop = harness.database_create()
        print(f"Booklet benchmark: database {connection.vendor}")
        try:
            small = _meeting_create(SMALL).pk
            large = _meeting_create(LARGE).pk
            _booklet(small)  # fonts, translations, imports
            raw_rows = _raw_rows(small)
            _raw(raw_rows)
            booklet_times, raw_times = [], []
            for _round in range(SMALL_ROUNDS):
                booklet_times.append(_timed(_booklet, small))
                raw_times.append(_timed(_raw, raw_rows))
            _office(raw_rows)
            office_times, pdf_times = [], []
            for _round in range(SMALL_ROUNDS):
                office_times.append(_timed(_office, raw_rows))
                pdf_times.append(_timed(_pdf, raw_rows))
            large_times, small_times = [], []
            for _round in range(LARGE_ROUNDS):
                small_times.append(_timed(_booklet, small))
                large_times.append(_timed(_booklet, large))
        finally:
            connection.close()
            database_drop()
    ratio = harness.paired_ratio(booklet_times, raw_times)
    growth = harness.paired_ratio(large_times, small_times)
    office = harness.paired_ratio(office_times, pdf_times)
    ratio_ok, growth_ok = ratio <= RATIO_FLOOR, growth <= SCALING_FLOOR
    office_ok = office <= OFFICE_FLOOR
    return harness.report(
        [
            (
                ratio_ok,
                f"(a) {SMALL} post-its, {PARTICIPANTS} participants, {WORKSHOPS} workshops: "
                f"booklet {statistics.median(booklet_times) * 1000:.0f} ms, raw reportlab "
                f"{statistics.median(raw_times) * 1000:.0f} ms (medians of {SMALL_ROUNDS}); "
                f"median ratio {ratio:.2f} (floor ≤ {RATIO_FLOOR}) "
                f"{'PASS' if ratio_ok else 'FAIL'}",
            ),
            (
                growth_ok,
                f"(b) {LARGE} post-its: booklet {statistics.median(large_times) * 1000:.0f} ms "
                f"against {statistics.median(small_times) * 1000:.0f} ms for {SMALL} (medians "
                f"of {LARGE_ROUNDS}); median ratio {growth:.2f} (floor ≤ {SCALING_FLOOR:.0f}) "
                f"{'PASS' if growth_ok else 'FAIL'}",
            ),
            (
                office_ok,
                f"(c) {SMALL} post-its: DOCX + ODT {statistics.median(office_times) * 1000:.0f} ms "
                f"against the PDF's {statistics.median(pdf_times) * 1000:.0f} ms (medians of "
                f"{SMALL_ROUNDS}); median ratio {office:.2f} (floor ≤ {OFFICE_FLOOR:.0f}) "
                f"{'PASS' if office_ok else 'FAIL'}",
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
