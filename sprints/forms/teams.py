"""A product's team: adding a developer or tester, handing the product over to a new owner."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.models import TeamMember, TeamRole


def _person_label(user) -> str:
    organisations = ", ".join(a.organisation.name for a in user.affiliations.all())
    name = user.get_full_name() or user.get_username()
    return f"{name} ({organisations})" if organisations else name


class AddMemberForm(ServiceErrorsMixin, forms.Form):
    user = forms.ModelChoiceField(
        queryset=TeamMember.objects.none(),
        label=_("Person"),
        empty_label=_("Choose a person"),
        help_text=_("People of the owning and the participating organisations, and of suppliers."),
        error_messages={"required": _("Choose the person to add.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (TeamRole.TESTER.value, TeamRole.TESTER.label),
            (TeamRole.DEVELOPER.value, TeamRole.DEVELOPER.label),
        ],
        widget=forms.RadioSelect,
        initial=TeamRole.TESTER.value,
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.search_people(
            selectors.team_candidates(product), ""
        )
        self.fields["user"].label_from_instance = _person_label


class HandOverForm(ServiceErrorsMixin, forms.Form):
    user = forms.ModelChoiceField(
        queryset=TeamMember.objects.none(),
        label=_("New product owner"),
        empty_label=_("Choose a person"),
        help_text=_("People of the owning and the participating organisations."),
        error_messages={"required": _("Choose the new product owner.")},
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        people = selectors.team_candidates(product).filter(
            affiliations__organisation__in=selectors.product_organisations(product)
        )
        self.fields["user"].queryset = selectors.search_people(people.distinct(), "")
        self.fields["user"].label_from_instance = _person_label
