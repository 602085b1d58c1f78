"""What the cooperative API shows and accepts.

Output serializers read the objects the selectors return; input serializers only check the
shape of a request (types, choices, existing ids) before a service decides and writes.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperative.models import (
    AuditRecord,
    ContributionKind,
    Cooperative,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    cbs_code_validator,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


# --- Organisations -----------------------------------------------------------------------------
class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind"]


class RepresentedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "inhabitants"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    represents = RepresentedSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "kind_display",
            "cbs_code",
            "inhabitants",
            "represents",
        ]


class OrganisationInputSerializer(serializers.Serializer):
    """Registering an organisation, or correcting one (`kind` cannot change afterwards)."""

    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    cbs_code = serializers.CharField(
        max_length=6,
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[cbs_code_validator],
        help_text=_("Municipalities only: GM followed by four digits, such as GM0772."),
    )
    # The largest number every supported database stores in the column.
    inhabitants = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )
    represents = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Organisation.objects.all(),
        help_text=_("Ids of the municipalities a joint arrangement acts for."),
    )

    def validate(self, attrs):
        # The rest (a CBS code for municipalities only, unique) the model checks, field by field.
        if (
            self.instance is not None
            and attrs.get("kind", self.instance.kind) != self.instance.kind
        ):
            raise serializers.ValidationError(
                {"kind": _("The kind of an organisation cannot be changed.")}, code="read_only"
            )
        return attrs


class OrganisationChangeSerializer(OrganisationInputSerializer):
    """Correcting an organisation: its slug stays as it was registered (links use it)."""

    slug = serializers.SlugField(read_only=True)


# --- Cooperatives ------------------------------------------------------------------------------
class CooperativeSerializer(serializers.ModelSerializer):
    office = OrganisationSummarySerializer(read_only=True, allow_null=True)
    reach = serializers.IntegerField(
        read_only=True, help_text=_("Inhabitants served by the active members.")
    )
    active_members = serializers.IntegerField(read_only=True)
    contribution_kind_display = serializers.CharField(
        source="get_contribution_kind_display", read_only=True
    )

    class Meta:
        model = Cooperative
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "office",
            "reach",
            "active_members",
            "contribution_kind",
            "contribution_kind_display",
            "contribution_amount",
            "contribution_minimum",
            "contribution_maximum",
        ]


class JoiningCostSerializer(serializers.Serializer):
    organisation = OrganisationSummarySerializer()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CooperativeDetailSerializer(CooperativeSerializer):
    joining_cost = JoiningCostSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "What joining would cost each organisation of the person asking (empty when "
            "not logged in)."
        ),
    )

    class Meta(CooperativeSerializer.Meta):
        fields = [*CooperativeSerializer.Meta.fields, "joining_cost"]


class ContributionPolicySerializer(serializers.Serializer):
    """A change of the joining contribution; fields left out keep their current value."""

    contribution_kind = serializers.ChoiceField(choices=ContributionKind.choices)
    contribution_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        min_value=Decimal("0"),
        help_text=_("The fixed amount, or the amount per inhabitant, in euros."),
    )
    contribution_minimum = serializers.DecimalField(allow_null=True, **MONEY)
    contribution_maximum = serializers.DecimalField(allow_null=True, **MONEY)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Memberships -------------------------------------------------------------------------------
class MembershipSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = OrganisationSummarySerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "cooperative",
            "organisation",
            "role",
            "state",
            "state_display",
            "contribution_due",
            "paid_on",
            "paid_amount",
            "rejection_reason",
            "applied_at",
            "decided_at",
            "activated_at",
            "left_at",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The id of the organisation you apply for; you must work for it."),
    )
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PaymentSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class LeavingSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- Audit trail -------------------------------------------------------------------------------
class AuditRecordSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "organisation",
            "cooperative",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "reason",
        ]
        read_only_fields = fields

    def get_object_type(self, record) -> str:
        return f"{record.object_type.app_label}.{record.object_type.model}"


# --- Me ------------------------------------------------------------------------------------------
class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    object_type = serializers.CharField()
    object = serializers.CharField()
    name = serializers.CharField()
