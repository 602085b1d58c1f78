"""Serializers of labels and epics, the backlog list's items with them, and the backlog's
filters as query parameters (issue 15). Imported by the sprints API's views, so it imports
none of them."""

from datetime import tzinfo
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from sprints.api.serializers import (
    ItemSerializer,
    _choice,
    _moment,
    criterion_answer,
    follow_up_answer,
)
from sprints.assignment import person_ref
from sprints.forms import BacklogFilterForm
from sprints.models import Epic, Label, LabelColour
from sprints.selectors.backlog_rows import BacklogRows

_ = gettext_lazy


# --- Serializers -----------------------------------------------------------------------------
class LabelSerializer(serializers.ModelSerializer):
    colour = serializers.ChoiceField(
        choices=LabelColour.choices,
        read_only=True,
        help_text=_("One of a fixed palette; the pages show dark text on it (contrast AA)."),
    )

    class Meta:
        model = Label
        fields = ["id", "name", "colour"]
        read_only_fields = fields


class LabelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    colour = serializers.ChoiceField(choices=LabelColour.choices, default=LabelColour.GREY)


class LabelChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    colour = serializers.ChoiceField(choices=LabelColour.choices, required=False)


class EpicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Epic
        fields = ["id", "title"]
        read_only_fields = fields


class EpicSerializer(serializers.ModelSerializer):
    items_done = serializers.IntegerField(
        read_only=True, help_text=_("Items of the epic done or accepted.")
    )
    items_total = serializers.IntegerField(read_only=True)
    points_done = serializers.IntegerField(
        read_only=True, help_text=_("Points (the estimates) of the items done or accepted.")
    )
    points_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Epic
        fields = [
            "id",
            "title",
            "description",
            "items_done",
            "items_total",
            "points_done",
            "points_total",
            "created_at",
        ]
        read_only_fields = fields


class EpicInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EpicChangeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class ItemTagsSerializer(serializers.Serializer):
    labels = LabelSerializer(many=True, read_only=True)
    epic = EpicRefSerializer(read_only=True, allow_null=True)


class ItemTagsInputSerializer(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text=_("All the item's labels by id (an empty list removes them); left out: kept."),
    )
    epic = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=_("The epic's id, or null for none; left out: kept."),
    )

    def validate_labels(self, ids):
        product = self.context["product"]
        found = list(Label.objects.filter(product=product, pk__in=ids))
        if len(found) != len(set(ids)):
            raise serializers.ValidationError(_("Choose labels of this product."))
        return found

    def validate_epic(self, pk):
        if pk is None:
            return None
        epic = Epic.objects.filter(product=self.context["product"], pk=pk).first()
        if epic is None:
            raise serializers.ValidationError(_("Choose an epic of this product."))
        return epic


# --- The backlog's filters ---------------------------------------------------------------------
BACKLOG_FILTERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description=_("Words that each appear in the title or description.")
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=["story", "bug", "chore", "spike"], description=_("Kind.")
    ),
    OpenApiParameter(
        "ready",
        OpenApiTypes.BOOL,
        description=_("true: only ready items (criteria and an estimate); false: only the rest."),
    ),
    OpenApiParameter("label", OpenApiTypes.INT, description=_("Only items with this label.")),
    OpenApiParameter(
        "epic", OpenApiTypes.STR, description=_("An epic's id, or none for items without one.")
    ),
    OpenApiParameter(
        "assignee",
        OpenApiTypes.STR,
        description=_("A person's id, or none for items nobody works on."),
    ),
]


def backlog_filters(request) -> dict:
    """The selector's arguments from the query string; a bad value answers 400 naming it."""
    form = BacklogFilterForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError(
            {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        )
    return form.filters()


class BacklogItemSerializer(ItemSerializer):
    """An item of the backlog list: the item as everywhere, with its labels and epic."""

    labels = LabelSerializer(many=True, read_only=True, help_text=_("The item's labels, by name."))
    epic = EpicRefSerializer(read_only=True, allow_null=True, help_text=_("The item's epic."))

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "labels", "epic"]
        read_only_fields = fields

    def to_representation(self, item):
        # The item's own fields the fast way ItemSerializer builds them (one serializer for
        # the whole page), then what the backlog adds; labels are prefetched, the epic joined.
        if not hasattr(self, "_item_fields"):
            self._item_fields = ItemSerializer(context=self.context)
        data = self._item_fields.to_representation(item)
        data["labels"] = [
            {"id": label.pk, "name": label.name, "colour": label.colour}
            for label in item.labels.all()
        ]
        data["epic"] = {"id": item.epic.pk, "title": item.epic.title} if item.epic else None
        return data


def backlog_page(page: BacklogRows) -> list[dict]:
    """The backlog list's answer from plain rows (`sprints.selectors.backlog_rows`): what
    BacklogItemSerializer gives for the same items, key for key (a test compares them),
    without building the objects first."""
    zone = timezone.get_current_timezone()
    return [_row(item, page, zone) for item in page.items]


def _row(item: dict, page: BacklogRows, zone: tzinfo) -> dict:
    criteria = [
        criterion_answer(
            pk=criterion["id"],
            order=criterion["position"],
            text=criterion["text"],
            follows_up=_follow_up(criterion.get("follows_up")),
        )
        for criterion in page.criteria.get(item["id"], ())
    ]
    return {
        "id": item["id"],
        "reference": f"{item['product__key']}-{item['number']}",
        "number": item["number"],
        "product": item["product_id"],
        "kind": _choice(item["kind"]),
        "title": item["title"],
        "description": item["description"],
        "acceptance_criteria": criteria,
        "estimate": item["estimate"],
        "status": _choice(item["status"]),
        "ready": bool(criteria) and item["estimate"] is not None,
        "position": item["position"],
        "sprint": item["sprint_id"],
        "assignee": _assignee(item),
        "follow_up_of": item["follow_up_of_id"],
        "version": item["version"],
        "created_at": _moment(item["created_at"], zone),
        "updated_at": _moment(item["updated_at"], zone),
        "labels": [
            {"id": row["label_id"], "name": row["label__name"], "colour": row["label__colour"]}
            for row in page.labels.get(item["id"], ())
        ],
        "epic": _epic(item),
    }


def _epic(item: dict) -> dict | None:
    if item["epic_id"] is None:
        return None
    return {"id": item["epic_id"], "title": item["epic__title"]}


def _follow_up(said: dict | None) -> dict | None:
    if said is None:
        return None
    return follow_up_answer(
        item=f"{said['key']}-{said['number']}",
        increment_version=said["increment_version"],
        remarks=said["remarks"],
    )


def _assignee(item: dict) -> dict | None:
    if item["assignee_id"] is None:
        return None
    # person_ref's answer from the columns: the helpers read only these attributes.
    person = _Person(
        item["assignee_id"],
        item["assignee__first_name"],
        item["assignee__last_name"],
        item["assignee__username"],
    )
    return person_ref(person)


class _Person(NamedTuple):
    pk: int
    first_name: str
    last_name: str
    username: str

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username
