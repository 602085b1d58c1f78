"""The coordinator's membership queue: approving, rejecting and recording payment."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cooperative import selectors, services
from cooperative.forms.memberships import (
    DecisionForm,
    PaymentForm,
    RejectForm,
)
from cooperative.models import MembershipState
from cooperative.templatetags.cooperative_pages import format_euro
from cooperative.views._common import _cooperative
from deelbaar import pages

QUEUE_STATES = (MembershipState.APPLIED, MembershipState.APPROVED)


def _queue_row(membership, *, bound=None):
    """One row of the queue: the membership, what it costs and its forms (`bound` if it failed)."""
    prefix = f"m{membership.pk}-%s"
    due = membership.contribution_due
    row = {
        "membership": membership,
        "amount": due
        if due is not None
        else services.contribution_quote(membership.cooperative, membership.organisation),
        "approve_form": DecisionForm(auto_id=prefix),
        "reject_form": RejectForm(auto_id=prefix),
        "payment_form": PaymentForm(
            auto_id=prefix,
            initial={"paid_on": timezone.localdate().isoformat(), "amount": due},
        ),
    }
    if bound is not None:
        row[bound[0]] = bound[1]
    return row


@login_required
@require_GET
def membership_queue(request, slug):
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.manage_memberships", cooperative)
    return _render_queue(request, cooperative)


def _render_queue(request, cooperative, failed=None):
    """The queue page; `failed` is (membership pk, form key, bound form) of a refused action,
    shown in its row with the errors beside the fields."""
    rows = []
    for membership in selectors.membership_queue(cooperative):
        membership.cooperative = cooperative
        bound = failed[1:] if failed and failed[0] == membership.pk else None
        rows.append(_queue_row(membership, bound=bound))
    failed_form = failed[2] if failed else None
    return render(
        request,
        "cooperative/membership_queue.html",
        {"cooperative": cooperative, "rows": rows, "failed_form": failed_form},
    )


def _queue_action(request, slug, pk, *, form_class, form_key, perform):
    """Run one queue action; answer with the row (htmx) or a redirect back (plain POST)."""
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.manage_memberships", cooperative)
    membership = get_object_or_404(
        selectors.memberships_of(cooperative, visible_to=request.user), pk=pk
    )
    htmx = pages.is_htmx(request)

    def again(form):
        if htmx:
            row = _queue_row(membership, bound=(form_key, form))
            return _render_row(request, cooperative, row, focus=pages.first_error_id(form))
        return _render_queue(request, cooperative, failed=(membership.pk, form_key, form))

    return pages.decide(
        request,
        form=form_class(request.POST, auto_id=f"m{membership.pk}-%s"),
        perform=lambda data: _success_message(perform(membership, data)),
        answer=lambda: _answer(request, cooperative, pk, htmx),
        again=again,
    )


def _success_message(membership):
    organisation = membership.organisation
    if membership.state == MembershipState.APPROVED:
        return _("%(organisation)s is approved; the contribution due is € %(amount)s.") % {
            "organisation": organisation,
            "amount": format_euro(membership.contribution_due),
        }
    if membership.state == MembershipState.REJECTED:
        return _("The application of %(organisation)s is rejected.") % {
            "organisation": organisation
        }
    return _("The payment of %(organisation)s is recorded; its membership is active.") % {
        "organisation": organisation
    }


def _answer(request, cooperative, pk, htmx):
    """After an action: back to the queue, or (htmx) the row as it is now, gone once the
    membership left the queue."""
    if not htmx:
        return redirect("cooperative:queue", slug=cooperative.slug)
    membership = selectors.membership_queue(cooperative).filter(pk=pk).first()
    row = None
    if membership is not None:
        membership.cooperative = cooperative
        row = _queue_row(membership)
    return _render_row(request, cooperative, row, focus="queue-messages")


def _render_row(request, cooperative, row, *, focus):
    response = render(
        request,
        "deelbaar/queue/_update.html",
        {"cooperative": cooperative, "row": row, "row_template": "cooperative/_queue_row.html"},
    )
    # Keyboard focus follows the change: to the first field in error, or to the message.
    return pages.focus(response, focus)


@login_required
@require_POST
def approve(request, slug, pk):
    return _queue_action(
        request,
        slug,
        pk,
        form_class=DecisionForm,
        form_key="approve_form",
        perform=lambda membership, data: services.approve_membership(
            actor=request.user, membership=membership
        ),
    )


@login_required
@require_POST
def reject(request, slug, pk):
    return _queue_action(
        request,
        slug,
        pk,
        form_class=RejectForm,
        form_key="reject_form",
        perform=lambda membership, data: services.reject_membership(
            actor=request.user, membership=membership, reason=data["reason"]
        ),
    )


@login_required
@require_POST
def record_payment(request, slug, pk):
    return _queue_action(
        request,
        slug,
        pk,
        form_class=PaymentForm,
        form_key="payment_form",
        perform=lambda membership, data: services.record_payment(
            actor=request.user,
            membership=membership,
            paid_on=data["paid_on"],
            amount=data["amount"],
        ),
    )
