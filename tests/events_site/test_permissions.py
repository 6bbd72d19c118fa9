"""The shared shape of a page for some signed-in people: sign-in first, then 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from events_site.kit.permissions import signed_in_and_allowed


@signed_in_and_allowed(lambda request, number: number == 7)
def lucky_page(request, number):
    """A page for signed-in people, and then only at number 7."""
    return HttpResponse(f"page {number}")


def get(user, path="/lucky/7?x=1"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_an_anonymous_visitor_goes_to_sign_in_and_comes_back_whatever_the_rule():
    response = lucky_page(get(AnonymousUser()), 8)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('signin:request')}?next=/lucky/7%3Fx%3D1"


@pytest.mark.django_db
def test_a_signed_in_person_gets_the_page_if_allowed_and_a_403_otherwise(organiser):
    assert lucky_page(get(organiser), 7).content == b"page 7"
    with pytest.raises(PermissionDenied):
        lucky_page(get(organiser), 8)
    assert lucky_page.__doc__ == "A page for signed-in people, and then only at number 7."
