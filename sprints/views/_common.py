"""What every sprints page shares: finding the product, item or sprint (404 for who may not
see it) and the permissions a template asks about."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from deelbaar.permissions import allowed
from sprints.models import (
    BacklogItem,
    Increment,
    Product,
    Sprint,
)


def _product(request, product_id) -> Product:
    product = Product.objects.select_related("cooperative", "owner").filter(pk=product_id).first()
    if product is None or not allowed(request.user, "sprints.view_product", product):
        raise Http404(_("There is no product at this address, or you may not see it."))
    return product


def _item(product, item_id) -> BacklogItem:
    return get_object_or_404(
        BacklogItem.objects.select_related("product", "sprint"), product=product, pk=item_id
    )


def _sprint(product, number) -> Sprint:
    sprint = get_object_or_404(Sprint, product=product, number=number)
    sprint.product = product
    return sprint


def _may(user, product, *names) -> dict:
    return {name: allowed(user, f"sprints.{name}", product) for name in names}


def _increment(product, increment_id) -> Increment:
    increment = get_object_or_404(
        Increment.objects.select_related("sprint"), product=product, pk=increment_id
    )
    increment.product = product
    return increment


def _sprint_view(template, context):
    """A GET view of one sprint: the whole page, or the partial htmx swaps in."""

    @login_required
    @require_GET
    def view(request, product_id, number):
        product = _product(request, product_id)
        sprint = _sprint(product, number)
        return render(request, template, context(request, product, sprint))

    return view
