"""The catalogue's API shapes: a solution in a list, a solution in full, facets, similar ones."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from solutions.models import Solution
from solutions.selectors.catalogue import (
    SIMILAR_DESCRIPTION_MAX_LENGTH,
    SIMILAR_LIMIT_MAX,
    SIMILAR_TITLE_MAX_LENGTH,
)


class NamedSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class OptionalURLField(serializers.URLField):
    """A link that may be missing: null then, never "" (which is no URL)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SolutionSummarySerializer(serializers.ModelSerializer):
    """A solution as the catalogue lists it."""

    cooperative = NamedSerializer()
    developed_by = NamedSerializer(allow_null=True)
    categories = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text=_("The solution's page."))
    api_url = serializers.SerializerMethodField(help_text=_("The solution in this API."))

    class Meta:
        model = Solution
        fields = [
            "slug",
            "name",
            "short_description_nl",
            "short_description_en",
            "development_status",
            "licence",
            "categories",
            "cooperative",
            "developed_by",
            "adoption_count",
            "created_at",
            "url",
            "api_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_categories(self, solution) -> list[str]:
        # Prefetched by the selector: no query per solution.
        return [c.category for c in solution.categories.all()]

    def _link(self, url_name, slug) -> str:
        # Reversed once per response, not once per solution: a page lists up to 100.
        # The context is the dict the view passed, shared by the page's serializers; the stubs
        # type it as a read-only Mapping.
        links = self.context.setdefault("solution_links", {})  # type: ignore[attr-defined]
        if url_name not in links:
            links[url_name] = reverse(url_name, kwargs={"slug": "__slug__"})
        return links[url_name].replace("__slug__", slug)

    def get_url(self, solution) -> str:
        return self._link("solutions:detail", solution.slug)

    def get_api_url(self, solution) -> str:
        return self._link("api:solution-detail", solution.slug)

    def to_representation(self, instance):
        # DRF's walk over the fields took a millisecond and more of a search's page of 20
        # (a page lists up to 100); built directly, key for key, and a test holds it to the
        # walk. A subclass (SolutionSerializer) adds fields: it keeps the walk.
        if type(self) is not SolutionSummarySerializer:
            return super().to_representation(instance)
        cooperative, developer = instance.cooperative, instance.developed_by
        return {
            "slug": instance.slug,
            "name": instance.name,
            "short_description_nl": instance.short_description_nl,
            "short_description_en": instance.short_description_en,
            "development_status": str(instance.development_status),
            "licence": instance.licence,
            "categories": self.get_categories(instance),
            "cooperative": {"slug": cooperative.slug, "name": cooperative.name},
            "developed_by": (
                None if developer is None else {"slug": developer.slug, "name": developer.name}
            ),
            "adoption_count": instance.adoption_count,
            "created_at": _DATETIME.to_representation(instance.created_at),
            "url": self.get_url(instance),
            "api_url": self.get_api_url(instance),
        }


_DATETIME = serializers.DateTimeField(read_only=True)


class SolutionSerializer(SolutionSummarySerializer):
    """A solution in full: every field of its page and of its publiccode.yml."""

    source_product = serializers.IntegerField(source="source_product_id", allow_null=True)
    repository_url = OptionalURLField()
    documentation_url = OptionalURLField()
    landing_url = OptionalURLField()

    class Meta(SolutionSummarySerializer.Meta):
        fields = [
            *SolutionSummarySerializer.Meta.fields,
            "long_description_nl",
            "long_description_en",
            "features_nl",
            "features_en",
            "software_type",
            "platforms",
            "maintenance_type",
            "maintenance_contractors",
            "maintenance_contacts",
            "maintenance_until",
            "repository_url",
            "documentation_url",
            "landing_url",
            "standards",
            "dependencies",
            "screenshots",
            "estimated_cost",
            "source_product",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so `label` stays the Field's own
    # attribute at run time; the stubs see a class attribute overriding it.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetsSerializer(serializers.Serializer):
    """Each facet's values with counts; a facet's counts ignore its own selection."""

    status = FacetValueSerializer(many=True)
    category = FacetValueSerializer(many=True)
    licence = FacetValueSerializer(many=True)
    cooperative = FacetValueSerializer(many=True)
    developed_by = FacetValueSerializer(many=True)


# One page with its facets: one object, although the operation is a list action.
@extend_schema_serializer(many=False)
class CataloguePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    query = serializers.CharField()
    sort = serializers.CharField()
    results = SolutionSummarySerializer(many=True)
    facets = FacetsSerializer()


class SimilarQuerySerializer(serializers.Serializer):
    title = serializers.CharField(max_length=SIMILAR_TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=SIMILAR_DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=SIMILAR_LIMIT_MAX, required=False, default=5
    )


class SimilarSolutionSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text=_("How alike: higher is more alike."))
    solution = SolutionSummarySerializer()


class SimilarResultSerializer(serializers.Serializer):
    results = SimilarSolutionSerializer(many=True)
