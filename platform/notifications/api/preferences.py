"""/api/v1/me/notification-preferences/: how you want to hear of each kind, and in which
language mails are written."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import mail
from notifications.models import Channel, Kind, default_channel


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(read_only=True)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        help_text="immediate: a mail at once; digest: in the daily mail; off: no mail (the "
        "notification centre still shows it).",
    )
    default = serializers.ChoiceField(choices=Channel.choices, read_only=True)


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text="The language of your mails."
    )
    preferences = PreferenceSerializer(many=True, help_text="One entry per kind.")


class PreferencesUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferences = PreferenceSerializer(many=True, required=False)

    def validate_preferences(self, value):
        kinds = [entry["kind"] for entry in value]
        if len(kinds) != len(set(kinds)):
            raise serializers.ValidationError("Each kind at most once.")
        return value


def current(person) -> dict:
    channels = mail.channels_for([person.pk])[person.pk]
    return {
        "language": mail.language_for(person),
        "preferences": [
            {
                "kind": kind,
                "label": str(Kind(kind).label),
                "channel": channels[kind],
                "default": default_channel(kind),
            }
            for kind in Kind.values
        ],
    }


class PreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=PreferencesSerializer,
        summary=gettext_lazy("Your e-mail preferences per kind of notification"),
    )
    def get(self, request):
        return Response(PreferencesSerializer(current(request.user)).data)

    @extend_schema(
        request=PreferencesUpdateSerializer,
        responses=PreferencesSerializer,
        summary=gettext_lazy("Change your e-mail preferences (only the kinds you send)"),
    )
    def patch(self, request):
        update = PreferencesUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        with transaction.atomic():
            if "language" in update.validated_data:
                mail.set_language(person=request.user, language=update.validated_data["language"])
            for entry in update.validated_data.get("preferences", []):
                mail.set_channel(person=request.user, kind=entry["kind"], channel=entry["channel"])
        return Response(PreferencesSerializer(current(request.user)).data)
