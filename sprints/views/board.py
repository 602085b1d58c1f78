"""A sprint's board (issue 15): the columns with each card's assignee, a filter by
assignee, moving a card (by dragging, or from its "Move to" menu by keyboard), giving a card
to someone, and closing the sprint only after a confirmation that says what happens to the
unfinished items.

Thin views: reads through the selectors, changes through the services. A person who may not
view the product gets 404; one who may view it but not act, 403 (`pages.require`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from sprints import selectors, services
from sprints.assignment import initials, person_name
from sprints.models import BacklogItem, ItemStatus, Product, Sprint, SprintState

BOARD_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE)
# The filter's values besides a person's id.
EVERYONE, MINE = "", "me"


def _product(request, product_id) -> Product:
    product = Product.objects.select_related("cooperative", "owner").filter(pk=product_id).first()
    if product is None or not allowed(request.user, "sprints.view_product", product):
        raise Http404(_("There is no product at this address, or you may not see it."))
    return product


def _sprint(product, number) -> Sprint:
    return get_object_or_404(
        Sprint.objects.select_related("product"), product=product, number=number
    )


def _item(product, item_id) -> BacklogItem:
    return get_object_or_404(
        BacklogItem.objects.select_related("product", "sprint", "assignee"),
        product=product,
        pk=item_id,
    )


def _person(user) -> dict:
    return {"id": user.pk, "name": person_name(user), "initials": initials(user)}


def _filter(request, people) -> tuple[str, object]:
    """The board's filter from `?assignee=`: its value as the form shows it, and what
    `selectors.board_for` takes. Anything unknown shows everyone's cards."""
    value = (request.POST.get("filter") if request.method == "POST" else None) or request.GET.get(
        "assignee", EVERYONE
    )
    if value == selectors.UNASSIGNED:
        return value, selectors.UNASSIGNED
    if value == MINE:
        return value, request.user.pk
    if value.isdigit() and int(value) in {p["id"] for p in people}:
        return value, int(value)
    return EVERYONE, None


def _board_url(product, sprint, value="") -> str:
    url = reverse(
        "sprints:sprint_board", kwargs={"product_id": product.pk, "number": sprint.number}
    )
    return f"{url}?{urlencode({'assignee': value})}" if value else url


def _board_context(request, product, sprint):
    people = [_person(user) for user in selectors.assignable_people(product)]
    value, chosen = _filter(request, people)
    columns = selectors.board_for(sprint, assignee=chosen)
    may = {
        name: allowed(request.user, f"sprints.{name}", product)
        for name in ("work_on_items", "plan_sprint", "assign_item")
    }
    active = sprint.state == SprintState.ACTIVE
    refresh = reverse(
        "sprints:board_columns", kwargs={"product_id": product.pk, "number": sprint.number}
    )
    return {
        "product": product,
        "section": "sprints",
        "sprint": sprint,
        "columns": [
            {"status": status, "label": ItemStatus(status).label, "items": items}
            for status, items in columns.items()
        ],
        "board_moves": may["work_on_items"] and active,
        "board_assign": may["assign_item"] and sprint.state != SprintState.CLOSED,
        "board_statuses": [(status, status.label) for status in BOARD_STATUSES],
        "people": people,
        "me": request.user.pk,
        "filter_value": value,
        "filtered": value != EVERYONE,
        "refresh_url": f"{refresh}?{urlencode({'assignee': value})}" if value else refresh,
        **may,
    }


@login_required
@require_GET
def sprint_board(request, product_id, number):
    product = _product(request, product_id)
    sprint = _sprint(product, number)
    return render(request, "sprints/sprint_board.html", _board_context(request, product, sprint))


@login_required
@require_GET
def board_columns(request, product_id, number):
    product = _product(request, product_id)
    sprint = _sprint(product, number)
    return render(request, "sprints/_board.html", _board_context(request, product, sprint))


