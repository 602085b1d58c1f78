from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from people import deactivation

        deactivation.connect()
        # Accepting an invitation by signing in with the organisation's identity provider.
        if apps.is_installed("signin"):
            from people.services.identity_provider import accept_pending
            from signin import oidc

            oidc.register_invitation_handler(accept_pending)
