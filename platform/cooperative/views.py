"""The cooperative pages: thin views that read through selectors and change through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperative import selectors, services, trail
from cooperative.contributions import inhabitants_of
from cooperative.forms import (
    AuditFilterForm,
    DecisionForm,
    JoinForm,
    OrganisationForm,
    PaymentForm,
    RejectForm,
)
from cooperative.models import Cooperative, MembershipState
from cooperative.templatetags.cooperative_pages import action_label, format_euro
from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed

AUDIT_PAGE_SIZE = 50
QUEUE_STATES = (MembershipState.APPLIED, MembershipState.APPROVED)


def _cooperative(slug):
    try:
        return selectors.cooperative_detail(slug)
    except Cooperative.DoesNotExist:
        raise Http404(_("There is no cooperative at this address.")) from None


def _quotes(user, cooperative):
    """What joining costs each of the person's organisations, and where each one stands."""
    if not user.is_authenticated:
        return []
    organisations = list(selectors.organisations_of(user).prefetch_related("represents"))
    open_memberships = {
        membership.organisation_id: membership
        for membership in selectors.memberships_of(cooperative, visible_to=user)
        .open()
        .filter(organisation__in=[o.pk for o in organisations])
    }
    return [
        {
            "organisation": organisation,
            "inhabitants": inhabitants_of(organisation),
            "can_be_member": organisation.kind in services.MEMBER_KINDS,
            "amount": services.contribution_quote(cooperative, organisation),
            "membership": open_memberships.get(organisation.pk),
        }
        for organisation in organisations
    ]


@require_GET
def cooperative_list(request):
    return render(
        request,
        "cooperative/cooperative_list.html",
        {"cooperatives": selectors.cooperatives_list()},
    )


@require_GET
def cooperative_detail(request, slug):
    cooperative = _cooperative(slug)
    return render(
        request,
        "cooperative/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "members": selectors.members_for_page(cooperative),
            "quotes": _quotes(request.user, cooperative),
            "can_manage": allowed(request.user, "cooperative.manage_memberships", cooperative),
            "can_audit": allowed(request.user, "cooperative.view_audit", cooperative),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    cooperative = _cooperative(slug)
    quotes = _quotes(request.user, cooperative)
    organisations = selectors.organisations_of(request.user)
    initial = {}
    chosen = request.GET.get("organisation", "")
    if chosen.isdigit() and organisations.filter(pk=chosen).exists():
        initial["organisation"] = int(chosen)
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            services.apply_for_membership(
                actor=request.user,
                cooperative=cooperative,
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The application of %(organisation)s has been sent to the coordinators of "
                    "%(cooperative)s. You will hear from them."
                )
                % {"organisation": organisation, "cooperative": cooperative},
            )
            return redirect("cooperative:detail", slug=cooperative.slug)
    return render(
        request,
        "cooperative/join.html",
        {
            "cooperative": cooperative,
            "form": form,
            "quotes": quotes,
            "applied": [q for q in quotes if q["membership"]],
            # The form only while one of the person's organisations may still apply; once they
            # all have, it is hidden and their applications' state is shown instead.
            "may_apply": any(q["can_be_member"] and not q["membership"] for q in quotes),
        },
    )


# --- The coordinator's membership queue ------------------------------------------------------
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


# --- The audit trail -------------------------------------------------------------------------
def _audit_csv_url(cooperative, form) -> str:
    """The API's CSV export with the page's valid filters, in the API's own words."""
    query = QueryDict(mutable=True)
    query["cooperative"] = cooperative.slug
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("action"):
        query["action"] = data["action"]
    for name in ("actor", "organisation"):
        if data.get(name) is not None:
            query[name] = data[name]
    if data.get("object_type") is not None:
        kind = ContentType.objects.get_for_id(data["object_type"])
        query["object_type"] = f"{kind.app_label}.{kind.model}"
    if data.get("date_from"):
        query["at_after"] = data["date_from"].isoformat()
    if data.get("date_to"):
        query["at_before"] = data["date_to"].isoformat()
    return f"{reverse('api:audit-record-export')}?{query.urlencode()}"


@login_required
@require_GET
def audit_trail(request, slug):
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.view_audit", cooperative)
    records = selectors.audit_visible_to(request.user).filter(cooperative=cooperative)
    form = AuditFilterForm(request.GET or None, records=records, action_label=action_label)
    page = Paginator(form.filter(records), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cooperative/audit.html",
        {
            "cooperative": cooperative,
            "form": form,
            "page_obj": page,
            "entries": trail.describe(page.object_list, request.user),
            "csv_url": _audit_csv_url(cooperative, form),
            "query_prefix": f"{query.urlencode()}&" if query else "",
            "filtered": bool(query),
            "queue_url": reverse("cooperative:queue", kwargs={"slug": cooperative.slug}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_organisation(request, slug):
    """A coordinator puts a newcomer organisation on Deelbaar, so that its request for access
    can be approved with it."""
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.manage_memberships", cooperative)
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.register_organisation(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                cbs_code=data["cbs_code"] or None,
                inhabitants=data["inhabitants"],
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(organisation)s is on Deelbaar now: choose it when you approve the request.")
                % {"organisation": organisation.name},
            )
            return redirect("access:access_queue", slug=cooperative.slug)
    return render(
        request,
        "cooperative/organisation_new.html",
        {"cooperative": cooperative, "form": form},
        status=400 if form.errors else 200,
    )
