"""What the sprints API shows and accepts.

Output serializers read the objects the selectors return. Input serializers only check the
shape of a request (types, choices, ids that exist in the product at hand) before a service
decides and writes; the business rules themselves live in the services.
"""

import uuid

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from cooperative.models import Cooperative, Organisation
from deelbaar.api.openapi import stale_error
from sprints.api.validators import ScreenshotValidator, image_format
from sprints.assignment import initials, person_name, person_ref
from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    Increment,
    IncrementItem,
    ItemKind,
    Product,
    Sprint,
    TeamMember,
    TeamRole,
    Verdict,
)
from sprints.services import BOARD_STATUSES, EDITABLE_FIELDS

ESTIMATE_CHOICES = BacklogItem._meta.get_field("estimate").choices
BOARD_STATUS_CHOICES = [(status.value, status.label) for status in BOARD_STATUSES]
MOVE_TARGETS = (("top", _("the top of the backlog")), ("bottom", _("the bottom of the backlog")))


# --- Input fields ------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class ItemOfProductField(serializers.PrimaryKeyRelatedField):
    """The id of an item of the product in the serializer's context; others do not exist."""

    default_error_messages = {
        "does_not_exist": _("There is no item {pk_value} in this product."),
        "incorrect_type": _("Give an item's id, a whole number."),
    }

    def get_queryset(self):
        return BacklogItem.objects.select_related("product").filter(product=self.context["product"])


class ItemIdsField(serializers.ListField):
    """A non-empty list of ids of items of the product in the serializer's context.

    Checked with one query, however many ids there are; answers the ids without repeats.
    """

    child = serializers.IntegerField(min_value=1)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = set(
            BacklogItem.objects.filter(product=self.context["product"], pk__in=ids).values_list(
                "pk", flat=True
            )
        )
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(
                _("There is no item %(ids)s in this product.") % {"ids": ", ".join(missing)},
                code="does_not_exist",
            )
        return ids


class RequiredBooleanField(serializers.BooleanField):
    """A boolean that must be given, in JSON and in multipart forms alike.

    DRF reads a boolean left out of a form as false; for a verdict that would turn a forgotten
    field into a rejection.
    """

    default_empty_html = empty


# --- People and organisations ----------------------------------------------------------------
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name"]


# --- Products ----------------------------------------------------------------------------------
class TeamMemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer()
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = TeamMember
        fields = ["user", "role", "role_display"]


class ProductSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = OrganisationRefSerializer(read_only=True)
    participants = OrganisationRefSerializer(many=True, read_only=True)
    team = TeamMemberSerializer(source="members", many=True, read_only=True)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "key",
            "vision",
            "cooperative",
            "owner",
            "participants",
            "sprint_length_days",
            "follow_up_per_criterion",
            "item_count",
            "team",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class _StrictSerializer(serializers.Serializer):
    """A body whose unknown keys are refused, each named (said in the schema too)."""

    refuses_unknown_fields = True
    unknown_message = _("This field cannot be changed here.")

    def validate(self, attrs):
        data = self.initial_data
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                dict.fromkeys(unknown, self.unknown_message), code="read_only"
            )
        return attrs


class ProductChangeSerializer(_StrictSerializer):
    """What a product owner or coordinator may change; send only what changes. The version
    read is the `If-Match` header (the product's ETag)."""

    name = serializers.CharField(max_length=200, required=False)
    vision = serializers.CharField(required=False, allow_blank=True)
    sprint_length_days = serializers.IntegerField(
        min_value=7,
        max_value=28,
        required=False,
        help_text=_("Applies to sprints planned from now on."),
    )
    participants = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Organisation.objects.all(),
        help_text=_(
            "Ids of all the other organisations taking part (the whole list): members of the "
            "cooperative (applied, approved or active), not the owner."
        ),
    )


ProductStaleSerializer = stale_error("ProductStale", ProductSerializer)


# --- Teams ---------------------------------------------------------------------------------------
class TeamMembershipSerializer(serializers.ModelSerializer):
    """One role of one person on the team; `id` names it in the team's URLs."""

    user = PersonSerializer()
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = TeamMember
        fields = ["id", "user", "role", "role_display"]


def _not_owner(role):
    # The choices are the team's roles (one enum in the schema), but the product owner's role
    # changes hands only by a hand-over.
    if role == TeamRole.PRODUCT_OWNER:
        raise serializers.ValidationError(
            _("Hand the product owner role over instead (team/hand-over/)."), code="invalid_choice"
        )
    return role


