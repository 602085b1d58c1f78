from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative import selectors
from cooperative.api.serializers import OrganisationSummarySerializer, RoleSerializer


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.CharField()
    is_staff = serializers.BooleanField()
    organisations = OrganisationSummarySerializer(many=True)
    roles = RoleSerializer(many=True)


class MeView(APIView):
    """Who am I: my account, the organisations I work for and the roles I hold."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "name": user.get_full_name() or user.get_username(),
                    "email": user.email,
                    "language": get_language(),
                    "is_staff": user.is_staff,
                    "organisations": selectors.organisations_of(user),
                    "roles": selectors.roles_of(user),
                }
            ).data
        )
