"""Query filters of the cooperative API; a bad value answers 400 naming the parameter."""

from datetime import datetime, time, timedelta

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperative.models import (
    Affiliation,
    AuditRecord,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
)
from deelbaar.api.filters import IdFilter


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    cbs_code = django_filters.CharFilter(field_name="cbs_code", lookup_expr="iexact")
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Part of the name.")
    )

    class Meta:
        model = Organisation
        fields = ["kind", "cbs_code", "search"]


class MembershipFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MembershipState.choices)
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ["state", "role"]


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditRecordFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="filter_object_type",
        validators=[
            RegexValidator(
                r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$",
                _("Give the object type as app_label.model, such as cooperative.membership."),
                code="invalid",
            )
        ],
        label=_("The kind of object, as app_label.model (cooperative.membership)."),
    )
    object_id = django_filters.CharFilter(field_name="object_id")
    actor = IdFilter(field_name="actor_id", label=_("The id of the actor."))
    action = django_filters.CharFilter(field_name="action")
    cooperative = django_filters.CharFilter(
        field_name="cooperative__slug", label=_("The cooperative's slug.")
    )
    organisation = IdFilter(
        method="filter_organisation",
        label=_("The id of the organisation: the record's own, or else its actor's."),
    )
    at_after = django_filters.DateFilter(
        method="filter_at_after", label=_("Changes on or after this date.")
    )
    at_before = django_filters.DateFilter(
        method="filter_at_before", label=_("Changes on or before this date.")
    )

    class Meta:
        model = AuditRecord
        fields = ["object_type", "object_id", "actor", "action", "cooperative"]

    def filter_object_type(self, queryset, name, value):
        app_label, model = value.split(".")
        return queryset.filter(object_type__app_label=app_label, object_type__model=model)

    def filter_organisation(self, queryset, name, value):
        # As the trail shows it: a record without an organisation counts as its actor's.
        people = Affiliation.objects.filter(organisation_id=value).values("user_id")
        return queryset.filter(
            Q(organisation_id=value) | Q(organisation__isnull=True, actor_id__in=people)
        )

    # Whole days in the platform's time zone, both ends included.
    def filter_at_after(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_at_before(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))
