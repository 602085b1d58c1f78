"""The audit trail's filters."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperative.forms.widgets import DateInput
from cooperative.models import Affiliation, Organisation


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
