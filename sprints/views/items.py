"""One backlog item: its page, its edit form and its verdict history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from deelbaar import pages
from deelbaar.errors import DomainError, StaleObject
from deelbaar.permissions import allowed
from sprints import selectors, services
from sprints.assignment import person_name
from sprints.forms import (
    ItemEditForm,
    changes_since,
)
from sprints.models import ItemStatus
from sprints.views._common import _item, _product


def _item_context(request, product, item, *, form=None, stale=None):
    can_edit = allowed(request.user, "sprints.edit_backlog", product)
    if can_edit and form is None:
        form = ItemEditForm.for_item(item, auto_id="item-%s")
    follow_up_of = selectors.followed_up_verdict(item)
    # The same "Assign to" as a board card, so an item outside a sprint can be given too.
    # An accepted item is finished: its assignee stays (the service refuses it as well).
    may_assign = item.status != ItemStatus.ACCEPTED and allowed(
        request.user, "sprints.assign_item", product
    )
    people = (
        [
            {"id": user.pk, "name": person_name(user)}
            for user in selectors.assignable_people(product)
        ]
        if may_assign
        else []
    )
    return {
        "may_assign": may_assign,
        "assign_people": people,
        "me": request.user.pk,
        "product": product,
        "section": "backlog",
        "item": item,
        "form": form if can_edit else None,
        "stale": stale,
        "verdict_rows": selectors.verdict_rows(item),
        "follow_up_of": follow_up_of,
        "edit_backlog": can_edit,
    }


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, product_id, item_id):
    product = _product(request, product_id)
    item = _item(product, item_id)
    if request.method == "GET":
        return render(request, "sprints/item_detail.html", _item_context(request, product, item))
    pages.require(request.user, "sprints.edit_backlog", product)
    form = ItemEditForm(request.POST, auto_id="item-%s")
    status, stale = 200, None
    if form.is_valid():
        try:
            item = services.update_item(
                actor=request.user,
                item=item,
                version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except StaleObject as error:
            # Show what the other person changed and their values; keep this person's input,
            # now based on the current version, so saving again is a deliberate choice.
            item = _item(product, item_id)
            stale = {
                "message": str(error.message),
                "changes": changes_since(form.cleaned_data["original"], item),
            }
            form = form.restarted_from(item)
            status = error.status_code
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(reference)s is saved.") % {"reference": item.reference})
            # An explicit fragment, or the form's own would carry over and hide the message.
            url = reverse(
                "sprints:item_detail", kwargs={"product_id": product.pk, "item_id": item.pk}
            )
            return redirect(f"{url}#main")
    context = _item_context(request, product, item, form=form, stale=stale)
    return render(request, "sprints/item_detail.html", context, status=status)
