"""The sprints pages: thin views that read through selectors and change through services.

Every view finds the product first: a person who may not view it gets 404, as if it did not
exist; one who may view it but not do what the request asks gets 403. Anonymous visitors are
sent to the login page.
"""

import math
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError, StaleObject
from deelbaar.files import upload_response
from deelbaar.permissions import allowed
from deelbaar.templatetags.deelbaar_dates import long_date
from sprints import charts, selectors, services
from sprints.forms import (
    AnswerForm,
    CommitForm,
    IncrementForm,
    ItemEditForm,
    ItemForm,
    MoveForm,
    PlanSprintForm,
    ProductForm,
    StatusForm,
    SubmitIncrementForm,
    VerdictForm,
    changes_since,
)
from sprints.models import (
    BacklogItem,
    CriterionVerdict,
    DraftAnswer,
    Increment,
    IncrementState,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
    TeamMember,
    TeamRole,
    Verdict,
)

BACKLOG_PAGE_SIZE = 100
# The planning page offers the top of the backlog: that is where the next sprint's work is.
PLANNING_LIMIT = 200


# --- Finding things and checking permissions -------------------------------------------------
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


# --- My products -----------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def product_list(request):
    form = ProductForm(request.POST or None, user=request.user)
    similar = []
    if request.method == "POST":
        if not form.fields["pilot"].queryset.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            similar = selectors.similar_solutions(data["name"], data["vision"])
            if similar and not data["similar_seen"]:
                # Nothing is written until the person has looked at what already exists.
                # A copy keeps every value of a list, such as the chosen participants.
                seen = request.POST.copy()
                seen["similar_seen"] = "1"
                form = ProductForm(seen, user=request.user)
                form.is_valid()
                messages.warning(
                    request,
                    _(
                        "Similar solutions already exist. Look at them first; if none fits, "
                        "start the product anyway."
                    ),
                )
            else:
                try:
                    product = services.create_product(
                        actor=request.user, **form.service_arguments()
                    )
                except (DomainError, ValidationError) as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is started. Add the first items to its backlog.")
                        % {"name": product.name},
                    )
                    return redirect("sprints:backlog", product_id=product.pk)
    products = list(selectors.products_visible_to(request.user))
    roles = {}
    for member in TeamMember.objects.filter(user=request.user, product__in=products):
        roles.setdefault(member.product_id, []).append(capfirst(member.get_role_display()))
    for product in products:
        product.my_roles = roles.get(product.pk, [])
    return render(
        request,
        "sprints/product_list.html",
        {
            "products": products,
            "form": form,
            "may_start": form.fields["pilot"].queryset.exists(),
            "similar": similar,
        },
    )


@login_required
@require_GET
def similar_solutions(request):
    """The section of the product form that shows existing solutions like the proposal."""
    name = request.GET.get("name", "")[:200]
    vision = request.GET.get("vision", "")[:2000]
    similar = selectors.similar_solutions(name, vision) if name.strip() else []
    return render(request, "sprints/_similar_solutions.html", {"similar": similar})


# --- The backlog -----------------------------------------------------------------------------
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


# --- One item --------------------------------------------------------------------------------
def _verdict_rows(item):
    """The item's verdicts, oldest first, each marked superseded once a later increment's
    verdict on the same item exists."""
    verdicts = list(selectors.verdict_history(item))
    follow_ups = {}
    for follow_up in BacklogItem.objects.filter(follow_up_of__in=verdicts).select_related(
        "product"
    ):
        follow_ups.setdefault(follow_up.follow_up_of_id, []).append(follow_up)
    increments = {v.increment_item.increment.pk: v.increment_item.increment for v in verdicts}
    rows = []
    for verdict in verdicts:
        increment = verdict.increment_item.increment
        later = sorted(
            (i for i in increments.values() if i.created_at > increment.created_at),
            key=lambda i: i.created_at,
        )
        rows.append(
            {
                "verdict": verdict,
                "increment": increment,
                "superseded_by": later[0] if later else None,
                "follow_ups": follow_ups.get(verdict.pk, []),
            }
        )
    return rows


