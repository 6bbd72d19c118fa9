"""Workshops: a plan of timed rounds, the post-its they produce, and how they are sorted.

The server holds the truth of every timer (`Round`): state, `ends_at` while running,
the time left while paused, and a version that goes up on every change. Screens derive
their countdown from it, so the console, the projector and the phones agree.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import AgendaItem, Meeting, Person
from registrations.models import Registration

CONTRIBUTION_MAX_LENGTH = 1000
# The voters a table counts as where the seating plan places nobody: a large table of
# a workshop. It bounds the dots its phones may place together (`services.votes.vote_cast`).
UNSEATED_TABLE_VOTERS = 12
# The longest a round may last, added time included.
ROUND_MAX_DURATION_S = 4 * 3600
# A poll's options, and the bounds of its 1-to-5 scale.
POLL_MAX_OPTIONS = 20
SCALE_MIN, SCALE_MAX = 1, 5
# A words round: what one voter sends, and how long one word or phrase may be.
WORDS_PER_VOTER = 3
WORD_MAX_LENGTH = 40


def table_token() -> str:
    """The table's QR code is its only credential: 192 random bits."""
    return secrets.token_urlsafe(24)


# A few sentences: the strong ideas of a workshop, as its booklet prints them.
SYNTHESIS_MAX = 4000


