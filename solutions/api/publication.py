"""The publication API: `publication-requests` (private) and `releases` (public).

A publication request someone may not view (`solutions.view_publication_request`: the
coordinators of the product's cooperative and the requester) does not exist for them: 404. One
they may view but not act on answers 403. Each action checks its permission before it reads the
body; the service checks again as it writes.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from deelbaar.api.filters import FilterBackend
from deelbaar.api.openapi import answers
from deelbaar.permissions import allowed, require
from solutions.api.serializers import publication as serializers
from solutions.models import PublicationRequest, PublicationState, Release, Solution
from solutions.selectors import publication as selectors
from solutions.services import publication as services
from sprints.models import Increment
from sprints.selectors import products_visible_to


class PublicationRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PublicationState.choices)

    class Meta:
        model = PublicationRequest
        fields = ["state"]


class ReleaseFilter(django_filters.FilterSet):
    solution = django_filters.ModelChoiceFilter(
        queryset=Solution.objects.all(),
        to_field_name="slug",
        label=gettext_lazy("The solution's slug."),
    )

    class Meta:
        model = Release
        fields = ["solution"]


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise drf_serializers.ValidationError(filterset.errors)
    return filterset


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Publication requests you may see, newest first"),
    ),
    retrieve=extend_schema(summary=gettext_lazy("Show a publication request")),
    create=extend_schema(
        summary=gettext_lazy("Request publication of an accepted increment"),
        request=serializers.PublicationRequestInputSerializer,
        responses={201: serializers.PublicationRequestSerializer},
    ),
    approve=extend_schema(
        summary=gettext_lazy("Approve: the release (and the first time the solution) is made"),
        request=None,
        responses=serializers.PublicationRequestSerializer,
    ),
    reject=extend_schema(
        summary=gettext_lazy("Reject, with the reason"),
        request=serializers.RejectSerializer,
        responses=serializers.PublicationRequestSerializer,
    ),
    withdraw=extend_schema(
        summary=gettext_lazy("Withdraw your own open request"),
        request=None,
        responses=serializers.PublicationRequestSerializer,
    ),
)
class PublicationRequestViewSet(viewsets.GenericViewSet):
    """A product owner asks to publish an accepted increment; a coordinator of the product's
    cooperative approves or rejects it. Coordinators see their cooperatives' requests,
    requesters their own."""

    serializer_class = serializers.PublicationRequestSerializer
    queryset = PublicationRequest.objects.none()
    lookup_value_converter = "int"
    filter_backends = [FilterBackend]
    filterset_class = PublicationRequestFilter

    def _request(self, pk) -> PublicationRequest:
        publication = selectors.publication_request(pk)
        if publication is None or not allowed(
            self.request.user, "solutions.view_publication_request", publication
        ):
            raise Http404
        return publication

    def _show(self, publication, status_code=status.HTTP_200_OK):
        publication = selectors.publication_request(publication.pk)
        return Response(self.get_serializer(publication).data, status=status_code)

    def list(self, request):
        requests = selectors.publication_requests_for(request.user)
        requests = _filtered(PublicationRequestFilter, request, requests).qs
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self._request(pk)).data)

    @answers(409)  # an open request, a newer increment or release
    def create(self, request):
        visible = Increment.objects.filter(
            product__in=products_visible_to(request.user).values("pk")
        ).select_related("product__cooperative")
        serializer = serializers.PublicationRequestInputSerializer(
            data=request.data, increments=visible
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        require(
            request.user,
            "solutions.request_publication",
            data["increment"],
            services.REQUEST_REFUSED,
        )
        publication = services.request_publication(actor=request.user, **data)
        return self._show(publication, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        publication = self._request(pk)
        require(
            request.user,
            "solutions.decide_publication",
            publication,
            services.decide_refusal(request.user, publication),
        )
        services.approve_publication(actor=request.user, publication_request=publication)
        return self._show(publication)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        publication = self._request(pk)
        require(
            request.user,
            "solutions.decide_publication",
            publication,
            services.decide_refusal(request.user, publication),
        )
        data = serializers.RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reject_publication(
            actor=request.user,
            publication_request=publication,
            reason=data.validated_data["reason"],
        )
        return self._show(publication)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        publication = self._request(pk)
        require(
            request.user, "solutions.withdraw_publication", publication, services.WITHDRAW_REFUSED
        )
        services.withdraw_publication(actor=request.user, publication_request=publication)
        return self._show(publication)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Published releases, most recent first")),
    retrieve=extend_schema(summary=gettext_lazy("Show a release")),
)
class ReleaseViewSet(viewsets.GenericViewSet):
    """Released versions of the library's solutions, with their notes and source increment.
    Public, like the catalogue. With `?solution=<slug>`: that solution's releases, newest
    version first."""

    serializer_class = serializers.ReleaseSerializer
    queryset = Release.objects.none()
    permission_classes = [AllowAny]
    lookup_value_converter = "int"
    filter_backends = [FilterBackend]
    filterset_class = ReleaseFilter

    def list(self, request):
        filterset = _filtered(ReleaseFilter, request, Release.objects.all())
        solution = filterset.form.cleaned_data.get("solution")
        releases = selectors.releases_of(solution) if solution else selectors.releases()
        page = self.paginate_queryset(releases)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        release = selectors.releases().filter(pk=pk).first()
        if release is None:
            raise Http404
        return Response(self.get_serializer(release).data)


router = SimpleRouter(use_regex_path=False)
router.register("publication-requests", PublicationRequestViewSet, basename="publication-request")
router.register("releases", ReleaseViewSet, basename="release")

urlpatterns = router.urls
