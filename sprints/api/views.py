"""The sprints API: thin viewsets that read through selectors and change through services.

Permissions are the rules of `sprints/rules.py`, checked with `deelbaar.permissions`. A product
a person may not view (`sprints.view_product`) does not exist for them: it and everything in it
answer 404. A product they may view but not act on answers 403. Each write checks its
permission before it reads the body, so a person who may not act learns nothing from
validation errors; the service checks again as it writes.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from deelbaar.api.exceptions import error_body
from deelbaar.api.filters import FilterBackend
from deelbaar.api.negotiation import FirstRendererNegotiation
from deelbaar.api.openapi import answers
from deelbaar.api.parsers import JSONParser
from deelbaar.errors import StaleObject
from deelbaar.files import upload_response
from deelbaar.permissions import allowed, require
from sprints import selectors, services
from sprints.api import filters, label_serializers, serializers
from sprints.api.validators import parse_etag
from sprints.models import (
    BacklogItem,
    Increment,
    IncrementItem,
    ItemStatus,
    Product,
    Sprint,
    TeamMember,
    Verdict,
)
from sprints.rules import remember_team_roles
from sprints.selectors import backlog_rows

PRODUCT_ID = OpenApiParameter(
    "product_pk",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The product's id."),
)
VERDICT_ID = OpenApiParameter(
    "verdict_pk",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The verdict's id."),
)


def _version_headers(if_match: str, etag: str) -> tuple[OpenApiParameter, OpenApiParameter]:
    """The If-Match request header and ETag response header of an object with a version."""
    return (
        OpenApiParameter(
            "If-Match",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=True,
            pattern=r'^\s*(W/)?"?[0-9]+"?\s*$',
            description=if_match,
        ),
        OpenApiParameter(
            "ETag",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=True,
            description=etag,
        ),
    )


IF_MATCH, ETAG = _version_headers(
    gettext_lazy('The item\'s ETag as read, such as "3".'),
    gettext_lazy("The item's version, to send back as If-Match."),
)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _viewable(user, product) -> None:
    """A product the person may not view is not there for them.

    The product was read for this request, so its checks (here, the action's and the
    service's) ask for the person's team roles only once.
    """
    remember_team_roles(product, user)
    if not allowed(user, "sprints.view_product", product):
        raise Http404


def _product(request, pk) -> Product:
    # The person's team roles come in the same statement: every check of this request
    # (view, the action's, the service's) reads them from the product.
    product = selectors.product_for_request(pk, request.user)
    if product is None:
        raise Http404
    _viewable(request.user, product)
    return product


def _with_etag(response, item):
    response["ETag"] = f'"{item.version}"'
    return response


PRODUCT_IF_MATCH, PRODUCT_ETAG = _version_headers(
    gettext_lazy('The product\'s ETag as read, such as "3".'),
    gettext_lazy("The product's version, to send back as If-Match."),
)


def _version_read(request, what):
    """The version in the If-Match header; a missing or malformed one is a 400 naming it."""
    header = request.headers.get("If-Match")
    if header is None:
        raise drf_serializers.ValidationError(
            {
                "If-Match": drf_serializers.ErrorDetail(
                    _("Send the version you read as the If-Match header (%(what)s).")
                    % {"what": what},
                    code="required",
                )
            }
        )
    return parse_etag(header)


class SprintsViewSet(viewsets.GenericViewSet):
    """The defaults of every sprints viewset: numeric ids, no generic filtering or ordering."""

    lookup_value_converter = "int"
    filter_backends = []


# --- Products ----------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the products you may see")),
    retrieve=extend_schema(summary=gettext_lazy("Show a product with its team")),
)
class ProductViewSet(SprintsViewSet):
    """Apps under development by a pilot organisation, with their team.

    You see the products of your team, of your organisations and of the cooperatives you
    coordinate.
    """

    serializer_class = serializers.ProductSerializer
    queryset = Product.objects.none()  # for the schema; the real one depends on the person

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        return selectors.products_visible_to(self.request.user).prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.select_related("user").order_by(
                    "role", "user__username"
                ),
            ),
            "participants",
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[PRODUCT_ETAG])
    def retrieve(self, request, pk=None):
        product = self.get_object()
        return _with_etag(Response(self.get_serializer(product).data), product)

    @extend_schema(
        summary=gettext_lazy("Start a product; you become its product owner"),
        request=serializers.ProductInputSerializer,
        responses={201: serializers.ProductSerializer},
    )
    @answers(409)  # a product key already in use
    def create(self, request):
        data = _valid(serializers.ProductInputSerializer, request)
        product = services.create_product(actor=request.user, **data)
        product = self.get_queryset().get(pk=product.pk)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Edit a product, if nobody changed it since you read it"),
        description=gettext_lazy(
            "Name, vision, sprint length and participating organisations; only the product "
            "owner and the cooperative's coordinators. Send the ETag you read as If-Match."
        ),
        parameters=[PRODUCT_IF_MATCH, PRODUCT_ETAG],
        request=serializers.ProductChangeSerializer,
        responses={
            200: serializers.ProductSerializer,
            412: OpenApiResponse(
                serializers.ProductStaleSerializer,
                description=gettext_lazy(
                    "Someone else changed the product since the version you sent; `current` "
                    "holds the product as it is now."
                ),
            ),
        },
    )
    def partial_update(self, request, pk=None):
        product = self._one(pk)
        require(request.user, "sprints.change_product", product)
        changes = dict(_valid(serializers.ProductChangeSerializer, request))
        version = _version_read(request, _("the product's ETag"))
        try:
            services.update_product(actor=request.user, product=product, version=version, **changes)
        except StaleObject as stale:
            current = self._one(pk)
            body = error_body(
                stale.status_code,
                stale.code,
                str(stale.message),
                [(stale.field, stale.code, str(stale.message))],
            )
            body["current"] = self.get_serializer(current).data
            return _with_etag(Response(body, status=stale.status_code), current)
        product = self._one(pk)
        return _with_etag(Response(self.get_serializer(product).data), product)

    def _one(self, pk) -> Product:
        product = self.get_queryset().filter(pk=pk).first()
        if product is None:
            raise Http404
        remember_team_roles(product)
        return product

    @extend_schema(
        summary=gettext_lazy("Accepted points of the last six closed sprints"),
        responses=serializers.VelocitySerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def velocity(self, request, pk=None):
        product = _product(request, pk)
        data = {
            "product": product.pk,
            "average_velocity": services.average_velocity(product),
            "sprints": selectors.velocity(product, last=6),
        }
        return Response(serializers.VelocitySerializer(data).data)


# --- Team --------------------------------------------------------------------------------------
MEMBERSHIP_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The id of the person's role on the team (a team row's `id`)."),
)


@extend_schema(parameters=[PRODUCT_ID])
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The product's team: one row per role a person holds")),
    create=extend_schema(
        summary=gettext_lazy("Put a person on the team as developer or tester"),
        request=serializers.TeamMemberInputSerializer,
        responses={201: serializers.TeamMembershipSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Make a developer a tester, or a tester a developer"),
        parameters=[MEMBERSHIP_ID],
        request=serializers.TeamRoleInputSerializer,
        responses=serializers.TeamMembershipSerializer,
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Take the role off the person; their verdicts and history stay"),
        parameters=[MEMBERSHIP_ID],
        responses={204: None},
    ),
    hand_over=extend_schema(
        summary=gettext_lazy("Hand the product owner role over to another person"),
        request=serializers.HandOverSerializer,
        responses=serializers.TeamMembershipSerializer,
    ),
)
class TeamViewSet(SprintsViewSet):
    """Who works on the product in which role. Everyone who sees the product sees its team;
    its product owner and the cooperative's coordinators change it."""

    serializer_class = serializers.TeamMembershipSerializer
    queryset = TeamMember.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None

    def list(self, request, product_pk=None):
        product = _product(request, product_pk)
        return Response(self.get_serializer(selectors.team_of(product), many=True).data)

    def _member(self, product, pk) -> TeamMember:
        member = selectors.team_of(product).filter(pk=pk).first()
        if member is None:
            raise Http404
        member.product = product
        return member

    @answers(409)
    def create(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_team", product)
        data = _valid(serializers.TeamMemberInputSerializer, request, context={"product": product})
        member = services.add_team_member(actor=request.user, product=product, **data)
        member = self._member(product, member.pk)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    @answers(409)
    def partial_update(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_team", product)
        member = self._member(product, pk)
        data = _valid(serializers.TeamRoleInputSerializer, request)
        services.change_team_role(actor=request.user, member=member, role=data["role"])
        return Response(self.get_serializer(self._member(product, pk)).data)

    @answers(409)
    def destroy(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_team", product)
        member = self._member(product, pk)
        services.remove_team_member(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @answers(409)
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_team", product)
        data = _valid(serializers.HandOverSerializer, request, context={"product": product})
        member = services.hand_over_product(actor=request.user, product=product, user=data["user"])
        return Response(self.get_serializer(self._member(product, member.pk)).data)


# --- People --------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Look people up by name"),
        parameters=[serializers.PeopleQuerySerializer],
    )
)
class PeopleViewSet(SprintsViewSet):
    """People of the cooperatives you take part in or coordinate, with their organisations.
    Never anyone's e-mail address."""

    serializer_class = serializers.PersonLookupSerializer
    queryset = TeamMember.objects.none()

    def list(self, request):
        query = serializers.PeopleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product_id = query.validated_data.get("product")
        if product_id is not None:
            product = _product(request, product_id)
            require(request.user, "sprints.manage_team", product)
            people = selectors.team_candidates(product)
        else:
            people = selectors.people_visible_to(request.user)
        people = selectors.search_people(people, query.validated_data.get("q", ""))
        page = self.paginate_queryset(people)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- Backlog -----------------------------------------------------------------------------------
@extend_schema(parameters=[PRODUCT_ID])
@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The product backlog, in order"),
        responses=label_serializers.BacklogItemSerializer,
    ),
    create=extend_schema(
        summary=gettext_lazy("Add an item to the bottom (or top) of the backlog"),
        request=serializers.ItemInputSerializer,
        parameters=[ETAG],
        responses={201: serializers.ItemSerializer},
    ),
    move=extend_schema(
        summary=gettext_lazy("Move an item before or after another, or to the top or bottom"),
        request=serializers.MoveSerializer,
        responses=serializers.ItemSerializer,
    ),
)
class BacklogViewSet(SprintsViewSet):
    """The product's one ordered list of items not committed to a sprint nor accepted."""

    serializer_class = serializers.ItemSerializer
    queryset = BacklogItem.objects.none()

    @extend_schema(parameters=label_serializers.BACKLOG_FILTERS)
    def list(self, request, product_pk=None):
        product = _product(request, product_pk)
        filters = label_serializers.backlog_filters(request)
        # Values, not objects: the page's items, then their criteria and labels (a statement
        # each, whatever the size); BacklogItemSerializer describes the same answer. The
        # backlog's length as stored on the product just read: no second look at it.
        if filters:
            backlog = selectors.backlog_for(product, size=product.backlog_size)
            items = backlog_rows.as_rows(selectors.filter_items(backlog, **filters))
        else:
            items = backlog_rows.WholeBacklog(product)
        page = self.paginate_queryset(items)
        data = label_serializers.backlog_page(backlog_rows.backlog_rows(page))
        return self.get_paginated_response(data)

    def create(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.edit_backlog", product)
        data = _valid(serializers.ItemInputSerializer, request)
        item = services.create_item(actor=request.user, product=product, **data)
        response = Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)
        return _with_etag(response, item)

    @action(detail=False, methods=["post"])
    def move(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.order_backlog", product)
        data = _valid(serializers.MoveSerializer, request, context={"product": product})
        # By id: the service reads the item and its target once, under the product's lock.
        item = services.move_item_by_id(
            actor=request.user,
            product=product,
            item=data["item"],
            before=data.get("before"),
            after=data.get("after"),
            to=data.get("to"),
        )
        return _with_etag(Response(self.get_serializer(item).data), item)


# --- Items -------------------------------------------------------------------------------------
@extend_schema_view(
    retrieve=extend_schema(
        summary=gettext_lazy("Show an item with its verdict history"),
        parameters=[ETAG],
        responses=serializers.ItemDetailSerializer,
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Edit an item, if nobody changed it since you read it"),
        parameters=[IF_MATCH, ETAG],
        request=serializers.ItemChangeSerializer,
        responses={
            200: serializers.ItemDetailSerializer,
            412: OpenApiResponse(
                serializers.ItemStaleSerializer,
                description=gettext_lazy(
                    "Someone else changed the item since the version you sent; `current` "
                    "holds the item as it is now."
                ),
            ),
        },
    ),
    status=extend_schema(
        summary=gettext_lazy("Move an item across the sprint board"),
        request=serializers.ItemStatusSerializer,
        responses=serializers.ItemSerializer,
    ),
    assign=extend_schema(
        summary=gettext_lazy("Give an item to a developer or product owner, or to nobody"),
        description=gettext_lazy(
            "Whoever may edit the backlog (the product owner, a developer) may give an item "
            "to themself or to another developer or product owner of the product; a tester "
            "or coordinator gets 403. Send the ETag you read as If-Match."
        ),
        parameters=[IF_MATCH, ETAG],
        request=serializers.AssignSerializer,
        responses={
            200: serializers.ItemSerializer,
            412: OpenApiResponse(
                serializers.ItemStaleSerializer,
                description=gettext_lazy(
                    "Someone else changed the item since the version you sent; `current` "
                    "holds the item as it is now."
                ),
            ),
        },
    ),
)
class ItemViewSet(SprintsViewSet):
    """Backlog items. Every answer carries the item's version as its `ETag`."""

    serializer_class = serializers.ItemDetailSerializer
    queryset = BacklogItem.objects.none()
    http_method_names = ["get", "patch", "post", "head", "options"]

    def _item(self, pk) -> BacklogItem:
        item = (
            BacklogItem.objects.select_related(
                "product__cooperative",
                "follow_up_of__increment_item__item__product",
                "assignee",
            )
            .prefetch_related(selectors.CRITERIA)
            .filter(pk=pk)
            .first()
        )
        if item is None:
            raise Http404
        _viewable(self.request.user, item.product)
        return item

    def _show(self, item):
        item = self._item(item.pk)
        verdicts = list(selectors.verdict_history(item).prefetch_related("follow_ups", "criteria"))
        # A re-test in a later increment supersedes the verdicts of the earlier ones.
        latest = max((v.increment_item.increment_id for v in verdicts), default=None)
        for verdict in verdicts:
            verdict.superseded = verdict.increment_item.increment_id != latest
        item.verdicts = verdicts
        return _with_etag(Response(self.get_serializer(item).data), item)

    def retrieve(self, request, pk=None):
        return self._show(self._item(pk))

    def partial_update(self, request, pk=None):
        item = self._item(pk)
        require(request.user, "sprints.edit_backlog", item.product)
        changes = dict(_valid(serializers.ItemChangeSerializer, request))
        version = self._version_read(request)
        try:
            item = services.update_item(actor=request.user, item=item, version=version, **changes)
        except StaleObject as stale:
            return self._stale(stale, item)
        return self._show(item)

    @staticmethod
    def _version_read(request):
        header = request.headers.get("If-Match")
        if header is None:
            raise drf_serializers.ValidationError(
                {
                    "If-Match": drf_serializers.ErrorDetail(
                        _("Send the version you read as the If-Match header (the item's ETag)."),
                        code="required",
                    )
                }
            )
        return parse_etag(header)

    def _stale(self, stale, item):
        # The error, plus the item as it is now, so the client can show what changed.
        current = self._item(item.pk)
        body = error_body(
            stale.status_code,
            stale.code,
            str(stale.message),
            [(stale.field, stale.code, str(stale.message))],
        )
        body["current"] = serializers.ItemSerializer(current).data
        return _with_etag(Response(body, status=stale.status_code), current)

    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        item = self._item(pk)
        require(request.user, "sprints.work_on_items", item.product)
        data = _valid(serializers.ItemStatusSerializer, request)
        item = services.set_item_status(actor=request.user, item=item, status=data["status"])
        return _with_etag(Response(serializers.ItemSerializer(item).data), item)

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        item = self._item(pk)
        require(request.user, "sprints.assign_item", item.product)
        data = _valid(serializers.AssignSerializer, request)
        version = self._version_read(request)
        person = None
        if data["assignee"] is not None:
            # An unknown id is the same answer as someone off the team: not one to assign.
            person = get_user_model().objects.filter(pk=data["assignee"]).first()
            if person is None:
                raise drf_serializers.ValidationError(
                    {"assignee": [_("This person is not a developer or product owner here.")]}
                )
        try:
            item = services.assign_item(
                actor=request.user, item=item, assignee=person, version=version
            )
        except StaleObject as stale:
            return self._stale(stale, item)
        item = self._item(item.pk)
        return _with_etag(Response(serializers.ItemSerializer(item).data), item)


# --- Sprints -----------------------------------------------------------------------------------
@extend_schema(parameters=[PRODUCT_ID])
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The product's sprints")),
    create=extend_schema(
        summary=gettext_lazy("Plan the next sprint"),
        request=serializers.SprintPlanSerializer,
        responses={201: serializers.SprintSerializer},
    ),
)
class ProductSprintViewSet(SprintsViewSet):
    serializer_class = serializers.SprintSerializer
    queryset = Sprint.objects.none()

    def list(self, request, product_pk=None):
        product = _product(request, product_pk)
        page = self.paginate_queryset(product.sprints.order_by("number"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.plan_sprint", product)
        data = _valid(serializers.SprintPlanSerializer, request)
        sprint = services.plan_sprint(actor=request.user, product=product, **data)
        return Response(self.get_serializer(sprint).data, status=status.HTTP_201_CREATED)


SPRINT_TRANSITION = {"request": None, "responses": serializers.SprintDetailSerializer}


@extend_schema_view(
    retrieve=extend_schema(summary=gettext_lazy("Show a sprint with its board")),
    start=extend_schema(summary=gettext_lazy("Start a planned sprint"), **SPRINT_TRANSITION),
    finish=extend_schema(
        summary=gettext_lazy("End an active sprint's work: it goes to review"),
        **SPRINT_TRANSITION,
    ),
    close=extend_schema(
        summary=gettext_lazy("Close the sprint; unfinished items return to the top"),
        **SPRINT_TRANSITION,
    ),
    commit=extend_schema(
        summary=gettext_lazy("Commit ready backlog items to the sprint"),
        request=serializers.CommitSerializer,
        responses=serializers.CommitmentSerializer,
    ),
    burndown=extend_schema(
        summary=gettext_lazy("Remaining points per day of the sprint"),
        responses=serializers.BurndownSerializer,
    ),
)
class SprintViewSet(SprintsViewSet):
    """A sprint: planned → active → review → closed. Its product owner steers it."""

    serializer_class = serializers.SprintDetailSerializer
    queryset = Sprint.objects.none()

    def _sprint(self, pk) -> Sprint:
        sprint = Sprint.objects.select_related("product__cooperative").filter(pk=pk).first()
        if sprint is None:
            raise Http404
        _viewable(self.request.user, sprint.product)
        return sprint

    def _show(self, sprint):
        board = selectors.board_for(sprint)
        items = [item for column in board.values() for item in column]
        sprint.board = {
            "todo": board.get(ItemStatus.TODO, []),
            "in_progress": board.get(ItemStatus.IN_PROGRESS, []),
            "done": board.get(ItemStatus.DONE, []),
            "accepted": board.get(ItemStatus.ACCEPTED, []),
        }
        sprint.points = sum(item.estimate or 0 for item in items)
        sprint.remaining = sum(
            item.estimate or 0 for item in items if item.status not in selectors.DONE_STATUSES
        )
        return Response(serializers.SprintDetailSerializer(sprint).data)

    def retrieve(self, request, pk=None):
        return self._show(self._sprint(pk))

    def _transition(self, request, pk, service):
        sprint = self._sprint(pk)
        require(request.user, "sprints.plan_sprint", sprint.product)
        return self._show(service(actor=request.user, sprint=sprint))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, pk, services.start_sprint)

    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self._transition(request, pk, services.finish_sprint)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, pk, services.close_sprint)

    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        sprint = self._sprint(pk)
        require(request.user, "sprints.plan_sprint", sprint.product)
        data = _valid(serializers.CommitSerializer, request, context={"product": sprint.product})
        commitment = services.commit_items(actor=request.user, sprint=sprint, items=data["items"])
        warning = None
        if commitment.exceeds_velocity:
            warning = _(
                "%(points)s points are committed, more than the average velocity of the last "
                "three sprints (%(velocity)s)."
            ) % {"points": commitment.points, "velocity": commitment.average_velocity}
        data = {
            "sprint": commitment.sprint,
            "points": commitment.points,
            "average_velocity": commitment.average_velocity,
            "exceeds_velocity": commitment.exceeds_velocity,
            "warning": warning,
        }
        return Response(serializers.CommitmentSerializer(data).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def burndown(self, request, pk=None):
        sprint = self._sprint(pk)
        data = {"sprint": sprint.pk, "days": selectors.burndown(sprint)}
        return Response(serializers.BurndownSerializer(data).data)


# --- Increments and verdicts -------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("A product's increments, newest first")),
    retrieve=extend_schema(summary=gettext_lazy("Show an increment with its items' outcomes")),
    create=extend_schema(
        summary=gettext_lazy("Prepare an increment of done items"),
        request=serializers.IncrementInputSerializer,
        responses={201: serializers.IncrementSerializer},
    ),
    submit=extend_schema(
        summary=gettext_lazy("Ask the testers for their verdicts, with a deadline"),
        request=serializers.SubmitSerializer,
        responses=serializers.IncrementSerializer,
    ),
)
class IncrementViewSet(SprintsViewSet):
    """What a sprint delivers, and its acceptance by the product's testers."""

    serializer_class = serializers.IncrementSerializer
    queryset = Increment.objects.none()
    filterset_class = filters.IncrementFilter
    filter_backends = [FilterBackend]

    def _increment(self, pk) -> Increment:
        increment = Increment.objects.select_related("product__cooperative").filter(pk=pk).first()
        if increment is None:
            raise Http404
        _viewable(self.request.user, increment.product)
        return increment

    def _show(self, increment, status_code=status.HTTP_200_OK):
        increment = (
            selectors.increments_of(increment.product)
            .prefetch_related("testers")
            .get(pk=increment.pk)
        )
        return Response(self.get_serializer(increment).data, status=status_code)

    def list(self, request):
        filterset = filters.IncrementFilter(
            request.query_params, queryset=Increment.objects.all(), request=request
        )
        if not filterset.is_valid():
            raise drf_serializers.ValidationError(filterset.errors)
        product = _product(request, filterset.form.cleaned_data["product"])
        increments = filterset.filter_queryset(
            selectors.increments_of(product).prefetch_related("testers")
        )
        page = self.paginate_queryset(increments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._show(self._increment(pk))

    @answers(409)  # the product already has an increment of this version
    def create(self, request):
        visible = selectors.products_visible_to(request.user)
        product = _valid(serializers.ProductRefInputSerializer, request, visible=visible)["product"]
        require(request.user, "sprints.prepare_increment", product)
        data = dict(
            _valid(serializers.IncrementInputSerializer, request, context={"product": product})
        )
        data.pop("product")
        increment = services.create_increment(actor=request.user, product=product, **data)
        return self._show(increment, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        increment = self._increment(pk)
        require(request.user, "sprints.prepare_increment", increment.product)
        data = _valid(serializers.SubmitSerializer, request)
        increment = services.submit_increment(
            actor=request.user,
            increment=increment,
            deadline=data["deadline"],
            testers=data.get("testers"),
        )
        return self._show(increment)

    @extend_schema(
        methods=["GET"],
        summary=gettext_lazy("The verdicts given on the increment"),
        responses=serializers.IncrementVerdictSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=gettext_lazy("Give your verdict on an item: accept, or reject with remarks"),
        request={
            "multipart/form-data": serializers.VerdictInputSerializer,
            "application/json": serializers.VerdictInputSerializer,
        },
        responses={201: serializers.IncrementVerdictSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser],
    )
    def verdicts(self, request, pk=None):
        increment = self._increment(pk)
        if request.method == "POST":
            return self._give_verdict(request, increment)
        verdicts = (
            Verdict.objects.filter(increment_item__increment=increment)
            .select_related("tester", "increment_item__increment", "increment_item__item__product")
            .prefetch_related("follow_ups", "criteria")
            .order_by("given_at", "id")
        )
        page = self.paginate_queryset(verdicts)
        data = serializers.IncrementVerdictSerializer(
            page, many=True, context=self.get_serializer_context()
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary=gettext_lazy("A verdict's screenshot, for people who may see the product"),
        parameters=[VERDICT_ID],
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="verdicts/<int:verdict_pk>/screenshot",
        url_name="verdict-screenshot",
        filter_backends=[],
        # The file is the answer whatever the client accepts (an <img> asks for image/*);
        # refusals still answer in the API's JSON.
        content_negotiation_class=FirstRendererNegotiation,
    )
    def verdict_screenshot(self, request, pk=None, verdict_pk=None):
        increment = self._increment(pk)
        verdict = Verdict.objects.filter(pk=verdict_pk, increment_item__increment=increment).first()
        if verdict is None or not verdict.screenshot:
            raise Http404
        return upload_response(verdict.screenshot)

    def _give_verdict(self, request, increment):
        require(
            request.user,
            "sprints.give_verdict",
            increment.product,
            _("Only the product's testers give verdicts, and not on a product they build or own."),
        )
        data = _valid(serializers.VerdictInputSerializer, request)
        verdict = services.give_verdict(actor=request.user, increment=increment, **data)
        verdict = (
            Verdict.objects.select_related(
                "tester", "increment_item__increment", "increment_item__item__product"
            )
            .prefetch_related("follow_ups", "criteria")
            .get(pk=verdict.pk)
        )
        return Response(
            serializers.IncrementVerdictSerializer(
                verdict, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )


# --- Inbox -------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Items awaiting your verdict, soonest deadline first"))
)
class InboxViewSet(SprintsViewSet):
    """Every item awaiting my verdict, across products and cooperatives."""

    serializer_class = serializers.InboxEntrySerializer
    queryset = IncrementItem.objects.none()

    def list(self, request):
        page = self.paginate_queryset(selectors.inbox_for(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
