"""Query filters of the sprints API; a bad value answers 400 naming the parameter."""

import django_filters
from django.utils.translation import gettext_lazy as _

from deelbaar.api.filters import IdFilter
from sprints.models import Increment, IncrementState


class IncrementFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id", required=True, label=_("The product's id."))
    state = django_filters.ChoiceFilter(choices=IncrementState.choices)

    class Meta:
        model = Increment
        fields = ["product", "state"]
