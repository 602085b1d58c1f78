"""The public catalogue in the API: search with facets, one solution, similar solutions.

Anyone may read them, logged in or not. Everything is read through
`solutions.selectors.catalogue`, which refuses an unknown sort, filter value or page with a
DomainError naming the parameter (400; a page past the last is 404).
"""

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.utils.urls import remove_query_param, replace_query_param

from solutions.api.serializers import catalogue as serializers
from solutions.models import Category, DevelopmentStatus, Solution
from solutions.selectors import catalogue as selectors


def _many(name, description, enum=None):
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=enum,
        description=description,
    )


CATALOGUE_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=_(
            "Search text (names, descriptions, features; Dutch and English). Quoted phrases, "
            "`or` and `-word` work on PostgreSQL."
        ),
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=selectors.Sort.values,
        description=_("Relevance (the default with a search), newest, most adopted or name."),
    ),
    _many("status", _("Development status; repeat for several (OR)."), DevelopmentStatus.values),
    _many("category", _("publiccode.yml category; repeat for several (OR)."), Category.values),
    _many("licence", _("SPDX licence expression; repeat for several (OR).")),
    _many("cooperative", _("The cooperative's slug; repeat for several (OR).")),
    _many("developed_by", _("The developing organisation's slug; repeat for several (OR).")),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        description=_("The page, from 1."),
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": selectors.MAX_PAGE_SIZE},
        description=_("Solutions per page (at most 100)."),
    ),
]


class CatalogueViewSet(viewsets.GenericViewSet):
    """The cooperative library: every published solution, public."""

    permission_classes = [AllowAny]
    serializer_class = serializers.SolutionSerializer
    queryset = Solution.objects.none()  # for the schema; the selectors read
    lookup_field = "slug"
    lookup_value_converter = "slug"
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary=_("Search the library, with facets"),
        parameters=CATALOGUE_PARAMETERS,
        responses=serializers.CataloguePageSerializer,
    )
    def list(self, request):
        params = request.query_params
        result = selectors.catalogue(
            params.get("q", ""),
            {name: params.getlist(name) for name in selectors.FACETS if name in params},
            params.get("sort") or None,
            page=params.get("page") or 1,
            page_size=params.get("page_size") or selectors.PAGE_SIZE,
        )
        page = result.page
        url = request.build_absolute_uri()
        previous = None
        if page.has_previous():
            number = page.previous_page_number()
            previous = (
                replace_query_param(url, "page", number)
                if number > 1
                else remove_query_param(url, "page")
            )
        body = {
            "count": result.count,
            "next": (
                replace_query_param(url, "page", page.next_page_number())
                if page.has_next()
                else None
            ),
            "previous": previous,
            "query": result.query,
            "sort": result.sort,
            "results": serializers.SolutionSummarySerializer(page.object_list, many=True).data,
            # Plain data already: faster than a serializer per facet value.
            "facets": {
                name: [asdict(value) for value in values] for name, values in result.facets.items()
            },
        }
        return Response(body)

    @extend_schema(summary=_("Show a solution"), responses=serializers.SolutionSerializer)
    def retrieve(self, request, slug=None):
        return Response(self.get_serializer(selectors.solution_detail(slug)).data)

    @extend_schema(
        summary=_("The existing solutions most like a proposal"),
        parameters=[serializers.SimilarQuerySerializer],
        responses=serializers.SimilarResultSerializer,
    )
    @action(detail=False, methods=["get"])
    def similar(self, request):
        query = serializers.SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.similar_to(**query.validated_data)
        return Response(serializers.SimilarResultSerializer({"results": found}).data)


router = SimpleRouter(use_regex_path=False)
router.register("solutions", CatalogueViewSet, basename="solution")

urlpatterns = router.urls
