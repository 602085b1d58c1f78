from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from deelbaar.events import event_published
        from deelbaar.panels import SHELL
        from notifications import panels, receivers

        # Notifications follow the platform's events after their commit (receivers.py).
        event_published.connect(receivers.on_event_published, dispatch_uid="notifications")
        # The unread count in the page shell's header and beside the inbox (deelbaar/panels.py).
        SHELL.register("header_tools", panels.header_badge)
        SHELL.register("unread", panels.navigation_badge)