def _answer(request, product, item, ok, announcement):
    """The board again: the columns for htmx (200 even when refused, the announcement says
    why), else a redirect to the board with the message, keeping the filter. From the
    item's own page (`back=item`), or for an item outside a sprint, back to that page."""
    if item.sprint is None or request.POST.get("back") == "item":
        (messages.success if ok else messages.error)(request, announcement)
        return redirect("sprints:item_detail", product_id=product.pk, item_id=item.pk)
    sprint = _sprint(product, item.sprint.number)
    if pages.is_htmx(request):
        context = {**_board_context(request, product, sprint), "announcement": announcement}
        response = render(request, "sprints/_board.html", context)
        return pages.focus(response, f"card-{item.pk}", "board-heading")
    (messages.success if ok else messages.error)(request, announcement)
    value, _chosen = _filter(request, [])
    return redirect(f"{_board_url(product, sprint, value)}#card-{item.pk}")


@login_required
@require_POST
def item_status(request, product_id, item_id):
    """Move a card to another column, dragged or chosen from its menu."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.work_on_items", product)
    item = _item(product, item_id)
    status = request.POST.get("status", "")
    ok = False
    if status not in BOARD_STATUSES:
        announcement = _("On the board an item is to do, in progress or done.")
    else:
        try:
            item = services.set_item_status(actor=request.user, item=item, status=status)
        except DomainError as error:
            announcement = str(pages.shown(error).message)
        else:
            ok = True
            announcement = _("%(reference)s is now %(status)s.") % {
                "reference": item.reference,
                "status": item.get_status_display(),
            }
    return _answer(request, product, item, ok, announcement)


@login_required
@require_POST
def item_assign(request, product_id, item_id):
    """Give a card to a developer or product owner, or to nobody."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.assign_item", product)
    item = _item(product, item_id)
    wanted = request.POST.get("assignee", "")
    person = None
    if wanted:
        person = (
            selectors.assignable_people(product).filter(pk=wanted).first()
            if wanted.isdigit()
            else None
        )
        if person is None:
            return _answer(
                request,
                product,
                item,
                False,
                _("This person is not a developer or product owner of this product."),
            )
    version = request.POST.get("version", "")
    try:
        item = services.assign_item(
            actor=request.user,
            item=item,
            assignee=person,
            version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        return _answer(request, product, item, False, str(pages.shown(error).message))
    if person is None:
        text = _("%(reference)s is now with nobody.") % {"reference": item.reference}
    else:
        text = _("%(reference)s is now with %(person)s.") % {
            "reference": item.reference,
            "person": person_name(person),
        }
    return _answer(request, product, item, True, text)


@login_required
@require_http_methods(["GET", "POST"])
def sprint_close(request, product_id, number):
    """Closing cannot be undone: first a page that says how many items go back to the
    backlog, then closing only when its form is sent with `confirm`. Without JavaScript too."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.plan_sprint", product)
    sprint = _sprint(product, number)
    if sprint.state not in (SprintState.ACTIVE, SprintState.REVIEW):
        messages.error(
            request,
            _("Only an active sprint or one in review can be closed; this one is %(state)s.")
            % {"state": sprint.get_state_display()},
        )
        return redirect("sprints:sprint_board", product_id=product.pk, number=sprint.number)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        unfinished = selectors.unfinished_count(sprint)
        try:
            sprint = services.close_sprint(actor=request.user, sprint=sprint)
        except DomainError as error:
            messages.error(request, str(pages.shown(error).message))
            return redirect("sprints:sprint_board", product_id=product.pk, number=sprint.number)
        messages.success(
            request,
            ngettext(
                "Sprint %(number)s is closed; %(count)s unfinished item went back to the top of "
                "the backlog.",
                "Sprint %(number)s is closed; %(count)s unfinished items went back to the top of "
                "the backlog.",
                unfinished,
            )
            % {"number": sprint.number, "count": unfinished},
        )
        return redirect("sprints:sprint_review", product_id=product.pk, number=sprint.number)
    if request.method == "POST":
        # A close without the confirmation (an old form, a script): ask first.
        return redirect("sprints:sprint_close", product_id=product.pk, number=sprint.number)
    counts = {
        status: sprint.items.filter(status=status).count()
        for status in (ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.DONE)
    }
    return render(
        request,
        "sprints/sprint_close.html",
        {
            "product": product,
            "section": "sprints",
            "sprint": sprint,
            # The close's own rule (to do and in progress go back), not a copy of it.
            "unfinished": selectors.unfinished_count(sprint),
            "todo": counts[ItemStatus.TODO],
            "in_progress": counts[ItemStatus.IN_PROGRESS],
            "done": counts[ItemStatus.DONE],
        },
    )
