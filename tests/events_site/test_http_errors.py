"""Every domain error's code has its status in the one table the API and the pages use."""

from events_site import api
from events_site.kit.errors import DomainError
from events_site.kit.http_errors import HTTP_STATUS, http_status


def _all_subclasses(cls: type) -> set[type]:
    return {cls, *(s for sub in cls.__subclasses__() for s in _all_subclasses(sub))}


def test_every_domain_error_answers_a_4xx_from_the_table():
    assert api.api  # its routers import every app's errors
    errors = _all_subclasses(DomainError)

    assert len(errors) > 20
    assert {error: error.code for error in errors if error.code not in HTTP_STATUS} == {}
    assert all(400 <= http_status(error) < 500 for error in errors)
