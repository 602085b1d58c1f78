"""The backlog as a team's daily tool (issue 15): compact rows with a menu of moves, drag and
drop, "add item" at the top, search and filters in the address, labels and epics.

Like every sprints page: a person who may not view the product gets 404, one who may view it
but not do what the request asks gets 403 (the services check again).
"""

import math
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from sprints import selectors, services
from sprints.forms import (
    BacklogFilterForm,
    EpicForm,
    ItemTagsForm,
    LabelForm,
    MoveForm,
    QuickItemForm,
)
from sprints.models import LABEL_BACKGROUNDS, BacklogItem, Epic, Label
from sprints.services import labels as label_services
from sprints.views._common import _item, _product

# Fifty rows to a page: two and a half screens at desktop width, and a page that renders in
# half the time of a hundred (each row carries its own move menu; the load test's p95 went
# over its 250 ms budget with a hundred).
BACKLOG_PAGE_SIZE = 50
FILTER_NAMES = ("q", "kind", "ready", "label", "epic", "assignee")


# --- Finding things --------------------------------------------------------------------------
def _may(user, product) -> dict:
    return {
        name: allowed(user, f"sprints.{name}", product)
        for name in ("edit_backlog", "order_backlog", "manage_labels")
    }


def _filter_query(params) -> str:
    """The filters of a request as a query string (without the page), for links and refreshes."""
    return urlencode([(name, params[name]) for name in FILTER_NAMES if params.get(name)])


def _backlog_context(request, product, *, params=None, page=None, **extra):
    params = request.GET if params is None else params
    # auto_id as the filter inputs' ids, so the error summary links to them.
    filter_form = BacklogFilterForm(params, auto_id="filter-%s")
    filters = filter_form.filters()
    backlog = selectors.backlog_for(product)
    items = selectors.filter_items(backlog, **filters) if filters else backlog
    items = selectors.with_labels_and_epic(items)
    if not filters:
        # Counted from the product's stored backlog size, as the unfiltered list always was.
        items.of_product, items.size = backlog.of_product, backlog.size
    page_obj = Paginator(items, BACKLOG_PAGE_SIZE).get_page(page or params.get("page"))
    query = _filter_query(params)
    list_url = reverse("sprints:backlog_list", kwargs={"product_id": product.pk})
    return {
        "product": product,
        "section": "backlog",
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filtered": bool(filters),
        "filter_query": query,
        "filter_params": [(name, params[name]) for name in FILTER_NAMES if params.get(name)],
        "refresh_url": f"{list_url}?{urlencode({'page': page_obj.number})}"
        + (f"&{query}" if query else ""),
        "labels": selectors.labels_of(product),
        "epics": selectors.epics_with_progress(product),
        "people": selectors.assignable_people(product),
        "colours": LABEL_BACKGROUNDS,
        "item_form": extra.pop("item_form", None) or QuickItemForm(auto_id="new-item-%s"),
        **_may(request.user, product),
        **extra,
    }


# --- The backlog -----------------------------------------------------------------------------
@login_required
@require_GET
def backlog(request, product_id):
    product = _product(request, product_id)
    context = _backlog_context(request, product)
    # A filter that is not right is shown with its error and not applied, with 400 like the
    # catalogue's search; the list (from htmx, `backlog_list`) stays 200 so htmx swaps it.
    status = 400 if context["filter_form"].errors else 200
    return render(request, "sprints/backlog.html", context, status=status)


@login_required
@require_GET
def backlog_list(request, product_id):
    """The list alone: the filters, the live update and the moves swap it in."""
    product = _product(request, product_id)
    response = render(request, "sprints/_backlog_list.html", _backlog_context(request, product))
    if pages.is_htmx(request) and request.GET.get("push"):
        # A filter changed: the address bar shows the page with it, so it can be shared.
        url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
        query = _filter_query(request.GET)
        response["HX-Push-Url"] = f"{url}?{query}" if query else url
    return response


