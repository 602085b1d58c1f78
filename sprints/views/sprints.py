"""Sprints: the list, planning, starting, finishing and closing one, and its review."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from sprints import charts, selectors, services
from sprints.forms import (
    CommitForm,
    PlanSprintForm,
)
from sprints.models import (
    ItemStatus,
    SprintState,
)
from sprints.views._common import _may, _product, _sprint, _sprint_view

# The planning page offers the top of the backlog: that is where the next sprint's work is.
PLANNING_LIMIT = 200


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


# Closing is not a transition of this view: it asks first how many items go back to the
# backlog (`sprint_close`, its own route and page).
TRANSITIONS = {
    "start": services.start_sprint,
    "finish": services.finish_sprint,
}


@login_required
@require_POST
def sprint_transition(request, product_id, number, action):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.plan_sprint", product)
    sprint = _sprint(product, number)
    try:
        sprint = TRANSITIONS[action](actor=request.user, sprint=sprint)
    except DomainError as error:
        messages.error(request, str(pages.shown(error).message))
        return redirect("sprints:sprint_board", product_id=product.pk, number=sprint.number)
    if action == "start":
        text = _("Sprint %(number)s has started.")
    else:
        text = _("Sprint %(number)s is in review.")
    messages.success(request, text % {"number": sprint.number})
    return redirect("sprints:sprint_board", product_id=product.pk, number=sprint.number)


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
