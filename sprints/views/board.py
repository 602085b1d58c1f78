"""A sprint's board: its columns and moving a card between them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from sprints import selectors, services
from sprints.forms import (
    StatusForm,
)
from sprints.models import (
    ItemStatus,
    SprintState,
)
from sprints.views._common import _item, _may, _product, _sprint, _sprint_view


def _board_context(request, product, sprint):
    columns = selectors.board_for(sprint)
    may = _may(request.user, product, "work_on_items", "plan_sprint")
    return {
        "product": product,
        "section": "sprints",
        "sprint": sprint,
        "columns": [
            {"status": status, "label": ItemStatus(status).label, "items": items}
            for status, items in columns.items()
        ],
        "board_moves": may["work_on_items"] and sprint.state == SprintState.ACTIVE,
        "board_statuses": [
            (ItemStatus.TODO, ItemStatus.TODO.label),
            (ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS.label),
            (ItemStatus.DONE, ItemStatus.DONE.label),
        ],
        **may,
    }


sprint_board = _sprint_view("sprints/sprint_board.html", _board_context)
board_columns = _sprint_view("sprints/_board.html", _board_context)


@login_required
@require_POST
def item_status(request, product_id, item_id):
    """Move a card across the board; answers the board (htmx) or goes back to the page."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.work_on_items", product)
    item = _item(product, item_id)
    form = StatusForm(request.POST)
    ok = False
    if not form.is_valid():
        announcement = " ".join(str(e) for e in form.errors.get("status", []))
    else:
        try:
            item = services.set_item_status(
                actor=request.user, item=item, status=form.cleaned_data["status"]
            )
        except DomainError as error:
            announcement = str(pages.shown(error).message)
        else:
            ok = True
            announcement = _("%(reference)s is now %(status)s.") % {
                "reference": item.reference,
                "status": item.get_status_display(),
            }
    if item.sprint is None:
        (messages.success if ok else messages.error)(request, announcement)
        return redirect("sprints:item_detail", product_id=product.pk, item_id=item.pk)
    sprint = _sprint(product, item.sprint.number)
    if pages.is_htmx(request):
        context = {**_board_context(request, product, sprint), "announcement": announcement}
        # 200 even when refused: htmx swaps it in, and the announcement says why.
        response = render(request, "sprints/_board.html", context)
        return pages.focus(response, f"card-{item.pk}", "board-heading")
    (messages.success if ok else messages.error)(request, announcement)
    url = reverse(
        "sprints:sprint_board", kwargs={"product_id": product.pk, "number": sprint.number}
    )
    return redirect(f"{url}#card-{item.pk}")
