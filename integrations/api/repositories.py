"""The repositories API: link, list, show, unlink and sync a product's git repositories, and
read their commits and an item's commits.

A repository of a product the person may not view (`sprints.view_product`) does not exist for
them (404); linking, syncing and unlinking need `integrations.manage_repository` (403).
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from deelbaar.api.openapi import answers
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed, require
from integrations.api.serializers import (
    AccessTokenSerializer,
    AppliedSolutionSerializer,
    ItemCommitListSerializer,
    LinkSerializer,
    ManagedRepositorySerializer,
    ReleaseTagSerializer,
    RepositoryCommitSerializer,
    RepositorySerializer,
)
from integrations.models import Commit, Repository
from integrations.selectors import repositories as selectors
from integrations.services import publiccode as publiccode_services
from integrations.services import repositories as services
from sprints.models import BacklogItem, Increment, Product


def _viewable(user, product) -> None:
    if not allowed(user, "sprints.view_product", product):
        raise Http404


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the repositories you may see")),
    retrieve=extend_schema(summary=gettext_lazy("Show a repository and its sync state")),
    destroy=extend_schema(summary=gettext_lazy("Unlink a repository from its product")),
)
class RepositoryViewSet(viewsets.GenericViewSet):
    """Git repositories linked to products, synced in the background."""

    lookup_value_converter = "int"
    filter_backends = []
    serializer_class = RepositorySerializer
    queryset = Repository.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Repository.objects.none()
        return selectors.repositories_visible_to(self.request.user).order_by("pk")

    def _repository(self, pk) -> Repository:
        repository = Repository.objects.select_related("product__cooperative").filter(pk=pk).first()
        if repository is None:
            raise Http404
        _viewable(self.request.user, repository.product)
        return repository

    def _out(self, repository):
        managed = allowed(self.request.user, "integrations.manage_repository", repository.product)
        serializer_class = ManagedRepositorySerializer if managed else RepositorySerializer
        return serializer_class(repository).data

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._out(self._repository(pk)))

    @extend_schema(
        summary=gettext_lazy("Link a git repository to a product; its first sync is queued"),
        request=LinkSerializer,
        responses={201: ManagedRepositorySerializer},
    )
    @answers(409)  # the repository is already linked
    def create(self, request):
        data = LinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product = (
            Product.objects.select_related("cooperative", "owner")
            .filter(pk=values["product"])
            .first()
        )
        if product is None or not allowed(request.user, "sprints.view_product", product):
            raise DomainError(_("There is no such product."), field="product", code="not_found")
        require(request.user, "integrations.manage_repository", product)
        repository = services.link_repository(
            actor=request.user,
            product=product,
            url=values["url"],
            default_branch=values["default_branch"],
            access_username=values["access_username"],
            access_token=values["access_token"],
        )
        return Response(self._out(repository), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Replace the repository's access token (blank: remove it)"),
        request=AccessTokenSerializer,
        responses={200: ManagedRepositorySerializer},
    )
    @action(detail=True, methods=["post"], url_path="access-token")
    def access_token(self, request, pk=None):
        repository = self._repository(pk)
        data = AccessTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repository = services.set_access_token(
            actor=request.user, repository=repository, **data.validated_data
        )
        return Response(self._out(repository))

    def destroy(self, request, pk=None):
        repository = self._repository(pk)
        services.unlink_repository(actor=request.user, repository=repository)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=gettext_lazy("Sync the repository now (in the background)"),
        description=gettext_lazy(
            "503 when the job queue cannot be reached: the repository is then marked failed, "
            "saying so."
        ),
        request=None,
        responses={202: RepositorySerializer},
    )
    @answers(503)  # the job queue cannot be reached
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        repository = self._repository(pk)
        repository = services.request_sync(actor=request.user, repository=repository)
        repository.refresh_from_db()
        return Response(RepositorySerializer(repository).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary=gettext_lazy("Use the repository's publiccode.yml for its product's solution"),
        description=gettext_lazy(
            "Applies the publiccode.yml the last sync read to the solution published from the "
            "product. 400 lists every problem of the file with its key path; 403 without the "
            "right to edit the solution."
        ),
        request=None,
        responses={200: AppliedSolutionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="apply-publiccode")
    def apply_publiccode(self, request, pk=None):
        repository = self._repository(pk)
        solution = publiccode_services.apply_publiccode(actor=request.user, repository=repository)
        return Response(AppliedSolutionSerializer(solution).data)

    @extend_schema(
        summary=gettext_lazy("The repository's commits, newest first"),
        responses=RepositoryCommitSerializer(many=True),
    )
    @action(detail=True, methods=["get"], serializer_class=RepositoryCommitSerializer)
    def commits(self, request, pk=None):
        repository = self._repository(pk)
        page = self.paginate_queryset(selectors.commits_of(repository))
        return self.get_paginated_response(RepositoryCommitSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("The repository's release tags and their changelogs, newest first"),
        responses=ReleaseTagSerializer(many=True),
    )
    @action(detail=True, methods=["get"], serializer_class=ReleaseTagSerializer)
    def tags(self, request, pk=None):
        repository = self._repository(pk)
        page = self.paginate_queryset(selectors.tags_of(repository))
        return self.get_paginated_response(ReleaseTagSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The commits that mention a backlog item")),
)
class ItemCommitViewSet(viewsets.GenericViewSet):
    filter_backends = []
    serializer_class = ItemCommitListSerializer
    queryset = Commit.objects.none()

    def list(self, request, item_pk=None):
        item = BacklogItem.objects.select_related("product__cooperative").filter(pk=item_pk).first()
        if item is None:
            raise Http404
        _viewable(request.user, item.product)
        page = self.paginate_queryset(selectors.commits_for_item(item))
        return self.get_paginated_response(ItemCommitListSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy(
            "The commits since the previous increment: reachable from the increment's git "
            "reference and not from the previous increment's, newest first"
        )
    ),
)
class IncrementCommitViewSet(viewsets.GenericViewSet):
    """Empty where the increment names no reference or it is not found in the mirrors."""

    filter_backends = []
    serializer_class = RepositoryCommitSerializer
    queryset = Commit.objects.none()

    def list(self, request, increment_pk=None):
        increment = (
            Increment.objects.select_related("product__cooperative").filter(pk=increment_pk).first()
        )
        if increment is None:
            raise Http404
        _viewable(request.user, increment.product)
        # Not a queryset but a CommitRange: git counts the commits and gives only the page's
        # SHAs, which the paginator slices like a queryset (same count/next/previous/results).
        page = self.paginate_queryset(selectors.commits_since_previous_increment(increment))
        return self.get_paginated_response(RepositoryCommitSerializer(page, many=True).data)


router = SimpleRouter(use_regex_path=False)
router.register("repositories", RepositoryViewSet, basename="repository")

urlpatterns = [
    *router.urls,
    path(
        "items/<int:item_pk>/commits/",
        ItemCommitViewSet.as_view({"get": "list"}),
        name="item-commits",
    ),
    path(
        "increments/<int:increment_pk>/commits/",
        IncrementCommitViewSet.as_view({"get": "list"}),
        name="increment-commits",
    ),
]