@extend_schema_field(OpenApiTypes.INT)
class PersonOfProductField(serializers.PrimaryKeyRelatedField):
    """A person who may join the product in the context: of the owning or a participating
    organisation, or of a supplier. Anyone else does not exist here."""

    default_error_messages = {
        "does_not_exist": _(
            "There is no person {pk_value} among the people of this product's organisations "
            "and its suppliers."
        ),
        "incorrect_type": _("Give a person's id, a whole number."),
    }

    def get_queryset(self):
        from sprints.selectors import team_candidates

        return team_candidates(self.context["product"])


class TeamMemberInputSerializer(_StrictSerializer):
    user = PersonOfProductField(help_text=_("The person's id (see /api/v1/people/?product=)."))
    role = serializers.ChoiceField(
        choices=TeamRole.choices,
        validators=[_not_owner],
        help_text=_("developer or tester; the product owner role is handed over instead."),
    )


class TeamRoleInputSerializer(_StrictSerializer):
    role = serializers.ChoiceField(
        choices=TeamRole.choices,
        validators=[_not_owner],
        help_text=_("developer or tester."),
    )


class HandOverSerializer(_StrictSerializer):
    user = PersonOfProductField(
        help_text=_(
            "The new product owner: a person of the owning or a participating organisation."
        )
    )


class PersonOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="organisation.id")
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")


class PersonLookupSerializer(PersonSerializer):
    """A person found by the look-up: name and organisations, never an e-mail address."""

    organisations = PersonOrganisationSerializer(source="affiliations", many=True)


class PeopleQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Words of the person's name or user name."),
    )
    product = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "Only the people who may join this product's team (its organisations' and its "
            "suppliers'); for its product owner and coordinators."
        ),
    )


class ProductInputSerializer(serializers.Serializer):
    cooperative = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Cooperative.objects.all(),
        help_text=_("The cooperative's slug."),
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The id of the owning pilot organisation, an active pilot of the cooperative."),
    )
    name = serializers.CharField(max_length=200)
    key = serializers.CharField(
        max_length=10, help_text=_("2 to 10 capital letters or digits, such as SUB.")
    )
    vision = serializers.CharField(required=False, allow_blank=True, default="")
    sprint_length_days = serializers.IntegerField(min_value=7, max_value=28, default=14)
    follow_up_per_criterion = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "When a tester finds criteria not met: one follow-up item per criterion (true) or "
            "one per rejected item listing them all (false, the default)."
        ),
    )
    participants = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Organisation.objects.all(),
        help_text=_(
            "Ids of the other organisations taking part: members of the cooperative (applied, "
            "approved or active), not the owner."
        ),
    )

    def validate(self, attrs):
        # The service answers a key taken at the same moment with 409; this names the field
        # for the usual case, in which the model's own check would not.
        key = attrs["key"].strip().upper()
        if Product.objects.filter(cooperative=attrs["cooperative"], key=key).exists():
            raise serializers.ValidationError(
                {
                    "key": _("Another product of this cooperative already uses the key %(key)s.")
                    % {"key": key}
                },
                code="unique",
            )
        return attrs


# --- Backlog items -----------------------------------------------------------------------------
class CriterionSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="position", read_only=True)
    follows_up = serializers.SerializerMethodField(
        help_text=_(
            "On a follow-up: what was said when this criterion was not met (a re-test shows it)."
        )
    )

    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "order", "text", "follows_up"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "item": {"type": "string"},
                "increment_version": {"type": "string"},
                "remarks": {"type": "string"},
            },
        }
    )
    def get_follows_up(self, criterion):
        return _follows_up(criterion)


def _follows_up(criterion):
    verdict = criterion.follows_up
    if verdict is None:
        return None
    return follow_up_answer(
        item=verdict.verdict.increment_item.item.reference,
        increment_version=verdict.verdict.increment_item.increment.version,
        remarks=verdict.remarks,
    )


def follow_up_answer(*, item: str, increment_version: str, remarks: str) -> dict:
    """What a criterion says it follows up, in the answer: from objects here, from plain rows
    in the backlog list (label_serializers.backlog_page)."""
    return {"item": item, "increment_version": increment_version, "remarks": remarks}


