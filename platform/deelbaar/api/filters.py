"""The API's shared query filters.

`?ordering=` for every list: a comma-separated list of the view's `ordering_fields`, each
optionally with `-` for descending. Anything else is refused with 400 naming the parameter,
rather than silently answering the default order."""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, serializers

from deelbaar.input import INTEGER_RANGE


class OrderingFilter(filters.OrderingFilter):
    def _allowed(self, queryset, view, request) -> list[str]:
        fields = self.get_valid_fields(queryset, view, {"request": request})
        return [name for name, _label in fields]

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param)
        if value:  # empty: the default order, like no ordering at all
            allowed = self._allowed(queryset, view, request)
            terms = [term.strip() for term in value.split(",")]
            unknown = [term for term in terms if term.removeprefix("-") not in allowed]
            if unknown or not terms:
                raise serializers.ValidationError(
                    {
                        self.ordering_param: _(
                            "Order by one or more of %(fields)s, comma-separated; put - before "
                            "a field for descending order."
                        )
                        % {"fields": ", ".join(allowed)}
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not fields or fields == "__all__":
            return []
        terms = [term for field in fields for term in (field, f"-{field}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": _("Which fields to order by; - before a field for descending."),
                # Comma-separated: ?ordering=name,-reach
                "style": "form",
                "explode": False,
                "schema": {"type": "array", "items": {"type": "string", "enum": terms}},
            }
        ]


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": INTEGER_RANGE[1]})
class IdFilter(django_filters.NumberFilter):
    """An id in a query parameter: a whole number (`?product=1.5` is refused, not rounded) that
    a database id can be (one beyond 64 bits is refused with 400 naming the parameter)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", INTEGER_RANGE[1])
        super().__init__(*args, **kwargs)


def _free_text(field) -> bool:
    return isinstance(field, CharFilter) and not field.extra.get("validators")


class FilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value is refused where it cannot be a value.

    django-filter skips a filter sent empty (`?at_before=`), which would answer as if it had
    not been sent, although "" is no date, number, choice or id. Free text (a CharFilter with
    no rule of its own) may still be empty.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            empty = {name for name, value in request.query_params.items() if value == ""}
            refused = [
                name
                for name, field in filterset.filters.items()
                if name in empty and not _free_text(field)
            ]
            if refused:
                message = _("Leave the filter out rather than sending it empty.")
                raise serializers.ValidationError(dict.fromkeys(refused, message))
        return super().filter_queryset(request, queryset, view)
