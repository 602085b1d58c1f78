"""The API of a product's labels and epics, an item's labels and epic, and the backlog's
filters (issue 15).

Everyone who may view the product reads them; whoever may edit the backlog
(`sprints.manage_labels`) changes them; a product one may not view answers 404.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from deelbaar.permissions import require
from sprints import selectors
from sprints.api.label_serializers import (
    EpicChangeSerializer,
    EpicInputSerializer,
    EpicSerializer,
    ItemTagsInputSerializer,
    ItemTagsSerializer,
    LabelChangeSerializer,
    LabelInputSerializer,
    LabelSerializer,
)
from sprints.api.views import PRODUCT_ID, SprintsViewSet, _product, _valid, _viewable
from sprints.models import BacklogItem, Epic, Label
from sprints.services import labels as label_services

_ = gettext_lazy


# --- Viewsets ----------------------------------------------------------------------------------
LABEL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The label's id.")
)
EPIC_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The epic's id.")
)


@extend_schema(parameters=[PRODUCT_ID])
@extend_schema_view(
    list=extend_schema(summary=_("The product's labels, by name")),
    create=extend_schema(
        summary=_("Add a label"),
        request=LabelInputSerializer,
        responses={201: LabelSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename a label or give it another colour"),
        parameters=[LABEL_ID],
        request=LabelChangeSerializer,
    ),
    destroy=extend_schema(
        summary=_("Remove a label from the product and its items"),
        parameters=[LABEL_ID],
        responses={204: None},
    ),
)
class LabelViewSet(SprintsViewSet):
    serializer_class = LabelSerializer
    queryset = Label.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None

    def _label(self, product, pk) -> Label:
        label = Label.objects.filter(product=product, pk=pk).first()
        if label is None:
            raise Http404
        label.product = product
        return label

    def list(self, request, product_pk=None):
        product = _product(request, product_pk)
        return Response(self.get_serializer(selectors.labels_of(product), many=True).data)

    def create(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        data = _valid(LabelInputSerializer, request)
        label = label_services.create_label(actor=request.user, product=product, **data)
        return Response(self.get_serializer(label).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        label = self._label(product, pk)
        data = _valid(LabelChangeSerializer, request)
        label = label_services.change_label(actor=request.user, label=label, **data)
        return Response(self.get_serializer(label).data)

    def destroy(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        label_services.delete_label(actor=request.user, label=self._label(product, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PRODUCT_ID])
@extend_schema_view(
    list=extend_schema(summary=_("The product's epics, each with its progress")),
    retrieve=extend_schema(summary=_("Show an epic with its progress"), parameters=[EPIC_ID]),
    create=extend_schema(
        summary=_("Add an epic"), request=EpicInputSerializer, responses={201: EpicSerializer}
    ),
    partial_update=extend_schema(
        summary=_("Change an epic's title or description"),
        parameters=[EPIC_ID],
        request=EpicChangeSerializer,
    ),
    destroy=extend_schema(
        summary=_("Remove an epic; its items stay, without an epic"),
        parameters=[EPIC_ID],
        responses={204: None},
    ),
)
class EpicViewSet(SprintsViewSet):
    serializer_class = EpicSerializer
    queryset = Epic.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None

    def _epic(self, product, pk) -> Epic:
        epic = selectors.epics_with_progress(product).filter(pk=pk).first()
        if epic is None:
            raise Http404
        epic.product = product
        return epic

    def list(self, request, product_pk=None):
        product = _product(request, product_pk)
        return Response(self.get_serializer(selectors.epics_with_progress(product), many=True).data)

    def retrieve(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        return Response(self.get_serializer(self._epic(product, pk)).data)

    def create(self, request, product_pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        data = _valid(EpicInputSerializer, request)
        epic = label_services.create_epic(actor=request.user, product=product, **data)
        epic = self._epic(product, epic.pk)
        return Response(self.get_serializer(epic).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        epic = self._epic(product, pk)
        data = _valid(EpicChangeSerializer, request)
        label_services.change_epic(actor=request.user, epic=epic, **data)
        return Response(self.get_serializer(self._epic(product, pk)).data)

    def destroy(self, request, product_pk=None, pk=None):
        product = _product(request, product_pk)
        require(request.user, "sprints.manage_labels", product)
        label_services.delete_epic(actor=request.user, epic=self._epic(product, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


ITEM_ID = OpenApiParameter(
    "item_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The item's id.")
)


@extend_schema(parameters=[ITEM_ID])
@extend_schema_view(
    list=extend_schema(summary=_("An item's labels and epic"), responses=ItemTagsSerializer),
    create=extend_schema(
        summary=_("Set an item's labels and/or epic"),
        request=ItemTagsInputSerializer,
        responses=ItemTagsSerializer,
    ),
)
class ItemTagsViewSet(SprintsViewSet):
    serializer_class = ItemTagsSerializer
    queryset = BacklogItem.objects.none()
    http_method_names = ["get", "post", "head", "options"]
    pagination_class = None

    def _item(self, item_pk) -> BacklogItem:
        item = (
            selectors.with_labels_and_epic(
                BacklogItem.objects.select_related("product__cooperative")
            )
            .filter(pk=item_pk)
            .first()
        )
        if item is None:
            raise Http404
        _viewable(self.request.user, item.product)
        return item

    def list(self, request, item_pk=None):
        return Response(self.get_serializer(self._item(item_pk)).data)

    def create(self, request, item_pk=None):
        item = self._item(item_pk)
        require(request.user, "sprints.manage_labels", item.product)
        data = _valid(ItemTagsInputSerializer, request, context={"product": item.product})
        if "labels" in data:
            label_services.set_item_labels(actor=request.user, item=item, labels=data["labels"])
        if "epic" in data:
            label_services.set_item_epic(actor=request.user, item=item, epic=data["epic"])
        return Response(self.get_serializer(self._item(item_pk)).data)