class Workshop(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="workshops"
    )
    title = models.CharField(_("title"), max_length=200)
    room = models.CharField(_("room"), max_length=120, blank=True)
    # The "workshops" slot of the agenda this workshop runs in, beside the others of the
    # slot. Declared here because meetings knows nothing of workshops.
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda slot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        limit_choices_to={"kind": AgendaItem.Kind.WORKSHOPS},
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # "Idées fortes": a few sentences its facilitators (or an organiser) write for the booklet.
    synthesis = models.TextField(_("strong ideas"), blank=True)
    facilitators = models.ManyToManyField(
        Person, verbose_name=_("facilitators"), related_name="facilitated_workshops", blank=True
    )
    # Dots each voter may place in this workshop's dot-vote.
    vote_limit = models.PositiveSmallIntegerField(_("dots per voter"), default=3)
    vote_open = models.BooleanField(_("dot-vote open"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # The round the screens show; None before the first start.
    current_round = models.ForeignKey(
        "Round", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vote_limit__gte=1, vote_limit__lte=50),
                name="workshop_vote_limit_range",
                violation_error_message=_("Each voter gets between 1 and 50 dots."),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """A workshop runs in a "workshops" slot of its own meeting, in a room of its own:
        the slot's workshops run at the same time."""
        # By id: an unknown one is the field's own error, found before this.
        item = AgendaItem.objects.filter(pk=self.agenda_item_id).first()
        if item is None:
            return
        if item.meeting_id != self.meeting_id or item.kind != AgendaItem.Kind.WORKSHOPS:
            raise ValidationError(
                {"agenda_item": _("Choose a “workshops” slot of this workshop's meeting.")}
            )
        room = self.room.strip()
        if room and (
            Workshop.objects.filter(agenda_item=item, room__iexact=room)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "room": _("Another workshop of this slot is already in %(room)s.")
                    % {"room": room}
                }
            )

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Question(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"), max_length=500)

    class Meta:
        ordering = ["workshop", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text


class Table(models.Model):
    """A group of participants; its QR code opens the phone page without an account."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=60)
    token = models.CharField(max_length=64, unique=True, default=table_token, editable=False)

    class Meta:
        ordering = ["workshop", "pk"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "name"],
                name="table_unique_name_per_workshop",
                violation_error_message=_("This workshop already has a table with this name."),
            )
        ]

    def __str__(self):
        return self.name


class Round(models.Model):
    class Kind(models.TextChoices):
        SILENT = "silent", _("silent writing")
        DISCUSSION = "discussion", _("table discussion")
        PLENARY = "plenary", _("plenary")
        VOTE = "vote", _("vote")
        POLL = "poll", _("poll")
        WORDS = "words", _("word cloud")

    class PollMode(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale from 1 to 5")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        PAUSED = "paused", _("paused")
        FINISHED = "finished", _("finished")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SILENT)
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rounds",
    )
    duration_s = models.PositiveIntegerField(_("duration (seconds)"), default=600)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    ends_at = models.DateTimeField(null=True, blank=True)
    paused_remaining_s = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # A round of kind "poll": how it is answered (`services.polls`).
    poll_mode = models.CharField(
        _("poll answered by"), max_length=10, choices=PollMode.choices, default=PollMode.SINGLE
    )
    # Multiple choice: the most options one voter may tick; None for as many as there are.
    poll_max_choices = models.PositiveSmallIntegerField(
        _("most options per voter"), null=True, blank=True
    )
    # A poll or a word cloud whose results the screens keep to themselves until the
    # facilitator reveals them, so that the first answers do not sway the next ones.
    results_hidden = models.BooleanField(_("results hidden until revealed"), default=False)
    results_revealed = models.BooleanField(_("results revealed"), default=False)

    class Meta:
        ordering = ["workshop", "order", "pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_s__gte=10, duration_s__lte=ROUND_MAX_DURATION_S),
                name="round_duration_range",
                violation_error_message=_("A round lasts between 10 seconds and 4 hours."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="running") | models.Q(ends_at__isnull=False),
                name="round_running_has_an_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="paused") | models.Q(paused_remaining_s__isnull=False),
                name="round_paused_keeps_time_left",
            ),
            models.CheckConstraint(
                condition=models.Q(poll_max_choices__isnull=True)
                | models.Q(poll_max_choices__gte=1, poll_max_choices__lte=POLL_MAX_OPTIONS),
                name="round_poll_max_choices_range",
                violation_error_message=_("A voter ticks between 1 and 20 options."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.poll_max_choices is not None and self.poll_mode != self.PollMode.MULTIPLE:
            raise ValidationError(
                {"poll_max_choices": _("Only a multiple-choice poll limits the options ticked.")}
            )

    def remaining_s(self, now=None) -> float:
        """Seconds left on the clock; 0 once a running round has passed its end."""
        return self.time_left_s(
            self.state, self.ends_at, self.paused_remaining_s, self.duration_s, now
        )

    @classmethod
    def time_left_s(cls, state, ends_at, paused_remaining_s, duration_s, now=None) -> float:
        """The time left from a round's clock fields: those of a row (`remaining_s`), or
        those the timer's cached state copied from it (`selectors.timer_remaining_s`)."""
        if state == cls.State.RUNNING:
            return max((ends_at - (now or timezone.now())).total_seconds(), 0.0)
        if state == cls.State.PAUSED:
            return paused_remaining_s
        if state == cls.State.PLANNED:
            return float(duration_s)
        return 0.0

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.duration_s)

    @property
    def results_shown(self) -> bool:
        """Whether the projector and the phones may show the poll's or the cloud's results."""
        return not self.results_hidden or self.results_revealed


class Orientation(models.Model):
    """A "piste d'orientation": the heading post-its are sorted under."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="orientations")
    title = models.CharField(_("title"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["workshop", "order", "pk"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")

    def __str__(self):
        return self.title


class OrientationProposal(models.Model):
    """An orientation the console proposes for a workshop that has post-its and none yet
    (`workshops.proposals`): its titles come from its most central post-its. Kept until
    the facilitator accepts it (it becomes an `Orientation` with its post-its), discards
    it or asks for new proposals, so that a reload or a second laptop shows the same."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="orientation_proposals"
    )
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300, blank=True)
    contributions = models.ManyToManyField("Contribution", related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["workshop", "order", "pk"]
        verbose_name = _("proposed orientation")
        verbose_name_plural = _("proposed orientations")

    def __str__(self):
        return self.title_fr or self.title_nl


def room_sees(prefix: str = "") -> models.Q:
    """The one rule of a post-it the room sees: neither hidden nor merged into another.

    `prefix` reaches it through a relation ("contributions__"), for counts over a
    workshop; `ContributionQuerySet.visible` and `Contribution.is_visible` apply it.
    """
    return models.Q(**{f"{prefix}hidden": False, f"{prefix}merged_into": None})


class ContributionQuerySet(models.QuerySet):
    def visible(self) -> "ContributionQuerySet":
        """The post-its the room sees (`room_sees`): phones, projector, board, booklet."""
        return self.filter(room_sees())


class Contribution(models.Model):
    """A post-it: typed on a phone, or transcribed from paper by a facilitator."""

    class Source(models.TextChoices):
        PHONE = "phone", _("phone")
        TRANSCRIBED = "transcribed", _("transcribed")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="contributions")
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions"
    )
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions"
    )
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions"
    )
    text = models.TextField(_("text"), max_length=CONTRIBUTION_MAX_LENGTH)
    objective = models.TextField(
        _("objective pursued"), max_length=CONTRIBUTION_MAX_LENGTH, blank=True
    )
    author = models.CharField(_("author"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    orientation = models.ForeignKey(
        Orientation,
        verbose_name=_("orientation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )
    hidden = models.BooleanField(_("hidden"), default=False)
    # Suggestions the facilitator turned down are not offered again.
    rejected_orientations = models.ManyToManyField(Orientation, blank=True, related_name="+")
    # The phone that posted it (the signed part of the identity its table's page gave it,
    # `devices`), for throttling and votes.
    device = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "created_at", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [models.Index(fields=["workshop", "hidden", "merged_into"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="contribution_not_merged_into_itself",
            )
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def is_visible(self) -> bool:
        """`room_sees` for a post-it already in memory (the board sorts them there)."""
        return not self.hidden and self.merged_into_id is None


class Vote(models.Model):
    """One dot: a voter (a phone, or a signed-in person) on one contribution, once."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="votes")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=80)
    # A phone's table: its phones' dots together are bounded by its seats.
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # One dot; "vote" alone is also the round kind (Dutch: "stemming", not "stem").
        verbose_name = pgettext_lazy("one dot on a post-it", "vote")
        verbose_name_plural = pgettext_lazy("dots on post-its", "votes")
        indexes = [models.Index(fields=["workshop", "voter"])]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "voter"],
                name="vote_one_dot_per_voter_and_contribution",
                violation_error_message=_("You already put a dot on this post-it."),
            )
        ]

    def __str__(self):
        return f"{self.voter} → {self.contribution_id}"


class TableSeat(models.Model):
    """The seating plan: which checked-in participant sits at which table."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="seats")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["table", "pk"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "registration"], name="seat_one_table_per_participant"
            )
        ]

    def __str__(self):
        return f"{self.registration_id} @ {self.table}"


class TextEmbedding(models.Model):
    """A workshop text's vector from the sentence encoder (`workshops.encoder`), so that a
    suggestion compares stored vectors instead of running the model in a request.

    Kept by the text's hash, not by the post-it: an edited text gets a new vector, the
    same words (a post-it and an orientation title, or a copy) share one, and the
    workshop's deletion takes them along.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    encoder = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    # float32, unit length: 2 KB for the 512 dimensions.
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "encoder", "digest"], name="text_embedding_once_per_text"
            )
        ]

    def __str__(self):
        return f"{self.encoder}:{self.digest[:12]}"


class PollOption(models.Model):
    """One answer a poll offers, written in French and in Dutch (`translation`)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="poll_options")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["round", "order", "pk"]
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")

    def __str__(self):
        return self.label


class PollAnswer(models.Model):
    """A voter's answer to a poll: a row per option ticked, or one row with the scale's
    value. A voter answers once (`services.polls.poll_answer`)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="poll_answers")
    voter = models.CharField(max_length=80)
    option = models.ForeignKey(
        PollOption, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    # A phone's table: its phones together answer at most once per seat.
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        indexes = [models.Index(fields=["round", "voter"])]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter", "option"], name="poll_answer_option_once_per_voter"
            ),
            models.UniqueConstraint(
                fields=["round", "voter"],
                condition=models.Q(option__isnull=True),
                name="poll_answer_scale_once_per_voter",
            ),
            models.CheckConstraint(
                condition=models.Q(option__isnull=False, value__isnull=True)
                | models.Q(option__isnull=True, value__gte=SCALE_MIN, value__lte=SCALE_MAX),
                name="poll_answer_option_or_scale_value",
            ),
        ]

    def __str__(self):
        return f"{self.voter} → {self.option_id or self.value}"


class WordEntry(models.Model):
    """A word or short phrase a phone sent in a words round, as written and folded
    (`services.polls.words_send`); the cloud groups them (`selectors.word_cloud`)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="word_entries")
    voter = models.CharField(max_length=80)
    text = models.CharField(_("word"), max_length=WORD_MAX_LENGTH)
    key = models.CharField(max_length=WORD_MAX_LENGTH * 2)
    # Hidden by a facilitator, with every entry of its group; a later entry of a hidden
    # word arrives hidden.
    hidden = models.BooleanField(_("hidden"), default=False)
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]
        verbose_name = _("word")
        verbose_name_plural = _("words")
        indexes = [models.Index(fields=["round", "voter"])]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter", "key"], name="word_entry_once_per_voter"
            )
        ]

    def __str__(self):
        return self.text
