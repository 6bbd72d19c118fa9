"""Every page passes axe-core, in French and in Dutch, with no serious or critical violation.

One browser context walks the public pages, then the participant's, then a facilitator's,
then an organiser's (the admin pages they use included), and runs axe-core on each, from
the npm package pinned in `.ci/js/package.json`. The test prints a table of pages ×
violations by impact: the accessibility statement's audit results are this table.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from events_site.views import ACCESSIBILITY_AUDIT
from meetings.models import Organisation, Person
from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import meeting_cancel, meeting_close
from meetings.services.signin import person_user
from registrations.services.registration import registration_create
from tests.booklet_review import booklet_approved_make
from tests.e2e.conftest import sign_in
from tests.factories import MeetingFactory, cross_border_pair
from tests.registrations.conftest import registration_data
from tests.world import webhook_ids
from workshops.services.plan import question_create, round_create
from workshops.services.polls import poll_answer, poll_option_create, words_send
from workshops.services.postits import contribution_create
from workshops.services.tables import table_create
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_close, workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / ".ci" / "js" / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
# What stops the test: a violation of these impacts, on any page.
BLOCKING = {"critical", "serious"}
# The moderate and minor rules let through, each with its reason; any other one stops
# the test too, so that none creeps in unnoticed.
ACCEPTED = {
    # Django's tabular inlines (a meeting's co-facilitators and agenda, an item's
    # speakers) head with nothing their first column, which holds the row's hidden
    # fields and its "view on site" link.
    "empty-table-header": "Django's admin template",
}


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run npm ci --prefix .ci/js")
    return AXE.read_text()


def _audit(page, source: str) -> list[dict]:
    """axe-core's violations on the page as it stands (its scripts done)."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the browser's debugging protocol, which the page's
        # Content-Security-Policy does not govern, unlike an injected <script>.
        page.evaluate(source)
    return page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.length,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )


# The clock stopped, the countdown shown in one phase, as both screens' scripts show it.
SHOW_PHASE = """async ([remainingMs, phase]) => {
    window.workshopClock.stop();
    const common = await import("/static/workshops/common.js");
    const text = common.readJson("screen-text");
    const status = phase === "ended" ? (text.time_is_up.fr || text.time_is_up) : "";
    common.showCountdown(document.getElementById("screen"), remainingMs, phase, status, text);
}"""


def _table(rows: list[tuple[str, list[dict]]]) -> str:
    width = max(len(name) for name, _violations in rows)
    lines = [f"{'page':<{width}}  " + "  ".join(f"{i:>8}" for i in IMPACTS) + "  rules"]
    for name, violations in rows:
        counts = [sum(1 for v in violations if v["impact"] == impact) for impact in IMPACTS]
        rules = ", ".join(f"{v['id']}({v['impact'][:3]})" for v in violations)
        lines.append(f"{name:<{width}}  " + "  ".join(f"{c:>8}" for c in counts) + f"  {rules}")
    return "\n".join(lines)


def _world(meeting, closed, organiser):
    """Something on every page: a registration, a cancelled and a closed meeting (its
    booklet approved), a new and a running workshop with a table and a post-it."""
    cancelled = MeetingFactory(programme=meeting.programme, title_fr="Rencontre annulée")
    cross_border_pair(cancelled)
    meeting_cancel(cancelled, reason="Salle indisponible")
    _answered(workshop_create(closed, title_fr="Mobilité", title_nl="Mobiliteit"))
    booklet_approved_make(closed, organiser)
    meeting_close(closed)

    visit = agenda_item_create(
        meeting,
        starts_at=meeting.starts_at,
        duration_min=45,
        kind="site_visit",
        title_fr="Visite de la passerelle",
        title_nl="Bezoek aan de fietsbrug",
        address="Rue du Pont 1, Mouscron",
        speakers=[{"person": meeting.cofacilitators.first().person}],
    )
    new = workshop_create(meeting, title_fr="Emploi", title_nl="Werk")
    running = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    question = question_create(
        running, text_fr="Comment se déplacer ?", text_nl="Hoe verplaatsen we ons?"
    )
    round_create(
        running, title_fr="Écriture", title_nl="Schrijven", duration_s=300, question=question
    )
    table = table_create(running, "Table 1")
    contribution_create(running, text="Un bus de nuit", source="transcribed")
    timer_act(running, "start")
    closed_workshop = workshop_create(meeting, title_fr="Santé", title_nl="Gezondheid")
    workshop_close(closed_workshop)
    return {
        **_voice(meeting),
        **webhook_ids(organiser),
        "cancelled": cancelled,
        "closed": closed,
        "new": new,
        "running": running,
        "agenda item": visit,
        "closed workshop": closed_workshop,
        "table": table,
        "person": Person.objects.order_by("pk").first(),
        "organisation": Organisation.objects.order_by("pk").first(),
    }


