"""What accessibility asks of every page, checked on the HTML the server sends: the
statement and its links, the skip links, names for the admin's fields. The browser test
(tests/e2e/test_accessibility_browser.py) runs axe-core over the pages themselves."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from events_site.views import ACCESSIBILITY_AUDIT
from tests.factories import MeetingFactory
from workshops.services.tables import table_create
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "title", "appeal"),
    [
        ("fr", "Déclaration d'accessibilité", "Libre réponse 71120"),
        ("nl", "Toegankelijkheidsverklaring", "Vlaamse Ombudsdienst"),
    ],
)
def test_the_statement_follows_the_model_in_french_and_dutch(client, settings, lang, title, appeal):
    settings.ACCESSIBILITY_CONTACT = "toegankelijkheid+<b>&@kortrijk.be"

    html = client.get(f"/{lang}/accessibility/").content.decode()

    assert f"<h1>{title}</h1>" in html
    assert html.count("<h2>") == 6
    assert 'href="mailto:toegankelijkheid+&lt;b&gt;&amp;@kortrijk.be"' in html
    assert "<b>&" not in html
    assert appeal in html and "Défenseur des droits" in html
    assert "le-mediateur.be" in html
    assert ACCESSIBILITY_AUDIT["tool"] in html
    assert "2026" in html


def test_the_statement_names_the_axe_core_the_audit_runs():
    package = json.loads((Path(settings.BASE_DIR) / ".ci/js/package.json").read_text())

    assert ACCESSIBILITY_AUDIT["tool"] == f"axe-core {package['devDependencies']['axe-core']}"


def _skip_target(html: str) -> str:
    """The skip link, first in the body, and the id it jumps to, which must exist."""
    body = html[html.index("<body") :]
    first_link = re.search(r'<a [^>]*href="#([\w-]+)"', body)
    assert first_link and body.index(first_link.group(0)) < body.index("<main"), "no skip link"
    target = first_link.group(1)
    assert f'id="{target}"' in html
    return target


def test_every_kind_of_page_has_a_skip_link_the_statement_in_its_footer_and_an_icon(
    client, meeting, admin_client
):
    workshop = workshop_create(meeting, title_fr="Mobilité")
    table = table_create(workshop, "Table 1")
    for path in [
        f"/fr/meetings/{meeting.pk}/",
        f"/nl/t/{table.token}/",
        "/nl/t/no-such-table/",
        "/fr/admin/login/",
    ]:
        html = client.get(path).content.decode()
        _skip_target(html)
        lang = path.split("/")[1]
        assert f'href="/{lang}/accessibility/"' in html, path
        assert '<link rel="icon" href="/static/site/favicon.svg"' in html, path
    html = admin_client.get(f"/nl/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    _skip_target(html)
    assert 'href="/nl/accessibility/"' in html
    assert '<link rel="icon" href="/static/site/favicon.svg"' in html
    assert finders.find("site/favicon.svg")


def test_the_admin_names_the_date_time_fields_and_each_row_s_fields(admin_client, meeting):
    MeetingFactory(programme=meeting.programme)

    html = admin_client.get(f"/fr/admin/meetings/meeting/{meeting.pk}/change/").content.decode()

    for field in ("starts_at", "ends_at", "registration_opens_at"):
        for part in (0, 1):
            assert f'<label for="id_{field}_{part}">' in html
    role = re.search(r'<select name="cofacilitators-0-role"[^>]*>', html).group(0)
    assert 'aria-label="Rôle"' in role
    delete = re.search(r'<input type="checkbox" name="cofacilitators-0-DELETE"[^>]*>', html)
    assert 'aria-label="Supprimer"' in delete.group(0)
    assert "site/admin_labels.js" in html and "site/admin.css" in html


# Words of Django's French admin (and of this site's French) that a Dutch page must not
# show: where Django's nl catalog lacks a string, it falls back to French.
FRENCH = (
    "Nom du modèle",
    "Lien pour",
    "Choisissez",
    "Choisir",
    "Enlever",
    "cliquer pour",
    "Modifier",
    "Ajouter",
    "Supprimer",
    "Enregistrer",
    "Rechercher",
    "Déconnexion",
    "Erreur",
    "Ateliers",
    "Réunions",
    "Rencontres de proximité",
    "Inscriptions",
    "Organisations et personnes",
)


def test_the_dutch_admin_shows_no_french(admin_client, meeting):
    workshop = workshop_create(meeting, title_fr="Mobilité", title_nl="Mobiliteit")
    person = meeting.cofacilitators.first().person
    pages = [
        "/nl/admin/",
        "/nl/admin/jsi18n/",
        "/nl/admin/meetings/meeting/",
        f"/nl/admin/meetings/meeting/{meeting.pk}/change/",
        "/nl/admin/meetings/meeting/add/",
        "/nl/admin/meetings/person/",
        f"/nl/admin/meetings/person/{person.pk}/change/",
        "/nl/admin/meetings/organisation/",
        f"/nl/admin/meetings/organisation/{person.organisation_id}/change/",
        "/nl/admin/registrations/invitation/",
        "/nl/admin/registrations/invitation/invite/",
        "/nl/admin/workshops/workshop/",
        f"/nl/admin/workshops/workshop/{workshop.pk}/change/",
        "/nl/admin/meetings/agendaitem/",
    ]
    for path in pages:
        html = client_text(admin_client, path)
        # The meeting's and the programme's own French titles are content, not interface.
        for title in (meeting.title_fr, meeting.programme.title_fr, workshop.title_fr):
            html = html.replace(title, "")
        assert [word for word in FRENCH if word in html] == [], path


def client_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()
