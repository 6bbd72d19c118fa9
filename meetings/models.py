"""The network's directory (organisations, people) and its annual programme of meetings."""

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.kit.text import breaks_a_line

LANGUAGE_CHOICES = settings.LANGUAGES
KNOWN_TIME_ZONES = frozenset(available_timezones())
TIME_ZONE_CHOICES = sorted((tz, tz) for tz in KNOWN_TIME_ZONES if "/" in tz)


def validate_time_zone(value: str) -> None:
    if value not in KNOWN_TIME_ZONES:
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_working_languages(value) -> None:
    known = {code for code, _name in LANGUAGE_CHOICES}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one working language."))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown working language: %(codes)s."),
            params={"codes": ", ".join(map(str, unknown))},
        )


def validate_single_line(value: str) -> None:
    """Names and addresses end up in email headers (`events_site.kit.text.breaks_a_line`)."""
    if breaks_a_line(value):
        raise ValidationError(_("A line break is not allowed here."))


def default_working_languages() -> list[str]:
    return ["fr", "nl"]


class OrganisationQuerySet(models.QuerySet):
    def members(self) -> "OrganisationQuerySet":
        """The network's members: active memberships only (a lapsed one is not)."""
        return self.filter(membership=Organisation.Membership.ACTIVE)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        INTERMUNICIPAL = "intermunicipal", _("intermunicipal body")
        REGION = "region", _("province, department or region")
        AGENCY = "agency", _("agency")
        ASSOCIATION = "association", _("association")
        STATE = "state", _("state service")
        OTHER = "other", _("other")

    class Membership(models.TextChoices):
        NONE = "", _("not a member")
        ACTIVE = "active", _("active member")
        LAPSED = "lapsed", _("lapsed member")

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    # Membership of the network (seed 004: "communes adhérentes"), which opens the
    # members' documents to the organisation's people while it is active.
    membership = models.CharField(
        _("network membership"),
        max_length=10,
        choices=Membership.choices,
        default=Membership.NONE,
        blank=True,
    )
    member_since = models.PositiveSmallIntegerField(_("member since (year)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(membership="", member_since__isnull=True)
                | (
                    ~models.Q(membership="")
                    & models.Q(
                        member_since__isnull=False, member_since__gte=1900, member_since__lte=2100
                    )
                ),
                name="organisation_member_has_a_year",
                violation_error_message=_(
                    "A member organisation needs the year it joined (between 1900 and 2100), "
                    "and a non-member none."
                ),
            ),
            models.UniqueConstraint(
                Lower("name"),
                "country",
                "postcode",
                name="organisation_unique_name_country_postcode",
                violation_error_message=_("This organisation is already in the directory."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    @property
    def is_member(self) -> bool:
        """The Python side of `OrganisationQuerySet.members`."""
        return self.membership == self.Membership.ACTIVE


class PersonQuerySet(models.QuerySet):
    def members(self) -> "PersonQuerySet":
        """People of the network's active member organisations."""
        return self.filter(organisation__in=Organisation.objects.members())


class Person(models.Model):
    class Function(models.TextChoices):
        MAYOR = "mayor", _("mayor")
        BURGOMASTER = "burgomaster", _("burgomaster")
        DEPUTY_MAYOR = "deputy_mayor", _("deputy mayor")
        ALDERMAN = "alderman", _("alderman")
        COUNCILLOR = "councillor", _("councillor")
        OFFICER = "officer", _("municipal officer")
        AGENCY_STAFF = "agency_staff", _("agency staff")
        EXPERT = "expert", _("expert")
        OTHER = "other", _("other")

    ELECTED_FUNCTIONS = frozenset(
        {
            Function.MAYOR,
            Function.BURGOMASTER,
            Function.DEPUTY_MAYOR,
            Function.ALDERMAN,
            Function.COUNCILLOR,
        }
    )

    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_single_line]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_single_line])
    email = models.EmailField(_("email"), validators=[validate_single_line])
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=LANGUAGE_CHOICES, default="fr"
    )
    accepts_network_news = models.BooleanField(_("receives network news"), default=False)
    # The sign-in of a facilitator: made on their first one-time link, never with a
    # password (see `meetings.auth`). Organisers are ordinary staff users, with no person.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="person",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="person_unique_email",
                violation_error_message=_("Someone in the directory already has this email."),
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_elected(self) -> bool:
        return self.function in self.ELECTED_FUNCTIONS

    @property
    def country(self):
        return self.organisation.country if self.organisation_id else None

    @property
    def is_member(self) -> bool:
        """`PersonQuerySet.members`, for one person."""
        return self.organisation_id is not None and self.organisation.is_member