def _answered(workshop) -> None:
    """A poll and a word cloud the room answered: the results page shows their bars and
    the cloud's inline SVG."""
    poll = round_create(workshop, title_fr="Sondage", title_nl="Peiling", kind="poll")
    option = poll_option_create(poll, label_fr="Oui", label_nl="Ja")
    poll_option_create(poll, label_fr="Non", label_nl="Nee")
    words = round_create(workshop, title_fr="Un mot", title_nl="Eén woord", kind="words")
    timer_act(workshop, "start", round_id=poll.pk)
    poll_answer(poll, "phone:1", options=[option.pk])
    timer_act(workshop, "start", round_id=words.pk)
    words_send(words, "phone:1", ["mobilité", "mobiliteit", "<b>&"])
    workshop_close(workshop)


def _voice(meeting) -> dict:
    """A workshop whose words round is over and whose poll runs, revealed and answered
    (its console shows both, its projector the bars), and one whose cloud is on."""
    voice = workshop_create(meeting, title_fr="Culture", title_nl="Cultuur")
    words = round_create(voice, title_fr="Un mot", title_nl="Eén woord", kind="words")
    poll = round_create(voice, title_fr="Sondage", title_nl="Peiling", kind="poll")
    option = poll_option_create(poll, label_fr="Musées", label_nl="Musea")
    poll_option_create(poll, label_fr="Festivals", label_nl="Festivals")
    voice_table = table_create(voice, "Table 1")
    timer_act(voice, "start", round_id=words.pk)
    words_send(words, "phone:1", ["patrimoine", "erfgoed", "<b>&"])
    timer_act(voice, "start", round_id=poll.pk)
    poll_answer(poll, "phone:1", options=[option.pk])
    cloud = workshop_create(meeting, title_fr="Climat", title_nl="Klimaat")
    cloud_words = round_create(cloud, title_fr="Un mot", title_nl="Eén woord", kind="words")
    timer_act(cloud, "start", round_id=cloud_words.pk)
    words_send(cloud_words, "phone:1", ["arbres", "bomen", "vélo 🚲"])
    return {"voice": voice, "voice table": voice_table, "cloud": cloud}


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def _register_in_browser(page, url: str, email: str) -> None:
    """The form sent as a person would: the confirmation is the manage page it lands on."""
    page.goto(url)
    page.fill("input[name=first_name]", "Lotte")
    page.fill("input[name=last_name]", "De Smet")
    page.fill("input[name=email]", email)
    page.select_option("select[name=function]", "alderman")
    page.fill("input[name=organisation_name]", "Stad Kortrijk")
    page.select_option("select[name=organisation_country]", "BE")
    page.check("input[name=privacy_consent]")
    page.click("form.registration-form button[type=submit]")
    page.wait_for_selector(".status-confirmed")


