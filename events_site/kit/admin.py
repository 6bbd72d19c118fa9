"""Admin building blocks every app shares."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
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
    """The formset's own "Delete" box, named like the row's other fields."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if DELETION_FIELD_NAME in form.fields:
            field = form.fields[DELETION_FIELD_NAME]
            field.widget.attrs.setdefault("aria-label", capfirst(field.label))


class LabelledTabularInline(admin.TabularInline):
    """A table row's fields have no <label>, only their column's heading: each carries
    that name itself, so that a screen reader says what a row's dropdown is."""

    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", capfirst(formfield.label))
        return formfield
