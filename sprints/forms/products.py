"""The product forms (starting one, editing one) and the organisations they offer."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperative.models import OPEN_STATES, Membership, MembershipRole, MembershipState
from deelbaar.pages import ServiceErrorsMixin
from sprints.models import Product


class ProductForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"owner": "pilot", "cooperative": "pilot", "sprint_length_days": "weeks"}

    pilot = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label=_("Pilot organisation and cooperative"),
        empty_label=_("Choose the pilot that develops the product"),
        error_messages={
            "required": _("Choose the pilot organisation that develops the product."),
            "invalid_choice": _("Choose one of the pilots listed; you cannot start one for it."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={
            "required": _("Give the product a name."),
            "max_length": _("A name has at most 200 characters."),
        },
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=10,
        help_text=_("2 to 10 capital letters or digits, starting with a letter, such as SUB."),
        error_messages={
            "required": _("Give the product a key, such as SUB."),
            "max_length": _("A key has at most 10 characters."),
        },
    )
    vision = forms.CharField(
        label=_("Vision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the product is for and for whom."),
    )
    weeks = forms.TypedChoiceField(
        label=_("Sprint length"),
        coerce=int,
        initial=2,
        choices=[
            (1, _("1 week")),
            (2, _("2 weeks")),
            (3, _("3 weeks")),
            (4, _("4 weeks")),
        ],
        error_messages={"invalid_choice": _("A sprint lasts 1 to 4 weeks.")},
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Participating organisations"),
        help_text=_(
            "Other members of the pilot's cooperative that take part, grouped by cooperative."
        ),
        error_messages={
            "invalid_choice": _("Choose participants from the organisations listed."),
        },
    )
    # Set once the person has seen the similar solutions and still wants to start.
    similar_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    follow_up_per_criterion = forms.BooleanField(
        label=_("One follow-up item per criterion not met"),
        required=False,
        help_text=_(
            "When a tester finds criteria not met, the follow-up work is one item listing them "
            "all; tick this to get one item per criterion instead."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = pilot_memberships_for(user)
        self.fields["pilot"].label_from_instance = lambda m: (
            _("%(organisation)s in %(cooperative)s")
            % {
                "organisation": m.organisation.name,
                "cooperative": m.cooperative.name,
            }
        )
        self.fields["participants"].queryset = participant_memberships_for(
            self.fields["pilot"].queryset
        )
        self.fields["participants"].label_from_instance = _participant_label

    def participant_groups(self) -> list[dict]:
        """The participants' checkboxes per cooperative, for one fieldset each."""
        groups = []
        for choice in self["participants"]:
            membership = choice.data["value"].instance
            if not groups or groups[-1]["cooperative"] != membership.cooperative:
                groups.append({"cooperative": membership.cooperative, "choices": []})
            groups[-1]["choices"].append(choice)
        return groups

    def clean(self):
        data = super().clean()
        pilot, chosen = data.get("pilot"), data.get("participants")
        if pilot and chosen:
            elsewhere = [m for m in chosen if m.cooperative_id != pilot.cooperative_id]
            if elsewhere:
                self.add_error(
                    "participants",
                    _("Participants must be members of %(cooperative)s, the pilot's cooperative.")
                    % {"cooperative": pilot.cooperative.name},
                )
        return data

    def clean_key(self):
        # The model's own rule, checked here too so every problem shows at once.
        key = self.cleaned_data["key"].strip().upper()
        Product._meta.get_field("key").run_validators(key)
        return key

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "cooperative": data["pilot"].cooperative,
            "owner": data["pilot"].organisation,
            "name": data["name"],
            "key": data["key"],
            "vision": data["vision"],
            "sprint_length_days": data["weeks"] * 7,
            "participants": [m.organisation for m in data["participants"]],
            "follow_up_per_criterion": data["follow_up_per_criterion"],
        }


class ProductEditForm(ServiceErrorsMixin, forms.Form):
    """Name, vision, sprint length and participants of a product that exists; the version read
    travels with it, so a change made meanwhile is refused, not overwritten."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Give the product a name.")},
    )
    vision = forms.CharField(
        label=_("Vision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the product is for and for whom."),
    )
    sprint_length_days = forms.TypedChoiceField(
        label=_("Sprint length"),
        coerce=int,
        choices=[
            (7, _("1 week")),
            (14, _("2 weeks")),
            (21, _("3 weeks")),
            (28, _("4 weeks")),
        ],
        help_text=_("For sprints planned from now on."),
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Participating organisations"),
        help_text=_("Other members of the cooperative that take part."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = (
            Membership.objects.filter(cooperative=product.cooperative, state__in=OPEN_STATES)
            .exclude(organisation=product.owner)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        self.fields["participants"].label_from_instance = lambda m: m.organisation.name
        self.fields["participants"].to_field_name = "organisation_id"


def pilot_memberships_for(user):
    """The active pilots a person may start a product for: their own, or their cooperative's."""
    return (
        Membership.objects.filter(state=MembershipState.ACTIVE, role=MembershipRole.PILOT)
        .filter(Q(organisation__affiliations__user=user) | Q(cooperative__coordinator__user=user))
        .select_related("organisation", "cooperative")
        .distinct()
        .order_by("cooperative__name", "organisation__name")
    )


def participant_memberships_for(pilots):
    """The organisations that may take part in a product of these pilots' cooperatives: every
    open membership (applied, approved or active), as create_product() requires. Where a
    cooperative offers one pilot only, that pilot owns the product and is not offered."""
    cooperative_ids = {p.cooperative_id for p in pilots}
    owners = {}
    for pilot in pilots:
        owners.setdefault(pilot.cooperative_id, []).append(pilot.pk)
    sole_pilots = [ids[0] for ids in owners.values() if len(ids) == 1]
    return (
        Membership.objects.open()
        .filter(cooperative_id__in=cooperative_ids)
        .exclude(pk__in=sole_pilots)
        .select_related("organisation", "cooperative")
        .order_by("cooperative__name", "cooperative_id", "organisation__name")
    )


def _participant_label(membership):
    if membership.state == MembershipState.ACTIVE:
        return membership.organisation.name
    return _("%(organisation)s (membership %(state)s)") % {
        "organisation": membership.organisation.name,
        "state": membership.get_state_display(),
    }