@login_required
@require_POST
def item_create(request, product_id):
    """Add an item from the top of the backlog (title and kind; Enter adds it)."""
    product = _product(request, product_id)
    pages.require(request.user, "sprints.edit_backlog", product)
    form = QuickItemForm(request.POST, auto_id="new-item-%s")
    # "Add at the top" is the second button; Enter and the first add at the bottom.
    at_top = request.POST.get("at_top") == "1"
    if at_top:
        pages.require(request.user, "sprints.order_backlog", product)
    item = None
    if form.is_valid():
        try:
            item = services.create_item(
                actor=request.user, product=product, at_top=at_top, **form.service_arguments()
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
    if pages.is_htmx(request):
        context = {"product": product, "item_form": form, **_may(request.user, product)}
        if item is not None:
            context["item_form"] = QuickItemForm(
                auto_id="new-item-%s", initial={"kind": form.cleaned_data["kind"]}
            )
            context["added"] = selectors.with_labels_and_epic(
                BacklogItem.objects.filter(pk=item.pk)
            ).first()
            context["place"], _total = _place(product, item)
            context["added_at_top"] = at_top
            # The link goes to the page of the list the item is on, at its row.
            page = math.ceil(context["place"] / BACKLOG_PAGE_SIZE)
            url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
            context["added_url"] = f"{url}?page={page}#item-{item.pk}"
        # Errors stay at the field and in the summary, which takes the focus; after adding,
        # the title box does, ready for the next item.
        response = render(request, "sprints/_quick_add.html", context)
        return pages.focus(response, "new-item-error-summary" if item is None else "new-item-title")
    if item is None:
        context = _backlog_context(request, product, item_form=form)
        return render(request, "sprints/backlog.html", context, status=400)
    place, _total = _place(product, item)
    if at_top:
        message = _("%(reference)s is now at the top, in place %(place)s.")
    else:
        message = _("%(reference)s is now at the bottom, in place %(place)s.")
    messages.success(request, message % {"reference": item.reference, "place": place})
    page = max(1, math.ceil(place / BACKLOG_PAGE_SIZE))
    url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
    return redirect(f"{url}?page={page}#item-{item.pk}")


def _place(product, item) -> tuple[int, int]:
    backlog = selectors.backlog_for(product)
    return backlog.filter(position__lt=item.position).count() + 1, backlog.count()


@login_required
@require_POST
def item_move(request, product_id, item_id):
    """Move an item (the row menu, drag and drop, a place); answers the list (htmx) with the
    moved item's menu still open, so the keyboard moves it again from the same button."""
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
    # The filters the list was shown with come along, so it comes back the same.
    params = request.POST
    if pages.is_htmx(request):
        context = _backlog_context(request, product, params=params, page=page)
        context["announcement"] = announcement
        context["open_menu"] = item.pk if request.POST.get("menu") else None
        response = render(request, "sprints/_backlog_list.html", context)
        return pages.focus(response, f"item-{item.pk}-link", "backlog-heading")
    (messages.success if status == 200 else messages.error)(request, announcement)
    url = reverse("sprints:backlog", kwargs={"product_id": product.pk})
    query = _filter_query(params)
    return redirect(f"{url}?page={page or 1}{'&' + query if query else ''}#item-{item.pk}")


# --- Labels ----------------------------------------------------------------------------------
def _label(product, label_id) -> Label:
    label = get_object_or_404(Label, product=product, pk=label_id)
    label.product = product
    return label


def _epic(product, epic_id) -> Epic:
    epic = get_object_or_404(selectors.epics_with_progress(product), pk=epic_id)
    epic.product = product
    return epic


def _back(request, product, default):
    """Back to the backlog when the form was sent from there, else to `default`."""
    if request.POST.get("from") == "backlog":
        return redirect("sprints:backlog", product_id=product.pk)
    return redirect(default, product_id=product.pk)


@login_required
@require_http_methods(["GET", "POST"])
def labels(request, product_id):
    product = _product(request, product_id)
    form = LabelForm(auto_id="label-%s")
    if request.method == "POST":
        pages.require(request.user, "sprints.manage_labels", product)
        form = LabelForm(request.POST, auto_id="label-%s")
        if form.is_valid():
            try:
                label = label_services.create_label(
                    actor=request.user, product=product, **form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The label %(name)s is added.") % {"name": label})
                return _back(request, product, "sprints:labels")
    context = {
        "product": product,
        "section": "backlog",
        "labels": selectors.labels_of(product),
        "form": form,
        "colours": LABEL_BACKGROUNDS,
        **_may(request.user, product),
    }
    return render(request, "sprints/labels.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def label_change(request, product_id, label_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.manage_labels", product)
    label = _label(product, label_id)
    form = LabelForm(request.POST, auto_id=f"label-{label.pk}-%s")
    if form.is_valid():
        try:
            label = label_services.change_label(
                actor=request.user, label=label, **form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The label %(name)s is saved.") % {"name": label})
            return redirect("sprints:labels", product_id=product.pk)
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, problem)
    return redirect("sprints:labels", product_id=product.pk)


@login_required
@require_POST
def label_delete(request, product_id, label_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.manage_labels", product)
    label = _label(product, label_id)
    label_services.delete_label(actor=request.user, label=label)
    messages.success(request, _("The label %(name)s is removed.") % {"name": label.name})
    return redirect("sprints:labels", product_id=product.pk)


# --- Epics -----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def epics(request, product_id):
    product = _product(request, product_id)
    form = EpicForm(auto_id="epic-%s")
    if request.method == "POST":
        pages.require(request.user, "sprints.manage_labels", product)
        form = EpicForm(request.POST, auto_id="epic-%s")
        if form.is_valid():
            try:
                epic = label_services.create_epic(
                    actor=request.user, product=product, **form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The epic %(title)s is added.") % {"title": epic})
                return _back(request, product, "sprints:epics")
    context = {
        "product": product,
        "section": "backlog",
        "epics": selectors.epics_with_progress(product),
        "form": form,
        **_may(request.user, product),
    }
    return render(request, "sprints/epics.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def epic_detail(request, product_id, epic_id):
    product = _product(request, product_id)
    epic = _epic(product, epic_id)
    form = EpicForm(
        initial={"title": epic.title, "description": epic.description}, auto_id="epic-%s"
    )
    if request.method == "POST":
        pages.require(request.user, "sprints.manage_labels", product)
        form = EpicForm(request.POST, auto_id="epic-%s")
        if form.is_valid():
            try:
                epic = label_services.change_epic(
                    actor=request.user, epic=epic, **form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The epic %(title)s is saved.") % {"title": epic})
                return redirect("sprints:epic_detail", product_id=product.pk, epic_id=epic.pk)
    items = selectors.with_labels_and_epic(
        BacklogItem.objects.filter(product=product, epic=epic).select_related("product")
    ).order_by("position")
    context = {
        "product": product,
        "section": "backlog",
        "epic": epic,
        "items": items,
        "form": form,
        "colours": LABEL_BACKGROUNDS,
        **_may(request.user, product),
    }
    return render(request, "sprints/epic_detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def epic_delete(request, product_id, epic_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.manage_labels", product)
    epic = _epic(product, epic_id)
    label_services.delete_epic(actor=request.user, epic=epic)
    messages.success(request, _("The epic %(title)s is removed.") % {"title": epic.title})
    return redirect("sprints:epics", product_id=product.pk)


# --- An item's labels and epic ---------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def item_tags(request, product_id, item_id):
    """The labels and epic of one item: a section of the item's page, loaded by htmx."""
    product = _product(request, product_id)
    item = _item(product, item_id)
    may = _may(request.user, product)
    initial = {"labels": list(item.labels.all()), "epic": item.epic}
    form = ItemTagsForm(initial=initial, product=product, auto_id="tags-%s")
    saved = False
    if request.method == "POST":
        pages.require(request.user, "sprints.manage_labels", product)
        form = ItemTagsForm(request.POST, product=product, auto_id="tags-%s")
        if form.is_valid():
            try:
                item = label_services.set_item_labels(
                    actor=request.user, item=item, labels=form.cleaned_data["labels"]
                )
                item = label_services.set_item_epic(
                    actor=request.user, item=item, epic=form.cleaned_data["epic"]
                )
            except (DomainError, ValidationError) as error:
                form.add_service_error(error)
            else:
                saved = True
                if not pages.is_htmx(request):
                    messages.success(request, _("The labels and epic are saved."))
                    return redirect("sprints:item_detail", product_id=product.pk, item_id=item.pk)
    context = {"product": product, "item": item, "form": form, "saved": saved, **may}
    if pages.is_htmx(request):
        response = render(request, "sprints/_item_tags.html", context)
        if request.method == "POST":
            return pages.focus(response, "tags-error-summary" if form.errors else "tags-saved")
        return response
    return render(request, "sprints/item_tags.html", context, status=400 if form.errors else 200)
