"""Acceptance of an increment: its entries, verdicts and their screenshots."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.files import upload_response
from deelbaar.permissions import allowed
from sprints import services
from sprints.forms import (
    VerdictForm,
)
from sprints.models import (
    BacklogItem,
    CriterionVerdict,
    IncrementState,
    Verdict,
)
from sprints.views._common import _increment, _product


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
