"""/api/v1/me/: who am I. Here, not in the core, because it reads the cooperative's
organisations and roles; the products come from the sprints app through `deelbaar.me`."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative import selectors
from cooperative.api.serializers import OrganisationSummarySerializer, RoleSerializer
from cooperative.models import Affiliation
from deelbaar import me


class MyOrganisationSerializer(OrganisationSummarySerializer):
    role = serializers.CharField(
        help_text=_("My role in the organisation: admin (manages its people) or staff.")
    )

    class Meta(OrganisationSummarySerializer.Meta):
        fields = [*OrganisationSummarySerializer.Meta.fields, "role"]


class MyCooperativeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


# The team roles, as the sprints app names them (the same choices, so one enum in the schema).
TEAM_ROLES = [
    ("product_owner", _("product owner")),
    ("developer", _("developer")),
    ("tester", _("tester")),
]


class MyProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    cooperative = serializers.CharField(help_text=_("The cooperative's slug."))
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=TEAM_ROLES),
        help_text=_("My roles on the product's team."),
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.CharField()
    is_staff = serializers.BooleanField()
    organisations = MyOrganisationSerializer(
        many=True, help_text=_("The organisations I work for, with my role in each.")
    )
    coordinates = MyCooperativeSerializer(many=True, help_text=_("The cooperatives I coordinate."))
    products = MyProductSerializer(
        many=True, help_text=_("The products I am on the team of, with my roles.")
    )
    roles = RoleSerializer(many=True)


def _my_organisations(user) -> list:
    affiliations = Affiliation.objects.filter(user=user).select_related("organisation")
    organisations = []
    for affiliation in affiliations.order_by("organisation__name"):
        organisation = affiliation.organisation
        organisation.role = getattr(affiliation, "role", "staff")
        organisations.append(organisation)
    return organisations


class MeView(APIView):
    """Who am I: my account, the organisations I work for (with my role in each), the
    cooperatives I coordinate and the products I am on the team of, so a client builds its
    menus from one call. `roles` lists all of them as plain role entries."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        coordinated = list(selectors.coordinated_cooperatives(user))
        products = me.product_roles(user)
        roles = selectors.roles_of(user) + [
            {"role": role, "object_type": "product", "object": str(p["id"]), "name": p["name"]}
            for p in products
            for role in p["roles"]
        ]
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "name": user.get_full_name() or user.get_username(),
                    "email": user.email,
                    "language": get_language(),
                    "is_staff": user.is_staff,
                    "organisations": _my_organisations(user),
                    "coordinates": coordinated,
                    "products": products,
                    "roles": roles,
                }
            ).data
        )
