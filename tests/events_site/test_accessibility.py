"""What accessibility asks of every page, checked on the HTML the server sends: the
statement and its links, the skip links, names for the admin's fields. The browser test
(tests/e2e/test_accessibility_browser.py) runs axe-core over the pages themselves."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

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


def test_every_kind_of_page_has_a_skip_link_and_the_statement_in_its_footer(
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
    html = admin_client.get(f"/nl/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    _skip_target(html)
    assert 'href="/nl/accessibility/"' in html


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
    assert "site/admin_labels.js" in html
