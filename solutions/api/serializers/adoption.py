"""What the adoption, review and reuse API shows and accepts.

Input serializers check only the shape of a request (types, ids that exist, a release of the
solution at hand); the services decide who may and what is allowed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperative.models import Organisation
from solutions.models import Adoption, Release, Review, Solution
from solutions.services.adoption import REMARKS_MAX, REVIEW_TEXT_MAX


# --- Output ------------------------------------------------------------------------------------
class AdopterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind"]


class AdoptedReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "version"]


class AdoptionSerializer(serializers.ModelSerializer):
    solution: "serializers.SlugRelatedField[Solution]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organisation = AdopterSerializer(read_only=True)
    release = AdoptedReleaseSerializer(read_only=True, allow_null=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Adoption
        fields = [
            "id",
            "solution",
            "organisation",
            "state",
            "state_display",
            "release",
            "requested_at",
            "in_use_since",
            "stopped_on",
            "remarks",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    solution: "serializers.SlugRelatedField[Solution]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organisation = AdopterSerializer(read_only=True)

    class Meta:
        model = Review
        fields = ["id", "solution", "organisation", "score", "pros", "cons", "updated_at"]


class SolutionFiguresSerializer(serializers.Serializer):
    slug = serializers.CharField(source="solution.slug")
    name = serializers.CharField(source="solution.name")
    adoptions = serializers.IntegerField()
    inhabitants = serializers.IntegerField()
    estimated_cost = serializers.DecimalField(
        source="solution.estimated_cost", max_digits=12, decimal_places=2, allow_null=True
    )
    cost_avoided = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ReuseFiguresSerializer(serializers.Serializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    adoptions = serializers.IntegerField(help_text=_("Adoptions in use, over all solutions."))
    inhabitants = serializers.IntegerField(
        help_text=_("Inhabitants of the municipalities served by any solution, each once.")
    )
    cost_avoided = serializers.DecimalField(max_digits=14, decimal_places=2)
    solutions = SolutionFiguresSerializer(many=True)


# --- Input -------------------------------------------------------------------------------------
class OrganisationField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "required": _("Choose the organisation you act for."),
        "does_not_exist": _("There is no organisation {pk_value}."),
        "incorrect_type": _("Give an organisation's id, a whole number."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Organisation.objects.all(), **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class ReleaseOfSolutionField(serializers.SlugRelatedField):
    """A release of the solution in the serializer's context, by its version."""

    default_error_messages = {
        "does_not_exist": _("There is no release {value} of this solution."),
        "invalid": _("Give a release's version, such as 1.2.0."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="version", **kwargs)

    def get_queryset(self):
        return Release.objects.filter(solution=self.context["solution"])


class AdoptionInputSerializer(serializers.Serializer):
    organisation = OrganisationField()
    remarks = serializers.CharField(
        required=False, allow_blank=True, max_length=REMARKS_MAX, default=""
    )


class TakeIntoUseSerializer(serializers.Serializer):
    release = ReleaseOfSolutionField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The version taken into use; the newest release when left out."),
    )


class UpgradeSerializer(serializers.Serializer):
    release = ReleaseOfSolutionField(help_text=_("The newer version to run."))


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REMARKS_MAX, default=""
    )


class ReviewInputSerializer(serializers.Serializer):
    organisation = OrganisationField()
    score = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": _("A score is a whole number from 1 to 5."),
            "max_value": _("A score is a whole number from 1 to 5."),
            "invalid": _("A score is a whole number from 1 to 5."),
        },
    )
    pros = serializers.CharField(
        required=False, allow_blank=True, max_length=REVIEW_TEXT_MAX, default=""
    )
    cons = serializers.CharField(
        required=False, allow_blank=True, max_length=REVIEW_TEXT_MAX, default=""
    )