def criterion_answer(*, pk: int, order: int, text: str, follows_up: dict | None) -> dict:
    """CriterionSerializer's answer, one shape for objects and for plain rows."""
    return {"id": pk, "order": order, "text": text, "follows_up": follows_up}


# What DRF's fields would make of these values, without walking its fields one by one.
_DATETIME = serializers.DateTimeField(read_only=True)


def _choice(value):
    # ChoiceField: the stored value as a plain string (an enum member gives its value).
    return value if value in ("", None) else str(value)


def _moment(value, zone=None):
    """DateTimeField's answer (ISO 8601 in the current time zone, UTC as Z). A page of rows
    passes the zone it looked up once: looking it up for each of a page's hundred moments was
    a tenth of the page's serializing."""
    if value is None or value.tzinfo is None:
        return None if value is None else _DATETIME.to_representation(value)
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _criterion_representation(criterion) -> dict:
    """CriterionSerializer's answer, built directly (ItemSerializer.to_representation)."""
    return criterion_answer(
        pk=criterion.pk,
        order=criterion.position,
        text=criterion.text,
        follows_up=_follows_up(criterion),
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 1000},
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "text": {"type": "string", "maxLength": 1000},
                },
                "required": ["text"],
            },
        ]
    }
)
class CriterionInputField(serializers.Field):
    """A criterion as its text (what old clients send) or {"id", "text"}: the id keeps the
    criterion (and its history) while its text changes."""

    default_error_messages = {
        "invalid": _("A criterion is a sentence, or an object with its text and maybe its id."),
        "max_length": _("A criterion has at most 1000 characters."),
        "null": _("A criterion cannot hold a null character."),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"text": data}
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            self.fail("invalid")
        pk = data.get("id")
        if pk is not None and (isinstance(pk, bool) or not isinstance(pk, int)):
            self.fail("invalid")
        if len(data["text"]) > 1000:
            self.fail("max_length")
        if "\x00" in data["text"]:
            self.fail("null")
        return {"id": pk, "text": data["text"]}

    def to_representation(self, value):
        return value


