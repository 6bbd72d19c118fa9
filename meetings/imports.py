"""Import of the directory from the organisers' spreadsheets (CSV or XLSX).

Organisers arrive with lists of mayors, aldermen and officers typed by hand in French,
Dutch or English, exported by whichever Excel was at hand. So headers and values are
matched loosely (case, accents and the three languages), while every write still goes
through the services: an imported person obeys the same rules as one typed in the admin.

Each row is saved in its own savepoint and its problems are reported with the line and the
column the organiser sees in the spreadsheet, so one bad row never holds back the others.
Only a file that cannot be read as a whole (wrong type, empty, required columns missing)
is refused outright, before anything is written.
"""

import csv
import io
import re
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries
from openpyxl.utils.exceptions import InvalidFileException

from events_site.kit.text import breaks_a_line, fold

from .errors import InvalidData, MeetingsError, NotPublishable
from .models import Organisation, Person
from .services.directory import organisation_create, person_create, person_update

# Every header spelling a column answers to, besides its own name. "commune" and
# "gemeente" name the organisation (a list of mayors is a list of municipalities), so the
# city only answers to words that cannot mean the municipality itself.
COLUMN_ALIASES = {
    "email": ("e-mail", "courriel", "mail", "adresse e-mail", "e-mailadres", "email address"),
    "first_name": ("given name", "prénom", "voornaam"),
    "last_name": (
        "surname",
        "family name",
        "nom",
        "nom de famille",
        "achternaam",
        "familienaam",
    ),
    "function": ("fonction", "functie", "mandat", "mandaat"),
    "organisation": (
        "organization",
        "organisme",
        "collectivité",
        "organisatie",
        "commune",
        "gemeente",
    ),
    "kind": ("type", "type d'organisation", "soort"),
    "country": ("pays", "land"),
    "city": ("ville", "localité", "stad", "plaats"),
    "postcode": ("postal code", "zip code", "code postal", "cp"),
    "phone": ("téléphone", "tel", "telefoon", "gsm", "mobile", "portable"),
    "language": ("langue", "taal", "preferred language", "langue préférée", "voorkeurstaal"),
    "news": ("network news", "actualités", "nieuws", "newsletter", "nieuwsbrief"),
}
REQUIRED_COLUMNS = ("email", "first_name", "last_name", "function")

# The model field each column fills; errors on a field come back to its column.
COLUMN_FIELDS = {
    "organisation": "name",
    "kind": "kind",
    "country": "country",
    "city": "city",
    "postcode": "postcode",
    "first_name": "first_name",
    "last_name": "last_name",
    "phone": "phone",
    "function": "function",
    "language": "preferred_language",
    "news": "accepts_network_news",
}
ORGANISATION_COLUMNS = ("organisation", "kind", "country", "city", "postcode")
FIELD_COLUMNS = {
    **{model_field: column for column, model_field in COLUMN_FIELDS.items()},
    "email": "email",
    "organisation": "organisation",
}

Function = Person.Function
FUNCTION_ALIASES = {
    "adjoint": Function.DEPUTY_MAYOR,
    "adjointe": Function.DEPUTY_MAYOR,
    "maire adjoint": Function.DEPUTY_MAYOR,
    "echevin": Function.ALDERMAN,
    "echevine": Function.ALDERMAN,
    "conseiller": Function.COUNCILLOR,
    "conseillere": Function.COUNCILLOR,
    "conseiller communal": Function.COUNCILLOR,
    "conseillere communale": Function.COUNCILLOR,
    "conseillere municipale": Function.COUNCILLOR,
    "raadslid": Function.COUNCILLOR,
    "agent": Function.OFFICER,
    "technicien": Function.OFFICER,
    "technicienne": Function.OFFICER,
    "fonctionnaire": Function.OFFICER,
    "ambtenaar": Function.OFFICER,
    "experte": Function.EXPERT,
    "deskundige": Function.EXPERT,
    "ander": Function.OTHER,
}
# Dutch has one word for the French maire and the Belgian bourgmestre.
BURGEMEESTER = "burgemeester"

KIND_ALIASES = {
    "mairie": Organisation.Kind.MUNICIPALITY,
    "ville": Organisation.Kind.MUNICIPALITY,
    "epci": Organisation.Kind.INTERMUNICIPAL,
    "intercommunalite": Organisation.Kind.INTERMUNICIPAL,
    "province": Organisation.Kind.REGION,
    "provincie": Organisation.Kind.REGION,
    "departement": Organisation.Kind.REGION,
    "regio": Organisation.Kind.REGION,
    "asbl": Organisation.Kind.ASSOCIATION,
    "vzw": Organisation.Kind.ASSOCIATION,
    "etat": Organisation.Kind.STATE,
}

