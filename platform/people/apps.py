from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from people import deactivation

        deactivation.connect()
