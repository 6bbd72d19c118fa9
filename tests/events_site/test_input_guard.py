"""What the input guard lets through and how it refuses, beyond the walk over every route
(`test_hostile_input.py`): texts keep their tabs and line breaks, whatever the form's
encoding; what JSON can spell but no database can store is refused with its field; pages
refuse in their own language."""

from urllib.parse import urlencode

import pytest

from registrations.models import Registration
from tests.registrations.conftest import registration_data
from tests.registrations.test_registration_pages import form_data

pytestmark = pytest.mark.django_db

NOTES = "Rampe d'accès\r\nPlace au premier rang\tmerci"


def register_url(meeting, lang="fr") -> str:
    return f"/{lang}/meetings/{meeting.pk}/register/"


def test_texts_keep_tabs_and_line_breaks_through_the_api(client, meeting):
    response = client.post(
        f"/api/meetings/{meeting.pk}/registrations",
        registration_data(accessibility_notes=NOTES),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Registration.objects.get().accessibility_notes == NOTES


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_keeps_the_line_breaks_a_textarea_posts(client, meeting, encoding):
    data = form_data(accessibility_notes=NOTES)
    if encoding == "urlencoded":
        response = client.post(
            register_url(meeting), urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(register_url(meeting), data)

    assert response.status_code == 302
    assert Registration.objects.get().accessibility_notes == NOTES


def test_a_page_refuses_a_nul_in_a_form_in_the_page_language(client, meeting):
    response = client.post(register_url(meeting), form_data(dietary_notes="Sans\x00gluten"))

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "«\xa0dietary_notes\xa0» contient un caractère de contrôle\xa0: retirez-le."
    )
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"first_name": "So\x00fie"}',  # the byte itself, which JSON does not allow
        b'{"first_name": "So\\u0000fie"}',
        b'{"first_name": "So\\ud800fie"}',  # half of a UTF-16 pair: no database stores it
        b'{"first_name": "Sofie", "\\u0007": 1}',
    ],
    ids=["raw NUL", "escaped NUL", "lone surrogate", "in a field name"],
)
def test_what_json_can_spell_but_no_text_holds_is_refused(client, meeting, body):
    response = client.post(
        f"/api/meetings/{meeting.pk}/registrations",
        body,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "control character" in response.json()["detail"]
    assert not Registration.objects.exists()


def test_an_emoji_spelt_as_a_utf16_pair_is_text(client, meeting):
    # The test client, like most JSON encoders, writes it as "\ud83d\ude00".
    response = client.post(
        f"/api/meetings/{meeting.pk}/registrations",
        registration_data(first_name="Sofie 😀"),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Registration.objects.get().first_name == "Sofie 😀"
