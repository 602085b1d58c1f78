"""The personal tokens API: `/api/v1/me/tokens/` and signing in at `/api/v1/auth/token/`.

A person lists, makes and revokes their own tokens; someone else's token is not found (404).
The secret is in the answer of the request that makes the token, and nowhere else.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from deelbaar.api.openapi import answers
from deelbaar.api.parsers import JSONParser
from people.authentication import PersonalTokenAuthentication
from people.lockout import LOCKED_OUT_CODE, locked_out_message
from people.models import PersonalToken
from people.selectors import tokens as token_selectors
from people.services import tokens

TOKEN_STATUSES = ["active", "expired", "revoked"]


class TokenSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=TOKEN_STATUSES,
        read_only=True,
        help_text=_("active, expired or revoked: only an active token signs in."),
    )

    class Meta:
        model = PersonalToken
        fields = [
            "id",
            "name",
            "prefix",
            "status",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text=_(
            "The secret, shown only in this answer: send it as `Authorization: Token <token>`."
        ),
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenInputSerializer(serializers.Serializer):
    refuses_unknown_fields = True

    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(
        required=False,
        help_text=_("When the token stops working; at most a year ahead. Default: in 90 days."),
    )

    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := set(data) - set(self.fields)):
            raise serializers.ValidationError(
                {name: _("Unknown field.") for name in sorted(unknown)}
            )
        return super().to_internal_value(data)


def _with_secret(token, secret) -> dict:
    return {**TokenSerializer(token).data, "token": secret}


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("List my API tokens")),
    create=extend_schema(
        summary=_("Make an API token"),
        request=TokenInputSerializer,
        responses={201: NewTokenSerializer},
    ),
    destroy=extend_schema(summary=_("Revoke one of my API tokens"), parameters=[ID]),
)
class MyTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """My personal API tokens: several, each named, each expiring; revoking keeps it listed."""

    serializer_class = TokenSerializer
    ordering_fields = ["created_at", "expires_at", "name"]
    lookup_value_regex = "[0-9]+"
    queryset = PersonalToken.objects.none()  # for the schema; the real one is the person's own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PersonalToken.objects.none()
        return token_selectors.tokens_of(self.request.user)

    def create(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = tokens.issue_token(
            actor=request.user, user=request.user, **data.validated_data
        )
        return Response(_with_secret(token, secret), status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        tokens.revoke_token(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthTokenSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100,
        required=False,
        help_text=_("A name for the token; default: 'API' and the moment it is made."),
    )


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = LOCKED_OUT_CODE


class TokenView(APIView):
    """Exchange a user name and password for a new personal API token (send it as
    `Authorization: Token …`). Each call makes a token of its own; list and revoke them at
    `/api/v1/me/tokens/`. Failed attempts are counted: after too many, for the account or from
    the address, every attempt is refused with 429 for a while, the right password too."""

    parser_classes = [JSONParser]
    # Signing in needs no credentials, so a stale token sent along is not refused.
    authentication_classes = []
    permission_classes = [AllowAny]
    # Wrong credentials; too many failed attempts. The schema cannot derive them here.
    error_statuses = frozenset({401, 429})

    def get_authenticate_header(self, request):
        # A 401 carries WWW-Authenticate naming the scheme (without one DRF would turn it into
        # a 403): the token this endpoint hands out.
        return PersonalTokenAuthentication().authenticate_header(request)

    @extend_schema(
        summary=_("Sign in for an API token"),
        request=AuthTokenSerializer,
        responses={200: NewTokenSerializer},
        auth=[],
    )
    @answers(401, 429)
    def post(self, request):
        data = AuthTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credentials = data.validated_data
        # The Django request, which axes marks when it refuses a locked-out attempt.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=credentials["username"],
            password=credentials["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut(locked_out_message())
        if user is None:  # unknown, wrong password, or not active
            raise exceptions.AuthenticationFailed(
                _("No account matches this user name and password.")
            )
        # A sign-in like the login page's: the failure count is cleared (axes) and the last
        # sign-in recorded. No session is made.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        name = credentials.get("name") or _("API sign-in of %(moment)s") % {
            "moment": timezone.localtime().strftime("%Y-%m-%d %H:%M")
        }
        token, secret = tokens.issue_token(actor=user, user=user, name=name)
        # 200, as this endpoint always answered, although each call makes a token.
        return Response(_with_secret(token, secret))
