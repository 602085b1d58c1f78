"""The newcomers API: what joining costs (public) and the coordinators' queue of requests for
access (`/api/v1/cooperatives/{slug}/access-requests/`): list, show, approve, decline.

Requests for access themselves are made on the cooperative's joining page, which guards
against robots; the queue is for the cooperative's coordinators only (others 403).
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative.api.serializers import MONEY, OrganisationSummarySerializer
from cooperative.models import Cooperative, Organisation, OrganisationRole
from deelbaar.api.openapi import answers
from deelbaar.permissions import require
from people.forms.newcomers import MAX_INHABITANTS
from people.models import AccessRequest, AccessRequestState
from people.selectors import newcomers as newcomer_selectors
from people.services import newcomers as newcomer_services


def _cooperative(slug) -> Cooperative:
    return get_object_or_404(Cooperative, slug=slug)


# --- The calculator ---------------------------------------------------------------------------
class QuoteQuerySerializer(serializers.Serializer):
    inhabitants = serializers.IntegerField(
        min_value=0,
        max_value=MAX_INHABITANTS,
        help_text=_("The inhabitants (of a joint arrangement: of its municipalities)."),
    )


class QuoteSerializer(serializers.Serializer):
    organisation = OrganisationSummarySerializer(allow_null=True)
    inhabitants = serializers.IntegerField()
    amount = serializers.DecimalField(
        **MONEY, help_text=_("The one-time joining contribution in euros.")
    )


SLUG = OpenApiParameter("cooperative_slug", OpenApiTypes.STR, OpenApiParameter.PATH)


class ContributionQuoteView(APIView):
    """What joining the cooperative costs an organisation of so many inhabitants, from its
    contribution policy. Open to anyone: the policy is public."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("Calculate the joining contribution for a number of inhabitants"),
        operation_id="cooperatives_contribution_quote_by_inhabitants",
        parameters=[QuoteQuerySerializer, SLUG],
        responses=QuoteSerializer,
    )
    def get(self, request, cooperative_slug):
        cooperative = _cooperative(cooperative_slug)
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quote = newcomer_selectors.quote(
            cooperative, inhabitants=query.validated_data["inhabitants"]
        )
        return Response(QuoteSerializer(quote).data)


class OrganisationQuoteView(APIView):
    """What joining the cooperative costs an organisation on Deelbaar (a municipality, joint
    arrangement or shared service centre; others are not found)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("Calculate the joining contribution of an organisation"),
        operation_id="cooperatives_contribution_quote_for_organisation",
        parameters=[
            SLUG,
            OpenApiParameter("organisation_id", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses=QuoteSerializer,
    )
    def get(self, request, cooperative_slug, organisation_id):
        cooperative = _cooperative(cooperative_slug)
        organisation = get_object_or_404(
            newcomer_selectors.quotable_organisations(), pk=organisation_id
        )
        quote = newcomer_selectors.quote(cooperative, organisation=organisation)
        return Response(QuoteSerializer(quote).data)


# --- The coordinators' queue ------------------------------------------------------------------
class AccessRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "organisation_name",
            "name",
            "email",
            "message",
            "state",
            "created_at",
            "decided_at",
            "decided_by",
            "organisation",
            "invitation",
            "decline_reason",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str | None:
        person = obj.decided_by
        return (person.get_full_name() or person.get_username()) if person else None


class _Strict(serializers.Serializer):
    refuses_unknown_fields = True

    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := set(data) - set(self.fields)):
            raise serializers.ValidationError(
                {name: _("Unknown field.") for name in sorted(unknown)}
            )
        return super().to_internal_value(data)


class ApproveAccessSerializer(_Strict):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The organisation on Deelbaar the person is invited to work for."),
    )
    role = serializers.ChoiceField(
        choices=OrganisationRole.choices, default=OrganisationRole.ADMIN, required=False
    )


class DeclineAccessSerializer(_Strict):
    reason = serializers.CharField(max_length=2000)


class AccessRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=AccessRequestState.choices)

    class Meta:
        model = AccessRequest
        fields = ["state"]


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("List requests for access")),
    retrieve=extend_schema(summary=_("Show a request for access"), parameters=[ID]),
)
class AccessRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Requests for access to one cooperative from people without an account, for its
    coordinators: approving invites the person by e-mail, declining keeps the reason."""

    serializer_class = AccessRequestSerializer
    filterset_class = AccessRequestFilter
    ordering_fields = ["created_at", "state"]
    lookup_value_regex = "[0-9]+"
    queryset = AccessRequest.objects.none()  # for the schema; the real one is the cooperative's
    error_statuses = frozenset({403})

    @property
    def cooperative(self) -> Cooperative:
        if not hasattr(self, "_cooperative"):
            self._cooperative = _cooperative(self.kwargs["cooperative_slug"])
        return self._cooperative

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require(request.user, "cooperative.manage_memberships", self.cooperative)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessRequest.objects.none()
        return newcomer_selectors.access_queue(self.cooperative, state=None).order_by(
            "created_at", "pk"
        )

    @extend_schema(
        summary=_("Approve a request for access: invite the person"),
        parameters=[ID],
        request=ApproveAccessSerializer,
        responses=AccessRequestSerializer,
    )
    @answers(409)
    @action(detail=True, methods=["post"])
    def approve(self, request, cooperative_slug=None, pk=None):
        access_request = self.get_object()
        data = ApproveAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request = newcomer_services.approve_access_request(
            actor=request.user, access_request=access_request, **data.validated_data
        )
        return Response(self.get_serializer(access_request).data)

    @extend_schema(
        summary=_("Decline a request for access"),
        parameters=[ID],
        request=DeclineAccessSerializer,
        responses=AccessRequestSerializer,
    )
    @answers(409)
    @action(detail=True, methods=["post"])
    def decline(self, request, cooperative_slug=None, pk=None):
        access_request = self.get_object()
        data = DeclineAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request = newcomer_services.decline_access_request(
            actor=request.user, access_request=access_request, **data.validated_data
        )
        return Response(self.get_serializer(access_request).data, status=status.HTTP_200_OK)
