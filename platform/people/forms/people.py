"""The forms of the people pages: shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperative.models import OrganisationRole
from deelbaar.pages import ServiceErrorsMixin
from people.models import InvitationTeamRole


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationRole.choices,
        initial=OrganisationRole.STAFF,
        widget=forms.RadioSelect,
        help_text=_("An admin manages the organisation's people; staff work with Deelbaar."),
    )


class TeamInviteForm(ServiceErrorsMixin, forms.Form):
    """Invite someone without an account to a product's team: their organisation is one of the
    product's own, or a supplier."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        empty_label=_("Choose their organisation"),
        help_text=_("The owning or a participating organisation, or a supplier."),
    )
    team_role = forms.ChoiceField(
        label=_("Role in the team"),
        choices=InvitationTeamRole.choices,
        initial=InvitationTeamRole.TESTER,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RoleForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.choices)


class AcceptForm(ServiceErrorsMixin, forms.Form):
    """A new account: the person's name and a password, checked by the password validators
    (in the service)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_again") is not None
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return data
