"""/ws/products/<id>/: the live backlog, board and review of one product."""

from channels.db import database_sync_to_async

from deelbaar.consumers import EventConsumer
from deelbaar.permissions import allowed
from sprints.events import product_group
from sprints.models import Product


@database_sync_to_async
def _may_view(user, product_id):
    product = Product.objects.filter(pk=product_id).select_related("cooperative").first()
    return product is not None and allowed(user, "sprints.view_product", product)


class ProductConsumer(EventConsumer):
    """Everyone who may view the product joins its group; anyone else is refused (4403)."""

    async def groups_for(self):
        product_id = self.scope["url_route"]["kwargs"]["product_id"]
        if not await _may_view(self.scope["user"], product_id):
            return None
        return [product_group(product_id)]
