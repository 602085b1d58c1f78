from django.contrib.auth import authenticate
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken import serializers as authtoken
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative import selectors
from cooperative.api.serializers import OrganisationSummarySerializer, RoleSerializer
from deelbaar.api.parsers import JSONParser


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


class AuthTokenSerializer(authtoken.AuthTokenSerializer):
    """DRF's, but wrong credentials are 401 "authentication_failed" (DRF makes them a 400
    "authorization", as if the body were malformed); a missing field stays a 400."""

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:  # unknown, wrong password, or not active
            raise AuthenticationFailed(_("No account matches this user name and password."))
        attrs["user"] = user
        return attrs


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as `Authorization: Token …`)."""

    serializer_class = AuthTokenSerializer
    parser_classes = [JSONParser]
    # Signing in needs no credentials, so a stale token sent along is not refused.
    authentication_classes = []
    permission_classes = [AllowAny]
    error_statuses = frozenset({401})  # wrong credentials; the schema cannot derive it here

    def get_authenticate_header(self, request):
        # A 401 carries WWW-Authenticate naming the scheme (without one DRF would turn it into
        # a 403): the token this endpoint hands out.
        return TokenAuthentication().authenticate_header(request)
