"""The forms of the repository pages: linking a repository and replacing its access token."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def access_username_field() -> forms.CharField:
    """The token's user name, as linking and replacing the token both ask for it."""
    return forms.CharField(
        label=gettext_lazy("User name for the token (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Only where the git host wants one, such as GitLab's deploy tokens; GitHub needs none."
        ),
    )


class LinkForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address of the repository"),
        max_length=500,
        help_text=gettext_lazy("An https or ssh address, such as https://github.com/org/app.git"),
    )
    default_branch = forms.CharField(
        label=gettext_lazy("Default branch"), max_length=200, initial="main"
    )
    access_username = access_username_field()
    access_token = forms.CharField(
        label=gettext_lazy("Access token (optional)"),
        max_length=500,
        required=False,
        # Never rendered back, not even after an error elsewhere in the form.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "A deploy or access token to read a private repository over https. It is never "
            "shown again. Never put it in the address."
        ),
    )


class AccessTokenForm(forms.Form):
    """Replace the access token, or remove it: removing is a choice of its own, so an empty
    token field sent by mistake never drops the token."""

    REPLACE, REMOVE = "replace", "remove"

    change = forms.ChoiceField(
        label=gettext_lazy("What do you want to do?"),
        choices=[
            (REPLACE, gettext_lazy("Set a new access token")),
            (REMOVE, gettext_lazy("Remove the access token")),
        ],
        initial=REPLACE,
        widget=forms.RadioSelect,
    )
    access_username = access_username_field()
    access_token = forms.CharField(
        label=gettext_lazy("New access token"),
        max_length=500,
        required=False,
        # Never rendered back: the page says only whether a token is set.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("It replaces the current one and is never shown again."),
    )

    def clean(self):
        values = super().clean()
        if values.get("change") == self.REMOVE:
            values["access_username"], values["access_token"] = "", ""
        elif values.get("change") == self.REPLACE and not values.get("access_token", "").strip():
            self.add_error(
                "access_token",
                _("Give the new access token, or choose to remove the access token."),
            )
        return values
