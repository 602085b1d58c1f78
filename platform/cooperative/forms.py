"""The forms of the cooperative pages. They read and check input; the services change state."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperative.models import Affiliation, MembershipRole, Organisation, OrganisationKind
from deelbaar.pages import ServiceErrorsMixin


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates, which every locale accepts."""

    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


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


class AuditFilterForm(forms.Form):
    """Filters for the audit trail, read from the query string; each one optional."""

    action = forms.ChoiceField(label=_("Kind of action"), required=False)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    object_type = forms.TypedChoiceField(
        label=_("Object type"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter a date, such as 2025-03-31.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter a date, such as 2025-03-31.")},
    )

    def __init__(self, *args, records, action_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are what occurs in the trail this person may read, nothing more.
        unordered = records.order_by()
        actions = sorted(set(unordered.values_list("action", flat=True)))
        self.fields["action"].choices = [
            ("", _("All actions")),
            *((action, action_label(action)) for action in actions),
        ]
        # The organisation a record names, or else its actor's (as the trail shows it).
        named = unordered.filter(organisation__isnull=False).values("organisation_id")
        of_actors = Affiliation.objects.filter(
            user_id__in=unordered.filter(organisation__isnull=True).values("actor_id")
        ).values("organisation_id")
        self.fields["organisation"].choices = [
            ("", _("All organisations")),
            *Organisation.objects.filter(Q(pk__in=named) | Q(pk__in=of_actors))
            .order_by("name")
            .values_list("pk", "name"),
        ]
        actors = {}
        for actor_id, name in unordered.values_list("actor_id", "actor_name").distinct():
            if actor_id is not None:
                actors.setdefault(actor_id, name)
        self.fields["actor"].choices = [
            ("", _("Everyone")),
            *sorted(actors.items(), key=lambda item: item[1].lower()),
        ]
        types = ContentType.objects.filter(pk__in=unordered.values("object_type_id"))
        self.fields["object_type"].choices = [
            ("", _("All objects")),
            *sorted(((t.pk, str(t.name).capitalize()) for t in types), key=lambda c: c[1]),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned

    def filter(self, records):
        """The records that match the valid filters; invalid ones are shown, not applied."""
        if not self.is_bound:
            return records
        self.is_valid()
        data = self.cleaned_data
        if data.get("action"):
            records = records.filter(action=data["action"])
        if data.get("actor") is not None:
            records = records.filter(actor_id=data["actor"])
        if data.get("organisation") is not None:
            organisation = data["organisation"]
            people = Affiliation.objects.filter(organisation_id=organisation).values("user_id")
            records = records.filter(
                Q(organisation_id=organisation) | Q(organisation__isnull=True, actor_id__in=people)
            )
        if data.get("object_type") is not None:
            records = records.filter(object_type_id=data["object_type"])
        if data.get("date_from"):
            records = records.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            records = records.filter(at__date__lte=data["date_to"])
        return records


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
