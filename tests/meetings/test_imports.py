"""Importing the organisers' spreadsheets: every good row lands, every bad one is reported
with its line and column, and nothing a row refuses is half-written."""

from io import BytesIO, StringIO

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from meetings.imports import ImportFileError, RowProblem, contacts_import
from meetings.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

FRENCH_HEADER = "Courriel;Prénom;Nom;Fonction;Commune;Pays;Code postal;Langue;Actualités"


def csv_import(*lines, encoding="utf-8-sig", **kwargs):
    content = "\r\n".join(lines).encode(encoding)
    return contacts_import(BytesIO(content), filename="contacts.csv", **kwargs)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_a_french_excel_csv_with_bom_and_semicolons_is_imported():
    report = csv_import(
        FRENCH_HEADER + ";Remarques",
        "martine.aubry@lille.example.fr;Martine;Aubry;Maire;Lille;France;59000;Français;oui;",
        "brigitte.aubert@mouscron.example.be;Brigitte;Aubert;Bourgmestre;Mouscron;Belgique;"
        "7700;;non;à rappeler",
        "ruth.vandenberghe@kortrijk.example.be;Ruth;Vandenberghe;Burgemeester;Kortrijk;België;"
        "8500;Nederlands;ja;",
        "jan.desmet@kortrijk.example.be;Jan;Desmet;Schepen;kortrijk;BE;8500;nl;;",
        "piet.vermeulen@halluin.example.fr;Piet;Vermeulen;Burgemeester;Halluin;FR;59250;NL;;",
    )

    assert report.problems == []
    assert (report.created, report.updated, report.unchanged, report.skipped) == (5, 0, 0, 0)
    assert report.organisations_created == 4
    assert report.ignored_columns == ["Remarques"]
    people = {p.email.split(".")[0]: p for p in Person.objects.select_related("organisation")}
    assert {name: p.function for name, p in people.items()} == {
        "martine": Person.Function.MAYOR,
        "brigitte": Person.Function.BURGOMASTER,
        "ruth": Person.Function.BURGOMASTER,
        "jan": Person.Function.ALDERMAN,
        "piet": Person.Function.MAYOR,  # a burgemeester in France is a maire
    }
    assert [people[n].preferred_language for n in ("martine", "brigitte", "ruth", "jan")] == [
        "fr",
        "fr",
        "nl",
        "nl",
    ]
    assert [people[n].accepts_network_news for n in ("martine", "brigitte", "ruth")] == [
        True,
        False,
        True,
    ]
    assert people["jan"].organisation == people["ruth"].organisation
    kortrijk = people["ruth"].organisation
    assert (kortrijk.name, kortrijk.country.code, kortrijk.postcode, kortrijk.kind) == (
        "Kortrijk",
        "BE",
        "8500",
        Organisation.Kind.MUNICIPALITY,
    )


def test_a_windows_1252_csv_with_commas_is_read_too():
    report = csv_import(
        "E-mail,First name,Last name,Function",
        "rene.leroy@example.fr,René,Leroy,échevin",
        encoding="cp1252",
    )
    assert report.created == 1
    assert Person.objects.get().first_name == "René"


def test_an_xlsx_sheet_is_imported_with_its_numbers_and_booleans_read_as_typed():
    content = xlsx_bytes(
        [
            ["Email", "First name", "Last name", "Function", "Organisation", "Country",
             "Postcode", "Phone", "News", "Kind"],
            ["anne.voisin@tourcoing.example.fr", "Anne", "Voisin", "councillor", "Tourcoing",
             "FR", 59200, 320000000, True, "commune"],
            [],
            ["koen.peeters@wevelgem.example.be", "Koen", "Peeters", "gemeenteraadslid",
             "Wevelgem", "BEL", 8560.0, None, False, "gemeente"],
        ]
    )  # fmt: skip
    report = contacts_import(BytesIO(content), filename="Contacts.XLSX")

    assert report.problems == []
    assert report.created == 2
    anne = Person.objects.get(last_name="Voisin")
    assert (anne.organisation.postcode, anne.phone, anne.accepts_network_news) == (
        "59200",
        "320000000",
        True,
    )
    koen = Person.objects.get(last_name="Peeters")
    assert (koen.function, koen.organisation.country.code, koen.organisation.postcode) == (
        Person.Function.COUNCILLOR,
        "BE",
        "8560",
    )


