"""The adoption, review and reuse API: thin views reading through solutions.selectors.reuse
and changing through solutions.services.adoption.

Adoptions, reviews and reuse figures are public: anyone may read them. Changing them needs a
login, and the services check that the person acts for their own organisation, under an
active membership of the solution's cooperative; a refusal answers 403 with the reason.
"""

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperative.models import Cooperative
from deelbaar.api.openapi import answers
from solutions.api.serializers import adoption as serializers
from solutions.models import Adoption, AdoptionState, Review, Solution
from solutions.selectors import reuse
from solutions.services import adoption as services

SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description=gettext_lazy("The slug.")
)
STATE = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=AdoptionState.values,
    description=gettext_lazy("Only adoptions in this state."),
)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _solution(slug) -> Solution:
    solution = Solution.objects.select_related("cooperative").filter(slug=slug).first()
    if solution is None:
        raise Http404
    return solution


@extend_schema(parameters=[SLUG])
@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Who adopted the solution: current adoptions first, then history"),
        parameters=[STATE],
    ),
    create=extend_schema(
        summary=gettext_lazy("Adopt the solution for your organisation"),
        request=serializers.AdoptionInputSerializer,
        responses={201: serializers.AdoptionSerializer},
    ),
)
class SolutionAdoptionViewSet(viewsets.GenericViewSet):
    """Adoptions of one solution. Only a person of an organisation with an active membership
    of the solution's cooperative may adopt it, for that organisation only."""

    serializer_class = serializers.AdoptionSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    queryset = Adoption.objects.none()
    filter_backends = []

    def list(self, request, slug=None):
        solution = _solution(slug)
        state = request.query_params.get("state") or None
        if state is not None and state not in AdoptionState.values:
            raise drf_serializers.ValidationError(
                {"state": _("A state is one of %(states)s.") % {"states": ", ".join(AdoptionState)}}
            )
        page = self.paginate_queryset(reuse.adoptions_of(solution, state=state))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @answers(409)  # already adopted or requested
    def create(self, request, slug=None):
        solution = _solution(slug)
        data = _valid(serializers.AdoptionInputSerializer, request)
        adoption = services.request_adoption(actor=request.user, solution=solution, **data)
        adoption = reuse.adoption_detail(adoption.pk)
        return Response(self.get_serializer(adoption).data, status=status.HTTP_201_CREATED)


TRANSITION: dict[str, Any] = {"responses": serializers.AdoptionSerializer}


@extend_schema_view(
    retrieve=extend_schema(summary=gettext_lazy("Show an adoption")),
    take_into_use=extend_schema(
        summary=gettext_lazy("Take a requested adoption into use, on a release"),
        request=serializers.TakeIntoUseSerializer,
        **TRANSITION,
    ),
    upgrade=extend_schema(
        summary=gettext_lazy("Move an adoption in use to a newer release"),
        request=serializers.UpgradeSerializer,
        **TRANSITION,
    ),
    stop=extend_schema(
        summary=gettext_lazy("Stop using the solution, or withdraw the request"),
        request=serializers.StopSerializer,
        **TRANSITION,
    ),
)
class AdoptionViewSet(viewsets.GenericViewSet):
    """One adoption: requested → in use → stopped. Changed by the adopting organisation's
    people only."""

    serializer_class = serializers.AdoptionSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    queryset = Adoption.objects.none()
    lookup_value_converter = "int"
    filter_backends = []

    def _adoption(self, pk) -> Adoption:
        try:
            return reuse.adoption_detail(pk)
        except Adoption.DoesNotExist:
            raise Http404 from None

    def _show(self, adoption):
        return Response(self.get_serializer(reuse.adoption_detail(adoption.pk)).data)

    def retrieve(self, request, pk=None):
        return self._show(self._adoption(pk))

    @action(detail=True, methods=["post"], url_path="take-into-use", url_name="take-into-use")
    def take_into_use(self, request, pk=None):
        adoption = self._adoption(pk)
        data = _valid(
            serializers.TakeIntoUseSerializer, request, context={"solution": adoption.solution}
        )
        return self._show(
            services.take_into_use(actor=request.user, adoption=adoption, release=data["release"])
        )

    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        adoption = self._adoption(pk)
        data = _valid(
            serializers.UpgradeSerializer, request, context={"solution": adoption.solution}
        )
        return self._show(
            services.upgrade(actor=request.user, adoption=adoption, release=data["release"])
        )

    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        adoption = self._adoption(pk)
        data = _valid(serializers.StopSerializer, request)
        return self._show(
            services.stop_adoption(actor=request.user, adoption=adoption, reason=data["reason"])
        )


@extend_schema(parameters=[SLUG])
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Reviews of the solution, newest first")),
    create=extend_schema(
        summary=gettext_lazy("Review the solution for your organisation, or revise the review"),
        request=serializers.ReviewInputSerializer,
        responses={200: serializers.ReviewSerializer, 201: serializers.ReviewSerializer},
    ),
)
class SolutionReviewViewSet(viewsets.GenericViewSet):
    """Reviews by organisations with the solution in use: one per organisation."""

    serializer_class = serializers.ReviewSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    queryset = Review.objects.none()
    filter_backends = []

    def list(self, request, slug=None):
        solution = _solution(slug)
        page = self.paginate_queryset(reuse.reviews_of(solution))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @answers(409)  # a review by the same organisation at the same moment
    def create(self, request, slug=None):
        solution = _solution(slug)
        data = _valid(serializers.ReviewInputSerializer, request)
        review = services.review_solution(actor=request.user, solution=solution, **data)
        code = status.HTTP_201_CREATED if review.was_created else status.HTTP_200_OK
        review = reuse.reviews_of(solution).get(pk=review.pk)
        return Response(self.get_serializer(review).data, status=code)


class CooperativeReuseView(APIView):
    """A cooperative's reuse figures: adoptions in use, inhabitants served and development cost
    avoided, per solution and in total."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Reuse figures of a cooperative"),
        parameters=[SLUG],
        responses=serializers.ReuseFiguresSerializer,
    )
    def get(self, request, slug):
        cooperative = Cooperative.objects.filter(slug=slug).first()
        if cooperative is None:
            raise Http404
        return Response(serializers.ReuseFiguresSerializer(reuse.reuse_figures(cooperative)).data)


solution_adoptions = SolutionAdoptionViewSet.as_view({"get": "list", "post": "create"})
adoption_detail = AdoptionViewSet.as_view({"get": "retrieve"})
solution_reviews = SolutionReviewViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path(
        "solutions/<slug:slug>/adoptions/",
        solution_adoptions,
        name="solution-adoption-list",
    ),
    path("adoptions/<int:pk>/", adoption_detail, name="adoption-detail"),
    path(
        "adoptions/<int:pk>/take-into-use/",
        AdoptionViewSet.as_view({"post": "take_into_use"}),
        name="adoption-take-into-use",
    ),
    path(
        "adoptions/<int:pk>/upgrade/",
        AdoptionViewSet.as_view({"post": "upgrade"}),
        name="adoption-upgrade",
    ),
    path(
        "adoptions/<int:pk>/stop/",
        AdoptionViewSet.as_view({"post": "stop"}),
        name="adoption-stop",
    ),
    path("solutions/<slug:slug>/reviews/", solution_reviews, name="solution-review-list"),
    path(
        "cooperatives/<slug:slug>/reuse/", CooperativeReuseView.as_view(), name="cooperative-reuse"
    ),
]