class AssigneeSerializer(serializers.Serializer):
    """Who works on an item: enough to show an avatar without asking for the person."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField(help_text=_("Full name, or the username."))
    initials = serializers.SerializerMethodField(help_text=_("Two letters for the avatar."))

    def get_name(self, user) -> str:
        return person_name(user)

    def get_initials(self, user) -> str:
        return initials(user)


class ItemSerializer(serializers.ModelSerializer):
    assignee = AssigneeSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Who works on the item (a developer or product owner of the product), or null. "
            "Change it with POST /items/{id}/assign."
        ),
    )
    reference = serializers.CharField(read_only=True, help_text=_("Such as SUB-42."))
    ready = serializers.BooleanField(
        source="is_ready",
        read_only=True,
        help_text=_("Has acceptance criteria and an estimate, so it can be committed."),
    )
    acceptance_criteria = CriterionSerializer(
        source="criteria",
        many=True,
        read_only=True,
        help_text=_("The acceptance criteria, in order, each with its own id."),
    )

    class Meta:
        model = BacklogItem
        fields = [
            "id",
            "reference",
            "number",
            "product",
            "kind",
            "title",
            "description",
            "acceptance_criteria",
            "estimate",
            "status",
            "ready",
            "position",
            "sprint",
            "assignee",
            "follow_up_of",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, item):
        """The same answer DRF's generic walk over the fields gives (a test compares them),
        built directly: a backlog page of 50 items with their criteria spent most of its
        time in that walk. Subclasses with more fields take the generic way."""
        if type(self) is not ItemSerializer:
            return super().to_representation(item)
        return {
            "id": item.pk,
            "reference": item.reference,
            "number": item.number,
            "product": item.product_id,
            "kind": _choice(item.kind),
            "title": item.title,
            "description": item.description,
            "acceptance_criteria": [_criterion_representation(c) for c in item.criteria.all()],
            "estimate": item.estimate,
            "status": _choice(item.status),
            "ready": bool(item.is_ready),
            "position": item.position,
            "sprint": item.sprint_id,
            "assignee": person_ref(item.assignee),
            "follow_up_of": item.follow_up_of_id,
            "version": item.version,
            "created_at": _moment(item.created_at),
            "updated_at": _moment(item.updated_at),
        }


class CriterionVerdictSerializer(serializers.ModelSerializer):
    criterion = serializers.IntegerField(
        source="criterion_id",
        read_only=True,
        allow_null=True,
        help_text=_("The criterion's id; none once the criterion was removed from the item."),
    )

    class Meta:
        model = CriterionVerdict
        fields = ["criterion", "text", "met", "remarks"]
        read_only_fields = fields


class VerdictSerializer(serializers.ModelSerializer):
    increment = serializers.IntegerField(source="increment_item.increment_id", read_only=True)
    increment_version = serializers.CharField(
        source="increment_item.increment.version", read_only=True
    )
    tester = PersonSerializer(read_only=True)
    screenshot = serializers.SerializerMethodField(
        help_text=_(
            "Where to fetch the screenshot (with the same login): only people who may see the "
            "product get it."
        )
    )
    follow_up = serializers.SerializerMethodField(
        help_text=_("The backlog item a rejection created (the first, when there are several).")
    )
    follow_ups = serializers.SerializerMethodField(
        help_text=_("Every backlog item a rejection created: one per criterion not met, or one.")
    )
    criteria = CriterionVerdictSerializer(
        many=True,
        read_only=True,
        help_text=_("The answer on each criterion, when the verdict was given per criterion."),
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "increment",
            "increment_version",
            "tester",
            "accepted",
            "remarks",
            "screenshot",
            "given_at",
            "follow_up",
            "follow_ups",
            "criteria",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_screenshot(self, verdict) -> str | None:
        # The permission-checked address, not the storage's /media/ one: nothing serves the
        # media folder, and it would check no permission if anything did.
        if not verdict.screenshot:
            return None
        url = reverse(
            "api:increment-verdict-screenshot",
            kwargs={"pk": verdict.increment_item.increment_id, "verdict_pk": verdict.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_follow_up(self, verdict) -> int | None:
        follow_ups = sorted(verdict.follow_ups.all(), key=lambda item: item.number)  # prefetched
        return follow_ups[0].pk if follow_ups else None

    def get_follow_ups(self, verdict) -> list[int]:
        return sorted(item.pk for item in verdict.follow_ups.all())


class ItemRefSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = BacklogItem
        fields = ["id", "reference", "title"]


class IncrementVerdictSerializer(VerdictSerializer):
    item = ItemRefSerializer(source="increment_item.item", read_only=True)
    item_outcome = serializers.CharField(source="increment_item.outcome", read_only=True)

    class Meta(VerdictSerializer.Meta):
        fields = [*VerdictSerializer.Meta.fields, "item", "item_outcome"]
        read_only_fields = fields


class HistoryVerdictSerializer(VerdictSerializer):
    superseded = serializers.BooleanField(
        read_only=True, help_text=_("A re-test in a later increment replaced this verdict.")
    )

    class Meta(VerdictSerializer.Meta):
        fields = [*VerdictSerializer.Meta.fields, "superseded"]
        read_only_fields = fields


class ItemDetailSerializer(ItemSerializer):
    follows_up_on = serializers.SerializerMethodField(
        help_text=_("The reference of the item whose rejection created this one.")
    )
    verdicts = HistoryVerdictSerializer(
        many=True,
        read_only=True,
        help_text=_("Every verdict given on the item, oldest first, superseded ones included."),
    )

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "follows_up_on", "verdicts"]
        read_only_fields = fields

    def get_follows_up_on(self, item) -> str | None:
        if item.follow_up_of_id is None:
            return None
        return item.follow_up_of.increment_item.item.reference


class ItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.STORY)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    acceptance_criteria = serializers.ListField(
        child=CriterionInputField(),
        required=False,
        default=list,
        help_text=_("The acceptance criteria, in order: sentences, or objects with a text."),
    )
    estimate = serializers.ChoiceField(
        choices=ESTIMATE_CHOICES, required=False, allow_null=True, default=None
    )
    at_top = serializers.BooleanField(
        required=False, default=False, help_text=_("Put it at the top instead of the bottom.")
    )


class ItemChangeSerializer(serializers.Serializer):
    """An edit of an item: the fields to change. The version they were read at is the
    `If-Match` header (the item's ETag)."""

    refuses_unknown_fields = True  # said in the schema: additionalProperties false

    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    acceptance_criteria = serializers.ListField(
        child=CriterionInputField(),
        required=False,
        help_text=_(
            "All the criteria, in order: a criterion sent with its id is edited in place, one "
            "without is new (or kept, when an existing one has that text); the rest go."
        ),
    )
    estimate = serializers.ChoiceField(choices=ESTIMATE_CHOICES, required=False, allow_null=True)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(EDITABLE_FIELDS))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: (
                        _("Send the version you read as the If-Match header (the item's ETag).")
                        if name == "version"
                        else _(
                            "This field cannot be edited here; change the status on the board "
                            "and the order with a move."
                        )
                    )
                    for name in unknown
                },
                code="read_only",
            )
        return attrs


