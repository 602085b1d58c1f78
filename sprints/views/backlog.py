"""The backlog page: the ordered list, adding an item and moving one."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from sprints import selectors, services
from sprints.forms import (
    ItemForm,
    MoveForm,
)
from sprints.views._common import _item, _may, _product

BACKLOG_PAGE_SIZE = 100


def _backlog_context(request, product, *, page=None, item_form=None):
    paginator = Paginator(selectors.backlog_for(product), BACKLOG_PAGE_SIZE)
    page_obj = paginator.get_page(page or request.GET.get("page"))
    return {
        "product": product,
        "section": "backlog",
        "page_obj": page_obj,
        "item_form": item_form or ItemForm(auto_id="new-item-%s"),
        **_may(request.user, product, "edit_backlog", "order_backlog"),
    }


@login_required
@require_GET
def backlog(request, product_id):
    product = _product(request, product_id)
    return render(request, "sprints/backlog.html", _backlog_context(request, product))


@login_required
@require_GET
def backlog_list(request, product_id):
    """The list alone, for the live update and the moves."""
    product = _product(request, product_id)
    return render(request, "sprints/_backlog_list.html", _backlog_context(request, product))


@login_required
@require_POST
def item_create(request, product_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.edit_backlog", product)
    form = ItemForm(request.POST, auto_id="new-item-%s")
    if form.is_valid():
        try:
            item = services.create_item(
                actor=request.user, product=product, **form.service_arguments()
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(reference)s is added at the bottom of the backlog.")
                % {"reference": item.reference},
            )
            last_page = max(
                1, math.ceil(selectors.backlog_for(product).count() / BACKLOG_PAGE_SIZE)
            )
            url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
            return redirect(f"{url}?page={last_page}#item-{item.pk}")
    context = _backlog_context(request, product, item_form=form)
    return render(request, "sprints/backlog.html", context)


def _place(product, item) -> tuple[int, int]:
    backlog = selectors.backlog_for(product)
    return backlog.filter(position__lt=item.position).count() + 1, backlog.count()


@login_required
@require_POST
def item_move(request, product_id, item_id):
    """Move an item; answers the list (htmx, drag and drop) or goes back to the page."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.order_backlog", product)
    item = _item(product, item_id)
    form = MoveForm(request.POST, product=product)
    status = 200
    if not form.is_valid():
        announcement = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 400
    else:
        destination = form.destination(item)
        if destination is None:
            announcement = _("%(reference)s is already there.") % {"reference": item.reference}
        else:
            try:
                item = services.move_item(actor=request.user, item=item, **destination)
            except DomainError as error:
                announcement, status = str(pages.shown(error).message), 400
            else:
                place, total = _place(product, item)
                announcement = _(
                    "%(reference)s moved: now number %(place)s of %(total)s in the backlog."
                ) % {"reference": item.reference, "place": place, "total": total}
    page = form.cleaned_data.get("page") if form.is_valid() else None
    if pages.is_htmx(request):
        context = _backlog_context(request, product, page=page)
        context["announcement"] = announcement
        # htmx keeps focus on the button pressed; if the item left this page, on the list.
        response = render(request, "sprints/_backlog_list.html", context)
        return pages.focus(response, f"item-{item.pk}-link", "backlog-heading")
    (messages.success if status == 200 else messages.error)(request, announcement)
    url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
    return redirect(f"{url}?page={page or 1}#item-{item.pk}")
