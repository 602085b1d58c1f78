from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = _("Sprints")

    def ready(self):
        from deelbaar import me, routing
        from sprints.consumers import ProductConsumer
        from sprints.selectors import product_roles_of

        # /api/v1/me/ lists the person's product roles without the core importing this app.
        me.register_product_roles(product_roles_of)
        # A product's live events, on the core's websocket router.
        routing.add_websocket_route("ws/products/<int:product_id>/", ProductConsumer)
