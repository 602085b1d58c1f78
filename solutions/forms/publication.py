"""The forms of publication: requesting it, and the coordinator's decision. They read and check
input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from solutions.models import SHORT_DESCRIPTION_MAX, Solution
from solutions.versions import MAX_LENGTH as VERSION_MAX
from sprints.forms import ServiceErrorsMixin


class PublicationRequestForm(ServiceErrorsMixin, forms.Form):
    version = forms.CharField(
        label=_("Version"),
        max_length=VERSION_MAX,
        help_text=_("A semantic version, greater than the newest release, such as 1.4.0."),
        error_messages={
            "required": _("Give the version of the release, such as 1.4.0."),
            "max_length": _("A version has at most %(limit_value)d characters."),
        },
    )
    solution = forms.ModelChoiceField(
        queryset=Solution.objects.none(),
        required=False,
        label=_("Solution"),
        empty_label=_("A new solution"),
        help_text=_("The solution of the library this release belongs to."),
        error_messages={"invalid_choice": _("Choose one of the solutions listed.")},
    )
    name = forms.CharField(
        label=_("Name of the new solution"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("A name has at most %(limit_value)d characters.")},
    )
    short_description = forms.CharField(
        label=_("Short description of the new solution"),
        max_length=SHORT_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What it does, in at most 150 characters."),
        error_messages={
            "max_length": _("A short description has at most %(limit_value)d characters.")
        },
    )

    def __init__(self, *args, solutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = solutions

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "solution": data["solution"],
            "name": data["name"],
            "short_description": data["short_description"],
        }


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """Approving or withdrawing needs no input, only the button."""


class RejectForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=10_000,
        error_messages={"required": _("Give the reason for the rejection.")},
    )
