"""The seating plan and the printable table cards, for the meeting's facilitators."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings.auth import api_key_or_session

from .errors import WorkshopsError
from .models import Workshop
from .printouts import table_cards_pdf, table_link
from .seating import present_registrations, seating_gaps, seating_plan, seating_plan_make
from .views import workshop_view


@require_http_methods(["GET", "POST"])
@workshop_view()
def plan(request, workshop: Workshop):
    if request.method == "POST":
        try:
            seating_plan_make(workshop)
        except WorkshopsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("A new seating plan is ready."))
        return redirect("seating:plan", workshop.pk)
    tables = seating_plan(workshop)
    return render(
        request,
        "workshops/seating/plan.html",
        {
            "workshop": workshop,
            "tables": [
                (table, people, table_link(table.token)) for table, people in tables.items()
            ],
            "gaps": seating_gaps(workshop, tables),
            "present": present_registrations(workshop).count(),
        },
    )


@api_key_or_session
@workshop_view()
def cards(request, workshop: Workshop):
    """Built here up to `DOCUMENTS_AT_ONCE["table_cards"]` tables; more lead to the page
    where a worker builds them (the reports app's document jobs)."""
    if workshop.tables.count() > settings.DOCUMENTS_AT_ONCE["table_cards"]:
        job_page = reverse("reports:document_job", args=[workshop.meeting_id, "table_cards"])
        return redirect(f"{job_page}?workshop={workshop.pk}")
    lang = translation.get_language()
    response = HttpResponse(table_cards_pdf(workshop, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tables-{workshop.pk}-{lang}.pdf"'
    return response
