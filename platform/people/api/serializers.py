"""What the people API shows and accepts. Input serializers check shape only; services decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperative.models import Affiliation, Organisation, OrganisationRole
from people.models import Invitation, InvitationTeamRole

# What a person sees of an invitation: its state, with a pending one past its date "expired".
INVITATION_STATUSES = [
    ("pending", _("pending")),
    ("expired", _("expired")),
    ("accepted", _("accepted")),
    ("revoked", _("revoked")),
]


class OrganisationPersonSerializer(serializers.ModelSerializer):
    """A person of an organisation. The e-mail address only for those who manage its people."""

    id = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "username", "name", "email", "role", "role_display"]

    def get_name(self, affiliation) -> str:
        return affiliation.user.get_full_name() or affiliation.user.get_username()

    def get_email(self, affiliation) -> str | None:
        return affiliation.user.email if self.context.get("show_email") else None


class PersonRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=OrganisationRole.choices)


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InvitationSerializer(serializers.ModelSerializer):
    organisation = _Named(read_only=True)
    product = _Named(read_only=True, allow_null=True)
    invited_by = serializers.SerializerMethodField()
    accepted_by = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=INVITATION_STATUSES,
        read_only=True,
        help_text=_("pending, expired (pending past its date), accepted or revoked."),
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "organisation",
            "role",
            "product",
            "team_role",
            "status",
            "invited_by",
            "created_at",
            "sent_at",
            "send_count",
            "expires_at",
            "accepted_at",
            "accepted_by",
            "revoked_at",
        ]

    def _name(self, user):
        return None if user is None else (user.get_full_name() or user.get_username())

    def get_invited_by(self, invitation) -> str:
        return self._name(invitation.invited_by)

    def get_accepted_by(self, invitation) -> str | None:
        return self._name(invitation.accepted_by)


class OrganisationInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=OrganisationRole.choices, default=OrganisationRole.STAFF)


class InviteSerializer(OrganisationInviteSerializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    product = serializers.PrimaryKeyRelatedField(
        queryset=Invitation._meta.get_field("product").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    team_role = serializers.ChoiceField(
        choices=InvitationTeamRole.choices, required=False, allow_blank=True
    )


class InvitationFilterSerializer(serializers.Serializer):
    """The list's query parameters (the schema says what a valid id is)."""

    organisation = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text=_("Only this organisation's.")
    )
    product = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text=_("Only this product's team.")
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4096,
        style={"input_type": "password"},
        help_text=_("For a new account: the password to sign in with."),
    )
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class AcceptedSerializer(serializers.Serializer):
    invitation = InvitationSerializer()
    user = serializers.IntegerField(help_text=_("The account's id."))
    username = serializers.CharField()