def _item_context(request, product, item, *, form=None, stale=None):
    can_edit = allowed(request.user, "sprints.edit_backlog", product)
    if can_edit and form is None:
        form = ItemEditForm.for_item(item, auto_id="item-%s")
    follow_up_of = None
    if item.follow_up_of_id:
        follow_up_of = (
            Verdict.objects.select_related("increment_item__item__product", "tester")
            .filter(pk=item.follow_up_of_id)
            .first()
        )
    return {
        "product": product,
        "section": "backlog",
        "item": item,
        "form": form if can_edit else None,
        "stale": stale,
        "verdict_rows": _verdict_rows(item),
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


# --- Sprints and planning --------------------------------------------------------------------
def _next_start(product):
    last = product.sprints.order_by("-number").first()
    today = timezone.localdate()
    # A sprint's end is its last day: the next one starts the day after.
    return max(today, last.end + timedelta(days=1)) if last else today


@login_required
@require_http_methods(["GET", "POST"])
def sprint_list(request, product_id):
    product = _product(request, product_id)
    form = None
    if request.method == "POST":
        pages.require(request.user, "sprints.plan_sprint", product)
        form = PlanSprintForm(request.POST, auto_id="plan-%s")
        if form.is_valid():
            try:
                sprint = services.plan_sprint(
                    actor=request.user, product=product, **form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Sprint %(number)s is planned. Commit ready items to it.")
                    % {"number": sprint.number},
                )
                url = reverse(
                    "sprints:sprint_plan",
                    kwargs={"product_id": product.pk, "number": sprint.number},
                )
                return redirect(f"{url}#main")
    plan_sprint = allowed(request.user, "sprints.plan_sprint", product)
    if plan_sprint and form is None:
        form = PlanSprintForm(
            auto_id="plan-%s", initial={"start": _next_start(product).isoformat()}
        )
    return render(
        request,
        "sprints/sprint_list.html",
        {
            "product": product,
            "section": "sprints",
            "sprints": product.sprints.order_by("-number"),
            "form": form,
            "plan_sprint": plan_sprint,
            "sprint_length_days": product.sprint_length_days,
        },
    )


def _plan_context(request, product, sprint, *, form=None):
    committed = list(sprint.items.select_related("product").order_by("position"))
    points = sum(item.estimate or 0 for item in committed)
    average = services.average_velocity(product, before=sprint)
    candidates = list(selectors.backlog_for(product)[: PLANNING_LIMIT + 1])
    return {
        "product": product,
        "section": "sprints",
        "sprint": sprint,
        "committed": committed,
        "points": points,
        "average_velocity": average,
        "exceeds_velocity": average is not None and points > average,
        "candidates": candidates[:PLANNING_LIMIT],
        "more_candidates": len(candidates) > PLANNING_LIMIT,
        "planning_limit": PLANNING_LIMIT,
        "open_for_commitment": sprint.state in (SprintState.PLANNED, SprintState.ACTIVE),
        "form": form or CommitForm(product=product, auto_id="commit-%s"),
        "chosen": {str(pk) for pk in (form.data.getlist("items") if form else [])},
    }


@login_required
@require_http_methods(["GET", "POST"])
def sprint_plan(request, product_id, number):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.plan_sprint", product)
    sprint = _sprint(product, number)
    form = None
    if request.method == "POST":
        form = CommitForm(request.POST, product=product, auto_id="commit-%s")
        if form.is_valid():
            try:
                commitment = services.commit_items(
                    actor=request.user, sprint=sprint, items=form.cleaned_data["items"]
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                count = len(form.cleaned_data["items"])
                messages.success(
                    request,
                    ngettext(
                        "%(count)s item is committed to sprint %(number)s.",
                        "%(count)s items are committed to sprint %(number)s.",
                        count,
                    )
                    % {"count": count, "number": sprint.number},
                )
                if commitment.exceeds_velocity:
                    messages.warning(
                        request,
                        _(
                            "Warning: the sprint now holds %(points)s points, more than the "
                            "average velocity of the last three sprints (%(average)s points)."
                        )
                        % {"points": commitment.points, "average": commitment.average_velocity},
                    )
                url = reverse(
                    "sprints:sprint_plan",
                    kwargs={"product_id": product.pk, "number": sprint.number},
                )
                return redirect(f"{url}#main")
    return render(
        request, "sprints/sprint_plan.html", _plan_context(request, product, sprint, form=form)
    )


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


def _sprint_view(template, context):
    """A GET view of one sprint: the whole page, or the partial htmx swaps in."""

    @login_required
    @require_GET
    def view(request, product_id, number):
        product = _product(request, product_id)
        sprint = _sprint(product, number)
        return render(request, template, context(request, product, sprint))

    return view


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


TRANSITIONS = {
    "start": services.start_sprint,
    "finish": services.finish_sprint,
    "close": services.close_sprint,
}


@login_required
@require_POST
def sprint_transition(request, product_id, number, action):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.plan_sprint", product)
    sprint = _sprint(product, number)
    unfinished = sprint.items.filter(status__in=[ItemStatus.TODO, ItemStatus.IN_PROGRESS]).count()
    try:
        sprint = TRANSITIONS[action](actor=request.user, sprint=sprint)
    except DomainError as error:
        messages.error(request, str(pages.shown(error).message))
        return redirect("sprints:sprint_board", product_id=product.pk, number=sprint.number)
    if action == "start":
        text = _("Sprint %(number)s has started.")
    elif action == "finish":
        text = _("Sprint %(number)s is in review.")
    else:
        text = ngettext(
            "Sprint %(number)s is closed; %(count)s unfinished item went back to the top of "
            "the backlog.",
            "Sprint %(number)s is closed; %(count)s unfinished items went back to the top of "
            "the backlog.",
            unfinished,
        )
    messages.success(request, text % {"number": sprint.number, "count": unfinished})
    target = "sprints:sprint_review" if action == "close" else "sprints:sprint_board"
    return redirect(target, product_id=product.pk, number=sprint.number)


# --- Sprint review: burndown and velocity ----------------------------------------------------
def _review_context(request, product, sprint):
    burndown = selectors.burndown(sprint)
    velocity = selectors.velocity(product)
    columns = selectors.board_for(sprint)
    return {
        "product": product,
        "section": "sprints",
        "sprint": sprint,
        "burndown": burndown,
        "burndown_chart": charts.burndown_chart(burndown),
        "velocity": velocity,
        "velocity_chart": charts.velocity_chart(velocity),
        "average_velocity": services.average_velocity(product),
        "summary": [
            {"label": ItemStatus(status).label, "count": len(items)}
            for status, items in columns.items()
        ],
        "increments": sprint.increments.order_by("-created_at"),
        **_may(request.user, product, "plan_sprint"),
    }


sprint_review = _sprint_view("sprints/sprint_review.html", _review_context)
review_charts = _sprint_view("sprints/_review_charts.html", _review_context)


# --- Increments ------------------------------------------------------------------------------
def _eligible_testers(product):
    members = TeamMember.objects.filter(product=product, role=TeamRole.TESTER).select_related(
        "user"
    )
    return [m.user for m in members if allowed(m.user, "sprints.give_verdict", product)]


def _increments_context(request, product, *, form=None, failed=None):
    prepare = allowed(request.user, "sprints.prepare_increment", product)
    testers = _eligible_testers(product) if prepare else []
    increments = list(selectors.increments_of(product).prefetch_related("testers"))
    for increment in increments:
        increment.submit_form = None
        if prepare and increment.state == IncrementState.DRAFT:
            if failed and failed[0] == increment.pk:
                increment.submit_form = failed[1]
            else:
                increment.submit_form = SubmitIncrementForm(
                    testers=testers,
                    auto_id=f"submit-{increment.pk}-%s",
                    initial={"deadline": (timezone.localdate() + timedelta(days=5)).isoformat()},
                )
    if prepare and form is None:
        form = IncrementForm(product=product, auto_id="increment-%s")
    return {
        "product": product,
        "section": "increments",
        "increments": increments,
        "form": form if prepare else None,
        "prepare_increment": prepare,
        "testers": testers,
    }


@login_required
@require_http_methods(["GET", "POST"])
def increment_list(request, product_id):
    product = _product(request, product_id)
    form = None
    if request.method == "POST":
        pages.require(request.user, "sprints.prepare_increment", product)
        form = IncrementForm(request.POST, product=product, auto_id="increment-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                increment = services.create_increment(
                    actor=request.user,
                    product=product,
                    version=data["version"],
                    items=list(data["items"]),
                    release_notes=data["release_notes"],
                    git_ref=data["git_ref"],
                    sprint=data["sprint"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Increment %(version)s is ready to submit for acceptance.")
                    % {"version": increment.version},
                )
                url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
                return redirect(f"{url}#increment-{increment.pk}")
    return render(
        request,
        "sprints/increment_list.html",
        _increments_context(request, product, form=form),
    )


@login_required
@require_POST
def increment_submit(request, product_id, increment_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.prepare_increment", product)
    increment = get_object_or_404(Increment, product=product, pk=increment_id)
    testers = _eligible_testers(product)
    form = SubmitIncrementForm(request.POST, testers=testers, auto_id=f"submit-{increment.pk}-%s")
    if form.is_valid():
        try:
            increment = services.submit_increment(
                actor=request.user,
                increment=increment,
                deadline=form.cleaned_data["deadline"],
                testers=form.cleaned_data["testers"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "Increment %(version)s is submitted; the testers are asked for their "
                    "verdicts by %(deadline)s."
                )
                % {"version": increment.version, "deadline": long_date(increment.deadline)},
            )
            url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
            return redirect(f"{url}#increment-{increment.pk}")
    return render(
        request,
        "sprints/increment_list.html",
        _increments_context(request, product, failed=(increment.pk, form)),
    )


# --- Acceptance ------------------------------------------------------------------------------
def _acceptance_context(request, product, increment, *, failed=None):
    entries = list(
        increment.increment_items.select_related("item__product")
        .prefetch_related(
            "item__criteria",
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.select_related("tester").prefetch_related("criteria"),
            ),
        )
        .order_by("item__position")
    )
    asked = list(increment.testers.all())
    may_judge = (
        increment.state == IncrementState.SUBMITTED
        and allowed(request.user, "sprints.give_verdict", product)
        and any(t.pk == request.user.pk for t in asked)
    )
    rows = []
    for entry in entries:
        mine = next((v for v in entry.verdicts.all() if v.tester_id == request.user.pk), None)
        form = None
        if may_judge and mine is None:
            if failed is not None and failed[0] == entry.item_id:
                form = failed[1]
            else:
                form = VerdictForm(
                    initial={"item": entry.item_id}, auto_id=f"verdict-{entry.item_id}-%s"
                )
        rows.append({"entry": entry, "item": entry.item, "mine": mine, "form": form})
    return {
        "product": product,
        "section": "increments",
        "increment": increment,
        "rows": rows,
        "asked": asked,
        "may_judge": may_judge,
        "waiting": sum(1 for row in rows if row["form"] is not None),
    }


def _increment(product, increment_id) -> Increment:
    increment = get_object_or_404(
        Increment.objects.select_related("sprint"), product=product, pk=increment_id
    )
    increment.product = product
    return increment


@login_required
@require_GET
def acceptance_entries(request, product_id, increment_id):
    """The verdicts and forms alone, for the live update."""
    product = _product(request, product_id)
    increment = _increment(product, increment_id)
    return render(
        request, "sprints/_acceptance.html", _acceptance_context(request, product, increment)
    )


@login_required
@require_http_methods(["GET", "POST"])
def acceptance(request, product_id, increment_id):
    product = _product(request, product_id)
    increment = _increment(product, increment_id)
    if request.method == "GET":
        return render(
            request, "sprints/acceptance.html", _acceptance_context(request, product, increment)
        )
    # Segregation of duties: whoever builds or owns the product never gives verdicts.
    pages.require(request.user, "sprints.give_verdict", product)
    if not increment.testers.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    item_id = request.POST.get("item", "")
    form = VerdictForm(
        request.POST,
        request.FILES,
        auto_id=f"verdict-{item_id if item_id.isdigit() else 'x'}-%s",
    )
    page = reverse(
        "sprints:acceptance", kwargs={"product_id": product.pk, "increment_id": increment.pk}
    )
    if not item_id.isdigit() or not increment.items.filter(pk=item_id).exists():
        messages.error(request, _("That item is not part of this increment."))
        return redirect(page)
    if form.is_valid():
        data = form.cleaned_data
        item = BacklogItem.objects.select_related("product").get(pk=data["item"])
        try:
            verdict = services.give_verdict(
                actor=request.user,
                increment=increment,
                item=item,
                accepted=data["decision"] == "accept",
                remarks=data["remarks"],
                screenshot=data["screenshot"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            if verdict.accepted:
                text = _("You accepted %(reference)s.") % {"reference": item.reference}
            else:
                follow_up = verdict.follow_ups.select_related("product").first()
                text = _(
                    "You rejected %(reference)s; %(follow_up)s is at the top of the backlog."
                ) % {"reference": item.reference, "follow_up": follow_up.reference}
            messages.success(request, text)
            return redirect(f"{page}#entry-{item.pk}")
    context = _acceptance_context(request, product, increment, failed=(int(item_id), form))
    return render(request, "sprints/acceptance.html", context)


@login_required
@require_GET
def verdict_screenshot(request, product_id, verdict_id):
    """A rejection's screenshot, shown only to people who may view the product."""
    product = _product(request, product_id)
    verdict = get_object_or_404(Verdict, pk=verdict_id, increment_item__increment__product=product)
    if not verdict.screenshot:
        raise Http404(_("This verdict has no screenshot."))
    return upload_response(verdict.screenshot)


@login_required
@require_GET
def criterion_screenshot(request, product_id, verdict_id, answer_id):
    """The screenshot given with an answer on one criterion, under the same rule."""
    product = _product(request, product_id)
    answer = get_object_or_404(
        CriterionVerdict,
        pk=answer_id,
        verdict_id=verdict_id,
        verdict__increment_item__increment__product=product,
    )
    if not answer.screenshot:
        raise Http404(_("This verdict has no screenshot."))
    return upload_response(answer.screenshot)


# --- The testers' inbox ----------------------------------------------------------------------
def _inbox_context(request):
    return {"entries": selectors.inbox_for(request.user), "today": timezone.localdate()}


@login_required
@require_GET
def inbox(request):
    return render(request, "sprints/inbox.html", _inbox_context(request))


@login_required
@require_GET
def inbox_list(request):
    return render(request, "sprints/_inbox_list.html", _inbox_context(request))


# --- The tester's one page per increment: a checklist, saved as given, sent once ---------------
def _judge_context(request, product, increment, *, problem=None):
    entries = list(
        increment.increment_items.select_related("item__product")
        .prefetch_related(
            Prefetch("item__criteria", queryset=selectors.CRITERIA.queryset),
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.filter(tester=request.user).prefetch_related("criteria"),
                to_attr="mine",
            ),
            Prefetch(
                "draft_answers",
                queryset=DraftAnswer.objects.filter(tester=request.user),
                to_attr="answers",
            ),
        )
        .order_by("item__position")
    )
    for entry in entries:
        entry.item.criteria_list = list(entry.item.criteria.all())
    last_time = selectors.last_time_not_met([e.item for e in entries], increment=increment)
    progress = services.draft_progress(tester=request.user, increment=increment)
    rows = []
    for entry in entries:
        answers = {a.criterion_id: a for a in entry.answers}
        criteria = [
            {
                "criterion": criterion,
                "answer": answers.get(criterion.pk),
                "last_time": last_time.get(criterion.pk),
            }
            for criterion in entry.item.criteria_list
        ]
        rows.append(
            {
                "entry": entry,
                "item": entry.item,
                "mine": entry.mine[0] if entry.mine else None,
                "criteria": criteria,
                "item_answer": answers.get(None),
                "rejected_by_another": entry.outcome == "rejected" and not entry.mine,
                "done": entry.item_id in progress and progress[entry.item_id] is None,
                "missing": progress.get(entry.item_id),
            }
        )
    judged = sum(1 for row in rows if row["mine"] or row["done"])
    return {
        "product": product,
        "section": "increments",
        "increment": increment,
        "rows": rows,
        "judged": judged,
        "total": len(rows),
        "to_send": sum(1 for row in rows if not row["mine"]),
        "problem": problem,
    }


def _tester_increment(request, product_id, increment_id):
    """The product and increment, if the person is a tester asked for verdicts on it."""
    product = _product(request, product_id)
    increment = _increment(product, increment_id)
    pages.require(request.user, "sprints.give_verdict", product)
    if not increment.testers.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    return product, increment


@login_required
@require_GET
def judge(request, product_id, increment_id):
    product, increment = _tester_increment(request, product_id, increment_id)
    return render(request, "sprints/judge.html", _judge_context(request, product, increment))


@login_required
@require_POST
def judge_answer(request, product_id, increment_id):
    """Keep one answer as given; htmx gets the saved mark and the progress back."""
    product, increment = _tester_increment(request, product_id, increment_id)
    form = AnswerForm(request.POST, request.FILES)
    page = reverse("sprints:judge", kwargs={"product_id": product.pk, "increment_id": increment.pk})
    error = None
    answer = None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        data = form.cleaned_data
        try:
            answer = services.save_answer(
                actor=request.user,
                increment=increment,
                item=data["item"],
                criterion=data["criterion"],
                met=data["met"],
                remarks=data["remarks"] if "remarks" in request.POST else None,
                screenshot=data["screenshot"],
            )
        except DomainError as problem:
            error = str(pages.shown(problem))
    target = f"answer-{request.POST.get('item', 'x')}-{request.POST.get('criterion') or 'item'}"
    if pages.is_htmx(request):
        context = _judge_context(request, product, increment)
        context.update({"target": target, "error": error, "answer": answer})
        return render(request, "sprints/_judge_saved.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect(f"{page}#{target}")


@login_required
@require_POST
def judge_send(request, product_id, increment_id):
    """The moment the tester's answers count."""
    product, increment = _tester_increment(request, product_id, increment_id)
    try:
        verdicts = services.send_verdicts(actor=request.user, increment=increment)
    except DomainError as problem:
        context = _judge_context(request, product, increment, problem=str(pages.shown(problem)))
        return render(request, "sprints/judge.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "Thank you: your verdict on %(count)s item is sent.",
            "Thank you: your verdicts on %(count)s items are sent.",
            len(verdicts),
        )
        % {"count": len(verdicts)},
    )
    return redirect(
        reverse("sprints:judge", kwargs={"product_id": product.pk, "increment_id": increment.pk})
    )
