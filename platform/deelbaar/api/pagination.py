from django.utils.translation import gettext as _
from rest_framework import pagination, serializers

from deelbaar.input import MAX_PAGE, page_number


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100); answers count, next, previous and results.

    A page_size that is not a number from 1 to 100 is refused with 400 (as the catalogue does),
    not replaced by the default; so is a page that is not a number from 1 to MAX_PAGE (0,
    "x", a number too large for the database's OFFSET: it was a 500); a page past the last is
    404.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # a page is a number (deelbaar.input.page_number), nothing else

    def get_page_number(self, request, paginator):
        try:
            return page_number(request.query_params.get(self.page_query_param))
        except ValueError as error:
            raise serializers.ValidationError({self.page_query_param: str(error)}) from None

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        # ASCII digits only: "²" is a digit to isdigit() but not to int() (a 500).
        digits = value.isascii() and value.isdigit() and len(value) <= 3
        if not digits or not 1 <= int(value) <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: _("A number from 1 to %(max)s.")
                    % {"max": self.max_page_size}
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1, maximum=MAX_PAGE)
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
