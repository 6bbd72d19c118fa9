"""Who was invited to which meeting, with the personal link that leads them to register."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.kit.text import fold
from meetings.models import Meeting, Organisation, Person, validate_single_line


def invitation_token() -> str:
    """256 random bits: the link stands in for a login, so it must not be guessable."""
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="invitations"
    )
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("link opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="invitation_unique_per_meeting",
                violation_error_message=_("This person is already invited to this meeting."),
            )
        ]

    def __str__(self):
        return f"{self.person} → {self.meeting}"


# Crockford's base 32: no I, L, O or U, so a ticket read aloud or typed from paper
# cannot be mistaken for another.
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_LENGTH = 26  # 26 × 5 = 130 random bits


def ticket_secret() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


# What a registration's `search_text` is folded from: a save that writes none of them
# leaves it as it is.
SEARCHED_FIELDS = frozenset(
    {"first_name", "last_name", "email", "organisation", "organisation_name"}
)


def search_text(first_name: str, last_name: str, organisation: str, email: str) -> str:
    """The door's search haystack: what a volunteer may type, folded once when written
    (`events_site.kit.text.fold`), so a search compares plain substrings and the
    database can index them (a trigram index on PostgreSQL)."""
    return fold(" ".join((first_name, last_name, organisation, email)))


def manage_token() -> str:
    """The registration's manage link stands in for an account: 256 random bits."""
    return secrets.token_urlsafe(32)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="registrations"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        help_text=_("The directory entry with this email, when there is one."),
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration",
    )
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_single_line]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_single_line])
    email = models.EmailField(_("email"), validators=[validate_single_line])
    function = models.CharField(_("function"), max_length=20, choices=Person.Function.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    # Typed by someone whose organisation is not in the directory yet.
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_single_line]
    )
    organisation_country = CountryField(_("country"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    interpretation_needed = models.BooleanField(_("needs interpretation"), default=False)
    interpretation_to = models.CharField(
        _("interpretation into"), max_length=5, choices=settings.LANGUAGES, blank=True
    )
    accessibility_notes = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    dietary_notes = models.TextField(_("dietary needs"), max_length=1000, blank=True)
    share_contact = models.BooleanField(
        _("appears in the participants' contact list"), default=False
    )
    privacy_consent_at = models.DateTimeField(_("privacy consent given at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    manage_token = models.CharField(
        max_length=64, unique=True, default=manage_token, editable=False
    )
    ticket_secret = models.CharField(
        max_length=TICKET_LENGTH, unique=True, default=ticket_secret, editable=False
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Waiting-list order: when the person last joined it (a re-registration rejoins at the end).
    waitlisted_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Names, address and notes gone (an erasure or a retention rule); what the key figures
    # count (status, check-in, function, organisation, languages) stays.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    # `search_text(...)` of the row, written by `save` and by the bulk updates that change
    # a name (anonymising, an organisation renamed); indexed by trigrams on PostgreSQL
    # (migration 0006), so the door's search stays fast at 10 000 registrations.
    search_text = models.TextField(default="", editable=False)

    # Not a column: the place on the waiting list as counted by the write that put the
    # registration there, under the meeting's lock (`sql.registration_write`), for that
    # request's answer; None otherwise, and the place is counted when asked.
    waitlist_place: int | None = None

    class Meta:
        ordering = ["meeting", "last_name", "first_name", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["meeting", "status", "waitlisted_at"])]
        constraints = [
            models.UniqueConstraint(
                "meeting",
                Lower("email"),
                name="registration_unique_email_per_meeting",
                violation_error_message=_("This email is already registered for this meeting."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="waitlisted") | models.Q(waitlisted_at__isnull=False),
                name="registration_waitlist_has_a_place",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(organisation_name=""),
                name="registration_has_an_organisation",
                violation_error_message=_("Choose your organisation or type its name."),
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} → {self.meeting}"

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            self.search_text_fill()
            if update_fields is not None:
                update_fields = {*update_fields, "search_text"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def search_text_fill(self) -> None:
        """Fold `search_text` from the names it is searched by, before the row is written."""
        self.search_text = search_text(
            self.first_name, self.last_name, self.organisation_label, self.email
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def country(self):
        return self.organisation.country if self.organisation_id else self.organisation_country


class CheckIn(models.Model):
    """One row per registration that came: the one-to-one makes a double scan harmless."""

    class Method(models.TextChoices):
        SCAN = "scan", _("QR scan")
        MANUAL = "manual", _("by name")

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="checkin"
    )
    checked_in_at = models.DateTimeField(_("checked in at"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return f"{self.registration} @ {self.checked_in_at:%H:%M}"


class DoorCount(models.Model):
    """A share of a meeting's door counter: its confirmed registrations checked in are
    the sum of its shares (`sql.door_count_add`, `sql.door_counts`).

    A door's scanners check people in from several database connections at once. Kept
    on one row (the meeting's), every scan waited for the previous one's commit on that
    row's lock and then checked the row again: under eight concurrent scans PostgreSQL
    spent twice a scan's own work on that queue. Each connection adds to the share of
    its own slot instead (its server process's id modulo `SLOTS`), so two scans meet on
    a row only when their processes share a slot. A share may go below zero (an undo
    made from another connection than the check-in); the sum never does. Reading the
    counter sums at most `SLOTS` rows, whatever the door's size."""

    SLOTS = 64

    # No index of its own: the unique constraint's (meeting, slot) serves a meeting's
    # lookups, and each index more is one more a scan's upsert opens.
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="door_counts", db_index=False
    )
    slot = models.PositiveSmallIntegerField()
    present = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("door count")
        verbose_name_plural = _("door counts")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "slot"], name="door_count_one_per_slot")
        ]

    def __str__(self):
        return f"{self.meeting_id}/{self.slot}: {self.present}"


class Consent(models.Model):
    """One consent as it was given: what for, which version of the text the person was
    shown, when, and when it was withdrawn. Never rewritten: giving it again after a
    withdrawal is a new row, so the history of what each person agreed to stays.

    The current state of a consent that rules a query (who is in a contact list) is
    also kept on its row (`Registration.share_contact`, `Person.accepts_network_news`),
    for the query; this is the record that shows it was given.
    """

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("privacy notice")
        CONTACT_SHARING = "contact_sharing", _("contact sharing")
        NETWORK_NEWS = "network_news", _("network news")

    kind = models.CharField(_("for"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("text version"), max_length=40)
    # A registration's consents (privacy notice, contact sharing) are given on its form;
    # network news are the directory entry's.
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["given_at", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration__isnull=False) | models.Q(person__isnull=False),
                name="consent_has_a_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=models.Q(withdrawn_at__isnull=True, registration__isnull=False),
                name="consent_one_standing_per_registration",
            ),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(withdrawn_at__isnull=True, registration__isnull=True),
                name="consent_one_standing_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version} · {self.given_at:%Y-%m-%d}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None
