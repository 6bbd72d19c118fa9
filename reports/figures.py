"""The key figures of a meeting's attendance: what the attendance sheet ends with and the
synthesis booklet quotes ("52 registered, 41 present, of whom 29 elected officials…").

`attendance_figures` returns plain frozen dataclasses of counts keyed by stable codes
(ISO country codes, function codes, language codes), so any document can lay them out in
any language: `Figures.label(...)` helpers name the keys in the active language.

"Registered" means confirmed: the waiting list and cancellations are counted apart.
"Present" means confirmed and checked in.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from meetings.models import Meeting, Organisation, Person
from registrations.models import CheckIn, Registration

ELECTED = "elected"
OFFICERS = "officers"
OTHER = "other"
FUNCTION_GROUPS = (ELECTED, OFFICERS, OTHER)
OFFICER_FUNCTIONS = frozenset({Person.Function.OFFICER})
UNSPECIFIED = ""


def function_group(function: str) -> str:
    """Elected officials (mayors, burgomasters, aldermen…), municipal officers, or other."""
    if function in Person.ELECTED_FUNCTIONS:
        return ELECTED
    if function in OFFICER_FUNCTIONS:
        return OFFICERS
    return OTHER


@dataclass(frozen=True)
class Split:
    """One line of a breakdown: `key` is a code, never a translated label."""

    key: str
    registered: int
    present: int

    @property
    def rate(self) -> float | None:
        return self.present / self.registered if self.registered else None


@dataclass(frozen=True)
class AttendanceFigures:
    meeting_id: int
    registered: int
    present: int
    waitlisted: int
    cancelled: int
    by_country: list[Split] = field(default_factory=list)
    by_function_group: list[Split] = field(default_factory=list)
    by_function: list[Split] = field(default_factory=list)
    by_language: list[Split] = field(default_factory=list)
    # Confirmed people who asked for interpretation, by the language they want it into.
    interpretation: list[Split] = field(default_factory=list)

    @property
    def absent(self) -> int:
        return self.registered - self.present

    @property
    def rate(self) -> float | None:
        return self.present / self.registered if self.registered else None

    def as_dict(self) -> dict:
        """JSON-ready, for an API or a template."""

        def splits(items):
            return [{"key": s.key, "registered": s.registered, "present": s.present} for s in items]

        return {
            "meeting": self.meeting_id,
            "registered": self.registered,
            "present": self.present,
            "absent": self.absent,
            "waitlisted": self.waitlisted,
            "cancelled": self.cancelled,
            "by_country": splits(self.by_country),
            "by_function_group": splits(self.by_function_group),
            "by_function": splits(self.by_function),
            "by_language": splits(self.by_language),
            "interpretation": splits(self.interpretation),
        }


def _splits(registered: Counter, present: Counter, order=None) -> list[Split]:
    """Largest first, then by key; or in `order` (with every key of it, zeros included)."""
    if order is not None:
        keys = list(order) + sorted(k for k in registered if k not in order)
    else:
        keys = sorted(registered, key=lambda k: (-registered[k], k))
    return [Split(key, registered[key], present[key]) for key in keys]


def attendance_figures(meeting: Meeting) -> AttendanceFigures:
    """Every figure of the meeting's attendance, from one query."""
    rows = (
        Registration.objects.filter(meeting=meeting)
        .annotate(present=Exists(CheckIn.objects.filter(registration=OuterRef("pk"))))
        .values_list(
            "status",
            "present",
            "organisation__country",
            "organisation_country",
            "function",
            "language",
            "interpretation_needed",
            "interpretation_to",
        )
    )
    statuses = Counter()
    registered = {name: Counter() for name in ("country", "group", "function", "language", "to")}
    present = {name: Counter() for name in registered}
    for status, came, directory_country, typed_country, function, language, needs, to in rows:
        statuses[status] += 1
        if status != Registration.Status.CONFIRMED:
            continue
        keys = {
            "country": str(directory_country or typed_country or UNSPECIFIED),
            "group": function_group(function),
            "function": function,
            "language": language,
        }
        if needs:
            keys["to"] = to or UNSPECIFIED
        for name, key in keys.items():
            registered[name][key] += 1
            if came:
                present[name][key] += 1
    statuses["present"] = sum(present["group"].values())
    functions = [code for code, _label in Person.Function.choices]
    return AttendanceFigures(
        meeting_id=meeting.pk,
        registered=statuses[Registration.Status.CONFIRMED],
        present=statuses["present"],
        waitlisted=statuses[Registration.Status.WAITLISTED],
        cancelled=statuses[Registration.Status.CANCELLED],
        by_country=_splits(registered["country"], present["country"]),
        by_function_group=_splits(registered["group"], present["group"], FUNCTION_GROUPS),
        by_function=_splits(
            registered["function"],
            present["function"],
            [code for code in functions if registered["function"][code]],
        ),
        by_language=_splits(registered["language"], present["language"]),
        interpretation=_splits(registered["to"], present["to"]),
    )


# --- Names of the keys, in the active language ---------------------------------------------


def country_label(code: str) -> str:
    return str(countries.name(code)) if code else _("unspecified")


def function_group_label(key: str) -> str:
    return {
        ELECTED: _("elected officials"),
        OFFICERS: _("municipal officers"),
        OTHER: _("others"),
    }[key]


def function_label(code: str) -> str:
    return str(Person.Function(code).label) if code in Person.Function.values else code


def organisation_kind_label(kind: str) -> str:
    return str(Organisation.Kind(kind).label) if kind in Organisation.Kind.values else kind


def language_label(code: str) -> str:
    if not code:
        return _("unspecified")
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code