def test_people_are_matched_by_email_in_the_directory_and_in_the_file_whatever_the_case():
    lille = OrganisationFactory(name="Lille", country="FR", postcode="59000")
    known = PersonFactory(email="jean.dupont@lille.example.fr", first_name="Jean", phone="")
    same = PersonFactory(
        email="marie.curie@lille.example.fr", first_name="Marie", last_name="Curie"
    )

    report = csv_import(
        "email;first_name;last_name;function;phone;organisation;country",
        "JEAN.Dupont@Lille.example.fr;;;;+33 3 20 00 00 00;lille;FR",
        f"marie.curie@lille.example.fr;Marie;Curie;{same.function};;;",
        "new.person@example.org;Nouvelle;Personne;officer;;;",
        "NEW.PERSON@example.org;Autre;Personne;officer;;;",
    )

    assert (report.created, report.updated, report.unchanged, report.skipped) == (1, 1, 1, 1)
    assert report.organisations_created == 0  # “lille”, without postcode, is Lille 59000
    [duplicate] = report.problems
    assert (duplicate.line, duplicate.column) == (5, "email")
    assert "line 2" not in duplicate.message and "line 4" in duplicate.message
    known.refresh_from_db()
    assert (known.email, known.first_name, known.phone, known.organisation) == (
        "jean.dupont@lille.example.fr",
        "Jean",
        "+33 3 20 00 00 00",
        lille,
    )
    assert Person.objects.get(email__iexact="new.person@example.org").first_name == "Nouvelle"


def test_an_invalid_email_is_reported_with_its_line_and_column_and_the_other_rows_land():
    report = csv_import(
        FRENCH_HEADER,
        "a@example.fr;Alice;Martin;maire;Lille;FR;59000;;",
        "jean@@example;Jean;Dupont;maire;Roubaix;FR;59100;;",
        "b@example.fr;Bernard;Petit;adjoint;Lille;FR;59000;;",
    )

    assert (report.created, report.skipped) == (2, 1)
    assert [str(problem) for problem in report.problems] == [
        "Line 3, column “Courriel”: “jean@@example” is not a valid email address."
    ]
    assert not Organisation.objects.filter(name="Roubaix").exists()


def test_names_with_markup_and_emoji_are_stored_as_typed():
    report = csv_import(
        "email,first_name,last_name,function",
        "chloe@example.fr,Chloé <b>&,D'Hondt 🌻,mayor",
    )
    assert report.problems == []
    person = Person.objects.get()
    assert (person.first_name, person.last_name) == ("Chloé <b>&", "D'Hondt 🌻")


def test_a_line_break_inside_a_name_or_an_email_refuses_that_row_only():
    report = csv_import(
        "email,first_name,last_name,function",
        '"evil@example.fr","Eve\r\nBcc: all@example.org",Martin,mayor',
        '"evil2@example.fr\nBcc: all@example.org",Eve,Martin,mayor',
        "good@example.fr,Good,Row,mayor",
    )

    assert [(p.line, p.column) for p in report.problems] == [
        (2, "first_name"),
        (3, "email"),
    ]
    assert [p.email for p in Person.objects.all()] == ["good@example.fr"]


def test_each_refusal_names_its_column_and_a_refused_row_leaves_no_new_organisation():
    report = csv_import(
        "email;first_name;last_name;function;organisation;country",
        "a@example.fr;Anne;Voisin;président;Lille;Atlantis",
        f"b@example.fr;Bob;{'x' * 101};mayor;Roubaix;FR",
        "c@example.fr;Cécile;Roux;mayor;Tourcoing;",
    )

    assert report.skipped == 3
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "function"),
        (2, "country"),
        (3, "last_name"),
        (4, "country"),
    ]
    assert "“président”" in report.problems[0].message
    assert not Person.objects.exists()
    assert not Organisation.objects.exists()


