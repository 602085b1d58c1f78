from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from deelbaar.events import event_published
        from integrations import dispatch, tags

        # Outgoing webhooks follow the platform's own events (see integrations/dispatch.py).
        event_published.connect(dispatch.on_event_published, dispatch_uid="integrations.webhooks")
        # A git tag and changelog for each published release (see integrations/tags.py).
        event_published.connect(tags.on_event_published, dispatch_uid="integrations.release_tags")
