"""The organisers' back office.

Every save and every change of state goes through meetings.services, so the admin, the
API and the demo loader obey one set of rules; the admin only turns a refusal into an
error the organiser can act on.
"""

from datetime import datetime
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_countries.filters import CountryFilter
from modeltranslation.admin import TranslationAdmin

from events_site.kit.admin import LabelledFieldsMixin, LabelledTabularInline, ReadOnlyAdminMixin

from .auth import api_key_create
from .errors import MeetingsError
from .imports import COLUMN_ALIASES, REQUIRED_COLUMNS, ImportFileError, contacts_import
from .models import (
    LANGUAGE_CHOICES,
    PICTURES_MAX,
    AgendaItem,
    AgendaSpeaker,
    ApiKey,
    CoFacilitator,
    Document,
    Erasure,
    Meeting,
    MeetingPicture,
    Organisation,
    Person,
    Programme,
    Theme,
)
from .services.agenda import agenda_item_create, agenda_item_delete, agenda_item_update
from .services.directory import (
    organisation_create,
    organisation_update,
    person_create,
    person_update,
)
from .services.documents import (
    document_create,
    document_delete,
    document_update,
    meeting_pictures_set,
)
from .services.meetings import (
    cofacilitator_add,
    cofacilitator_remove,
    meeting_cancel,
    meeting_create,
    meeting_publish,
    meeting_update,
)
from .services.programme import programme_create, programme_publish, programme_update

PROGRAMMES_PUBLISHED = ngettext_lazy(
    "%(count)d programme published.", "%(count)d programmes published.", "count"
)
MEETINGS_PUBLISHED = ngettext_lazy(
    "%(count)d meeting published.", "%(count)d meetings published.", "count"
)
MEETINGS_CANCELLED = ngettext_lazy(
    "%(count)d meeting cancelled.", "%(count)d meetings cancelled.", "count"
)


def _adopt(obj, saved) -> None:
    """Point the admin's in-memory object at the row a service saved.

    The form, its inlines and the response all hold `obj`, while the service may have
    saved another instance (a fresh one on create, a locked copy on update).
    """
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


def _apply_each(modeladmin, request, queryset, service, done_message) -> None:
    """Run `service` on each selected object, reporting every refusal by name.

    Each call is its own transaction, so one refused meeting does not hold back the rest.
    """
    done = 0
    for obj in queryset:
        try:
            service(obj)
        except MeetingsError as exc:
            modeladmin.message_user(
                request,
                _("“%(object)s”: %(problem)s") % {"object": obj, "problem": exc.message},
                level=messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


@admin.display(description=_("starts (local time)"), ordering="starts_at")
def local_start(meeting: Meeting) -> str:
    start = meeting.local_starts_at
    return f"{formats.date_format(start, 'SHORT_DATETIME_FORMAT')} {start.tzname()}"


class ServiceForm(forms.ModelForm):
    """Carries a service's refusal back onto the form, next to what the organiser typed."""

    refusal: MeetingsError | None = None

    def clean(self):
        cleaned_data = super().clean()
        if self.refusal is not None:
            shown = set()
            for name, problems in getattr(self.refusal, "errors", {}).items():
                if name in self.fields:
                    self.add_error(name, problems)
                    shown.update(problems)
            if self.refusal.message not in shown:
                self.add_error(None, self.refusal.message)
        return cleaned_data


class ServiceAdminMixin(LabelledFieldsMixin):
    """Save through the domain services and show their refusals on the form.

    Django's own save would skip the rules the API obeys (a title in one language at
    least, the calendar SEQUENCE bump, the co-facilitator pair), so `save_model` hands
    the form's data to `create_service` or `update_service` instead.
    """

    form = ServiceForm
    create_service = None
    update_service = None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MeetingsError as refusal:
            # The view's transaction has rolled the attempt back. Replaying the request
            # with the refusal attached re-renders the form with what the organiser typed.
            request._service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (form,), {"refusal": refusal})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and hasattr(db_field, "translated_field"):
            # modeltranslation would insist on the French text; the services accept
            # either language and say which one is missing.
            formfield.required = False
        return formfield

    def save_model(self, request, obj, form, change):
        many_to_many = {field.name for field in self.model._meta.many_to_many}
        names = form.changed_data if change else form.cleaned_data
        data = {name: form.cleaned_data[name] for name in names if name not in many_to_many}
        saved = self.update_service(obj, **data) if change else self.create_service(**data)
        _adopt(obj, saved)


