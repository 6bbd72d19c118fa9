"""The console's plan forms: they turn what a facilitator typed into service arguments.

They check only the shape of the input (a number of minutes, a known kind); every rule
(a title in one language at least, a duration between 10 s and 4 h, no change to a
closed workshop) is the services' to say. Choices come from the workshop already loaded
by `selectors.workshop_detail`, so rendering one form per round costs no query.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SYNTHESIS_MAX, Round


class PlanForm(forms.Form):
    """A form for one part of the plan, blank for a new one or filled from `instance`.

    `changes()` are the fields to hand to the create or update service. On an update,
    only what the facilitator changed goes: saving a round's new title must not also
    "set" the duration of a round that is running.
    """

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        name = type(self).__name__.removesuffix("Form").lower()
        if instance is not None:
            kwargs.setdefault("auto_id", f"{name}-{instance.pk}-%s")
            kwargs["initial"] = self.initial_from(instance)
        else:
            kwargs.setdefault("auto_id", f"{name}-new-%s")
        super().__init__(*args, **kwargs)

    def initial_from(self, instance) -> dict:
        return {name: getattr(instance, name) for name in self.base_fields}

    def changes(self) -> dict:
        if self.instance is None:
            return dict(self.cleaned_data)
        return {name: self.cleaned_data[name] for name in self.changed_data}


class WorkshopForm(PlanForm):
    title_fr = forms.CharField(label=_("Title in French"), max_length=200, required=False)
    title_nl = forms.CharField(label=_("Title in Dutch"), max_length=200, required=False)
    room = forms.CharField(label=_("Room"), max_length=120, required=False)


class SynthesisForm(PlanForm):
    """The strong ideas of a workshop, for its booklet: both languages are sent together."""

    synthesis_fr = forms.CharField(
        label=_("Strong ideas in French"),
        max_length=SYNTHESIS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    synthesis_nl = forms.CharField(
        label=_("Strong ideas in Dutch"),
        max_length=SYNTHESIS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def initial_from(self, instance) -> dict:
        return {name: getattr(instance, name) or "" for name in self.base_fields}

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class QuestionForm(PlanForm):
    text_fr = forms.CharField(
        label=_("Question in French"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text_nl = forms.CharField(
        label=_("Question in Dutch"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrientationForm(PlanForm):
    title_fr = forms.CharField(label=_("Orientation in French"), max_length=300, required=False)
    title_nl = forms.CharField(label=_("Orientation in Dutch"), max_length=300, required=False)


def _minutes(seconds: int) -> Decimal:
    """A duration as people write it: "2", not "2.0"; "1.5" when it is not whole."""
    minutes = Decimal(seconds) / 60
    whole = minutes.to_integral_value()
    return whole if minutes == whole else minutes.quantize(Decimal("0.1"))


class RoundForm(PlanForm):
    title_fr = forms.CharField(label=_("Title in French"), max_length=200, required=False)
    title_nl = forms.CharField(label=_("Title in Dutch"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Round.Kind.choices)
    duration_min = forms.DecimalField(
        label=_("Minutes"), min_value=0, max_digits=5, decimal_places=1, initial=10
    )
    question = forms.TypedChoiceField(
        label=_("Question"), required=False, coerce=int, empty_value=None
    )
    # A poll's or a word cloud's settings; the other kinds of round ignore them.
    poll_mode = forms.ChoiceField(
        label=_("Poll answered by"),
        choices=Round.PollMode.choices,
        initial=Round.PollMode.SINGLE,
        required=False,
    )
    poll_max_choices = forms.IntegerField(
        label=_("Most options per voter (multiple choice)"), required=False, min_value=1
    )
    results_hidden = forms.BooleanField(
        label=_("Hide the results until I reveal them"), required=False
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._questions = {question.pk: question for question in questions}
        self.fields["question"].choices = [("", _("No question"))] + [
            (question.pk, question.text) for question in questions
        ]
        if self.instance is not None and self.instance.state != Round.State.PLANNED:
            # A started round gets its time from the timer's buttons, not from here.
            self.fields["duration_min"].disabled = True

    def initial_from(self, instance) -> dict:
        return {
            "title_fr": instance.title_fr,
            "title_nl": instance.title_nl,
            "kind": instance.kind,
            "duration_min": _minutes(instance.duration_s),
            "question": instance.question_id,
            "poll_mode": instance.poll_mode,
            "poll_max_choices": instance.poll_max_choices,
            "results_hidden": instance.results_hidden,
        }

    def clean_question(self):
        return self._questions.get(self.cleaned_data["question"])

    def changes(self) -> dict:
        data = super().changes()
        if "duration_min" in data:
            data["duration_s"] = round(data.pop("duration_min") * 60)
        if not data.get("poll_mode", True):
            del data["poll_mode"]  # not sent: the round's stays
        return data


class TablesForm(PlanForm):
    count = forms.IntegerField(label=_("Number of tables to add"), min_value=1, initial=1)


class PollOptionForm(PlanForm):
    label_fr = forms.CharField(label=_("Option in French"), max_length=200, required=False)
    label_nl = forms.CharField(label=_("Option in Dutch"), max_length=200, required=False)
