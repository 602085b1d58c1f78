"""The forms of the newcomers' pages. They read and check input;
the services change state."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperative.models import OrganisationRole
from deelbaar.errors import DomainError

MAX_INHABITANTS = 100_000_000


class ServiceErrors:
    def add_service_error(self, error: DomainError) -> None:
        """Show a service's refusal beside the input it names, or above the form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))


class QuoteForm(forms.Form):
    """The calculator: an organisation on Deelbaar, or a number of inhabitants."""

    organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Your organisation"),
        empty_label=_("Not on Deelbaar yet: use the number of inhabitants"),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    inhabitants = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_INHABITANTS,
        label=_("Number of inhabitants"),
        help_text=_("For a joint arrangement: the inhabitants of the municipalities it serves."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        nothing = data.get("organisation") is None and data.get("inhabitants") is None
        if nothing and not self.errors:
            raise forms.ValidationError(
                _("Choose your organisation or fill in the number of inhabitants.")
            )
        return data


class AccessRequestForm(ServiceErrors, forms.Form):
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("The municipality or other organisation you work for."),
        error_messages={"required": _("Fill in the organisation you work for.")},
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Fill in your name.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address at work"),
        max_length=254,
        help_text=_("The invitation is sent here."),
        error_messages={
            "required": _("Fill in your e-mail address."),
            "invalid": _("Fill in an e-mail address such as name@gemeente.nl."),
        },
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you would like to do with the cooperative's solutions, for instance."),
    )
    # A field people never see (hidden by the style sheet and from assistive technology):
    # a form robot fills in every field, and its request is dropped without a word.
    website = forms.CharField(required=False, label=_("Leave this field empty"))


class ApproveAccessForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Organisation on Deelbaar"),
        empty_label=_("Choose the organisation"),
        error_messages={"required": _("Choose the organisation the person will work for.")},
    )
    role = forms.ChoiceField(
        label=_("Role in the organisation"),
        choices=OrganisationRole.choices,
        initial=OrganisationRole.ADMIN,
        help_text=_("An admin manages the organisation's people on Deelbaar."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class DeclineAccessForm(ServiceErrors, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        error_messages={"required": _("Give the reason for declining.")},
    )
