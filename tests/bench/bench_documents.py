"""Benchmark of the organisers' documents at the size of a whole network.

(a) Badges, per badge: the sheet drawn on the canvas (`registrations.tickets.badges_pdf`)
    against the platypus sheet it replaced (a table, six paragraphs and a shrinking frame
    a badge, each QR code with the best of eight masks), reproduced below, on the same
    400 confirmed registrations read from the database. Median of paired rounds: the old
    sheet takes at least 5× as long.
(b) The badge sheet of 10 000 confirmed registrations, from the database to the PDF
    bytes, built in this process: under 10 s (median of 3), printed with its time a badge
    against the platypus sheet's of (a) and the load average it ran under.
(c) Each document that an organiser's link builds in the request up to a size
    (`settings.DOCUMENTS_AT_ONCE`), at that size: under 1 s, so that only larger ones
    need a job. Median of 3.

Run it as `.venv/bin/python -m tests.bench.bench_documents` (add `DATABASE_URL=postgres://…`
to read from PostgreSQL; a throwaway test database is made beside it). It exits non-zero
on a missed floor.
"""

import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from tests.bench import _harness as harness

SAMPLE = 400
NETWORK = 10_000
RATIO_FLOOR = 5.0
NETWORK_CEILING_S = 10.0
AT_ONCE_CEILING_S = 1.0
ROUNDS = 5
NETWORK_ROUNDS = 3