# --- Directory -----------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    create_service = staticmethod(organisation_create)
    update_service = staticmethod(organisation_update)
    list_display = ("name", "kind", "country", "city", "postcode", "membership", "member_since")
    list_filter = ("membership", "kind", ("country", CountryFilter))
    search_fields = ("name", "city", "postcode")


class ContactsImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)


@admin.register(Person)
class PersonAdmin(ServiceAdminMixin, admin.ModelAdmin):
    # An import creates people and organisations, and updates people.
    import_permissions = (
        "meetings.add_person",
        "meetings.change_person",
        "meetings.add_organisation",
    )
    create_service = staticmethod(person_create)
    update_service = staticmethod(person_update)
    list_display = (
        "full_name",
        "function",
        "organisation",
        "organisation_country",
        "email",
        "preferred_language",
        "accepts_network_news",
    )
    list_filter = (
        "function",
        "preferred_language",
        ("organisation__country", CountryFilter),
        "accepts_network_news",
    )
    list_select_related = ("organisation",)
    search_fields = ("first_name", "last_name", "email")
    autocomplete_fields = ("organisation",)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, person: Person) -> str:
        return person.full_name

    @admin.display(description=_("country"), ordering="organisation__country")
    def organisation_country(self, person: Person):
        return person.country

    def get_urls(self):
        # Before the default URLs, whose "<object_id>/" would take "import/" for a person.
        import_view = self.admin_site.admin_view(self.import_view)
        return [path("import/", import_view, name="meetings_person_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        may_import = request.user.has_perms(self.import_permissions)
        return super().changelist_view(request, {**(extra_context or {}), "may_import": may_import})

    def import_view(self, request):
        if not request.user.has_perms(self.import_permissions):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ContactsImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = contacts_import(
                        upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
                    )
                except ImportFileError as exc:
                    form.add_error("file", exc.message)
        else:
            form = ContactsImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import contacts"),
            "opts": self.opts,
            "form": form,
            "report": report,
            "column_aliases": COLUMN_ALIASES,
            "required_columns": REQUIRED_COLUMNS,
        }
        return TemplateResponse(request, "admin/meetings/person/import.html", context)


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = ("slug", "name_fr", "name_nl")
    prepopulated_fields = {"slug": ("name",)}


# --- Programme -----------------------------------------------------------------------


class ProgrammeMeetingInline(LabelledTabularInline):
    """The programme's meetings at a glance; each one is edited on its own page."""

    model = Meeting
    fields = ("meeting_link", local_start, "venue_city", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("meeting"))
    def meeting_link(self, meeting: Meeting):
        url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        return format_html('<a href="{}">{}</a>', url, meeting)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(ServiceAdminMixin, TranslationAdmin):
    create_service = staticmethod(programme_create)
    update_service = staticmethod(programme_update)
    list_display = ("year", "title", "status", "meeting_count", "published_at")
    list_filter = ("status",)
    search_fields = ("title_fr", "title_nl")
    fields = ("year", "title", "introduction", "status", "published_at")
    readonly_fields = ("status", "published_at")
    inlines = (ProgrammeMeetingInline,)
    actions = ("publish",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("meetings"))

    @admin.display(description=_("meetings"), ordering="meeting_count")
    def meeting_count(self, programme: Programme) -> int:
        return programme.meeting_count

    @admin.action(description=_("Publish the selected programmes"), permissions=["change"])
    def publish(self, request, queryset):
        _apply_each(self, request, queryset, programme_publish, PROGRAMMES_PUBLISHED)


# --- Meetings ------------------------------------------------------------------------


class MeetingForm(ServiceForm):
    working_languages = forms.MultipleChoiceField(
        label=_("working languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )


class CoFacilitatorForm(forms.ModelForm):
    """Saved rows are fixed: replacing someone is one deleted row plus one added row.

    There is no service that changes a co-facilitator in place, while adding and removing
    both go through services that guard the cross-border pair.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("person", "role"):
                self.fields[name].disabled = True


class CoFacilitatorInline(LabelledTabularInline):
    model = CoFacilitator
    form = CoFacilitatorForm
    autocomplete_fields = ("person",)
    extra = 1


AGENDA_ITEM_FIELDS = (
    "duration_min",
    "kind",
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
    "room",
    "address",
)


class AgendaItemForm(forms.ModelForm):
    """An item as organisers write it: a time on the meeting's day, in its time zone."""

    day = forms.DateField(
        label=_("day"), required=False, help_text=_("Empty: the meeting's first day.")
    )
    start = forms.TimeField(label=_("starts at"))

    class Meta:
        model = AgendaItem
        fields = AGENDA_ITEM_FIELDS
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            "description_nl": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            local = self.instance.local_starts_at
            self.initial.update(day=local.date(), start=local.time())

    def starts_at(self, meeting: Meeting) -> datetime:
        day = self.cleaned_data["day"] or meeting.local_starts_at.date()
        return datetime.combine(day, self.cleaned_data["start"], tzinfo=meeting.tz)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in AGENDA_ITEM_FIELDS}


class AgendaItemInline(LabelledTabularInline):
    """The agenda, by time: saved through `meetings.services.agenda`, which refuses
    overlaps and items outside the meeting's hours. Speakers are on each item's page."""

    model = AgendaItem
    form = AgendaItemForm
    fields = ("day", "start", *AGENDA_ITEM_FIELDS)
    extra = 1
    show_change_link = True


class MeetingPictureInline(LabelledTabularInline):
    """The booklet's photos, chosen among the meeting's photo documents: saved as a
    whole through `meetings.services.documents.meeting_pictures_set`."""

    model = MeetingPicture
    fields = ("document", "caption_fr", "caption_nl", "order")
    max_num = PICTURES_MAX
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "document":
            meeting_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Document.objects.filter(
                meeting_id=meeting_id, kind=Document.Kind.PHOTO
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason for cancellation"), required=False)


@admin.register(Meeting)
class MeetingAdmin(ServiceAdminMixin, TranslationAdmin):
    form = MeetingForm
    create_service = staticmethod(meeting_create)
    update_service = staticmethod(meeting_update)
    action_form = MeetingActionForm
    actions = ("publish", "cancel")
    inlines = (CoFacilitatorInline, AgendaItemInline, MeetingPictureInline)
    list_display = ("title", "programme", local_start, "venue_city", "status", "sequence")
    list_filter = ("programme", "status", "themes")
    list_select_related = ("programme",)
    search_fields = ("title_fr", "title_nl", "venue_name", "venue_city")
    autocomplete_fields = ("host_organisation",)
    filter_horizontal = ("themes",)
    status_fields = ("status", "sequence", "published_at", "cancelled_at", "cancellation_reason")
    readonly_fields = (*status_fields, "emails", "attendance")
    fieldsets = (
        (None, {"fields": ("programme", "title", "description", "themes")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "time_zone")}),
        (
            _("Where"),
            {
                "fields": (
                    "host_organisation",
                    "venue_name",
                    "venue_address",
                    "venue_city",
                    "venue_country",
                )
            },
        ),
        (
            _("Participation"),
            {
                "fields": (
                    "working_languages",
                    "capacity",
                    "is_cross_border",
                    "registration_opens_at",
                    "registration_closes_at",
                )
            },
        ),
        (_("Status"), {"fields": status_fields}),
        (
            _("Synthesis booklet"),
            {"fields": ("context", "ambitions", "principles", "next_steps")},
        ),
        (_("Invitations and emails"), {"fields": ("emails",)}),
        (_("Door and attendance"), {"fields": ("attendance",)}),
    )

    @admin.display(description=_("emails"))
    def emails(self, meeting: Meeting):
        """Links to the meeting's outbox and, while it is public, to the invitation page."""
        if meeting.pk is None:
            return self.get_empty_value_display()
        outbox_url = f"{reverse('admin:tasks_delivery_changelist')}?meeting__id__exact={meeting.pk}"
        label = _("Emails (%(count)d)") % {"count": meeting.deliveries.count()}
        links = format_html('<a href="{}">{}</a>', outbox_url, label)
        if meeting.status != Meeting.Status.PUBLISHED:
            return links
        invite_url = f"{reverse('admin:registrations_invitation_invite')}?meeting={meeting.pk}"
        return format_html('{} · <a href="{}">{}</a>', links, invite_url, _("Invite people"))

    @admin.display(description=_("documents"))
    def attendance(self, meeting: Meeting):
        """The scanner page, and the documents of who registered and who came."""
        if meeting.pk is None:
            return self.get_empty_value_display()
        documents_url = (
            f"{reverse('admin:meetings_document_changelist')}?meeting__id__exact={meeting.pk}"
        )
        documents = format_html(
            '<a href="{}">{}</a>',
            documents_url,
            _("Documents (%(count)d)") % {"count": meeting.documents.count()},
        )
        links = [
            ("door:door", _("Door scanner")),
            ("reports:meeting_attendance", _("Attendance sheet (PDF)")),
            ("reports:meeting_badges", _("Badges (PDF)")),
            ("reports:meeting_registrations_csv", _("Registrations (CSV)")),
            ("reports:meeting_registrations_xlsx", _("Registrations (XLSX)")),
            ("reports:meeting_booklet", _("Synthesis booklet")),
        ]
        pages = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse(name, args=[meeting.pk]), label) for name, label in links),
        )
        return format_html("{} · {}", documents, pages)

    def get_readonly_fields(self, request, obj=None):
        """A closed meeting took place: the services refuse to move it, so its time and
        place are shown, not offered."""
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.closed_at is not None:
            schedule = [name for name in Meeting.SCHEDULE_FIELDS if name not in readonly]
            return (*readonly, *sorted(schedule))
        return readonly

    def has_change_permission(self, request, obj=None):
        """The services refuse any change to a cancelled meeting: show it read-only."""
        return super().has_change_permission(request, obj) and not (obj and obj.is_cancelled)

    def has_delete_permission(self, request, obj=None):
        """Only drafts: a public meeting is cancelled, so registrants and calendars hear of it."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Meeting.Status.DRAFT)

    def save_formset(self, request, form, formset, change):
        if formset.model is AgendaItem:
            self._agenda_save(form.instance, formset)
            return
        if formset.model is MeetingPicture:
            self._pictures_save(form.instance, formset)
            return
        self._cofacilitators_save(form.instance, formset)

    @staticmethod
    def _pictures_save(meeting: Meeting, formset) -> None:
        """The photos as a whole, by their order; the history message reads the lists."""
        kept = sorted(
            (
                picture.cleaned_data
                for picture in formset.forms
                if picture.cleaned_data
                and picture not in formset.deleted_forms
                and picture.cleaned_data.get("document")
            ),
            key=lambda data: data.get("order") or 0,
        )
        meeting_pictures_set(
            meeting,
            [
                {
                    "document": data["document"].pk,
                    "caption_fr": data.get("caption_fr") or "",
                    "caption_nl": data.get("caption_nl") or "",
                }
                for data in kept
            ],
        )
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [(meeting, ["pictures"])] if formset.has_changed() else []

    @staticmethod
    def _agenda_save(meeting: Meeting, formset) -> None:
        """Removals first, then changes, then additions: an item moved into the slot of
        one removed in the same save fits. The formset's lists are what the admin's
        history message reads."""
        meeting.refresh_from_db()
        changed = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item_form in formset.deleted_forms:
            if item_form.instance.pk:
                agenda_item_delete(item_form.instance)
                formset.deleted_objects.append(item_form.instance)
        for item_form in sorted(changed, key=lambda f: f.instance.pk is None):
            starts_at = item_form.starts_at(meeting)
            if item_form.instance.pk:
                item = agenda_item_update(
                    item_form.instance, starts_at=starts_at, **item_form.changes()
                )
                formset.changed_objects.append((item, item_form.changed_data))
            else:
                item = agenda_item_create(meeting, starts_at=starts_at, **item_form.changes())
                formset.new_objects.append(item)

    @staticmethod
    def _cofacilitators_save(meeting: Meeting, formset) -> None:
        """Additions first, so a swap never leaves a published meeting without its pair."""
        formset.save(commit=False)
        for cofacilitator in formset.new_objects:
            cofacilitator_add(meeting, cofacilitator.person, cofacilitator.role)
        for cofacilitator in formset.deleted_objects:
            cofacilitator_remove(cofacilitator)

    @admin.action(description=_("Publish the selected meetings"), permissions=["change"])
    def publish(self, request, queryset):
        _apply_each(self, request, queryset, meeting_publish, MEETINGS_PUBLISHED)

    @admin.action(description=_("Cancel the selected meetings"), permissions=["change"])
    def cancel(self, request, queryset):
        cancel = partial(meeting_cancel, reason=request.POST.get("reason", ""))
        _apply_each(self, request, queryset, cancel, MEETINGS_CANCELLED)


class AgendaSpeakerInline(LabelledTabularInline):
    model = AgendaSpeaker
    fields = ("person", "name", "role")
    autocomplete_fields = ("person",)
    extra = 1


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    """An item's speakers. The item itself is added and timed in its meeting's agenda."""

    list_display = ("title", "meeting", "hours", "kind")
    list_filter = ("kind",)
    list_select_related = ("meeting",)
    search_fields = ("title_fr", "title_nl", "meeting__title_fr", "meeting__title_nl")
    fields = ("meeting", "hours", "kind", "title", "room", "address")
    readonly_fields = fields
    inlines = (AgendaSpeakerInline,)

    def has_add_permission(self, request):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MeetingsError as refusal:
            # The transaction rolled the attempt back; the page shows the item as it is.
            self.message_user(request, refusal.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        """Nothing of the item itself is edited here."""

    def save_formset(self, request, form, formset, change):
        speakers = [
            {name: speaker.cleaned_data[name] for name in ("person", "name", "role")}
            for speaker in formset.forms
            if speaker.cleaned_data
            and speaker not in formset.deleted_forms
            and (speaker.cleaned_data.get("person") or speaker.cleaned_data.get("name"))
        ]
        agenda_item_update(form.instance, speakers=speakers)
        # What the admin's history message reads: the speakers were replaced as a whole.
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [(form.instance, ["speakers"])] if formset.has_changed() else []


# --- Documents -----------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(ServiceAdminMixin, TranslationAdmin):
    """Uploads are checked by the services (type by content, size limit), as in the API."""

    update_service = staticmethod(document_update)
    list_display = ("title", "kind", "language", "visibility", "meeting", "created_at")
    list_filter = ("visibility", "kind", "language")
    list_select_related = ("meeting",)
    search_fields = ("title_fr", "title_nl", "meeting__title_fr", "meeting__title_nl")
    autocomplete_fields = ("meeting", "agenda_item")
    fields = (
        "title",
        "kind",
        "language",
        "meeting",
        "agenda_item",
        "visibility",
        "file",
        "content_type",
        "size",
        "uploaded_by",
        "download",
    )
    readonly_fields = ("content_type", "size", "uploaded_by", "download")

    @admin.display(description=_("download"))
    def download(self, document: Document):
        if document.pk is None:
            return self.get_empty_value_display()
        url = reverse("meetings:document", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.filename)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _adopt(obj, document_create(user=request.user, **form.cleaned_data))

    def delete_model(self, request, obj):
        document_delete(obj)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            document_delete(document)


# --- API keys ------------------------------------------------------------------------


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log of erasures: when, by whom, how much; never whose data it was."""

    list_display = (
        "erased_at",
        "channel",
        "erased_by_name",
        "registrations",
        "contributions",
        "answers",
    )
    list_filter = ("channel",)
    date_hierarchy = "erased_at"


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Superusers only: a key acts as its user on every write of the API."""

    list_display = ("__str__", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "prefix", "created_at", "last_used_at")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        """Only the digest is stored, so the raw key can be shown this once and never again."""
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = api_key_create(obj.user, obj.name)
        _adopt(obj, key)
        self.message_user(
            request,
            _("Copy the new key now, it will not be shown again: %(key)s") % {"key": raw},
            level=messages.WARNING,
        )
