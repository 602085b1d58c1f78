from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from deelbaar.events import event_published
        from notifications import receivers

        # Notifications follow the platform's events after their commit (receivers.py).
        event_published.connect(receivers.on_event_published, dispatch_uid="notifications")