class Theme(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100),
                name="programme_year_plausible",
                violation_error_message=_("The year must be between 2000 and 2100."),
            )
        ]

    def __str__(self):
        return f"{self.year} · {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    # Changing any of these means calendars must update: the iCal SEQUENCE goes up.
    SCHEDULE_FIELDS = frozenset(
        {
            "starts_at",
            "ends_at",
            "time_zone",
            "venue_name",
            "venue_address",
            "venue_city",
            "venue_country",
            "status",
        }
    )

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="Europe/Brussels",
        validators=[validate_time_zone],
    )
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("address"), max_length=255, blank=True)
    venue_city = models.CharField(_("city"), max_length=120)
    venue_country = CountryField(_("country"))
    host_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
        null=True,
        blank=True,
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="meetings", blank=True
    )
    working_languages = models.JSONField(
        _("working languages"),
        default=default_working_languages,
        validators=[validate_working_languages],
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=40)
    # Confirmed registrations, kept by the registration services under the meeting's row
    # lock: pages read it without a join, and the database refuses any oversell.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    is_cross_border = models.BooleanField(
        _("cross-border"),
        default=True,
        help_text=_("Cross-border meetings need a co-facilitator from each side of the border."),
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    # The organiser's words in the booklet (seed 003): why the meeting was held, what the
    # day set out to do (one ambition a line), and how its workshops were run.
    context = models.TextField(_("context"), blank=True)
    ambitions = models.TextField(_("ambitions"), blank=True, help_text=_("One ambition per line."))
    principles = models.TextField(_("how the workshops were run"), blank=True)
    # "Les suites": what happens after the meeting, written by the organiser for the booklet.
    next_steps = models.TextField(_("next steps"), blank=True)
    # Set when the organiser declares the meeting over: the booklet goes to those who came.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["programme", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1),
                name="meeting_capacity_at_least_one",
                violation_error_message=_("The capacity must be at least 1 seat."),
            ),
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="meeting_never_oversold",
                violation_error_message=_(
                    "More people are already confirmed than this capacity allows."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="meeting_registration_closes_after_opening",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        # An unknown zone is the time zone field's error, found before this one.
        if self.starts_at and self.programme_id and self.time_zone in KNOWN_TIME_ZONES:
            year = self.starts_at.astimezone(ZoneInfo(self.time_zone)).year
            if year != self.programme.year:
                errors["starts_at"] = _(
                    "This meeting starts in %(year)s but belongs to the %(programme)s programme."
                ) % {"year": year, "programme": self.programme.year}
        if (
            self.registration_closes_at
            and self.ends_at
            and self.registration_closes_at > self.ends_at
        ):
            errors["registration_closes_at"] = _("Registration must close before the meeting ends.")
        agenda_end = self._agenda_end_min()
        if agenda_end and self.starts_at and self.ends_at and self.time_zone in KNOWN_TIME_ZONES:
            end = self.starts_at + timedelta(minutes=agenda_end)
            if end > self.ends_at:
                errors["ends_at"] = _(
                    "The agenda runs until %(time)s: the meeting cannot end before it."
                ) % {"time": end.astimezone(self.tz).strftime("%H:%M")}
        if errors:
            raise ValidationError(errors)

    def _agenda_end_min(self) -> int | None:
        """Minutes from the start to the end of the agenda's last item. The agenda moves
        with the meeting (it is stored as offsets), but a shorter meeting would leave
        items after its end, so `clean` refuses that."""
        if self.pk is None:
            return None
        return self.agenda_items.aggregate(
            end=models.Max(models.F("start_offset_min") + models.F("duration_min"))
        )["end"]

    @property
    def in_partnership_with(self) -> str:
        """The sentence every output carries for a meeting with a host organisation."""
        if self.host_organisation_id is None:
            return ""
        return _("In partnership with %(host)s") % {"host": self.host_organisation.name}

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.tz)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    # Whether people may register now, or why not (see `registration_state`).
    REGISTRATION_OPEN = "open"
    REGISTRATION_DRAFT = "draft"
    REGISTRATION_CANCELLED = "cancelled"
    REGISTRATION_NOT_YET = "not_yet"
    REGISTRATION_CLOSED = "closed"

    @property
    def registration_closes(self):
        """When registration ends: the closing time set, else the start of the meeting."""
        return self.registration_closes_at or self.starts_at

    def registration_state(self, now=None) -> str:
        """One of the REGISTRATION_* values: "open", or the reason nobody may register."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return self.REGISTRATION_CANCELLED
        if self.status == self.Status.DRAFT:
            return self.REGISTRATION_DRAFT
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.REGISTRATION_NOT_YET
        if now >= self.registration_closes:
            return self.REGISTRATION_CLOSED
        return self.REGISTRATION_OPEN

    @property
    def registration_is_open(self) -> bool:
        return self.registration_state() == self.REGISTRATION_OPEN


class CoFacilitator(models.Model):
    class Role(models.TextChoices):
        CO_FACILITATOR = "co_facilitator", _("co-facilitator")
        SUPPORT = "support", _("support (agency staff)")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="cofacilitators"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cofacilitations"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CO_FACILITATOR
    )

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("co-facilitator")
        verbose_name_plural = _("co-facilitators")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="cofacilitator_unique_per_meeting",
                violation_error_message=_("This person already co-facilitates this meeting."),
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


class EditionLanguage(models.TextChoices):
    """What a text people read is written in: a document, a synthesis booklet."""

    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    BOTH = "fr+nl", _("French and Dutch")


@dataclass(frozen=True)
class Viewer:
    """Who is asking for a document: what `DocumentQuerySet.visible_to` decides on.

    `participant_of` holds the meetings the visitor is a participant of: those they hold
    a confirmed registration for (its manage link, or their signed-in person) and those
    they co-facilitate.
    """

    organiser: bool = False
    member: bool = False
    participant_of: frozenset[int] = frozenset()


class DocumentQuerySet(models.QuerySet):
    def published(self) -> "DocumentQuerySet":
        """Documents of the network, or of a meeting that is public (published or
        cancelled): those of a draft meeting are the organisers' alone."""
        return self.filter(
            models.Q(meeting__isnull=True)
            | models.Q(meeting__status__in=(Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED))
        )

    def visible_to(self, viewer: Viewer) -> "DocumentQuerySet":
        """The one rule of who may see a document (pages, API, downloads, emails, booklet).

        Organisers see everything. Others see public documents, those for the
        participants of a meeting they are a participant of, and, when they are a
        member, the members' documents; all of them `published`.
        """
        if viewer.organiser:
            return self
        allowed = models.Q(visibility=Document.Visibility.PUBLIC) | models.Q(
            visibility=Document.Visibility.PARTICIPANTS, meeting_id__in=viewer.participant_of
        )
        if viewer.member:
            allowed |= models.Q(visibility=Document.Visibility.MEMBERS)
        return self.published().filter(allowed)


