from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeelbaarConfig(AppConfig):
    name = "deelbaar"
    verbose_name = _("Deelbaar")

    def ready(self):
        from deelbaar.api import strict

        strict.install()
