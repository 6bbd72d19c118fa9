"""The OpenAPI document is good enough for an integrator's tooling: a typed Python
client is generated from it by `openapi-python-client`, into a temporary folder, and
used against the live test server to list meetings and register someone."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from events_site.api import api
from registrations.models import Registration

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# The generated package's name, and no formatting pass (which would run ruff over it).
CONFIG = "package_name_override: pm_client\nproject_name_override: pm-client\npost_hooks: []\n"


@pytest.fixture(scope="module")
def pm_client(tmp_path_factory):
    """The client's package, imported from where it was generated."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(api.get_openapi_schema(), default=str))
    (folder / "config.yaml").write_text(CONFIG)
    generate = ["generate", "--path", "openapi.json", "--config", "config.yaml", "--meta", "none"]
    generated = subprocess.run(  # noqa: S603 (the venv's own generator, fixed arguments)
        [GENERATOR, *generate, "--output-path", "pm_client"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # A schema it cannot read is a warning, not a failure: both are refused here.
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "WARNING" not in generated.stdout + generated.stderr, generated.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("pm_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.partition(".")[0] == "pm_client"]:
            del sys.modules[name]


def test_a_generated_client_lists_meetings_and_registers_someone(
    pm_client, live_server, meeting, organiser_key
):
    from pm_client.api.programme import meetings_api_meeting_list
    from pm_client.api.registrations import registrations_api_registration_create
    from pm_client.models import (
        CountryOrNone,
        ErrorOut,
        MeetingPage,
        PersonFunction,
        RegistrationCreatedOut,
        RegistrationIn,
    )

    organiser = pm_client.AuthenticatedClient(base_url=live_server.url, token=organiser_key)
    listed = meetings_api_meeting_list.sync(client=organiser, year=meeting.programme.year)
    assert isinstance(listed, MeetingPage)
    assert (listed.count, [m.id for m in listed.results]) == (1, [meeting.pk])
    assert listed.results[0].status.value == "published"

    anonymous = pm_client.Client(base_url=live_server.url)
    form = RegistrationIn(
        first_name="Zoë <b>&",
        last_name="Vandenberghe 🌷",
        email="zoe@kortrijk.example",
        function=PersonFunction.BURGOMASTER,
        organisation_name="Stad Kortrijk",
        organisation_country=CountryOrNone.BE,
        privacy_consent=True,
    )
    registered = registrations_api_registration_create.sync(meeting.pk, client=anonymous, body=form)
    assert isinstance(registered, RegistrationCreatedOut), registered
    assert registered.status.value == "confirmed"
    saved = Registration.objects.get(email="zoe@kortrijk.example")
    assert (saved.first_name, saved.function) == ("Zoë <b>&", "burgomaster")

    refused = registrations_api_registration_create.sync(999999, client=anonymous, body=form)
    assert isinstance(refused, ErrorOut) and refused.detail
