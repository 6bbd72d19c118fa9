"""Synthesis booklets built in the background, and kept for as long as their inputs hold."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import EditionLanguage, Meeting, Programme

# What a build stores: the PDF and its editable copies.
BOOKLET_FORMATS = ("pdf", "docx", "odt")
# A build's progress is written at most every this many points: not a stream of UPDATEs.
PROGRESS_STEP = 3


class Audience(models.TextChoices):
    """Who a booklet is for (`booklet_data.AUDIENCES`): only the participants' copy
    holds the contacts of those who came."""

    PUBLIC = "public", _("public copy")
    PARTICIPANTS = "participants", _("participants' copy")


class BuildJob(models.Model):
    """What every build run by a worker keeps, whatever it builds: its state, who asked
    for it and when, and why it failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def finish(self, **fields) -> None:
        """Record the end of the build (its status, file or error) on its row and here."""
        fields.update(finished_at=timezone.now(), updated_at=timezone.now())
        type(self).objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)


class ProgressJob(BuildJob):
    """A build that tells how far it is in per cent, as the booklet's layout reports it
    (`booklet.booklet_pdf`'s stages): 100 only once its files are stored."""

    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    class Meta:
        abstract = True

    def progress_write(self, percent: int) -> None:
        """Keep `percent`, at most 99 before the end, every `PROGRESS_STEP` points."""
        if percent >= self.progress + PROGRESS_STEP:
            self.progress = min(percent, 99)
            type(self).objects.filter(pk=self.pk).update(progress=self.progress)


