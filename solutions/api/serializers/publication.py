"""What the publication API shows and accepts.

Input serializers check only the shape of a request (types, lengths, ids and slugs that exist
for the person asking); the services decide whether the publication may happen.
"""

import copy
import json
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from solutions.api.serializers.metadata import MetadataInputSerializer
from solutions.models import (
    SHORT_DESCRIPTION_MAX,
    PublicationRequest,
    Release,
    Solution,
)
from solutions.services.publication import PUBLICATION_METADATA
from solutions.versions import MAX_LENGTH as VERSION_MAX
from sprints.api.serializers import PersonSerializer
from sprints.models import Increment, Product

if TYPE_CHECKING:
    from cooperative.models import Cooperative


class PublicationSolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Solution
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class PublicationProductSerializer(serializers.ModelSerializer):
    cooperative: "serializers.SlugRelatedField[Cooperative]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Product
        fields = ["id", "key", "name", "cooperative"]
        read_only_fields = fields


class PublicationIncrementSerializer(serializers.ModelSerializer):
    product = PublicationProductSerializer()

    class Meta:
        model = Increment
        fields = ["id", "version", "state", "release_notes", "product"]
        read_only_fields = fields


class PublicationReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "version", "published_at"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    """A published release: public, like the catalogue."""

    solution = PublicationSolutionSerializer()
    increment = serializers.SerializerMethodField(help_text=_("The source increment."))

    class Meta:
        model = Release
        fields = [
            "id",
            "solution",
            "version",
            "major",
            "minor",
            "patch",
            "prerelease",
            "notes",
            "increment",
            "git_tag",
            "published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "integer"},
                "version": {"type": "string"},
                "product": {"type": "string"},
            },
        }
    )
    def get_increment(self, release):
        increment = release.increment
        if increment is None:
            return None
        return {
            "id": increment.pk,
            "version": increment.version,
            "product": increment.product.key,
        }


class PublicationRequestSerializer(serializers.ModelSerializer):
    increment = PublicationIncrementSerializer()
    solution = PublicationSolutionSerializer(allow_null=True)
    state_display = serializers.CharField(source="get_state_display")
    requested_by = PersonSerializer()
    decided_by = PersonSerializer(allow_null=True)
    release = PublicationReleaseSerializer(allow_null=True)

    class Meta:
        model = PublicationRequest
        fields = [
            "id",
            "increment",
            "solution",
            "version",
            "name",
            "short_description",
            "metadata",
            "state",
            "state_display",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reason",
            "release",
        ]
        read_only_fields = fields


# --- Input -----------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class VisibleIncrementField(serializers.PrimaryKeyRelatedField):
    """The id of an increment of a product the person may see; others do not exist."""

    default_error_messages = {
        "does_not_exist": _("There is no increment {pk_value}."),
        "incorrect_type": _("Give an increment's id, a whole number."),
    }


def _metadata_field(name):
    """The metadata API's field of that name (made optional by the serializer)."""
    return copy.deepcopy(MetadataInputSerializer._declared_fields[name])


class PublicationRequestInputSerializer(serializers.Serializer):
    increment = VisibleIncrementField(
        queryset=Increment.objects.none(), help_text=_("The accepted increment to publish.")
    )
    version = serializers.CharField(
        max_length=VERSION_MAX,
        required=False,
        allow_blank=True,
        help_text=_(
            "A semantic version such as 1.4.0; left out, the next minor version after the "
            "newest release (the increment's own for a first release)."
        ),
    )
    solution = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Solution.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("There is no solution {value}.")},
        help_text=_(
            "The slug of the solution to release into; left out, the product's own solution, "
            "or a new one."
        ),
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For a new solution: its name."),
    )
    short_description = serializers.CharField(
        max_length=SHORT_DESCRIPTION_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For a new solution: what it does, in at most 150 characters."),
    )

    # What a valid publiccode.yml needs, under the metadata API's own names and shapes; any
    # given are checked by the service and set on the solution when the request is approved.
    long_description_nl = _metadata_field("long_description_nl")
    categories = _metadata_field("categories")
    repository_url = _metadata_field("repository_url")
    licence = _metadata_field("licence")
    maintenance_type = _metadata_field("maintenance_type")
    maintenance_contacts = _metadata_field("maintenance_contacts")
    maintenance_contractors = _metadata_field("maintenance_contractors")

    def __init__(self, *args, increments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if increments is not None:
            self.fields["increment"].queryset = increments
        # Optional here (older clients send none); set per instance, as a field's copy is
        # made again from its arguments.
        for name in PUBLICATION_METADATA:
            self.fields[name].required = False

    def validate(self, attrs):
        metadata = {name: attrs.pop(name) for name in PUBLICATION_METADATA if name in attrs}
        if metadata:
            attrs["metadata"] = json.loads(json.dumps(metadata))
        return attrs


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=10_000,
        help_text=_("Why the publication is refused; the requester reads it."),
        error_messages={
            "required": _("Give the reason for the rejection."),
            "blank": _("Give the reason for the rejection."),
        },
    )