def test_every_page_passes_axe_in_french_and_dutch(
    live_server, browser, meeting, started_meeting, organiser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the booklets the closes build
    source = _axe_source()
    world = _world(meeting, started_meeting, organiser)
    workshop, table = world["running"], world["table"]
    facilitator = person_user(meeting.cofacilitators.order_by("pk").first().person)
    year = meeting.programme.year
    context = browser.new_context()
    page = context.new_page()
    rows: list[tuple[str, list[dict]]] = []

    def audit_phases(name: str) -> None:
        """The amber of the last minute and the end's colours keep their contrast."""
        for remaining_ms, phase in ((30_000, "last-minute"), (0, "ended")):
            page.evaluate(SHOW_PHASE, [remaining_ms, phase])
            audit(f"{name}, {phase}")

    def audit(name: str, path: str | None = None) -> None:
        if path is not None:
            response = page.goto(live_server.url + path)
            # The closed registration form answers 409, as the API would.
            assert response.status in (200, 409), (path, response.status)
        rows.append((name, _audit(page, source)))

    for lang in ("fr", "nl"):
        kept, _created = registration_create(
            meeting, data=registration_data(email=f"kept-{lang}@example.org", language=lang)
        )
        leaving, _created = registration_create(
            meeting, data=registration_data(email=f"leaving-{lang}@example.org", language=lang)
        )
        context.clear_cookies()
        for name, path in [
            ("programme", f"/{lang}/programme/{year}/"),
            ("meeting", f"/{lang}/meetings/{meeting.pk}/"),
            ("archive", f"/{lang}/archive/"),
            ("meeting cancelled", f"/{lang}/meetings/{world['cancelled'].pk}/"),
            ("registration form", f"/{lang}/meetings/{meeting.pk}/register/"),
            ("registration closed", f"/{lang}/meetings/{world['cancelled'].pk}/register/"),
            ("results", f"/{lang}/meetings/{world['closed'].pk}/results/"),
            ("sign-in", f"/{lang}/signin/"),
            ("accessibility statement", f"/{lang}/accessibility/"),
            ("privacy notice", f"/{lang}/privacy/"),
            ("manage", f"/{lang}/r/{kept.manage_token}/"),
            ("cancel", f"/{lang}/r/{leaving.manage_token}/cancel/"),
            ("phone", f"/{lang}/t/{table.token}/"),
            ("phone, poll", f"/{lang}/t/{world['voice table'].token}/"),
        ]:
            audit(f"{lang} {name}", path)
        audit_phases(f"{lang} phone")
        _register_in_browser(
            page,
            f"{live_server.url}/{lang}/meetings/{meeting.pk}/register/",
            f"new-{lang}@kortrijk.example",
        )
        audit(f"{lang} confirmation")
        page.goto(f"{live_server.url}/{lang}/r/{leaving.manage_token}/cancel/")
        page.click("form button[type=submit]")
        page.wait_for_selector(".status-cancelled")
        audit(f"{lang} manage, cancelled")

        sign_in(page, live_server, facilitator)
        for name, path in [
            ("facilitate", f"/{lang}/facilitate/"),
            ("console, new", f"/{lang}/facilitate/workshops/{world['new'].pk}/"),
            ("console, running", f"/{lang}/facilitate/workshops/{workshop.pk}/"),
            ("seating", f"/{lang}/facilitate/workshops/{workshop.pk}/seating/"),
            ("booklet review, draft", f"/{lang}/meetings/{meeting.pk}/booklet/review/"),
            ("my space", f"/{lang}/me/"),
            ("my data", f"/{lang}/me/data/"),
            ("erase my data", f"/{lang}/me/erase/"),
            ("console, polls", f"/{lang}/facilitate/workshops/{world['voice'].pk}/"),
            ("projector, poll", f"/{lang}/screen/workshops/{world['voice'].pk}/"),
            ("projector, words", f"/{lang}/screen/workshops/{world['cloud'].pk}/"),
            ("projector", f"/{lang}/screen/workshops/{workshop.pk}/"),  # its phases follow
        ]:
            audit(f"{lang} {name}", path)
        audit_phases(f"{lang} projector")
        audit(
            f"{lang} projector, closed workshop",
            f"/{lang}/screen/workshops/{world['closed workshop'].pk}/",
        )
        # Its message fills the wall, not a band under an empty heading.
        banner = page.locator("#closed-banner").bounding_box()
        assert banner["height"] == page.viewport_size["height"]
        assert not page.locator("#round-title").is_visible()

        sign_in(page, live_server, organiser)
        admin = f"/{lang}/admin"
        for name, path in [
            ("door", f"/{lang}/door/meetings/{meeting.pk}/"),
            ("booklet", f"/{lang}/meetings/{world['closed'].pk}/booklet/"),
            ("booklet review, approved", f"/{lang}/meetings/{world['closed'].pk}/booklet/review/"),
            ("document job", f"/{lang}/meetings/{meeting.pk}/documents/badges/"),
            ("brochure job", f"/{lang}/programme/{meeting.programme.year}/brochure/"),
            ("admin", f"{admin}/"),
            ("admin meetings", f"{admin}/meetings/meeting/"),
            ("admin meeting", f"{admin}/meetings/meeting/{meeting.pk}/change/"),
            ("admin meeting add", f"{admin}/meetings/meeting/add/"),
            ("admin agenda item", f"{admin}/meetings/agendaitem/{world['agenda item'].pk}/change/"),
            ("admin people", f"{admin}/meetings/person/"),
            ("admin person", f"{admin}/meetings/person/{world['person'].pk}/change/"),
            ("admin organisations", f"{admin}/meetings/organisation/"),
            (
                "admin organisation",
                f"{admin}/meetings/organisation/{world['organisation'].pk}/change/",
            ),
            ("admin documents", f"{admin}/meetings/document/"),
            ("admin invitations", f"{admin}/registrations/invitation/"),
            ("admin invite", f"{admin}/registrations/invitation/invite/"),
            ("admin workshops", f"{admin}/workshops/workshop/"),
            ("admin workshop", f"{admin}/workshops/workshop/{workshop.pk}/change/"),
            ("admin webhooks", f"{admin}/tasks/webhook/"),
            ("admin webhook", f"{admin}/tasks/webhook/{world['webhook_id']}/change/"),
            ("admin webhook calls", f"{admin}/tasks/webhookcall/"),
            ("admin webhook call", f"{admin}/tasks/webhookcall/{world['call_id']}/change/"),
        ]:
            audit(f"{lang} {name}", path)

    context.close()
    print("\n" + _table(rows))
    # The statement reports this audit: its number of pages in each language.
    assert sum(name.startswith("fr ") for name, _v in rows) == ACCESSIBILITY_AUDIT["pages"]
    blocking = [
        (name, v) for name, violations in rows for v in violations if v["impact"] in BLOCKING
    ]
    assert not blocking, "violations that are serious, critical or not accepted:\n" + "\n".join(
        f"{name}: {v['id']} ({v['impact']}) on {v['nodes']}: {v['targets']}" for name, v in blocking
    )


def test_the_countdown_speaks_each_minute_at_ten_seconds_and_at_the_end(live_server, page, meeting):
    """Through its polite live region, and never at every tick (the ticks below, as the
    clock's would come, with a pause in the middle)."""
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    round_create(workshop, title_fr="Écriture", duration_s=300)
    table = table_create(workshop, "Table 1")
    page.goto(f"{live_server.url}/nl/t/{table.token}/")
    region = page.locator("#countdown-announce")
    assert region.get_attribute("aria-live") == "polite"
    assert page.locator("#countdown").get_attribute("role") == "timer"

    page.wait_for_function("window.workshopClock !== undefined")
    said = page.evaluate(
        """async (ticks) => {
            window.workshopClock.stop();
            const common = await import("/static/workshops/common.js");
            const text = common.readJson("screen-text");
            const root = document.getElementById("screen");
            const region = document.getElementById("countdown-announce");
            // As the page's own clock leaves it after its first answer, however soon
            // this runs: a round not started yet.
            common.showCountdown(root, 300_000, "planned", "", text);
            const heard = [];
            for (const [ms, phase] of ticks) {
                const before = region.textContent;
                common.showCountdown(root, ms, phase, "", text);
                if (region.textContent !== before) heard.push(region.textContent);
            }
            return heard;
        }""",
        [
            [130_000, "running"],
            [125_000, "running"],
            [120_000, "running"],
            [119_000, "running"],
            [90_000, "paused"],
            [60_000, "last-minute"],
            [59_000, "last-minute"],
            [11_000, "last-minute"],
            [10_000, "last-minute"],
            [9_000, "last-minute"],
            [1_000, "last-minute"],
            [0, "ended"],
            [0, "ended"],
        ],
    )

    left = _nl("Time left: %(time)s")
    assert "%(time)s" in left and left != "Time left: %(time)s"
    # The page opened before the round started: the start is said, then each moment.
    assert said == [
        left % {"time": "3:00"},
        left % {"time": "2:00"},
        left % {"time": "1:00"},
        left % {"time": "0:10"},
        _nl("Time is up!"),
    ]
