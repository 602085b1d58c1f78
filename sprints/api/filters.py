"""Query filters of the sprints API; a bad value answers 400 naming the parameter."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sprints.models import Increment, IncrementState


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole number (an id), so `?product=1.5` is refused instead of rounded."""

    field_class = forms.IntegerField


class IncrementFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id", required=True, label=_("The product's id."))
    state = django_filters.ChoiceFilter(choices=IncrementState.choices)

    class Meta:
        model = Increment
        fields = ["product", "state"]