def document_path(document: "Document", filename: str) -> str:
    """A folder of its own per file: nobody can guess a stored name, and two uploads
    called "slides.pdf" never overwrite each other."""
    return f"documents/{uuid.uuid4().hex}/{get_valid_filename(filename)[-100:]}"


class Document(models.Model):
    """A file the network shares: a meeting's slides, posters and reports, or a members'
    resource (project sheets, specifications). Downloaded only through the views that
    check `visibility` on every request."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("slides")
        POSTER = "poster", _("poster")
        REPORT = "report", _("report")
        PROJECT_SHEET = "project_sheet", _("project sheet")
        SPECIFICATION = "specification", _("specification")
        PHOTO = "photo", _("photo")
        LOGO = "logo", _("logo")
        OTHER = "other", _("other")

    Language = EditionLanguage

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        PARTICIPANTS = "participants", _("the meeting's participants")
        MEMBERS = "members", _("network members")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    # What the content is (sniffed on upload, never taken from the name): the download's type.
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
    )
    # The talk or plenary it belongs to (its slides), within the same meeting.
    agenda_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        related_name="documents",
        null=True,
        blank=True,
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "kind", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(visibility="participants") | models.Q(meeting__isnull=False),
                name="document_participants_need_a_meeting",
                violation_error_message=_(
                    "A document for the participants belongs to a meeting: choose the meeting."
                ),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError(
                {"agenda_item": _("Choose an item of the agenda of the document's meeting.")}
            )

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


# A booklet shows at most this many photos of its meeting, as seed 003 does.
PICTURES_MAX = 4


class MeetingPicture(models.Model):
    """A photo of the meeting chosen for its booklet, with its caption: one of the
    meeting's documents of kind photo, so the file is uploaded, checked and erased once."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="pictures"
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("photo"),
        on_delete=models.CASCADE,
        related_name="pictures",
        limit_choices_to={"kind": Document.Kind.PHOTO},
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("booklet photo")
        verbose_name_plural = _("booklet photos")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "document"],
                name="meetingpicture_once_per_meeting",
                violation_error_message=_("This photo is already in the booklet."),
            )
        ]

    def __str__(self):
        return self.caption or str(self.document)

    def clean(self):
        # By id: an unknown one is the field's own error, found before this.
        document = Document.objects.filter(pk=self.document_id).first()
        if document is None:
            return
        if document.meeting_id != self.meeting_id or document.kind != Document.Kind.PHOTO:
            raise ValidationError(
                {"document": _("Choose a photo among the documents of this meeting.")}
            )


