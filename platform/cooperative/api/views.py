"""The cooperative API: thin viewsets that read through selectors and change through services.

Permissions are the rules of `cooperative/rules.py`, checked with `deelbaar.permissions`. Each
write checks its permission before it looks at the request body, so a person who may not act
learns nothing from validation errors; the service checks again as it writes.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cooperative import selectors, services, trail_csv
from cooperative.api import filters, serializers
from cooperative.models import AuditRecord, Cooperative, Membership
from deelbaar.api.openapi import answers
from deelbaar.permissions import require


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# An id in the path is digits only (anything else is not found, rather than a failed query);
# said here so the schema calls it an integer rather than a string with a pattern.
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


# --- Organisations -----------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=_("List organisations")),
    retrieve=extend_schema(summary=_("Show an organisation"), parameters=[ID]),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Municipalities, joint arrangements, offices, suppliers and shared service centres.

    Anyone may read them; administrators and coordinators register them. Administrators, and
    the coordinators of a cooperative an organisation belongs to, correct it.
    """

    serializer_class = serializers.OrganisationSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = filters.OrganisationFilter
    ordering_fields = ["name", "inhabitants"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.organisations_list()

    def _show(self, organisation, status_code=status.HTTP_200_OK):
        organisation = selectors.organisations_list().get(pk=organisation.pk)
        return Response(self.get_serializer(organisation).data, status=status_code)

    @extend_schema(
        summary=_("Register an organisation"),
        request=serializers.OrganisationInputSerializer,
        responses={201: serializers.OrganisationSerializer},
    )
    def create(self, request):
        require(request.user, "cooperative.add_organisation")
        data = _valid(serializers.OrganisationInputSerializer, request)
        organisation = services.register_organisation(actor=request.user, **data)
        return self._show(organisation, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Correct an organisation"),
        parameters=[ID],
        request=serializers.OrganisationChangeSerializer,
        responses=serializers.OrganisationSerializer,
    )
    def update(self, request, pk=None, partial=False):
        organisation = self.get_object()
        require(request.user, "cooperative.change_organisation", organisation)
        data = _valid(
            serializers.OrganisationChangeSerializer,
            request,
            instance=organisation,
            partial=partial,
        )
        organisation = services.update_organisation(
            actor=request.user,
            organisation=organisation,
            name=data.get("name", organisation.name),
            cbs_code=data.get("cbs_code", organisation.cbs_code),
            inhabitants=data.get("inhabitants", organisation.inhabitants),
            represents=data.get("represents", list(organisation.represents.all())),
        )
        return self._show(organisation)

    @extend_schema(
        summary=_("Correct part of an organisation"),
        parameters=[ID],
        request=serializers.OrganisationChangeSerializer,
        responses=serializers.OrganisationSerializer,
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)


# --- Cooperatives ------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=_("List cooperatives")),
    retrieve=extend_schema(summary=_("Show a cooperative, with what joining would cost")),
)
class CooperativeViewSet(viewsets.ReadOnlyModelViewSet):
    """Cooperatives with their reach and joining contribution. Anyone may read them; their
    coordinators change the contribution policy."""

    serializer_class = serializers.CooperativeSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["name", "reach", "active_members"]
    # PUT would replace the whole cooperative, which no service does.
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.cooperatives_list().select_related("office")

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CooperativeSerializer
        return serializers.CooperativeDetailSerializer

    def _show(self, cooperative):
        """One cooperative, with what joining would cost each organisation of the person
        asking: computed here, for one cooperative, so the list keeps a constant number of
        queries."""
        cooperative.joining_cost = [
            {
                "organisation": organisation,
                "amount": services.contribution_quote(cooperative, organisation),
            }
            for organisation in selectors.organisations_of(self.request.user)
            .filter(kind__in=services.MEMBER_KINDS)
            .prefetch_related("represents")
        ]
        return Response(serializers.CooperativeDetailSerializer(cooperative).data)

    def retrieve(self, request, slug=None):
        return self._show(self.get_object())

    @extend_schema(
        summary=_("Change the joining contribution"),
        request=serializers.ContributionPolicySerializer,
        responses=serializers.CooperativeDetailSerializer,
    )
    def partial_update(self, request, slug=None):
        cooperative = self.get_object()
        require(request.user, "cooperative.change_cooperative", cooperative)
        data = _valid(serializers.ContributionPolicySerializer, request, partial=True)
        cooperative = services.change_contribution_policy(
            actor=request.user,
            cooperative=cooperative,
            contribution_kind=data.get("contribution_kind", cooperative.contribution_kind),
            contribution_amount=data.get("contribution_amount", cooperative.contribution_amount),
            contribution_minimum=data.get("contribution_minimum", cooperative.contribution_minimum),
            contribution_maximum=data.get("contribution_maximum", cooperative.contribution_maximum),
            reason=data.get("reason", ""),
        )
        # Read again for the reach and member count the selector annotates.
        return self._show(self.get_queryset().get(pk=cooperative.pk))


# --- Memberships -------------------------------------------------------------------------------
COOPERATIVE_SLUG = OpenApiParameter(
    "cooperative_slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=_("The cooperative's slug."),
)


