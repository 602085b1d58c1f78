from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = _("Sprints")

    def ready(self):
        from cooperative import trail
        from deelbaar import me, routing
        from sprints.consumers import ProductConsumer
        from sprints.selectors import product_roles_of, team_roles_of, visible_product_ids

        # /api/v1/me/ lists the person's product roles without the core importing this app.
        me.register_product_roles(product_roles_of)
        # A product's live events, on the core's websocket router.
        routing.add_websocket_route("ws/products/<int:product_id>/", ProductConsumer)
        # The audit trail names an actor's product role and links only products one may open.
        trail.register_products(team_roles=team_roles_of, visible_to=visible_product_ids)
