"""/api/docs runs only this site's code: Swagger UI comes from our static files."""

import re

import pytest


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_from_this_site_only(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.content.decode()
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references)
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        assert client.get(reference).status_code == 200, reference
    assert "cdn" not in html.lower()
