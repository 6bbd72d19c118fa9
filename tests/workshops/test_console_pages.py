"""The facilitators' home and the workshop console: who may see them, what they show,
escaping, and the plan edited with plain forms."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting
from meetings.services.signin import person_user
from tests.factories import MeetingFactory, cross_border_pair
from workshops.models import Contribution, Round
from workshops.services.orientations import orientation_create
from workshops.services.plan import round_create
from workshops.services.polls import poll_answer, poll_option_create, words_send
from workshops.services.postits import contribution_create, contribution_update
from workshops.services.tables import table_create
from workshops.services.timer import timer_act
from workshops.services.workshops import workshop_close, workshop_create

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> <b>& 🙂"


@pytest.fixture
def workshop(one_round_workshop):
    return one_round_workshop


@pytest.fixture
def signed_in(client, facilitator):
    client.force_login(facilitator)
    return client


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def board_html(response) -> str:
    """The board alone: the page around it also lists hidden post-its, and the template
    the script clones."""
    html = response.content.decode()
    start = html.index('id="board"')
    return html[start : html.index('id="hidden-postits"', start)]


# --- Who may see what ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["facilitate:home", "facilitate:console"])
def test_anonymous_people_are_sent_to_the_sign_in_page(client, workshop, name):
    args = [workshop.pk] if name == "facilitate:console" else []
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(url("signin:request"))
    assert "next=" in response["Location"]


def test_the_facilitator_of_another_meeting_is_refused_the_console(client, workshop):
    other = MeetingFactory(programme=workshop.meeting.programme)
    mayor, _burgomaster = cross_border_pair(other)
    client.force_login(person_user(mayor.person))
    assert client.get(url("facilitate:console", workshop.pk)).status_code == 403
    response = client.post(
        url("facilitate:rounds_add", workshop.pk), {"title_fr": "x", "kind": "silent"}
    )
    assert response.status_code == 403
    assert workshop.rounds.count() == 1
    table = table_create(workshop, "Table 1")
    assert client.get(url("facilitate:qr", workshop.pk, table.pk)).status_code == 403


def test_a_signed_in_stranger_is_refused_and_an_unknown_workshop_is_not_found(client, workshop):
    client.force_login(User.objects.create_user("stranger"))
    assert client.get(url("facilitate:console", workshop.pk)).status_code == 403
    assert client.get(url("facilitate:console", workshop.pk + 1000)).status_code == 404


def test_the_plan_gives_durations_in_whole_minutes_when_they_are(signed_in, workshop):
    """A two-minute round reads "2", not "2.0"; a minute and a half "1.5"."""
    round_create(workshop, title_fr="Pause", duration_s=90)

    html = signed_in.get(url("facilitate:console", workshop.pk, lang="fr")).content.decode()

    assert 'name="duration_min" value="2"' in html
    assert 'name="duration_min" value="1.5"' in html
    assert 'value="2.0"' not in html


def test_the_meetings_facilitator_and_an_organiser_open_the_console(
    client, signed_in, workshop, organiser
):
    response = signed_in.get(url("facilitate:console", workshop.pk, lang="fr"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mobilité transfrontalière" in html
    for action in ["start", "pause", "resume", "finish", "next", "reset"]:
        assert f'data-action="{action}"' in html
    assert 'data-action="extend" data-seconds="60"' in html
    assert 'id="transcribe-text"' in html

    client.force_login(organiser)
    assert client.get(url("facilitate:console", workshop.pk)).status_code == 200


# --- The board ---------------------------------------------------------------------------


def test_hostile_post_its_are_escaped_on_the_board(signed_in, workshop):
    contribution_create(workshop, text=HOSTILE, objective="<i>objectif</i>", author="<u>")
    response = signed_in.get(url("facilitate:console", workshop.pk))
    board = board_html(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;&amp; 🙂" in board
    assert "&lt;i&gt;objectif&lt;/i&gt;" in board
    assert "<script>alert" not in response.content.decode()
    assert "<b>&" not in board


def test_hidden_and_merged_post_its_are_not_on_the_board(signed_in, workshop):
    kept = contribution_create(workshop, text="Une navette Tournai–Lille")
    hidden = contribution_create(workshop, text="Hors sujet : la météo")
    merged = contribution_create(workshop, text="Navette Lille–Tournai")
    contribution_update(hidden, hidden=True)
    contribution_update(merged, merged_into=kept)

    response = signed_in.get(url("facilitate:console", workshop.pk))
    board = board_html(response)
    assert f'data-contribution="{kept.pk}"' in board
    assert f'data-contribution="{hidden.pk}"' not in board
    assert f'data-contribution="{merged.pk}"' not in board
    # The merged one hangs under the one it was merged into; the hidden one can be unhidden.
    assert f'data-merged="{merged.pk}"' in board
    html = response.content.decode()
    hidden_list = html[html.index('id="hidden-items"') :]
    assert f'data-contribution="{hidden.pk}"' in hidden_list


def test_post_its_sit_in_their_orientation_column(signed_in, workshop):
    orientation = orientation_create(workshop, title_fr="Transports", title_nl="Vervoer")
    item = contribution_create(workshop, text="Un bus de nuit")
    contribution_update(item, orientation=orientation)
    board = board_html(signed_in.get(url("facilitate:console", workshop.pk)))
    column = board[board.index(f'data-orientation="{orientation.pk}"') :]
    assert f'data-contribution="{item.pk}"' in column


@pytest.mark.parametrize("count", [1, 40])
def test_the_console_reads_in_a_fixed_number_of_queries(
    signed_in, workshop, count, django_assert_max_num_queries
):
    orientation = orientation_create(workshop, title_fr="Transports")
    table = table_create(workshop, "Table 1")
    round_create(workshop, title_fr="Discussion", kind="discussion", duration_s=600)
    for number in range(count):
        item = contribution_create(workshop, text=f"Idée {number}", table=table)
        if number % 3 == 0:
            contribution_update(item, orientation=orientation)
        if number % 5 == 4:
            contribution_update(item, hidden=True)
    with django_assert_max_num_queries(12):
        response = signed_in.get(url("facilitate:console", workshop.pk))
    assert response.status_code == 200


# --- The home page -----------------------------------------------------------------------


def test_the_home_page_lists_only_the_persons_meetings(signed_in, workshop, programme):
    other = MeetingFactory(programme=programme, title_fr="Rencontre d'ailleurs")
    cross_border_pair(other)
    workshop_create(other, title_fr="Atelier d'ailleurs")
    response = signed_in.get(url("facilitate:home", lang="fr"))
    html = response.content.decode()
    assert workshop.meeting.title_fr in html
    assert "Mobilité transfrontalière" in html
    assert url("facilitate:console", workshop.pk, lang="fr") in html
    assert url("door:door", workshop.meeting.pk, lang="fr") in html
    assert "Rencontre d'ailleurs" not in html
    assert "Atelier d'ailleurs" not in html


@pytest.mark.parametrize("count", [1, 6])
def test_the_home_page_reads_in_a_fixed_number_of_queries(
    client, organiser, programme, count, django_assert_max_num_queries
):
    for _number in range(count):
        meeting = MeetingFactory(programme=programme)
        cross_border_pair(meeting)
        for title in ["Mobilité", "Santé"]:
            workshop = workshop_create(meeting, title_fr=title)
            contribution_create(workshop, text="Une idée")
    client.force_login(organiser)
    with django_assert_max_num_queries(5):
        response = client.get(url("facilitate:home"))
    assert response.content.decode().count('class="facilitate-workshop"') == 2 * count


def test_someone_who_facilitates_nothing_gets_a_friendly_empty_page(client, workshop):
    client.force_login(User.objects.create_user("newcomer"))
    response = client.get(url("facilitate:home"))
    assert response.status_code == 200
    assert "You facilitate no meeting yet." in response.content.decode()


def test_an_organiser_sees_every_upcoming_meeting(client, organiser, workshop, programme):
    past = MeetingFactory(programme=programme, title_fr="Rencontre passée")
    Meeting.objects.filter(pk=past.pk).update(
        starts_at=past.starts_at.replace(year=2020), ends_at=past.ends_at.replace(year=2020)
    )
    client.force_login(organiser)
    html = client.get(url("facilitate:home")).content.decode()
    assert workshop.meeting.title_fr in html
    assert "Rencontre passée" not in html


def test_a_facilitator_creates_a_workshop_and_lands_on_its_console(signed_in, meeting):
    response = signed_in.post(
        url("facilitate:create", meeting.pk), {"title_fr": "Santé <b>&", "room": "Salle 2"}
    )
    workshop = meeting.workshops.get()
    assert response["Location"] == url("facilitate:console", workshop.pk) + "#plan"
    assert workshop.title_fr == "Santé <b>&"


def test_a_workshop_without_a_title_is_refused_with_a_message(signed_in, meeting):
    response = signed_in.post(
        url("facilitate:create", meeting.pk), {"room": "Salle 2"}, follow=True
    )
    assert not meeting.workshops.exists()
    assert "Give a title in French or in Dutch." in response.content.decode()


# --- The plan, with plain forms -------------------------------------------------------------


def test_rounds_are_added_moved_and_their_minutes_kept(signed_in, workshop):
    first = workshop.rounds.get()
    signed_in.post(
        url("facilitate:rounds_add", workshop.pk),
        {"title_fr": "Vote", "kind": "vote", "duration_min": "2.5", "question": ""},
    )
    added = workshop.rounds.get(title_fr="Vote")
    assert (added.duration_s, added.kind, added.question) == (150, "vote", None)

    signed_in.post(url("facilitate:round_move", workshop.pk, added.pk), {"direction": "up"})
    assert list(workshop.rounds.order_by("order").values_list("pk", flat=True)) == [
        added.pk,
        first.pk,
    ]


def test_saving_a_running_round_keeps_its_clock(signed_in, workshop):
    round_ = workshop.rounds.get()
    timer_act(workshop, "start")
    response = signed_in.post(
        url("facilitate:rounds_update", workshop.pk, round_.pk),
        {
            "title_fr": "Écriture libre",
            "title_nl": "Vrij schrijven",
            "kind": "silent",
            "duration_min": "99",
            "question": round_.question_id,
        },
        follow=True,
    )
    round_.refresh_from_db()
    assert round_.title_fr == "Écriture libre"
    assert (round_.state, round_.duration_s) == (Round.State.RUNNING, 120)
    assert "Saved." in response.content.decode()


def test_a_refused_change_comes_back_as_a_message(signed_in, workshop):
    round_ = workshop.rounds.get()
    timer_act(workshop, "start")
    response = signed_in.post(url("facilitate:rounds_delete", workshop.pk, round_.pk), follow=True)
    assert "Finish this round before deleting it." in response.content.decode()
    assert workshop.rounds.exists()


def test_questions_orientations_and_tables_are_edited_from_the_console(signed_in, workshop):
    signed_in.post(url("facilitate:questions_add", workshop.pk), {"text_nl": "Waarom?"})
    signed_in.post(url("facilitate:orientations_add", workshop.pk), {"title_fr": "Santé"})
    orientation = workshop.orientations.get()
    signed_in.post(
        url("facilitate:orientations_update", workshop.pk, orientation.pk),
        {"title_fr": "Santé", "title_nl": "Gezondheid"},
    )
    signed_in.post(url("facilitate:tables_add", workshop.pk), {"count": "3"})

    assert workshop.questions.filter(text_nl="Waarom?").exists()
    orientation.refresh_from_db()
    assert orientation.title_nl == "Gezondheid"
    assert list(workshop.tables.values_list("name", flat=True)) == [
        "Table 1",
        "Table 2",
        "Table 3",
    ]
    signed_in.post(url("facilitate:orientations_delete", workshop.pk, orientation.pk))
    assert not workshop.orientations.exists()


def test_a_line_of_another_workshop_is_not_found(signed_in, workshop, meeting):
    other = workshop_create(meeting, title_fr="Autre atelier")
    orientation = orientation_create(other, title_fr="Ailleurs")
    response = signed_in.post(url("facilitate:orientations_delete", workshop.pk, orientation.pk))
    assert response.status_code == 404
    assert other.orientations.exists()


def test_a_tables_qr_code_carries_its_phone_link(signed_in, workshop):
    table = table_create(workshop, "Table 1")
    response = signed_in.get(url("facilitate:qr", workshop.pk, table.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    assert response.content.lstrip().startswith(b"<")


def test_a_post_it_for_a_closed_workshop_cannot_be_edited_but_is_shown(signed_in, workshop):
    contribution_create(workshop, text="Dernière idée")
    workshop_close(workshop)
    response = signed_in.post(
        url("facilitate:questions_add", workshop.pk), {"text_fr": "Encore ?"}, follow=True
    )
    html = response.content.decode()
    assert "This workshop is closed" in html
    assert "Dernière idée" in board_html(response)
    assert Contribution.objects.count() == 1


def test_a_round_moved_past_either_end_stays_and_says_saved(signed_in, workshop):
    first = workshop.rounds.get()

    response = signed_in.post(
        url("facilitate:round_move", workshop.pk, first.pk), {"direction": "up"}, follow=True
    )

    assert list(workshop.rounds.values_list("pk", flat=True)) == [first.pk]
    assert "Saved." in response.content.decode()
    other = workshop_create(workshop.meeting, title_fr="Autre atelier")
    stranger = signed_in.post(url("facilitate:round_move", other.pk, first.pk), {})
    assert stranger.status_code == 404


# --- Polls and word clouds ----------------------------------------------------------------


def test_the_console_builds_reveals_and_reads_a_poll_with_plain_forms(signed_in, workshop):
    poll = round_create(workshop, title_fr="Sondage", kind="poll", results_hidden=True)
    add = url("facilitate:poll_option_add", workshop.pk, poll.pk)

    signed_in.post(add, {"label_fr": HOSTILE, "label_nl": "Fiets"})
    refused = signed_in.post(add, {"label_fr": "", "label_nl": ""}, follow=True)
    assert "Give a title in French or in Dutch." in refused.content.decode()
    option = poll.poll_options.get()
    timer_act(workshop, "start", round_id=poll.pk)
    poll_answer(poll, "phone:1", options=[option.pk])
    html = signed_in.get(url("facilitate:console", workshop.pk)).content.decode()

    panel = html[html.index('id="polls"') :]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;&amp; 🙂" in panel
    assert "<script>alert(1)" not in panel
    assert "1 (100 %)" in panel
    signed_in.post(url("facilitate:poll_reveal", workshop.pk, poll.pk), {"revealed": "yes"})
    assert Round.objects.get(pk=poll.pk).results_revealed
    signed_in.post(url("facilitate:poll_option_delete", workshop.pk, poll.pk, option.pk))
    assert not poll.poll_options.exists()


def test_the_console_hides_a_word_and_draws_the_cloud(signed_in, workshop, client):
    words = round_create(workshop, title_fr="Un mot", kind="words")
    timer_act(workshop, "start", round_id=words.pk)
    words_send(words, "phone:1", ["Mobilité", "vélo"])
    words_send(words, "phone:2", ["mobilite"])

    cloud = signed_in.get(url("screen:cloud", workshop.pk, words.pk))
    assert cloud["Content-Type"].startswith("image/svg+xml")
    assert ">Mobilité</text>" in cloud.content.decode()
    signed_in.post(url("facilitate:word_hide", workshop.pk, words.pk), {"keys": ["mobilite"]})
    assert (
        ">Mobilité</text>"
        not in signed_in.get(url("screen:cloud", workshop.pk, words.pk)).content.decode()
    )
    html = signed_in.get(url("facilitate:console", workshop.pk)).content.decode()
    assert "poll-word-hidden" in html


def test_another_meetings_facilitator_sees_no_cloud(workshop, programme, client):
    words = round_create(workshop, title_fr="Un mot", kind="words")
    other = MeetingFactory(programme=programme)
    mayor, _burgomaster = cross_border_pair(other)
    client.force_login(person_user(mayor.person))
    assert client.get(url("screen:cloud", workshop.pk, words.pk)).status_code == 403
    assert client.post(url("facilitate:poll_reveal", workshop.pk, words.pk)).status_code == 403


@pytest.mark.parametrize("count", [1, 4])
def test_the_console_with_polls_reads_in_a_fixed_number_of_queries(
    signed_in, workshop, count, django_assert_max_num_queries
):
    for number in range(count):
        poll = round_create(workshop, title_fr=f"Sondage {number}", kind="poll")
        poll_option_create(poll, label_fr="Oui")
        round_create(workshop, title_fr=f"Mots {number}", kind="words")
    # The console's 12, and the polls' options, voters and scales, and the words.
    with django_assert_max_num_queries(16):
        response = signed_in.get(url("facilitate:console", workshop.pk))
    assert response.status_code == 200
