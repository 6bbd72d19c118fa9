"""The projector and the phone pages: who may see them, what they show, and escaping."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from workshops.models import Contribution
from workshops.printouts import table_link
from workshops.services.plan import question_update
from workshops.services.postits import contribution_create
from workshops.services.tables import table_create, table_token_renew
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_close

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> <b>&amp; 🙂"


@pytest.fixture
def workshop(one_round_workshop):
    return one_round_workshop


@pytest.fixture
def table(workshop):
    return table_create(workshop, "Table 1")


def projector_url(workshop, lang="fr"):
    with translation.override(lang):
        return reverse("screen:projector", args=[workshop.pk])


def phone_url(token, lang="fr"):
    with translation.override(lang):
        return reverse("screen:phone", args=[token])


# --- Projector -----------------------------------------------------------------------


def test_the_projector_asks_for_a_sign_in(client, workshop):
    response = client.get(projector_url(workshop))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin:request"))
    assert "next=" in response["Location"]


def test_the_projector_is_refused_to_someone_who_does_not_facilitate_this_meeting(client, workshop):
    client.force_login(User.objects.create_user("stranger"))
    assert client.get(projector_url(workshop)).status_code == 403


def test_an_unknown_workshop_is_a_404(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("screen:projector", args=[999999])).status_code == 404


def test_the_projector_shows_the_round_and_its_question_in_both_languages(
    committed, client, workshop, facilitator
):
    committed(timer_act, workshop, "start")
    client.force_login(facilitator)
    response = client.get(projector_url(workshop, "nl"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-phase="running"' in html
    assert "Écriture silencieuse" in html and "Stil schrijven" in html
    assert "Comment mieux relier nos communes ?" in html
    assert "Hoe verbinden we onze gemeenten beter?" in html
    # A 2-minute round just started: about 2:00 on the clock, never more.
    assert response.context["clock"]["display"] in ("2:00", "1:59")
    assert 118_000 <= response.context["clock"]["remaining_ms"] <= 120_000


def test_an_organiser_sees_the_projector_of_any_workshop(client, workshop, organiser):
    client.force_login(organiser)
    response = client.get(projector_url(workshop))
    assert response.status_code == 200
    assert 'data-phase="idle"' in response.content.decode()


@pytest.mark.parametrize(
    ("actions", "phase"), [(["start", "pause"], "paused"), (["start", "finish"], "ended")]
)
def test_the_projector_renders_a_paused_and_an_ended_round(
    committed, client, workshop, organiser, actions, phase
):
    for action in actions:
        committed(timer_act, workshop, action)
    client.force_login(organiser)
    html = client.get(projector_url(workshop)).content.decode()
    assert f'data-phase="{phase}"' in html
    # "Time is up" is in the page in both languages, whatever the page's language.
    assert '<p lang="fr">' in html and '<p lang="nl">' in html


def test_the_projector_shows_the_latest_post_its_newest_first_and_escaped(
    client, workshop, table, organiser, django_assert_max_num_queries
):
    for number in range(14):
        contribution_create(workshop, text=f"Idée {number}", table=table)
    contribution_create(workshop, text=HOSTILE, table=table)
    hidden = contribution_create(workshop, text="Hors sujet", table=table)
    Contribution.objects.filter(pk=hidden.pk).update(hidden=True)
    client.force_login(organiser)
    client.get(projector_url(workshop))  # the session and the timer cache are warm

    with django_assert_max_num_queries(5):
        response = client.get(projector_url(workshop))
    html = response.content.decode()
    latest = response.context["latest"]
    assert [c.text for c in latest][:2] == [HOSTILE, "Idée 13"]
    assert len(latest) == 12 and "Hors sujet" not in html and "Idée 2<" not in html
    assert "<script>alert" not in html and "<b>&amp;amp;" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;&amp;amp; 🙂" in html


# --- Phone ---------------------------------------------------------------------------


def test_a_forged_token_gets_a_404_that_says_to_scan_again(client, workshop):
    response = client.get(phone_url("not-a-real-token", "en"))
    assert response.status_code == 404
    assert "scan the code on your table again" in response.content.decode()


def test_a_renewed_table_code_stops_working(client, table):
    old = table.token
    table_token_renew(table)
    assert client.get(phone_url(old)).status_code == 404
    assert client.get(phone_url(table.token)).status_code == 200


def test_a_table_code_opens_the_phone_page_in_the_phone_s_language(client, table):
    link = table_link(table.token)
    assert link == f"{settings.SITE_URL}/t/{table.token}/"
    response = client.get(link.removeprefix(settings.SITE_URL), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 302
    assert response["Location"] == phone_url(table.token, "nl")


def test_the_phone_shows_the_question_in_its_language_with_a_form(
    committed, client, workshop, table, django_assert_max_num_queries
):
    committed(timer_act, workshop, "start")
    # Only the table: the timer state is the one the start put in the cache.
    with django_assert_max_num_queries(1):
        response = client.get(phone_url(table.token, "nl"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hoe verbinden we onze gemeenten beter?" in html
    assert "Stil schrijven" in html
    assert "Comment mieux relier" not in html and "Écriture silencieuse" not in html
    assert 'id="postit-form"' in html and 'data-max-length="1000"' in html
    assert f'data-token="{table.token}"' in html

    cache.clear()  # a cold cache (a restarted Redis) costs one more query, not more
    with django_assert_max_num_queries(2):
        client.get(phone_url(table.token, "nl"))


def test_english_readers_get_the_french_question(committed, client, workshop, table):
    committed(timer_act, workshop, "start")
    html = client.get(phone_url(table.token, "en")).content.decode()
    assert "Comment mieux relier nos communes ?" in html


def test_a_closed_workshop_says_so_and_has_no_form(committed, client, workshop, table):
    committed(timer_act, workshop, "start")
    committed(workshop_close, workshop)
    html = client.get(phone_url(table.token, "en")).content.decode()
    assert "This workshop is closed" in html
    assert "<form" not in html
    assert 'data-status="closed"' in html


def test_the_phone_escapes_the_question(committed, client, workshop, table):
    question = workshop.questions.get()
    committed(question_update, question, text_fr=HOSTILE)
    committed(timer_act, workshop, "start")
    html = client.get(phone_url(table.token)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