LANGUAGE_ALIASES = {
    "french": "fr",
    "frans": "fr",
    "dutch": "nl",
    "neerlandais": "nl",
    "flamand": "nl",
    "vlaams": "nl",
    "anglais": "en",
    "engels": "en",
}

YES = {"yes", "y", "oui", "o", "ja", "j", "1", "true", "vrai", "waar", "x"}
NO = {"no", "n", "non", "nee", "0", "false", "faux", "onwaar"}

CONTROL_CHARACTER = gettext_lazy(
    "Line breaks and other control characters are not allowed; put the value on one line."
)


def _word(text: str) -> str:
    """Reduce a header or a value to what a person means by it.

    Case, accents and punctuation vary between spreadsheets and keyboards: “E-mail”,
    “email ”, “Prénom*” and “prenom” are the same column to the organiser.
    """
    return " ".join(re.split(r"[\W_]+", fold(text))).strip()


HEADER_COLUMNS = {
    _word(alias): column
    for column, aliases in COLUMN_ALIASES.items()
    for alias in (column, *aliases)
}


# --- The report -----------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None  # the header as typed in the file; None for the row as a whole
    message: str

    def __str__(self):
        if self.column is None:
            return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return _("Line %(line)d, column “%(column)s”: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What happened to the people of the file; `problems` say why rows were skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    organisations_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def summary(self) -> str:
        counts = _(
            "People created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
            "skipped: %(skipped)d. Organisations created: %(organisations)d."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "organisations": self.organisations_created,
        }
        if not self.ignored_columns:
            return counts
        ignored = _("Columns ignored: %(columns)s.") % {
            "columns": ", ".join(f"“{column}”" for column in self.ignored_columns)
        }
        return f"{counts} {ignored}"


class ImportFileError(MeetingsError):
    """The file as a whole cannot be imported; nothing was written."""


class ImportRefused(InvalidData):
    """Rows with problems in an all-or-nothing import: nothing was written."""

    @classmethod
    def of(cls, report: ImportReport) -> "ImportRefused":
        errors: dict[str, list[str]] = {}
        for problem in report.problems:
            errors.setdefault(_("line %(line)d") % {"line": problem.line}, []).append(str(problem))
        message = ngettext(
            "Nothing was imported: %(count)d line has a problem. Fix it and send the file "
            "again. %(first)s",
            "Nothing was imported: %(count)d lines have problems. Fix them and send the file "
            "again. %(first)s",
            len(errors),
        ) % {"count": len(errors), "first": report.problems[0]}
        return cls(message, errors)


# --- Reading the file -----------------------------------------------------------------


def _text(value) -> str:
    """A cell as the organiser reads it: Excel hands over 59000.0 for the postcode 59000."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    """Excel saves CSV as UTF-8 with a BOM, or as Windows-1252 with `;` in French locales."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("This CSV file is in an unknown encoding; save it as “CSV UTF-8”.")
            ) from None
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(file_obj) -> list[tuple]:
    """Only the first sheet counts, and formulas as the values the organiser saw."""
    try:
        workbook = openpyxl.load_workbook(file_obj, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The stored dimensions may claim a million rows or columns; read what is there.
            sheet.reset_dimensions()
            return list(sheet.iter_rows(values_only=True))
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError):
        raise ImportFileError(
            _("This file cannot be read as an Excel workbook; save it again as .xlsx.")
        ) from None


def _sheet_rows(file_obj, filename: str) -> list[list[str]]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(file_obj.read())
    elif suffix == ".xlsx":
        rows = _xlsx_rows(file_obj)
    else:
        raise ImportFileError(
            _("“%(filename)s” is neither a .csv nor a .xlsx file; save it in one of these formats.")
            % {"filename": filename}
        )
    return [[_text(cell) for cell in row] for row in rows]


