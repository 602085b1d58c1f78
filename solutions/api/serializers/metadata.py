"""A solution's metadata in the API: what it is now, and the changes a client sends.

Input is only shaped here (texts, lists, numbers): its meaning is checked by the metadata
service against publiccode.yml's rules, so the API, the pages and an imported file report the
same problems, all at once, at the same key paths ("maintenance_contractors.0.until").
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from solutions.models import Category, DevelopmentStatus, MaintenanceType, SoftwareType


def _choices(choices) -> str:
    return _("One of: %(choices)s.") % {"choices": ", ".join(choices.values)}


class ContractorSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    until = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The day the contract ends: YYYY-MM-DD.")
    )
    email = serializers.CharField(required=False, allow_blank=True)
    website = serializers.CharField(required=False, allow_blank=True)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    affiliation = serializers.CharField(required=False, allow_blank=True)


class DependencySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(
        required=False, help_text=_("open (the default), proprietary or hardware.")
    )
    version_min = serializers.CharField(required=False, allow_blank=True)
    version_max = serializers.CharField(required=False, allow_blank=True)
    version = serializers.CharField(required=False, allow_blank=True)
    optional = serializers.BooleanField(required=False)


def _texts(**kwargs):
    return serializers.ListField(child=serializers.CharField(allow_blank=True), **kwargs)


class MetadataSerializer(serializers.Serializer):
    """A solution's metadata as it is now; send `version` back when you change it."""

    slug = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    short_description_nl = serializers.CharField()
    short_description_en = serializers.CharField()
    long_description_nl = serializers.CharField()
    long_description_en = serializers.CharField()
    features_nl = serializers.ListField(child=serializers.CharField())
    features_en = serializers.ListField(child=serializers.CharField())
    categories = serializers.SerializerMethodField()
    platforms = serializers.ListField(child=serializers.CharField())
    software_type = serializers.CharField(help_text=_choices(SoftwareType))
    development_status = serializers.CharField(help_text=_choices(DevelopmentStatus))
    licence = serializers.CharField()
    developed_by = serializers.IntegerField(source="developed_by_id", allow_null=True)
    developed_by_name = serializers.CharField(source="developed_by.name", default=None)
    maintenance_type = serializers.CharField(help_text=_choices(MaintenanceType))
    maintenance_contractors = ContractorSerializer(many=True)
    maintenance_contacts = ContactSerializer(many=True)
    maintenance_until = serializers.DateField(allow_null=True)
    repository_url = serializers.CharField()
    documentation_url = serializers.CharField()
    landing_url = serializers.CharField()
    standards = serializers.ListField(child=serializers.CharField())
    dependencies = DependencySerializer(many=True)
    screenshots = serializers.ListField(child=serializers.CharField())
    estimated_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_categories(self, solution) -> list[str]:
        return sorted(c.category for c in solution.categories.all())


class MetadataInputSerializer(serializers.Serializer):
    """The fields to change (PATCH: any of them; PUT: all of them). The version you read is
    the If-Match header; a stale one is refused with 412."""

    name = serializers.CharField(allow_blank=True)
    short_description_nl = serializers.CharField(
        allow_blank=True, help_text=_("At most 150 characters.")
    )
    short_description_en = serializers.CharField(
        allow_blank=True, help_text=_("At most 150 characters.")
    )
    long_description_nl = serializers.CharField(
        allow_blank=True, help_text=_("Empty, or 150 to 10,000 characters.")
    )
    long_description_en = serializers.CharField(
        allow_blank=True, help_text=_("Empty, or 150 to 10,000 characters.")
    )
    features_nl = _texts()
    features_en = _texts()
    categories = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        help_text=_("publiccode.yml's categories, such as %(example)s.")
        % {"example": Category.GRANT_MANAGEMENT},
    )
    platforms = _texts(help_text=_("web, windows, mac, linux, ios, android, or another."))
    software_type = serializers.CharField(help_text=_choices(SoftwareType))
    development_status = serializers.CharField(help_text=_choices(DevelopmentStatus))
    licence = serializers.CharField(
        allow_blank=True, help_text=_("An SPDX expression, such as EUPL-1.2.")
    )
    developed_by = serializers.IntegerField(
        allow_null=True, help_text=_("The id of the organisation that developed it.")
    )
    maintenance_type = serializers.CharField(help_text=_choices(MaintenanceType))
    maintenance_contractors = ContractorSerializer(
        many=True, help_text=_("Required when maintenance is under contract.")
    )
    maintenance_contacts = ContactSerializer(
        many=True, help_text=_("Required when maintenance is internal or by the community.")
    )
    repository_url = serializers.CharField(allow_blank=True)
    documentation_url = serializers.CharField(allow_blank=True)
    landing_url = serializers.CharField(allow_blank=True)
    standards = _texts()
    dependencies = DependencySerializer(many=True)
    screenshots = _texts()
    estimated_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        # The service's bound, stated here so the schema carries it (a pattern without "-").
        min_value=Decimal("0"),
        error_messages={"min_value": _("The cost is an amount from 0 to 9,999,999,999.99 euros.")},
        help_text=_("In euros."),
    )


class ImportInputSerializer(serializers.Serializer):
    """A publiccode.yml to read in: its text, and the cooperative to add it to (or the
    solution to update from it)."""

    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("The publiccode.yml's text.")
    )
    cooperative = serializers.SlugField(
        required=False,
        help_text=_("The cooperative's slug; may be left out if you coordinate only one."),
    )
    solution = serializers.SlugField(
        required=False, help_text=_("A solution's slug, to update it from the file.")
    )


class ImportUploadSerializer(serializers.Serializer):
    """A publiccode.yml uploaded as a file, with the cooperative to add it to (or the solution
    to update from it)."""

    file = serializers.FileField(help_text=_("The publiccode.yml file."))
    cooperative = serializers.SlugField(
        required=False,
        help_text=_("The cooperative's slug; may be left out if you coordinate only one."),
    )
    solution = serializers.SlugField(
        required=False, help_text=_("A solution's slug, to update it from the file.")
    )