def _meeting_create(size: int, title: str):
    """A published meeting of `size` confirmed registrations, in both languages, with
    names and organisations of every length, some of them hostile."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import Meeting, Programme
    from registrations.models import Registration, ticket_secret

    programme = Programme.objects.order_by("pk").first()
    start = timezone.now() + timedelta(days=30)
    meeting = Meeting.objects.create(
        programme=programme,
        title_fr=f"Rencontre {title}",
        title_nl=f"Ontmoeting {title}",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue_name="Hôtel de ville",
        venue_city="Mouscron",
        venue_country="BE",
        capacity=size,
        status=Meeting.Status.PUBLISHED,
    )
    _programme, _themes, organisations = harness_programme()
    functions = ["mayor", "burgomaster", "alderman", "officer"]
    Registration.objects.bulk_create(
        (
            Registration(
                meeting=meeting,
                first_name=("Zoë", "Jean-Baptiste", "Els", "<b>Anne & Co</b>")[n % 4],
                last_name=f"Van den Broeck-Lefebvre {n}" if n % 7 == 0 else f"Nom{n}",
                email=f"p{n}@example.org",
                function=functions[n % 4],
                organisation=organisations[n % len(organisations)],
                language=("fr", "nl")[n % 2],
                privacy_consent_at=start,
                status=Registration.Status.CONFIRMED,
                ticket_secret=ticket_secret(),
            )
            for n in range(size)
        ),
        batch_size=1000,
    )
    return meeting


_programme_cache: list = []


def harness_programme():
    if not _programme_cache:
        _programme_cache.append(harness.programme_create(2027))
    return _programme_cache[0]


def _platypus_badges(meeting) -> bytes:
    """The badge sheet as it was built before (commit 85096dc), for the ratio."""
    from django.conf import settings
    from django.utils import translation
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        KeepInFrame,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    from events_site.kit import pdf
    from registrations import tickets

    def cut_lines(canvas, document):
        tickets._BadgeSheet(canvas).cut_lines()

    def badge(registration, styles):
        with translation.override(registration.language or settings.LANGUAGE_CODE):
            name = pdf.styles().h1
            name.spaceBefore = 0
            name.fontName = pdf.FACES["bold"][0]
            name.textColor = pdf.INK
            name.fontSize, name.leading = 15, 18
            country = registration.country
            details = " · ".join(
                part
                for part in (
                    country.name if country else "",
                    tickets._language_name(registration.language),
                )
                if part
            )
            facts = [
                Paragraph(pdf.escape(registration.first_name), name),
                Paragraph(pdf.escape(registration.last_name.upper()), name),
                Spacer(0, 2 * mm),
                Paragraph(pdf.escape(registration.get_function_display()), styles.body),
                Paragraph(f"<b>{pdf.escape(registration.organisation_label)}</b>", styles.body),
                Paragraph(pdf.escape(details), styles.small),
            ]
        inner = tickets.BADGE_WIDTH - 2 * tickets.BADGE_PADDING
        table = Table(
            [[facts, tickets.QRCode(registration.ticket_secret, tickets.BADGE_QR)]],
            colWidths=[inner - tickets.BADGE_QR, tickets.BADGE_QR],
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (0, 0), "TOP"),
                    ("VALIGN", (1, 0), (1, 0), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        height = tickets.BADGE_HEIGHT - 2 * tickets.BADGE_PADDING
        return [KeepInFrame(inner, height, [table], mode="shrink"), FrameBreak()]

    with translation.override("fr"):
        styles = pdf.styles()
        frames = []
        for index in range(tickets.BADGES_PER_PAGE):
            x, y = tickets._badge_origin(index)
            frames.append(
                Frame(
                    x + tickets.BADGE_PADDING,
                    y + tickets.BADGE_PADDING,
                    tickets.BADGE_WIDTH - 2 * tickets.BADGE_PADDING,
                    tickets.BADGE_HEIGHT - 2 * tickets.BADGE_PADDING,
                    leftPadding=0,
                    rightPadding=0,
                    topPadding=0,
                    bottomPadding=0,
                    id=f"badge{index}",
                )
            )
        buffer = BytesIO()
        document = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=pdf.printable(meeting.title),
            lang="fr",
            initialFontName=pdf.font_family().name,
            pageTemplates=[PageTemplate(id="badges", frames=frames, onPage=cut_lines)],
        )
        story = []
        for registration in tickets._badge_registrations(meeting):
            story += badge(registration, styles)
        story.pop()
        document.build(story)
        return buffer.getvalue()


def _badges(meeting) -> bytes:
    from registrations.tickets import badges_pdf

    return badges_pdf(meeting, lang="fr")


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _at_once(meetings: dict) -> list[tuple[bool, str]]:
    """(c): every kind at its `DOCUMENTS_AT_ONCE` size, built as its link builds it."""
    from django.conf import settings

    from reports.document_kinds import KINDS
    from reports.models import DocumentJob
    from workshops.models import Table, Workshop

    lines = []
    for kind, spec in KINDS.items():
        if kind == DocumentJob.Kind.BROCHURE:
            continue  # a programme's: `_brochure_at_once`, as its public link builds it
        limit, workshop = settings.DOCUMENTS_AT_ONCE[kind], None
        if kind == "table_cards":
            meeting = meetings[SAMPLE]
            workshop = Workshop.objects.create(meeting=meeting, title_fr="Atelier", order=0)
            Table.objects.bulk_create(
                Table(workshop=workshop, name=f"Table {n}") for n in range(limit)
            )
        else:
            if limit not in meetings:
                meetings[limit] = _meeting_create(limit, f"at once {limit}")
            meeting = meetings[limit]
        job = DocumentJob(kind=kind, meeting=meeting, workshop=workshop, language="fr")
        size = spec.size(job)
        spec.build(job, None)  # imports and fonts
        seconds = statistics.median(_timed(spec.build, job, None) for _round in range(3))
        passed = seconds < AT_ONCE_CEILING_S
        lines.append(
            (
                passed,
                f"(c) {kind} at its threshold, {size}: {seconds * 1000:.0f} ms "
                f"({seconds / size * 1000:.2f} ms each; {size / seconds:.0f} in 1 s) "
                f"(ceiling {AT_ONCE_CEILING_S:.0f} s) {'PASS' if passed else 'FAIL'}",
            )
        )
    lines.append(_brochure_at_once())
    return lines


def _brochure_at_once() -> tuple[bool, str]:
    """(c) for the public brochure: a programme of `DOCUMENTS_AT_ONCE["brochure"]`
    published meetings, built as its link builds it on a cold cache."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from meetings.models import Meeting
    from reports.brochure import programme_brochure

    programme = harness_programme()[0]
    limit = settings.DOCUMENTS_AT_ONCE["brochure"]
    have = programme.meetings.exclude(status=Meeting.Status.DRAFT).count()
    start = timezone.now() + timedelta(days=40)
    Meeting.objects.bulk_create(
        Meeting(
            programme=programme,
            title_fr=f"Rencontre <b>& n° {n}</b>",
            title_nl=f"Ontmoeting n° {n}",
            starts_at=start + timedelta(days=n % 300),
            ends_at=start + timedelta(days=n % 300, hours=3),
            venue_name="Hôtel de ville",
            venue_city="Mouscron",
            venue_country="BE",
            capacity=80,
            status=Meeting.Status.PUBLISHED,
        )
        for n in range(max(0, limit - have))
    )
    size = programme.meetings.exclude(status=Meeting.Status.DRAFT).count()
    programme_brochure(programme, "fr")
    seconds = statistics.median(_timed(programme_brochure, programme, "fr") for _round in range(3))
    passed = seconds < AT_ONCE_CEILING_S
    return (
        passed,
        f"(c) brochure at its threshold, {size} meetings: {seconds * 1000:.0f} ms "
        f"({seconds / size * 1000:.2f} ms each; {size / seconds:.0f} in 1 s) "
        f"(ceiling {AT_ONCE_CEILING_S:.0f} s) {'PASS' if passed else 'FAIL'}",
    )


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        harness.environment_prepare(Path(tmp))
        import django

        django.setup()
        from django.db import connection

        _database_url, database_drop = harness.database_create()
        print(f"Documents benchmark: database {connection.vendor}, load average {_load()}")
        try:
            harness_programme()
            sample = _meeting_create(SAMPLE, "sample")
            network = _meeting_create(NETWORK, "network")
            _badges(sample)  # fonts, translations, imports
            _platypus_badges(sample)
            new_times, old_times = [], []
            for _round in range(ROUNDS):
                new_times.append(_timed(_badges, sample))
                old_times.append(_timed(_platypus_badges, sample))
            network_times = [_timed(_badges, network) for _round in range(NETWORK_ROUNDS)]
            network_load = _load()
            at_once = _at_once({SAMPLE: sample, NETWORK: network})
        finally:
            connection.close()
            database_drop()
    ratio = harness.paired_ratio(old_times, new_times)
    new_badge = statistics.median(new_times) / SAMPLE * 1000
    old_badge = statistics.median(old_times) / SAMPLE * 1000
    network_time = statistics.median(network_times)
    network_badge = network_time / NETWORK * 1000
    return harness.report(
        [
            (
                ratio >= RATIO_FLOOR,
                f"(a) badges, {SAMPLE} a sheet: {new_badge:.2f} ms a badge drawn on the "
                f"canvas, {old_badge:.2f} ms with platypus (medians of {ROUNDS}); median "
                f"ratio old ÷ new {ratio:.1f} (floor ≥ {RATIO_FLOOR:.0f}) "
                f"{'PASS' if ratio >= RATIO_FLOOR else 'FAIL'}",
            ),
            (
                network_time < NETWORK_CEILING_S,
                f"(b) {NETWORK} badges: {network_time:.1f} s (median of {NETWORK_ROUNDS}; "
                f"target < {NETWORK_CEILING_S:.0f} s), {network_badge:.2f} ms a badge, "
                f"{old_badge / network_badge:.1f}× faster a badge than the platypus sheet "
                f"of (a); load average {network_load} "
                f"{'PASS' if network_time < NETWORK_CEILING_S else 'FAIL'}",
            ),
            *at_once,
        ],
        started,
    )


if __name__ == "__main__":
    sys.exit(main())