@dataclass(frozen=True)
class _Columns:
    """Where each known column sits in the file, and how its header was typed."""

    positions: dict[str, int]
    headers: dict[str, str]
    ignored: list[str]

    @classmethod
    def from_header(cls, header: list[str]) -> "_Columns":
        positions, headers, ignored = {}, {}, []
        for position, typed in enumerate(header):
            column = HEADER_COLUMNS.get(_word(typed))
            if column is None:
                if typed:
                    ignored.append(typed)
            elif column in positions:
                raise ImportFileError(
                    _(
                        "The columns “%(first)s” and “%(second)s” both give the %(column)s; "
                        "keep only one of them."
                    )
                    % {"first": headers[column], "second": typed, "column": column}
                )
            else:
                positions[column], headers[column] = position, typed
        missing = [column for column in REQUIRED_COLUMNS if column not in positions]
        if missing:
            raise ImportFileError(
                _("Required columns are missing: %(missing)s. Columns found: %(found)s.")
                % {
                    "missing": ", ".join(f"“{column}”" for column in missing),
                    "found": ", ".join(f"“{typed}”" for typed in header if typed) or _("none"),
                }
            )
        return cls(positions, headers, ignored)

    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            column: cells[position] if position < len(cells) else ""
            for column, position in self.positions.items()
        }

    def label(self, column: str) -> str:
        return self.headers.get(column, column)

    def order(self, column: str | None) -> int:
        return self.positions.get(column, len(self.positions))


# --- Understanding the values ---------------------------------------------------------


def _choice_words(choices: type[models.TextChoices], aliases: dict[str, str]) -> dict[str, str]:
    """A choice answers to its key, its label in each language and the usual synonyms."""
    words = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words.update({_word(str(label)): value for value, label in choices.choices})
    words.update({_word(value): value for value in choices.values})
    words.update({_word(alias): value for alias, value in aliases.items()})
    return words


@cache
def _function_words() -> dict[str, str]:
    return _choice_words(Function, FUNCTION_ALIASES)


@cache
def _kind_words() -> dict[str, str]:
    return _choice_words(Organisation.Kind, KIND_ALIASES)


@cache
def _country_words() -> dict[str, str]:
    words = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words.update({_word(str(name)): code for code, name in countries})
    return words


@cache
def _language_words() -> dict[str, str]:
    words = {_word(name): code for code, name in settings.LANGUAGES}
    words.update({code: code for code, _name in settings.LANGUAGES})
    words.update(LANGUAGE_ALIASES)
    return words


def _function(value: str, country: str | None) -> str | None:
    word = _word(value)
    if word == BURGEMEESTER:
        return Function.MAYOR if country == "FR" else Function.BURGOMASTER
    return _function_words().get(word)


def _country(value: str) -> str | None:
    return countries.alpha2(value) or _country_words().get(_word(value))


def _yes_no(value: str) -> bool | None:
    word = _word(value)
    return True if word in YES else False if word in NO else None


# Each lookup gets the cell and the row read so far (the function depends on the country,
# so the country comes first); None means the value is not understood.
VALUE_LOOKUPS = {
    "country": (
        lambda text, row: _country(text),
        gettext_lazy(
            "“%(value)s” is not a known country; give its name or its ISO code (FR, BE…)."
        ),
    ),
    "function": (
        lambda text, row: _function(text, row.get("country")),
        gettext_lazy(
            "“%(value)s” is not a known function (mayor, burgomaster, deputy mayor, alderman, "
            "councillor, officer, agency staff, expert, other)."
        ),
    ),
    "kind": (
        lambda text, row: _kind_words().get(_word(text)),
        gettext_lazy(
            "“%(value)s” is not a known kind of organisation (municipality, intermunicipal, "
            "region, agency, association, state, other)."
        ),
    ),
    "language": (
        lambda text, row: _language_words().get(_word(text)),
        gettext_lazy("“%(value)s” is not a known language; use fr, nl or en."),
    ),
    "news": (lambda text, row: _yes_no(text), gettext_lazy("“%(value)s” is neither yes nor no.")),
}


