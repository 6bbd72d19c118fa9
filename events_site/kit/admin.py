"""Admin building blocks every app shares."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst


class ReadOnlyAdminMixin:
    """For records of what happened (emails sent, invitations): listed and shown, never
    added, edited or deleted by hand, since the services alone know their rules."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time pair, whose "Date:" and "Time:" are plain text: here they
    are the two fields' labels, which screen readers need (WCAG 1.3.1, 4.1.2)."""

    template_name = "admin/widgets/labelled_split_datetime.html"


class LabelledFieldsMixin:
    """For a ModelAdmin: date and time fields with their labels."""

    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


class LabelledInlineFormSet(BaseInlineFormSet):
    """A table row's fields have no <label>, only their column's heading: each carries
    that name itself (the formset's "Delete" box too), so that a screen reader says what
    a row's dropdown is."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # The admin wraps a relation's widget (its + and edit links): the field's own
            # widget, which this form's copy renders, is inside.
            widget = getattr(field.widget, "widget", field.widget)
            if field.label and not widget.is_hidden:
                widget.attrs.setdefault("aria-label", capfirst(field.label))


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose rows' fields are named for screen readers."""

    formset = LabelledInlineFormSet
