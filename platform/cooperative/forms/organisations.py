"""A new organisation on Deelbaar."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperative.models import OrganisationKind
from deelbaar.pages import ServiceErrorsMixin


class OrganisationForm(ServiceErrorsMixin, forms.Form):
    """A new organisation on Deelbaar (a newcomer whose request for access is to be approved)."""

    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=OrganisationKind.choices,
        initial=OrganisationKind.MUNICIPALITY,
        error_messages={"required": _("Choose the kind of organisation.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Fill in the organisation's name.")},
    )
    cbs_code = forms.CharField(
        label=_("CBS code"),
        required=False,
        max_length=6,
        help_text=_("Municipalities only: GM and four digits, such as GM0794."),
    )
    inhabitants = forms.IntegerField(
        label=_("Number of inhabitants"),
        required=False,
        min_value=1,
        help_text=_("Municipalities only; the joining contribution may depend on it."),
        error_messages={"invalid": _("Fill in the number of inhabitants as a whole number.")},
    )
