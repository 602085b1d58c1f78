from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Kind, Notification


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SubjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model, such as sprints.increment")
    id = serializers.IntegerField()


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    text = serializers.CharField(
        read_only=True, help_text="The notification in the language of the request."
    )
    url = serializers.CharField(read_only=True, help_text="The page of what it is about.")
    actor = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "text",
            "params",
            "url",
            "actor",
            "subject",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_actor(self, notification):
        actor = notification.actor
        if actor is None:
            return None
        return {"id": actor.pk, "name": actor.get_full_name() or actor.get_username()}

    @extend_schema_field(SubjectSerializer(allow_null=True))
    def get_subject(self, notification):
        if notification.subject_type_id is None:
            return None
        subject_type = notification.subject_type
        return {
            "type": f"{subject_type.app_label}.{subject_type.model}",
            "id": notification.subject_id,
        }


class NotificationFilterSerializer(serializers.Serializer):
    # Only true or false: "null" would read as no filter at all, which the schema does not say.
    unread = serializers.BooleanField(
        required=False, help_text="true: only unread; false: only read"
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are read now.")
    unread = serializers.IntegerField(help_text="Your unread notifications now.")