@extend_schema(parameters=[COOPERATIVE_SLUG])
@extend_schema_view(
    list=extend_schema(summary=_("List a cooperative's memberships you may see")),
    retrieve=extend_schema(summary=_("Show a membership"), parameters=[ID]),
    create=extend_schema(
        summary=_("Apply for membership on behalf of your organisation"),
        request=serializers.ApplicationSerializer,
        responses={201: serializers.MembershipSerializer},
    ),
    approve=extend_schema(
        summary=_("Approve an application; the contribution due is computed"),
        request=None,
        parameters=[ID],
    ),
    reject=extend_schema(
        summary=_("Reject an application, with the reason"),
        request=serializers.RejectionSerializer,
        parameters=[ID],
    ),
    record_payment=extend_schema(
        summary=_("Record the payment of the contribution; this activates the membership"),
        request=serializers.PaymentSerializer,
        parameters=[ID],
    ),
    leave=extend_schema(
        summary=_("End an active membership"),
        request=serializers.LeavingSerializer,
        parameters=[ID],
    ),
)
class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """The memberships of one cooperative and their life cycle.

    Coordinators see every membership; others see the active ones and their own
    organisations'. A membership you may not see answers 404; one you may see but not act
    on, 403; an action the membership's state does not allow, 409.
    """

    serializer_class = serializers.MembershipSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = filters.MembershipFilter
    ordering_fields = ["applied_at", "state", "role"]
    lookup_value_regex = "[0-9]+"
    queryset = Membership.objects.none()  # for the schema; the real one depends on the person

    @property
    def cooperative(self) -> Cooperative:
        if not hasattr(self, "_cooperative"):
            self._cooperative = get_object_or_404(Cooperative, slug=self.kwargs["cooperative_slug"])
        return self._cooperative

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        # The selector decides visibility (the rule cooperative.view_membership as a query),
        # so an invisible membership is simply not found.
        return selectors.memberships_of(self.cooperative, visible_to=self.request.user)

    def _show(self, membership, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(membership).data, status=status_code)

    @answers(409)  # an open membership already
    def create(self, request, cooperative_slug=None):
        cooperative = self.cooperative
        data = _valid(serializers.ApplicationSerializer, request)
        membership = services.apply_for_membership(
            actor=request.user, cooperative=cooperative, **data
        )
        return self._show(membership, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request, cooperative_slug=None, pk=None):
        membership = self.get_object()
        require(request.user, "cooperative.decide_membership", membership)
        return self._show(services.approve_membership(actor=request.user, membership=membership))

    @action(detail=True, methods=["post"])
    def reject(self, request, cooperative_slug=None, pk=None):
        membership = self.get_object()
        require(request.user, "cooperative.decide_membership", membership)
        data = _valid(serializers.RejectionSerializer, request)
        return self._show(
            services.reject_membership(actor=request.user, membership=membership, **data)
        )

    @action(detail=True, methods=["post"], url_path="record-payment")
    def record_payment(self, request, cooperative_slug=None, pk=None):
        membership = self.get_object()
        require(request.user, "cooperative.decide_membership", membership)
        data = _valid(serializers.PaymentSerializer, request)
        return self._show(
            services.record_payment(actor=request.user, membership=membership, **data)
        )

    @action(detail=True, methods=["post"])
    def leave(self, request, cooperative_slug=None, pk=None):
        membership = self.get_object()
        require(request.user, "cooperative.leave_membership", membership)
        data = _valid(serializers.LeavingSerializer, request)
        return self._show(
            services.leave_cooperative(actor=request.user, membership=membership, **data)
        )


# --- Audit trail -------------------------------------------------------------------------------
class ReadsAuditTrail(BasePermission):
    """Administrators, and coordinators (who read their own cooperatives' records)."""

    message = _("Only coordinators and administrators can read the audit trail.")

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and (user.is_superuser or selectors.coordinated_cooperatives(user).exists())
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("Read the audit trail"),
        parameters=[
            # The filter's own rule, so the schema refuses what the server refuses.
            OpenApiParameter(
                "object_type",
                OpenApiTypes.STR,
                pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$",
                description=_("The kind of object, as app_label.model (cooperative.membership)."),
            )
        ],
    ),
    retrieve=extend_schema(summary=_("Show one audit record"), parameters=[ID]),
    export=extend_schema(
        operation_id="audit_export",
        # The list's filters apply here as well (the schema lists them only for lists).
        filters=True,
        parameters=[
            OpenApiParameter(
                "object_type",
                OpenApiTypes.STR,
                pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$",
                description=_("The kind of object, as app_label.model (cooperative.membership)."),
            )
        ],
        summary=_("Download the audit trail as CSV"),
        description=_(
            "The records the list would show (same filters, no pages), newest first: each as a "
            "sentence in the reader's language, followed by the raw fields."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    ),
)
class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Who changed what, when and why. Append-only: there is no way to change a record."""

    serializer_class = serializers.AuditRecordSerializer
    permission_classes = [IsAuthenticated, ReadsAuditTrail]
    filterset_class = filters.AuditRecordFilter
    ordering_fields = ["at", "action"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditRecord.objects.none()
        return selectors.audit_visible_to(self.request.user)

    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        renderer_classes=[JSONRenderer, trail_csv.CSVRenderer],
        pagination_class=None,
    )
    def export(self, request):
        records = self.filter_queryset(self.get_queryset())
        response = HttpResponse(
            trail_csv.rows_as_csv(records, request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
