"""The admin is for administrators' housekeeping (people and affiliations); every business
change goes through the pages and the API, which call the services and write the audit trail.
The audit trail is read-only here."""

from django.contrib import admin

from cooperative.models import (
    Affiliation,
    AuditRecord,
    Cooperative,
    Coordinator,
    Membership,
    Organisation,
)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cbs_code", "inhabitants"]
    list_filter = ["kind"]
    search_fields = ["name", "cbs_code"]
    filter_horizontal = ["represents"]
    inlines = [AffiliationInline]


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contribution_kind", "contribution_amount"]
    search_fields = ["name"]
    inlines = [CoordinatorInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: transitions go through the services so they are audited."""

    list_display = ["organisation", "cooperative", "role", "state", "contribution_due"]
    list_filter = ["cooperative", "state", "role"]
    search_fields = ["organisation__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_repr", "cooperative"]
    list_filter = ["action", "cooperative"]
    search_fields = ["object_repr", "actor_name", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
