"""The integrations API's serializers: repositories, commits and tags, and webhooks."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperative.models import Cooperative
from integrations.models import (
    Commit,
    ReleaseTag,
    Repository,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from integrations.services import publiccode as publiccode_services
from sprints.models import BacklogItem


# --- Repositories, commits and tags ---------------------------------------------------------------
class CommitItemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = BacklogItem
        fields = ["id", "reference", "title"]


class RepositoryCommitSerializer(serializers.ModelSerializer):
    items = CommitItemSerializer(many=True, read_only=True)

    class Meta:
        model = Commit
        fields = [
            "id",
            "repository",
            "sha",
            "author_name",
            "author_email",
            "authored_at",
            "committed_at",
            "message",
            "parents",
            "items",
        ]


class ItemCommitListSerializer(RepositoryCommitSerializer):
    class Meta(RepositoryCommitSerializer.Meta):
        fields = [f for f in RepositoryCommitSerializer.Meta.fields if f != "items"]


class TagReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = serializers.CharField(read_only=True)
    solution = serializers.IntegerField(source="solution_id", read_only=True)
    solution_slug = serializers.SlugField(source="solution.slug", read_only=True)
    solution_name = serializers.CharField(source="solution.name", read_only=True)


class ReleaseTagSerializer(serializers.ModelSerializer):
    release = TagReleaseSerializer(read_only=True)

    class Meta:
        model = ReleaseTag
        fields = [
            "id",
            "repository",
            "name",
            "sha",
            "pushed",
            "message",
            "changelog",
            "created_at",
            "release",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "pushed": {
                "help_text": gettext_lazy(
                    "Whether the tag is in the repository; false: it is only in the platform's "
                    "mirror, as the platform may not push there."
                )
            }
        }


class PubliccodeProblemSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text=gettext_lazy('Key path, such as "legal.license"; "" for the whole file.')
    )
    code = serializers.CharField()
    message = serializers.CharField()


class PubliccodeSerializer(serializers.Serializer):
    """What the last sync read from publiccode.yml at the head of the default branch."""

    found = serializers.BooleanField()
    sha = serializers.CharField(help_text=gettext_lazy("The commit it was read at."))
    # DRF's metaclass takes declared fields off the class, so `fields` stays the Serializer's
    # own property at run time; the stubs see a class attribute overriding it.
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text=gettext_lazy("Values offered for the solution.")
    )
    problems = PubliccodeProblemSerializer(many=True)


class AppliedSolutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class RepositorySerializer(serializers.ModelSerializer):
    publiccode = serializers.SerializerMethodField()

    @extend_schema_field(PubliccodeSerializer)
    def get_publiccode(self, repository) -> dict:
        # Stored at sync time in every language: no query, no parsing per repository.
        return publiccode_services.publiccode_summary(repository)

    class Meta:
        model = Repository
        fields = [
            "id",
            "product",
            "url",
            "default_branch",
            "state",
            "state_message",
            "head_sha",
            "progress_done",
            "progress_total",
            "sync_started_at",
            "last_synced_at",
            "created_at",
            "publiccode",
        ]
        read_only_fields = fields


class ManagedRepositorySerializer(RepositorySerializer):
    """What those who manage the repository see: also the secret for its push hooks, and
    whether it has an access token (the token itself is never shown)."""

    has_access_token = serializers.SerializerMethodField(
        help_text=gettext_lazy("Whether git reads the repository with an access token.")
    )

    def get_has_access_token(self, repository) -> bool:
        return bool(repository.access_token)

    class Meta(RepositorySerializer.Meta):
        fields = [
            *RepositorySerializer.Meta.fields,
            "hook_secret",
            "access_username",
            "has_access_token",
        ]
        read_only_fields = fields


class AccessTokenSerializer(serializers.Serializer):
    access_username = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "The user name the git host wants with the token (GitLab's deploy tokens have "
            "their own); blank: x-access-token, which GitHub takes."
        ),
    )
    access_token = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        style={"input_type": "password"},
        help_text=gettext_lazy(
            "A deploy or access token for an https address; write-only, never shown back. "
            "Never put credentials in the URL."
        ),
    )


class LinkSerializer(AccessTokenSerializer):
    product = serializers.IntegerField()
    url = serializers.CharField(max_length=500)
    default_branch = serializers.CharField(max_length=200, default="main")


# --- Webhooks -------------------------------------------------------------------------------------
class SubscriptionSerializer(serializers.ModelSerializer):
    cooperative: "serializers.SlugRelatedField[Cooperative]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    delivery_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "cooperative",
            "url",
            "events",
            "description",
            "active",
            "created_at",
            "delivery_count",
        ]
        read_only_fields = fields


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """Only in the answer to a creation or a rotation: keep the secret, it is not shown again."""

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionInputSerializer(serializers.Serializer):
    cooperative = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Cooperative.objects.all(),
        help_text=gettext_lazy("The cooperative's slug."),
        error_messages={"does_not_exist": gettext_lazy("There is no such cooperative.")},
    )
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)


class SubscriptionChangeSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        required=False,
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "duration_ms", "error"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    attempts_log = AttemptSerializer(source="log", many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "message_id",
            "payload",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_duration_ms",
            "last_error",
            "created_at",
            "delivered_at",
            "attempts_log",
        ]
        read_only_fields = fields
