"""The personal tokens page's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from people.forms.newcomers import ServiceErrors


class TokenForm(ServiceErrors, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as the script or computer that uses it."),
        error_messages={"required": _("Give the token a name.")},
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: 90 days from today. At most a year ahead."),
    )
