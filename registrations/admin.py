"""Invitations in the back office: a read-only list, and the page organisers invite from;
and the consents, read-only, to see who agreed to what and when.

The page goes through `meeting_invite`, like the API, so both obey one set of
rules and report the people they skip in the same words.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.kit.admin import ReadOnlyAdminMixin
from meetings.models import Meeting, Organisation, Person

from .errors import RegistrationsError
from .models import Consent, Invitation
from .services.invitations import meeting_invite

INVITE_PERMISSION = "registrations.add_invitation"


class InviteForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("meeting"),
        queryset=Meeting.objects.filter(status=Meeting.Status.PUBLISHED).select_related(
            "programme"
        ),
    )
    people = forms.ModelMultipleChoiceField(
        label=_("people"), queryset=Person.objects.all(), required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("organisations"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Everyone in the directory who belongs to these organisations is invited."),
    )
    all_mayors = forms.BooleanField(
        label=_("All mayors and burgomasters of the network"), required=False
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # Autocompletes that search through the people and organisations admins: a
        # network has thousands of people, too many for a plain <select>.
        autocompletes = {
            "people": Invitation._meta.get_field("person"),
            "organisations": Person._meta.get_field("organisation"),
        }
        for name, source in autocompletes.items():
            field = self.fields[name]
            field.widget = AutocompleteSelectMultiple(source, admin_site)
            field.widget.choices = field.choices


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "person",
        "person_email",
        "meeting",
        "invited_by",
        "created_at",
        "opened_at",
        "answered_at",
    )
    list_filter = (
        ("meeting", admin.RelatedOnlyFieldListFilter),
        ("opened_at", admin.EmptyFieldListFilter),
        ("answered_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("person", "meeting", "invited_by")
    search_fields = ("person__first_name", "person__last_name", "person__email")
    # Never the token: whoever holds it can answer in the invitee's name.
    fields = ("meeting", "person", "invited_by", "created_at", "opened_at", "answered_at")
    readonly_fields = fields

    @admin.display(description=_("email"), ordering="person__email")
    def person_email(self, invitation: Invitation) -> str:
        return invitation.person.email

    def get_urls(self):
        invite_view = self.admin_site.admin_view(self.invite_view)
        return [
            path("invite/", invite_view, name="registrations_invitation_invite"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        may_invite = request.user.has_perm(INVITE_PERMISSION)
        return super().changelist_view(request, {**(extra_context or {}), "may_invite": may_invite})

    def invite_view(self, request):
        if not request.user.has_perm(INVITE_PERMISSION):
            raise PermissionDenied
        report = None
        form = InviteForm(
            request.POST if request.method == "POST" else None,
            initial={"meeting": request.GET.get("meeting")},
            admin_site=self.admin_site,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = meeting_invite(
                    data["meeting"],
                    people=data["people"],
                    organisations=data["organisations"],
                    all_mayors=data["all_mayors"],
                    invited_by=request.user,
                )
            except RegistrationsError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invitation queued.",
                        "%(count)d invitations queued.",
                        report.queued,
                    )
                    % {"count": report.queued},
                    level=messages.WARNING if report.skipped else messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite people"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "report": report,
        }
        return TemplateResponse(request, "admin/registrations/invitation/invite.html", context)


class StandingFilter(admin.SimpleListFilter):
    title = _("standing")
    parameter_name = "standing"

    def lookups(self, request, model_admin):
        return (("yes", _("standing")), ("no", _("withdrawn")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(withdrawn_at__isnull=self.value() == "yes")
        return queryset


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "meeting", "kind", "version", "given_at", "withdrawn_at")
    list_filter = ("kind", StandingFilter, "registration__meeting")
    list_select_related = ("registration__meeting", "person")
    search_fields = (
        "registration__first_name",
        "registration__last_name",
        "registration__email",
        "person__first_name",
        "person__last_name",
        "person__email",
    )
    fields = ("kind", "version", "registration", "person", "given_at", "withdrawn_at")
    readonly_fields = fields

    @admin.display(description=_("who"))
    def subject(self, consent: Consent) -> str:
        if consent.registration_id:
            return f"{consent.registration.full_name} <{consent.registration.email}>"
        return f"{consent.person.full_name} <{consent.person.email}>"

    @admin.display(description=_("meeting"), ordering="registration__meeting")
    def meeting(self, consent: Consent) -> str:
        return consent.registration.meeting.title if consent.registration_id else ""