ItemStaleSerializer = stale_error("ItemStale", ItemSerializer)


class ItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BOARD_STATUS_CHOICES)


class AssignSerializer(_StrictSerializer):
    """Whom to give an item: a person's id, or null for nobody. The item's version read is
    the `If-Match` header (its ETag)."""

    assignee = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        help_text=_(
            "The id of a developer or product owner of the item's product, or null to take "
            "the item off whoever has it."
        ),
    )


@extend_schema_field(OpenApiTypes.INT)
class ItemIdField(ItemOfProductField):
    """The id of an item of the product in the serializer's context. Only its form is checked
    here: the move looks the item up under the product's lock (services.move_item_by_id), and
    answers an id of no item of the product as this field's error."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return int(str(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


class MoveSerializer(serializers.Serializer):
    """Where to move an item: before or after another item, or to the top or bottom."""

    item = ItemIdField(help_text=_("The id of the item to move."))
    before = ItemIdField(required=False, allow_null=True)
    after = ItemIdField(required=False, allow_null=True)
    to = serializers.ChoiceField(choices=MOVE_TARGETS, required=False, allow_null=True)


# --- Sprints -----------------------------------------------------------------------------------
class SprintSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Sprint
        fields = [
            "id",
            "product",
            "number",
            "goal",
            "start",
            "end",
            "state",
            "state_display",
            "started_at",
            "closed_at",
            "velocity",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "end": {"help_text": _("The sprint's last day, inclusive.")},
            "velocity": {
                "help_text": _(
                    "The points accepted in the sprint, fixed when it closed (null before): "
                    "an item accepted later counts toward the sprint in which it is accepted."
                )
            },
        }


class BoardItemSerializer(ItemSerializer):
    class Meta(ItemSerializer.Meta):
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "estimate",
            "status",
            "ready",
            "assignee",
            "version",
        ]
        read_only_fields = fields


class BoardSerializer(serializers.Serializer):
    todo = BoardItemSerializer(many=True)
    in_progress = BoardItemSerializer(many=True)
    done = BoardItemSerializer(many=True)
    accepted = BoardItemSerializer(many=True)


class SprintDetailSerializer(SprintSerializer):
    board = BoardSerializer(read_only=True, help_text=_("The sprint's items per column."))
    points = serializers.IntegerField(read_only=True, help_text=_("Points committed."))
    remaining = serializers.IntegerField(read_only=True, help_text=_("Points not done yet."))

    class Meta(SprintSerializer.Meta):
        fields = [*SprintSerializer.Meta.fields, "points", "remaining", "board"]
        read_only_fields = fields


class SprintPlanSerializer(serializers.Serializer):
    start = serializers.DateField()
    goal = serializers.CharField(required=False, allow_blank=True, default="")


class CommitSerializer(serializers.Serializer):
    items = ItemIdsField(help_text=_("Ids of ready backlog items of this product."))


class CommitmentSerializer(serializers.Serializer):
    sprint = SprintSerializer()
    points = serializers.IntegerField(help_text=_("Points committed to the sprint in all."))
    average_velocity = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        allow_null=True,
        help_text=_("Average accepted points of the last three sprints; null without history."),
    )
    exceeds_velocity = serializers.BooleanField()
    warning = serializers.CharField(allow_null=True)


class BurndownDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    remaining = serializers.IntegerField(
        allow_null=True, help_text=_("Points left at the end of the day; null for future days.")
    )
    ideal = serializers.FloatField()
    added = serializers.IntegerField(help_text=_("Points that came into the sprint that day."))
    removed = serializers.IntegerField(help_text=_("Points that left the sprint that day."))


class BurndownSerializer(serializers.Serializer):
    sprint = serializers.IntegerField()
    days = BurndownDaySerializer(many=True)


class VelocitySprintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sprint = serializers.IntegerField(help_text=_("The sprint's number."))
    points = serializers.IntegerField(help_text=_("Points accepted."))
    committed = serializers.IntegerField(help_text=_("Points committed."))


class VelocitySerializer(serializers.Serializer):
    product = serializers.IntegerField()
    average_velocity = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        allow_null=True,
        help_text=_("Average of the last three closed sprints."),
    )
    sprints = VelocitySprintSerializer(
        many=True, help_text=_("The last six closed sprints, oldest first.")
    )


# --- Increments and verdicts -------------------------------------------------------------------
class IncrementItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="item.id")
    reference = serializers.CharField(source="item.reference")
    title = serializers.CharField(source="item.title")

    class Meta:
        model = IncrementItem
        fields = ["id", "reference", "title", "outcome"]
        read_only_fields = fields


class IncrementSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    items = IncrementItemSerializer(source="increment_items", many=True, read_only=True)
    testers = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Increment
        fields = [
            "id",
            "product",
            "sprint",
            "version",
            "release_notes",
            "git_ref",
            "state",
            "state_display",
            "deadline",
            "testers",
            "items",
            "created_at",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class ProductRefInputSerializer(serializers.Serializer):
    """The product a new increment belongs to; a product you cannot see does not exist."""

    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.none(),
        error_messages={"does_not_exist": _("There is no product {pk_value}.")},
    )

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = visible


class IncrementInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text=_("The product's id."))
    version = serializers.CharField(max_length=50, help_text=_("Such as 1.4.0."))
    items = ItemIdsField(help_text=_("Ids of the done items it delivers."))
    release_notes = serializers.CharField(required=False, allow_blank=True, default="")
    git_ref = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    sprint = serializers.PrimaryKeyRelatedField(
        queryset=Sprint.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("There is no sprint {pk_value} in this product.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        product = self.context.get("product")
        if product is not None:
            self.fields["sprint"].queryset = Sprint.objects.filter(product=product)


class SubmitSerializer(serializers.Serializer):
    deadline = serializers.DateField(help_text=_("The last day for verdicts."))
    testers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        help_text=_("Ids of the testers to ask; all the product's testers when left out."),
    )


class CriterionAnswerSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1, help_text=_("The criterion's id."))
    met = serializers.BooleanField()
    remarks = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text=_("Required when not met: what is wrong."),
    )


class VerdictInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text=_("The id of an item of the increment."))
    accepted = RequiredBooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Your verdict on the item as a whole. Leave it out when answering `criteria`: the "
            "item is accepted when every criterion is met."
        ),
    )
    criteria = CriterionAnswerSerializer(
        many=True,
        required=False,
        default=None,
        help_text=_(
            "Your answer on each of the item's acceptance criteria (JSON requests only); "
            "remarks are required on a criterion not met."
        ),
    )
    remarks = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text=_("Required when rejecting: what is wrong."),
    )
    screenshot = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        validators=[ScreenshotValidator()],
        help_text=_("A PNG, JPEG or WebP image of at most 5 MB (send as multipart)."),
    )

    def validate_screenshot(self, upload):
        if upload is not None:
            # Stored under a name of our own with the extension of what the file really is.
            upload.name = f"{uuid.uuid4().hex}.{image_format(upload)}"
        return upload

    def validate(self, attrs):
        if attrs.get("accepted") is None and attrs.get("criteria") is None:
            raise serializers.ValidationError(
                {"accepted": _("Say whether you accept the item, or answer each criterion.")},
                code="required",
            )
        return attrs


# --- Inbox -------------------------------------------------------------------------------------
class InboxProductSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "key", "name", "cooperative"]
        read_only_fields = fields


class InboxIncrementSerializer(serializers.ModelSerializer):
    product = InboxProductSerializer()

    class Meta:
        model = Increment
        fields = ["id", "version", "deadline", "release_notes", "product"]
        read_only_fields = fields


class InboxItemSerializer(ItemSerializer):
    class Meta(ItemSerializer.Meta):
        fields = ["id", "reference", "kind", "title", "description", "acceptance_criteria"]
        read_only_fields = fields


class InboxEntrySerializer(serializers.ModelSerializer):
    increment = InboxIncrementSerializer()
    item = InboxItemSerializer()

    class Meta:
        model = IncrementItem
        fields = ["id", "increment", "item"]
        read_only_fields = fields
