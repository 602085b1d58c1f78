from django.contrib import admin

from deelbaar.models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The mail queue, where a mail that failed for good stays visible with its last error."""

    list_display = ("subject", "state", "attempts", "created_at", "sent_at", "next_attempt_at")
    list_filter = ("state",)
    search_fields = ("subject", "to")
    readonly_fields = ("created_at", "sent_at")
