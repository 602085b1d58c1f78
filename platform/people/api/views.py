"""The people API: an organisation's people and the invitations that bring them in.

Thin: each write checks its permission, validates the body and calls one service. An
organisation whose people someone may not see answers 404 (who works where is not public).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from cooperative import selectors as cooperative_selectors
from cooperative import services as cooperative_services
from cooperative.models import Affiliation, Organisation
from deelbaar.api.openapi import answers
from deelbaar.errors import NotFound
from deelbaar.permissions import allowed, require
from people import selectors, services
from people.api import serializers

ORGANISATION_ID = OpenApiParameter(
    "organisation_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The organisation.")
)
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _visible_organisation(request, organisation_id) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not allowed(request.user, "cooperative.view_people", organisation):
        raise NotFound(_("No such organisation, or you may not see its people."))
    return organisation


@extend_schema(parameters=[ORGANISATION_ID])
@extend_schema_view(
    list=extend_schema(summary=_("List an organisation's people")),
    retrieve=extend_schema(summary=_("Show a person of an organisation"), parameters=[ID]),
    create=extend_schema(
        summary=_("Invite a person to the organisation by e-mail"),
        request=serializers.OrganisationInviteSerializer,
        responses={201: serializers.InvitationSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a person's role in the organisation"),
        request=serializers.PersonRoleSerializer,
        responses=serializers.OrganisationPersonSerializer,
        parameters=[ID],
    ),
    destroy=extend_schema(
        summary=_("Remove a person from the organisation (their history stays)"),
        parameters=[ID],
    ),
)
class OrganisationPeopleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The people of an organisation and their role: admin (manages its people) or staff.

    Its own people, its admins and the coordinators of its cooperatives see them; admins,
    coordinators and administrators invite, change roles and remove. `id` is the person's."""

    serializer_class = serializers.OrganisationPersonSerializer
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["role", "user__username"]
    ordering = None

    @property
    def organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = _visible_organisation(self.request, self.kwargs["organisation_id"])
        return self._organisation

    queryset = Affiliation.objects.none()  # for the schema; the organisation's people below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return cooperative_selectors.organisation_people(self.organisation)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["show_email"] = allowed(
            self.request.user, "cooperative.manage_people", self.organisation
        )
        return context

    def get_object(self):
        affiliation = self.get_queryset().filter(user_id=self.kwargs["pk"]).first()
        if affiliation is None:
            raise NotFound(_("This person does not work for this organisation."))
        return affiliation

    def create(self, request, organisation_id=None):
        organisation = self.organisation
        require(request.user, "cooperative.manage_people", organisation)
        data = _valid(serializers.OrganisationInviteSerializer, request)
        invitation = services.invite(
            actor=request.user, organisation=organisation, email=data["email"], role=data["role"]
        )
        return Response(
            serializers.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    @answers(409)  # the last admin
    def partial_update(self, request, organisation_id=None, pk=None):
        affiliation = self.get_object()
        require(request.user, "cooperative.manage_people", self.organisation)
        data = _valid(serializers.PersonRoleSerializer, request)
        affiliation = cooperative_services.change_organisation_role(
            actor=request.user,
            organisation=self.organisation,
            user=affiliation.user,
            role=data["role"],
        )
        return Response(self.get_serializer(affiliation).data)

    @answers(409)  # the last admin
    def destroy(self, request, organisation_id=None, pk=None):
        affiliation = self.get_object()
        require(request.user, "cooperative.manage_people", self.organisation)
        cooperative_services.remove_person(
            actor=request.user, organisation=self.organisation, user=affiliation.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the invitations you manage"),
        parameters=[serializers.InvitationFilterSerializer],
    ),
    retrieve=extend_schema(summary=_("Show an invitation"), parameters=[ID]),
    create=extend_schema(
        summary=_("Invite a person by e-mail, to an organisation or to a product's team"),
        request=serializers.InviteSerializer,
        responses={201: serializers.InvitationSerializer},
    ),
    resend=extend_schema(
        summary=_("Send an invitation again, with a new link and a new week"),
        request=None,
        parameters=[ID],
    ),
    revoke=extend_schema(
        summary=_("Withdraw an invitation"), request=serializers.RevokeSerializer, parameters=[ID]
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invitations by e-mail: to work for an organisation (its admins, coordinators), or also to
    join a product's team as developer or tester (its product owner, coordinators). The link in
    the mail works once, for seven days; resending makes a new one."""

    serializer_class = serializers.InvitationSerializer
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["created_at", "email", "expires_at"]

    def get_queryset(self):
        invitations = selectors.invitations_visible_to(self.request.user)
        if self.action != "list":
            return invitations
        query = serializers.InvitationFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        for name, value in query.validated_data.items():
            invitations = invitations.filter(**{f"{name}_id": value})
        return invitations

    def create(self, request):
        data = _valid(serializers.InviteSerializer, request)
        invitation = services.invite(
            actor=request.user,
            email=data["email"],
            organisation=data["organisation"],
            role=data["role"],
            product=data.get("product"),
            team_role=data.get("team_role", ""),
        )
        return Response(
            serializers.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        invitation = services.resend(actor=request.user, invitation=self.get_object())
        return Response(serializers.InvitationSerializer(invitation).data)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = self.get_object()
        require(request.user, "people.manage_invitation", invitation)
        data = _valid(serializers.RevokeSerializer, request)
        invitation = services.revoke(
            actor=request.user, invitation=invitation, reason=data.get("reason", "")
        )
        return Response(serializers.InvitationSerializer(invitation).data)


class AcceptThrottle(AnonRateThrottle):
    scope = "invitation-accept"
    rate = "20/min"


class PersonAcceptThrottle(UserRateThrottle):
    scope = "invitation-accept"
    rate = "20/min"


class AcceptView(APIView):
    """Accept an invitation with the token from its link: as a new account (first name and a
    password, checked by the password rules), or, signed in, for your own account."""

    permission_classes = [AllowAny]
    throttle_classes = [AcceptThrottle, PersonAcceptThrottle]

    @extend_schema(
        summary=_("Accept an invitation"),
        request=serializers.AcceptSerializer,
        responses={201: serializers.AcceptedSerializer},
    )
    @answers(403, 409, 410)
    def post(self, request):
        data = _valid(serializers.AcceptSerializer, request)
        invitation, user = services.accept(
            token=data["token"],
            user=request.user if request.user.is_authenticated else None,
            password=data.get("password", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        invitation = selectors.invitations_of(invitation.organisation).get(pk=invitation.pk)
        return Response(
            {
                "invitation": serializers.InvitationSerializer(invitation).data,
                "user": user.pk,
                "username": user.get_username(),
            },
            status=status.HTTP_201_CREATED,
        )
