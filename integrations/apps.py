from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from deelbaar.events import event_published
        from integrations import dispatch
        from integrations.services import releases

        # Outgoing webhooks follow the platform's own events (see integrations/dispatch.py).
        event_published.connect(dispatch.on_event_published, dispatch_uid="integrations.webhooks")
        # A git tag and changelog for each published release (integrations/services/releases.py).
        event_published.connect(
            releases.on_event_published, dispatch_uid="integrations.release_tags"
        )