def test_a_file_without_the_required_columns_is_refused_and_says_what_it_found():
    with pytest.raises(ImportFileError) as refusal:
        csv_import("Nom;Courriel;Commentaire", "Dupont;jean@example.fr;")
    message = refusal.value.message
    assert "“first_name”" in message and "“function”" in message
    assert "“Commentaire”" in message and "“email”" not in message
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("contacts.xls", b"\xd0\xcf\x11\xe0"),
        ("contacts", b"email,first_name"),
        ("contacts.csv", b""),
        ("contacts.csv", b"\xef\xbb\xbf\r\n;;\r\n"),
        ("contacts.xlsx", b"email,first_name,last_name,function"),
        ("contacts.xlsx", xlsx_bytes([])),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(filename, content):
    with pytest.raises(ImportFileError):
        contacts_import(BytesIO(content), filename=filename)


def test_the_command_reports_each_problem_and_its_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "email,first_name,last_name,function\n"
        "a@example.fr,Anne,Voisin,mayor\n"
        "jean@@example,Jean,Dupont,mayor\n",
        encoding="utf-8",
    )

    out = StringIO()
    call_command("import_contacts", str(path), "--dry-run", stdout=out)
    assert not Person.objects.exists()
    output = out.getvalue()
    assert "created: 1" in output and "skipped: 1" in output
    assert str(RowProblem(3, "email", "“jean@@example” is not a valid email address.")) in output

    call_command("import_contacts", str(path), stdout=StringIO())
    assert [p.email for p in Person.objects.all()] == ["a@example.fr"]

    with pytest.raises(CommandError, match="“function”"):
        (tmp_path / "bad.csv").write_text("email,first_name,last_name\n")
        call_command("import_contacts", str(tmp_path / "bad.csv"))


def import_url():
    with translation.override("en"):
        return reverse("admin:meetings_person_import")


def test_an_organiser_uploads_a_spreadsheet_and_sees_the_problems(client, organiser):
    client.force_login(organiser)
    with translation.override("en"):
        changelist = client.get(reverse("admin:meetings_person_changelist"))
    assert import_url() in changelist.text
    assert client.get(import_url()).status_code == 200

    upload = SimpleUploadedFile(
        "contacts.xlsx",
        xlsx_bytes(
            [
                ["E-mail", "Voornaam", "Achternaam", "Functie"],
                ["a@example.be", "Anke", "Claes", "schepen"],
                ["jean@@example", "Jean", "Dupont", "burgemeester"],
            ]
        ),
    )
    response = client.post(import_url(), {"file": upload})

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.skipped) == (1, 1)
    [problem] = report.problems
    assert (problem.line, problem.column) == (3, "E-mail")
    assert problem.message in response.text
    assert Person.objects.get().function == Person.Function.ALDERMAN


