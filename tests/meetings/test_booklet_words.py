"""What the organiser writes for a meeting's booklet (context, ambitions, principles,
next steps) and the photos it shows, through the API and the admin."""

import io
import re

import pytest
from PIL import Image

from meetings.models import Meeting, MeetingPicture
from tests.documents import document_make
from tests.meetings.test_api import MEETING

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#1f4e79").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_words_are_written_and_read_in_both_languages(api_client, programme):
    created = api_client.post(
        "/api/meetings",
        {
            **MEETING,
            "context_fr": "Le réseau <b>& ses</b> élus.",
            "ambitions_fr": ["Se connaître", "Agir\nensemble"],
            "principles_nl": "Elke tafel had een moderator.",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["context_fr"] == "Le réseau <b>& ses</b> élus."
    assert body["ambitions_fr"] == ["Se connaître", "Agir ensemble"]
    meeting_id = body["id"]

    patched = api_client.patch(
        f"/api/meetings/{meeting_id}",
        {"ambitions_nl": ["Elkaar kennen"], "next_steps_fr": "Une suite en juin."},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["ambitions"] == ["Elkaar kennen"]
    assert body["principles"] == "Elke tafel had een moderator."
    assert body["context"] == "Le réseau <b>& ses</b> élus."  # no Dutch: the French
    assert body["next_steps"] == "Une suite en juin."
    assert body["ambitions_fr"] == ["Se connaître", "Agir ensemble"]


def test_too_many_or_too_long_words_are_refused(api_client, meeting):
    too_long = api_client.patch(
        f"/api/meetings/{meeting.pk}", {"context_fr": "x" * 4001}, content_type="application/json"
    )
    assert too_long.status_code == 422 and too_long.json()["detail"]
    too_many = api_client.patch(
        f"/api/meetings/{meeting.pk}",
        {"ambitions_fr": ["a"] * 21},
        content_type="application/json",
    )
    assert too_many.status_code == 422


def test_the_booklet_photos_are_chosen_among_the_meetings_photos(api_client, meeting, programme):
    photos = [
        document_make(meeting, kind="photo", content=png(), name=f"p{n}.png") for n in range(5)
    ]
    slides = document_make(meeting)
    other = document_make(
        Meeting.objects.exclude(pk=meeting.pk).first() or meeting, kind="photo", content=png()
    )
    url = f"/api/meetings/{meeting.pk}/pictures"

    def put(*documents, caption="Une salle"):
        return api_client.put(
            url,
            {"pictures": [{"document": d.pk, "caption_fr": caption} for d in documents]},
            content_type="application/json",
        )

    chosen = put(photos[2], photos[0], caption="<i>La salle</i> 📷")
    assert chosen.status_code == 200, chosen.content
    assert [p["document"] for p in chosen.json()] == [photos[2].pk, photos[0].pk]
    assert chosen.json()[0]["caption"] == "<i>La salle</i> 📷"

    assert put(*photos).status_code == 422  # five
    refused = put(slides)
    assert refused.status_code == 422 and "photo" in refused.json()["detail"]
    assert put(photos[1], photos[1]).status_code == 422
    if other.meeting_id != meeting.pk:
        assert put(other).status_code == 422
    # Refusals changed nothing.
    assert list(
        MeetingPicture.objects.filter(meeting=meeting).values_list("document", flat=True)
    ) == [photos[2].pk, photos[0].pk]
    assert [p["document"] for p in api_client.get(url).json()] == [photos[2].pk, photos[0].pk]
    assert api_client.put(url, {"pictures": []}, content_type="application/json").json() == []


def test_only_organisers_choose_the_photos(client, meeting):
    response = client.get(f"/api/meetings/{meeting.pk}/pictures")
    assert response.status_code in (401, 403)


def test_the_admin_writes_the_words_and_the_photos(organiser_client, meeting, media_root):
    from tests.meetings.test_admin import admin_url, meeting_form_data

    photo = document_make(meeting, kind="photo", content=png(), name="salle.png")
    slides = document_make(meeting)
    page = organiser_client.get(admin_url("meeting_change", meeting.pk)).content.decode()
    assert 'name="context_fr"' in page and 'name="pictures-TOTAL_FORMS"' in page
    select = re.search(r'<select name="pictures-0-document".*?</select>', page, re.S).group()
    assert f'value="{photo.pk}"' in select and f'value="{slides.pk}"' not in select

    data = meeting_form_data(
        meeting,
        picture_rows=[{"document": photo.pk, "caption_fr": "La salle", "order": 1}],
        context_fr="Pourquoi nous nous réunissons.",
        ambitions_fr="Se connaître\nAgir ensemble",
    )
    response = organiser_client.post(admin_url("meeting_change", meeting.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.context_fr == "Pourquoi nous nous réunissons."
    assert meeting.ambitions_fr == "Se connaître\nAgir ensemble"
    assert [(p.document_id, p.caption_fr) for p in meeting.pictures.all()] == [
        (photo.pk, "La salle")
    ]
