"""The public registration forms. They only parse what people type: every rule (the
organisation, the interpretation language, the consent, the seats) is the services'."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events_site.kit.text import fold
from meetings.models import Organisation, Person

from .models import Registration
from .services.registration import FIELDS, PRIVACY_CONSENT, UPDATABLE_FIELDS


def _field(name: str, **kwargs) -> forms.Field:
    """The form field of a model field: same label, length and choices."""
    return Registration._meta.get_field(name).formfield(**kwargs)


# A French maire and a Belgian bourgmestre are both "burgemeester" in Dutch (and both
# "mayor" in English): the form says which is which.
FUNCTION_LABELS = {
    Person.Function.MAYOR: _("mayor (France: maire)"),
    Person.Function.BURGOMASTER: _("burgomaster (Belgium)"),
}


def _function_field() -> forms.Field:
    field = _field("function")
    field.choices = [(value, FUNCTION_LABELS.get(value, label)) for value, label in field.choices]
    return field


class _AccentBlindOrder(forms.models.ModelChoiceIterator):
    """Organisations in the order a reader expects, accents ignored ("Métropole" before
    "Mouscron"), the same in every language and on every database."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for organisation in sorted(self.queryset, key=lambda o: (fold(o.name), o.pk)):
            yield self.choice(organisation)


class OrganisationChoiceField(forms.ModelChoiceField):
    iterator = _AccentBlindOrder


class _NeedsFields(forms.Form):
    """What a registrant may change after registering, from their manage page too."""

    language = _field("language", initial="fr", widget=forms.RadioSelect)
    interpretation_needed = _field(
        "interpretation_needed", label=_("I need interpretation"), required=False
    )
    interpretation_to = _field("interpretation_to", label=_("Interpretation into"), required=False)
    accessibility_notes = _field(
        "accessibility_notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        help_text=_("Step-free access, hearing loop, a seat near the front…"),
    )
    dietary_notes = _field(
        "dietary_notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        help_text=_("Vegetarian, allergies…"),
    )
    share_contact = _field(
        "share_contact",
        label=_(
            "Share my name, function, organisation and email with the other participants "
            "in the contact list sent after the meeting"
        ),
        required=False,
    )


class RegistrationForm(_NeedsFields):
    first_name = _field("first_name", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = _field("last_name", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = _field("email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    function = _function_field()
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.only("name", "country"),
        required=False,
        empty_label=_("Not in the list: type it below"),
    )
    organisation_name = _field(
        "organisation_name",
        label=_("Or its name, if it is not in the list"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_country = _field(
        "organisation_country", label=_("Country of the organisation"), required=False
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "I agree that the organisers keep these details to organise this meeting, "
            "its attendance record and its follow-up."
        ),
        required=True,
        error_messages={
            "required": _("Accept the privacy notice: we cannot register you without it.")
        },
    )
    invitation = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = [*FIELDS, PRIVACY_CONSENT, "invitation"]
    fieldsets = (
        (_("You"), ("first_name", "last_name", "email", "function")),
        (_("Your organisation"), ("organisation", "organisation_name", "organisation_country")),
        (_("Language and needs"), [f for f in UPDATABLE_FIELDS if f != "share_contact"]),
        (_("Consent"), ("share_contact", PRIVACY_CONSENT)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The two sides of the border first: nearly everyone comes from one of them.
        field = self.fields["organisation_country"]
        blank, *choices = field.choices
        sides = list(settings.CROSS_BORDER_SIDES)
        first = sorted((c for c in choices if c[0] in sides), key=lambda c: sides.index(c[0]))
        field.choices = [blank, *first, *(c for c in choices if c[0] not in sides)]

    def fieldset_fields(self):
        """(legend, bound fields) for the template, in the order above."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def registration_data(self) -> dict:
        """The cleaned fields the service takes as `data`."""
        data = dict(self.cleaned_data)
        data.pop("invitation", None)
        return data


class RegistrationUpdateForm(_NeedsFields):
    pass