def test_a_file_refused_as_a_whole_is_shown_on_the_form(client, organiser):
    client.force_login(organiser)
    upload = SimpleUploadedFile("contacts.ods", b"whatever")
    response = client.post(import_url(), {"file": upload, "dry_run": "on"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]


def test_staff_without_the_organisers_permissions_cannot_import(client):
    clerk = User.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(import_url()).status_code == 403


def test_a_row_that_would_break_a_published_pair_is_skipped_and_says_which_meeting(meeting):
    burgomaster = meeting.cofacilitators.get(person__organisation__country="BE").person
    OrganisationFactory(name="Lille", country="FR", postcode="59000")

    b = burgomaster
    report = csv_import(
        "email;first_name;last_name;function;organisation;country;postcode",
        f"{b.email};{b.first_name};{b.last_name};{b.function};Lille;FR;59000",
        "someone.else@example.org;Anne;Autre;officer;Lille;FR;59000",
    )

    assert (report.created, report.updated, report.skipped) == (1, 0, 1)
    [refusal] = report.problems
    assert refusal.line == 2 and f"“{meeting}” is published" in refusal.message
    burgomaster.refresh_from_db()
    assert burgomaster.organisation.country == "BE"


# --- Through the API: all or nothing ---------------------------------------------------

GOOD = "martine.aubry@lille.example.fr;Martine <b>&;Aubry 🌷;Maire;Lille;France;59000;;oui"
BAD = "pas-une-adresse;Jan;Desmet;Kortrijk;Kortrijk;BE;8500;nl;"


def api_import(api_client, content: bytes, name="contacts.csv", headers=None, **form):
    upload = SimpleUploadedFile(name, content)
    return api_client.post("/api/people/import", {"file": upload, **form}, **(headers or {}))


def test_the_api_imports_a_csv_and_reports_the_counts(api_client):
    content = "\r\n".join([FRENCH_HEADER + ";Remarques", GOOD]).encode("utf-8-sig")

    response = api_import(api_client, content)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["organisations_created"], body["dry_run"]) == (1, 1, False)
    assert body["ignored_columns"] == ["Remarques"]
    assert body["summary"].startswith("People created: 1")
    assert Person.objects.get().first_name == "Martine <b>&"


def test_the_api_imports_an_xlsx(api_client):
    content = xlsx_bytes(
        [
            ["E-mail", "First name", "Last name", "Function"],
            *[
                [f"p{i}@kortrijk.example.be", "Piet", f"Peeters {i}", "burgemeester"]
                for i in range(3)
            ],
        ]
    )

    response = api_import(api_client, content, name="directory.xlsx")

    assert response.json()["created"] == 3
    assert Person.objects.count() == 3


def test_one_bad_row_and_the_api_writes_nothing_naming_each_line_in_the_callers_language(
    api_client,
):
    content = "\r\n".join([FRENCH_HEADER, GOOD, BAD]).encode("utf-8-sig")

    english = api_import(api_client, content, headers={"HTTP_ACCEPT_LANGUAGE": "en"})
    dutch = api_client.post(
        "/api/people/import?lang=nl", {"file": SimpleUploadedFile("c.csv", content)}
    )

    assert english.status_code == 422
    body = english.json()
    assert body["detail"].startswith("Nothing was imported: 1 line has a problem.")
    assert list(body["errors"]) == ["line 3"]
    assert any("“Courriel”" in message for message in body["errors"]["line 3"])
    assert any("“Fonction”" in message for message in body["errors"]["line 3"])
    assert dutch.status_code == 422
    assert dutch.json()["detail"].startswith("Niets")
    assert list(dutch.json()["errors"]) == ["regel 3"]
    assert not Person.objects.exists() and not Organisation.objects.exists()


def test_a_dry_run_answers_as_the_import_would_and_writes_nothing(api_client):
    good = "\r\n".join([FRENCH_HEADER, GOOD]).encode("utf-8-sig")
    bad = "\r\n".join([FRENCH_HEADER, GOOD, BAD]).encode("utf-8-sig")

    dry = api_import(api_client, good, dry_run="true")
    refused = api_import(api_client, bad, dry_run="true")

    assert (dry.status_code, dry.json()["created"], dry.json()["dry_run"]) == (200, 1, True)
    assert refused.status_code == 422 and "line 3" in refused.json()["errors"]
    assert not Person.objects.exists() and not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("contacts.txt", b"email"), ("contacts.csv", b""), ("contacts.csv", b"Nom;Ville\nX;Y")],
)
def test_a_file_the_api_cannot_read_is_a_422_on_the_file(api_client, name, content):
    response = api_import(api_client, content, name=name)
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == [response.json()["detail"]]


def test_only_organisers_import(client):
    content = "\r\n".join([FRENCH_HEADER, GOOD]).encode("utf-8-sig")
    response = client.post("/api/people/import", {"file": SimpleUploadedFile("c.csv", content)})
    assert response.status_code == 401
    assert not Person.objects.exists()
