from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativeConfig(AppConfig):
    name = "cooperative"
    verbose_name = _("Cooperative")
