from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = _("Sprints")

    def ready(self):
        from deelbaar import me
        from sprints.selectors import product_roles_of

        # /api/v1/me/ lists the person's product roles without the core importing this app.
        me.register_product_roles(product_roles_of)