class BookletJob(ProgressJob):
    """One build of a meeting's booklet in one language, and the file it produced.

    `inputs_hash` names the content the file was built from (every figure, title and
    post-it, the language and the layout's version): a request whose hash equals that of
    a finished job is served that job's file instead of a rebuild.
    """

    Language = EditionLanguage
    Audience = Audience

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="booklet_jobs"
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # The public copy, or the participants' one with the contact list.
    audience = models.CharField(
        _("copy"), max_length=12, choices=Audience.choices, default=Audience.PUBLIC
    )
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)
    file = models.FileField(_("file"), upload_to="booklets/", blank=True)
    # The editable copies, built by the same job from the same data (`booklet_office`).
    docx_file = models.FileField(_("Word copy (DOCX)"), upload_to="booklets/", blank=True)
    odt_file = models.FileField(_("LibreOffice copy (ODT)"), upload_to="booklets/", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("synthesis booklet")
        verbose_name_plural = _("synthesis booklets")
        indexes = [models.Index(fields=["meeting", "language", "inputs_hash"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="bookletjob_progress_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.meeting} ({self.language}, {self.status})"

    def stored(self, kind: str):
        """The stored file of `kind` (one of `BOOKLET_FORMATS`), empty until the build is
        done, or for a build finished before the editable copies existed."""
        return {"pdf": self.file, "docx": self.docx_file, "odt": self.odt_file}[kind]


class DocumentJob(BuildJob):
    """One build of an organiser's document (badges, attendance sheet, exports, table
    cards, of a meeting; the brochure, of a programme), and the file it produced.

    A document of a large meeting takes longer than a request may: it is built by a
    worker (`tasks.document_build`), which counts what it has done (`done` of `total`
    rows, badges or tables) for the progress bar, then keeps the file in the default
    storage. Unlike a booklet, a document is not reused across requests: registrations
    change by the minute, and an organiser asks for a document to get it as it is now.
    """

    class Kind(models.TextChoices):
        BADGES = "badges", _("badges")
        ATTENDANCE = "attendance", _("attendance sheet")
        REGISTRATIONS_CSV = "registrations_csv", _("registrations (CSV)")
        REGISTRATIONS_XLSX = "registrations_xlsx", _("registrations (XLSX)")
        TABLE_CARDS = "table_cards", _("table cards")
        BROCHURE = "brochure", _("programme brochure")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_jobs",
    )
    # The brochure's: the one document of a programme rather than of a meeting.
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_jobs",
    )
    workshop = models.ForeignKey(
        "workshops.Workshop",
        verbose_name=_("workshop"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("to do"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document build")
        verbose_name_plural = _("document builds")
        indexes = [models.Index(fields=["meeting", "kind", "language", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="documentjob_done_of_total"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="table_cards", workshop__isnull=False)
                | (~models.Q(kind="table_cards") & models.Q(workshop__isnull=True)),
                name="documentjob_workshop_for_table_cards",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="brochure", programme__isnull=False, meeting__isnull=True)
                | (
                    ~models.Q(kind="brochure")
                    & models.Q(programme__isnull=True, meeting__isnull=False)
                ),
                name="documentjob_programme_for_the_brochure",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.meeting or self.programme} ({self.status})"

    @property
    def progress(self) -> int:
        """Per cent done: 100 only once the file is stored."""
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class BookletReview(models.Model):
    """Where a meeting's booklet stands: a draft, in review, or approved.

    The state holds for the content it was set on (`inputs_hash`, the digest of the
    booklet's frozen data): once the post-its, figures or texts change, the booklet is a
    draft again (`reports.review.review_state` reads it so), while the approvals already
    given keep what they approved.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="booklet_review"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    inputs_hash = models.CharField(_("inputs hash"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booklet review")
        verbose_name_plural = _("booklet reviews")

    def __str__(self):
        return f"{self.meeting} ({self.get_state_display()})"


class BookletApproval(models.Model):
    """An approved booklet, kept as it was approved: the data it was made from (`data`,
    the frozen `booklet_data.Booklet`) and its files. Closing the meeting sends the
    latest one; nothing written later changes it."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="booklet_approvals",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)
    data = models.JSONField(_("booklet data"))
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("approved booklet")
        verbose_name_plural = _("approved booklets")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="bookletapproval_one_number_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.meeting} (v{self.number})"


class BookletApprovalJob(ProgressJob):
    """The build of an approval's files, by a worker once the approval has committed
    (`reports.approval_files`): until it is done, the approval is not sent, and the
    public results page keeps the previous approved version's files."""

    approval = models.OneToOneField(
        BookletApproval,
        verbose_name=_("approved booklet"),
        on_delete=models.CASCADE,
        related_name="files_job",
    )

    class Meta:
        verbose_name = _("approved booklet's files build")
        verbose_name_plural = _("approved booklet's files builds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="bookletapprovaljob_progress_at_most_100",
            )
        ]

    def __str__(self):
        return f"{self.approval} ({self.status})"


class BookletApprovalFile(models.Model):
    """One file of an approved booklet: a language, for an audience, in a format."""

    Audience = Audience

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        ODT = "odt", "ODT"

    approval = models.ForeignKey(
        BookletApproval,
        verbose_name=_("approved booklet"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    language = models.CharField(_("language"), max_length=5, choices=EditionLanguage.choices)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    file = models.FileField(_("file"), upload_to="booklets/approved/")

    class Meta:
        ordering = ["language", "audience", "format"]
        verbose_name = _("approved booklet file")
        verbose_name_plural = _("approved booklet files")
        constraints = [
            models.UniqueConstraint(
                fields=["approval", "language", "audience", "format"],
                name="bookletapprovalfile_one_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.approval} {self.language} {self.audience} {self.format}"


class BookletComment(models.Model):
    """A reviewer's remark on the draft: an organiser's or one of the meeting's
    facilitators'. Kept with the version it was made on (`inputs_hash`)."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="booklet_comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    author_name = models.CharField(_("author's name"), max_length=200)
    text = models.TextField(_("comment"), max_length=2000)
    inputs_hash = models.CharField(_("inputs hash"), max_length=64)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("booklet comment")
        verbose_name_plural = _("booklet comments")

    def __str__(self):
        return f"{self.author_name}: {self.text[:40]}"
