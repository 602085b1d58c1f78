"""Joining a cooperative and the coordinator's decisions on a membership."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperative.forms.widgets import DateInput
from cooperative.models import MembershipRole
from deelbaar.pages import ServiceErrorsMixin


class JoinForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Organisation"),
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Choose the organisation that joins."),
            "invalid_choice": _("Choose one of your own organisations."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (MembershipRole.MEMBER, MembershipRole.MEMBER.label),
            (MembershipRole.PILOT, MembershipRole.PILOT.label),
        ],
        initial=MembershipRole.MEMBER,
        widget=forms.RadioSelect,
        help_text=_(
            "A member reuses the solutions in the library; a pilot also develops an app "
            "with the supplier."
        ),
        error_messages={"required": _("Choose a role.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the person's own organisations can be chosen: anything else in the POST is
        # refused here, and again by the service.
        self.fields["organisation"].queryset = organisations


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """Approving needs no input, only the button."""


class RejectForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        error_messages={"required": _("Give the reason for the rejection.")},
    )


class PaymentForm(ServiceErrorsMixin, forms.Form):
    paid_on = forms.DateField(
        label=_("Date of payment"),
        widget=DateInput,
        error_messages={
            "required": _("Give the date of payment."),
            "invalid": _("Enter the date of payment as a date, such as 2025-03-31."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount paid (€)"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"required": _("Enter the amount paid in euros, such as 1250.00.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invalid = _("Enter the amount paid in euros, such as 1250.00.")
        self.fields["amount"].error_messages.update(
            invalid=invalid,
            max_digits=invalid,
            max_decimal_places=invalid,
            max_whole_digits=invalid,
        )