def map_link(address: str) -> str:
    """A link that opens the address on OpenStreetMap: the page loads no map tiles itself."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


def slot_clock(meeting_start, meeting_end, zone: ZoneInfo) -> Callable[[Any], str]:
    """What names a slot of a meeting by its local hours, "10:30–10:45": a function of
    anything with `start_offset_min` and `duration_min` (an item, or a row the year feed
    reads in bulk). Offsets count real minutes: when the zone's offset is the same at both
    ends of the meeting (always, but across a clock change), they are added to the local
    start's minutes, which a year feed of thousands of items can afford; else each end is
    converted on its own."""
    local = meeting_start.astimezone(zone)
    if local.utcoffset() == meeting_end.astimezone(zone).utcoffset():
        base = local.hour * 60 + local.minute

        def hours(slot) -> str:
            begins = base + slot.start_offset_min
            ends = begins + slot.duration_min
            return f"{begins // 60 % 24:02}:{begins % 60:02}–{ends // 60 % 24:02}:{ends % 60:02}"

        return hours

    def hours_across_a_clock_change(slot) -> str:
        begins = meeting_start.astimezone(UTC) + timedelta(minutes=slot.start_offset_min)
        ends = begins + timedelta(minutes=slot.duration_min)
        return f"{begins.astimezone(zone):%H:%M}–{ends.astimezone(zone):%H:%M}"

    return hours_across_a_clock_change


class AgendaItem(models.Model):
    """One slot of a meeting's agenda, stored as an offset from the meeting's start so
    that moving the meeting moves its agenda. Items never overlap
    (`meetings.services.agenda`); the parallel workshops of a "workshops" slot are
    workshops pointing at it, not items of their own."""

    class Kind(models.TextChoices):
        WELCOME = "welcome", _("welcome")
        PLENARY = "plenary", _("plenary session")
        TALK = "talk", _("talk")
        PROJECT = "project_presentation", _("project presentation")
        WORKSHOPS = "workshops", _("workshops")
        SITE_VISIT = "site_visit", _("site visit")
        MEAL = "meal", _("meal")
        BREAK = "break", _("break")
        NETWORKING = "networking", _("networking")
        CLOSING = "closing", _("closing")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    start_offset_min = models.PositiveIntegerField(
        _("minutes after the meeting starts"), editable=False
    )
    duration_min = models.PositiveIntegerField(_("duration (minutes)"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    room = models.CharField(_("room"), max_length=120, blank=True)
    address = models.CharField(
        _("address"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
        help_text=_("For a site visit: where the group goes."),
    )

    class Meta:
        ordering = ["meeting", "start_offset_min", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_min__gte=1),
                name="agenda_item_lasts",
                violation_error_message=_("An agenda item lasts at least one minute."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def starts_at(self):
        return self.meeting.starts_at + timedelta(minutes=self.start_offset_min)

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_min)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.meeting.tz)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.meeting.tz)

    @property
    def hours(self) -> str:
        """The slot as every refusal and every output names it: "10:30–10:45"."""
        meeting = self.meeting
        return slot_clock(meeting.starts_at, meeting.ends_at, meeting.tz)(self)

    @property
    def map_url(self) -> str:
        return map_link(self.address) if self.address else ""


class AgendaSpeaker(models.Model):
    """Someone from the directory, or a guest known only by a name and a role."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="agenda_speakers",
        null=True,
        blank=True,
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, validators=[validate_single_line]
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(name=""),
                name="agenda_speaker_named",
                violation_error_message=_("A speaker is a person of the directory or a name."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person_id else self.name

    @property
    def display_role(self) -> str:
        """The role typed, else the person's function and organisation."""
        if self.role or not self.person_id:
            return self.role
        about = [str(self.person.get_function_display())]
        if self.person.organisation_id:
            about.append(self.person.organisation.name)
        return ", ".join(about)


class ApiKey(models.Model):
    """A per-user key for `Authorization: Bearer`; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.user} · {self.prefix}…"


def login_token() -> str:
    """256 random bits: the link is the facilitator's whole sign-in."""
    return secrets.token_urlsafe(32)


class LoginLink(models.Model):
    """A one-time sign-in link emailed to someone the network knows: valid `TTL`, used
    once. `person` is their directory entry; a participant who only registered has none,
    and is known by `email` alone."""

    # Long enough to switch to the mailbox, short enough that a forwarded email is dead.
    TTL = timedelta(minutes=15)

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="login_links", null=True, blank=True
    )
    # Lower case: the links sent to one address are counted by it.
    email = models.EmailField(blank=True)
    token = models.CharField(max_length=64, unique=True, default=login_token, editable=False)
    next_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self):
        return f"{self.person or self.email} · {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def ttl_minutes(cls) -> int:
        """`TTL` as the emails, pages and refusals say it."""
        return int(cls.TTL / timedelta(minutes=1))


class Erasure(models.Model):
    """One erasure of someone's data, on their request: when, by whom, and how much.

    It names nobody and keeps no address: the erased data is exactly what it must not
    hold. The anonymised directory entry, when there was one, is what it points to.
    """

    class Channel(models.TextChoices):
        SELF = "self", _("by the person, signed in")
        ORGANISER = "organiser", _("by an organiser, on a request received")
        API = "api", _("by an organiser, through the API")

    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who did it, still readable once that account is gone (an organiser's user name).
    erased_by_name = models.CharField(_("erased by"), max_length=150, blank=True)
    channel = models.CharField(_("requested"), max_length=10, choices=Channel.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("directory entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
    )
    registrations = models.PositiveIntegerField(_("registrations anonymised"), default=0)
    contributions = models.PositiveIntegerField(_("post-its unsigned"), default=0)
    answers = models.PositiveIntegerField(_("poll answers and words made anonymous"), default=0)
    deliveries = models.PositiveIntegerField(_("emails stripped of their recipient"), default=0)

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self):
        return f"{self.erased_at:%Y-%m-%d %H:%M} · {self.get_channel_display()}"