def _understood(values: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Turn the row's text into model values, with a message for each column that fails.

    Empty cells are left out: they neither create nor erase anything.
    """
    problems = {
        column: str(CONTROL_CHARACTER) for column, text in values.items() if breaks_a_line(text)
    }
    row = {column: text for column, text in values.items() if text and column not in problems}
    for column, (lookup, message) in VALUE_LOOKUPS.items():
        if column in row:
            found = lookup(row[column], row)
            if found is None:
                problems[column] = message % {"value": row.pop(column)}
            else:
                row[column] = found
    if "email" not in problems:
        if "email" not in row:
            problems["email"] = _("The email address is missing.")
        else:
            try:
                validate_email(row["email"])
            except ValidationError:
                problems["email"] = _("“%(value)s” is not a valid email address.") % {
                    "value": row.pop("email")
                }
    if "organisation" in row and "country" not in row and "country" not in problems:
        problems["country"] = _("Give the country of the organisation (FR, BE…).")
    return row, problems


# --- Writing ----------------------------------------------------------------------------


def _organisation(row: dict) -> tuple[Organisation, bool]:
    """Find the row's organisation, or create it; say whether it was created.

    Spreadsheets often leave the postcode out: then the one organisation of that name in
    that country is the one meant, rather than a twin without a postcode.
    """
    same_name = Organisation.objects.filter(
        name__iexact=row["organisation"], country=row["country"]
    )
    postcode = row.get("postcode", "")
    found = same_name.filter(postcode=postcode).first()
    if found is None and not postcode:
        candidates = list(same_name[:2])
        found = candidates[0] if len(candidates) == 1 else None
    if found is not None:
        return found, False
    created = organisation_create(
        name=row["organisation"],
        kind=row.get("kind", Organisation.Kind.MUNICIPALITY),
        country=row["country"],
        city=row.get("city", ""),
        postcode=postcode,
    )
    return created, True


def _person_save(row: dict, report: ImportReport) -> None:
    """Create the person, or update the one with this email with what the row gives."""
    data = {
        COLUMN_FIELDS[column]: value
        for column, value in row.items()
        if column in COLUMN_FIELDS and column not in ORGANISATION_COLUMNS
    }
    organisation_created = False
    if "organisation" in row:
        data["organisation"], organisation_created = _organisation(row)
    person = Person.objects.filter(email__iexact=row["email"]).first()
    if person is None:
        person_create(email=row["email"], **data)
        report.created += 1
    else:
        changed = {name: value for name, value in data.items() if getattr(person, name) != value}
        if changed:
            person_update(person, **changed)
            report.updated += 1
        else:
            report.unchanged += 1
    report.organisations_created += organisation_created


def _row_import(
    line: int,
    values: dict[str, str],
    columns: _Columns,
    report: ImportReport,
    first_lines: dict[str, int],
) -> None:
    row, problems = _understood(values)
    if "email" in row:
        key = row["email"].lower()
        if key in first_lines:
            problems = {
                "email": _("“%(email)s” already appears on line %(line)d; this line is skipped.")
                % {"email": row["email"], "line": first_lines[key]}
            }
        else:
            first_lines[key] = line
    if not problems:
        try:
            with transaction.atomic():
                _person_save(row, report)
        except InvalidData as refusal:
            problems = {
                FIELD_COLUMNS.get(name): "; ".join(messages)
                for name, messages in refusal.errors.items()
                if name != "__all__"
            } or {None: refusal.message}
        except NotPublishable as refusal:
            # The row would break the pair of a published meeting: skipped, saying which.
            problems = {None: refusal.message}
    if problems:
        report.skipped += 1
        for column in sorted(problems, key=columns.order):
            label = None if column is None else columns.label(column)
            report.problems.append(RowProblem(line, label, problems[column]))


def contacts_import(
    file_obj, *, filename: str, dry_run: bool = False, all_or_nothing: bool = False
) -> ImportReport:
    """Import people (and their organisations) from a .csv or .xlsx file, one row each.

    People are matched by email, case-insensitively, against the directory and against
    the earlier lines of the file. The header is the first non-empty row. A dry run does
    every check and every write, then rolls them all back: the report is the real one.
    Raises ImportFileError when the file as a whole cannot be imported.

    `all_or_nothing` is for a script, which cannot read a report of skipped rows the way
    an organiser at the admin does: a file with a single bad row writes nothing and
    raises `ImportRefused`, every row's problems in its `errors` (a dry run too, as the
    import itself would).
    """
    rows = enumerate(_sheet_rows(file_obj, filename), start=1)
    header = next((cells for _line, cells in rows if any(cells)), None)
    if header is None:
        raise ImportFileError(_("“%(filename)s” is empty.") % {"filename": filename})
    columns = _Columns.from_header(header)
    report = ImportReport(ignored_columns=columns.ignored, dry_run=dry_run)
    first_lines: dict[str, int] = {}
    with transaction.atomic() if dry_run or all_or_nothing else nullcontext():
        for line, cells in rows:
            values = columns.values(cells)
            if any(values.values()):
                _row_import(line, values, columns, report, first_lines)
        if all_or_nothing and report.problems:
            raise ImportRefused.of(report)
        if dry_run:
            transaction.set_rollback(True)
    return report
